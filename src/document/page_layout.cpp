#include "document/page_layout.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace faxgate {
namespace {

// Filter weights are fixed point: the taps of one output pixel sum to exactly kOne, so a
// uniform area (pure white, pure black) comes out exactly as it went in.
constexpr int kWeightBits = 14;
constexpr int kOne = 1 << kWeightBits;
// The horizontal pass keeps 4 fractional bits for the vertical one.
constexpr int kMidBits = 4;

// Which source pixels make up each output pixel along one axis, and how much each counts.
struct Taps {
  std::vector<int> first;   // per output pixel: first source index
  std::vector<int> count;   // per output pixel: number of taps
  std::vector<int> offset;  // per output pixel: where its weights start in `weights`
  std::vector<int> weights;
};

void AddNormalised(Taps& taps, int first, const std::vector<double>& raw) {
  double total = 0;
  for (double w : raw) total += w;
  taps.first.push_back(first);
  taps.count.push_back(static_cast<int>(raw.size()));
  taps.offset.push_back(static_cast<int>(taps.weights.size()));
  int sum = 0;
  size_t largest = taps.weights.size();
  for (double w : raw) {
    int fixed = static_cast<int>(std::lround(w / total * kOne));
    if (taps.weights.size() == largest || fixed > taps.weights[largest])
      largest = taps.weights.size();
    taps.weights.push_back(fixed);
    sum += fixed;
  }
  taps.weights[largest] += kOne - sum;  // rounding goes to the heaviest tap
}

// Box filter: output pixel i covers source [i * ratio, (i + 1) * ratio).
Taps AreaTaps(int src, int dst) {
  Taps taps;
  const double ratio = static_cast<double>(src) / dst;
  std::vector<double> raw;
  for (int i = 0; i < dst; ++i) {
    const double lo = i * ratio;
    const double hi = std::min<double>(src, (i + 1) * ratio);
    const int first = static_cast<int>(std::floor(lo));
    const int last = std::max(first, std::min(src - 1, static_cast<int>(std::ceil(hi)) - 1));
    raw.clear();
    for (int j = first; j <= last; ++j) {
      raw.push_back(std::max(0.0, std::min<double>(hi, j + 1) - std::max<double>(lo, j)));
    }
    if (raw.empty() || std::all_of(raw.begin(), raw.end(), [](double w) { return w <= 0; })) {
      raw.assign(last - first + 1, 1.0);
    }
    AddNormalised(taps, first, raw);
  }
  return taps;
}

// Linear interpolation between the two nearest source pixel centres.
Taps BilinearTaps(int src, int dst) {
  Taps taps;
  const double ratio = static_cast<double>(src) / dst;
  for (int i = 0; i < dst; ++i) {
    const double pos = std::clamp((i + 0.5) * ratio - 0.5, 0.0, src - 1.0);
    const int first = static_cast<int>(std::floor(pos));
    const double frac = pos - first;
    if (first + 1 >= src || frac <= 0) {
      AddNormalised(taps, first, {1.0});
    } else {
      AddNormalised(taps, first, {1.0 - frac, frac});
    }
  }
  return taps;
}

Taps TapsFor(int src, int dst) { return dst <= src ? AreaTaps(src, dst) : BilinearTaps(src, dst); }

GreyImage RotateCounterClockwise(const GreyImage& src) {
  GreyImage out;
  out.width = src.height;
  out.height = src.width;
  out.x_dpi = src.y_dpi;
  out.y_dpi = src.x_dpi;
  out.bilevel = src.bilevel;
  out.pixels.resize(src.pixels.size());
  for (int y = 0; y < out.height; ++y) {
    const int src_x = src.width - 1 - y;
    uint8_t* row = &out.pixels[static_cast<size_t>(y) * out.width];
    for (int x = 0; x < out.width; ++x) row[x] = src.at(src_x, x);
  }
  return out;
}

Status CheckRaster(const GreyImage& image, std::string_view what) {
  if (image.width < 0 || image.height < 0 ||
      image.pixels.size() != static_cast<size_t>(image.width) * image.height) {
    return MakeError(ErrorCode::kInternal,
                     fmt::format("{} is {}x{} pixels but holds {} bytes", what, image.width,
                                 image.height, image.pixels.size()));
  }
  return Status::Ok();
}

GreyImage WhitePage(const PageFormat& f, bool bilevel) {
  GreyImage page;
  page.width = f.width_px();
  page.height = f.height_rows();
  page.x_dpi = f.x_dpi();
  page.y_dpi = f.y_dpi();
  page.bilevel = bilevel;
  page.pixels.assign(static_cast<size_t>(page.width) * page.height, 255);
  return page;
}

}  // namespace

GreyImage ScaleGrey(const GreyImage& src, int width, int height) {
  width = std::max(width, 1);
  height = std::max(height, 1);
  GreyImage out;
  out.width = width;
  out.height = height;
  out.x_dpi = src.x_dpi * width / std::max(src.width, 1);
  out.y_dpi = src.y_dpi * height / std::max(src.height, 1);
  out.bilevel = src.bilevel;
  if (src.width <= 0 || src.height <= 0) {
    out.pixels.assign(static_cast<size_t>(width) * height, 255);
    return out;
  }
  // Horizontal pass into 12-bit intermediates, then the vertical pass.
  const Taps across = TapsFor(src.width, width);
  std::vector<uint16_t> mid(static_cast<size_t>(src.height) * width);
  for (int y = 0; y < src.height; ++y) {
    const uint8_t* in = &src.pixels[static_cast<size_t>(y) * src.width];
    uint16_t* row = &mid[static_cast<size_t>(y) * width];
    for (int x = 0; x < width; ++x) {
      const int* w = &across.weights[across.offset[x]];
      const uint8_t* s = in + across.first[x];
      int acc = 0;
      for (int k = 0; k < across.count[x]; ++k) acc += w[k] * s[k];
      row[x] = static_cast<uint16_t>((acc + (1 << (kWeightBits - kMidBits - 1))) >>
                                     (kWeightBits - kMidBits));
    }
  }
  const Taps down = TapsFor(src.height, height);
  out.pixels.resize(static_cast<size_t>(width) * height);
  std::vector<int> acc(width);
  for (int y = 0; y < height; ++y) {
    std::fill(acc.begin(), acc.end(), 0);
    for (int k = 0; k < down.count[y]; ++k) {
      const int w = down.weights[down.offset[y] + k];
      const uint16_t* row = &mid[static_cast<size_t>(down.first[y] + k) * width];
      for (int x = 0; x < width; ++x) acc[x] += w * row[x];
    }
    uint8_t* out_row = &out.pixels[static_cast<size_t>(y) * width];
    constexpr int kShift = kWeightBits + kMidBits;
    for (int x = 0; x < width; ++x) {
      out_row[x] = static_cast<uint8_t>(std::min(255, (acc[x] + (1 << (kShift - 1))) >> kShift));
    }
  }
  return out;
}

Status LayOutPages(GreyImage content, const PageFormat& f, const GreySink& sink) {
  FG_RETURN_IF_ERROR(CheckRaster(content, "content"));
  const int page_width = f.width_px();
  const int page_rows = f.height_rows();
  if (content.width > page_width) {
    // The same factor on both axes keeps the aspect ratio on paper (both are already at fax
    // resolution, so physical and pixel factors agree).
    const double factor = static_cast<double>(page_width) / content.width;
    const int rows = static_cast<int>(std::lround(content.height * factor));
    content = ScaleGrey(content, page_width, rows);
  }
  const int left = (page_width - content.width) / 2;
  const int pages = std::max(1, (content.height + page_rows - 1) / page_rows);
  for (int p = 0; p < pages; ++p) {
    GreyImage page = WhitePage(f, content.bilevel);
    const int first_row = p * page_rows;
    const int rows = std::min(page_rows, content.height - first_row);
    for (int y = 0; y < rows; ++y) {
      const uint8_t* from = &content.pixels[static_cast<size_t>(first_row + y) * content.width];
      std::copy_n(from, content.width, &page.pixels[static_cast<size_t>(y) * page_width + left]);
    }
    FG_RETURN_IF_ERROR(sink(std::move(page)));
  }
  return Status::Ok();
}

Result<GreyImage> ResampleToFax(const GreyImage& src, const PageFormat& f, bool rotate_landscape) {
  FG_RETURN_IF_ERROR(CheckRaster(src, "image"));
  if (src.width == 0 || src.height == 0) {
    return MakeError(ErrorCode::kInvalidArgument, "the image has no pixels");
  }
  const double paper_w = f.paper_width_in();
  const double paper_h = f.paper_height_in();
  // One known resolution stands for both (square pixels).
  double x_dpi = src.x_dpi > 0 ? src.x_dpi : src.y_dpi;
  double y_dpi = src.y_dpi > 0 ? src.y_dpi : src.x_dpi;
  const bool known = x_dpi > 0;

  const GreyImage* image = &src;
  GreyImage rotated;
  const bool wider_than_paper =
      known ? src.width / x_dpi > paper_w : src.width > paper_w * f.x_dpi();
  if (rotate_landscape && src.width > src.height && wider_than_paper) {
    rotated = RotateCounterClockwise(src);
    std::swap(x_dpi, y_dpi);
    image = &rotated;
  }

  double width_in = 0;
  double height_in = 0;
  if (known) {
    width_in = image->width / x_dpi;
    height_in = image->height / y_dpi;
  } else {
    width_in = paper_w;
    height_in = paper_w * image->height / image->width;
  }
  double factor = std::min(1.0, paper_w / width_in);
  // Long content without a resolution keeps the width fit and runs over several pages.
  if (known || height_in <= 2 * paper_h) factor = std::min(factor, paper_h / height_in);

  const int width =
      std::clamp(static_cast<int>(std::lround(width_in * factor * f.x_dpi())), 1, f.width_px());
  const int height = std::max(1, static_cast<int>(std::lround(height_in * factor * f.y_dpi())));
  GreyImage out = (width == image->width && height == image->height)
                      ? GreyImage(*image)
                      : ScaleGrey(*image, width, height);
  out.x_dpi = f.x_dpi();
  out.y_dpi = f.y_dpi();
  out.bilevel = src.bilevel;
  return out;
}

}  // namespace faxgate
