// Private to the fax module: how big a TIFF we agree to look at. Files come from strangers
// (uploads, received faxes); the limits are checked before anything is allocated.
#pragma once

#include <cstddef>
#include <cstdint>

namespace faxgate {

// Pages in one file. A fax document of more than a few hundred pages is already unusual.
inline constexpr size_t kMaxPages = 10000;
// Rows of a sendable page: over 100 inches at superfine.
inline constexpr int kMaxPageRows = 40000;
// Widest bitmap ReadBitmaps decodes (an A3 page at 600 dpi is 7016 pixels).
inline constexpr int kMaxBitmapWidth = 10000;
inline constexpr int kMaxBitmapRows = 40000;
// All bitmaps of one ReadBitmaps call together.
inline constexpr size_t kMaxDecodedBytes = size_t{256} * 1024 * 1024;
// Values read from a file are clamped to this before they become an int.
inline constexpr uint32_t kTiffDimensionClamp = uint32_t{1} << 30;

}  // namespace faxgate
