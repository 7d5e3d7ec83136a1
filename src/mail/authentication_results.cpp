#include "mail/authentication_results.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace faxgate::mail {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// The value with (comments) removed, nested ones too, and split at the ';' that are not in a
// quoted string. Quotes are kept; a backslash escapes the next character in both.
std::vector<std::string> Statements(std::string_view value) {
  std::vector<std::string> out(1);
  int depth = 0;
  bool quoted = false;
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c == '\\' && i + 1 < value.size() && (quoted || depth > 0)) {
      if (depth == 0) out.back() += value.substr(i, 2);
      ++i;
    } else if (quoted) {
      out.back() += c;
      if (c == '"') quoted = false;
    } else if (c == '(') {
      ++depth;
      out.back() += ' ';
    } else if (c == ')' && depth > 0) {
      --depth;
    } else if (depth > 0) {
      // inside a comment
    } else if (c == '"') {
      quoted = true;
      out.back() += c;
    } else if (c == ';') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

// Splits at white space outside quotes; "a = b" is read as "a=b".
std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> words;
  std::string word;
  bool quoted = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted) {
      if (c == '\\' && i + 1 < s.size()) {
        word += s[++i];
      } else if (c == '"') {
        quoted = false;
      } else {
        word += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (IsSpace(c)) {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  // Join "a" "=" "b", "a=" "b" and "a" "=b".
  std::vector<std::string> joined;
  for (std::string& w : words) {
    if (!joined.empty() && (w.front() == '=' || joined.back().back() == '=')) {
      joined.back() += w;
    } else {
      joined.push_back(std::move(w));
    }
  }
  return joined;
}

std::optional<AuthMethodResult> ReadResult(std::string_view statement) {
  std::vector<std::string> words = Words(statement);
  if (words.empty()) return std::nullopt;
  const size_t eq = words[0].find('=');
  if (eq == std::string::npos || eq == 0) return std::nullopt;
  AuthMethodResult r;
  std::string method = Lower(words[0].substr(0, eq));
  r.method = method.substr(0, method.find('/'));  // "dkim/1" is version 1 of dkim
  r.result = Lower(words[0].substr(eq + 1));
  if (r.method.empty() || r.result.empty()) return std::nullopt;
  for (size_t i = 1; i < words.size(); ++i) {
    const size_t e = words[i].find('=');
    if (e == std::string::npos || e == 0) continue;
    std::string key = Lower(words[i].substr(0, e));
    std::string val = words[i].substr(e + 1);
    if (key == "reason") {
      r.reason = std::move(val);
    } else if (key.find('.') != std::string::npos) {
      r.properties.emplace(std::move(key), std::move(val));
    }
  }
  return r;
}

std::string DomainOf(std::string_view address) {
  const size_t at = address.rfind('@');
  std::string d = Lower(at == std::string_view::npos ? address : address.substr(at + 1));
  while (!d.empty() && (d.back() == '>' || d.back() == '.')) d.pop_back();
  return d;
}

bool Trusted(std::string_view id, const std::vector<std::string>& trusted) {
  return std::any_of(trusted.begin(), trusted.end(),
                     [&](const std::string& t) { return Lower(Trim(t)) == id; });
}

}  // namespace

std::optional<AuthenticationResults> ParseAuthenticationResults(std::string_view value) {
  std::vector<std::string> statements = Statements(value);
  std::vector<std::string> head = Words(statements[0]);
  if (head.empty()) return std::nullopt;
  AuthenticationResults out;
  out.authserv_id = Lower(head[0]);  // a version number may follow; it is 1 or unknown
  for (size_t i = 1; i < statements.size(); ++i) {
    if (auto r = ReadResult(statements[i]); r && r->method != "none") {
      out.results.push_back(std::move(*r));
    }
  }
  return out;
}

SpfFromHeaders SpfFromAuthenticationResults(std::string_view headers,
                                            const std::vector<std::string>& trusted) {
  SpfFromHeaders out;
  std::string names;
  for (const std::string& t : trusted) names += (names.empty() ? "" : ", ") + t;
  size_t pos = 0;
  while (pos <= headers.size()) {
    size_t end = headers.find('\n', pos);
    if (end == std::string_view::npos) end = headers.size();
    std::string_view line = headers.substr(pos, end - pos);
    pos = end + 1;
    auto parsed = ParseAuthenticationResults(line);
    if (!parsed || !Trusted(parsed->authserv_id, trusted)) continue;
    for (const AuthMethodResult& r : parsed->results) {
      if (r.method != "spf") continue;
      auto from = r.properties.find("smtp.mailfrom");
      if (from == r.properties.end()) from = r.properties.find("smtp.helo");
      out.domain = from == r.properties.end() ? "" : DomainOf(from->second);
      out.pass = r.result == "pass";
      out.reason = fmt::format("spf={}{} at {}", r.result,
                               out.domain.empty() ? "" : " for " + out.domain, parsed->authserv_id);
      return out;
    }
    out.reason = fmt::format("{} recorded no SPF result for the mail", parsed->authserv_id);
    return out;
  }
  out.reason = fmt::format("the mail has no Authentication-Results from a trusted server ({})",
                           names.empty() ? "none configured" : names);
  return out;
}

}  // namespace faxgate::mail
