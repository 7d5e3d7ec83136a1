// The document pipeline's entry points: one document of any supported type becomes TIFF-F
// fax pages, and a job's fax is composed from its cover page and converted documents with a
// tag line on every page.
//
//   detect type -> render (subprocess for PDF/PS/Office/HTML; in process for images and text)
//     -> lay out on the fax line -> halftone -> G4 TIFF-F
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "document/cover_page.h"
#include "document/document_type.h"
#include "document/limits.h"
#include "document/page_format.h"
#include "document/tag_line.h"

namespace faxgate {

class LibreOfficePool;

struct SourceDocument {
  std::filesystem::path path;
  std::string display_name;  // the user's file name, used in every message
};

struct ConvertedDocument {
  DocumentType type = DocumentType::kUnknown;
  int pages = 0;
};

struct ConverterOptions {
  ConversionLimits limits;
  std::filesystem::path work_dir;     // scratch space for renderers; emptied after each document
  LibreOfficePool* office = nullptr;  // Office files need one; without it they are refused
};

// Word processor, spreadsheet and presentation files: LibreOffice makes them PDF first.
bool NeedsOffice(DocumentType type);
// Office document -> PDF in `work_dir` through the warm pool (zip bombs refused first).
Result<std::filesystem::path> ConvertOfficeToPdf(LibreOfficePool& office,
                                                 const SourceDocument& document, DocumentType type,
                                                 const ConversionLimits& limits,
                                                 const std::filesystem::path& work_dir);

// Converts one document to fax pages in `format`, written atomically to `output`. The error
// names the document and says what is wrong with it ("report.pdf is password-protected").
Result<ConvertedDocument> ConvertDocument(const SourceDocument& document, const PageFormat& format,
                                          const ConverterOptions& options,
                                          const std::filesystem::path& output);

struct CoverPage {
  std::string template_name;  // for messages
  std::string svg;
  CoverFields fields;  // {$PAGES} is filled in here with the fax's page count
};

struct ComposeRequest {
  PageFormat format;
  std::optional<CoverPage> cover;
  std::string tag_line_format;                   // empty: no tag line
  TagFields tag;                                 // page and total are filled in for each page
  std::vector<std::filesystem::path> documents;  // TIFF-F files from ConvertDocument, in order
};

// Writes the cover page and every document's pages, in order, with the tag line drawn on each,
// as one TIFF-F at `output`; returns the number of pages.
Result<int> ComposeFax(const ComposeRequest& request, const std::filesystem::path& output);

}  // namespace faxgate
