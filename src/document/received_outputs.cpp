#include "document/received_outputs.h"

#include <leptonica/allheaders.h>
#include <tiffio.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/files.h"
#include "document/fax_page_writer.h"
#include "document/grey_image.h"
#include "document/page_layout.h"
#include "fax/tiff_document.h"
#include "fax/tiff_file.h"

namespace faxgate {
namespace {

// Received pages are at most A3 at superfine; anything larger is not a fax.
constexpr uint32_t kMaxWidth = 10000;
constexpr uint32_t kMaxRows = 40000;
constexpr uint64_t kMaxStripBytes = uint64_t{32} << 20;
constexpr int kMaxPages = 0xFFFF;
// Used when a page does not say (TIFF-F requires the tags, but not every writer obeys).
constexpr double kDefaultXDpi = 204;
constexpr double kDefaultYDpi = 196;
// Profile S pages are this wide.
constexpr int kProfileSWidth = 1728;

Error PageError(const std::filesystem::path& file, int page, std::string_view problem) {
  return MakeError(ErrorCode::kInvalidArgument,
                   fmt::format("{} page {} {}", file.filename().string(), page, problem));
}

void ReverseBits(std::string& bytes) {
  TIFFReverseBits(reinterpret_cast<uint8_t*>(bytes.data()), static_cast<tmsize_t>(bytes.size()));
}

// ---- reading pages ----------------------------------------------------------------------

enum class Coding { kG4, kMH, kMR };

// One page's CCITT data, MSB first, and what is needed to describe it.
struct CodedPage {
  int width = 0;
  int height = 0;
  double x_dpi = kDefaultXDpi;
  double y_dpi = kDefaultYDpi;
  Coding coding = Coding::kG4;
  bool byte_aligned_eols = false;  // G3 only: each EOL ends a byte (T4Options fill bits)
  std::string data;
};

struct PageTags {
  uint32_t width = 0;
  uint32_t height = 0;
  uint16_t compression = COMPRESSION_NONE;
  uint16_t fill_order = FILLORDER_MSB2LSB;
  uint16_t photometric = PHOTOMETRIC_MINISWHITE;
  uint32_t t4_options = 0;
  double x_dpi = kDefaultXDpi;
  double y_dpi = kDefaultYDpi;
};

Result<PageTags> ReadPageTags(TIFF* tiff, const std::filesystem::path& file, int page) {
  PageTags tags;
  uint16_t bits = 1;
  uint16_t samples = 1;
  TIFFGetField(tiff, TIFFTAG_IMAGEWIDTH, &tags.width);
  TIFFGetField(tiff, TIFFTAG_IMAGELENGTH, &tags.height);
  TIFFGetFieldDefaulted(tiff, TIFFTAG_BITSPERSAMPLE, &bits);
  TIFFGetFieldDefaulted(tiff, TIFFTAG_SAMPLESPERPIXEL, &samples);
  TIFFGetFieldDefaulted(tiff, TIFFTAG_COMPRESSION, &tags.compression);
  TIFFGetFieldDefaulted(tiff, TIFFTAG_FILLORDER, &tags.fill_order);
  TIFFGetField(tiff, TIFFTAG_PHOTOMETRIC, &tags.photometric);
  if (tags.compression == COMPRESSION_CCITTFAX3) {
    TIFFGetField(tiff, TIFFTAG_GROUP3OPTIONS, &tags.t4_options);
  }
  const TiffResolution resolution = ReadResolution(tiff);
  if (resolution.x_dpi > 0) tags.x_dpi = resolution.x_dpi;
  if (resolution.y_dpi > 0) tags.y_dpi = resolution.y_dpi;
  if (bits != 1 || samples != 1) return PageError(file, page, "is not black and white");
  if (tags.photometric != PHOTOMETRIC_MINISWHITE && tags.photometric != PHOTOMETRIC_MINISBLACK) {
    return PageError(file, page,
                     fmt::format("has photometric interpretation {}", tags.photometric));
  }
  if (tags.width == 0 || tags.height == 0 || tags.width > kMaxWidth || tags.height > kMaxRows) {
    return PageError(file, page,
                     fmt::format("is {}x{} pixels, not a fax page", tags.width, tags.height));
  }
  return tags;
}

// Decodes the current directory: 1 = black, MSB first.
Result<Bitmap> DecodePage(TiffFile& file, const std::filesystem::path& path, int page) {
  TIFF* tiff = file.tiff();
  FG_ASSIGN_OR_RETURN(PageTags tags, ReadPageTags(tiff, path, page));
  if (TIFFIsTiled(tiff)) return PageError(path, page, "is stored in tiles");
  Bitmap bitmap;
  bitmap.width = static_cast<int>(tags.width);
  bitmap.height = static_cast<int>(tags.height);
  bitmap.stride = (bitmap.width + 7) / 8;
  bitmap.x_dpi = tags.x_dpi;
  bitmap.y_dpi = tags.y_dpi;
  if (TIFFScanlineSize(tiff) != bitmap.stride) {
    return PageError(path, page, "has an unexpected row layout");
  }
  bitmap.bits.resize(static_cast<size_t>(bitmap.stride) * bitmap.height);
  for (int y = 0; y < bitmap.height; ++y) {
    if (TIFFReadScanline(tiff, &bitmap.bits[static_cast<size_t>(y) * bitmap.stride],
                         static_cast<uint32_t>(y), 0) < 0) {
      return PageError(path, page,
                       fmt::format("is damaged at row {} (libtiff: {})", y, file.TakeError()));
    }
  }
  if (tags.photometric == PHOTOMETRIC_MINISBLACK) {
    for (uint8_t& byte : bitmap.bits) byte = static_cast<uint8_t>(~byte);
  }
  if (int spare = bitmap.stride * 8 - bitmap.width; spare > 0) {
    const auto mask = static_cast<uint8_t>(0xFF << spare);
    for (int y = 0; y < bitmap.height; ++y) bitmap.bits[(y + 1) * bitmap.stride - 1] &= mask;
  }
  return bitmap;
}

// The current directory's CCITT data as stored, when it can be taken over whole: one strip,
// G3 (without uncompressed mode) or G4, min-is-white unless `any_polarity`.
bool CanCopyCoded(TIFF* tiff, const PageTags& tags, bool any_polarity) {
  const bool ccitt = tags.compression == COMPRESSION_CCITTFAX4 ||
                     (tags.compression == COMPRESSION_CCITTFAX3 &&
                      (tags.t4_options & GROUP3OPT_UNCOMPRESSED) == 0);
  return ccitt && !TIFFIsTiled(tiff) && TIFFNumberOfStrips(tiff) == 1 &&
         (any_polarity || tags.photometric == PHOTOMETRIC_MINISWHITE);
}

// Reads the current page as CCITT data: copied when possible, else decoded and re-encoded as
// G4. `black_is_1` reports the polarity of copied data (PDF's BlackIs1).
Result<CodedPage> ReadCodedPage(TiffFile& file, const std::filesystem::path& path, int page,
                                bool any_polarity, bool* black_is_1) {
  TIFF* tiff = file.tiff();
  FG_ASSIGN_OR_RETURN(PageTags tags, ReadPageTags(tiff, path, page));
  CodedPage coded;
  coded.width = static_cast<int>(tags.width);
  coded.height = static_cast<int>(tags.height);
  coded.x_dpi = tags.x_dpi;
  coded.y_dpi = tags.y_dpi;
  *black_is_1 = false;
  if (!CanCopyCoded(tiff, tags, any_polarity)) {
    FG_ASSIGN_OR_RETURN(Bitmap bitmap, DecodePage(file, path, page));
    FG_ASSIGN_OR_RETURN(coded.data, EncodeG4(bitmap));
    return coded;
  }
  const tmsize_t size = TIFFRawStripSize(tiff, 0);
  if (size <= 0 || static_cast<uint64_t>(size) > kMaxStripBytes) {
    return PageError(path, page, fmt::format("has a strip of {} bytes", size));
  }
  coded.data.resize(static_cast<size_t>(size));
  if (TIFFReadRawStrip(tiff, 0, coded.data.data(), size) != size) {
    return PageError(path, page, fmt::format("is truncated (libtiff: {})", file.TakeError()));
  }
  if (tags.fill_order == FILLORDER_LSB2MSB) ReverseBits(coded.data);
  if (tags.compression == COMPRESSION_CCITTFAX3) {
    coded.coding = (tags.t4_options & GROUP3OPT_2DENCODING) ? Coding::kMR : Coding::kMH;
    coded.byte_aligned_eols = (tags.t4_options & GROUP3OPT_FILLBITS) != 0;
  }
  *black_is_1 = tags.photometric == PHOTOMETRIC_MINISBLACK;
  return coded;
}

// Pages in the file, refusing absurd counts before any work.
Result<int> CountPages(TiffFile& file, const std::filesystem::path& path) {
  const tdir_t count = TIFFNumberOfDirectories(file.tiff());
  if (count < 1 || count > kMaxPages) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("{} has {} pages", path.filename().string(), count));
  }
  return static_cast<int>(count);
}

// Calls `each(page)` for every directory, 1-based, after checking the page count.
template <typename Each>
Status ForEachPage(TiffFile& file, const std::filesystem::path& path, Each each) {
  FG_ASSIGN_OR_RETURN(int pages, CountPages(file, path));
  for (int page = 1; page <= pages; ++page) {
    if (page > 1 && !TIFFReadDirectory(file.tiff())) {
      return PageError(path, page, fmt::format("cannot be read (libtiff: {})", file.TakeError()));
    }
    FG_RETURN_IF_ERROR(each(page, pages));
  }
  return Status::Ok();
}

// ---- PDF ---------------------------------------------------------------------------------

// The few PDF objects a fax needs, numbered in the order they are added; 1 and 2 are the
// catalog and page tree, written last.
class PdfBuilder {
 public:
  PdfBuilder() : offsets_(2, 0) { out_ = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n"; }

  int AddStream(const std::string& dictionary, const std::string& data) {
    return Add(fmt::format("<< {} /Length {} >>\nstream\n", dictionary, data.size()) + data +
               "\nendstream");
  }
  void AddPage(const CodedPage& page, bool black_is_1) {
    const int image = AddStream(ImageDictionary(page, black_is_1), page.data);
    const double width_pt = page.width * 72.0 / page.x_dpi;
    const double height_pt = page.height * 72.0 / page.y_dpi;
    const int content =
        AddStream("", fmt::format("q {:.4f} 0 0 {:.4f} 0 0 cm /Im0 Do Q", width_pt, height_pt));
    pages_.push_back(Add(fmt::format(
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {:.4f} {:.4f}] /Resources << /XObject << "
        "/Im0 {} 0 R >> >> /Contents {} 0 R >>",
        width_pt, height_pt, image, content)));
  }
  std::string Finish() {
    const int info = Add("<< /Producer (faxgate) >>");
    offsets_[0] = out_.size();
    out_ += "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n";
    std::string kids;
    for (int id : pages_) kids += fmt::format("{} 0 R ", id);
    offsets_[1] = out_.size();
    out_ += fmt::format("2 0 obj\n<< /Type /Pages /Kids [{}] /Count {} >>\nendobj\n", kids,
                        pages_.size());
    const size_t xref = out_.size();
    out_ += fmt::format("xref\n0 {}\n0000000000 65535 f \n", offsets_.size() + 1);
    for (size_t offset : offsets_) out_ += fmt::format("{:010} 00000 n \n", offset);
    out_ += fmt::format("trailer\n<< /Size {} /Root 1 0 R /Info {} 0 R >>\nstartxref\n{}\n%%EOF\n",
                        offsets_.size() + 1, info, xref);
    return std::move(out_);
  }

 private:
  static std::string ImageDictionary(const CodedPage& page, bool black_is_1) {
    const int k = page.coding == Coding::kG4 ? -1 : page.coding == Coding::kMR ? 1 : 0;
    std::string parms = fmt::format("/K {} /Columns {} /Rows {}", k, page.width, page.height);
    if (page.coding != Coding::kG4) parms += " /EndOfLine true";
    if (page.byte_aligned_eols) parms += " /EncodedByteAlign true";
    if (black_is_1) parms += " /BlackIs1 true";
    return fmt::format(
        "/Type /XObject /Subtype /Image /Width {} /Height {} /ColorSpace /DeviceGray "
        "/BitsPerComponent 1 /Filter /CCITTFaxDecode /DecodeParms << {} >>",
        page.width, page.height, parms);
  }
  int Add(const std::string& body) {
    offsets_.push_back(out_.size());
    const int id = static_cast<int>(offsets_.size());
    out_ += fmt::format("{} 0 obj\n", id) + body + "\nendobj\n";
    return id;
  }

  std::string out_;
  std::vector<size_t> offsets_;
  std::vector<int> pages_;
};

// ---- TIFF output -------------------------------------------------------------------------

void SetFaxPageTags(TIFF* tiff, int width, int height, double x_dpi, double y_dpi, int index,
                    int total) {
  TIFFSetField(tiff, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
  TIFFSetField(tiff, TIFFTAG_IMAGEWIDTH, static_cast<uint32_t>(width));
  TIFFSetField(tiff, TIFFTAG_IMAGELENGTH, static_cast<uint32_t>(height));
  TIFFSetField(tiff, TIFFTAG_BITSPERSAMPLE, 1);
  TIFFSetField(tiff, TIFFTAG_SAMPLESPERPIXEL, 1);
  TIFFSetField(tiff, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);
  TIFFSetField(tiff, TIFFTAG_FILLORDER, FILLORDER_LSB2MSB);
  TIFFSetField(tiff, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField(tiff, TIFFTAG_ORIENTATION, ORIENTATION_TOPLEFT);
  TIFFSetField(tiff, TIFFTAG_ROWSPERSTRIP, static_cast<uint32_t>(height));
  TIFFSetField(tiff, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
  TIFFSetField(tiff, TIFFTAG_XRESOLUTION, static_cast<float>(x_dpi));
  TIFFSetField(tiff, TIFFTAG_YRESOLUTION, static_cast<float>(y_dpi));
  TIFFSetField(tiff, TIFFTAG_PAGENUMBER, static_cast<uint16_t>(index),
               static_cast<uint16_t>(total));
  TIFFSetField(tiff, TIFFTAG_SOFTWARE, "faxgate");
}

Status DirectoryWritten(TiffFile& out, bool ok, const std::filesystem::path& path, int page) {
  if (ok) return Status::Ok();
  return MakeError(ErrorCode::kInternal, fmt::format("cannot write page {} of {}: {}", page,
                                                     path.filename().string(), out.TakeError()));
}

GreyImage ToGrey(const Bitmap& bitmap) {
  GreyImage grey;
  grey.width = bitmap.width;
  grey.height = bitmap.height;
  grey.x_dpi = bitmap.x_dpi;
  grey.y_dpi = bitmap.y_dpi;
  grey.bilevel = true;
  grey.pixels.resize(static_cast<size_t>(grey.width) * grey.height);
  for (int y = 0; y < grey.height; ++y) {
    const uint8_t* row = &bitmap.bits[static_cast<size_t>(y) * bitmap.stride];
    uint8_t* out = &grey.pixels[static_cast<size_t>(y) * grey.width];
    for (int x = 0; x < grey.width; ++x) out[x] = (row[x >> 3] >> (7 - (x & 7))) & 1 ? 0 : 255;
  }
  return grey;
}

// Superfine to fine: each output row is the OR of two input rows, so one-row lines survive.
Bitmap HalveRows(const Bitmap& in) {
  Bitmap out = in;
  out.height = (in.height + 1) / 2;
  out.y_dpi = in.y_dpi / 2;
  out.bits.assign(static_cast<size_t>(out.stride) * out.height, 0);
  for (int y = 0; y < in.height; ++y) {
    const uint8_t* from = &in.bits[static_cast<size_t>(y) * in.stride];
    uint8_t* to = &out.bits[static_cast<size_t>(y / 2) * out.stride];
    for (int i = 0; i < in.stride; ++i) to[i] |= from[i];
  }
  return out;
}

// Scales a page to `width` pixels, rows by the same factor. A pixel becomes black when at
// least a third of the area it covers was black, so lines a pixel wide do not vanish.
Bitmap ScaleBitmapToWidth(const Bitmap& in, int width) {
  const int height =
      std::max(1, static_cast<int>(std::lround(static_cast<double>(in.height) * width / in.width)));
  const GreyImage grey = ScaleGrey(ToGrey(in), width, height);
  Bitmap out;
  out.width = width;
  out.height = height;
  out.stride = (width + 7) / 8;
  out.x_dpi = in.x_dpi;
  out.y_dpi = in.y_dpi;
  out.bits.assign(static_cast<size_t>(out.stride) * height, 0);
  constexpr int kBlackBelow = 171;  // 2/3 white
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      if (grey.at(x, y) < kBlackBelow) {
        out.bits[static_cast<size_t>(y) * out.stride + (x >> 3)] |=
            static_cast<uint8_t>(0x80 >> (x & 7));
      }
    }
  }
  return out;
}

Bitmap ToProfileSGeometry(Bitmap page) {
  if (page.y_dpi > 300) page = HalveRows(page);
  if (page.width != kProfileSWidth) page = ScaleBitmapToWidth(page, kProfileSWidth);
  page.x_dpi = 204;
  page.y_dpi = page.y_dpi < 150 ? 98 : 196;
  return page;
}

Status WriteMhPage(TiffFile& out, const Bitmap& page, int index, int total,
                   const std::filesystem::path& path) {
  TIFF* tiff = out.tiff();
  SetFaxPageTags(tiff, page.width, page.height, page.x_dpi, page.y_dpi, index, total);
  TIFFSetField(tiff, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX3);
  TIFFSetField(tiff, TIFFTAG_GROUP3OPTIONS, GROUP3OPT_FILLBITS);  // MH, EOLs byte-aligned
  std::vector<uint8_t> rows(page.bits.begin(),
                            page.bits.begin() + static_cast<size_t>(page.stride) * page.height);
  const bool ok =
      TIFFWriteEncodedStrip(tiff, 0, rows.data(), static_cast<tmsize_t>(rows.size())) >= 0 &&
      TIFFWriteDirectory(tiff);
  return DirectoryWritten(out, ok, path, index + 1);
}

Status WritePng(const GreyImage& grey, const std::filesystem::path& png) {
  struct PixDeleter {
    void operator()(PIX* pix) const { pixDestroy(&pix); }
  };
  std::unique_ptr<PIX, PixDeleter> pix(pixCreate(grey.width, grey.height, 8));
  if (!pix) return MakeError(ErrorCode::kInternal, "cannot allocate the thumbnail");
  l_uint32* data = pixGetData(pix.get());
  const int wpl = pixGetWpl(pix.get());
  for (int y = 0; y < grey.height; ++y) {
    l_uint32* line = data + static_cast<size_t>(y) * wpl;
    for (int x = 0; x < grey.width; ++x) SET_DATA_BYTE(line, x, grey.at(x, y));
  }
  l_uint8* bytes = nullptr;
  size_t size = 0;
  if (pixWriteMemPng(&bytes, &size, pix.get(), 0) != 0 || bytes == nullptr) {
    return MakeError(ErrorCode::kInternal, "cannot encode the thumbnail as PNG");
  }
  std::string encoded(reinterpret_cast<const char*>(bytes), size);
  lept_free(bytes);
  return WriteFileAtomic(png, encoded);
}

Result<std::unique_ptr<TiffFile>> OpenFax(const std::filesystem::path& path) {
  return TiffFile::OpenForReading(path, path.filename().string());
}

}  // namespace

Status WriteFaxPdf(const std::filesystem::path& tiff, const std::filesystem::path& pdf) {
  FG_ASSIGN_OR_RETURN(auto in, OpenFax(tiff));
  PdfBuilder builder;
  FG_RETURN_IF_ERROR(ForEachPage(*in, tiff, [&](int page, int) -> Status {
    bool black_is_1 = false;
    FG_ASSIGN_OR_RETURN(CodedPage coded,
                        ReadCodedPage(*in, tiff, page, /*any_polarity=*/true, &black_is_1));
    builder.AddPage(coded, black_is_1);
    return Status::Ok();
  }));
  return WriteFileAtomic(pdf, builder.Finish());
}

Status WriteTiffProfileF(const std::filesystem::path& in, const std::filesystem::path& out) {
  FG_ASSIGN_OR_RETURN(auto source, OpenFax(in));
  FG_ASSIGN_OR_RETURN(auto target, TiffFile::CreateInMemory());
  FG_RETURN_IF_ERROR(ForEachPage(*source, in, [&](int page, int total) -> Status {
    bool black_is_1 = false;
    FG_ASSIGN_OR_RETURN(CodedPage coded,
                        ReadCodedPage(*source, in, page, /*any_polarity=*/false, &black_is_1));
    TIFF* tiff = target->tiff();
    SetFaxPageTags(tiff, coded.width, coded.height, coded.x_dpi, coded.y_dpi, page - 1, total);
    if (coded.coding == Coding::kG4) {
      TIFFSetField(tiff, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX4);
    } else {
      TIFFSetField(tiff, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX3);
      uint32_t options = coded.coding == Coding::kMR ? GROUP3OPT_2DENCODING : 0;
      if (coded.byte_aligned_eols) options |= GROUP3OPT_FILLBITS;
      TIFFSetField(tiff, TIFFTAG_GROUP3OPTIONS, options);
    }
    ReverseBits(coded.data);  // stored LSB first (FillOrder 2)
    const bool ok = TIFFWriteRawStrip(tiff, 0, coded.data.data(),
                                      static_cast<tmsize_t>(coded.data.size())) >= 0 &&
                    TIFFWriteDirectory(tiff);
    return DirectoryWritten(*target, ok, out, page);
  }));
  FG_ASSIGN_OR_RETURN(std::string bytes, target->Finish());
  return WriteFileAtomic(out, bytes);
}

Status WriteTiffProfileS(const std::filesystem::path& in, const std::filesystem::path& out) {
  FG_ASSIGN_OR_RETURN(auto source, OpenFax(in));
  FG_ASSIGN_OR_RETURN(auto target, TiffFile::CreateInMemory());
  FG_RETURN_IF_ERROR(ForEachPage(*source, in, [&](int page, int total) -> Status {
    FG_ASSIGN_OR_RETURN(Bitmap bitmap, DecodePage(*source, in, page));
    return WriteMhPage(*target, ToProfileSGeometry(std::move(bitmap)), page - 1, total, out);
  }));
  FG_ASSIGN_OR_RETURN(std::string bytes, target->Finish());
  return WriteFileAtomic(out, bytes);
}

Status WritePngThumbnail(const std::filesystem::path& tiff, int page_index, int max_width,
                         const std::filesystem::path& png) {
  FG_ASSIGN_OR_RETURN(auto in, OpenFax(tiff));
  FG_ASSIGN_OR_RETURN(int pages, CountPages(*in, tiff));
  if (page_index < 0 || page_index >= pages || max_width < 1) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("{} has no page {} (it has {})", tiff.filename().string(),
                                 page_index + 1, pages));
  }
  if (!TIFFSetDirectory(in->tiff(), static_cast<tdir_t>(page_index))) {
    return PageError(tiff, page_index + 1,
                     fmt::format("cannot be read (libtiff: {})", in->TakeError()));
  }
  FG_ASSIGN_OR_RETURN(Bitmap bitmap, DecodePage(*in, tiff, page_index + 1));
  // Paper proportions: rows at y_dpi, columns at x_dpi.
  const int width = std::min(max_width, bitmap.width);
  const double height_in_columns = bitmap.height * bitmap.x_dpi / bitmap.y_dpi;
  const int height =
      std::max(1, static_cast<int>(std::lround(height_in_columns * width / bitmap.width)));
  GreyImage thumbnail = ScaleGrey(ToGrey(bitmap), width, height);
  return WritePng(thumbnail, png);
}

}  // namespace faxgate
