// PDF and PostScript pages to 8-bit grey rasters at fax resolution, by external renderers
// (MuPDF's mutool for PDF, Ghostscript for PostScript/EPS) that write a PGM stream to a pipe.
// Each renderer runs as a confined subprocess (document/subprocess.h) under `limits`: a
// hostile document can only fail, with a message naming it and the limit it hit.
//
// Pages are drawn without anti-aliasing (text stays pure black and white; the halftone stage
// dithers only real grey) at 204 dpi across and f.y_dpi() down, so the non-square fax
// resolution is exact. Every emitted GreyImage has x_dpi 204, y_dpi f.y_dpi() and
// bilevel = false, and is handed to `sink` as soon as it is rendered.
#pragma once

#include <filesystem>
#include <string_view>

#include "base/result.h"
#include "document/grey_image.h"
#include "document/limits.h"
#include "document/page_format.h"

namespace faxgate {

// Renders every page of a PDF, one GreyImage per page, at true scale:
//  - a landscape page (wider than tall, after its /Rotate) is turned 90 degrees clockwise so
//    it fills a portrait fax page;
//  - a page wider than the paper (f.paper_width_in()) is shrunk to the paper width;
//  - a page that would still be taller than kMaxFaxPagesPerPdfPage fax pages is shrunk to that
//    height (a 14400 pt "PDF bomb" page becomes a few MB of pixels, not gigabytes).
// Refuses more than limits.max_pages pages before rendering anything. The whole call (page
// listing plus drawing) shares one limits.wall_time deadline.
// Errors: "NAME: cannot be read as PDF (mutool: ...)", "NAME is password-protected (encrypted
// PDF); ...", "NAME has 812 pages; ...", "NAME: the PDF renderer took longer than 60 s and
// was stopped", or the sink's own error.
Status RenderPdf(const std::filesystem::path& pdf, std::string_view display_name,
                 const PageFormat& f, const ConversionLimits& limits,
                 const std::filesystem::path& work_dir, const GreySink& sink);

// Renders PostScript with Ghostscript (-dSAFER) on the paper of `f`: each page is scaled and
// rotated to fit the paper (-dFIXEDMEDIA -dPSFitPage), EPS files are fitted the same way
// (-dEPSFitPage). Pages are counted as they stream; the render stops with an error when the
// document passes limits.max_pages. An endless program ("{} loop") is stopped at
// limits.wall_time or limits.cpu_seconds: "NAME: the PostScript renderer took longer than
// 60 s and was stopped".
Status RenderPostScript(const std::filesystem::path& ps, std::string_view display_name,
                        const PageFormat& f, const ConversionLimits& limits,
                        const std::filesystem::path& work_dir, const GreySink& sink);

// The tallest a single PDF page may render, in fax pages of the job's format.
inline constexpr int kMaxFaxPagesPerPdfPage = 4;

}  // namespace faxgate
