#include <cairo.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "document/cover_page.h"
#include "document/cover_templates.h"

namespace faxgate {
namespace {

using ::testing::HasSubstr;

CoverFields Fields() {
  CoverFields c;
  c.to_name = "王小明 (Wang Xiaoming)";
  c.to_fax = "+86 755 8323 5180";
  c.to_company = "深圳市华强电子有限公司";
  c.from_name = "Alice Smith";
  c.from_company = "Acme Trading Co., Ltd. 艾克美贸易";
  c.from_phone = "+1 604 555 0100";
  c.from_fax = "+1 604 555 0101";
  c.from_email = "alice@acme.example";
  c.title = "Quotation & contract <draft>";
  c.subject = "报价单和合同 / Quotation and contract";
  c.comments =
      "您好！附件是本月的报价单和合同草案，请查收。如有任何问题，请随时与我们联系。\n"
      "\n"
      "Please sign page 3 and fax it back by Friday. Thank you!";
  c.date = "2026-11-22 16:15";
  c.pages = "4";
  return c;
}

int64_t Ink(const GreyImage& page) {
  int64_t n = 0;
  for (uint8_t p : page.pixels) n += p < 128;
  return n;
}

void SavePreview(const GreyImage& page, const std::string& name) {
  const char* dir = std::getenv("FAXGATE_DOC_PREVIEWS");
  if (!dir) return;
  std::filesystem::create_directories(dir);
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, page.width, page.height);
  auto* data = cairo_image_surface_get_data(s);
  for (int y = 0; y < page.height; ++y) {
    auto* row = reinterpret_cast<uint32_t*>(data + static_cast<size_t>(y) *
                                                       cairo_image_surface_get_stride(s));
    for (int x = 0; x < page.width; ++x) row[x] = page.at(x, y) * 0x010101u;
  }
  cairo_surface_mark_dirty(s);
  cairo_surface_write_to_png(s, (std::string(dir) + "/" + name + ".png").c_str());
  cairo_surface_destroy(s);
}

std::string Svg(const std::string& body) {
  return R"(<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" )"
         R"(width="210mm" height="297mm" viewBox="0 0 210 297">)" +
         body + "</svg>";
}

TEST(CoverTemplatesTest, BuiltinsAreFoundByName) {
  ASSERT_EQ(BuiltinCoverTemplates().size(), 3u);
  for (const char* name : {"plain", "business", "chinese-business"}) {
    const CoverTemplate* t = FindBuiltinCoverTemplate(name);
    ASSERT_NE(t, nullptr) << name;
    EXPECT_EQ(t->name, name);
    EXPECT_FALSE(t->title.empty());
    EXPECT_TRUE(ValidateCoverTemplate(t->svg).ok()) << name;
  }
  EXPECT_EQ(FindBuiltinCoverTemplate("fancy"), nullptr);
}

TEST(CoverPageTest, EveryBuiltinRendersAtEveryFormatWithExactGeometry) {
  for (const CoverTemplate& t : BuiltinCoverTemplates()) {
    for (Paper paper : {Paper::kA4, Paper::kLetter, Paper::kB4}) {
      for (Resolution r : {Resolution::kStandard, Resolution::kFine, Resolution::kSuperfine}) {
        const PageFormat f{.paper = paper, .resolution = r};
        auto page = RenderCoverPage(t.svg, Fields(), f, t.name);
        ASSERT_TRUE(page.ok()) << page.error().message;
        EXPECT_EQ(page->width, f.width_px());
        EXPECT_EQ(page->height, f.height_rows());
        EXPECT_EQ(page->y_dpi, f.y_dpi());
        EXPECT_FALSE(page->bilevel);
        EXPECT_GT(Ink(*page), 1000) << t.name;
      }
    }
  }
}

TEST(CoverPageTest, PlaceholdersAreFilledIn) {
  const std::string svg = Svg(R"(<text x="20" y="40" font-size="8">{$TO_NAME}</text>)");
  CoverFields empty;
  CoverFields named;
  named.to_name = "A very long recipient name & company <with markup>";
  auto blank = RenderCoverPage(svg, empty, {});
  auto filled = RenderCoverPage(svg, named, {});
  ASSERT_TRUE(blank.ok()) << blank.error().message;
  ASSERT_TRUE(filled.ok()) << filled.error().message;
  EXPECT_EQ(Ink(*blank), 0);
  EXPECT_GT(Ink(*filled), 2000);
}

TEST(CoverPageTest, CommentsWrapInsideTheBox) {
  const std::string with_box =
      Svg(R"(<rect id="comments-box" x="20" y="40" width="80" height="100" fill="none"/>)");
  CoverFields c;
  for (int i = 0; i < 10; ++i) c.comments += "备注内容很长，需要自动换行。";
  auto page = RenderCoverPage(with_box, c, {});
  ASSERT_TRUE(page.ok()) << page.error().message;
  // All ink lies within the box: x 20..100 mm, y 40..140 mm.
  const PageFormat f;
  const double px_per_mm_x = 204 / 25.4, px_per_mm_y = f.y_dpi() / 25.4;
  const int x_offset = (f.width_px() - static_cast<int>(f.paper_width_in() * 204)) / 2;
  int64_t inside = 0, outside = 0;
  for (int y = 0; y < page->height; ++y) {
    for (int x = 0; x < page->width; ++x) {
      if (page->at(x, y) >= 128) continue;
      const double mx = (x - x_offset) / px_per_mm_x, my = y / px_per_mm_y;
      (mx >= 20 && mx <= 100 && my >= 40 && my <= 140 ? inside : outside)++;
    }
  }
  EXPECT_GT(inside, 5000);
  EXPECT_EQ(outside, 0);
}

TEST(CoverPageTest, CommentsWithoutABoxGoInlineOnOneLine) {
  const std::string svg = Svg(R"(<text x="20" y="40" font-size="6">{$COMMENTS}</text>)");
  CoverFields c;
  c.comments = "line one\nline two";
  auto page = RenderCoverPage(svg, c, {});
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_GT(Ink(*page), 500);
}

TEST(CoverPageTest, InvalidTemplateIsAnErrorNamingIt) {
  auto page = RenderCoverPage("<svg><text>unclosed", Fields(), {}, "acme-letterhead");
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(page.error().message, HasSubstr("acme-letterhead"));
  EXPECT_FALSE(ValidateCoverTemplate("not svg at all").ok());
}

TEST(CoverPageTest, OutsideReferencesAreRefused) {
  for (std::string body : {
           R"(<image href="file:///etc/passwd" width="10" height="10"/>)",
           R"(<image xlink:href="http://example.com/logo.png" width="10" height="10"/>)",
           R"(<image xlink:href = 'logo.png' width="10" height="10"/>)",
           R"svg(<rect width="10" height="10" fill="url(other.svg#paint)"/>)svg",
           R"svg(<style>@import url("https://example.com/a.css");</style>)svg",
       }) {
    Status s = ValidateCoverTemplate(Svg(body));
    ASSERT_FALSE(s.ok()) << body;
    EXPECT_THAT(s.error().message, HasSubstr("allowed")) << body;
    EXPECT_FALSE(RenderCoverPage(Svg(body), {}, {}).ok()) << body;
  }
  const std::string entity =
      R"(<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>)" +
      Svg("<text>&x;</text>");
  EXPECT_FALSE(ValidateCoverTemplate(entity).ok());
}

TEST(CoverPageTest, LocalReferencesAndDataUrlsAreAllowed) {
  const std::string body =
      R"(<defs><linearGradient id="g"><stop offset="0" stop-color="#000"/></linearGradient></defs>)"
      R"svg(<rect width="10" height="10" fill="url(#g)"/><use href="#g"/>)svg"
      R"(<image href="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABc3UBGAAAAABJRU5ErkJggg==" width="5" height="5"/>)";
  Status s = ValidateCoverTemplate(Svg(body));
  EXPECT_TRUE(s.ok()) << s.error().message;
}

TEST(CoverPageTest, UnknownPlaceholdersAndHugeTemplatesAreRefused) {
  Status s = ValidateCoverTemplate(Svg("<text>{$TO_NAEM}</text>"));
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("{$TO_NAEM}"));
  EXPECT_FALSE(ValidateCoverTemplate(Svg("<!--" + std::string(1 << 20, 'x') + "-->")).ok());
}

TEST(CoverPageTest, Previews) {
  for (const CoverTemplate& t : BuiltinCoverTemplates()) {
    const auto start = std::chrono::steady_clock::now();
    auto page = RenderCoverPage(t.svg, Fields(), {.resolution = Resolution::kFine}, t.name);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    ASSERT_TRUE(page.ok()) << page.error().message;
    std::printf("cover %s: %.1f ms at fine\n", t.name.c_str(), ms);
    SavePreview(*page, "cover-" + t.name);
  }
}

}  // namespace
}  // namespace faxgate
