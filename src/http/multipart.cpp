#include "http/multipart.h"

#include <algorithm>
#include <functional>

#include "base/files.h"
#include "http/header_value.h"
#include "http/request.h"
#include "http/text.h"
#include "http/url.h"

namespace faxgate::http {
namespace {

constexpr size_t kMaxBoundary = 70;  // RFC 2046 5.1.1
constexpr size_t kMaxPartHeaderBytes = 16 * 1024;

Error Invalid(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, "bad multipart body: " + message);
}

std::string PartLabel(size_t index) { return "part " + std::to_string(index); }

Result<std::string> BoundaryOf(std::string_view content_type_header) {
  auto parsed = ParseHeaderValue(content_type_header);
  if (!parsed.ok()) return Invalid("Content-Type: " + parsed.error().message);
  if (parsed->value != "multipart/form-data") {
    return MakeError(ErrorCode::kInvalidArgument,
                     "expected Content-Type multipart/form-data, got \"" + parsed->value + "\"");
  }
  std::string boundary = parsed->Param("boundary").value_or("");
  if (boundary.empty()) return Invalid("the Content-Type has no boundary parameter");
  if (boundary.size() > kMaxBoundary) return Invalid("the boundary is longer than 70 characters");
  bool printable = std::all_of(boundary.begin(), boundary.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x20 && c != 0x7F;
  });
  if (!printable) return Invalid("the boundary contains control characters");
  return boundary;
}

// A boundary line: "--boundary" at the start of a line, then "--" (the close delimiter) or
// optional white space and CRLF (RFC 2046 5.1.1).
struct Delimiter {
  size_t at = std::string_view::npos;  // offset of the CRLF before "--boundary"
  size_t next = 0;                     // offset just past the line
  bool close = false;
  bool found() const { return at != std::string_view::npos; }
};

// Finds boundary lines with Boyer-Moore, so a hostile body of near-boundaries still costs
// time linear in its size.
class DelimiterFinder {
 public:
  DelimiterFinder(std::string_view body, std::string_view boundary)
      : body_(body),
        pattern_("\r\n--" + std::string(boundary)),
        searcher_(pattern_.begin(), pattern_.end()) {}
  DelimiterFinder(const DelimiterFinder&) = delete;
  DelimiterFinder& operator=(const DelimiterFinder&) = delete;

  // The first boundary line may open the body, without a CRLF before it.
  Delimiter First() const {
    std::string_view dash_boundary = std::string_view(pattern_).substr(2);
    if (body_.substr(0, dash_boundary.size()) == dash_boundary) {
      Delimiter d = Complete(0, dash_boundary.size());
      if (d.found()) return d;
    }
    return Next(0);
  }

  Delimiter Next(size_t from) const {
    while (from <= body_.size()) {
      auto it = std::search(body_.begin() + from, body_.end(), searcher_);
      if (it == body_.end()) return {};
      size_t at = it - body_.begin();
      Delimiter d = Complete(at, at + pattern_.size());
      if (d.found()) return d;
      from = at + 1;  // "--boundary" followed by other text is data; RFC 2046 forbids it
    }
    return {};
  }

 private:
  Delimiter Complete(size_t at, size_t end) const {
    std::string_view rest = body_.substr(end);
    if (rest.substr(0, 2) == "--") return {at, end + 2, true};
    size_t pad = std::min(rest.find_first_not_of(" \t"), rest.size());
    if (rest.substr(pad, 2) == "\r\n") return {at, end + pad + 2, false};
    return {};
  }

  std::string_view body_;
  std::string pattern_;
  std::boyer_moore_searcher<std::string::const_iterator> searcher_;
};

// Header lines of one part, unfolded (obsolete folding is harmless to accept).
Result<Headers> ParsePartHeaders(std::string_view text, size_t index) {
  Headers headers;
  while (!text.empty()) {
    size_t eol = text.find("\r\n");
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 2);
    if (line.find_first_of("\r\n") != std::string_view::npos) {
      return Invalid(PartLabel(index) + " has a bare CR or LF in its headers");
    }
    if (!line.empty() && (line.front() == ' ' || line.front() == '\t') && !headers.empty()) {
      // The folded value joins with one space; a blank continuation adds nothing, so the value
      // never gains leading or trailing whitespace (the builder could not reproduce it).
      std::string_view more = TrimWhitespace(line);
      std::string& value = headers.back().second;
      if (!more.empty()) value += (value.empty() ? "" : " ") + std::string(more);
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      return Invalid(PartLabel(index) + " has a header line without ':'");
    }
    headers.emplace_back(std::string(TrimWhitespace(line.substr(0, colon))),
                         std::string(TrimWhitespace(line.substr(colon + 1))));
  }
  return headers;
}

const std::string* FindHeader(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return &value;
  }
  return nullptr;
}

// Reads name and filename from Content-Disposition: form-data; name="a"; filename="b".
Status ApplyDisposition(const std::string& header, size_t index, FormPart& part) {
  auto disposition = ParseHeaderValue(header);
  if (!disposition.ok()) return Invalid(PartLabel(index) + ": " + disposition.error().message);
  if (disposition->value != "form-data") {
    return Invalid(PartLabel(index) + " is \"" + disposition->value + "\", not form-data");
  }
  auto name = disposition->Param("name");
  if (!name) return Invalid(PartLabel(index) + " has no name in its Content-Disposition");
  part.name = std::move(*name);
  if (auto extended = disposition->Param("filename*")) {
    auto decoded = DecodeExtValue(*extended);
    if (!decoded.ok()) return Invalid(PartLabel(index) + " filename*: " + decoded.error().message);
    part.filename = std::move(*decoded);
  } else {
    part.filename = disposition->Param("filename").value_or("");
  }
  return Status::Ok();
}

// `text` is everything between two boundary lines: headers, an empty line, the data.
Result<FormPart> ParsePart(std::string_view text, size_t index) {
  size_t header_end = 0;
  if (text.substr(0, 2) != "\r\n") {
    header_end = text.substr(0, kMaxPartHeaderBytes).find("\r\n\r\n");
    if (header_end == std::string_view::npos) {
      return Invalid("the headers of " + PartLabel(index) +
                     " do not end with an empty line within 16 KiB");
    }
    header_end += 2;
  }
  FG_ASSIGN_OR_RETURN(Headers headers, ParsePartHeaders(text.substr(0, header_end), index));
  FormPart part;
  const std::string* disposition = FindHeader(headers, "Content-Disposition");
  if (disposition == nullptr) {
    return Invalid(PartLabel(index) + " has no Content-Disposition header");
  }
  FG_RETURN_IF_ERROR(ApplyDisposition(*disposition, index, part));
  if (const std::string* type = FindHeader(headers, "Content-Type")) part.content_type = *type;
  part.data = std::string(text.substr(header_end + 2));
  return part;
}

// A quoted-string for name and filename: '"' and '\\' are backslash-escaped; CR and LF, which
// a header cannot hold, become %0D and %0A as browsers write them.
std::string QuoteParam(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (c == '\r') {
      out += "%0D";
    } else if (c == '\n') {
      out += "%0A";
    } else {
      out.push_back(c);
    }
  }
  return out + "\"";
}

bool IsPlainAscii(char c) { return c >= 0x20 && c < 0x7F; }

// filename="..." for every reader, plus filename*= (RFC 8187) when the name is not plain
// ASCII, so that the exact bytes survive for readers that know it.
std::string FilenameParams(std::string_view filename) {
  if (std::all_of(filename.begin(), filename.end(), IsPlainAscii)) {
    return "; filename=" + QuoteParam(filename);
  }
  std::string fallback(filename);
  std::replace_if(
      fallback.begin(), fallback.end(), [](char c) { return !IsPlainAscii(c); }, '_');
  return "; filename=" + QuoteParam(fallback) + "; filename*=UTF-8''" + PercentEncode(filename);
}

void AppendPart(const FormPart& part, std::string_view boundary, std::string& out) {
  out += "--";
  out += boundary;
  out += "\r\nContent-Disposition: form-data; name=" + QuoteParam(part.name);
  if (!part.filename.empty()) out += FilenameParams(part.filename);
  out += "\r\n";
  if (!part.content_type.empty()) {
    std::string type = part.content_type;
    std::erase_if(type, [](char c) { return c == '\r' || c == '\n'; });
    out += "Content-Type: " + type + "\r\n";
  }
  out += "\r\n";
  out += part.data;
  out += "\r\n";
}

}  // namespace

Result<std::vector<FormPart>> ParseMultipart(std::string_view body,
                                             std::string_view content_type_header) {
  FG_ASSIGN_OR_RETURN(std::string boundary, BoundaryOf(content_type_header));
  DelimiterFinder finder(body, boundary);
  Delimiter delimiter = finder.First();
  if (!delimiter.found()) return Invalid("no boundary line \"--" + boundary + "\" in the body");
  std::vector<FormPart> parts;
  while (!delimiter.close) {
    size_t index = parts.size() + 1;
    if (index > kMaxFormParts) return Invalid("more than 1000 parts");
    Delimiter next = finder.Next(delimiter.next);
    if (!next.found()) {
      return Invalid(PartLabel(index) +
                     " is not closed by a boundary line (was the upload "
                     "cut short?)");
    }
    FG_ASSIGN_OR_RETURN(FormPart part,
                        ParsePart(body.substr(delimiter.next, next.at - delimiter.next), index));
    parts.push_back(std::move(part));
    delimiter = next;
  }
  return parts;
}

std::string BuildMultipart(const std::vector<FormPart>& parts, std::string_view boundary) {
  size_t size = 0;
  for (const FormPart& part : parts) size += part.data.size() + part.name.size() + 200;
  std::string out;
  out.reserve(size + boundary.size() + 8);
  for (const FormPart& part : parts) AppendPart(part, boundary, out);
  out += "--";
  out += boundary;
  out += "--\r\n";
  return out;
}

std::string MultipartContentType(std::string_view boundary) {
  return "multipart/form-data; boundary=" + std::string(boundary);
}

std::string NewBoundary(const std::vector<FormPart>& parts) {
  while (true) {
    std::string boundary = "faxgate-" + RandomHex(16);
    bool unused = std::none_of(parts.begin(), parts.end(), [&](const FormPart& part) {
      return part.data.find(boundary) != std::string::npos;
    });
    if (unused) return boundary;
  }
}

}  // namespace faxgate::http
