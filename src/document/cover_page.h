// Cover pages: an SVG template with {$FIELD} placeholders, filled in and drawn by librsvg at
// fax resolution. Templates come from administrators (and built-ins, cover_templates.h), so
// they are checked before use and can never make the server read a file or the network.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "document/grey_image.h"
#include "document/page_format.h"

namespace faxgate {

// What a cover page says. Each field replaces one placeholder: to_name {$TO_NAME}, to_fax
// {$TO_FAX}, to_company {$TO_COMPANY}, from_name {$FROM_NAME}, from_company {$FROM_COMPANY},
// from_phone {$FROM_PHONE}, from_fax {$FROM_FAX}, from_email {$FROM_EMAIL}, title {$TITLE},
// subject {$SUBJECT}, comments {$COMMENTS}, date {$DATE}, pages {$PAGES}.
struct CoverFields {
  std::string to_name;
  std::string to_fax;
  std::string to_company;
  std::string from_name;
  std::string from_company;
  std::string from_phone;
  std::string from_fax;
  std::string from_email;
  std::string title;
  std::string subject;
  // May have several lines. Drawn wrapped inside the template's <rect id="comments-box">
  // when it has one (text beyond the box is cut short with an ellipsis); otherwise put in
  // place of {$COMMENTS} on one line.
  std::string comments;
  std::string date;
  std::string pages;
};

// Refuses a template that librsvg cannot parse, that is larger than 1 MB, that uses a
// placeholder not listed above, or that refers to anything outside itself: every href and
// url() must start with "#" or "data:", and entity declarations, XInclude and CSS @import are
// not allowed.
Status ValidateCoverTemplate(std::string_view svg);

// Fills in `svg_template` and draws it on a full page of format `f` (an 8-bit grey image of
// f.width_px() x f.height_rows(); grey fills are dithered later, so bilevel is false). The
// template's own size (A4 for the built-ins) is scaled to fit the paper and centred. An invalid
// template is an error that names it as `template_name`.
Result<GreyImage> RenderCoverPage(std::string_view svg_template, const CoverFields& fields,
                                  const PageFormat& f,
                                  std::string_view template_name = "the cover page template");

}  // namespace faxgate
