// What kind of document a user sent, decided from its bytes and never from its file name
// (mail clients and users name files freely; a renderer must only see input it understands).
//
// Everything here parses hostile input: every offset is bounds-checked, loops are bounded, and
// nothing is decompressed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace faxgate {

enum class DocumentType {
  kPdf,
  kPostScript,  // PostScript and EPS (also with the DOS binary EPS header)
  kTiff,
  kPng,
  kJpeg,
  kGif,
  kBmp,
  kPnm,
  kWebp,
  kText,  // plain text in any charset, UTF-16 included (DecodeText decides the charset)
  kHtml,
  kRtf,
  kWordBinary,        // .doc
  kExcelBinary,       // .xls
  kPowerPointBinary,  // .ppt
  kWrite,             // Windows Write .wri
  kDocx,
  kXlsx,
  kPptx,
  kOdt,
  kOds,
  kOdp,
  kUnknown,
};

// The type whose ToString() is `name` ("pdf", "docx", ...); kUnknown for anything else.
DocumentType ParseDocumentType(std::string_view name);
std::string_view ToString(DocumentType type);  // "pdf", "postscript", ..., "docx", "unknown"

struct DetectedType {
  DocumentType type = DocumentType::kUnknown;
  // A password is (or may be) needed to open it. For PDF this only says the file has an
  // /Encrypt dictionary: most such PDFs are "owner-password" protected (printing or copying
  // restricted) and open without a password, so the PDF renderer decides.
  bool encrypted = false;
  std::string description;  // for users and logs: "PDF document", "Word 97-2003 document"
};

// Classifies `content` without judging it: kUnknown when nothing matches.
DetectedType ClassifyDocument(std::string_view content);

// Detects the type of a document a user submitted. Errors, in the user's terms and naming
// display_name: empty file, unknown type (with its first bytes in hex), and encrypted
// documents other than PDF ("NAME is password-protected (encrypted Word document); remove the
// password and send it again"). An encrypted PDF is returned with encrypted = true: the PDF
// renderer reports it only if it really needs a password.
Result<DetectedType> DetectDocumentType(std::string_view content, std::string_view display_name);

// The message for a document that needs a password; `what` is e.g. "encrypted PDF".
std::string PasswordProtectedMessage(std::string_view display_name, std::string_view what);

// Refuses ZIP archives (docx, xlsx, odt, ...) that would unpack to more than is reasonable,
// judged from the central directory: more than max_unpacked_bytes in total, more than 10,000
// entries, or a compression ratio above 200:1 over more than 10 MB. Content that is not a ZIP
// archive passes. Sizes are what the archive declares; a reader that trusts them (LibreOffice
// does) is bounded by them, and the renderer's own memory limit covers archives that lie.
Status CheckArchiveLimits(std::string_view zip_content, std::string_view display_name,
                          int64_t max_unpacked_bytes);

}  // namespace faxgate
