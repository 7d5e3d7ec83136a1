// The tag line: the line of small print across the top of every sent fax page ("From ...,
// date, Page 2 of 5"), formatted like HylaFAX's TagLineFormat and drawn with Pango, so it can
// be in Chinese, which spandsp's fixed ASCII header cannot.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"
#include "document/page_format.h"
#include "fax/tiff_document.h"

namespace faxgate {

// What the %% codes of a tag line format stand for (HylaFAX's names in brackets).
struct TagFields {
  std::string local_ident;    // %%l  local identifier, the TSI
  std::string fax_number;     // %%n  our own fax number
  std::string destination;    // %%d  the number dialled
  std::string subaddress;     // %%a
  std::string to_company;     // %%c  destination company
  std::string from_company;   // %%C  sender's company
  std::string to_location;    // %%g
  std::string from_location;  // %%G
  std::string job_id;         // %%i
  std::string group_id;       // %%I
  std::string job_tag;        // %%j
  std::string mail_address;   // %%m  sender's mail address
  std::string recipient;      // %%r  receiver's name
  std::string sender;         // %%s  sender's name
  std::string subject;        // %%S
  std::string to_voice;       // %%v
  std::string from_voice;     // %%V
  int page = 1;               // %%P  page of the whole job
  int total = 1;              // %%T  pages of the whole job
  int call_page = 0;          // %%p  page of this call; 0 = same as page
  int call_total = 0;         // %%t  pages of this call; 0 = same as total
  TimePoint time;             // what the strftime codes show
  // Offset from UTC for the strftime codes; unset means the server's local time zone.
  std::optional<std::chrono::minutes> utc_offset;
};

// Expands a HylaFAX TagLineFormat, e.g. "From %%l|%c|Page %%P of %%T": `%%x` codes take the
// fields above, `%x` codes are strftime's (in the C locale), "%%" not followed by a known code
// is a literal '%'. The result still contains the format's '|' field separators; '|' and
// control characters inside field values become '/' and spaces.
std::string FormatTagLine(std::string_view format, const TagFields& fields);

// Rows of the band at the top of a page that the tag line takes (0.14 inch: 14 rows at
// 98 lines per inch, 28 at 196, 55 at 391).
int TagLineRows(const PageFormat& f);

// Whites out the top TagLineRows(f) rows of `page` and draws `formatted` there. Fields
// separated by '|' share the width equally, each centred in its share, or left-aligned when it
// starts with '{' and right-aligned when it starts with '}'. A field too long for its share is
// cut short with an ellipsis; the line never wraps. The page keeps its size.
Status StampTagLine(Bitmap& page, std::string_view formatted, const PageFormat& f);

}  // namespace faxgate
