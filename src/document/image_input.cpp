#include "document/image_input.h"

#include <leptonica/allheaders.h>
#include <tiffio.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>

#include <fmt/format.h>

#include "base/files.h"
#include "fax/tiff_file.h"

namespace faxgate {
namespace {

// ---- leptonica plumbing ----------------------------------------------------------------

// Leptonica reports problems by printing them. Its handler is process-wide; ours keeps the
// last message of the calling thread, so an error can say what the decoder found.
thread_local std::string lept_last_message;

void KeepLeptonicaMessage(const char* text) {
  lept_last_message = text == nullptr ? "" : text;
  while (!lept_last_message.empty() &&
         (lept_last_message.back() == '\n' || lept_last_message.back() == ' ')) {
    lept_last_message.pop_back();
  }
}

void QuietLeptonica() {
  static std::once_flag once;
  std::call_once(once, [] {
    leptSetStderrHandler(&KeepLeptonicaMessage);
    setMsgSeverity(L_SEVERITY_ERROR);
  });
  lept_last_message.clear();
}

std::string LeptonicaReason() {
  return lept_last_message.empty() ? "the decoder gave no reason" : lept_last_message;
}

struct PixDeleter {
  void operator()(PIX* pix) const { pixDestroy(&pix); }
};
using PixPtr = std::unique_ptr<PIX, PixDeleter>;

// ---- size checks ---------------------------------------------------------------------

Status CheckPixels(std::string_view name, int64_t width, int64_t height,
                   const ConversionLimits& limits) {
  if (width <= 0 || height <= 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("{} claims an image of {}x{} pixels", name, width, height));
  }
  if (width * height > limits.max_image_pixels) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("{} is {}x{} pixels; the largest image faxgate converts is {:g} "
                                 "megapixels",
                                 name, width, height, limits.max_image_pixels / 1e6));
  }
  return Status::Ok();
}

// Resolutions outside this range are placeholders (JPEG's "aspect ratio only" 1x1) or
// nonsense; the image is then treated as having none.
double UsableDpi(double dpi) { return dpi >= 20 && dpi <= 20000 ? dpi : 0; }

// GIF: leptonica decodes every frame of an animation, so all frames count. Walks the blocks
// without decoding anything. Returns the screen size and the pixels of all frames together.
struct GifSize {
  int64_t width = 0;
  int64_t height = 0;
  int64_t all_frames = 0;
};

GifSize ScanGif(std::string_view b) {
  auto u8 = [&b](size_t at) -> int64_t {
    return at < b.size() ? static_cast<unsigned char>(b[at]) : 0;
  };
  auto u16 = [&u8](size_t at) { return u8(at) | (u8(at + 1) << 8); };
  GifSize size{u16(6), u16(8), 0};
  auto colour_table = [](int64_t packed) -> size_t {
    return (packed & 0x80) ? 3u << ((packed & 7) + 1) : 0;
  };
  size_t pos = 13 + colour_table(u8(10));
  auto skip_sub_blocks = [&] {
    while (pos < b.size()) {
      const size_t length = static_cast<size_t>(u8(pos));
      pos += length + 1;
      if (length == 0) break;
    }
  };
  while (pos < b.size()) {
    const int64_t kind = u8(pos);
    if (kind == 0x21) {  // extension: label, then sub-blocks
      pos += 2;
      skip_sub_blocks();
    } else if (kind == 0x2C) {  // image descriptor, colour table, LZW code size, data
      size.all_frames += u16(pos + 5) * u16(pos + 7);
      const int64_t packed = u8(pos + 9);
      pos += 10 + colour_table(packed) + 1;
      skip_sub_blocks();
    } else {
      break;  // trailer or junk
    }
  }
  size.all_frames = std::max(size.all_frames, size.width * size.height);
  return size;
}

// ---- formats leptonica decodes ------------------------------------------------------------

bool LeptonicaReads(int format) {
  switch (format) {
    case IFF_BMP:
    case IFF_JFIF_JPEG:
    case IFF_PNG:
    case IFF_PNM:
    case IFF_GIF:
    case IFF_JP2:
    case IFF_WEBP:
      return true;
    default:
      return false;
  }
}

// Any depth, colormap and alpha -> 8-bit grey on white.
Result<PixPtr> ToGrey8(PixPtr pix, std::string_view name) {
  if (PIXCMAP* cmap = pixGetColormap(pix.get()); cmap != nullptr) {
    l_int32 opaque = 1;
    pixcmapIsOpaque(cmap, &opaque);
    if (!opaque) pix.reset(pixRemoveColormap(pix.get(), REMOVE_CMAP_WITH_ALPHA));
  }
  if (pix && pixGetDepth(pix.get()) == 32 && pixGetSpp(pix.get()) == 4) {
    pix.reset(pixAlphaBlendUniform(pix.get(), 0xffffff00));
  }
  if (pix) pix.reset(pixConvertTo8(pix.get(), 0));
  if (!pix) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        fmt::format("{} could not be converted to grey ({})", name, LeptonicaReason()));
  }
  return pix;
}

GreyImage CopyGrey8(PIX* pix) {
  GreyImage image;
  image.width = pixGetWidth(pix);
  image.height = pixGetHeight(pix);
  image.pixels.resize(static_cast<size_t>(image.width) * image.height);
  const l_uint32* data = pixGetData(pix);
  const int wpl = pixGetWpl(pix);
  for (int y = 0; y < image.height; ++y) {
    const l_uint32* line = data + static_cast<size_t>(y) * wpl;
    uint8_t* row = &image.pixels[static_cast<size_t>(y) * image.width];
    for (int x = 0; x < image.width; ++x) row[x] = static_cast<uint8_t>(GET_DATA_BYTE(line, x));
  }
  return image;
}

Status ReadWithLeptonica(const std::string& bytes, std::string_view name,
                         const ConversionLimits& limits, const GreySink& sink) {
  const auto* data = reinterpret_cast<const l_uint8*>(bytes.data());
  l_int32 format = IFF_UNKNOWN, width = 0, height = 0, bps = 0, spp = 0, cmap = 0;
  if (pixReadHeaderMem(data, bytes.size(), &format, &width, &height, &bps, &spp, &cmap) != 0) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        fmt::format("{} is damaged: its header cannot be read ({})", name, LeptonicaReason()));
  }
  if (format == IFF_GIF) {
    GifSize gif = ScanGif(bytes);
    FG_RETURN_IF_ERROR(CheckPixels(name, gif.width, gif.height, limits));
    if (gif.all_frames > limits.max_image_pixels) {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("{} holds frames of {} pixels in all; the largest image "
                                   "faxgate converts is {:g} megapixels",
                                   name, gif.all_frames, limits.max_image_pixels / 1e6));
    }
  }
  FG_RETURN_IF_ERROR(CheckPixels(name, width, height, limits));
  PixPtr pix(pixReadMem(data, bytes.size()));
  if (!pix) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("{} is damaged or truncated ({})", name, LeptonicaReason()));
  }
  const bool bilevel = pixGetDepth(pix.get()) == 1;
  const double x_dpi = UsableDpi(pixGetXRes(pix.get()));
  const double y_dpi = UsableDpi(pixGetYRes(pix.get()));
  FG_ASSIGN_OR_RETURN(pix, ToGrey8(std::move(pix), name));
  GreyImage image = CopyGrey8(pix.get());
  pix.reset();
  image.x_dpi = x_dpi;
  image.y_dpi = y_dpi;
  image.bilevel = bilevel;
  return sink(std::move(image));
}

// ---- TIFF, with libtiff: every page, any layout ----------------------------------------

// Rows decoded at once on the general path; keeps the RGBA buffer under 64 MB.
constexpr int64_t kMaxChunkBytes = int64_t{64} << 20;

Status ReadBilevelTiff(TiffFile& file, std::string_view what, uint16_t photometric,
                       GreyImage& image) {
  const int row_bytes = (image.width + 7) / 8;
  if (TIFFScanlineSize(file.tiff()) != row_bytes) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("{} has an unexpected row layout", what));
  }
  std::vector<uint8_t> row(static_cast<size_t>(row_bytes));
  const uint8_t black_bit = photometric == PHOTOMETRIC_MINISBLACK ? 0 : 1;
  for (int y = 0; y < image.height; ++y) {
    if (TIFFReadScanline(file.tiff(), row.data(), static_cast<uint32_t>(y), 0) < 0) {
      return MakeError(
          ErrorCode::kInvalidArgument,
          fmt::format("{} is damaged at row {} (libtiff: {})", what, y, file.TakeError()));
    }
    uint8_t* out = &image.pixels[static_cast<size_t>(y) * image.width];
    for (int x = 0; x < image.width; ++x) {
      const int bit = (row[x >> 3] >> (7 - (x & 7))) & 1;
      out[x] = bit == black_bit ? 0 : 255;
    }
  }
  return Status::Ok();
}

uint8_t GreyOnWhite(uint32_t abgr) {
  const int grey = (77 * TIFFGetR(abgr) + 150 * TIFFGetG(abgr) + 29 * TIFFGetB(abgr) + 128) >> 8;
  const int alpha = TIFFGetA(abgr);
  return static_cast<uint8_t>((grey * alpha + 255 * (255 - alpha) + 127) / 255);
}

// Everything else libtiff knows (palette, RGB, CMYK, YCbCr, 2-16 bits, strips or tiles)
// through its RGBA interface, a band of rows at a time.
Status ReadTiffAsRgba(TiffFile& file, std::string_view what, GreyImage& image) {
  TIFF* tiff = file.tiff();
  char reason[1024] = "";
  if (!TIFFRGBAImageOK(tiff, reason)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("{} is a kind of TIFF faxgate cannot read ({})", what, reason));
  }
  TIFFRGBAImage rgba;
  if (!TIFFRGBAImageBegin(&rgba, tiff, 0, reason)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("{} cannot be decoded ({})", what, reason));
  }
  rgba.req_orientation = ORIENTATION_TOPLEFT;
  uint32_t band = 0;
  if (TIFFIsTiled(tiff)) {
    TIFFGetField(tiff, TIFFTAG_TILELENGTH, &band);
  } else {
    TIFFGetFieldDefaulted(tiff, TIFFTAG_ROWSPERSTRIP, &band);
  }
  const int64_t most_rows = std::max<int64_t>(1, kMaxChunkBytes / (4 * int64_t{image.width}));
  const int rows_per_band =
      static_cast<int>(std::clamp<int64_t>(band, 1, std::min<int64_t>(most_rows, image.height)));
  std::vector<uint32_t> buffer(static_cast<size_t>(rows_per_band) * image.width);
  Status status;
  for (int y = 0; y < image.height && status.ok(); y += rows_per_band) {
    const int rows = std::min(rows_per_band, image.height - y);
    rgba.row_offset = y;
    rgba.col_offset = 0;
    if (!TIFFRGBAImageGet(&rgba, buffer.data(), static_cast<uint32_t>(image.width),
                          static_cast<uint32_t>(rows))) {
      status = MakeError(
          ErrorCode::kInvalidArgument,
          fmt::format("{} is damaged at row {} (libtiff: {})", what, y, file.TakeError()));
      break;
    }
    uint8_t* out = &image.pixels[static_cast<size_t>(y) * image.width];
    const size_t count = static_cast<size_t>(rows) * image.width;
    for (size_t i = 0; i < count; ++i) out[i] = GreyOnWhite(buffer[i]);
  }
  TIFFRGBAImageEnd(&rgba);
  return status;
}

Status ReadTiffPage(TiffFile& file, std::string_view what, const ConversionLimits& limits,
                    const GreySink& sink) {
  TIFF* tiff = file.tiff();
  uint32_t width = 0, height = 0;
  uint16_t bits = 1, samples = 1, photometric = PHOTOMETRIC_MINISWHITE;
  TIFFGetField(tiff, TIFFTAG_IMAGEWIDTH, &width);
  TIFFGetField(tiff, TIFFTAG_IMAGELENGTH, &height);
  TIFFGetFieldDefaulted(tiff, TIFFTAG_BITSPERSAMPLE, &bits);
  TIFFGetFieldDefaulted(tiff, TIFFTAG_SAMPLESPERPIXEL, &samples);
  const bool has_photometric = TIFFGetField(tiff, TIFFTAG_PHOTOMETRIC, &photometric) != 0;
  FG_RETURN_IF_ERROR(CheckPixels(what, width, height, limits));

  GreyImage image;
  image.width = static_cast<int>(width);
  image.height = static_cast<int>(height);
  const TiffResolution resolution = ReadResolution(tiff);
  image.x_dpi = UsableDpi(resolution.x_dpi);
  image.y_dpi = UsableDpi(resolution.y_dpi);
  image.bilevel = bits == 1 && samples == 1;
  image.pixels.assign(static_cast<size_t>(width) * height, 255);
  const bool plain_bilevel = image.bilevel && !TIFFIsTiled(tiff) &&
                             (!has_photometric || photometric == PHOTOMETRIC_MINISWHITE ||
                              photometric == PHOTOMETRIC_MINISBLACK);
  if (plain_bilevel) {
    FG_RETURN_IF_ERROR(ReadBilevelTiff(file, what, photometric, image));
  } else {
    FG_RETURN_IF_ERROR(ReadTiffAsRgba(file, what, image));
  }
  return sink(std::move(image));
}

Status ReadTiffPages(const std::filesystem::path& path, std::string_view name,
                     const ConversionLimits& limits, const GreySink& sink) {
  FG_ASSIGN_OR_RETURN(auto file, TiffFile::OpenForReading(path, name));
  int page = 0;
  do {
    if (page >= limits.max_pages) {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("{} has more than {} pages", name, limits.max_pages));
    }
    ++page;
    const std::string what = TIFFLastDirectory(file->tiff()) && page == 1
                                 ? std::string(name)
                                 : fmt::format("{} page {}", name, page);
    FG_RETURN_IF_ERROR(ReadTiffPage(*file, what, limits, sink));
  } while (TIFFReadDirectory(file->tiff()));
  return Status::Ok();
}

}  // namespace

Status ReadImagePages(const std::filesystem::path& file, std::string_view display_name,
                      const ConversionLimits& limits, const GreySink& sink) {
  QuietLeptonica();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    return MakeError(ErrorCode::kNotFound, fmt::format("{} does not exist", display_name));
  }
  FG_ASSIGN_OR_RETURN(std::string bytes, ReadFile(file));
  l_int32 format = IFF_UNKNOWN;
  if (bytes.size() < 12 ||
      findFileFormatBuffer(reinterpret_cast<const l_uint8*>(bytes.data()), &format) != 0) {
    format = IFF_UNKNOWN;
  }
  if (L_FORMAT_IS_TIFF(format)) {
    bytes.clear();
    return ReadTiffPages(file, display_name, limits, sink);
  }
  if (!LeptonicaReads(format)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("{} is not an image faxgate can read (PNG, JPEG, GIF, BMP, "
                                 "TIFF, PNM, WebP or JPEG 2000)",
                                 display_name));
  }
  if (limits.max_pages < 1) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("{} has more than {} pages", display_name, limits.max_pages));
  }
  return ReadWithLeptonica(bytes, display_name, limits, sink);
}

}  // namespace faxgate
