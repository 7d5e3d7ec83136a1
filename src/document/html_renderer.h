// HTML to PDF with headless Chromium, run as a confined subprocess. The PDF then goes through
// RenderPdf like any other.
//
// The HTML is a stranger's: before printing, a copy gets a Content-Security-Policy that
// forbids every fetch (scripts, frames, images, fonts, styles other than inline ones, except
// data: URLs), so a page can neither reach the network nor pull local files such as
// file:///etc/passwd into the fax; Chromium's resolver and proxy are also pointed at nowhere.
// Relative references to other files therefore do not load: a submitted HTML document is one
// self-contained file.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.h"
#include "document/limits.h"
#include "document/page_format.h"

namespace faxgate {

// Prints `html` to <work_dir>/html.pdf on the paper of `f` (CSS @page size, 10 mm margins,
// unless the document's own @page rule says otherwise) and returns that path. work_dir must
// exist; Chromium's profile goes to <work_dir>/chromium.
// Errors: "NAME: the HTML renderer took longer than 60 s and was stopped", "NAME: the HTML
// renderer failed (...)".
Result<std::filesystem::path> HtmlToPdf(const std::filesystem::path& html,
                                        std::string_view display_name, const PageFormat& f,
                                        const ConversionLimits& limits,
                                        const std::filesystem::path& work_dir);

// The HTML with the security policy and page size inserted where the parser will put them in
// <head> without changing the document's mode (right after a leading doctype, else first).
std::string PrepareHtmlForPrinting(std::string_view html, const PageFormat& f);

}  // namespace faxgate
