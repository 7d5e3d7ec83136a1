#include "mail/gateway/mail_envelope.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace faxgate::mail {
namespace {

// Replaces every $s$ and $d$; reports whether a replaced number was empty.
std::string Substitute(std::string_view text, std::string_view calling, std::string_view called,
                       bool* used_empty) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.substr(i, 3) == "$s$" || text.substr(i, 3) == "$d$") {
      std::string_view number = text[i + 1] == 's' ? calling : called;
      if (number.empty()) *used_empty = true;
      out += number;
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

std::string NewEnvid(std::string_view kind, int64_t fax_id) {
  unsigned char random[6];
  if (RAND_bytes(random, sizeof random) != 1) std::fill(std::begin(random), std::end(random), 0);
  std::string hex;
  for (unsigned char c : random) hex += fmt::format("{:02x}", c);
  return fmt::format("fg-{}-{}-{}", kind, fax_id, hex);
}

std::string ExpandMailFrom(std::string_view user_template, std::string_view calling,
                           std::string_view called, std::string_view host,
                           std::string_view fallback) {
  bool used_empty = false;
  std::string user = Substitute(user_template, calling, called, &used_empty);
  const bool bad = used_empty || user.empty() || user.back() == '=' ||
                   std::any_of(user.begin(), user.end(), [](unsigned char c) {
                     return std::isspace(c) || c == '@' || c == '<' || c == '>';
                   });
  if (bad) return std::string(fallback);
  return fmt::format("{}@{}", user, host);
}

std::string ExpandRouteTarget(std::string_view target, std::string_view calling,
                              std::string_view called) {
  bool used_empty = false;
  std::string out = Substitute(target, calling, called, &used_empty);
  return used_empty ? std::string() : out;
}

std::string NotifyParameter(std::string_view dsn) {
  if (dsn.empty()) return "";
  std::string out;
  for (char c : dsn) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace faxgate::mail
