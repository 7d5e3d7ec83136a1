// Small ASCII text helpers shared by the parsers of this module. HTTP's syntax is ASCII, so
// none of these look at locales.
#pragma once

#include <string>
#include <string_view>

namespace faxgate::http {

// Case-insensitive equality for header names, tokens and schemes.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string ToLower(std::string_view text);
// Without leading and trailing spaces and tabs (HTTP's optional white space).
std::string_view TrimWhitespace(std::string_view text);

}  // namespace faxgate::http
