// Private to the document module: owning handles for Cairo, Pango and GLib objects, and the
// one way text is set up everywhere we draw it (text pages, cover comments, tag lines).
#pragma once

#include <cairo.h>
#include <librsvg/rsvg.h>
#include <pango/pangocairo.h>

#include <memory>
#include <string>
#include <string_view>

namespace faxgate {

struct GObjectDeleter {
  void operator()(GError* e) const { g_error_free(e); }
  void operator()(RsvgHandle* h) const { g_object_unref(h); }
  void operator()(PangoLayout* l) const { g_object_unref(l); }
  void operator()(PangoContext* c) const { g_object_unref(c); }
  void operator()(PangoFontDescription* d) const { pango_font_description_free(d); }
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
  void operator()(cairo_t* cr) const { cairo_destroy(cr); }
  void operator()(cairo_font_options_t* o) const { cairo_font_options_destroy(o); }
};
template <typename T>
using Owned = std::unique_ptr<T, GObjectDeleter>;

// No anti-aliasing: glyphs are rasterised bilevel at the fax resolution itself, so thin
// horizontal strokes survive even at 98 lines per inch. Hinting fits stems to the pixel grid;
// metrics stay unhinted so that line breaks are the same at every resolution.
inline Owned<cairo_font_options_t> CrispFontOptions() {
  Owned<cairo_font_options_t> options(cairo_font_options_create());
  cairo_font_options_set_antialias(options.get(), CAIRO_ANTIALIAS_NONE);
  cairo_font_options_set_hint_style(options.get(), CAIRO_HINT_STYLE_FULL);
  cairo_font_options_set_hint_metrics(options.get(), CAIRO_HINT_METRICS_OFF);
  return options;
}

// A Pango context in plain points (72 per inch) with crisp font options. One made from the
// page's cairo_t would carry its non-uniform scale (204 x 98 dpi) into the text metrics and lay
// text out wider than it is; glyphs are still rasterised under the page's transformation when
// they are shown. `language` ("zh-cn", "ja", ...) picks the CJK glyph variants; "" leaves
// Pango's default.
inline Owned<PangoContext> CrispPangoContext(std::string_view language) {
  Owned<PangoContext> context(pango_font_map_create_context(pango_cairo_font_map_get_default()));
  pango_cairo_context_set_resolution(context.get(), 72.0);
  pango_cairo_context_set_font_options(context.get(), CrispFontOptions().get());
  if (!language.empty()) {
    pango_context_set_language(context.get(),
                               pango_language_from_string(std::string(language).c_str()));
  }
  return context;
}

}  // namespace faxgate
