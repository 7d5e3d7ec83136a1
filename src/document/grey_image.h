// An 8-bit grey raster: what every renderer produces before the halftone stage makes it a
// bilevel fax page (fax/tiff_document.h's Bitmap).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "base/result.h"

namespace faxgate {

struct GreyImage {
  int width = 0;
  int height = 0;
  double x_dpi = 0;  // 0 when the source does not say
  double y_dpi = 0;
  // True when the source was already black and white (a G4 scan, a 1-bit PNG, text drawn
  // without anti-aliasing): the halftone stage then thresholds instead of dithering.
  bool bilevel = false;
  std::vector<uint8_t> pixels;  // row-major, width bytes per row, 0 = black, 255 = white

  uint8_t at(int x, int y) const { return pixels[static_cast<size_t>(y) * width + x]; }
};

// Where a renderer hands each page (or piece of content) as soon as it has it, so a long
// document is never held in memory whole. An error stops the renderer.
using GreySink = std::function<Status(GreyImage&&)>;

}  // namespace faxgate
