// The raster stage: halftoning, page layout and resampling, and the G4 page writer.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spandsp.h>
#include <tiffio.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "document/fax_page_writer.h"
#include "document/halftone.h"
#include "document/page_layout.h"
#include "fax/tiff_document.h"

namespace faxgate {
namespace {

using ::testing::HasSubstr;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "raster_test.XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

PageFormat Format(Resolution resolution, Paper paper = Paper::kA4) {
  PageFormat f;
  f.paper = paper;
  f.resolution = resolution;
  return f;
}

GreyImage Blank(int width, int height, uint8_t value = 255, double y_dpi = 196) {
  GreyImage image;
  image.width = width;
  image.height = height;
  image.x_dpi = 204;
  image.y_dpi = y_dpi;
  image.pixels.assign(static_cast<size_t>(width) * height, value);
  return image;
}

// The 16-step wedge of the reference measurements (0, 17, ... 255), as horizontal bands.
constexpr int kBandRows = 140;
GreyImage Wedge(double y_dpi = 196) {
  GreyImage wedge = Blank(1728, 16 * kBandRows, 255, y_dpi);
  for (int y = 0; y < wedge.height; ++y) {
    std::fill_n(&wedge.pixels[static_cast<size_t>(y) * wedge.width], wedge.width,
                static_cast<uint8_t>(17 * (y / kBandRows)));
  }
  return wedge;
}

bool Black(const Bitmap& b, int x, int y) {
  return (b.bits[static_cast<size_t>(y) * b.stride + (x >> 3)] >> (7 - (x & 7))) & 1;
}

// Mean grey (0 black, 255 white) of each band of the bilevel wedge.
std::vector<double> BandMeans(const Bitmap& b) {
  std::vector<double> means;
  for (int band = 0; band < 16; ++band) {
    int64_t black = 0;
    for (int y = band * kBandRows; y < (band + 1) * kBandRows; ++y) {
      for (int x = 0; x < b.width; ++x) black += Black(b, x, y);
    }
    means.push_back(255.0 * (1.0 - static_cast<double>(black) / (kBandRows * b.width)));
  }
  return means;
}

// Glyph-like content in pure black and white: random rectangles and one-pixel strokes.
GreyImage TextLike(int width, int height, int seed) {
  GreyImage page = Blank(width, height);
  std::mt19937 random(seed);
  for (int i = 0; i < 3000; ++i) {
    const int w = 1 + static_cast<int>(random() % 12);
    const int h = 1 + static_cast<int>(random() % 20);
    const int x0 = static_cast<int>(random() % (width - w));
    const int y0 = static_cast<int>(random() % (height - h));
    for (int y = y0; y < y0 + h; ++y) std::fill_n(&page.pixels[y * width + x0], w, 0);
  }
  return page;
}

Bitmap ExpectedThreshold(const GreyImage& page) {
  Bitmap b;
  b.width = page.width;
  b.height = page.height;
  b.stride = (page.width + 7) / 8;
  b.bits.assign(static_cast<size_t>(b.stride) * b.height, 0);
  for (int y = 0; y < page.height; ++y) {
    for (int x = 0; x < page.width; ++x) {
      if (page.at(x, y) < 128) b.bits[y * b.stride + (x >> 3)] |= 0x80 >> (x & 7);
    }
  }
  return b;
}

// A photo-like page: smooth gradients with a little noise, nothing pure.
GreyImage PhotoLike(int width, int height) {
  GreyImage page = Blank(width, height);
  std::mt19937 random(7);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      int v = 20 + (x * 200 / width + y * 30 / height) + static_cast<int>(random() % 9) - 4;
      page.pixels[static_cast<size_t>(y) * width + x] = static_cast<uint8_t>(std::clamp(v, 1, 254));
    }
  }
  return page;
}

double Milliseconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// ---- halftone -------------------------------------------------------------------------

TEST(HalftoneTest, ClusteredDotFollowsTheWedgeAtEveryResolution) {
  for (double y_dpi : {98.0, 196.0, 391.0}) {
    std::vector<double> means = BandMeans(ToBilevel(Wedge(y_dpi), Halftone::kClusteredDot));
    for (int step = 0; step < 16; ++step) {
      EXPECT_NEAR(means[step], 17 * step, 6) << "step " << step << " at " << y_dpi << " lpi";
    }
    ::testing::Test::RecordProperty("cluster_wedge_" + std::to_string(static_cast<int>(y_dpi)),
                                    ::testing::PrintToString(means));
    std::printf("clustered dot, %3.0f lpi:", y_dpi);
    for (double m : means) std::printf(" %.0f", m);
    std::printf("\n");
  }
}

TEST(HalftoneTest, ErrorDiffusionFollowsTheWedge) {
  std::vector<double> means = BandMeans(ToBilevel(Wedge(), Halftone::kErrorDiffusion));
  std::printf("error diffusion:");
  for (int step = 0; step < 16; ++step) {
    EXPECT_NEAR(means[step], 17 * step, 12) << "step " << step;
    std::printf(" %.0f", means[step]);
  }
  std::printf("\n");
}

TEST(HalftoneTest, ThresholdSplitsAtMidGrey) {
  std::vector<double> means = BandMeans(ToBilevel(Wedge(), Halftone::kThreshold));
  for (int step = 0; step < 16; ++step) EXPECT_EQ(means[step], 17 * step < 128 ? 0 : 255);
}

TEST(HalftoneTest, PureBlackAndWhiteComeThroughEveryMethodUnchanged) {
  const GreyImage text = TextLike(1728, 600, 3);
  const Bitmap expected = ExpectedThreshold(text);
  for (Halftone method :
       {Halftone::kClusteredDot, Halftone::kErrorDiffusion, Halftone::kThreshold}) {
    EXPECT_EQ(ToBilevel(text, method), expected) << ToString(method);
  }
}

TEST(HalftoneTest, TextBesideAPhotoStaysCrispWithErrorDiffusion) {
  // Left half a grey photo, right half text: no dither noise may appear among the glyphs.
  GreyImage page = TextLike(1000, 400, 5);
  for (int y = 0; y < page.height; ++y) {
    for (int x = 0; x < 500; ++x) page.pixels[y * page.width + x] = 100 + (x + y) % 50;
  }
  const Bitmap out = ToBilevel(page, Halftone::kErrorDiffusion);
  const Bitmap expected = ExpectedThreshold(page);
  for (int y = 0; y < page.height; ++y) {
    for (int x = 500; x < page.width; ++x) {
      ASSERT_EQ(Black(out, x, y), Black(expected, x, y)) << x << "," << y;
    }
  }
}

TEST(HalftoneTest, BilevelPagesAreAlwaysThresholded) {
  GreyImage page = Blank(64, 64, 100);
  page.bilevel = true;
  for (Halftone method : {Halftone::kClusteredDot, Halftone::kErrorDiffusion}) {
    Bitmap out = ToBilevel(page, method);
    EXPECT_EQ(std::count(out.bits.begin(), out.bits.end(), 0xFF), 64 * 8) << ToString(method);
  }
}

TEST(HalftoneTest, BitmapHasTheFaxLayout) {
  GreyImage page = Blank(13, 3, 0, 98);
  Bitmap out = ToBilevel(page, Halftone::kClusteredDot);
  EXPECT_EQ(out.width, 13);
  EXPECT_EQ(out.stride, 2);
  EXPECT_EQ(out.y_dpi, 98);
  EXPECT_EQ(out.bits[0], 0xFF);
  EXPECT_EQ(out.bits[1], 0xF8);  // 5 pixels, MSB first, padding clear
}

TEST(HalftoneTest, APageTakesAFewMilliseconds) {
  const GreyImage photo = PhotoLike(1728, 2292);
  for (Halftone method :
       {Halftone::kClusteredDot, Halftone::kErrorDiffusion, Halftone::kThreshold}) {
    auto start = std::chrono::steady_clock::now();
    constexpr int kRuns = 5;
    for (int i = 0; i < kRuns; ++i) (void)ToBilevel(photo, method);
    std::printf("ToBilevel %-9s 1728x2292: %.1f ms per page\n", ToString(method).data(),
                Milliseconds(std::chrono::steady_clock::now() - start) / kRuns);
  }
}

// ---- layout -----------------------------------------------------------------------------

std::vector<GreyImage> LayOut(GreyImage content, const PageFormat& f) {
  std::vector<GreyImage> pages;
  Status status = LayOutPages(std::move(content), f, [&](GreyImage&& page) {
    pages.push_back(std::move(page));
    return Status::Ok();
  });
  EXPECT_TRUE(status.ok()) << status.error().message;
  return pages;
}

TEST(PageLayoutTest, ShortContentIsCentredOnOneFullPage) {
  GreyImage content = Blank(1687, 500, 0);
  std::vector<GreyImage> pages = LayOut(content, Format(Resolution::kFine));
  ASSERT_EQ(pages.size(), 1u);
  const GreyImage& page = pages[0];
  EXPECT_EQ(page.width, 1728);
  EXPECT_EQ(page.height, 2292);
  EXPECT_EQ(page.y_dpi, 196);
  EXPECT_EQ(page.at(19, 0), 255);
  EXPECT_EQ(page.at(20, 0), 0);
  EXPECT_EQ(page.at(20 + 1686, 499), 0);
  EXPECT_EQ(page.at(20 + 1687, 499), 255);
  EXPECT_EQ(page.at(100, 500), 255);
}

TEST(PageLayoutTest, TallContentIsSplitAndTheLastPagePadded) {
  GreyImage content = Blank(1728, 2292 * 2 + 10, 0);
  std::vector<GreyImage> pages = LayOut(content, Format(Resolution::kFine));
  ASSERT_EQ(pages.size(), 3u);
  EXPECT_EQ(pages[1].at(0, 2291), 0);
  EXPECT_EQ(pages[2].height, 2292);
  EXPECT_EQ(pages[2].at(0, 9), 0);
  EXPECT_EQ(pages[2].at(0, 10), 255);
}

TEST(PageLayoutTest, EmptyContentIsOneWhitePage) {
  std::vector<GreyImage> pages = LayOut(Blank(0, 0), Format(Resolution::kStandard));
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_EQ(pages[0].height, 1146);
}

TEST(PageLayoutTest, WideContentIsShrunkKeepingItsProportions) {
  GreyImage content = Blank(3456, 1000, 0);
  content.bilevel = true;
  std::vector<GreyImage> pages = LayOut(content, Format(Resolution::kStandard));
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_TRUE(pages[0].bilevel);
  EXPECT_EQ(pages[0].at(1727, 499), 0);
  EXPECT_EQ(pages[0].at(1727, 500), 255);
}

TEST(PageLayoutTest, B4PagesAre2048Wide) {
  std::vector<GreyImage> pages = LayOut(Blank(100, 100, 0), Format(Resolution::kFine, Paper::kB4));
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_EQ(pages[0].width, 2048);
  EXPECT_EQ(pages[0].at(974, 0), 0);
}

TEST(PageLayoutTest, SinkErrorStopsTheLayout) {
  int calls = 0;
  Status status = LayOutPages(Blank(1728, 5000), Format(Resolution::kFine), [&](GreyImage&&) {
    ++calls;
    return Status(MakeError(ErrorCode::kInvalidArgument, "too many pages"));
  });
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(calls, 1);
}

GreyImage Image(int width, int height, double dpi, uint8_t value = 128) {
  GreyImage image = Blank(width, height, value);
  image.x_dpi = dpi;
  image.y_dpi = dpi;
  return image;
}

TEST(ResampleTest, AnA4ScanAt300DpiFillsThePage) {
  auto out = ResampleToFax(Image(2480, 3508, 300), Format(Resolution::kFine), true);
  ASSERT_TRUE(out.ok());
  EXPECT_NEAR(out->width, 1687, 1);
  EXPECT_NEAR(out->height, 2292, 1);
  EXPECT_EQ(out->x_dpi, 204);
  EXPECT_EQ(out->y_dpi, 196);
  EXPECT_EQ(out->at(800, 1000), 128);  // a uniform area keeps its grey
}

TEST(ResampleTest, ASmallImageKeepsItsPhysicalSizeOnNonSquarePixels) {
  // 2 x 1 inches at 72 dpi.
  auto standard = ResampleToFax(Image(144, 72, 72), Format(Resolution::kStandard), true);
  ASSERT_TRUE(standard.ok());
  EXPECT_EQ(standard->width, 408);
  EXPECT_EQ(standard->height, 98);
  auto superfine = ResampleToFax(Image(144, 72, 72), Format(Resolution::kSuperfine), true);
  ASSERT_TRUE(superfine.ok());
  EXPECT_EQ(superfine->height, 391);
}

TEST(ResampleTest, AnImageWithoutResolutionIsFittedToThePage) {
  auto wide = ResampleToFax(Image(1000, 500, 0), Format(Resolution::kFine), false);
  ASSERT_TRUE(wide.ok());
  EXPECT_EQ(wide->width, 1687);
  EXPECT_NEAR(wide->height, 810, 1);
  // A phone photo on Letter: fitted to the height, so it does not spill onto a second page.
  auto photo =
      ResampleToFax(Image(3024, 4032, 0), Format(Resolution::kFine, Paper::kLetter), false);
  ASSERT_TRUE(photo.ok());
  EXPECT_LE(photo->height, Format(Resolution::kFine, Paper::kLetter).height_rows());
  // A long receipt keeps the width fit and runs over pages.
  auto receipt = ResampleToFax(Image(500, 5000, 0), Format(Resolution::kFine), false);
  ASSERT_TRUE(receipt.ok());
  EXPECT_EQ(receipt->width, 1687);
}

TEST(ResampleTest, LandscapeImagesTurnCounterClockwise) {
  GreyImage image = Image(3000, 2000, 300, 255);
  image.pixels[0] = 0;  // top-left corner
  auto out = ResampleToFax(image, Format(Resolution::kFine), true);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->width, 1360);                  // 6.67 inches
  EXPECT_EQ(out->height, 1960);                 // 10 inches
  EXPECT_LT(out->at(0, out->height - 1), 255);  // now bottom-left
  auto kept = ResampleToFax(image, Format(Resolution::kFine), false);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->width, 1687);
}

TEST(ResampleTest, AreaAveragingKeepsTheMeanOfAFinePattern) {
  GreyImage checker = Image(2000, 2000, 600, 255);
  for (int y = 0; y < 2000; ++y) {
    for (int x = (y & 1); x < 2000; x += 2) checker.pixels[y * 2000 + x] = 0;
  }
  auto out = ResampleToFax(checker, Format(Resolution::kStandard), false);
  ASSERT_TRUE(out.ok());
  EXPECT_NEAR(out->at(out->width / 2, out->height / 2), 128, 2);
}

TEST(ResampleTest, AnEmptyImageIsAnError) {
  EXPECT_FALSE(ResampleToFax(GreyImage{}, Format(Resolution::kFine), true).ok());
}

// ---- writer -----------------------------------------------------------------------------

std::vector<Bitmap> TestPages(const PageFormat& f, int count) {
  std::vector<Bitmap> pages;
  for (int i = 0; i < count; ++i) {
    GreyImage text = TextLike(f.width_px(), f.height_rows(), 10 + i);
    text.y_dpi = f.y_dpi();
    pages.push_back(ToBilevel(text, Halftone::kThreshold));
  }
  return pages;
}

class FaxPageWriterTest : public ::testing::Test {
 protected:
  std::filesystem::path Write(const std::vector<Bitmap>& pages, const PageFormat& f) {
    auto path = dir_ / "out.tif";
    FaxPageWriter writer;
    EXPECT_TRUE(writer.Open(path, f).ok());
    for (const Bitmap& page : pages) EXPECT_TRUE(writer.Append(page).ok());
    EXPECT_EQ(writer.pages(), static_cast<int>(pages.size()));
    Status status = writer.Finish();
    EXPECT_TRUE(status.ok()) << status.error().message;
    return path;
  }
  TempDir dir_;
};

TEST_F(FaxPageWriterTest, PagesReadBackPixelExactWithTiffFTags) {
  const PageFormat f = Format(Resolution::kFine);
  const std::vector<Bitmap> pages = TestPages(f, 3);
  auto path = Write(pages, f);
  auto read = ReadBitmaps(path);
  ASSERT_TRUE(read.ok()) << read.error().message;
  ASSERT_EQ(read->size(), 3u);
  for (size_t i = 0; i < pages.size(); ++i) EXPECT_EQ((*read)[i], pages[i]) << "page " << i;

  auto info = InspectTiff(path, "out.tif");
  ASSERT_TRUE(info.ok());
  for (const TiffPageInfo& page : info->pages) {
    EXPECT_EQ(page.compression, "G4");
    EXPECT_EQ(page.width, 1728);
    EXPECT_EQ(page.x_dpi, 204);
    EXPECT_EQ(page.y_dpi, 196);
  }
  TIFF* tiff = TIFFOpen(path.c_str(), "r");
  ASSERT_NE(tiff, nullptr);
  for (uint16_t i = 0; i < 3; ++i) {
    uint16_t number = 99, total = 0, fill = 0, photometric = 9;
    uint32_t strips = TIFFNumberOfStrips(tiff);
    TIFFGetField(tiff, TIFFTAG_PAGENUMBER, &number, &total);
    TIFFGetField(tiff, TIFFTAG_FILLORDER, &fill);
    TIFFGetField(tiff, TIFFTAG_PHOTOMETRIC, &photometric);
    EXPECT_EQ(number, i);
    EXPECT_EQ(total, 3);
    EXPECT_EQ(fill, FILLORDER_LSB2MSB);
    EXPECT_EQ(photometric, PHOTOMETRIC_MINISWHITE);
    EXPECT_EQ(strips, 1u);
    if (i < 2) {
      ASSERT_TRUE(TIFFReadDirectory(tiff));
    }
  }
  TIFFClose(tiff);
}

TEST_F(FaxPageWriterTest, SpandspSendsThePagesUnchanged) {
  const PageFormat f = Format(Resolution::kStandard);
  const std::vector<Bitmap> pages = TestPages(f, 2);
  auto path = Write(pages, f);
  // t4_tx reads the file as for a call; t4_rx writes what it would have received.
  t4_tx_state_t* tx = t4_tx_init(nullptr, path.c_str(), -1, -1);
  ASSERT_NE(tx, nullptr);
  EXPECT_EQ(t4_tx_get_pages_in_file(tx), 2);
  t4_tx_set_tx_encoding(tx, T4_COMPRESSION_ITU_T4_2D);
  t4_tx_set_min_bits_per_row(tx, 0);
  auto received = dir_ / "received.tif";
  t4_rx_state_t* rx = t4_rx_init(nullptr, received.c_str(), T4_COMPRESSION_ITU_T4_2D);
  ASSERT_NE(rx, nullptr);
  t4_rx_set_rx_encoding(rx, T4_COMPRESSION_ITU_T4_2D);
  for (int page = 0; page < 2; ++page) {
    ASSERT_EQ(t4_tx_start_page(tx), 0);
    EXPECT_EQ(t4_tx_get_image_width(tx), 1728);
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
  auto read = ReadBitmaps(received);
  ASSERT_TRUE(read.ok()) << read.error().message;
  ASSERT_EQ(read->size(), 2u);
  for (size_t i = 0; i < pages.size(); ++i) EXPECT_EQ((*read)[i], pages[i]) << "page " << i;
}

TEST_F(FaxPageWriterTest, NothingIsWrittenWithoutPages) {
  FaxPageWriter writer;
  ASSERT_TRUE(writer.Open(dir_ / "none.tif", Format(Resolution::kFine)).ok());
  EXPECT_FALSE(writer.Finish().ok());
  EXPECT_FALSE(std::filesystem::exists(dir_ / "none.tif"));
}

TEST_F(FaxPageWriterTest, APageOfTheWrongWidthIsRefused) {
  FaxPageWriter writer;
  ASSERT_TRUE(writer.Open(dir_ / "b4.tif", Format(Resolution::kFine, Paper::kB4)).ok());
  Status status = writer.Append(TestPages(Format(Resolution::kFine), 1)[0]);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.error().message, HasSubstr("1728 pixels wide; b4 paper needs 2048"));
}

TEST_F(FaxPageWriterTest, EncodingAPageTakesAFewMilliseconds) {
  const PageFormat f = Format(Resolution::kFine);
  const Bitmap text = TestPages(f, 1)[0];
  const Bitmap photo = ToBilevel(PhotoLike(1728, 2292), Halftone::kClusteredDot);
  const Bitmap diffused = ToBilevel(PhotoLike(1728, 2292), Halftone::kErrorDiffusion);
  for (auto [name, page] : {std::pair{"text", &text}, std::pair{"cluster photo", &photo},
                            std::pair{"diffused photo", &diffused}}) {
    FaxPageWriter writer;
    ASSERT_TRUE(writer.Open(dir_ / "timing.tif", f).ok());
    constexpr int kRuns = 5;
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kRuns; ++i) ASSERT_TRUE(writer.Append(*page).ok());
    const double ms = Milliseconds(std::chrono::steady_clock::now() - start) / kRuns;
    std::printf("G4 %-14s 1728x2292: %.1f ms per page, %zu KB\n", name, ms,
                writer.encoded_bytes() / kRuns / 1024);
    ASSERT_TRUE(writer.Finish().ok());
  }
}

}  // namespace
}  // namespace faxgate
