// The URL helpers on hostile text: none may crash, and decoding must invert encoding.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/url.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace faxgate::http;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)ParseHostPort(text);
  (void)ParseBaseUrl(text);
  (void)PercentDecode(text, true);
  Target target = SplitTarget(text);
  auto query = ParseQuery(target.query);
  if (query.ok()) {
    auto again = ParseQuery(BuildQuery(*query));
    if (!again.ok() || *again != *query) std::abort();
  }
  auto decoded = PercentDecode(PercentEncode(text));
  if (!decoded.ok() || *decoded != text) std::abort();
  return 0;
}
