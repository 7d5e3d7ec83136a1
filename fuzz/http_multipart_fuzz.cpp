// ParseMultipart on hostile bodies. The first line of the input is the Content-Type header,
// the rest the body. Whatever parses must survive BuildMultipart and parse back the same,
// so the builder and the parser agree on every name, filename and byte.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/multipart.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t eol = input.find('\n');
  std::string_view content_type = input.substr(0, eol);
  std::string_view body =
      eol == std::string_view::npos ? std::string_view() : input.substr(eol + 1);
  auto parts = faxgate::http::ParseMultipart(body, content_type);
  if (!parts.ok()) return 0;
  for (const auto& part : *parts) {
    // Names the builder must escape lossily (CR, LF) cannot come out of the parser.
    if (part.name.find_first_of("\r\n") != std::string::npos) std::abort();
  }
  std::string boundary = faxgate::http::NewBoundary(*parts);
  auto again = faxgate::http::ParseMultipart(faxgate::http::BuildMultipart(*parts, boundary),
                                             faxgate::http::MultipartContentType(boundary));
  if (!again.ok() || *again != *parts) std::abort();
  return 0;
}
