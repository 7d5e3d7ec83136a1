// multipart/form-data (RFC 7578): how the portal and the API upload documents, and how the
// command line sends them. The parser reads bodies from strangers; it returns errors, never
// crashes, and is fuzzed (fuzz/http_multipart_fuzz.cpp).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace faxgate::http {

struct FormPart {
  std::string name;
  // As the sender gave it (filename*= wins over filename=), "" for a plain field. Untrusted:
  // never use it as a path.
  std::string filename;
  // "" when the part has none; RFC 7578 says to read that as text/plain.
  std::string content_type;
  std::string data;  // exact bytes, binary safe

  bool operator==(const FormPart&) const = default;
};

// More parts than this is an attack, not a fax.
inline constexpr size_t kMaxFormParts = 1000;

// Splits a body sent with `content_type_header` (which must be multipart/form-data with a
// boundary) into its parts. Preamble and epilogue are ignored. Errors are kInvalidArgument
// with a message for the sender: no boundary, a part without Content-Disposition or name, a
// part not closed by a boundary (a cut-short upload), too many parts.
Result<std::vector<FormPart>> ParseMultipart(std::string_view body,
                                             std::string_view content_type_header);

// The body for `parts`. REQUIRES: "--" + boundary occurs in no part's data (NewBoundary
// picks one that does not).
std::string BuildMultipart(const std::vector<FormPart>& parts, std::string_view boundary);

// "multipart/form-data; boundary=..." for the Content-Type header.
std::string MultipartContentType(std::string_view boundary);

// A random boundary that occurs in none of the parts.
std::string NewBoundary(const std::vector<FormPart>& parts);

}  // namespace faxgate::http
