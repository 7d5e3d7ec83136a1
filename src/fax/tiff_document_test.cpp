#include "fax/tiff_document.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <tiffio.h>

#include <fstream>

#include "fax/fax_test_support.h"

namespace faxgate {
namespace {

using fax_test::MakeBlankPage;
using fax_test::MakeTestDocument;
using fax_test::MakeTestPage;
using fax_test::PageResolution;
using fax_test::TempDir;
using ::testing::HasSubstr;

// A one-page, uncompressed, little-endian TIFF built byte by byte, claiming whatever size the
// test wants whatever data follows.
std::string HandMadeTiff(uint32_t width, uint32_t height, size_t data_bytes) {
  std::string out("II*\0\x08\0\0\0", 8);
  auto u16 = [&out](uint16_t v) {
    out.append({static_cast<char>(v & 0xFF), static_cast<char>(v >> 8)});
  };
  auto u32 = [&](uint32_t v) {
    u16(static_cast<uint16_t>(v & 0xFFFF));
    u16(static_cast<uint16_t>(v >> 16));
  };
  constexpr uint16_t kShort = 3, kLong = 4;
  struct Entry {
    uint16_t tag, type;
    uint32_t value;
  };
  const Entry entries[] = {{256, kLong, width},  {257, kLong, height},
                           {258, kShort, 1},     {259, kShort, 1},
                           {262, kShort, 0},     {273, kLong, 8 + 2 + 8 * 12 + 4},
                           {278, kLong, height}, {279, kLong, static_cast<uint32_t>(data_bytes)}};
  u16(8);
  for (const Entry& e : entries) {
    u16(e.tag);
    u16(e.type);
    u32(1);
    u32(e.value);
  }
  u32(0);  // no next directory
  out.append(data_bytes, '\x55');
  return out;
}

class TiffDocumentTest : public ::testing::Test {
 protected:
  std::filesystem::path Write(std::string_view name, const std::vector<Bitmap>& pages) {
    auto path = dir_ / name;
    Status status = WriteFaxTiff(path, pages);
    EXPECT_TRUE(status.ok()) << status.error().message;
    return path;
  }

  std::filesystem::path WriteBytes(std::string_view name, const std::string& bytes) {
    auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  // A page written with libtiff directly, for layouts WriteFaxTiff never produces.
  std::filesystem::path WriteRaw(std::string_view name, const Bitmap& page, uint16_t photometric,
                                 uint16_t unit, float x_res, float y_res) {
    auto path = dir_ / name;
    TIFF* tiff = TIFFOpen(path.c_str(), "w");
    TIFFSetField(tiff, TIFFTAG_IMAGEWIDTH, static_cast<uint32_t>(page.width));
    TIFFSetField(tiff, TIFFTAG_IMAGELENGTH, static_cast<uint32_t>(page.height));
    TIFFSetField(tiff, TIFFTAG_BITSPERSAMPLE, 1);
    TIFFSetField(tiff, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(tiff, TIFFTAG_COMPRESSION, COMPRESSION_PACKBITS);
    TIFFSetField(tiff, TIFFTAG_PHOTOMETRIC, photometric);
    TIFFSetField(tiff, TIFFTAG_RESOLUTIONUNIT, unit);
    TIFFSetField(tiff, TIFFTAG_XRESOLUTION, x_res);
    TIFFSetField(tiff, TIFFTAG_YRESOLUTION, y_res);
    TIFFSetField(tiff, TIFFTAG_ROWSPERSTRIP, 64);
    std::vector<uint8_t> row(page.stride);
    for (int y = 0; y < page.height; ++y) {
      for (int i = 0; i < page.stride; ++i) {
        uint8_t bits = page.bits[y * page.stride + i];
        row[i] = photometric == PHOTOMETRIC_MINISBLACK ? static_cast<uint8_t>(~bits) : bits;
      }
      TIFFWriteScanline(tiff, row.data(), y, 0);
    }
    TIFFClose(tiff);
    return path;
  }

  std::string SendableError(const std::filesystem::path& path) {
    auto info = InspectTiff(path, "page.tif");
    if (!info.ok()) return "inspect: " + info.error().message;
    Status status = CheckSendable(*info, "page.tif");
    return status.ok() ? "" : status.error().message;
  }

  TempDir dir_;
};

TEST_F(TiffDocumentTest, WrittenPagesReadBackIdentical) {
  auto pages = MakeTestDocument(PageResolution::kFine, 2);
  auto read = ReadBitmaps(Write("doc.tif", pages));
  ASSERT_TRUE(read.ok()) << read.error().message;
  ASSERT_EQ(read->size(), 2u);
  EXPECT_TRUE((*read)[0] == pages[0]);
  EXPECT_TRUE((*read)[1] == pages[1]);
  EXPECT_FALSE((*read)[0] == (*read)[1]) << "test pages differ from one another";
  EXPECT_DOUBLE_EQ((*read)[0].x_dpi, 204);
  EXPECT_DOUBLE_EQ((*read)[0].y_dpi, 196);
}

TEST_F(TiffDocumentTest, InspectDescribesEveryPage) {
  auto path = Write("doc.tif", {MakeTestPage(PageResolution::kFine, 1),
                                MakeTestPage(PageResolution::kStandard, 2)});
  auto info = InspectTiff(path, "doc.tif");
  ASSERT_TRUE(info.ok()) << info.error().message;
  ASSERT_EQ(info->pages.size(), 2u);
  const TiffPageInfo& fine = info->pages[0];
  EXPECT_EQ(fine.width, 1728);
  EXPECT_EQ(fine.height, 2292);
  EXPECT_DOUBLE_EQ(fine.x_dpi, 204);
  EXPECT_DOUBLE_EQ(fine.y_dpi, 196);
  EXPECT_EQ(fine.compression, "G4");
  EXPECT_EQ(info->pages[1].height, 1146);
  EXPECT_DOUBLE_EQ(info->pages[1].y_dpi, 98);
  EXPECT_TRUE(CheckSendable(*info, "doc.tif").ok());
}

TEST_F(TiffDocumentTest, ResolutionInCentimetresIsReportedInDpi) {
  auto path = WriteRaw("cm.tif", MakeTestPage(PageResolution::kFine, 3), PHOTOMETRIC_MINISWHITE,
                       RESUNIT_CENTIMETER, 80.0f, 77.0f);
  auto info = InspectTiff(path, "cm.tif");
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_NEAR(info->pages[0].x_dpi, 203.2, 0.01);
  EXPECT_NEAR(info->pages[0].y_dpi, 195.58, 0.01);
  EXPECT_EQ(info->pages[0].compression, "PackBits");
  EXPECT_TRUE(CheckSendable(*info, "cm.tif").ok());
}

TEST_F(TiffDocumentTest, BlackIsZeroPagesAreNormalisedToOneIsBlack) {
  Bitmap page = MakeTestPage(PageResolution::kStandard, 4);
  auto path = WriteRaw("inverted.tif", page, PHOTOMETRIC_MINISBLACK, RESUNIT_INCH, 204, 98);
  auto read = ReadBitmaps(path);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_TRUE((*read)[0] == page);
}

TEST_F(TiffDocumentTest, ConcatenationKeepsEveryPageInOrder) {
  auto first = MakeTestDocument(PageResolution::kFine, 2, 10);
  auto second = MakeTestDocument(PageResolution::kStandard, 1, 20);
  auto out = dir_ / "joined.tif";
  Status status = ConcatenateFaxTiffs({Write("a.tif", first), Write("b.tif", second)}, out);
  ASSERT_TRUE(status.ok()) << status.error().message;

  auto read = ReadBitmaps(out);
  ASSERT_TRUE(read.ok()) << read.error().message;
  ASSERT_EQ(read->size(), 3u);
  EXPECT_TRUE((*read)[0] == first[0]);
  EXPECT_TRUE((*read)[1] == first[1]);
  EXPECT_TRUE((*read)[2] == second[0]);
  EXPECT_DOUBLE_EQ((*read)[1].y_dpi, 196);
  EXPECT_DOUBLE_EQ((*read)[2].y_dpi, 98);

  TIFF* tiff = TIFFOpen(out.c_str(), "r");
  ASSERT_NE(tiff, nullptr);
  for (uint16_t i = 0; i < 3; ++i) {
    uint16_t number = 0, total = 0;
    ASSERT_TRUE(TIFFSetDirectory(tiff, i));
    ASSERT_TRUE(TIFFGetField(tiff, TIFFTAG_PAGENUMBER, &number, &total));
    EXPECT_EQ(number, i);
    EXPECT_EQ(total, 3);
  }
  TIFFClose(tiff);
}

TEST_F(TiffDocumentTest, ConcatenationWithABadInputWritesNothing) {
  auto good = Write("good.tif", MakeTestDocument(PageResolution::kStandard, 1));
  auto bad = WriteBytes("bad.tif", "not a tiff");
  auto out = dir_ / "joined.tif";
  Status status = ConcatenateFaxTiffs({good, bad}, out);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.error().message, HasSubstr(bad.string()));
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST_F(TiffDocumentTest, CheckSendableNamesThePageAndTheProblem) {
  auto fine = MakeTestPage(PageResolution::kFine, 1);
  EXPECT_EQ(SendableError(Write("w.tif", {fine, MakeBlankPage(1700, 2292, 204, 196)})),
            "page.tif page 2 is 1700 pixels wide; a fax page is 1728 (A4/Letter), 2048 (B4) or "
            "2432 (A3)");
  EXPECT_EQ(SendableError(Write("x.tif", {MakeBlankPage(1728, 2292, 300, 196)})),
            "page.tif page 1 has 300 dpi across; a fax page has 204 (8 pixels per mm)");
  EXPECT_EQ(SendableError(Write("y.tif", {MakeBlankPage(1728, 1600, 204, 150)})),
            "page.tif page 1 has 150 lines per inch; a fax page has 98 (standard), 196 (fine) or "
            "391 (superfine)");
  EXPECT_EQ(SendableError(Write("b4.tif", {MakeBlankPage(2048, 2800, 203.2, 391)})), "");
  EXPECT_EQ(SendableError(Write("a3.tif", {MakeBlankPage(2432, 1600, 200, 100)})), "");
}

TEST_F(TiffDocumentTest, CheckSendableRefusesGreyAndEmptyDocuments) {
  TiffInfo grey;
  grey.pages.push_back(TiffPageInfo{1728, 2292, 204, 196, 8, 1, "LZW"});
  EXPECT_EQ(CheckSendable(grey, "photo.tif").error().message,
            "photo.tif page 1 is not black and white (8 bits per sample, 1 samples per pixel); a "
            "fax page has 1 bit per pixel");
  EXPECT_EQ(CheckSendable(TiffInfo{}, "empty.tif").error().message, "empty.tif has no pages");
  TiffInfo unitless;
  unitless.pages.push_back(TiffPageInfo{1728, 2292, 0, 0, 1, 1, "G4"});
  EXPECT_THAT(CheckSendable(unitless, "u.tif").error().message, HasSubstr("has no resolution"));
}

TEST_F(TiffDocumentTest, MissingAndRandomFilesAreErrorsNamingTheFile) {
  auto missing = InspectTiff(dir_ / "none.tif", "none.tif");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().message, "none.tif does not exist");

  std::string noise;
  for (int i = 0; i < 4096; ++i) noise.push_back(static_cast<char>((i * 7919) % 251));
  auto random = InspectTiff(WriteBytes("noise.tif", noise), "noise.tif");
  ASSERT_FALSE(random.ok());
  EXPECT_THAT(random.error().message, HasSubstr("noise.tif is not a TIFF file"));
  EXPECT_FALSE(ReadBitmaps(dir_ / "noise.tif").ok());
}

TEST_F(TiffDocumentTest, AbsurdDimensionsAreRefusedBeforeDecoding) {
  auto path = WriteBytes("huge.tif", HandMadeTiff(200000, 300000, 64));
  auto info = InspectTiff(path, "huge.tif");
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->pages[0].width, 200000);
  EXPECT_FALSE(CheckSendable(*info, "huge.tif").ok());
  auto bitmaps = ReadBitmaps(path);
  ASSERT_FALSE(bitmaps.ok());
  EXPECT_THAT(bitmaps.error().message, HasSubstr("200000x300000 pixels"));
}

TEST_F(TiffDocumentTest, TruncatedPixelDataIsAnError) {
  auto path = WriteBytes("short.tif", HandMadeTiff(1728, 1146, 100));
  auto bitmaps = ReadBitmaps(path);
  ASSERT_FALSE(bitmaps.ok());
  EXPECT_THAT(bitmaps.error().message, HasSubstr("short.tif page 1 is damaged"));
}

}  // namespace
}  // namespace faxgate
