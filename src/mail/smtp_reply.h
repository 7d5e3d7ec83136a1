// What an SMTP server answers, as our client reads it (RFC 5321 4.2): a three-digit code on one
// or more lines ("250-..." goes on, "250 ..." ends), each line's text maybe starting with an
// RFC 3463 enhanced status code such as "5.1.1" (ENHANCEDSTATUSCODES, RFC 2034). And the
// extensions a server lists in its answer to EHLO.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace faxgate::mail {

struct ServerReply {
  int code = 0;                    // 200..599
  std::string enhanced;            // "5.1.1"; "" when the server gave none
  std::vector<std::string> lines;  // each line's text without the code and the enhanced code

  // The lines joined by single spaces: what a user reads.
  std::string Text() const;
};

// Puts a reply together from its lines as they come off the connection.
class ServerReplyReader {
 public:
  // `line` is one line without its CRLF. Returns the reply when it was the last line, nullopt
  // when more lines are to come, and an error for a line that cannot belong to an SMTP reply
  // (the message quotes the line, cut short); the reader is then reset.
  Result<std::optional<ServerReply>> Add(std::string_view line);

 private:
  ServerReply partial_;
};

// RFC 5321 4.1.1.1: after the server's name, each line of a positive EHLO reply names one
// extension: a keyword, maybe followed by parameters ("SIZE 20480000", "AUTH PLAIN LOGIN").
class EhloExtensions {
 public:
  EhloExtensions() = default;  // none: the server answered HELO, not EHLO
  explicit EhloExtensions(const ServerReply& ehlo);

  bool Has(std::string_view keyword) const;  // case-insensitive
  // The parameters as the server wrote them; "" when there are none or the keyword is absent.
  std::string Params(std::string_view keyword) const;
  // RFC 1870: the largest message the server takes, in bytes; 0 when it names no limit.
  uint64_t SizeLimit() const;
  // Whether AUTH lists `mechanism` (also in the old "AUTH=PLAIN LOGIN" form).
  bool HasAuth(std::string_view mechanism) const;

 private:
  std::map<std::string, std::string, std::less<>> keywords_;  // upper case -> parameters
};

}  // namespace faxgate::mail
