// Mail subjects, recipient addresses and FAX= local parts are typed by strangers. Parses the
// bytes every way and checks: recipients always carry a number with digits, at most 100 of
// them; the redacted subject never contains a password the parser found; a FAX= number holds
// at most 40 digits.
#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "mail/fax_address.h"
#include "mail/mail_address.h"
#include "mail/subject_recipients.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto s = faxgate::mail::ParseSubjectRecipients(text);
  if (s.ok()) {
    FUZZ_CHECK(!s->recipients.empty() && s->recipients.size() <= 100);
    for (const auto& r : s->recipients) {
      bool digit = false;
      for (char c : r.number) digit |= std::isdigit(static_cast<unsigned char>(c)) != 0;
      FUZZ_CHECK(digit);
    }
    if (s->password && s->password->size() >= 4) {
      const std::string redacted = faxgate::mail::RedactSubjectPassword(text);
      FUZZ_CHECK(redacted.size() >= 4 && redacted.substr(redacted.size() - 4) == "****");
    }
  }
  auto fax = faxgate::mail::ParseFaxLocalPart(text);
  if (fax.ok()) {
    int digits = 0;
    for (char c : fax->number) digits += std::isdigit(static_cast<unsigned char>(c)) != 0;
    FUZZ_CHECK(digits >= 1 && digits <= 40);
  }
  auto address = faxgate::mail::ParseMailAddress(text);
  if (address.ok()) {
    FUZZ_CHECK(!address->local_part.empty() && address->local_part.size() <= 64);
    FUZZ_CHECK(!address->domain.empty() && address->domain.size() <= 255);
  }
  return 0;
}
