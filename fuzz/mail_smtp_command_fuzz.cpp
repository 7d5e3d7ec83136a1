// SMTP command lines come from anyone who connects to the OffRamp listener. Parses the bytes
// and checks what the session relies on: verbs are upper-case words, MAIL/RCPT paths stay
// within RFC 5321's 256 octets, and xtext decoding never grows a value.
#include <cctype>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "mail/smtp_command.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  auto c = faxgate::mail::ParseSmtpCommand(line);
  if (!c.ok()) {
    FUZZ_CHECK(!c.error().message.empty());
    return 0;
  }
  FUZZ_CHECK(!c->verb.empty());
  for (char ch : c->verb) FUZZ_CHECK(std::isupper(static_cast<unsigned char>(ch)));
  if (c->verb == "MAIL" || c->verb == "RCPT") FUZZ_CHECK(c->path.size() <= 256);
  for (const auto& [key, value] : c->params) FUZZ_CHECK(value.size() <= line.size());
  FUZZ_CHECK(faxgate::mail::DecodeXtext(line).size() <= line.size());
  return 0;
}
