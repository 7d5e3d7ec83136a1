// Recipient and sender addresses come from any SMTP client and any mail header. Parses the bytes
// as a mail address and as a FAX= local part, as the OffRamp does, and checks: the parts stay
// within RFC 5321's limits, a domain is lower case, an address that needs no quotes reads back
// the same, a fax number holds 1 to 40 digits in the canonical form the dial plan expects and
// reads back the same, and every refusal is a short line of valid text that cannot break an
// SMTP reply.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "mail/fax_address.h"
#include "mail/mail_address.h"
#include "mail/quoted_input.h"

namespace {

using faxgate::mail::IsValidUtf8;

void CheckRefusal(const faxgate::Error& e) {
  FUZZ_CHECK(e.code == faxgate::ErrorCode::kInvalidArgument);
  FUZZ_CHECK(!e.message.empty() && e.message.size() < 600 && IsValidUtf8(e.message));
  for (char c : e.message) FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7F);
}

bool NeedsQuotes(std::string_view local) {
  return local.find_first_of(" \t\"\\(),:;<>@[]") != std::string_view::npos;
}

void CheckFaxAddress(std::string_view local) {
  auto fax = faxgate::mail::ParseFaxLocalPart(local);
  if (!fax.ok()) {
    CheckRefusal(fax.error());
    return;
  }
  const std::string& n = fax->number;
  int digits = 0, markers = 0;
  for (size_t i = 0; i < n.size(); ++i) {
    const char c = n[i];
    FUZZ_CHECK(std::string_view("0123456789+-*#PE").find(c) != std::string_view::npos);
    digits += c >= '0' && c <= '9';
    markers += c == 'E';
    if (c == '+') FUZZ_CHECK(i == 0);
    if (c == '-') FUZZ_CHECK(i > 0 && i + 1 < n.size() && n[i + 1] != '-');
  }
  FUZZ_CHECK(digits >= 1 && digits <= 40 && markers <= 1);
  FUZZ_CHECK(fax->sub_address.size() <= 20 &&
             fax->sub_address.find_first_not_of("0123456789") == std::string::npos);
  for (const auto& [key, value] : fax->options) {
    FUZZ_CHECK(!key.empty() && key != "T33S" && key != "FAX");
    FUZZ_CHECK(key.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") ==
               std::string::npos);
    FUZZ_CHECK(value.find('/') == std::string::npos);
  }
  // The canonical number is itself a local part that reads back unchanged.
  auto again = faxgate::mail::ParseFaxLocalPart(n);
  FUZZ_CHECK(again.ok() && again->number == n);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto address = faxgate::mail::ParseMailAddress(text);
  if (!address.ok()) {
    CheckRefusal(address.error());
  } else {
    const auto& a = *address;
    FUZZ_CHECK(!a.local_part.empty() && a.local_part.size() <= 64);
    FUZZ_CHECK(!a.domain.empty() && a.domain.size() <= 253);
    for (char c : a.domain) FUZZ_CHECK(!(c >= 'A' && c <= 'Z'));
    FUZZ_CHECK(IsValidUtf8(a.display_name) && IsValidUtf8(a.local_part));
    if (!NeedsQuotes(a.local_part)) {
      auto again = faxgate::mail::ParseMailAddress(a.address());
      FUZZ_CHECK(again.ok() && again->local_part == a.local_part && again->domain == a.domain);
    }
    CheckFaxAddress(a.local_part);
  }
  CheckFaxAddress(text);
  return 0;
}
