// The shared mailbox's subject is typed by whoever mails the mailbox. Parses the bytes and
// checks what the poller relies on: 1 to 100 recipients, each with a number that has digits,
// no part holding a separator it was split at, names that are valid UTF-8; the password never
// influences an error message (so it cannot be echoed in a reply), and the redacted subject is
// the subject with exactly the password replaced by "****".
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "mail/quoted_input.h"
#include "mail/subject_recipients.h"

namespace {

using faxgate::mail::IsValidUtf8;
using faxgate::mail::ParseSubjectRecipients;
using faxgate::mail::RedactSubjectPassword;

constexpr std::string_view kWideColon = "\xEF\xBC\x9A";

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool Holds(std::string_view s, std::string_view chars) {
  return s.find_first_of(chars) != std::string_view::npos;
}

// Where the password's colon ends, or npos: the first ':' or '：'.
size_t PasswordStart(std::string_view s) {
  const size_t ascii = s.find(':');
  const size_t wide = s.find(kWideColon);
  if (wide != std::string_view::npos && (ascii == std::string_view::npos || wide < ascii))
    return wide + kWideColon.size();
  return ascii == std::string_view::npos ? ascii : ascii + 1;
}

std::string_view TrimAscii(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

void CheckAccepted(std::string_view text, const faxgate::mail::ParsedSubject& s) {
  FUZZ_CHECK(!s.recipients.empty() && s.recipients.size() <= 100);
  for (const auto& r : s.recipients) {
    FUZZ_CHECK(Holds(r.number, "0123456789"));
    FUZZ_CHECK(!Holds(r.number, ";,/|:") && !IsSpace(r.number.front()) &&
               !IsSpace(r.number.back()));
    FUZZ_CHECK(r.account.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                           "0123456789-_.") == std::string::npos);
    for (const std::string& name : {r.name, r.second_name}) {
      FUZZ_CHECK(IsValidUtf8(name) && !Holds(name, ";,|:\r\n"));
      FUZZ_CHECK(name.empty() || (!IsSpace(name.front()) && !IsSpace(name.back())));
    }
  }
  const std::string redacted = RedactSubjectPassword(text);
  if (!s.password) {
    FUZZ_CHECK(redacted == text);
    return;
  }
  FUZZ_CHECK(!s.password->empty() && !Holds(*s.password, " \t\r\n;,"));
  FUZZ_CHECK(redacted.size() >= 4 && redacted.substr(redacted.size() - 4) == "****");
  const std::string_view prefix = std::string_view(redacted).substr(0, redacted.size() - 4);
  FUZZ_CHECK(text.substr(0, prefix.size()) == prefix && prefix.size() == PasswordStart(text));
  FUZZ_CHECK(TrimAscii(text.substr(prefix.size())).find(*s.password) != std::string_view::npos);
}

// The same subject with another password of the same shape parses the same way: nothing of
// the password reaches a message or the recipients.
void CheckPasswordIsInert(std::string_view text,
                          const faxgate::Result<faxgate::mail::ParsedSubject>& r) {
  const size_t start = PasswordStart(text);
  if (start == std::string_view::npos) return;
  const std::string_view tail = text.substr(start);
  if (tail.empty() || Holds(tail, " \t\r\n;,") || tail.find("\xEF\xBC") != std::string_view::npos ||
      tail.find("\xE3\x80\x80") != std::string_view::npos) {
    return;  // not password-shaped: refused without quoting it, checked by the unit tests
  }
  const std::string other = std::string(text.substr(0, start)) + std::string(tail.size(), 'Q');
  auto again = ParseSubjectRecipients(other);
  FUZZ_CHECK(again.ok() == r.ok());
  if (!r.ok()) {
    FUZZ_CHECK(again.error().message == r.error().message);
  } else {
    FUZZ_CHECK(again->recipients.size() == r->recipients.size());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto s = ParseSubjectRecipients(text);
  if (s.ok()) {
    CheckAccepted(text, *s);
  } else {
    const std::string& m = s.error().message;
    FUZZ_CHECK(!m.empty() && m.size() < 600 && IsValidUtf8(m) && !Holds(m, "\r\n"));
  }
  if (IsValidUtf8(text)) CheckPasswordIsInert(text, s);
  return 0;
}
