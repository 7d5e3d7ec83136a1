// Decoding image files (PNG, JPEG, GIF, BMP, TIFF, PNM, WebP, JPEG 2000) into grey pages.
#pragma once

#include <filesystem>
#include <string_view>

#include "base/result.h"
#include "document/grey_image.h"
#include "document/limits.h"

namespace faxgate {

// Hands every image of `file` to `sink` as one GreyImage: one for most formats, one per page
// for a multi-page TIFF (the first frame of an animated GIF). Each carries the file's
// resolution (0 when it does not say) and is marked `bilevel` when the source is 1 bit deep.
// Transparent areas are composited onto white; colour becomes luminance.
//
// Files come from strangers. The size each image claims is checked before anything is
// decoded: "huge.tif is 100000x100000 pixels; the largest image faxgate converts is 150
// megapixels". Damaged, truncated and unknown files are errors naming `display_name` and
// saying what the decoder found; nothing is printed. More than limits.max_pages images is an
// error. An error from the sink stops the reading.
Status ReadImagePages(const std::filesystem::path& file, std::string_view display_name,
                      const ConversionLimits& limits, const GreySink& sink);

}  // namespace faxgate
