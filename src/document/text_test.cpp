#include <cairo.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <iconv.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "document/text_decode.h"
#include "document/text_pages.h"

namespace faxgate {
namespace {

using ::testing::HasSubstr;

// The bytes of UTF-8 `text` in `charset`, as a Windows editor would save them.
std::string Encode(const std::string& text, const char* charset) {
  iconv_t cd = iconv_open(charset, "UTF-8");
  EXPECT_NE(cd, reinterpret_cast<iconv_t>(-1)) << charset;
  std::string out(text.size() * 4 + 8, '\0');
  char* in = const_cast<char*>(text.data());
  size_t in_left = text.size();
  char* o = out.data();
  size_t out_left = out.size();
  EXPECT_NE(iconv(cd, &in, &in_left, &o, &out_left), static_cast<size_t>(-1)) << charset;
  iconv_close(cd);
  out.resize(out.size() - out_left);
  return out;
}

DecodedText Decode(const std::string& bytes) {
  auto text = DecodeText(bytes, "note.txt");
  EXPECT_TRUE(text.ok()) << text.error().message;
  return text.ok() ? *text : DecodedText{};
}

// Writes `page` as a PNG under $FAXGATE_DOC_PREVIEWS, for a person to look at.
void SavePreview(const GreyImage& page, const std::string& name) {
  const char* dir = std::getenv("FAXGATE_DOC_PREVIEWS");
  if (!dir) return;
  std::filesystem::create_directories(dir);
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, page.width, page.height);
  auto* data = cairo_image_surface_get_data(s);
  const int stride = cairo_image_surface_get_stride(s);
  for (int y = 0; y < page.height; ++y) {
    auto* row = reinterpret_cast<uint32_t*>(data + static_cast<size_t>(y) * stride);
    for (int x = 0; x < page.width; ++x) row[x] = page.at(x, y) * 0x010101u;
  }
  cairo_surface_mark_dirty(s);
  cairo_surface_write_to_png(s, (std::string(dir) + "/" + name + ".png").c_str());
  cairo_surface_destroy(s);
}

// ---- decoding ----

const std::string kChinese = "您好，这是一份测试传真，请查收附件中的合同和报价单。";

TEST(DecodeTextTest, Utf8ChineseIsTakenAsIs) {
  DecodedText t = Decode(kChinese + "\n");
  EXPECT_EQ(t.charset, "UTF-8");
  EXPECT_EQ(t.language, "zh-cn");
  EXPECT_EQ(t.utf8, kChinese + "\n");
}

TEST(DecodeTextTest, GbkChineseIsGb18030) {
  DecodedText t = Decode(Encode(kChinese, "GBK"));
  EXPECT_EQ(t.charset, "GB18030");
  EXPECT_EQ(t.language, "zh-cn");
  EXPECT_EQ(t.utf8, kChinese);
}

TEST(DecodeTextTest, ShortGbkWordsAreGb18030) {
  for (std::string word : {"中文", "传真", "合同", "你好", "谢谢"}) {
    DecodedText t = Decode(Encode(word, "GBK"));
    EXPECT_EQ(t.charset, "GB18030") << word;
    EXPECT_EQ(t.utf8, word);
  }
}

TEST(DecodeTextTest, GbkMixedWithAsciiIsGb18030) {
  const std::string text = "Invoice 2026-11 发票号码: 12345\r\n金额: 1,000.00 元\r\n";
  DecodedText t = Decode(Encode(text, "GBK"));
  EXPECT_EQ(t.charset, "GB18030");
  EXPECT_EQ(t.utf8, "Invoice 2026-11 发票号码: 12345\n金额: 1,000.00 元\n");
}

TEST(DecodeTextTest, CyrillicAndGreekUtf8StayUtf8) {
  for (std::string text : {"Привет, мир! Факс отправлен.", "Καλημέρα κόσμε", "ll", "Ünïcödé"}) {
    DecodedText t = Decode(text);
    EXPECT_EQ(t.charset, "UTF-8") << text;
    EXPECT_EQ(t.utf8, text);
  }
}

TEST(DecodeTextTest, Utf16WithByteOrderMarks) {
  const std::string text = "Fax 传真\n";
  DecodedText le = Decode("\xFF\xFE" + Encode(text, "UTF-16LE"));
  EXPECT_EQ(le.charset, "UTF-16LE");
  EXPECT_EQ(le.utf8, text);
  DecodedText be = Decode("\xFE\xFF" + Encode(text, "UTF-16BE"));
  EXPECT_EQ(be.charset, "UTF-16BE");
  EXPECT_EQ(be.utf8, text);
}

TEST(DecodeTextTest, Utf16WithoutByteOrderMark) {
  const std::string text = "Dear Sir, please find the contract. 合同\n";
  DecodedText le = Decode(Encode(text, "UTF-16LE"));
  EXPECT_EQ(le.charset, "UTF-16LE");
  EXPECT_EQ(le.utf8, text);
  DecodedText be = Decode(Encode(text, "UTF-16BE"));
  EXPECT_EQ(be.charset, "UTF-16BE");
  EXPECT_EQ(be.utf8, text);
}

TEST(DecodeTextTest, Utf8ByteOrderMarkIsDropped) {
  DecodedText t = Decode(
      "\xEF\xBB\xBF"
      "abc");
  EXPECT_EQ(t.charset, "UTF-8");
  EXPECT_EQ(t.utf8, "abc");
}

TEST(DecodeTextTest, Big5IsTraditionalChinese) {
  const std::string text = "這是繁體中文的傳真文件，請查收。";
  DecodedText t = Decode(Encode(text, "BIG5"));
  EXPECT_EQ(t.charset, "Big5");
  EXPECT_EQ(t.language, "zh-tw");
  EXPECT_EQ(t.utf8, text);
}

TEST(DecodeTextTest, ShiftJisIsJapanese) {
  const std::string text = "これは日本語のファックスです。よろしくお願いします。";
  DecodedText t = Decode(Encode(text, "SHIFT_JIS"));
  EXPECT_EQ(t.charset, "Shift_JIS");
  EXPECT_EQ(t.language, "ja");
  EXPECT_EQ(t.utf8, text);
}

TEST(DecodeTextTest, EucKrIsKorean) {
  const std::string text = "안녕하세요. 팩스를 보내 드립니다. 감사합니다.";
  DecodedText t = Decode(Encode(text, "EUC-KR"));
  EXPECT_EQ(t.charset, "EUC-KR");
  EXPECT_EQ(t.language, "ko");
  EXPECT_EQ(t.utf8, text);
}

TEST(DecodeTextTest, Latin1IsWindows1252) {
  const std::string text = "Café crème brûlée à la carte, résumé, été.\n";
  DecodedText t = Decode(Encode(text, "ISO-8859-1"));
  EXPECT_EQ(t.charset, "windows-1252");
  EXPECT_EQ(t.language, "");
  EXPECT_EQ(t.utf8, text);
}

TEST(DecodeTextTest, LanguageFollowsTheScript) {
  EXPECT_EQ(Decode("這是繁體中文的傳真").language, "zh-tw");
  EXPECT_EQ(Decode("日本語のテキスト").language, "ja");
  EXPECT_EQ(Decode("한국어 텍스트").language, "ko");
  EXPECT_EQ(Decode("plain English").language, "");
}

TEST(DecodeTextTest, LineEndsTabsAndControlsAreNormalised) {
  EXPECT_EQ(Decode("a\r\nb\rc\n").utf8, "a\nb\nc\n");
  EXPECT_EQ(Decode("ab\tc").utf8, "ab      c");
  EXPECT_EQ(Decode("中\tx").utf8, "中      x");  // a wide character takes two columns
  EXPECT_EQ(Decode("one\ftwo, and a stray escape character here\x1B").utf8,
            "one\ftwo, and a stray escape character here");
}

TEST(DecodeTextTest, BinaryIsRefused) {
  const std::string with_nul("PK\x03\x04\0\0\x08\0\x08\0", 10);
  auto zip = DecodeText(with_nul, "report.zip");
  ASSERT_FALSE(zip.ok());
  EXPECT_EQ(zip.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(zip.error().message, "report.zip does not look like text");

  std::string controls;
  for (int i = 0; i < 200; ++i) controls += static_cast<char>(1 + i % 8);
  EXPECT_FALSE(DecodeText(controls, "x.bin").ok());
}

TEST(DecodeTextTest, EmptyTextIsEmpty) {
  DecodedText t = Decode("");
  EXPECT_EQ(t.utf8, "");
}

// ---- rendering ----

class TextPagesTest : public ::testing::Test {
 protected:
  Status Render(const std::string& utf8, PageFormat f = {}, TextStyle style = {}) {
    pages_.clear();
    DecodedText text = Decode(utf8);
    return RenderTextPages(text, f, style, [this](GreyImage&& page) {
      pages_.push_back(std::move(page));
      return Status::Ok();
    });
  }
  static std::string Lines(int n, const std::string& line) {
    std::string s;
    for (int i = 0; i < n; ++i) s += std::to_string(i + 1) + " " + line + "\n";
    return s;
  }
  static int64_t Ink(const GreyImage& page, int y0 = 0, int y1 = -1) {
    if (y1 < 0) y1 = page.height;
    int64_t n = 0;
    for (int y = y0; y < y1; ++y)
      for (int x = 0; x < page.width; ++x) n += page.at(x, y) == 0;
    return n;
  }
  std::vector<GreyImage> pages_;
};

TEST_F(TextPagesTest, PagesHaveTheExactGeometryOfEveryFormat) {
  for (Paper paper : {Paper::kA4, Paper::kLetter, Paper::kB4}) {
    for (Resolution r : {Resolution::kStandard, Resolution::kFine, Resolution::kSuperfine}) {
      const PageFormat f{.paper = paper, .resolution = r};
      ASSERT_TRUE(Render("Hello 你好\n", f).ok());
      ASSERT_EQ(pages_.size(), 1u);
      const GreyImage& page = pages_[0];
      EXPECT_EQ(page.width, f.width_px()) << ToString(paper) << " " << ToString(r);
      EXPECT_EQ(page.height, f.height_rows()) << ToString(paper) << " " << ToString(r);
      EXPECT_EQ(page.x_dpi, 204);
      EXPECT_EQ(page.y_dpi, f.y_dpi());
      EXPECT_TRUE(page.bilevel);
      EXPECT_GT(Ink(page), 0);
    }
  }
}

TEST_F(TextPagesTest, PixelsArePureBlackOrWhite) {
  ASSERT_TRUE(
      Render("Grey edges would show here: 传真 ABC abc 123\n", {.resolution = Resolution::kFine})
          .ok());
  for (uint8_t p : pages_[0].pixels) ASSERT_TRUE(p == 0 || p == 255);
}

TEST_F(TextPagesTest, LongTextFillsSeveralPagesTheSameAtEveryResolution) {
  const std::string text = Lines(300, "The quick brown fox jumps over the lazy dog.");
  std::vector<size_t> counts;
  for (Resolution r : {Resolution::kStandard, Resolution::kFine, Resolution::kSuperfine}) {
    ASSERT_TRUE(Render(text, {.resolution = r}).ok());
    counts.push_back(pages_.size());
    for (const GreyImage& page : pages_) EXPECT_GT(Ink(page), 0);
  }
  // About 53 lines of 10 pt fit on an A4 page between the margins.
  EXPECT_GE(counts[0], 5u);
  EXPECT_LE(counts[0], 7u);
  EXPECT_EQ(counts[1], counts[0]);
  EXPECT_EQ(counts[2], counts[0]);
}

TEST_F(TextPagesTest, LongLinesWrapInsteadOfRunningOffThePage) {
  std::string line;
  for (int i = 0; i < 40; ++i) line += "这是一段很长的中文文本，";
  ASSERT_TRUE(Render(line).ok());
  ASSERT_EQ(pages_.size(), 1u);
  const PageFormat f;
  const GreyImage& page = pages_[0];
  // Nothing within 10 mm of the paper's right edge (the margin is 15 mm).
  const int paper_right = (f.width_px() + static_cast<int>(f.paper_width_in() * 204)) / 2;
  const int limit = paper_right - static_cast<int>(10 / 25.4 * 204);
  int64_t outside = 0;
  for (int y = 0; y < page.height; ++y)
    for (int x = limit; x < page.width; ++x) outside += page.at(x, y) == 0;
  EXPECT_EQ(outside, 0);
  EXPECT_GT(Ink(page), 0);
}

TEST_F(TextPagesTest, FormFeedStartsANewPage) {
  ASSERT_TRUE(Render("page one\fpage two").ok());
  EXPECT_EQ(pages_.size(), 2u);
  ASSERT_TRUE(Render("only page\n\f").ok());
  EXPECT_EQ(pages_.size(), 1u);
  ASSERT_TRUE(Render("one\f\fthree").ok());
  ASSERT_EQ(pages_.size(), 3u);
  EXPECT_EQ(Ink(pages_[1]), 0);
}

TEST_F(TextPagesTest, EmptyTextIsOneBlankPage) {
  ASSERT_TRUE(Render("").ok());
  ASSERT_EQ(pages_.size(), 1u);
  EXPECT_EQ(Ink(pages_[0]), 0);
}

TEST_F(TextPagesTest, TooManyPagesIsAnError) {
  TextStyle style;
  style.max_pages = 2;
  Status s = Render(Lines(300, "line"), {}, style);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("more than 2 pages"));
  EXPECT_EQ(pages_.size(), 2u);
}

TEST_F(TextPagesTest, SinkErrorStopsRendering) {
  int calls = 0;
  Status s = RenderTextPages(Decode(Lines(300, "x")), {}, {}, [&](GreyImage&&) {
    ++calls;
    return Status(MakeError(ErrorCode::kIo, "disk full"));
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "disk full");
  EXPECT_EQ(calls, 1);
}

TEST_F(TextPagesTest, ChineseTextInksBelowTheTagLineBand) {
  const PageFormat f{.resolution = Resolution::kStandard};
  ASSERT_TRUE(Render("中文传真\n", f).ok());
  const GreyImage& page = pages_[0];
  const int top = static_cast<int>(12 / 25.4 * f.y_dpi());  // the top margin
  EXPECT_EQ(Ink(page, 0, top), 0);  // the tag line band and margin stay white
  EXPECT_GT(Ink(page, top, top + 20), 200);
  EXPECT_EQ(Ink(page, top + 20, page.height), 0);
}

// Counts the separate bands of rows with ink between y0 and y1.
int InkBands(const GreyImage& page, int y0, int y1) {
  int bands = 0;
  bool previous = false;
  for (int y = y0; y < y1; ++y) {
    bool ink = false;
    for (int x = 0; x < page.width && !ink; ++x) ink = page.at(x, y) == 0;
    bands += ink && !previous;
    previous = ink;
  }
  return bands;
}

TEST_F(TextPagesTest, ThinHorizontalStrokesSurviveStandardResolution) {
  // 三 is three horizontal strokes; without anti-aliasing each must still be drawn at 98 lpi.
  const PageFormat f{.resolution = Resolution::kStandard};
  ASSERT_TRUE(Render("三\n", f).ok());
  EXPECT_EQ(InkBands(pages_[0], 0, pages_[0].height), 3);
  ASSERT_TRUE(Render("二\n", f).ok());
  EXPECT_EQ(InkBands(pages_[0], 0, pages_[0].height), 2);
}

TEST_F(TextPagesTest, Previews) {
  const std::string text =
      "传真 FAX — 中文文本页面预览\n"
      "\n"
      "尊敬的客户：\n"
      "\t您好！感谢您对我们产品的关注。附件是本月的报价单和合同草案，请查收。"
      "如有任何问题，请随时与我们联系。我们将在收到您的确认后安排发货。\n"
      "\n"
      "项目\t数量\t单价（元）\n"
      "打印纸 A4\t100\t25.00\n"
      "墨盒\t12\t180.50\n"
      "\n"
      "The quick brown fox jumps over the lazy dog. 0123456789 e e e the be used\n"
      "繁體：這是繁體中文。日本語：これは日本語です。한국어: 안녕하세요.\n"
      "三二一 十 土 王 目 田 画 量 重 書 — thin strokes at 98 lpi\n";
  for (Resolution r : {Resolution::kStandard, Resolution::kFine}) {
    ASSERT_TRUE(Render(text, {.resolution = r}).ok());
    SavePreview(pages_[0], "text-" + std::string(ToString(r)));
  }
}

TEST_F(TextPagesTest, ThousandChineseLinesAtFine) {
  std::string text;
  for (int i = 0; i < 1000; ++i)
    text += "第" + std::to_string(i + 1) + "行：这是一份用于测量速度的中文传真文本。\n";
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(Render(text, {.resolution = Resolution::kFine}).ok());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("1000 Chinese lines: %zu pages in %.3f s (%.1f pages/s)\n", pages_.size(), seconds,
              static_cast<double>(pages_.size()) / seconds);
  EXPECT_GT(pages_.size(), 15u);
}

}  // namespace
}  // namespace faxgate
