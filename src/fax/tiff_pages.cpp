// Pixels in and out of fax TIFFs: ReadBitmaps, WriteFaxTiff and ConcatenateFaxTiffs.
#include <algorithm>

#include <fmt/format.h>

#include "base/files.h"
#include "fax/tiff_document.h"
#include "fax/tiff_file.h"
#include "fax/tiff_limits.h"

namespace faxgate {
namespace {

Error PageError(std::string_view name, int page, std::string_view problem) {
  return MakeError(ErrorCode::kInvalidArgument, fmt::format("{} page {} {}", name, page, problem));
}

// Checks the current directory before anything is allocated for it.
Status CheckDecodable(TIFF* tiff, std::string_view name, int page, uint16_t* photometric) {
  uint32_t width = 0;
  uint32_t height = 0;
  uint16_t bits_per_sample = 1;
  uint16_t samples_per_pixel = 1;
  TIFFGetField(tiff, TIFFTAG_IMAGEWIDTH, &width);
  TIFFGetField(tiff, TIFFTAG_IMAGELENGTH, &height);
  TIFFGetFieldDefaulted(tiff, TIFFTAG_BITSPERSAMPLE, &bits_per_sample);
  TIFFGetFieldDefaulted(tiff, TIFFTAG_SAMPLESPERPIXEL, &samples_per_pixel);
  // A fax TIFF without the tag is white-is-zero (TIFF-F).
  *photometric = PHOTOMETRIC_MINISWHITE;
  TIFFGetField(tiff, TIFFTAG_PHOTOMETRIC, photometric);
  if (bits_per_sample != 1 || samples_per_pixel != 1) {
    return PageError(name, page, "is not black and white");
  }
  if (*photometric != PHOTOMETRIC_MINISWHITE && *photometric != PHOTOMETRIC_MINISBLACK) {
    return PageError(name, page, fmt::format("has photometric interpretation {}", *photometric));
  }
  if (width == 0 || height == 0 || width > static_cast<uint32_t>(kMaxBitmapWidth) ||
      height > static_cast<uint32_t>(kMaxBitmapRows)) {
    return PageError(name, page,
                     fmt::format("is {}x{} pixels; at most {}x{} can be decoded", width, height,
                                 kMaxBitmapWidth, kMaxBitmapRows));
  }
  if (TIFFIsTiled(tiff)) return PageError(name, page, "is stored in tiles");
  if (TIFFScanlineSize(tiff) != static_cast<tmsize_t>((width + 7) / 8)) {
    return PageError(name, page, "has an unexpected row layout");
  }
  return Status::Ok();
}

// Makes rows compare equal whatever the file had in the unused bits after the last pixel.
void ClearPadding(Bitmap& page) {
  int spare = page.stride * 8 - page.width;
  if (spare == 0) return;
  auto mask = static_cast<uint8_t>(0xFF << spare);
  for (int row = 0; row < page.height; ++row)
    page.bits[row * page.stride + page.stride - 1] &= mask;
}

// Decodes the current directory. `budget` is what may still be allocated for pixels.
Result<Bitmap> ReadPage(TiffFile& file, std::string_view name, int page, size_t* budget) {
  TIFF* tiff = file.tiff();
  uint16_t photometric = PHOTOMETRIC_MINISWHITE;
  FG_RETURN_IF_ERROR(CheckDecodable(tiff, name, page, &photometric));
  Bitmap bitmap;
  uint32_t width = 0;
  uint32_t height = 0;
  TIFFGetField(tiff, TIFFTAG_IMAGEWIDTH, &width);
  TIFFGetField(tiff, TIFFTAG_IMAGELENGTH, &height);
  bitmap.width = static_cast<int>(width);
  bitmap.height = static_cast<int>(height);
  bitmap.stride = (bitmap.width + 7) / 8;
  size_t bytes = static_cast<size_t>(bitmap.stride) * bitmap.height;
  if (bytes > *budget) return PageError(name, page, "does not fit in the decoding limit");
  *budget -= bytes;
  bitmap.bits.resize(bytes);
  for (int row = 0; row < bitmap.height; ++row) {
    if (TIFFReadScanline(tiff, &bitmap.bits[row * bitmap.stride], row, 0) < 0) {
      return PageError(name, page,
                       fmt::format("is damaged at row {} (libtiff: {})", row, file.TakeError()));
    }
  }
  // Decoded rows are MSB first whatever the FillOrder; only the polarity varies.
  if (photometric == PHOTOMETRIC_MINISBLACK) {
    for (uint8_t& byte : bitmap.bits) byte = static_cast<uint8_t>(~byte);
  }
  ClearPadding(bitmap);
  TiffResolution resolution = ReadResolution(tiff);
  bitmap.x_dpi = resolution.x_dpi;
  bitmap.y_dpi = resolution.y_dpi;
  return bitmap;
}

Status CheckWritable(const Bitmap& page, int number) {
  bool geometry_ok = page.width > 0 && page.height > 0 && page.stride >= (page.width + 7) / 8 &&
                     page.bits.size() >= static_cast<size_t>(page.stride) * page.height;
  if (!geometry_ok) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("bitmap {} has inconsistent size {}x{}, stride {}, {} bytes",
                                 number, page.width, page.height, page.stride, page.bits.size()));
  }
  if (page.x_dpi <= 0 || page.y_dpi <= 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("bitmap {} has no resolution", number));
  }
  return Status::Ok();
}

void SetG4PageTags(TIFF* tiff, const Bitmap& page, int index, int total) {
  TIFFSetField(tiff, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
  TIFFSetField(tiff, TIFFTAG_IMAGEWIDTH, static_cast<uint32_t>(page.width));
  TIFFSetField(tiff, TIFFTAG_IMAGELENGTH, static_cast<uint32_t>(page.height));
  TIFFSetField(tiff, TIFFTAG_BITSPERSAMPLE, 1);
  TIFFSetField(tiff, TIFFTAG_SAMPLESPERPIXEL, 1);
  TIFFSetField(tiff, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX4);
  TIFFSetField(tiff, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);
  TIFFSetField(tiff, TIFFTAG_FILLORDER, FILLORDER_LSB2MSB);  // TIFF-F, as fax machines store it
  TIFFSetField(tiff, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField(tiff, TIFFTAG_ORIENTATION, ORIENTATION_TOPLEFT);
  TIFFSetField(tiff, TIFFTAG_ROWSPERSTRIP, static_cast<uint32_t>(page.height));
  TIFFSetField(tiff, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
  TIFFSetField(tiff, TIFFTAG_XRESOLUTION, static_cast<float>(page.x_dpi));
  TIFFSetField(tiff, TIFFTAG_YRESOLUTION, static_cast<float>(page.y_dpi));
  TIFFSetField(tiff, TIFFTAG_PAGENUMBER, static_cast<uint16_t>(index),
               static_cast<uint16_t>(total));
  TIFFSetField(tiff, TIFFTAG_SOFTWARE, "faxgate");
}

// Appends `page` as directory `index` of `total` in G4.
Status AppendG4Page(TiffFile& out, const Bitmap& page, int index, int total) {
  FG_RETURN_IF_ERROR(CheckWritable(page, index + 1));
  TIFF* tiff = out.tiff();
  SetG4PageTags(tiff, page, index, total);
  std::vector<uint8_t> row(static_cast<size_t>(page.stride));
  for (int y = 0; y < page.height; ++y) {
    // libtiff's encoder may scribble on the buffer it is given; hand it a copy.
    std::copy_n(&page.bits[static_cast<size_t>(y) * page.stride], page.stride, row.begin());
    if (TIFFWriteScanline(tiff, row.data(), static_cast<uint32_t>(y), 0) < 0) break;
  }
  TIFFWriteDirectory(tiff);
  if (std::string error = out.TakeError(); !error.empty()) {
    return MakeError(ErrorCode::kInternal,
                     fmt::format("cannot encode page {} as G4: {}", index + 1, error));
  }
  return Status::Ok();
}

Result<int> CountPages(const std::vector<std::filesystem::path>& inputs) {
  int total = 0;
  for (const auto& input : inputs) {
    FG_ASSIGN_OR_RETURN(TiffInfo info, InspectTiff(input, input.string()));
    total += static_cast<int>(info.pages.size());
  }
  if (total > 0xFFFF) {
    return MakeError(ErrorCode::kInvalidArgument, fmt::format("{} pages are too many", total));
  }
  return total;
}

// Copies every page of `input` into `out`, re-encoded as G4.
Status AppendFile(TiffFile& out, const std::filesystem::path& input, int* index, int total) {
  std::string name = input.string();
  FG_ASSIGN_OR_RETURN(auto in, TiffFile::OpenForReading(input, name));
  int page = 1;
  do {
    size_t budget = kMaxDecodedBytes;  // one page at a time: nothing is kept
    FG_ASSIGN_OR_RETURN(Bitmap bitmap, ReadPage(*in, name, page, &budget));
    FG_RETURN_IF_ERROR(AppendG4Page(out, bitmap, *index, total));
    ++*index;
    ++page;
  } while (TIFFReadDirectory(in->tiff()));
  return Status::Ok();
}

}  // namespace

Result<std::vector<Bitmap>> ReadBitmaps(const std::filesystem::path& path) {
  std::string name = path.string();
  FG_ASSIGN_OR_RETURN(auto file, TiffFile::OpenForReading(path, name));
  std::vector<Bitmap> pages;
  size_t budget = kMaxDecodedBytes;
  do {
    if (pages.size() >= kMaxPages) {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("{} has more than {} pages", name, kMaxPages));
    }
    FG_ASSIGN_OR_RETURN(Bitmap page,
                        ReadPage(*file, name, static_cast<int>(pages.size()) + 1, &budget));
    pages.push_back(std::move(page));
  } while (TIFFReadDirectory(file->tiff()));
  return pages;
}

Status ForEachBitmap(const std::filesystem::path& path, std::string_view display_name,
                     const std::function<Status(Bitmap&&)>& sink) {
  FG_ASSIGN_OR_RETURN(auto file, TiffFile::OpenForReading(path, display_name));
  size_t page = 0;
  do {
    if (page >= kMaxPages) {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("{} has more than {} pages", display_name, kMaxPages));
    }
    // Each page gets the whole budget: only one is held at a time.
    size_t budget = kMaxDecodedBytes;
    FG_ASSIGN_OR_RETURN(Bitmap bitmap,
                        ReadPage(*file, display_name, static_cast<int>(++page), &budget));
    FG_RETURN_IF_ERROR(sink(std::move(bitmap)));
  } while (TIFFReadDirectory(file->tiff()));
  return Status::Ok();
}

Status WriteFaxTiff(const std::filesystem::path& path, const std::vector<Bitmap>& pages) {
  if (pages.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "no pages to write to " + path.string());
  }
  FG_ASSIGN_OR_RETURN(auto out, TiffFile::CreateInMemory());
  int total = static_cast<int>(pages.size());
  for (int i = 0; i < total; ++i) FG_RETURN_IF_ERROR(AppendG4Page(*out, pages[i], i, total));
  FG_ASSIGN_OR_RETURN(std::string bytes, out->Finish());
  return WriteFileAtomic(path, bytes);
}

Status ConcatenateFaxTiffs(const std::vector<std::filesystem::path>& inputs,
                           const std::filesystem::path& output) {
  if (inputs.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "no documents to join into " + output.string());
  }
  // PageNumber holds the total, so count first; this also refuses a bad input before any
  // decoding is spent on the good ones.
  FG_ASSIGN_OR_RETURN(int total, CountPages(inputs));
  FG_ASSIGN_OR_RETURN(auto out, TiffFile::CreateInMemory());
  int index = 0;
  for (const auto& input : inputs) FG_RETURN_IF_ERROR(AppendFile(*out, input, &index, total));
  FG_ASSIGN_OR_RETURN(std::string bytes, out->Finish());
  return WriteFileAtomic(output, bytes);
}

}  // namespace faxgate
