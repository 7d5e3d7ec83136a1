// What a received fax becomes for the people who get it: a PDF for mail, TIFF files in the
// Internet-fax profiles (RFC 3949 Profile S, TIFF-F) and a PNG thumbnail for the web page.
// Inputs are TIFF-F files as spandsp or FaxPageWriter write them: MH, MR or MMR (G3 1-D,
// G3 2-D, G4), 1728/2048/2432 pixels wide, 98/196/391 lines per inch. All outputs are
// written atomically; on error nothing is left at the output path.
#pragma once

#include <filesystem>

#include "base/result.h"

namespace faxgate {

// One PDF page per fax page, each an image holding the page's CCITT data as received (no
// decoding, so it is fast and pixel-exact); the page size comes from the resolution, so a
// 204x98 page is as large as a 204x196 one. Pages stored in several strips, or in a layout
// PDF cannot carry, are decoded and re-encoded as G4.
Status WriteFaxPdf(const std::filesystem::path& tiff, const std::filesystem::path& pdf);

// RFC 3949 Profile S (minimal black and white): MH coding with byte-aligned EOLs, 1728
// pixels wide, 204 x 98 or 204 x 196, FillOrder 2, one strip per page, NewSubfileType page,
// PageNumber. Wider pages (B4, A3) are scaled down to 1728 pixels, rows by the same factor;
// superfine pages are halved to 196 lines by OR-ing row pairs, so thin lines survive.
Status WriteTiffProfileS(const std::filesystem::path& in, const std::filesystem::path& out);

// TIFF-F: the pages' G4 or G3 data copied as received, tags normalised (min-is-white,
// FillOrder 2, resolution in inches, PageNumber n of total, one strip per page). Pages in
// several strips or stored black-is-zero are re-encoded as G4.
Status WriteTiffProfileF(const std::filesystem::path& in, const std::filesystem::path& out);

// Page `page_index` (0-based) as a grey PNG at most `max_width` pixels wide (never enlarged),
// area-averaged so that small print stays readable, with its height corrected for the fax
// resolution so the page has its paper proportions.
Status WritePngThumbnail(const std::filesystem::path& tiff, int page_index, int max_width,
                         const std::filesystem::path& png);

}  // namespace faxgate
