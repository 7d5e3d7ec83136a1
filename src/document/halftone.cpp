#include "document/halftone.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace faxgate {
namespace {

// One row of "is black" flags (0 or 1 per pixel) packed MSB first into `out`.
void PackRow(const uint8_t* black, int width, uint8_t* out) {
  int x = 0;
  for (; x + 8 <= width; x += 8) {
    uint64_t eight;
    std::memcpy(&eight, black + x, 8);
    // Each byte holds 0 or 1; the multiply gathers byte j's bit into bit 7 - j of the top
    // byte (little-endian load: pixel x is the lowest byte).
    *out++ = static_cast<uint8_t>((eight * 0x8040201008040201ULL) >> 56);
  }
  if (x < width) {
    uint8_t last = 0;
    for (int bit = 0; x < width; ++x, ++bit) last |= static_cast<uint8_t>(black[x] << (7 - bit));
    *out = last;
  }
}

Bitmap EmptyBitmapLike(const GreyImage& page) {
  Bitmap bitmap;
  bitmap.width = page.width;
  bitmap.height = page.height;
  bitmap.stride = (page.width + 7) / 8;
  bitmap.x_dpi = page.x_dpi;
  bitmap.y_dpi = page.y_dpi;
  bitmap.bits.assign(static_cast<size_t>(bitmap.stride) * bitmap.height, 0);
  return bitmap;
}

// A threshold matrix tiled over the page: a pixel is black when its value is below the
// matrix entry. Entries are in 1..255, so 0 is always black and 255 always white.
struct Screen {
  int width = 1;
  int height = 1;
  std::vector<uint8_t> thresholds;  // height rows of width entries
};

Screen ThresholdScreen() { return Screen{1, 1, {128}}; }

// PostScript's "Round" spot function: a dot that grows from the cell centre, touches its
// neighbours at 50% and then leaves shrinking white holes. s, t in [-1, 1].
double RoundSpot(double s, double t) {
  s = std::fabs(s);
  t = std::fabs(t);
  if (s + t <= 1) return 1 - (s * s + t * t);
  return (s - 1) * (s - 1) + (t - 1) * (t - 1) - 1;
}

// A 45-degree clustered-dot screen. The dot lattice is spanned by (kHalf, v) and (kHalf, -v)
// pixels, with v chosen so that the cell is square on paper whatever the vertical resolution
// (v = 4 at 196 lines per inch, 2 at 98, 8 at 391): about 36 dots per inch at 204 dpi. The
// repeating tile, 2*kHalf by 2*v pixels, holds two dots; pixels are ranked by spot value (the
// two dots taking turns) and rank k of n gets the threshold that makes the coverage at grey
// level g equal (255 - g) / 255 to within half a step, so the tone response is linear.
Screen ClusteredDotScreen(double x_dpi, double y_dpi) {
  constexpr int kHalf = 4;
  int v = kHalf;
  if (x_dpi > 0 && y_dpi > 0) {
    v = std::clamp(static_cast<int>(std::lround(kHalf * y_dpi / x_dpi)), 1, 4 * kHalf);
  }
  Screen screen{2 * kHalf, 2 * v, {}};
  const int n = screen.width * screen.height;
  struct Ranked {
    double spot;
    int parity;
    int index;
  };
  std::vector<Ranked> pixels;
  pixels.reserve(n);
  for (int y = 0; y < screen.height; ++y) {
    for (int x = 0; x < screen.width; ++x) {
      // Coordinates in the lattice basis; integer points are cell corners.
      double a = ((x + 0.5) / kHalf + (y + 0.5) / v) / 2;
      double b = ((x + 0.5) / kHalf - (y + 0.5) / v) / 2;
      double fa = a - std::floor(a);
      double fb = b - std::floor(b);
      int parity = static_cast<int>(std::floor(a) + std::floor(b)) & 1;
      // Rounded so that symmetric pixels tie exactly and are ordered by cell, then position.
      double spot = std::round(RoundSpot(2 * fa - 1, 2 * fb - 1) * 1e9) / 1e9;
      pixels.push_back({spot, parity, y * screen.width + x});
    }
  }
  std::sort(pixels.begin(), pixels.end(), [](const Ranked& l, const Ranked& r) {
    if (l.spot != r.spot) return l.spot > r.spot;  // the centre of a dot turns black first
    if (l.parity != r.parity) return l.parity < r.parity;
    return l.index < r.index;
  });
  screen.thresholds.resize(n);
  for (int k = 0; k < n; ++k) {
    screen.thresholds[pixels[k].index] =
        static_cast<uint8_t>(static_cast<int>(std::floor((n - k - 0.5) * 255.0 / n)) + 1);
  }
  return screen;
}

// Most rows of a text page are paper: nothing to do for them (the bitmap starts white).
bool IsWhiteRow(const uint8_t* row, int width) {
  int x = 0;
  for (; x + 8 <= width; x += 8) {
    uint64_t eight;
    std::memcpy(&eight, row + x, 8);
    if (eight != ~uint64_t{0}) return false;
  }
  for (; x < width; ++x)
    if (row[x] != 255) return false;
  return true;
}

Bitmap OrderedDither(const GreyImage& page, const Screen& screen) {
  Bitmap out = EmptyBitmapLike(page);
  const int width = page.width;
  // Each screen row repeated across the page, so the inner loop is a plain compare.
  std::vector<uint8_t> rows(static_cast<size_t>(screen.height) * width);
  for (int y = 0; y < screen.height; ++y) {
    for (int x = 0; x < width; ++x) {
      rows[static_cast<size_t>(y) * width + x] =
          screen.thresholds[y * screen.width + x % screen.width];
    }
  }
  std::vector<uint8_t> black(static_cast<size_t>(width) + 8);
  for (int y = 0; y < page.height; ++y) {
    const uint8_t* src = &page.pixels[static_cast<size_t>(y) * width];
    if (IsWhiteRow(src, width)) continue;
    const uint8_t* threshold = &rows[static_cast<size_t>(y % screen.height) * width];
    if (screen.thresholds.size() == 1) {
      const uint8_t level = screen.thresholds[0];
      for (int x = 0; x < width; ++x) black[x] = src[x] < level;
    } else {
      for (int x = 0; x < width; ++x) black[x] = src[x] < threshold[x];
    }
    PackRow(black.data(), width, &out.bits[static_cast<size_t>(y) * out.stride]);
  }
  return out;
}

// Serpentine Floyd-Steinberg. Pure black and white pixels are copied as they are and absorb
// whatever error reaches them, so no error crosses a glyph edge: text stays crisp and a photo's
// error does not leak into the white around it.
//
// The error for the rest of the row and for the three pixels below travels in registers; only
// finished values of the row below are stored. Everything is branch-free per pixel.
Bitmap ErrorDiffusion(const GreyImage& page) {
  Bitmap out = EmptyBitmapLike(page);
  const int width = page.width;
  // Error arriving from the row above, indexed x + 1 so that x - 1 and x + 1 always exist.
  std::vector<int> from_above(static_cast<size_t>(width) + 2, 0);
  std::vector<int> to_below(static_cast<size_t>(width) + 2, 0);
  std::vector<uint8_t> black(static_cast<size_t>(width) + 8);
  for (int y = 0; y < page.height; ++y) {
    const uint8_t* src = &page.pixels[static_cast<size_t>(y) * width];
    const bool leftwards = (y & 1) != 0;
    const int dir = leftwards ? -1 : 1;
    int x = leftwards ? width - 1 : 0;
    int ahead = 0;         // 7/16 for the next pixel of this row
    int below_behind = 0;  // collected so far for the pixel below and behind
    int below = 0;         // collected so far for the pixel straight below
    for (int i = 0; i < width; ++i, x += dir) {
      const int value = src[x];
      const int wanted = value + from_above[x + 1] + ahead;
      const int is_black = wanted < 128;
      const int pure = (value == 0) | (value == 255);
      black[x] = static_cast<uint8_t>(pure ? value == 0 : is_black);
      const int error = pure ? 0 : wanted - (is_black ? 0 : 255);
      const int seven = (error * 7) >> 4;
      const int three = (error * 3) >> 4;
      const int five = (error * 5) >> 4;
      ahead = seven;
      to_below[x + 1 - dir] = below_behind + three;
      below_behind = below + five;
      below = error - seven - three - five;  // the remainder, so no error is lost
    }
    // x is now one step past the row's end.
    to_below[x + 1 - dir] = below_behind;
    PackRow(black.data(), width, &out.bits[static_cast<size_t>(y) * out.stride]);
    from_above.swap(to_below);
  }
  return out;
}

}  // namespace

Bitmap ToBilevel(const GreyImage& page, Halftone method) {
  if (page.bilevel) method = Halftone::kThreshold;
  switch (method) {
    case Halftone::kClusteredDot:
      return OrderedDither(page, ClusteredDotScreen(page.x_dpi, page.y_dpi));
    case Halftone::kErrorDiffusion:
      return ErrorDiffusion(page);
    case Halftone::kThreshold:
      break;
  }
  return OrderedDither(page, ThresholdScreen());
}

}  // namespace faxgate
