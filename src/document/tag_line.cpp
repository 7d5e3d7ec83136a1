#include "document/tag_line.h"

#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include "document/crisp_text.h"

namespace faxgate {
namespace {

constexpr double kPointsPerInch = 72.0;
constexpr double kBandInches = 0.14;
constexpr double kSideMarginPt = 8.0;  // about 3 mm at each end of the scan line
constexpr double kFontPt = 8.0;
// Noto CJK: ideographs reach 0.88 em above the baseline, Latin descenders 0.21 em below.
constexpr double kAscentEm = 0.88;
constexpr double kDescentEm = 0.21;
constexpr char kFont[] = "Noto Sans CJK SC";

// A field value as it may appear in the line: one line, no field separators.
std::string Sanitise(std::string_view value) {
  std::string out(value);
  for (char& c : out) {
    if (c == '|') c = '/';
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  }
  return out;
}

// The value of the HylaFAX code letter after "%%", or nullopt for a letter it does not know.
std::optional<std::string> FieldFor(char code, const TagFields& t) {
  const auto number = [](int n) { return std::to_string(n); };
  switch (code) {
    case 'a':
      return t.subaddress;
    case 'c':
      return t.to_company;
    case 'C':
      return t.from_company;
    case 'd':
      return t.destination;
    case 'g':
      return t.to_location;
    case 'G':
      return t.from_location;
    case 'i':
      return t.job_id;
    case 'I':
      return t.group_id;
    case 'j':
      return t.job_tag;
    case 'l':
      return t.local_ident;
    case 'm':
      return t.mail_address;
    case 'n':
      return t.fax_number;
    case 'p':
      return number(t.call_page > 0 ? t.call_page : t.page);
    case 'P':
      return number(t.page);
    case 'r':
      return t.recipient;
    case 's':
      return t.sender;
    case 'S':
      return t.subject;
    case 't':
      return number(t.call_total > 0 ? t.call_total : t.total);
    case 'T':
      return number(t.total);
    case 'v':
      return t.to_voice;
    case 'V':
      return t.from_voice;
    default:
      return std::nullopt;
  }
}

// Broken-down time of the tag line; `zone` receives the zone name %Z shows for a fixed offset.
std::tm BreakDown(const TagFields& t, std::string& zone) {
  std::time_t seconds =
      std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(t.time));
  std::tm tm{};
  if (!t.utc_offset) {
    localtime_r(&seconds, &tm);
    return tm;
  }
  const long offset = static_cast<long>(t.utc_offset->count()) * 60;
  seconds += offset;
  gmtime_r(&seconds, &tm);
  const long minutes = std::labs(offset) / 60;
  char name[48];
  if (minutes % 60 == 0) {
    std::snprintf(name, sizeof name, "%c%02ld", offset < 0 ? '-' : '+', minutes / 60);
  } else {
    std::snprintf(name, sizeof name, "%c%02ld%02ld", offset < 0 ? '-' : '+', minutes / 60,
                  minutes % 60);
  }
  zone = name;
  tm.tm_gmtoff = offset;
  tm.tm_zone = zone.c_str();
  return tm;
}

// One strftime conversion ("%c", "%Ey", ...) at the start of `spec`; returns its length.
size_t AppendStrftime(std::string_view spec, const std::tm& tm, std::string& out) {
  size_t len = 2;
  if ((spec[1] == 'E' || spec[1] == 'O') && spec.size() > 2) len = 3;
  const std::string conversion(spec.substr(0, len));
  char buffer[256];
  const size_t n = std::strftime(buffer, sizeof buffer, conversion.c_str(), &tm);
  out.append(buffer, n);
  return len;
}

std::vector<std::string_view> SplitFields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  for (size_t bar; (bar = line.find('|', start)) != std::string_view::npos; start = bar + 1)
    fields.push_back(line.substr(start, bar - start));
  fields.push_back(line.substr(start));
  return fields;
}

Status CheckBitmap(const Bitmap& page) {
  const bool ok = page.width > 0 && page.height > 0 && page.stride >= (page.width + 7) / 8 &&
                  page.bits.size() >= static_cast<size_t>(page.stride) * page.height;
  if (ok) return Status::Ok();
  return MakeError(ErrorCode::kInvalidArgument, "cannot stamp a tag line on a malformed page of " +
                                                    std::to_string(page.width) + " x " +
                                                    std::to_string(page.height));
}

// Draws the fields into `cr`, whose user space is in points and `band_pt` tall.
void DrawFields(cairo_t* cr, std::string_view formatted, double width_pt, double band_pt) {
  Owned<PangoContext> context = CrispPangoContext("zh-cn");
  Owned<PangoLayout> layout(pango_layout_new(context.get()));
  Owned<PangoFontDescription> font(pango_font_description_from_string(kFont));
  pango_font_description_set_size(font.get(), static_cast<int>(kFontPt * PANGO_SCALE));
  pango_layout_set_font_description(layout.get(), font.get());
  pango_layout_set_single_paragraph_mode(layout.get(), true);
  pango_layout_set_ellipsize(layout.get(), PANGO_ELLIPSIZE_END);

  const std::vector<std::string_view> fields = SplitFields(formatted);
  const double usable_pt = width_pt - 2 * kSideMarginPt;
  const double slot_pt = usable_pt / static_cast<double>(fields.size());
  const double baseline_pt =
      (band_pt - (kAscentEm + kDescentEm) * kFontPt) / 2 + kAscentEm * kFontPt;
  pango_layout_set_width(layout.get(), static_cast<int>(slot_pt * PANGO_SCALE));
  for (size_t i = 0; i < fields.size(); ++i) {
    std::string_view field = fields[i];
    PangoAlignment alignment = PANGO_ALIGN_CENTER;
    if (field.starts_with('{')) alignment = PANGO_ALIGN_LEFT;
    if (field.starts_with('}')) alignment = PANGO_ALIGN_RIGHT;
    if (alignment != PANGO_ALIGN_CENTER) field.remove_prefix(1);
    pango_layout_set_alignment(layout.get(), alignment);
    pango_layout_set_text(layout.get(), field.data(), static_cast<int>(field.size()));
    const double layout_baseline = pango_layout_get_baseline(layout.get()) / double{PANGO_SCALE};
    cairo_move_to(cr, kSideMarginPt + slot_pt * static_cast<double>(i),
                  baseline_pt - layout_baseline);
    pango_cairo_show_layout(cr, layout.get());
  }
}

// Replaces the top rows of `page` by the coverage in `surface`: white, black where drawn.
void CopyBand(cairo_surface_t* surface, int rows, Bitmap& page) {
  cairo_surface_flush(surface);
  const uint8_t* alpha = cairo_image_surface_get_data(surface);
  const int stride = cairo_image_surface_get_stride(surface);
  for (int y = 0; y < rows; ++y) {
    uint8_t* out = page.bits.data() + static_cast<size_t>(y) * page.stride;
    const uint8_t* in = alpha + static_cast<size_t>(y) * stride;
    std::fill(out, out + page.stride, uint8_t{0});
    for (int x = 0; x < page.width; ++x)
      if (in[x] >= 128) out[x >> 3] |= static_cast<uint8_t>(0x80 >> (x & 7));
  }
}

}  // namespace

std::string FormatTagLine(std::string_view format, const TagFields& fields) {
  std::string zone;
  const std::tm tm = BreakDown(fields, zone);
  std::string out;
  for (size_t i = 0; i < format.size();) {
    if (format[i] != '%' || i + 1 == format.size()) {
      out += format[i++];
      continue;
    }
    if (format[i + 1] == '%') {
      std::optional<std::string> value;
      if (i + 2 < format.size()) value = FieldFor(format[i + 2], fields);
      if (value) {
        out += Sanitise(*value);
        i += 3;
      } else {
        out += '%';
        i += 2;
      }
      continue;
    }
    i += AppendStrftime(format.substr(i), tm, out);
  }
  return out;
}

int TagLineRows(const PageFormat& f) {
  return static_cast<int>(std::ceil(kBandInches * f.y_dpi() - 1e-9));
}

Status StampTagLine(Bitmap& page, std::string_view formatted, const PageFormat& f) {
  FG_RETURN_IF_ERROR(CheckBitmap(page));
  const int rows = std::min(TagLineRows(f), page.height);
  Owned<cairo_surface_t> surface(cairo_image_surface_create(CAIRO_FORMAT_A8, page.width, rows));
  Owned<cairo_t> cr(cairo_create(surface.get()));
  if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS)
    return MakeError(ErrorCode::kInternal, "cannot allocate the tag line band");
  cairo_scale(cr.get(), f.x_dpi() / kPointsPerInch, f.y_dpi() / kPointsPerInch);
  cairo_set_antialias(cr.get(), CAIRO_ANTIALIAS_NONE);
  const double width_pt = page.width / f.x_dpi() * kPointsPerInch;
  const double band_pt = TagLineRows(f) / f.y_dpi() * kPointsPerInch;
  DrawFields(cr.get(), formatted, width_pt, band_pt);
  CopyBand(surface.get(), rows, page);
  return Status::Ok();
}

}  // namespace faxgate
