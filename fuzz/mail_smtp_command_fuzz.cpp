// SMTP command lines come from anyone who connects to the OffRamp listener. Parses the bytes
// and checks what the session relies on: a refusal is a 5xx with a reason, a command has an
// upper-case verb, MAIL/RCPT paths stay within RFC 5321's 256 octets, and parameters are only
// those the listener offers.
#include <cctype>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "mail/smtp_command.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  auto c = faxgate::mail::ParseSmtpCommand(line);
  if (!c.ok()) {
    FUZZ_CHECK(c.error().code >= 500 && c.error().code <= 555);
    FUZZ_CHECK(c.error().enhanced.size() == 5 && c.error().enhanced[0] == '5');
    FUZZ_CHECK(!c.error().message.empty());
    return 0;
  }
  FUZZ_CHECK(!c->verb.empty());
  for (char ch : c->verb) FUZZ_CHECK(std::isupper(static_cast<unsigned char>(ch)));
  FUZZ_CHECK(c->argument.size() < size || c->argument.empty());
  if (c->verb == "MAIL" || c->verb == "RCPT") {
    FUZZ_CHECK(c->path.size() <= 254);
    FUZZ_CHECK(c->verb == "MAIL" || !c->path.empty());
    FUZZ_CHECK(c->path.find('\r') == std::string::npos && c->path.find('\n') == std::string::npos);
  } else {
    FUZZ_CHECK(c->params.empty());
  }
  for (const auto& [key, value] : c->params) {
    FUZZ_CHECK(key == "SIZE" || key == "BODY" || key == "RET" || key == "ENVID" ||
               key == "SMTPUTF8" || key == "AUTH" || key == "NOTIFY" || key == "ORCPT");
    FUZZ_CHECK(value.size() <= line.size());  // xtext decoding never grows a value
  }
  if (c->verb == "AUTH") FUZZ_CHECK(!c->mechanism.empty());
  return 0;
}
