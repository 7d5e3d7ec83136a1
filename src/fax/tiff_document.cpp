// InspectTiff and CheckSendable: what a TIFF holds and whether a fax line can carry it.
#include "fax/tiff_document.h"

#include <cmath>

#include <fmt/format.h>

#include "fax/tiff_file.h"
#include "fax/tiff_limits.h"

namespace faxgate {
namespace {

std::string CompressionName(TIFF* tiff) {
  uint16_t compression = COMPRESSION_NONE;
  TIFFGetFieldDefaulted(tiff, TIFFTAG_COMPRESSION, &compression);
  switch (compression) {
    case COMPRESSION_NONE:
      return "none";
    case COMPRESSION_CCITTRLE:
      return "CCITT-RLE";
    case COMPRESSION_CCITTFAX3: {
      uint32_t options = 0;
      TIFFGetField(tiff, TIFFTAG_GROUP3OPTIONS, &options);
      return (options & GROUP3OPT_2DENCODING) ? "G3-2D" : "G3-1D";
    }
    case COMPRESSION_CCITTFAX4:
      return "G4";
    case COMPRESSION_LZW:
      return "LZW";
    case COMPRESSION_PACKBITS:
      return "PackBits";
    case COMPRESSION_ADOBE_DEFLATE:
    case COMPRESSION_DEFLATE:
      return "Deflate";
    case COMPRESSION_JPEG:
    case COMPRESSION_OJPEG:
      return "JPEG";
    case COMPRESSION_JBIG:
      return "JBIG";
    default:
      return fmt::format("compression {}", compression);
  }
}

TiffPageInfo ReadPageInfo(TIFF* tiff) {
  TiffPageInfo page;
  uint32_t width = 0;
  uint32_t height = 0;
  uint16_t bits_per_sample = 1;
  uint16_t samples_per_pixel = 1;
  TIFFGetField(tiff, TIFFTAG_IMAGEWIDTH, &width);
  TIFFGetField(tiff, TIFFTAG_IMAGELENGTH, &height);
  TIFFGetFieldDefaulted(tiff, TIFFTAG_BITSPERSAMPLE, &bits_per_sample);
  TIFFGetFieldDefaulted(tiff, TIFFTAG_SAMPLESPERPIXEL, &samples_per_pixel);
  // Dimensions beyond int are hostile; clamp so that the checks below refuse them.
  page.width = static_cast<int>(std::min<uint32_t>(width, kTiffDimensionClamp));
  page.height = static_cast<int>(std::min<uint32_t>(height, kTiffDimensionClamp));
  page.bits_per_sample = bits_per_sample;
  page.samples_per_pixel = samples_per_pixel;
  TiffResolution resolution = ReadResolution(tiff);
  page.x_dpi = resolution.x_dpi;
  page.y_dpi = resolution.y_dpi;
  page.compression = CompressionName(tiff);
  page.tiled = TIFFIsTiled(tiff) != 0;
  return page;
}

// 204 or 203.2, not 204.000000.
std::string Dpi(double dpi) {
  double rounded = std::round(dpi);
  if (std::fabs(dpi - rounded) < 0.05) return fmt::format("{}", static_cast<long>(rounded));
  return fmt::format("{:.1f}", dpi);
}

bool Within(double value, double low, double high) { return value >= low && value <= high; }

// Ranges around the T.4 resolutions (T.30 Table 2) that spandsp maps onto them: 8 pixels per
// mm across (203.2 dpi, usually written 204), and 3.85, 7.7 or 15.4 lines per mm down.
bool IsFaxWidth(int width) { return width == 1728 || width == 2048 || width == 2432; }
bool IsFaxXResolution(double dpi) { return Within(dpi, 200, 206); }
bool IsFaxYResolution(double dpi) {
  return Within(dpi, 96, 100) || Within(dpi, 192, 200) || Within(dpi, 385, 400);
}

// The first problem of one page, or "".
std::string PageProblem(const TiffPageInfo& page) {
  if (page.bits_per_sample != 1 || page.samples_per_pixel != 1) {
    return fmt::format(
        "is not black and white ({} bits per sample, {} samples per pixel); a fax page has 1 bit "
        "per pixel",
        page.bits_per_sample, page.samples_per_pixel);
  }
  if (page.tiled) return "is stored in tiles; a fax page must be stored in strips";
  if (!IsFaxWidth(page.width)) {
    return fmt::format("is {} pixels wide; a fax page is 1728 (A4/Letter), 2048 (B4) or 2432 (A3)",
                       page.width);
  }
  if (page.height <= 0) return "has no rows";
  if (page.height > kMaxPageRows) {
    return fmt::format("is {} rows long; a fax page has at most {}", page.height, kMaxPageRows);
  }
  if (page.x_dpi <= 0 || page.y_dpi <= 0) {
    return "has no resolution; a fax page has 204 dpi across and 98, 196 or 391 lines per inch";
  }
  if (!IsFaxXResolution(page.x_dpi)) {
    return fmt::format("has {} dpi across; a fax page has 204 (8 pixels per mm)", Dpi(page.x_dpi));
  }
  if (!IsFaxYResolution(page.y_dpi)) {
    return fmt::format(
        "has {} lines per inch; a fax page has 98 (standard), 196 (fine) or 391 (superfine)",
        Dpi(page.y_dpi));
  }
  return "";
}

}  // namespace

Result<TiffInfo> InspectTiff(const std::filesystem::path& path, std::string_view display_name) {
  FG_ASSIGN_OR_RETURN(auto file, TiffFile::OpenForReading(path, display_name));
  TIFF* tiff = file->tiff();
  TiffInfo info;
  do {
    if (info.pages.size() >= kMaxPages) {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("{} has more than {} pages", display_name, kMaxPages));
    }
    info.pages.push_back(ReadPageInfo(tiff));
  } while (TIFFReadDirectory(tiff));
  // TIFFReadDirectory also returns 0 for a damaged directory chain; spandsp would stop there
  // in the middle of a call, so the file is refused now.
  if (std::string error = file->TakeError(); !error.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("{} is damaged after page {} (libtiff: {})", display_name,
                                 info.pages.size(), error));
  }
  return info;
}

Status CheckSendable(const TiffInfo& info, std::string_view display_name) {
  if (info.pages.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, fmt::format("{} has no pages", display_name));
  }
  for (size_t i = 0; i < info.pages.size(); ++i) {
    std::string problem = PageProblem(info.pages[i]);
    if (!problem.empty()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("{} page {} {}", display_name, i + 1, problem));
    }
  }
  return Status::Ok();
}

}  // namespace faxgate
