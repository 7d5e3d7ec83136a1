// The PGM page stream parser on hostile renderer output: no crash, no allocation beyond the
// limits, and every emitted page is exactly width x height pixels.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "document/pgm_stream.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace faxgate;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // The first byte picks the chunk size, so chunk boundaries are fuzzed too.
  size_t chunk = size > 0 ? static_cast<uint8_t>(bytes[0]) % 17 + 1 : 1;
  PgmStreamOptions options;
  options.max_width = 4096;
  options.max_height = 4096;
  options.max_pixels = 1 << 22;
  PgmStreamParser parser(options, [](GreyImage&& image) {
    if (image.pixels.size() != static_cast<size_t>(image.width) * image.height) std::abort();
    return Status::Ok();
  });
  for (size_t i = 0; i < bytes.size(); i += chunk) {
    if (!parser.Feed(bytes.substr(i, chunk)).ok()) return 0;
  }
  (void)parser.Finish();
  return 0;
}
