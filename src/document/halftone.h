// The halftone stage: an 8-bit grey page becomes the bilevel bitmap a fax line carries.
#pragma once

#include "document/grey_image.h"
#include "document/page_format.h"
#include "fax/tiff_document.h"

namespace faxgate {

// Returns `page` as a fax Bitmap of the same size (1 = black, MSB first, stride (width+7)/8,
// resolution copied). Pure black (0) and pure white (255) pixels come out exactly as they
// went in with every method, so text drawn without anti-aliasing stays pixel-crisp next to
// dithered photos. A page marked `bilevel` is always thresholded.
//
// The clustered-dot screen is a 45-degree dot of about 36 lines per inch whose cell is
// shaped by the page's x_dpi/y_dpi, so the dots stay round at 98, 196 and 391 lines per inch;
// its mean tone follows the source within a few levels.
//
// REQUIRES: page.pixels.size() == width * height.
Bitmap ToBilevel(const GreyImage& page, Halftone method);

}  // namespace faxgate
