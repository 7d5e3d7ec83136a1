// Plain text (any script, Chinese included) laid out on fax pages by Pango and drawn by Cairo
// straight at fax resolution, without anti-aliasing: every pixel is black or white.
#pragma once

#include <string>

#include "base/result.h"
#include "document/grey_image.h"
#include "document/limits.h"
#include "document/page_format.h"
#include "document/text_decode.h"

namespace faxgate {

struct TextStyle {
  // A Pango font description. The Noto CJK fonts cover Chinese, Japanese and Korean; the
  // variant (SC, TC, JP, KR) is picked from the text's language.
  std::string font = "Noto Sans Mono CJK SC 10";
  // Margins of the paper, in millimetres. The top one leaves room for the tag line, which is
  // stamped over the top 0.14 inch of every page at send time.
  double margin_left_mm = 15;
  double margin_right_mm = 15;
  double margin_top_mm = 12;
  double margin_bottom_mm = 12;
  // A text that needs more pages is refused (ConversionLimits::max_pages).
  int max_pages = ConversionLimits{}.max_pages;
};

// Lays `text` out on pages of format `f` and hands each page to `sink` as soon as it is drawn
// (bilevel GreyImages of exactly f.width_px() x f.height_rows(), at f's resolution). Lines wrap
// at word boundaries, CJK text between characters; a form feed starts a new page. An empty
// text gives one blank page. Stops at the first error of `sink`.
Status RenderTextPages(const DecodedText& text, const PageFormat& f, const TextStyle& style,
                       const GreySink& sink);

}  // namespace faxgate
