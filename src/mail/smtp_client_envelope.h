// Private to the SMTP client: what one mail transaction puts on the wire, decided from the mail
// and from what the server offers, and how a refusal is classed (reference/mail.md 5.2).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "mail/smtp_client.h"
#include "mail/smtp_reply.h"

namespace faxgate::mail {

// Checks what the caller handed to Send, before any connection is made: addresses without
// control characters or angle brackets, NOTIFY and RET values RFC 3461 knows, ENVID and ORCPT
// within its lengths. A failure is a bug on our side, never the server's.
Status CheckOutgoingMail(const OutgoingMail& mail);

// The message as it follows "354": bare CR and LF made CRLF (so that no server ends a line, or
// the message, where another would not: "SMTP smuggling"), lines starting with '.' doubled
// (RFC 5321 4.5.2), closed by CRLF "." CRLF.
struct WireMessage {
  std::string bytes;
  uint64_t size = 0;       // the message's size for SIZE= (RFC 1870): CRLF ends, no added dots
  bool eight_bit = false;  // a byte >= 0x80: needs BODY=8BITMIME
};
WireMessage MakeWireMessage(std::string_view data);

// Whether an envelope address needs SMTPUTF8 (RFC 6531).
bool NeedsSmtpUtf8(const OutgoingMail& mail);

struct EnvelopeParams {
  bool dsn = false;          // the server offers DSN: RET, ENVID, NOTIFY, ORCPT
  bool size = false;         // SIZE=<bytes>
  bool eight_bit = false;    // BODY=8BITMIME
  bool smtputf8 = false;     // SMTPUTF8
  uint64_t message_size = 0;
};
// "MAIL FROM:<fax@fax.test> RET=HDRS ENVID=job-4711 SIZE=1234", parameters in libesmtp's order.
std::string MailFromCommand(const OutgoingMail& mail, const EnvelopeParams& params);
// "RCPT TO:<alice@fax.test> NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;alice@fax.test".
std::string RcptToCommand(const OutgoingRecipient& recipient, bool dsn);

// reference/mail.md 5.2: 530/534/535/538 are the relay's settings; otherwise the enhanced
// code's class decides when there is one, else the reply's: 4 is temporary, 5 permanent. A
// reply that is no refusal at all where one was expected counts as temporary.
SmtpOutcome::Kind KindOfRefusal(const ServerReply& reply);

// "552 5.3.4 message too big", the text cut to a length fit for a summary line.
std::string Quoted(const ServerReply& reply);

// What the server sent, fit for one log or summary line: control characters shown as '?'.
std::string Printable(std::string_view text);

}  // namespace faxgate::mail
