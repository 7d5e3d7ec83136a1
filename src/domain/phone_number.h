// Numbers as users type them (REQUIREMENTS S4/S5, DESIGN "Numbers") turned into one canonical
// form, a dial string, a call class and a display form.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace faxgate {

enum class CallClass { kInternal, kLocal, kDomestic, kInternational };
std::string_view ToString(CallClass c);

struct PhoneNumber {
  std::string input;        // what the user typed
  std::string canonical;    // E.164 "+8675583235170"; internal numbers: the extension "123"
  std::string dial_string;  // what the trunk dials: "83235170", "075583235170", "001604..."
  std::string extension;    // DTMF digits dialled after the call connects ("801"), or empty
  CallClass call_class = CallClass::kLocal;
  std::string display;  // "+86 755 8323 5170", "+86 755 8323 5170 ext. 801", "internal 123"
};

// The local numbering context; system parameters (store settings) provide the values.
struct DialPlan {
  std::string country_code = "86";
  std::string area_code = "755";
  std::string long_distance_prefix = "0";   // dialled before an area code in the same country
  std::string international_prefix = "00";  // dialled before a country code
  char extension_separator = 'E';
};

// Accepts: "64802994E801", "86-755-83235170", "755-83235170", "83235170", "852-0-999999",
// "0-0-123", "+1 604 555 7977", "0755-83235170", "001 604 555 7977"; spaces and dashes
// anywhere. Anything else is refused with a message that quotes the input and says why.
Result<PhoneNumber> ParsePhoneNumber(std::string_view input, const DialPlan& plan);

// The calling rights a user holds; internal calls are always allowed.
struct CallRights {
  bool local = true;
  bool domestic = true;
  bool international = false;
};
// Status with a message naming the number and the missing right when the user may not call.
Status CheckCallRights(const PhoneNumber& number, const CallRights& rights);

}  // namespace faxgate
