#include "mail/fax_address.h"

#include <cctype>

#include <fmt/format.h>

namespace faxgate::mail {
namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

Error Bad(std::string_view local, std::string_view why) {
  return MakeError(ErrorCode::kInvalidArgument,
                   fmt::format("'{}' is not a fax address: {}", local.substr(0, 200), why));
}

}  // namespace

Result<FaxAddress> ParseFaxLocalPart(std::string_view local) {
  std::string_view s = local;
  if (!s.empty() && s.front() == '/') s.remove_prefix(1);
  if (!s.empty() && s.back() == '/') s.remove_suffix(1);
  // Split off /KEY=VALUE options.
  std::string_view head = s.substr(0, s.find('/'));
  std::string_view rest = head.size() < s.size() ? s.substr(head.size() + 1) : std::string_view();
  if (Upper(head.substr(0, 4)) == "FAX=") head.remove_prefix(4);
  FaxAddress out;
  int digits = 0;
  bool extension = false;
  for (char c : head) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (std::isdigit(u)) {
      ++digits;
      out.number += c;
    } else if (c == '+' && out.number.empty()) {
      out.number += c;
    } else if (c == '-' || c == '.') {
      if (!out.number.empty() && out.number.back() != '-') out.number += '-';
    } else if (c == ' ') {
      continue;
    } else if (c == '*' || c == '#' || c == 'P' || c == 'p') {
      out.number += static_cast<char>(std::toupper(u));
    } else if ((c == 'E' || c == 'e') && digits > 0 && !extension) {
      extension = true;
      out.number += 'E';
    } else {
      return Bad(local, fmt::format("'{}' cannot be part of a fax number", c));
    }
  }
  if (digits == 0) return Bad(local, "there is no fax number (write FAX=+86-755-83235170)");
  if (digits > 40) return Bad(local, "a fax number has at most 40 digits");
  if (out.number.back() == 'E') return Bad(local, "no extension digits after 'E'");
  while (!rest.empty()) {
    std::string_view option = rest.substr(0, rest.find('/'));
    rest = option.size() < rest.size() ? rest.substr(option.size() + 1) : std::string_view();
    if (option.empty()) continue;
    const size_t eq = option.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return Bad(local, fmt::format("the option '{}' is not KEY=VALUE", option));
    }
    const std::string key = Upper(option.substr(0, eq));
    const std::string value(option.substr(eq + 1));
    if (key == "T33S") {
      for (char c : value)
        if (!std::isdigit(static_cast<unsigned char>(c)))
          return Bad(local, "the sub-address after /T33S= must be digits");
      out.sub_address = value;
    } else {
      out.options[key] = value;
    }
  }
  return out;
}

}  // namespace faxgate::mail
