// TIFF files as fax documents: what is in them, whether a fax line can carry them, joining
// several into one, and reading pixels back (tests compare pages pixel by pixel).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace faxgate {

struct TiffPageInfo {
  int width = 0;   // pixels
  int height = 0;  // rows
  double x_dpi = 0;
  double y_dpi = 0;
  int bits_per_sample = 1;
  int samples_per_pixel = 1;
  std::string compression;  // "G4", "G3-1D", "G3-2D", "none", "LZW", ...
  bool tiled = false;       // stored in tiles, which spandsp cannot read
};

struct TiffInfo {
  std::vector<TiffPageInfo> pages;
};

// Reads the directory of every page. A file libtiff cannot read (or random bytes) is an error
// naming `display_name`. Never crashes on hostile input.
Result<TiffInfo> InspectTiff(const std::filesystem::path& path, std::string_view display_name);

// Fax geometry: bilevel, 1728/2048/2432 pixels wide, about 204 dpi across and 98/196/391 lines
// per inch. The error says which page is wrong and how, e.g.
// "page.tif page 2 is 1700 pixels wide; a fax page is 1728 (A4/Letter), 2048 (B4) or 2432 (A3)".
Status CheckSendable(const TiffInfo& info, std::string_view display_name);

// Writes all pages of `inputs`, in order, to one TIFF-F (G4, fill order LSB2MSB, one strip per
// page, resolution kept) at `output`, atomically.
Status ConcatenateFaxTiffs(const std::vector<std::filesystem::path>& inputs,
                           const std::filesystem::path& output);

// One bilevel page as rows of bytes, 1 = black, MSB first, `stride` bytes per row.
struct Bitmap {
  int width = 0;
  int height = 0;
  int stride = 0;
  double x_dpi = 0;
  double y_dpi = 0;
  std::vector<uint8_t> bits;
  bool operator==(const Bitmap& other) const {
    return width == other.width && height == other.height && bits == other.bits;
  }
};

Result<std::vector<Bitmap>> ReadBitmaps(const std::filesystem::path& path);
// Decodes one page at a time and hands it to `sink`, so a long document is never held whole;
// an error from the sink stops the reading.
Status ForEachBitmap(const std::filesystem::path& path, std::string_view display_name,
                     const std::function<Status(Bitmap&&)>& sink);
// Writes bitmaps as a G4 TIFF-F (used by tests and the sample generator).
Status WriteFaxTiff(const std::filesystem::path& path, const std::vector<Bitmap>& pages);

}  // namespace faxgate
