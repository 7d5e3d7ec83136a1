#include "document/fax_page_writer.h"

#include <tiffio.h>

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "base/files.h"
#include "fax/tiff_file.h"

namespace faxgate {
namespace {

// PageNumber is a 16-bit field.
constexpr int kMaxPages = 0xFFFF;
// Over 100 inches of paper at superfine: no real page is longer.
constexpr int kMaxRows = 40000;

Status CheckBitmap(const Bitmap& page) {
  const bool consistent = page.width > 0 && page.height > 0 && page.height <= kMaxRows &&
                          page.stride >= (page.width + 7) / 8 &&
                          page.bits.size() >= static_cast<size_t>(page.stride) * page.height;
  if (!consistent) {
    return MakeError(ErrorCode::kInternal,
                     fmt::format("bitmap of {}x{} pixels, stride {}, {} bytes cannot be encoded",
                                 page.width, page.height, page.stride, page.bits.size()));
  }
  return Status::Ok();
}

// The strip of the only page of an in-memory TIFF, as stored.
Result<std::string> OnlyStrip(TiffFile& file) {
  uint64_t* offsets = nullptr;
  uint64_t* counts = nullptr;
  if (!TIFFGetField(file.tiff(), TIFFTAG_STRIPOFFSETS, &offsets) ||
      !TIFFGetField(file.tiff(), TIFFTAG_STRIPBYTECOUNTS, &counts) || offsets == nullptr ||
      counts == nullptr) {
    return MakeError(ErrorCode::kInternal, "libtiff did not place the encoded strip");
  }
  const uint64_t offset = offsets[0];
  const uint64_t count = counts[0];
  FG_ASSIGN_OR_RETURN(std::string bytes, file.Finish());
  if (offset + count > bytes.size()) {
    return MakeError(ErrorCode::kInternal, "libtiff placed the encoded strip outside the file");
  }
  return bytes.substr(offset, count);
}

void ReverseBits(std::string& bytes) {
  TIFFReverseBits(reinterpret_cast<uint8_t*>(bytes.data()), static_cast<tmsize_t>(bytes.size()));
}

}  // namespace

Result<std::string> EncodeG4(const Bitmap& page) {
  FG_RETURN_IF_ERROR(CheckBitmap(page));
  FG_ASSIGN_OR_RETURN(auto file, TiffFile::CreateInMemory());
  TIFF* tiff = file->tiff();
  TIFFSetField(tiff, TIFFTAG_IMAGEWIDTH, static_cast<uint32_t>(page.width));
  TIFFSetField(tiff, TIFFTAG_IMAGELENGTH, static_cast<uint32_t>(page.height));
  TIFFSetField(tiff, TIFFTAG_BITSPERSAMPLE, 1);
  TIFFSetField(tiff, TIFFTAG_SAMPLESPERPIXEL, 1);
  TIFFSetField(tiff, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX4);
  TIFFSetField(tiff, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);
  TIFFSetField(tiff, TIFFTAG_FILLORDER, FILLORDER_MSB2LSB);
  TIFFSetField(tiff, TIFFTAG_ROWSPERSTRIP, static_cast<uint32_t>(page.height));
  // The encoder wants rows of exactly (width + 7) / 8 bytes, and may write to its input.
  const size_t row_bytes = static_cast<size_t>(page.width + 7) / 8;
  std::vector<uint8_t> rows(row_bytes * page.height);
  for (int y = 0; y < page.height; ++y) {
    std::memcpy(&rows[y * row_bytes], &page.bits[static_cast<size_t>(y) * page.stride], row_bytes);
  }
  if (TIFFWriteEncodedStrip(tiff, 0, rows.data(), static_cast<tmsize_t>(rows.size())) < 0) {
    return MakeError(ErrorCode::kInternal, "G4 encoding failed: " + file->TakeError());
  }
  return OnlyStrip(*file);
}

Status FaxPageWriter::Open(const std::filesystem::path& path, const PageFormat& f) {
  if (open_) return MakeError(ErrorCode::kInternal, "FaxPageWriter opened twice");
  open_ = true;
  path_ = path;
  format_ = f;
  pages_.clear();
  encoded_bytes_ = 0;
  return Status::Ok();
}

Status FaxPageWriter::Append(const Bitmap& page) {
  if (!open_) return MakeError(ErrorCode::kInternal, "FaxPageWriter::Append before Open");
  if (page.width != format_.width_px()) {
    return MakeError(ErrorCode::kInternal,
                     fmt::format("page {} is {} pixels wide; {} paper needs {}", pages() + 1,
                                 page.width, ToString(format_.paper), format_.width_px()));
  }
  if (pages() >= kMaxPages) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("a fax document has at most {} pages", kMaxPages));
  }
  FG_ASSIGN_OR_RETURN(std::string t6, EncodeG4(page));
  encoded_bytes_ += t6.size();
  pages_.push_back(EncodedPage{page.width, page.height, std::move(t6)});
  return Status::Ok();
}

Status FaxPageWriter::Finish() {
  if (!open_) return MakeError(ErrorCode::kInternal, "FaxPageWriter::Finish before Open");
  open_ = false;
  std::vector<EncodedPage> pages = std::move(pages_);
  pages_.clear();
  if (pages.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("no pages to write to {}", path_.filename().string()));
  }
  FG_ASSIGN_OR_RETURN(auto out, TiffFile::CreateInMemory());
  TIFF* tiff = out->tiff();
  const auto total = static_cast<uint16_t>(pages.size());
  for (size_t i = 0; i < pages.size(); ++i) {
    EncodedPage& page = pages[i];
    TIFFSetField(tiff, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
    TIFFSetField(tiff, TIFFTAG_IMAGEWIDTH, static_cast<uint32_t>(page.width));
    TIFFSetField(tiff, TIFFTAG_IMAGELENGTH, static_cast<uint32_t>(page.height));
    TIFFSetField(tiff, TIFFTAG_BITSPERSAMPLE, 1);
    TIFFSetField(tiff, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(tiff, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX4);
    TIFFSetField(tiff, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);
    TIFFSetField(tiff, TIFFTAG_FILLORDER, FILLORDER_LSB2MSB);
    TIFFSetField(tiff, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(tiff, TIFFTAG_ORIENTATION, ORIENTATION_TOPLEFT);
    TIFFSetField(tiff, TIFFTAG_ROWSPERSTRIP, static_cast<uint32_t>(page.height));
    TIFFSetField(tiff, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
    TIFFSetField(tiff, TIFFTAG_XRESOLUTION, static_cast<float>(format_.x_dpi()));
    TIFFSetField(tiff, TIFFTAG_YRESOLUTION, static_cast<float>(format_.y_dpi()));
    TIFFSetField(tiff, TIFFTAG_PAGENUMBER, static_cast<uint16_t>(i), total);
    TIFFSetField(tiff, TIFFTAG_SOFTWARE, "faxgate");
    // Stored LSB first: the bit order of the fax line, and what FillOrder 2 says.
    ReverseBits(page.t6);
    if (TIFFWriteRawStrip(tiff, 0, page.t6.data(), static_cast<tmsize_t>(page.t6.size())) < 0 ||
        !TIFFWriteDirectory(tiff)) {
      return MakeError(ErrorCode::kInternal,
                       fmt::format("cannot write page {} of {}: {}", i + 1,
                                   path_.filename().string(), out->TakeError()));
    }
    std::string().swap(page.t6);  // release as we go
  }
  FG_ASSIGN_OR_RETURN(std::string bytes, out->Finish());
  return WriteFileAtomic(path_, bytes);
}

}  // namespace faxgate
