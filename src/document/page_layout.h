// Placing content on fax pages: scaling to fax resolution, centring on the scan line, padding
// and splitting into pages of the job's paper size.
#pragma once

#include "base/result.h"
#include "document/grey_image.h"
#include "document/page_format.h"

namespace faxgate {

// Hands `content` to `sink` as full fax pages of `f`: every page is f.width_px() wide and
// f.height_rows() tall, at 204 x f.y_dpi(), white where the content does not reach.
// - `content` is already at the target resolution (204 dpi across, f.y_dpi() down); if it is
//   wider than the scan line it is shrunk (both axes by the same factor, area-averaged).
// - It is centred horizontally and starts at the top of the first page.
// - Content taller than a page is cut into consecutive pages; the last one is padded.
// `bilevel` is kept. An error from the sink stops the layout and is returned.
Status LayOutPages(GreyImage content, const PageFormat& f, const GreySink& sink);

// Scales an image that carries its own resolution to fax resolution (204 x f.y_dpi()):
// - with a known dpi it keeps its physical size, unless it is larger than the paper
//   (paper_width_in x paper_height_in), when it is shrunk to fit;
// - with no dpi (0) it is fitted to the paper (to its width alone when the image is more
//   than two pages tall at that width, so long screenshots and receipts stay readable and
//   run over several pages);
// - when `rotate_landscape`, an image wider than tall that is wider than the paper is first
//   turned 90 degrees counter-clockwise (its top edge on the left, as printers do).
// Downscaling averages areas (photos keep their mean grey); upscaling is bilinear. The result
// goes to LayOutPages. An image with no pixels is an error.
Result<GreyImage> ResampleToFax(const GreyImage& src, const PageFormat& f, bool rotate_landscape);

// Resizes to exactly `width` x `height` (each at least 1): each axis is area-averaged when it
// shrinks and bilinear when it grows. Pure black and white areas stay exactly 0 and 255.
// Resolution is scaled along; `bilevel` is kept.
GreyImage ScaleGrey(const GreyImage& src, int width, int height);

}  // namespace faxgate
