// Image files in every format users send, generated here with leptonica and libtiff.
#include "document/image_input.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <leptonica/allheaders.h>
#include <tiffio.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

namespace faxgate {
namespace {

using ::testing::HasSubstr;

class ImageInputTest : public ::testing::Test {
 protected:
  ImageInputTest() {
    std::string pattern = (std::filesystem::temp_directory_path() / "image_test.XXXXXX").string();
    dir_ = ::mkdtemp(pattern.data());
  }
  ~ImageInputTest() override { std::filesystem::remove_all(dir_); }

  // A 300x200 grey ramp from black (left) to white (right), as a leptonica image.
  static PIX* Ramp(int depth = 8) {
    PIX* grey = pixCreate(300, 200, 8);
    for (int y = 0; y < 200; ++y) {
      for (int x = 0; x < 300; ++x) pixSetPixel(grey, x, y, x * 255 / 299);
    }
    pixSetResolution(grey, 150, 150);
    if (depth == 32) {
      PIX* rgb = pixConvertTo32(grey);
      pixCopyResolution(rgb, grey);
      pixDestroy(&grey);
      return rgb;
    }
    return grey;
  }

  std::filesystem::path WritePix(std::string_view name, PIX* pix, int format) {
    auto path = dir_ / name;
    l_uint8* data = nullptr;
    size_t size = 0;
    EXPECT_EQ(pixWriteMem(&data, &size, pix, format), 0) << name;
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<char*>(data), size);
    lept_free(data);
    pixDestroy(&pix);
    return path;
  }

  std::filesystem::path WriteBytes(std::string_view name, const std::string& bytes) {
    auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  Status Read(const std::filesystem::path& path, ConversionLimits limits = {}) {
    images_.clear();
    return ReadImagePages(path, path.filename().string(), limits, [this](GreyImage&& image) {
      images_.push_back(std::move(image));
      return Status::Ok();
    });
  }

  std::string ReadError(const std::filesystem::path& path, ConversionLimits limits = {}) {
    Status status = Read(path, limits);
    return status.ok() ? "" : status.error().message;
  }

  void ExpectRamp(const GreyImage& image, int tolerance) {
    ASSERT_EQ(image.width, 300);
    ASSERT_EQ(image.height, 200);
    EXPECT_FALSE(image.bilevel);
    for (int x : {0, 100, 200, 299}) EXPECT_NEAR(image.at(x, 100), x * 255 / 299, tolerance) << x;
  }

  std::filesystem::path dir_;
  std::vector<GreyImage> images_;
};

TEST_F(ImageInputTest, PngKeepsGreyAndResolution) {
  ASSERT_TRUE(Read(WritePix("ramp.png", Ramp(), IFF_PNG)).ok());
  ASSERT_EQ(images_.size(), 1u);
  ExpectRamp(images_[0], 0);
  EXPECT_NEAR(images_[0].x_dpi, 150, 1);
}

TEST_F(ImageInputTest, ColourJpegBecomesLuminance) {
  ASSERT_TRUE(Read(WritePix("ramp.jpg", Ramp(32), IFF_JFIF_JPEG)).ok());
  ASSERT_EQ(images_.size(), 1u);
  ExpectRamp(images_[0], 6);
}

TEST_F(ImageInputTest, GifAndBmpAndPnmAreRead) {
  for (auto [name, format] : {std::pair{"ramp.gif", IFF_GIF}, std::pair{"ramp.bmp", IFF_BMP},
                              std::pair{"ramp.pgm", IFF_PNM}}) {
    Status status = Read(WritePix(name, Ramp(), format));
    ASSERT_TRUE(status.ok()) << name << ": " << status.error().message;
    ASSERT_EQ(images_.size(), 1u) << name;
    ExpectRamp(images_[0], 2);
  }
}

TEST_F(ImageInputTest, ColourLzwTiffIsRead) {
  ASSERT_TRUE(Read(WritePix("ramp.tif", Ramp(32), IFF_TIFF_LZW)).ok());
  ASSERT_EQ(images_.size(), 1u);
  ExpectRamp(images_[0], 1);
  EXPECT_NEAR(images_[0].y_dpi, 150, 1);
}

TEST_F(ImageInputTest, TransparentAreasBecomeWhite) {
  PIX* rgba = pixCreate(40, 40, 32);
  pixSetSpp(rgba, 4);
  pixSetAllArbitrary(rgba, 0x00000000);  // black, fully transparent
  ASSERT_TRUE(Read(WritePix("clear.png", rgba, IFF_PNG)).ok());
  ASSERT_EQ(images_.size(), 1u);
  EXPECT_EQ(images_[0].at(20, 20), 255);
}

TEST_F(ImageInputTest, AG4ScanIsBilevelWithItsResolution) {
  PIX* scan = pixCreate(2550, 300, 1);
  pixRasterop(scan, 100, 100, 500, 20, PIX_SET, nullptr, 0, 0);
  pixSetResolution(scan, 300, 300);
  ASSERT_TRUE(Read(WritePix("scan.tif", scan, IFF_TIFF_G4)).ok());
  ASSERT_EQ(images_.size(), 1u);
  const GreyImage& image = images_[0];
  EXPECT_TRUE(image.bilevel);
  EXPECT_EQ(image.x_dpi, 300);
  EXPECT_EQ(image.at(100, 100), 0);
  EXPECT_EQ(image.at(99, 100), 255);
  EXPECT_EQ(image.at(599, 119), 0);
  EXPECT_EQ(image.at(600, 119), 255);
}

TEST_F(ImageInputTest, EveryPageOfAMultiPageTiffIsAnImage) {
  auto path = dir_ / "two.tif";
  PIX* first = Ramp();
  PIX* second = pixCreate(50, 60, 1);
  ASSERT_EQ(pixWriteTiff(path.c_str(), first, IFF_TIFF_ZIP, "w"), 0);
  ASSERT_EQ(pixWriteTiff(path.c_str(), second, IFF_TIFF_G4, "a"), 0);
  pixDestroy(&first);
  pixDestroy(&second);
  ASSERT_TRUE(Read(path).ok());
  ASSERT_EQ(images_.size(), 2u);
  ExpectRamp(images_[0], 0);
  EXPECT_EQ(images_[1].width, 50);
  EXPECT_TRUE(images_[1].bilevel);

  ConversionLimits one_page;
  one_page.max_pages = 1;
  EXPECT_THAT(ReadError(path, one_page), HasSubstr("two.tif has more than 1 pages"));
}

// A TIFF whose tags claim a size no decoder should try, with a strip of a few bytes.
std::string HugeTiff(uint32_t width, uint32_t height) {
  std::string out("II*\0\x08\0\0\0", 8);
  auto u16 = [&out](uint16_t v) { out.append({char(v & 0xFF), char(v >> 8)}); };
  auto u32 = [&](uint32_t v) {
    u16(static_cast<uint16_t>(v & 0xFFFF));
    u16(static_cast<uint16_t>(v >> 16));
  };
  const uint32_t entries[][3] = {{256, 4, width}, {257, 4, height}, {258, 3, 8},
                                 {259, 3, 1},     {262, 3, 1},      {273, 4, 8 + 2 + 8 * 12 + 4},
                                 {278, 4, 1},     {279, 4, 16}};
  u16(8);
  for (const auto& e : entries) {
    u16(static_cast<uint16_t>(e[0]));
    u16(static_cast<uint16_t>(e[1]));
    u32(1);
    u32(e[2]);
  }
  u32(0);
  out.append(16, '\x80');
  return out;
}

TEST_F(ImageInputTest, HugeDimensionsAreRefusedBeforeDecoding) {
  EXPECT_EQ(ReadError(WriteBytes("huge.tif", HugeTiff(100000, 100000))),
            "huge.tif is 100000x100000 pixels; the largest image faxgate converts is 150 "
            "megapixels");
  // A PNG header claiming the same (IHDR CRC is not what stops it).
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\x01\x86\xa0\0\x01\x86\xa0\x08\0\0\0\0", 29);
  png += std::string(32, '\0');  // CRC and a few more bytes, as leptonica wants
  EXPECT_THAT(ReadError(WriteBytes("huge.png", png)), HasSubstr("huge.png is 100000x100000"));
  ConversionLimits small;
  small.max_image_pixels = 10'000;
  EXPECT_THAT(ReadError(WritePix("ramp.gif", Ramp(), IFF_GIF), small),
              HasSubstr("ramp.gif is 300x200 pixels; the largest image faxgate converts is 0.01 "
                        "megapixels"));
}

TEST_F(ImageInputTest, DamagedFilesAreErrorsNamingTheFile) {
  PIX* ramp = Ramp();
  l_uint8* data = nullptr;
  size_t size = 0;
  ASSERT_EQ(pixWriteMem(&data, &size, ramp, IFF_PNG), 0);
  std::string png(reinterpret_cast<char*>(data), size);
  lept_free(data);
  pixDestroy(&ramp);
  EXPECT_THAT(ReadError(WriteBytes("cut.png", png.substr(0, png.size() / 2))),
              HasSubstr("cut.png"));
  EXPECT_THAT(ReadError(WriteBytes("cut.tif", HugeTiff(64, 64).substr(0, 60))),
              HasSubstr("cut.tif"));
  EXPECT_THAT(ReadError(WriteBytes("notes.txt", "just some words, not an image\n")),
              HasSubstr("notes.txt is not an image faxgate can read"));
  Status missing = Read(dir_ / "gone.png");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(ImageInputTest, ASinkErrorStopsReading) {
  Status status = ReadImagePages(
      WritePix("ramp.png", Ramp(), IFF_PNG), "ramp.png", {},
      [](GreyImage&&) { return Status(MakeError(ErrorCode::kInvalidArgument, "stop")); });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "stop");
}

}  // namespace
}  // namespace faxgate
