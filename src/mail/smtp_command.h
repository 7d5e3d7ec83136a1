// One SMTP command line as a client sends it (RFC 5321 with the ESMTP parameters of RFC 1870
// SIZE, 6152 8BITMIME, 3461 DSN, 6531 SMTPUTF8, 4954 AUTH). Pure and total: any bytes give a
// command or an error.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "base/result.h"

namespace faxgate::mail {

struct SmtpCommand {
  std::string verb;      // upper case: "EHLO", "MAIL", "RCPT", "DATA", ...
  std::string argument;  // the rest of the line (EHLO name, AUTH mechanism and response, ...)
  std::string path;      // MAIL/RCPT: the address between < >, "" for <>
  std::map<std::string, std::string> params;  // upper-case keys; xtext decoded for ENVID, ORCPT
};

// Limits of RFC 5321 4.5.3.1: local part 64, domain 255, path 256 octets.
Result<SmtpCommand> ParseSmtpCommand(std::string_view line);
// RFC 3461 xtext: "+2B" -> "+".
std::string DecodeXtext(std::string_view text);

}  // namespace faxgate::mail
