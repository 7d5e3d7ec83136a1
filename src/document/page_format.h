// The shape of the fax pages a job sends: paper, vertical resolution and how grey becomes
// black and white. Every renderer in this module produces pages of exactly this geometry.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace faxgate {

enum class Paper { kA4, kLetter, kB4 };
// Vertical resolution of a fax page; horizontally every fax page has 204 dots per inch.
enum class Resolution { kStandard, kFine, kSuperfine };  // 98, 196, 391 lines per inch
// How grey and colour content becomes bilevel. Text rendered without anti-aliasing is pure
// black and white and passes through every method unchanged.
//  - kClusteredDot: 45-degree ordered dots; near-linear tone and the smallest pages for photos
//    (142-207 KB per photo page at fine), the default.
//  - kErrorDiffusion: serpentine Floyd-Steinberg; finest detail, but photo pages are 2.5-3
//    times larger (501-580 KB per page at fine) and so take longer to send.
//  - kThreshold: black below 50% grey; for text-only documents, photos become blobs.
enum class Halftone { kClusteredDot, kErrorDiffusion, kThreshold };

std::string_view ToString(Paper p);       // "a4", "letter", "b4"
std::string_view ToString(Resolution r);  // "standard", "fine", "superfine"
std::string_view ToString(Halftone h);    // "cluster", "diffusion", "threshold"
std::optional<Paper> ParsePaper(std::string_view s);
std::optional<Resolution> ParseResolution(std::string_view s);
std::optional<Halftone> ParseHalftone(std::string_view s);

struct PageFormat {
  Paper paper = Paper::kA4;
  Resolution resolution = Resolution::kFine;
  Halftone halftone = Halftone::kClusteredDot;

  static constexpr double kXDpi = 204.0;
  double x_dpi() const { return kXDpi; }
  double y_dpi() const;  // 98, 196 or 391 (the TIFF-F values)
  // Width of the scan line: 1728 pixels for A4 and Letter, 2048 for B4.
  int width_px() const;
  // Rows of one full page: the paper's height at y_dpi() (A4 fine: 2292).
  int height_rows() const;
  // The paper's own width and height in inches (A4 8.27 x 11.69); content drawn at this size
  // and x_dpi() is narrower than width_px() and is centred on the scan line.
  double paper_width_in() const;
  double paper_height_in() const;
};

// "fine/a4/cluster": names a format in caches and logs.
std::string FormatKey(const PageFormat& f);

}  // namespace faxgate
