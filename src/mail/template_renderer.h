// Mail templates with {$NAME} placeholders (GOTONE's mail templates: {$SUBJECT} {$TO} {$FROM}
// {$MAIL_SUBJECT} {$DATE_TIME} {$RECORDS}); {$RECORDS} becomes a plain-text table of attempts.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace faxgate::mail {

struct TemplateValues {
  std::map<std::string, std::string> fields;  // "SUBJECT" -> "...", names in upper case
  // {$RECORDS}: the first row is the header. Rendered as columns aligned for a monospaced
  // font, East Asian wide characters counting two columns.
  std::vector<std::vector<std::string>> records_header_and_rows;
};

// Replaces every {$NAME} whose NAME (letters, digits, '_'; any case) has a value; {$RECORDS}
// always becomes the table (empty without rows). Values are inserted once and never expanded
// again, so a subject that contains "{$RECORDS}" stays text. Any other placeholder is left as
// written, so that a typo shows in the preview. Never throws (short of running out of memory).
std::string RenderTemplate(std::string_view text, const TemplateValues& values);

// The placeholder names `text` uses that are not in `known` (compared ignoring case), each once,
// in order of first use, as written. For the preview's warnings.
std::vector<std::string> UnknownPlaceholders(std::string_view text,
                                             const std::vector<std::string>& known);

// Columns UTF-8 text takes in a monospaced font: East Asian wide and full-width characters 2,
// combining marks and zero-width characters 0, everything else 1.
size_t DisplayWidth(std::string_view utf8);

}  // namespace faxgate::mail
