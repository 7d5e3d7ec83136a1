// Numbers come from web forms, mail subjects and the HylaFAX protocol: anything may arrive.
// Parses the bytes under a Chinese, a North American and an area-less plan and checks what
// the rest of faxgate relies on: a dial string the trunk can dial, a class that matches the
// call the exchange will place (it gates permissions and billing), a display form that parses
// back to the same call, and error messages that are printable text.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "domain/phone_number.h"
#include "fuzz_check.h"

namespace {

using faxgate::CallClass;
using faxgate::DialPlan;
using faxgate::PhoneNumber;

const DialPlan kPlans[] = {
    DialPlan{},
    DialPlan{.country_code = "1",
             .area_code = "604",
             .long_distance_prefix = "1",
             .international_prefix = "011",
             .extension_separator = 'E'},
    DialPlan{.country_code = "852",
             .area_code = "",
             .long_distance_prefix = "",
             .international_prefix = "001",
             .extension_separator = 'E'},
};

bool AllOf(std::string_view s, bool (*pred)(char)) {
  for (char c : s)
    if (!pred(c)) return false;
  return true;
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsDtmf(char c) { return IsDigit(c) || c == '*' || c == '#'; }
bool IsNotControl(char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7F; }

void CheckNumber(const PhoneNumber& n, const DialPlan& plan, std::string_view input) {
  FUZZ_CHECK(n.input == input);
  FUZZ_CHECK(!n.dial_string.empty() && AllOf(n.dial_string, IsDigit));
  FUZZ_CHECK(n.extension.size() <= 10 && AllOf(n.extension, IsDtmf));
  if (n.call_class == CallClass::kInternal) {
    FUZZ_CHECK(n.canonical == n.dial_string && n.extension.empty());
    FUZZ_CHECK(n.display == "internal " + n.canonical);
    return;
  }
  FUZZ_CHECK(n.canonical.size() >= 2 && n.canonical[0] == '+');
  FUZZ_CHECK(n.canonical.size() <= 16 && AllOf(std::string_view(n.canonical).substr(1), IsDigit));
  FUZZ_CHECK(n.display.starts_with("+"));
  const std::string& ip = plan.international_prefix;
  const std::string& ld = plan.long_distance_prefix;
  switch (n.call_class) {
    case CallClass::kInternational:
      FUZZ_CHECK(n.dial_string == ip + n.canonical.substr(1));
      FUZZ_CHECK(!n.canonical.substr(1).starts_with(plan.country_code));
      break;
    case CallClass::kDomestic:
      FUZZ_CHECK(n.dial_string.starts_with(ld));
      FUZZ_CHECK(!n.dial_string.substr(ld.size()).starts_with(ip));
      break;
    case CallClass::kLocal:
      FUZZ_CHECK(!n.dial_string.starts_with(ip));
      FUZZ_CHECK(ld.empty() || !n.dial_string.starts_with(ld));
      FUZZ_CHECK(n.canonical.ends_with(n.dial_string));
      break;
    case CallClass::kInternal:
      break;
  }
}

// What a user sees in the outbox can be pasted back and must name the same call.
void CheckDisplayParsesBack(const PhoneNumber& n, const DialPlan& plan) {
  if (n.call_class == CallClass::kInternal) return;
  auto again = faxgate::ParsePhoneNumber(n.display, plan);
  if (!again.ok()) std::fprintf(stderr, "%s\n", again.error().message.c_str());
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->canonical == n.canonical);
  FUZZ_CHECK(again->dial_string == n.dial_string);
  FUZZ_CHECK(again->extension == n.extension);
  FUZZ_CHECK(again->call_class == n.call_class);
}

void CheckRefusal(const faxgate::Error& e) {
  FUZZ_CHECK(e.code == faxgate::ErrorCode::kInvalidArgument);
  FUZZ_CHECK(e.message.starts_with("\"") &&
             e.message.find("\" is not a fax number: ") != std::string::npos);
  FUZZ_CHECK(e.message.size() < 400 && AllOf(e.message, IsNotControl));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  for (const DialPlan& plan : kPlans) {
    auto number = faxgate::ParsePhoneNumber(input, plan);
    if (!number.ok()) {
      CheckRefusal(number.error());
      continue;
    }
    CheckNumber(*number, plan, input);
    CheckDisplayParsesBack(*number, plan);
    (void)faxgate::CheckCallRights(*number, faxgate::CallRights{});
  }
  return 0;
}
