// Received faxes as PDF, Profile S / F TIFF and thumbnails. The inputs are written by spandsp
// (as a reception writes them) and by FaxPageWriter; the PDFs are rendered by MuPDF and
// poppler and compared with libtiff's decoding pixel by pixel.
#include "document/received_outputs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <leptonica/allheaders.h>
#include <spandsp.h>
#include <tiffio.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "base/files.h"
#include "document/fax_page_writer.h"
#include "fax/tiff_document.h"

namespace faxgate {
namespace {

using ::testing::HasSubstr;

Bitmap TextPage(int width, int height, double y_dpi, int seed) {
  Bitmap page;
  page.width = width;
  page.height = height;
  page.stride = (width + 7) / 8;
  page.x_dpi = 204;
  page.y_dpi = y_dpi;
  page.bits.assign(static_cast<size_t>(page.stride) * height, 0);
  std::mt19937 random(seed);
  for (int i = 0; i < height * 2; ++i) {
    const int w = 1 + static_cast<int>(random() % 10);
    const int h = 1 + static_cast<int>(random() % 12);
    const int x0 = static_cast<int>(random() % (width - w));
    const int y0 = static_cast<int>(random() % (height - h));
    for (int y = y0; y < y0 + h; ++y) {
      for (int x = x0; x < x0 + w; ++x) page.bits[y * page.stride + x / 8] |= 0x80 >> (x % 8);
    }
  }
  return page;
}

bool Black(const Bitmap& b, int x, int y) {
  return (b.bits[static_cast<size_t>(y) * b.stride + (x >> 3)] >> (7 - (x & 7))) & 1;
}

// Differences between a bitmap and a rendered 8-bit PGM (black below 128).
Result<int64_t> DiffersFromPgm(const Bitmap& page, const std::filesystem::path& pgm) {
  FG_ASSIGN_OR_RETURN(std::string bytes, ReadFile(pgm));
  std::istringstream header(bytes);
  std::string magic;
  int width = 0, height = 0, maxval = 0;
  header >> magic >> width >> height >> maxval;
  if (magic != "P5" || width != page.width || height != page.height) {
    return MakeError(ErrorCode::kInternal, "rendered " + magic + " " + std::to_string(width) + "x" +
                                               std::to_string(height));
  }
  const size_t start = static_cast<size_t>(header.tellg()) + 1;
  int64_t differences = 0;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const bool rendered_black = static_cast<uint8_t>(bytes[start + y * width + x]) < 128;
      differences += rendered_black != Black(page, x, y);
    }
  }
  return differences;
}

class ReceivedOutputsTest : public ::testing::Test {
 protected:
  ReceivedOutputsTest() {
    std::string pattern = (std::filesystem::temp_directory_path() / "received.XXXXXX").string();
    dir_ = ::mkdtemp(pattern.data());
  }
  ~ReceivedOutputsTest() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path WriteG4(std::string_view name, const std::vector<Bitmap>& pages,
                                Resolution resolution, Paper paper = Paper::kA4) {
    PageFormat f;
    f.resolution = resolution;
    f.paper = paper;
    FaxPageWriter writer;
    auto path = dir_ / name;
    EXPECT_TRUE(writer.Open(path, f).ok());
    for (const Bitmap& page : pages) EXPECT_TRUE(writer.Append(page).ok());
    EXPECT_TRUE(writer.Finish().ok());
    return path;
  }

  // What spandsp writes when it receives `in` coded as `coding` (MH, MR or MMR).
  std::filesystem::path ReceiveWithSpandsp(const std::filesystem::path& in, std::string_view name,
                                           int coding) {
    auto out = dir_ / name;
    t4_tx_state_t* tx = t4_tx_init(nullptr, in.c_str(), -1, -1);
    t4_rx_state_t* rx = t4_rx_init(nullptr, out.c_str(), coding);
    EXPECT_TRUE(tx != nullptr && rx != nullptr);
    t4_tx_set_tx_encoding(tx, coding);
    t4_tx_set_min_bits_per_row(tx, 0);
    t4_rx_set_rx_encoding(rx, coding);
    const int pages = t4_tx_get_pages_in_file(tx);
    for (int page = 0; page < pages; ++page) {
      EXPECT_EQ(t4_tx_start_page(tx), 0);
      t4_rx_set_image_width(rx, t4_tx_get_image_width(tx));
      t4_rx_set_x_resolution(rx, t4_tx_get_x_resolution(tx));
      t4_rx_set_y_resolution(rx, t4_tx_get_y_resolution(tx));
      t4_rx_start_page(rx);
      uint8_t chunk[4096];
      int n;
      while ((n = t4_tx_get_chunk(tx, chunk, sizeof chunk)) > 0) {
        t4_rx_put_chunk(rx, chunk, n);
        if (n < static_cast<int>(sizeof chunk)) break;
      }
      t4_tx_end_page(tx);
      t4_rx_end_page(rx);
    }
    t4_tx_free(tx);
    t4_rx_free(rx);
    return out;
  }

  // An MH page in strips of 64 rows, MSB first, as some scanners write.
  std::filesystem::path WriteStripedMh(std::string_view name, const Bitmap& page) {
    auto path = dir_ / name;
    TIFF* tiff = TIFFOpen(path.c_str(), "w");
    TIFFSetField(tiff, TIFFTAG_IMAGEWIDTH, static_cast<uint32_t>(page.width));
    TIFFSetField(tiff, TIFFTAG_IMAGELENGTH, static_cast<uint32_t>(page.height));
    TIFFSetField(tiff, TIFFTAG_BITSPERSAMPLE, 1);
    TIFFSetField(tiff, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX3);
    TIFFSetField(tiff, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);
    TIFFSetField(tiff, TIFFTAG_ROWSPERSTRIP, 64);
    TIFFSetField(tiff, TIFFTAG_XRESOLUTION, 204.0f);
    TIFFSetField(tiff, TIFFTAG_YRESOLUTION, static_cast<float>(page.y_dpi));
    std::vector<uint8_t> row(page.stride);
    for (int y = 0; y < page.height; ++y) {
      std::copy_n(&page.bits[y * page.stride], page.stride, row.begin());
      TIFFWriteScanline(tiff, row.data(), y, 0);
    }
    TIFFClose(tiff);
    return path;
  }

  std::vector<Bitmap> Decode(const std::filesystem::path& path) {
    auto pages = ReadBitmaps(path);
    EXPECT_TRUE(pages.ok()) << pages.error().message;
    return pages.ok() ? *pages : std::vector<Bitmap>{};
  }

  // Renders page `number` of `pdf` with poppler at exactly the page's pixel size.
  std::filesystem::path RenderWithPoppler(const std::filesystem::path& pdf, int number,
                                          const Bitmap& page, std::string_view prefix) {
    auto out = dir_ / (std::string(prefix) + std::to_string(number));
    std::string command =
        "pdftoppm -q -gray -aa no -aaVector no -scale-to-x " + std::to_string(page.width) +
        " -scale-to-y " + std::to_string(page.height) + " -f " + std::to_string(number) + " -l " +
        std::to_string(number) + " -singlefile " + pdf.string() + " " + out.string();
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    return out.string() + ".pgm";
  }

  // Renders every page of the PDF made from `tiff` and compares it with libtiff's decoding:
  // MuPDF must match pixel for pixel. Poppler's Splash resamples even at 1:1 (a page is
  // 609.88235... points wide) and may drop a row or column, so poppler must instead render
  // our PDF exactly as it renders tiff2pdf's PDF of the same file.
  void ExpectPdfRendersAs(const std::filesystem::path& pdf, const std::filesystem::path& tiff) {
    const std::vector<Bitmap> pages = Decode(tiff);
    auto reference = dir_ / "tiff2pdf.pdf";
    ASSERT_EQ(std::system(("tiff2pdf -o " + reference.string() + " " + tiff.string()).c_str()), 0);
    for (size_t i = 0; i < pages.size(); ++i) {
      const Bitmap& page = pages[i];
      const int number = static_cast<int>(i) + 1;
      auto mupdf = dir_ / ("mupdf" + std::to_string(number) + ".pgm");
      std::string command = "mutool draw -q -A 0 -c gray -F pgm -w " + std::to_string(page.width) +
                            " -h " + std::to_string(page.height) + " -f -o " + mupdf.string() +
                            " " + pdf.string() + " " + std::to_string(number) + " 2>/dev/null";
      ASSERT_EQ(std::system(command.c_str()), 0) << command;
      auto mupdf_diff = DiffersFromPgm(page, mupdf);
      ASSERT_TRUE(mupdf_diff.ok()) << mupdf_diff.error().message;
      EXPECT_EQ(*mupdf_diff, 0) << "MuPDF, page " << number;

      auto ours = ReadFile(RenderWithPoppler(pdf, number, page, "ours"));
      auto theirs = ReadFile(RenderWithPoppler(reference, number, page, "tiff2pdf"));
      ASSERT_TRUE(ours.ok() && theirs.ok());
      EXPECT_TRUE(*ours == *theirs) << "poppler, page " << number;
    }
  }

  static bool HaveRenderers() {
    return std::system(
               "command -v pdftoppm >/dev/null && command -v mutool >/dev/null && command -v "
               "tiff2pdf >/dev/null") == 0;
  }

  std::filesystem::path dir_;
};

TEST_F(ReceivedOutputsTest, PdfOfG4PagesIsPixelExact) {
  if (!HaveRenderers()) GTEST_SKIP() << "pdftoppm, mutool or tiff2pdf missing";
  auto tiff = WriteG4("g4.tif", {TextPage(1728, 2292, 196, 1), TextPage(1728, 2292, 196, 2)},
                      Resolution::kFine);
  ASSERT_TRUE(WriteFaxPdf(tiff, dir_ / "g4.pdf").ok());
  ExpectPdfRendersAs(dir_ / "g4.pdf", tiff);
}

TEST_F(ReceivedOutputsTest, PdfOfSpandspMhAndMrPagesIsPixelExact) {
  if (!HaveRenderers()) GTEST_SKIP() << "pdftoppm, mutool or tiff2pdf missing";
  auto sent = WriteG4("sent.tif", {TextPage(1728, 1146, 98, 3)}, Resolution::kStandard);
  for (auto [name, coding] : {std::pair{"mh.tif", T4_COMPRESSION_ITU_T4_1D},
                              std::pair{"mr.tif", T4_COMPRESSION_ITU_T4_2D}}) {
    auto received = ReceiveWithSpandsp(sent, name, coding);
    auto pdf = dir_ / (std::string(name) + ".pdf");
    Status status = WriteFaxPdf(received, pdf);
    ASSERT_TRUE(status.ok()) << status.error().message;
    ExpectPdfRendersAs(pdf, received);
  }
}

TEST_F(ReceivedOutputsTest, PdfOfAPageInSeveralStripsIsReencoded) {
  if (!HaveRenderers()) GTEST_SKIP() << "pdftoppm, mutool or tiff2pdf missing";
  auto tiff = WriteStripedMh("strips.tif", TextPage(1728, 1146, 98, 4));
  ASSERT_TRUE(WriteFaxPdf(tiff, dir_ / "strips.pdf").ok());
  ExpectPdfRendersAs(dir_ / "strips.pdf", tiff);
}

TEST_F(ReceivedOutputsTest, PdfPagesHaveThePapersSize) {
  auto tiff = WriteG4("std.tif", {TextPage(1728, 1146, 98, 5)}, Resolution::kStandard);
  ASSERT_TRUE(WriteFaxPdf(tiff, dir_ / "std.pdf").ok());
  auto pdf = ReadFile(dir_ / "std.pdf");
  ASSERT_TRUE(pdf.ok());
  // 1728 / 204 * 72 and 1146 / 98 * 72 points: A4 with the fax's margins.
  EXPECT_THAT(*pdf, HasSubstr("/MediaBox [0 0 609.8824 841.9592]"));
  EXPECT_THAT(*pdf, HasSubstr("/K -1 /Columns 1728 /Rows 1146"));
}

TEST_F(ReceivedOutputsTest, RandomBytesAreAnErrorAndNoPdf) {
  auto junk = dir_ / "junk.tif";
  std::ofstream(junk) << "II*\0 certainly not a fax";
  Status status = WriteFaxPdf(junk, dir_ / "junk.pdf");
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.error().message, HasSubstr("junk.tif"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "junk.pdf"));
}

uint32_t Tag32(TIFF* tiff, uint32_t tag) {
  uint32_t value = 0;
  TIFFGetField(tiff, tag, &value);
  return value;
}
uint16_t Tag16(TIFF* tiff, uint32_t tag) {
  uint16_t value = 0;
  TIFFGetField(tiff, tag, &value);
  return value;
}

TEST_F(ReceivedOutputsTest, ProfileSIsMh1728WidePixelExact) {
  const Bitmap page = TextPage(1728, 196, 196, 6);
  auto in = WriteG4("in.tif", {page, page}, Resolution::kFine);
  auto out = dir_ / "s.tif";
  ASSERT_TRUE(WriteTiffProfileS(in, out).ok());
  auto info = InspectTiff(out, "s.tif");
  ASSERT_TRUE(info.ok());
  ASSERT_EQ(info->pages.size(), 2u);
  EXPECT_EQ(info->pages[0].compression, "G3-1D");
  EXPECT_EQ(info->pages[0].width, 1728);
  EXPECT_EQ(info->pages[0].y_dpi, 196);
  std::vector<Bitmap> pages = Decode(out);
  ASSERT_EQ(pages.size(), 2u);
  EXPECT_EQ(pages[0], page);

  TIFF* tiff = TIFFOpen(out.c_str(), "r");
  ASSERT_NE(tiff, nullptr);
  EXPECT_EQ(Tag32(tiff, TIFFTAG_GROUP3OPTIONS), static_cast<uint32_t>(GROUP3OPT_FILLBITS));
  EXPECT_EQ(Tag16(tiff, TIFFTAG_FILLORDER), FILLORDER_LSB2MSB);
  EXPECT_EQ(Tag32(tiff, TIFFTAG_SUBFILETYPE), static_cast<uint32_t>(FILETYPE_PAGE));
  EXPECT_EQ(TIFFNumberOfStrips(tiff), 1u);
  uint16_t number = 0, total = 0;
  TIFFGetField(tiff, TIFFTAG_PAGENUMBER, &number, &total);
  EXPECT_EQ(total, 2);
  TIFFClose(tiff);
}

TEST_F(ReceivedOutputsTest, ProfileSScalesB4DownAndHalvesSuperfineKeepingThinLines) {
  Bitmap b4 = TextPage(2048, 2048, 196, 7);
  auto b4_in = WriteG4("b4.tif", {b4}, Resolution::kFine, Paper::kB4);
  ASSERT_TRUE(WriteTiffProfileS(b4_in, dir_ / "b4s.tif").ok());
  std::vector<Bitmap> b4_out = Decode(dir_ / "b4s.tif");
  ASSERT_EQ(b4_out.size(), 1u);
  EXPECT_EQ(b4_out[0].width, 1728);
  EXPECT_EQ(b4_out[0].height, 1728);  // 2048 rows * 1728 / 2048

  Bitmap superfine = TextPage(1728, 400, 391, 8);
  std::fill(superfine.bits.begin(), superfine.bits.end(), 0);
  for (int i = 0; i < superfine.stride; ++i) superfine.bits[301 * superfine.stride + i] = 0xFF;
  auto sf_in = WriteG4("sf.tif", {superfine}, Resolution::kSuperfine);
  ASSERT_TRUE(WriteTiffProfileS(sf_in, dir_ / "sfs.tif").ok());
  std::vector<Bitmap> sf_out = Decode(dir_ / "sfs.tif");
  ASSERT_EQ(sf_out.size(), 1u);
  EXPECT_EQ(sf_out[0].height, 200);
  EXPECT_EQ(sf_out[0].y_dpi, 196);
  EXPECT_TRUE(Black(sf_out[0], 0, 150));
  EXPECT_TRUE(Black(sf_out[0], 1727, 150));
  EXPECT_FALSE(Black(sf_out[0], 0, 151));
}

TEST_F(ReceivedOutputsTest, ProfileFKeepsTheCodingAndNormalisesTags) {
  auto sent = WriteG4("sent.tif", {TextPage(1728, 1146, 98, 9), TextPage(1728, 1146, 98, 10)},
                      Resolution::kStandard);
  auto mr = ReceiveWithSpandsp(sent, "mr.tif", T4_COMPRESSION_ITU_T4_2D);
  auto out = dir_ / "f.tif";
  ASSERT_TRUE(WriteTiffProfileF(mr, out).ok());
  auto info = InspectTiff(out, "f.tif");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->pages[0].compression, "G3-2D");
  EXPECT_EQ(Decode(out), Decode(mr));
  TIFF* tiff = TIFFOpen(out.c_str(), "r");
  ASSERT_NE(tiff, nullptr);
  ASSERT_TRUE(TIFFSetDirectory(tiff, 1));
  uint16_t number = 0, total = 0;
  TIFFGetField(tiff, TIFFTAG_PAGENUMBER, &number, &total);
  EXPECT_EQ(number, 1);
  EXPECT_EQ(total, 2);
  EXPECT_EQ(Tag16(tiff, TIFFTAG_FILLORDER), FILLORDER_LSB2MSB);
  EXPECT_EQ(Tag16(tiff, TIFFTAG_RESOLUTIONUNIT), RESUNIT_INCH);
  TIFFClose(tiff);

  auto striped = WriteStripedMh("strips.tif", TextPage(1728, 500, 196, 11));
  ASSERT_TRUE(WriteTiffProfileF(striped, dir_ / "f2.tif").ok());
  EXPECT_EQ(Decode(dir_ / "f2.tif"), Decode(striped));
}

TEST_F(ReceivedOutputsTest, ThumbnailIsGreyWithPaperProportions) {
  Bitmap page = TextPage(1728, 1146, 98, 12);
  std::fill(page.bits.begin(), page.bits.end(), 0);
  for (int y = 0; y < page.height; ++y) {
    for (int i = 0; i < page.stride / 2; ++i) page.bits[y * page.stride + i] = 0xAA;
  }
  auto tiff = WriteG4("std.tif", {page}, Resolution::kStandard);
  auto png = dir_ / "thumb.png";
  ASSERT_TRUE(WritePngThumbnail(tiff, 0, 200, png).ok());
  PIX* pix = pixRead(png.c_str());
  ASSERT_NE(pix, nullptr);
  EXPECT_EQ(pixGetWidth(pix), 200);
  EXPECT_EQ(pixGetHeight(pix), 276);  // 1146 rows at 98 lpi are 2385 columns at 204 dpi
  EXPECT_EQ(pixGetDepth(pix), 8);
  // Half the pixels black: mid grey on average, not a dither.
  double left = 0;
  for (int x = 20; x < 80; ++x) {
    l_uint32 value = 0;
    pixGetPixel(pix, x, 100, &value);
    left += value / 60.0;
  }
  l_uint32 right = 0;
  pixGetPixel(pix, 150, 100, &right);
  EXPECT_NEAR(left, 128, 3);
  EXPECT_EQ(right, 255u);
  pixDestroy(&pix);
  EXPECT_FALSE(WritePngThumbnail(tiff, 1, 200, png).ok());
}

}  // namespace
}  // namespace faxgate
