#include "mail/smtp_client_envelope.h"

#include <fmt/format.h>

#include "mail/xtext.h"

namespace faxgate::mail {
namespace {

constexpr size_t kEnvidMax = 100;  // RFC 3461 4.4, the xtext as sent
constexpr size_t kOrcptMax = 500;  // RFC 3461 4.2
constexpr size_t kPathMax = 254;   // RFC 5321 4.5.3.1.3: 256 with the angle brackets
constexpr size_t kSummaryTextMax = 200;

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

bool HasEightBit(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return true;
  }
  return false;
}

Status CheckAddress(std::string_view what, std::string_view address) {
  for (unsigned char c : address) {
    if (c < ' ' || c == 0x7f || c == '<' || c == '>') {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("the {} has a character no mail address may have", what));
    }
  }
  if (address.size() > kPathMax) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("the {} is longer than {} characters", what, kPathMax));
  }
  return Status::Ok();
}

// RFC 3461 4.1: "NEVER" alone, or a list of SUCCESS, FAILURE, DELAY.
Status CheckNotify(const OutgoingRecipient& r) {
  if (r.notify.empty()) return Status::Ok();
  const std::string notify = Upper(r.notify);
  if (notify == "NEVER") return Status::Ok();
  size_t start = 0;
  while (start <= notify.size()) {
    size_t end = notify.find(',', start);
    if (end == std::string::npos) end = notify.size();
    const std::string_view word = std::string_view(notify).substr(start, end - start);
    if (word != "SUCCESS" && word != "FAILURE" && word != "DELAY") {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("the delivery notice request \"{}\" for {} is not NEVER or a "
                                   "list of SUCCESS, FAILURE and DELAY",
                                   r.notify, r.address));
    }
    start = end + 1;
  }
  return Status::Ok();
}

}  // namespace

Status CheckOutgoingMail(const OutgoingMail& mail) {
  if (mail.recipients.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "the mail has no recipient");
  }
  FG_RETURN_IF_ERROR(CheckAddress("sender address", mail.mail_from));
  for (const OutgoingRecipient& r : mail.recipients) {
    if (r.address.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, "a recipient address is empty");
    }
    FG_RETURN_IF_ERROR(CheckAddress("recipient address " + r.address, r.address));
    FG_RETURN_IF_ERROR(CheckNotify(r));
    if (EncodeXtext(r.orcpt).size() + 7 > kOrcptMax) {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("the original recipient given for {} is too long", r.address));
    }
  }
  const std::string ret = Upper(mail.ret);
  if (!ret.empty() && ret != "HDRS" && ret != "FULL") {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("RET \"{}\" is neither HDRS nor FULL", mail.ret));
  }
  if (EncodeXtext(mail.envid).size() > kEnvidMax) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("the envelope id \"{}\" is longer than {} characters as xtext",
                                 mail.envid, kEnvidMax));
  }
  return Status::Ok();
}

WireMessage MakeWireMessage(std::string_view data) {
  WireMessage out;
  out.bytes.reserve(data.size() + data.size() / 50 + 8);
  bool line_start = true;
  auto end_line = [&] {
    out.bytes += "\r\n";
    out.size += 2;
    line_start = true;
  };
  for (size_t i = 0; i < data.size(); ++i) {
    const char c = data[i];
    if (c == '\r') {
      if (i + 1 < data.size() && data[i + 1] == '\n') ++i;
      end_line();
      continue;
    }
    if (c == '\n') {
      end_line();
      continue;
    }
    if (line_start && c == '.') out.bytes += '.';
    line_start = false;
    out.bytes += c;
    ++out.size;
    if (static_cast<unsigned char>(c) >= 0x80) out.eight_bit = true;
  }
  if (!line_start) end_line();
  out.bytes += ".\r\n";
  return out;
}

bool NeedsSmtpUtf8(const OutgoingMail& mail) {
  if (HasEightBit(mail.mail_from)) return true;
  for (const OutgoingRecipient& r : mail.recipients) {
    if (HasEightBit(r.address)) return true;
  }
  return false;
}

std::string MailFromCommand(const OutgoingMail& mail, const EnvelopeParams& params) {
  std::string command = fmt::format("MAIL FROM:<{}>", mail.mail_from);
  if (params.dsn && !mail.ret.empty()) command += " RET=" + Upper(mail.ret);
  if (params.dsn && !mail.envid.empty()) command += " ENVID=" + EncodeXtext(mail.envid);
  if (params.size) command += fmt::format(" SIZE={}", params.message_size);
  if (params.eight_bit) command += " BODY=8BITMIME";
  if (params.smtputf8) command += " SMTPUTF8";
  return command;
}

std::string RcptToCommand(const OutgoingRecipient& recipient, bool dsn) {
  std::string command = fmt::format("RCPT TO:<{}>", recipient.address);
  if (dsn && !recipient.notify.empty()) command += " NOTIFY=" + Upper(recipient.notify);
  if (dsn && !recipient.orcpt.empty()) command += " ORCPT=rfc822;" + EncodeXtext(recipient.orcpt);
  return command;
}

SmtpOutcome::Kind KindOfRefusal(const ServerReply& reply) {
  switch (reply.code) {
    case 530:  // authentication required (RFC 4954), or "Must issue a STARTTLS command first"
    case 534:  // authentication mechanism too weak
    case 535:  // authentication credentials invalid
    case 538:  // encryption required for the requested authentication mechanism
      return SmtpOutcome::Kind::kConfig;
    default:
      break;
  }
  const char reply_class = reply.enhanced.empty() ? static_cast<char>('0' + reply.code / 100)
                                                  : reply.enhanced[0];
  return reply_class == '5' ? SmtpOutcome::Kind::kPermanent : SmtpOutcome::Kind::kTemporary;
}

std::string Printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < ' ' || c == 0x7f) c = '?';
  }
  return out;
}

std::string Quoted(const ServerReply& reply) {
  std::string text = Printable(reply.Text());
  if (text.size() > kSummaryTextMax) text = text.substr(0, kSummaryTextMax) + "...";
  std::string out = std::to_string(reply.code);
  if (!reply.enhanced.empty()) out += " " + reply.enhanced;
  if (!text.empty()) out += " " + text;
  return out;
}

}  // namespace faxgate::mail
