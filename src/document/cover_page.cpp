#include "document/cover_page.h"

#include <cairo.h>
#include <librsvg/rsvg.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>
#include <utility>
#include "document/crisp_text.h"

namespace faxgate {
namespace {

constexpr size_t kMaxTemplateBytes = size_t{1} << 20;
constexpr double kPointsPerInch = 72.0;
constexpr double kMmPerInch = 25.4;
constexpr double kA4WidthPt = 210.0 / kMmPerInch * kPointsPerInch;
constexpr double kA4HeightPt = 297.0 / kMmPerInch * kPointsPerInch;
constexpr char kCommentsBox[] = "#comments-box";
constexpr char kCommentsFont[] = "Noto Sans CJK SC";
constexpr double kCommentsFontPt = 11.0;
constexpr double kCommentsPaddingPt = 6.0;

Error TemplateError(std::string_view name, std::string_view what) {
  return MakeError(ErrorCode::kInvalidArgument, std::string(name) + " " + std::string(what));
}

// ---- placeholders ----

struct Placeholder {
  std::string_view name;
  std::string CoverFields::*field;
};
constexpr Placeholder kPlaceholders[] = {
    {"TO_NAME", &CoverFields::to_name},
    {"TO_FAX", &CoverFields::to_fax},
    {"TO_COMPANY", &CoverFields::to_company},
    {"FROM_NAME", &CoverFields::from_name},
    {"FROM_COMPANY", &CoverFields::from_company},
    {"FROM_PHONE", &CoverFields::from_phone},
    {"FROM_FAX", &CoverFields::from_fax},
    {"FROM_EMAIL", &CoverFields::from_email},
    {"TITLE", &CoverFields::title},
    {"SUBJECT", &CoverFields::subject},
    {"COMMENTS", &CoverFields::comments},
    {"DATE", &CoverFields::date},
    {"PAGES", &CoverFields::pages},
};
constexpr size_t kMaxPlaceholderName = 32;

const Placeholder* FindPlaceholder(std::string_view name) {
  for (const Placeholder& p : kPlaceholders)
    if (p.name == name) return &p;
  return nullptr;
}

// The name of the placeholder "{$NAME}" starting at `at`, or nullopt when there is none.
std::optional<std::string_view> PlaceholderAt(std::string_view svg, size_t at) {
  const size_t close = svg.find('}', at + 2);
  if (close == std::string_view::npos || close - at - 2 > kMaxPlaceholderName) return std::nullopt;
  std::string_view name = svg.substr(at + 2, close - at - 2);
  if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) {
        return std::isupper(static_cast<unsigned char>(c)) || c == '_';
      }))
    return std::nullopt;
  return name;
}

std::string XmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 allows no other control characters than tab and line breaks.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r')
          out += ' ';
        else
          out += c;
    }
  }
  return out;
}

// Field values come from users: invalid UTF-8 would make the SVG unparsable.
std::string ValidUtf8(std::string_view s) {
  gchar* valid = g_utf8_make_valid(s.data(), static_cast<gssize>(s.size()));
  std::string out(valid);
  g_free(valid);
  return out;
}

std::string OneLine(std::string_view s) {
  std::string out(s);
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return out;
}

// Replaces every known placeholder by its escaped value. Comments go in on one line, or not
// at all when `comments_in_box` (they are drawn into the box afterwards).
std::string Substitute(std::string_view svg, const CoverFields& fields, bool comments_in_box) {
  std::string out;
  out.reserve(svg.size() + 1024);
  size_t from = 0;
  for (size_t at; (at = svg.find("{$", from)) != std::string_view::npos;) {
    out.append(svg.substr(from, at - from));
    std::optional<std::string_view> name = PlaceholderAt(svg, at);
    const Placeholder* p = name ? FindPlaceholder(*name) : nullptr;
    if (!p) {
      out += "{$";
      from = at + 2;
      continue;
    }
    if (p->field != &CoverFields::comments)
      out += XmlEscape(ValidUtf8(fields.*(p->field)));
    else if (!comments_in_box)
      out += XmlEscape(OneLine(ValidUtf8(fields.comments)));
    from = at + name->size() + 3;
  }
  out.append(svg.substr(from));
  return out;
}

Status CheckPlaceholders(std::string_view svg, std::string_view name) {
  for (size_t at = 0; (at = svg.find("{$", at)) != std::string_view::npos; at += 2) {
    std::optional<std::string_view> placeholder = PlaceholderAt(svg, at);
    if (placeholder && !FindPlaceholder(*placeholder))
      return TemplateError(name,
                           "uses the unknown placeholder {$" + std::string(*placeholder) + "}");
  }
  return Status::Ok();
}

// ---- references to the outside ----

std::string Lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsLocalReference(std::string_view value) {
  while (!value.empty() && (std::isspace(static_cast<unsigned char>(value[0])) || value[0] == '"' ||
                            value[0] == '\''))
    value.remove_prefix(1);
  return value.starts_with('#') || value.starts_with("data:");
}

// Every href="..." and url(...) must point into the document itself or be a data: URL.
// (librsvg loads nothing else without a base URL anyway; this refuses such templates early
// and with a clear message.)
Status CheckReferences(std::string_view svg, std::string_view name) {
  const std::string lower = Lowercase(svg);
  for (std::string_view banned : {"<!entity", "xi:include", "xinclude", "@import"}) {
    if (lower.find(banned) != std::string::npos)
      return TemplateError(name, "uses " + std::string(banned) + ", which is not allowed");
  }
  for (size_t at = 0; (at = lower.find("href", at)) != std::string::npos; at += 4) {
    size_t i = at + 4;
    while (i < lower.size() && std::isspace(static_cast<unsigned char>(lower[i]))) ++i;
    if (i >= lower.size() || lower[i] != '=') continue;
    if (!IsLocalReference(std::string_view(lower).substr(i + 1)))
      return TemplateError(name,
                           "refers to an outside resource (href); only \"#...\" and "
                           "\"data:\" references are allowed");
  }
  for (size_t at = 0; (at = lower.find("url(", at)) != std::string::npos; at += 4) {
    if (!IsLocalReference(std::string_view(lower).substr(at + 4)))
      return TemplateError(name,
                           "refers to an outside resource (url); only \"#...\" and "
                           "\"data:\" references are allowed");
  }
  return Status::Ok();
}

Result<Owned<RsvgHandle>> Parse(std::string_view svg, std::string_view name) {
  GError* raw_error = nullptr;
  Owned<RsvgHandle> handle(rsvg_handle_new_from_data(reinterpret_cast<const guint8*>(svg.data()),
                                                     svg.size(), &raw_error));
  Owned<GError> error(raw_error);
  if (!handle) {
    return TemplateError(
        name, "is not a valid SVG image: " + std::string(error ? error->message : "unknown error"));
  }
  return handle;
}

Status CheckTemplate(std::string_view svg, std::string_view name) {
  if (svg.size() > kMaxTemplateBytes) return TemplateError(name, "is larger than 1 MB");
  FG_RETURN_IF_ERROR(CheckReferences(svg, name));
  FG_RETURN_IF_ERROR(CheckPlaceholders(svg, name));
  FG_ASSIGN_OR_RETURN(Owned<RsvgHandle> handle, Parse(svg, name));
  return Status::Ok();
}

// ---- drawing ----

// The template's own size in points; a template that gives none is taken for A4 wide.
std::pair<double, double> TemplateSizePt(RsvgHandle* handle) {
  rsvg_handle_set_dpi(handle, kPointsPerInch);
  double w = 0, h = 0;
  if (rsvg_handle_get_intrinsic_size_in_pixels(handle, &w, &h) && w > 0 && h > 0) return {w, h};
  gboolean has_width, has_height, has_viewbox;
  RsvgLength width, height;
  RsvgRectangle viewbox;
  rsvg_handle_get_intrinsic_dimensions(handle, &has_width, &width, &has_height, &height,
                                       &has_viewbox, &viewbox);
  if (has_viewbox && viewbox.width > 0 && viewbox.height > 0)
    return {kA4WidthPt, kA4WidthPt * viewbox.height / viewbox.width};
  return {kA4WidthPt, kA4HeightPt};
}

void SetCrispText(cairo_t* cr) {
  cairo_set_font_options(cr, CrispFontOptions().get());
  cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
}

// Draws the comments wrapped inside `box` (user space, points), cut short with an ellipsis
// when they do not fit.
void DrawComments(cairo_t* cr, const RsvgRectangle& box, std::string_view comments, double scale) {
  const double padding = kCommentsPaddingPt * scale;
  const double width = box.width - 2 * padding;
  const double height = box.height - 2 * padding;
  if (comments.empty() || width <= 0 || height <= 0) return;
  Owned<PangoContext> context = CrispPangoContext("zh-cn");
  Owned<PangoLayout> layout(pango_layout_new(context.get()));
  Owned<PangoFontDescription> font(pango_font_description_from_string(kCommentsFont));
  pango_font_description_set_size(font.get(),
                                  static_cast<int>(kCommentsFontPt * scale * PANGO_SCALE));
  pango_layout_set_font_description(layout.get(), font.get());
  pango_layout_set_width(layout.get(), static_cast<int>(width * PANGO_SCALE));
  pango_layout_set_height(layout.get(), static_cast<int>(height * PANGO_SCALE));
  pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
  pango_layout_set_ellipsize(layout.get(), PANGO_ELLIPSIZE_END);
  pango_layout_set_text(layout.get(), comments.data(), static_cast<int>(comments.size()));
  cairo_save(cr);
  cairo_rectangle(cr, box.x, box.y, box.width, box.height);
  cairo_clip(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_move_to(cr, box.x + padding, box.y + padding);
  pango_cairo_show_layout(cr, layout.get());
  cairo_restore(cr);
}

GreyImage ToGrey(cairo_surface_t* surface, const PageFormat& f) {
  cairo_surface_flush(surface);
  GreyImage page;
  page.width = f.width_px();
  page.height = f.height_rows();
  page.x_dpi = f.x_dpi();
  page.y_dpi = f.y_dpi();
  page.bilevel = false;
  page.pixels.resize(static_cast<size_t>(page.width) * page.height);
  const uint8_t* data = cairo_image_surface_get_data(surface);
  const int stride = cairo_image_surface_get_stride(surface);
  for (int y = 0; y < page.height; ++y) {
    const auto* row = reinterpret_cast<const uint32_t*>(data + static_cast<size_t>(y) * stride);
    uint8_t* out = page.pixels.data() + static_cast<size_t>(y) * page.width;
    for (int x = 0; x < page.width; ++x) {
      const uint32_t px = row[x];  // RGB24: 0x00RRGGBB in native byte order
      const uint32_t r = (px >> 16) & 0xFF, g = (px >> 8) & 0xFF, b = px & 0xFF;
      out[x] = static_cast<uint8_t>((r * 77 + g * 150 + b * 29) >> 8);
    }
  }
  return page;
}

}  // namespace

Status ValidateCoverTemplate(std::string_view svg) {
  return CheckTemplate(svg, "the cover page template");
}

Result<GreyImage> RenderCoverPage(std::string_view svg_template, const CoverFields& fields,
                                  const PageFormat& f, std::string_view template_name) {
  FG_RETURN_IF_ERROR(CheckTemplate(svg_template, template_name));
  FG_ASSIGN_OR_RETURN(Owned<RsvgHandle> probe, Parse(svg_template, template_name));
  const bool comments_in_box = rsvg_handle_has_sub(probe.get(), kCommentsBox);
  const std::string svg = Substitute(svg_template, fields, comments_in_box);
  FG_ASSIGN_OR_RETURN(Owned<RsvgHandle> handle, Parse(svg, template_name));

  Owned<cairo_surface_t> surface(
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, f.width_px(), f.height_rows()));
  Owned<cairo_t> cr(cairo_create(surface.get()));
  if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS)
    return MakeError(ErrorCode::kInternal, "cannot allocate a cover page");
  cairo_set_source_rgb(cr.get(), 1, 1, 1);
  cairo_paint(cr.get());
  // User space in points on paper; the template is scaled to fit the paper and centred.
  cairo_scale(cr.get(), f.x_dpi() / kPointsPerInch, f.y_dpi() / kPointsPerInch);
  SetCrispText(cr.get());
  const auto [template_w, template_h] = TemplateSizePt(handle.get());
  const double paper_w = f.paper_width_in() * kPointsPerInch;
  const double paper_h = f.paper_height_in() * kPointsPerInch;
  const double scan_line_w = f.width_px() / f.x_dpi() * kPointsPerInch;
  const double scale = std::min(paper_w / template_w, paper_h / template_h);
  const RsvgRectangle viewport{(scan_line_w - template_w * scale) / 2,
                               (paper_h - template_h * scale) / 2, template_w * scale,
                               template_h * scale};
  GError* raw_error = nullptr;
  const bool drawn = rsvg_handle_render_document(handle.get(), cr.get(), &viewport, &raw_error);
  Owned<GError> error(raw_error);
  if (!drawn) {
    return TemplateError(
        template_name, "cannot be drawn: " + std::string(error ? error->message : "unknown error"));
  }
  if (comments_in_box) {
    RsvgRectangle ink, box;
    if (rsvg_handle_get_geometry_for_layer(handle.get(), kCommentsBox, &viewport, &ink, &box,
                                           nullptr))
      DrawComments(cr.get(), box, ValidUtf8(fields.comments), scale);
  }
  return ToGrey(surface.get(), f);
}

}  // namespace faxgate
