// Test support for the MIME and delivery report tests: the sample mails in src/mail/testdata
// and ways to look at what a message holds.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mail/mime_reader.h"

namespace faxgate::mail::testing {

// src/mail/testdata/<name>, found from $FAXGATE_SOURCE_DIR (set by ctest), else from the
// current directory. Fails the test when the file cannot be read.
std::string Testdata(const std::string& name);

std::vector<std::string> FileNames(const ParsedMail& mail);

// `text` with every LF made CRLF, so test mails read as plain text in the source.
std::string Crlf(std::string_view text);

// The message split at CRLF. Also reports what breaks the wire rules: a bare CR or LF, a line
// longer than 998 octets, and (when `seven_bit`) an 8-bit octet.
struct WireCheck {
  std::vector<std::string> lines;
  std::vector<std::string> problems;
};
WireCheck CheckWire(const std::string& wire, bool seven_bit);

}  // namespace faxgate::mail::testing
