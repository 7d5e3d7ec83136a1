#include "document/tag_line.h"

#include <cairo.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace faxgate {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

// 2026-11-22 08:15:30 UTC
const TimePoint kTime = TimePoint(std::chrono::seconds(1795335330));

TagFields Fields() {
  TagFields t;
  t.local_ident = "+86 755 8323 5170";
  t.fax_number = "+8675583235170";
  t.destination = "83235180";
  t.sender = "张三";
  t.recipient = "Alice";
  t.to_company = "Acme";
  t.job_id = "42";
  t.page = 3;
  t.total = 7;
  t.time = kTime;
  t.utc_offset = hours(8);
  return t;
}

Bitmap BlankPage(const PageFormat& f) {
  Bitmap b;
  b.width = f.width_px();
  b.height = f.height_rows();
  b.stride = (b.width + 7) / 8;
  b.x_dpi = f.x_dpi();
  b.y_dpi = f.y_dpi();
  b.bits.assign(static_cast<size_t>(b.stride) * b.height, 0);
  return b;
}

int64_t InkRows(const Bitmap& b, int y0, int y1) {
  int64_t n = 0;
  for (int y = y0; y < y1; ++y)
    for (int i = 0; i < b.stride; ++i)
      n += __builtin_popcount(b.bits[static_cast<size_t>(y) * b.stride + i]);
  return n;
}

// Ink in the columns [x0, x1) of the top `rows` rows.
int64_t InkColumns(const Bitmap& b, int rows, int x0, int x1) {
  int64_t n = 0;
  for (int y = 0; y < rows; ++y)
    for (int x = x0; x < x1; ++x)
      n += (b.bits[static_cast<size_t>(y) * b.stride + x / 8] >> (7 - x % 8)) & 1;
  return n;
}

void SavePreview(const Bitmap& b, int rows, const std::string& name) {
  const char* dir = std::getenv("FAXGATE_DOC_PREVIEWS");
  if (!dir) return;
  std::filesystem::create_directories(dir);
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, b.width, rows);
  auto* data = cairo_image_surface_get_data(s);
  for (int y = 0; y < rows; ++y) {
    auto* row = reinterpret_cast<uint32_t*>(data + static_cast<size_t>(y) *
                                                       cairo_image_surface_get_stride(s));
    for (int x = 0; x < b.width; ++x)
      row[x] =
          (b.bits[static_cast<size_t>(y) * b.stride + x / 8] >> (7 - x % 8)) & 1 ? 0 : 0xFFFFFF;
  }
  cairo_surface_mark_dirty(s);
  cairo_surface_write_to_png(s, (std::string(dir) + "/" + name + ".png").c_str());
  cairo_surface_destroy(s);
}

TEST(FormatTagLineTest, TheRequiredFormat) {
  EXPECT_EQ(FormatTagLine("From %%l|%c|Page %%P of %%T", Fields()),
            "From +86 755 8323 5170|Sun Nov 22 16:15:30 2026|Page 3 of 7");
}

TEST(FormatTagLineTest, HylaFaxDefaultFormat) {
  EXPECT_EQ(FormatTagLine("From %%n|%c|Page %%P of %%T", Fields()),
            "From +8675583235170|Sun Nov 22 16:15:30 2026|Page 3 of 7");
}

TEST(FormatTagLineTest, FaxCodes) {
  TagFields t = Fields();
  t.call_page = 1;
  t.call_total = 5;
  EXPECT_EQ(FormatTagLine("%%s to %%r (%%c) at %%d, job %%i", t),
            "张三 to Alice (Acme) at 83235180, job 42");
  EXPECT_EQ(FormatTagLine("%%p/%%t of a resumed job, %%P/%%T in all", t),
            "1/5 of a resumed job, 3/7 in all");
  t.call_page = t.call_total = 0;
  EXPECT_EQ(FormatTagLine("%%p/%%t", t), "3/7");
}

TEST(FormatTagLineTest, StrftimeCodesInTheGivenZone) {
  TagFields t = Fields();
  EXPECT_EQ(FormatTagLine("%Y-%m-%d %H:%M %z %Z", t), "2026-11-22 16:15 +0800 +08");
  t.utc_offset = minutes(-(3 * 60 + 30));
  EXPECT_EQ(FormatTagLine("%d.%m.%y %H:%M %z", t), "22.11.26 04:45 -0330");
}

TEST(FormatTagLineTest, PercentSignsAndUnknownCodes) {
  EXPECT_EQ(FormatTagLine("100%% %%x %", Fields()), "100% %x %");
}

TEST(FormatTagLineTest, FieldValuesCannotAddFieldsOrLines) {
  TagFields t = Fields();
  t.sender = "A|B\nC %c";
  EXPECT_EQ(FormatTagLine("%%s", t), "A/B C %c");
}

class StampTagLineTest : public ::testing::Test {
 protected:
  static std::string Line() { return FormatTagLine("From %%l|%c|Page %%P of %%T", Fields()); }
};

TEST_F(StampTagLineTest, KeepsGeometryAndChangesOnlyTheTopBand) {
  for (Resolution r : {Resolution::kStandard, Resolution::kFine, Resolution::kSuperfine}) {
    for (Paper paper : {Paper::kA4, Paper::kB4}) {
      const PageFormat f{.paper = paper, .resolution = r};
      Bitmap page = BlankPage(f);
      // Black everywhere, so the band's whitening shows too.
      std::fill(page.bits.begin(), page.bits.end(), 0xFF);
      const Bitmap before = page;
      ASSERT_TRUE(StampTagLine(page, Line(), f).ok());
      EXPECT_EQ(page.width, before.width);
      EXPECT_EQ(page.height, before.height);
      EXPECT_EQ(page.bits.size(), before.bits.size());
      const int rows = TagLineRows(f);
      const size_t band_bytes = static_cast<size_t>(rows) * page.stride;
      EXPECT_TRUE(std::equal(page.bits.begin() + band_bytes, page.bits.end(),
                             before.bits.begin() + band_bytes));
      const int64_t ink = InkRows(page, 0, rows);
      EXPECT_GT(ink, 0);
      EXPECT_LT(ink, static_cast<int64_t>(rows) * page.width / 4);  // mostly white now
    }
  }
}

TEST_F(StampTagLineTest, BandIsAFixedFractionOfAnInch) {
  EXPECT_EQ(TagLineRows({.resolution = Resolution::kStandard}), 14);
  EXPECT_EQ(TagLineRows({.resolution = Resolution::kFine}), 28);
  EXPECT_EQ(TagLineRows({.resolution = Resolution::kSuperfine}), 55);
}

TEST_F(StampTagLineTest, FieldsAreSpreadAcrossTheLine) {
  const PageFormat f{.resolution = Resolution::kFine};
  Bitmap page = BlankPage(f);
  ASSERT_TRUE(StampTagLine(page, "left|middle|right", f).ok());
  const int third = page.width / 3;
  const int rows = TagLineRows(f);
  EXPECT_GT(InkColumns(page, rows, 0, third), 0);
  EXPECT_GT(InkColumns(page, rows, third, 2 * third), 0);
  EXPECT_GT(InkColumns(page, rows, 2 * third, page.width), 0);
  // Each field is centred in its third: nothing at the very ends.
  EXPECT_EQ(InkColumns(page, rows, 0, 150), 0);

  Bitmap aligned = BlankPage(f);
  ASSERT_TRUE(StampTagLine(aligned, "{left|}right", f).ok());
  EXPECT_GT(InkColumns(aligned, rows, 0, 150), 0);
  EXPECT_GT(InkColumns(aligned, rows, page.width - 150, page.width), 0);
}

TEST_F(StampTagLineTest, ChineseIsDrawn) {
  const PageFormat f{.resolution = Resolution::kStandard};
  Bitmap page = BlankPage(f);
  ASSERT_TRUE(StampTagLine(page, "发件人：深圳市某某贸易有限公司|第 3 页，共 7 页", f).ok());
  EXPECT_GT(InkRows(page, 0, TagLineRows(f)), 300);
}

TEST_F(StampTagLineTest, TooLongTextStaysOnOneLineInItsField) {
  const PageFormat f{.resolution = Resolution::kFine};
  Bitmap page = BlankPage(f);
  std::string long_field;
  for (int i = 0; i < 100; ++i) long_field += "很长的字段";
  ASSERT_TRUE(StampTagLine(page, long_field + "|right", f).ok());
  // The first field ends with an ellipsis before the middle of the line; the second is intact.
  EXPECT_EQ(InkColumns(page, TagLineRows(f), page.width / 2 - 4, page.width / 2 + 4), 0);
  EXPECT_GT(InkColumns(page, TagLineRows(f), page.width / 2, page.width), 0);
}

TEST_F(StampTagLineTest, MalformedBitmapIsAnError) {
  Bitmap page;
  EXPECT_FALSE(StampTagLine(page, "x", {}).ok());
}

TEST_F(StampTagLineTest, Previews) {
  for (Resolution r : {Resolution::kStandard, Resolution::kFine}) {
    const PageFormat f{.resolution = r};
    Bitmap page = BlankPage(f);
    TagFields t = Fields();
    t.local_ident = "深圳市某某贸易有限公司 +86 755 8323 5170";
    ASSERT_TRUE(
        StampTagLine(page, FormatTagLine("From %%l|%Y-%m-%d %H:%M|Page %%P of %%T", t), f).ok());
    SavePreview(page, TagLineRows(f) + 10, "tagline-" + std::string(ToString(r)));
  }
}

TEST_F(StampTagLineTest, StampTime) {
  const PageFormat f{.resolution = Resolution::kFine};
  Bitmap page = BlankPage(f);
  const std::string line = Line();
  const int n = 50;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) ASSERT_TRUE(StampTagLine(page, line, f).ok());
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("tag line stamp: %.2f ms per page\n", ms / n);
}

}  // namespace
}  // namespace faxgate
