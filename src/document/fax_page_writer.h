// Writing the fax pages of a document as a TIFF-F file, page by page as they are made.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "base/result.h"
#include "document/page_format.h"
#include "fax/tiff_document.h"

namespace faxgate {

// The T.6 (G4, MMR) coding of one bitmap, MSB first (as PDF's CCITTFaxDecode wants it).
// REQUIRES nothing of the bitmap: an inconsistent one is an error.
Result<std::string> EncodeG4(const Bitmap& page);

// Streams pages into a G4 TIFF-F file: photometric min-is-white, FillOrder LSB2MSB (as
// spandsp reads and HylaFAX writes), one strip per page, resolution from the PageFormat,
// PageNumber n of total, SubfileType page, Software "faxgate". Each page is encoded as it is
// appended and held in memory (a G4 page is 5-200 KB); Finish writes the file atomically, so a
// failed or abandoned conversion leaves nothing at the path.
//
//   FaxPageWriter writer;
//   FG_RETURN_IF_ERROR(writer.Open(out, format));
//   for (...) FG_RETURN_IF_ERROR(writer.Append(ToBilevel(page, format.halftone)));
//   FG_RETURN_IF_ERROR(writer.Finish());
//
// Not thread-safe; one document per writer.
class FaxPageWriter {
 public:
  FaxPageWriter() = default;
  FaxPageWriter(const FaxPageWriter&) = delete;
  FaxPageWriter& operator=(const FaxPageWriter&) = delete;

  // Starts a document. Pages must then be f.width_px() wide; their rows are f.y_dpi().
  Status Open(const std::filesystem::path& path, const PageFormat& f);
  // Encodes one page. Errors: not open, wrong width, inconsistent bitmap, too many pages.
  Status Append(const Bitmap& page);
  int pages() const { return static_cast<int>(pages_.size()); }
  // Bytes of G4 data so far (what the pages will cost on the line, roughly).
  size_t encoded_bytes() const { return encoded_bytes_; }
  // Writes the file (an error when no page was appended) and closes the writer.
  Status Finish();

 private:
  struct EncodedPage {
    int width = 0;
    int height = 0;
    std::string t6;  // MSB first
  };

  bool open_ = false;
  std::filesystem::path path_;
  PageFormat format_;
  std::vector<EncodedPage> pages_;
  size_t encoded_bytes_ = 0;
};

}  // namespace faxgate
