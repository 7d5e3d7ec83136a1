#include "mail/subject_recipients.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>

#include <fmt/format.h>

#include "mail/quoted_input.h"

namespace faxgate::mail {
namespace {

constexpr size_t kMaxRecipients = 100;
constexpr int kMaxDigits = 40;
constexpr size_t kMaxNameChars = 100;
constexpr size_t kMaxAccountChars = 64;

constexpr std::string_view kFullWidthColon = "\xEF\xBC\x9A";  // ：
constexpr std::string_view kIdeographicSpace = "\xE3\x80\x80";

Error Bad(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// ASCII whitespace or U+3000 at s[i]: its length, else 0.
size_t SpaceAt(std::string_view s, size_t i) {
  const char c = s[i];
  if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return 1;
  return s.substr(i, 3) == kIdeographicSpace ? 3 : 0;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && SpaceAt(s, 0) > 0) s.remove_prefix(SpaceAt(s, 0));
  while (!s.empty()) {
    if (SpaceAt(s, s.size() - 1) == 1) {
      s.remove_suffix(1);
    } else if (s.size() >= 3 && s.substr(s.size() - 3) == kIdeographicSpace) {
      s.remove_suffix(3);
    } else {
      break;
    }
  }
  return s;
}

// Full-width forms U+FF01..U+FF5E (EF BC 81..EF BD 9E) in `s` that `convert` accepts become
// their ASCII forms.
template <typename Pred>
std::string FromFullWidth(std::string_view s, Pred convert) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const size_t len = Utf8SequenceLength(s.substr(i));
    if (len == 3 && (s[i] == '\xEF')) {
      size_t j = i;
      const char32_t cp = NextCodePoint(s, &j);
      if (cp >= 0xFF01 && cp <= 0xFF5E && convert(static_cast<char>(cp - 0xFEE0))) {
        out += static_cast<char>(cp - 0xFEE0);
        i = j;
        continue;
      }
    }
    const size_t n = len == 0 ? 1 : len;
    out.append(s.substr(i, n));
    i += n;
  }
  return out;
}

bool IsDelimiter(char c) { return c == ';' || c == ',' || c == '/' || c == '|' || c == ':'; }
bool Any(char) { return true; }

// Where the password's ':' (or '：') starts, and its length; npos when there is none.
std::pair<size_t, size_t> FindPasswordColon(std::string_view s) {
  const size_t ascii = s.find(':');
  const size_t wide = s.find(kFullWidthColon);
  if (wide != std::string_view::npos && (ascii == std::string_view::npos || wide < ascii))
    return {wide, kFullWidthColon.size()};
  return {ascii, 1};
}

bool IsReplyPrefix(std::string_view head) {
  std::string lower(head);
  for (char& c : lower)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  for (std::string_view p : {"re", "fw", "fwd", "aw", "wg", "回复", "答复", "转发", "回覆", "轉寄"})
    if (lower == p) return true;
  return false;
}

// Splits off and checks the password; returns the recipient list before it.
Result<std::string_view> SplitPassword(std::string_view subject,
                                       std::optional<std::string>* password) {
  const auto [colon, colon_len] = FindPasswordColon(subject);
  if (colon == std::string_view::npos) return subject;
  const std::string_view head = subject.substr(0, colon);
  if (IsReplyPrefix(Trim(head))) {
    return Bad(
        fmt::format("the subject starts with \"{}:\" as replies and forwards do; write "
                    "only the recipients, as in 86-755-83235170/Name; 83235180",
                    QuoteInput(Trim(head))));
  }
  const std::string_view secret = Trim(subject.substr(colon + colon_len));
  if (secret.empty()) return Bad("there is nothing after ':' where the password goes");
  for (size_t i = 0; i < secret.size(); ++i) {
    const std::string_view rest = secret.substr(i);
    if (SpaceAt(secret, i) > 0 || secret[i] == ';' || secret[i] == ',' ||
        rest.starts_with("\xEF\xBC\x9B") || rest.starts_with("\xEF\xBC\x8C")) {
      return Bad(
          "the text after the first ':' is not a password: the password ends the subject and "
          "holds no spaces, ';' or ','; recipient names cannot contain ':'");
    }
  }
  *password = std::string(secret);
  return head;
}

// Why `number` is not a fax number, or empty when it is one.
std::string NumberProblem(std::string_view number) {
  int digits = 0;
  bool marker = false;
  int extension_digits = 0;
  for (size_t i = 0; i < number.size(); ++i) {
    const char c = number[i];
    if (IsDigit(c)) {
      ++digits;
      if (marker) ++extension_digits;
      continue;
    }
    if (std::string_view(" \t-+.()*#").find(c) != std::string_view::npos) continue;
    if ((c == 'E' || c == 'e') && !marker && digits > 0) {
      marker = true;
      std::string x(number.substr(i + 1, 2));
      for (char& ch : x)
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
      if (x == "xt") {  // "ext" or "ext."
        i += 2;
        if (i + 1 < number.size() && number[i + 1] == '.') ++i;
      }
      continue;
    }
    const size_t len = Utf8SequenceLength(number.substr(i));
    return fmt::format("'{}' cannot be part of one",
                       QuoteInput(number.substr(i, len == 0 ? 1 : len), 1));
  }
  if (digits == 0) return "it has no digits";
  if (marker && extension_digits == 0) return "no extension digits follow the 'E'";
  if (digits > kMaxDigits)
    return fmt::format("it has {} digits; a fax number has at most {}", digits, kMaxDigits);
  return "";
}

Status CheckAccount(std::string_view account, int index) {
  if (account.empty()) return Bad(fmt::format("recipient {}: no account after '|'", index));
  if (account.size() > kMaxAccountChars) {
    return Bad(fmt::format("recipient {}: the account after '|' is longer than {} characters",
                           index, kMaxAccountChars));
  }
  for (char c : account) {
    const bool ok = IsDigit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' ||
                    c == '_' || c == '.';
    if (!ok) {
      return Bad(fmt::format(
          "recipient {}: the account \"{}\" may only hold letters, digits, '-', '_' and '.'", index,
          QuoteInput(account, 40)));
    }
  }
  return Status::Ok();
}

Status CheckName(std::string_view name, int index) {
  size_t chars = 0;
  for (size_t i = 0; i < name.size(); ++chars) {
    const char32_t cp = NextCodePoint(name, &i);
    if (cp < 0x20 || cp == 0x7F) {
      return Bad(fmt::format("recipient {}: the name has a control character", index));
    }
  }
  if (chars > kMaxNameChars) {
    return Bad(fmt::format("recipient {}: the name \"{}\" is longer than {} characters", index,
                           QuoteInput(name, 20), kMaxNameChars));
  }
  return Status::Ok();
}

// One recipient, delimiters already in ASCII: number [| account] [/ name [| second-name]].
Result<SubjectRecipient> ParseRecipient(std::string_view item, int index) {
  const size_t slash = item.find('/');
  const std::string_view target = item.substr(0, slash);
  const std::string_view names =
      slash == std::string_view::npos ? std::string_view() : item.substr(slash + 1);
  const size_t bar = target.find('|');
  SubjectRecipient r;
  r.number = FromFullWidth(Trim(target.substr(0, bar)), Any);
  if (r.number.empty()) {
    return Bad(fmt::format("recipient {} (\"{}\") has no fax number", index, QuoteInput(item)));
  }
  if (const std::string why = NumberProblem(r.number); !why.empty()) {
    return Bad(fmt::format("recipient {}: \"{}\" is not a fax number ({})", index,
                           QuoteInput(r.number), why));
  }
  if (bar != std::string_view::npos) {
    const std::string_view account = target.substr(bar + 1);
    if (account.find('|') != std::string_view::npos) {
      return Bad(fmt::format("recipient {} has more than one '|' before its name", index));
    }
    r.account = FromFullWidth(Trim(account), Any);
    FG_RETURN_IF_ERROR(CheckAccount(r.account, index));
  }
  const size_t name_bar = names.find('|');
  r.name = std::string(Trim(names.substr(0, name_bar)));
  if (name_bar != std::string_view::npos) {
    const std::string_view second = names.substr(name_bar + 1);
    if (second.find('|') != std::string_view::npos) {
      return Bad(fmt::format("recipient {} has more than two names (Name1|Name2)", index));
    }
    r.second_name = std::string(Trim(second));
  }
  FG_RETURN_IF_ERROR(CheckName(r.name, index));
  FG_RETURN_IF_ERROR(CheckName(r.second_name, index));
  return r;
}

}  // namespace

Result<ParsedSubject> ParseSubjectRecipients(std::string_view subject_utf8) {
  if (!IsValidUtf8(subject_utf8)) return Bad("the subject is not valid UTF-8 text");
  ParsedSubject out;
  FG_ASSIGN_OR_RETURN(std::string_view list, SplitPassword(subject_utf8, &out.password));
  const std::string ascii = FromFullWidth(list, IsDelimiter);
  int index = 0;
  for (size_t start = 0; start <= ascii.size();) {
    size_t end = ascii.find_first_of(";,", start);
    if (end == std::string::npos) end = ascii.size();
    const std::string_view item = Trim(std::string_view(ascii).substr(start, end - start));
    start = end + 1;
    if (item.empty()) continue;
    if (++index > static_cast<int>(kMaxRecipients)) {
      return Bad(
          fmt::format("the subject names more than {} recipients; at most {} are allowed "
                      "in one mail",
                      kMaxRecipients, kMaxRecipients));
    }
    FG_ASSIGN_OR_RETURN(SubjectRecipient r, ParseRecipient(item, index));
    out.recipients.push_back(std::move(r));
  }
  if (out.recipients.empty()) return Bad("the subject names no recipients");
  return out;
}

std::string RedactSubjectPassword(std::string_view subject_utf8) {
  const auto [colon, colon_len] = FindPasswordColon(subject_utf8);
  if (colon == std::string_view::npos) return std::string(subject_utf8);
  if (Trim(subject_utf8.substr(colon + colon_len)).empty()) return std::string(subject_utf8);
  return std::string(subject_utf8.substr(0, colon + colon_len)) + "****";
}

bool SecretEquals(std::string_view a, std::string_view b) {
  // Comparing digests makes the time independent of where the secrets differ and of the
  // length of either; CRYPTO_memcmp is constant-time for the equal-length digests.
  std::array<unsigned char, EVP_MAX_MD_SIZE> da{}, db{};
  unsigned int la = 0, lb = 0;
  const bool ok = EVP_Digest(a.data(), a.size(), da.data(), &la, EVP_sha256(), nullptr) == 1 &&
                  EVP_Digest(b.data(), b.size(), db.data(), &lb, EVP_sha256(), nullptr) == 1;
  return ok && la == lb && CRYPTO_memcmp(da.data(), db.data(), la) == 0;
}

}  // namespace faxgate::mail
