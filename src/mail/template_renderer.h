// Mail templates with {$NAME} placeholders (GOTONE's mail templates: {$SUBJECT} {$TO} {$FROM}
// {$MAIL_SUBJECT} {$DATE_TIME} {$RECORDS}); {$RECORDS} becomes the attempt table.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace faxgate::mail {

struct TemplateValues {
  std::map<std::string, std::string> fields;  // "SUBJECT" -> "..."
  // {$RECORDS}: the first row is the header; columns are aligned for CJK (wide characters
  // count two columns).
  std::vector<std::vector<std::string>> records_header_and_rows;
};

// Replaces every known {$NAME}; an unknown one is left as written, so that a typo shows.
std::string RenderTemplate(std::string_view text, const TemplateValues& values);
// The placeholders `text` uses that are not in `known`.
std::vector<std::string> UnknownPlaceholders(std::string_view text,
                                             const std::vector<std::string>& known);
// Display width of UTF-8 text in a monospaced font (East Asian wide characters: 2).
size_t DisplayWidth(std::string_view utf8);

}  // namespace faxgate::mail
