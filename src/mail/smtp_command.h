// One SMTP command line as a client sends it to the OffRamp listener: RFC 5321 with the ESMTP
// parameters faxgate offers (RFC 1870 SIZE, 6152 8BITMIME, 3461 DSN, 6531 SMTPUTF8, 4954 AUTH).
// Pure and total: any bytes give either a command or the reply that refuses them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace faxgate::mail {

struct SmtpCommand {
  std::string verb;      // upper case: "EHLO", "MAIL", "RCPT", "DATA", "AUTH", ...
  std::string argument;  // the rest of the line after the verb and one space, as sent

  // MAIL and RCPT: the address between < and >, source route dropped; "" for MAIL FROM:<>.
  // A quoted local part keeps its quotes ("\"FAX=+1 555\"@fax.test").
  std::string path;
  // MAIL and RCPT: the ESMTP parameters, keys upper case, each value checked. SIZE: digits;
  // BODY: 7BIT or 8BITMIME; RET: FULL or HDRS; NOTIFY: NEVER or a list of SUCCESS, FAILURE,
  // DELAY (upper case); ORCPT: "type;address" and ENVID, AUTH: xtext decoded; SMTPUTF8: "".
  std::map<std::string, std::string> params;

  // AUTH: the mechanism (upper case) and the initial response as sent (base64; "=" is an empty
  // one, RFC 4954 section 4).
  std::string mechanism;
  std::optional<std::string> initial_response;
};

// Why a line is refused, as the reply that says so (RFC 5321 4.2.4, RFC 3463 codes).
struct SmtpSyntaxError {
  int code = 501;
  std::string enhanced = "5.5.4";
  std::string message;  // what is wrong, in the client's terms
};

// A command, or the reply that refuses the line.
class ParsedSmtpCommand {
 public:
  ParsedSmtpCommand(SmtpCommand command) : v_(std::move(command)) {}  // NOLINT
  ParsedSmtpCommand(SmtpSyntaxError error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  const SmtpCommand& value() const { return std::get<0>(v_); }
  const SmtpCommand& operator*() const { return value(); }
  const SmtpCommand* operator->() const { return &value(); }
  const SmtpSyntaxError& error() const { return std::get<1>(v_); }

 private:
  std::variant<SmtpCommand, SmtpSyntaxError> v_;
};

// Command line limits (octets, without the CRLF): RFC 5321 4.5.3.1.4 gives 512 with the CRLF;
// the ESMTP parameters lengthen MAIL and RCPT (RFC 1869 4.1.2: SIZE, DSN and AUTH= add up to
// some 650; we allow 1000 more); RFC 4954 section 4 gives AUTH lines 12288.
inline constexpr size_t kSmtpCommandLineMax = 512 - 2;
inline constexpr size_t kSmtpMailRcptLineMax = kSmtpCommandLineMax + 1000;
inline constexpr size_t kSmtpAuthLineMax = 12288 - 2;

// `line` comes without its CRLF. Checks the verb, its argument, the MAIL/RCPT path (local part
// 64, domain 255, path 256 octets: RFC 5321 4.5.3.1) and the parameters. Lenient where real
// clients are: lower case, a space after "FROM:", an address without < >, "+" left literal in an
// ORCPT or ENVID where it cannot be xtext.
ParsedSmtpCommand ParseSmtpCommand(std::string_view line);

}  // namespace faxgate::mail
