// Authentication-Results headers come in every mail the shared mailbox receives, written by
// whoever sent it. Parses the bytes as one header and as a block of them, and checks what the
// poller relies on: ids and names in lower case, no empty method or result, and an SPF pass
// only from a header whose server is the trusted one.
#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "mail/authentication_results.h"

namespace {

bool HasUpper(std::string_view s) {
  for (char c : s)
    if (std::isupper(static_cast<unsigned char>(c))) return true;
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto r = faxgate::mail::ParseAuthenticationResults(input)) {
    FUZZ_CHECK(!r->authserv_id.empty() && !HasUpper(r->authserv_id));
    for (const auto& m : r->results) {
      FUZZ_CHECK(!m.method.empty() && !m.result.empty());
      FUZZ_CHECK(!HasUpper(m.method) && !HasUpper(m.result));
    }
  }
  auto v = faxgate::mail::SpfFromAuthenticationResults(input, {"mx.fax.test"});
  FUZZ_CHECK(!v.reason.empty());
  if (v.pass) {
    FUZZ_CHECK(v.reason.find(" at mx.fax.test") != std::string::npos);
    FUZZ_CHECK(input.find("spf") != std::string_view::npos ||
               input.find("SPF") != std::string_view::npos || !v.reason.empty());
  }
  return 0;
}
