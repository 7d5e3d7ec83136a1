#include "document/text_pages.h"

#include <cairo.h>
#include <pango/pangocairo.h>

#include <memory>
#include <string_view>
#include <utility>
#include <vector>
#include "document/crisp_text.h"

namespace faxgate {
namespace {

constexpr double kPointsPerInch = 72.0;
constexpr double kMmPerInch = 25.4;
// Text is laid out in blocks of at most this many source lines, so a long file never becomes
// one huge Pango layout and pages leave as soon as they are full.
constexpr int kLinesPerBlock = 200;

double MmToPoints(double mm) { return mm / kMmPerInch * kPointsPerInch; }

// The Noto CJK families come in one variant per region; the one matching the text's language
// draws its characters the way readers there expect (e.g. 直 and 骨 differ between SC and JP).
std::string FontForLanguage(std::string font, std::string_view language) {
  const std::string_view suffix = " CJK SC";
  const size_t at = font.find(suffix);
  if (at == std::string::npos) return font;
  std::string_view variant = " CJK SC";
  if (language == "ja") variant = " CJK JP";
  if (language == "ko") variant = " CJK KR";
  if (language == "zh-tw") variant = " CJK TC";
  return font.replace(at, suffix.size(), variant);
}

// Splits at form feeds. A form feed at the very end does not make a blank last page.
std::vector<std::string_view> SplitPages(std::string_view text) {
  std::vector<std::string_view> sections;
  size_t start = 0;
  for (size_t ff; (ff = text.find('\f', start)) != std::string_view::npos; start = ff + 1)
    sections.push_back(text.substr(start, ff - start));
  if (start < text.size() || sections.empty()) sections.push_back(text.substr(start));
  return sections;
}

// The next block of at most kLinesPerBlock lines of `rest` (without its final line break),
// advancing `rest` past it.
std::string_view NextBlock(std::string_view& rest) {
  size_t end = 0;
  for (int lines = 0; lines < kLinesPerBlock; ++lines) {
    end = rest.find('\n', end);
    if (end == std::string_view::npos) {
      std::string_view block = rest;
      rest = {};
      return block;
    }
    if (lines + 1 < kLinesPerBlock) ++end;
  }
  std::string_view block = rest.substr(0, end);
  rest.remove_prefix(end + 1);
  return block;
}

// Draws lines onto one page surface after another, handing each full page to the sink.
class TextPager {
 public:
  TextPager(const PageFormat& f, const TextStyle& style, std::string_view language,
            const GreySink& sink)
      : f_(f), style_(style), sink_(sink) {
    surface_.reset(cairo_image_surface_create(CAIRO_FORMAT_A8, f.width_px(), f.height_rows()));
    cr_.reset(cairo_create(surface_.get()));
    // One user-space unit is one point on paper, whatever the resolution.
    cairo_scale(cr_.get(), f.x_dpi() / kPointsPerInch, f.y_dpi() / kPointsPerInch);
    cairo_set_antialias(cr_.get(), CAIRO_ANTIALIAS_NONE);
    ConfigureLayout(language);
    const double scan_line_pt = f.width_px() / f.x_dpi() * kPointsPerInch;
    const double paper_w_pt = f.paper_width_in() * kPointsPerInch;
    left_pt_ = (scan_line_pt - paper_w_pt) / 2 + MmToPoints(style.margin_left_mm);
    top_pt_ = MmToPoints(style.margin_top_mm);
    body_h_pt_ =
        f.paper_height_in() * kPointsPerInch - top_pt_ - MmToPoints(style.margin_bottom_mm);
  }

  bool ok() const { return cairo_surface_status(surface_.get()) == CAIRO_STATUS_SUCCESS; }

  // Lays out one paragraph block and draws its lines, starting new pages as they fill.
  Status DrawBlock(std::string_view block) {
    pango_layout_set_text(layout_.get(), block.data(), static_cast<int>(block.size()));
    PangoLayoutIter* iter = pango_layout_get_iter(layout_.get());
    Status status;
    do {
      PangoRectangle logical;
      pango_layout_iter_get_line_extents(iter, nullptr, &logical);
      const double line_top = logical.y / double{PANGO_SCALE};
      const double line_h = logical.height / double{PANGO_SCALE};
      const double baseline = pango_layout_iter_get_baseline(iter) / double{PANGO_SCALE};
      if (lines_on_page_ > 0 && cursor_pt_ + line_h > body_h_pt_) {
        status = FinishPage();
        if (!status.ok()) break;
      }
      cairo_move_to(cr_.get(), left_pt_, top_pt_ + cursor_pt_ + (baseline - line_top));
      pango_cairo_show_layout_line(cr_.get(), pango_layout_iter_get_line_readonly(iter));
      cursor_pt_ += line_h;
      ++lines_on_page_;
    } while (pango_layout_iter_next_line(iter));
    pango_layout_iter_free(iter);
    return status;
  }

  // Hands the current page to the sink, even an empty one, and starts a blank page.
  Status FinishPage() {
    if (++pages_ > style_.max_pages) {
      return MakeError(ErrorCode::kInvalidArgument, "the text needs more than " +
                                                        std::to_string(style_.max_pages) +
                                                        " pages, the most one document may have");
    }
    FG_RETURN_IF_ERROR(sink_(TakePage()));
    cursor_pt_ = 0;
    lines_on_page_ = 0;
    return Status::Ok();
  }

 private:
  // The layout gets a context of its own in plain points (72 per inch, no transformation):
  // one made from the page's cairo_t would take its non-uniform scale (204 x 98 dpi) into
  // the metrics and lay the text out wider than it is. Glyphs are still rasterised at the
  // page's real resolution, under its transformation, when the lines are shown.
  void ConfigureLayout(std::string_view language) {
    Owned<PangoContext> context = CrispPangoContext(language);
    layout_.reset(pango_layout_new(context.get()));
    Owned<PangoFontDescription> font(
        pango_font_description_from_string(FontForLanguage(style_.font, language).c_str()));
    pango_layout_set_font_description(layout_.get(), font.get());
    const double paper_w_pt = f_.paper_width_in() * kPointsPerInch;
    const double width_pt =
        paper_w_pt - MmToPoints(style_.margin_left_mm) - MmToPoints(style_.margin_right_mm);
    pango_layout_set_width(layout_.get(), static_cast<int>(width_pt * PANGO_SCALE));
    pango_layout_set_wrap(layout_.get(), PANGO_WRAP_WORD_CHAR);
  }

  GreyImage TakePage() {
    cairo_surface_flush(surface_.get());
    GreyImage page;
    page.width = f_.width_px();
    page.height = f_.height_rows();
    page.x_dpi = f_.x_dpi();
    page.y_dpi = f_.y_dpi();
    page.bilevel = true;
    page.pixels.resize(static_cast<size_t>(page.width) * page.height);
    const uint8_t* alpha = cairo_image_surface_get_data(surface_.get());
    const int stride = cairo_image_surface_get_stride(surface_.get());
    for (int y = 0; y < page.height; ++y) {
      const uint8_t* row = alpha + static_cast<size_t>(y) * stride;
      uint8_t* out = page.pixels.data() + static_cast<size_t>(y) * page.width;
      for (int x = 0; x < page.width; ++x) out[x] = row[x] >= 128 ? 0 : 255;
    }
    // Clear for the next page: A8 coverage 0 is white paper.
    cairo_save(cr_.get());
    cairo_set_operator(cr_.get(), CAIRO_OPERATOR_CLEAR);
    cairo_paint(cr_.get());
    cairo_restore(cr_.get());
    return page;
  }

  const PageFormat& f_;
  const TextStyle& style_;
  const GreySink& sink_;
  Owned<cairo_surface_t> surface_;
  Owned<cairo_t> cr_;
  Owned<PangoLayout> layout_;
  double left_pt_ = 0;
  double top_pt_ = 0;
  double body_h_pt_ = 0;
  double cursor_pt_ = 0;  // from the top margin down to the end of the last line drawn
  int lines_on_page_ = 0;
  int pages_ = 0;
};

}  // namespace

Status RenderTextPages(const DecodedText& text, const PageFormat& f, const TextStyle& style,
                       const GreySink& sink) {
  TextPager pager(f, style, text.language, sink);
  if (!pager.ok()) return MakeError(ErrorCode::kInternal, "cannot allocate a text page");
  for (std::string_view section : SplitPages(text.utf8)) {
    if (section.ends_with('\n')) section.remove_suffix(1);  // ends the last line, adds none
    while (!section.empty()) FG_RETURN_IF_ERROR(pager.DrawBlock(NextBlock(section)));
    FG_RETURN_IF_ERROR(pager.FinishPage());
  }
  return Status::Ok();
}

}  // namespace faxgate
