#include "mail/smtp_client_session.h"

#include <openssl/evp.h>
#include <openssl/ssl.h>

#include <algorithm>

#include <fmt/format.h>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>

#include "base/log.h"
#include "mail/smtp_client_transport.h"

namespace faxgate::mail {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using Kind = SmtpOutcome::Kind;

// RFC 5321 4.5.3.2.6: the client waits 10 minutes for the answer to the end of the message.
constexpr std::chrono::seconds kMessageReplyTimeout{600};
// QUIT is a courtesy: the outcome is known by then.
constexpr std::chrono::seconds kQuitTimeout{10};
// Refused recipients named in a summary before "and N more".
constexpr size_t kRecipientsNamed = 3;

bool Positive(const ServerReply& reply) { return reply.code / 100 == 2; }

std::string Base64(std::string_view in) {
  std::string out(((in.size() + 2) / 3) * 4 + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()),
                                static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(std::max(n, 0)));
  return out;
}

// "MAIL FROM:<a@b> SIZE=5" -> "MAIL FROM:<a@b>": the command as failed_command names it.
std::string CommandName(const std::string& command) {
  const size_t end = command.find('>');
  return end == std::string::npos ? command : command.substr(0, end + 1);
}

std::string ServerName(const SmtpRelay& relay) {
  const bool ipv6 = relay.host.find(':') != std::string::npos;
  return fmt::format(ipv6 ? "[{}]:{}" : "{}:{}", relay.host, relay.port);
}

bool WantsDsn(const OutgoingMail& mail) {
  if (!mail.ret.empty() || !mail.envid.empty()) return true;
  return std::any_of(mail.recipients.begin(), mail.recipients.end(),
                     [](const auto& r) { return !r.notify.empty() || !r.orcpt.empty(); });
}

// "bob@x (550 5.1.1 no such user); carol@x (...)", at most kRecipientsNamed of them.
std::string ListRefused(const std::vector<RecipientResult>& results) {
  std::string out;
  size_t named = 0, refused = 0;
  for (const RecipientResult& r : results) {
    if (r.accepted) continue;
    ++refused;
    if (named == kRecipientsNamed) continue;
    ServerReply reply{r.code, r.enhanced, {r.text}};
    out += fmt::format("{}{} ({})", named++ ? "; " : "", r.address, Quoted(reply));
  }
  if (refused > named) out += fmt::format(" and {} more", refused - named);
  return out;
}

}  // namespace

SmtpClientSession::SmtpClientSession(asio::io_context& io, SmtpRelay relay, OutgoingMail mail,
                                     std::function<void(SmtpOutcome)> done)
    : io_(io),
      relay_(std::move(relay)),
      mail_(std::move(mail)),
      done_(std::move(done)),
      name_(ServerName(relay_)) {}

SmtpClientSession::~SmtpClientSession() = default;

void SmtpClientSession::Start() {
  asio::post(io_, [self = shared_from_this()] { self->Begin(); });
}

void SmtpClientSession::Cancel() {
  finished_ = true;
  done_ = nullptr;
  if (transport_) transport_->Close();
}

// ---- the steps ----

void SmtpClientSession::Begin() {
  if (finished_) return;  // cancelled before it began
  if (relay_.host.empty()) {
    return Report(Ours(Kind::kConfig, "connect", "no mail relay host is set"));
  }
  const std::string& tls = relay_.tls;
  if (tls != "starttls" && tls != "required" && tls != "implicit" && tls != "none") {
    return Report(Ours(Kind::kConfig, "connect",
                       fmt::format("unknown TLS mode \"{}\" for {} (starttls, required, implicit "
                                   "or none)",
                                   tls, name_)));
  }
  if (Status ok = CheckOutgoingMail(mail_); !ok) {
    return Report(
        Ours(Kind::kPermanent, "", fmt::format("cannot send the mail: {}", ok.error().message)));
  }
  message_ = MakeWireMessage(mail_.data);
  if (tls != "none") {
    tls_context_.emplace(asio::ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(tls_context_->native_handle(), TLS1_2_VERSION);
    error_code ec;
    if (!relay_.verify_certificate) {
      // nothing to load
    } else if (!relay_.ca_file.empty()) {
      tls_context_->load_verify_file(relay_.ca_file, ec);
    } else {
      tls_context_->set_default_verify_paths(ec);
    }
    if (ec) {
      return Report(Ours(Kind::kConfig, "connect",
                         fmt::format("cannot load the CA certificates{} for {}: {}",
                                     relay_.ca_file.empty() ? "" : " from " + relay_.ca_file,
                                     name_, ec.message())));
    }
  }
  Connect();
}

void SmtpClientSession::Connect() {
  transport_ = std::make_shared<SmtpClientTransport>(io_, name_);
  transport_->Connect(relay_.host, relay_.port, relay_.timeout, [self = shared_from_this()](
                                                                    const error_code& ec) {
    if (self->finished_) return;
    if (ec) {
      std::string why = ec == asio::error::timed_out
                            ? fmt::format("no answer within {} s", self->relay_.timeout.count())
                            : ec.message();
      self->Finish(self->Ours(Kind::kTemporary, "connect",
                              self->transport_->resolved()
                                  ? fmt::format("cannot connect to {}: {}", self->name_, why)
                                  : fmt::format("cannot find the mail server {}: {}",
                                                self->relay_.host, why)),
                   false);
      return;
    }
    if (self->relay_.tls == "implicit") {
      return self->Handshake("connect", [self] { self->ReadGreeting(); });
    }
    self->ReadGreeting();
  });
}

void SmtpClientSession::ReadGreeting() {
  Await("connect", "before its greeting", relay_.timeout, [self = shared_from_this()](
                                                              ServerReply reply) {
    self->banner_ = Printable(reply.Text());
    if (reply.code != 220) {
      return self->Finish(self->Refused(reply, "connect", "refused the connection"), true);
    }
    self->Ehlo();
  });
}

void SmtpClientSession::Ehlo() {
  Exchange("EHLO " + relay_.helo_name, "at EHLO", [self = shared_from_this()](ServerReply reply) {
    if (reply.code == 250) {
      self->extensions_ = EhloExtensions(reply);
      return self->AfterHello();
    }
    // RFC 5321 3.2: a server that does not know EHLO says so; HELO then, with no extensions.
    if (reply.code == 500 || reply.code == 501 || reply.code == 502 || reply.code == 504) {
      return self->Helo();
    }
    self->Finish(self->Refused(reply, "EHLO", "refused our greeting"), true);
  });
}

void SmtpClientSession::Helo() {
  log::Get("smtp")->debug("{} refused EHLO: HELO, without extensions", name_);
  Exchange("HELO " + relay_.helo_name, "at HELO", [self = shared_from_this()](ServerReply reply) {
    if (reply.code != 250) {
      return self->Finish(self->Refused(reply, "HELO", "refused our greeting"), true);
    }
    self->extensions_ = EhloExtensions();
    self->AfterHello();
  });
}

void SmtpClientSession::AfterHello() {
  const bool want_tls = relay_.tls == "starttls" || relay_.tls == "required";
  if (want_tls && !transport_->tls() && !starttls_refused_) {
    if (extensions_.Has("STARTTLS")) return StartTls();
    if (relay_.tls == "required") {
      return Finish(Ours(Kind::kConfig, "STARTTLS",
                         fmt::format("{} does not offer STARTTLS, which the relay settings require",
                                     name_)),
                    true);
    }
    log::Get("smtp")->debug("{} offers no STARTTLS: the mail goes in clear text", name_);
  }
  if (!relay_.user.empty()) return Authenticate();
  BeginTransaction();
}

void SmtpClientSession::StartTls() {
  Exchange("STARTTLS", "at STARTTLS", [self = shared_from_this()](ServerReply reply) {
    if (reply.code != 220) {
      if (self->relay_.tls == "required") {
        return self->Finish(self->Refused(reply, "STARTTLS", "refused STARTTLS"), true);
      }
      log::Get("smtp")->debug("{} refused STARTTLS ({}): the mail goes in clear text",
                              self->name_, Quoted(reply));
      self->starttls_refused_ = true;
      return self->AfterHello();
    }
    if (self->transport_->DiscardBuffered()) {
      log::Get("smtp")->debug("{} sent more after its 220 to STARTTLS: dropped", self->name_);
    }
    self->Handshake("STARTTLS", [self] {
      self->extensions_ = EhloExtensions();  // RFC 3207 4.2: forget what was said in clear text
      self->Ehlo();
    });
  });
}

void SmtpClientSession::Handshake(std::string_view command, std::function<void()> then) {
  transport_->StartTls(
      *tls_context_, relay_.host, relay_.verify_certificate, relay_.timeout,
      [self = shared_from_this(), command = std::string(command),
       then = std::move(then)](const error_code& ec) {
        if (self->finished_) return;
        if (!ec) return then();
        if (ec.category() != asio::error::get_ssl_category()) {
          return self->Finish(self->Lost(command, "during the TLS handshake", ec), false);
        }
        const std::string& problem = self->transport_->certificate_problem();
        self->Finish(
            self->Ours(Kind::kConfig, command,
                       problem.empty()
                           ? fmt::format("TLS with {} failed: {}", self->name_, ec.message())
                           : fmt::format("{}'s certificate is not accepted: {} (give the relay's "
                                         "CA file, or turn the certificate check off for a "
                                         "private server)",
                                         self->name_, problem)),
            false);
      });
}

void SmtpClientSession::Authenticate() {
  if (!transport_->tls() && relay_.tls != "none") {
    return Finish(Ours(Kind::kConfig, "AUTH",
                       fmt::format("{} offers no TLS, and the password of {} is not sent in "
                                   "clear text (unless the relay's TLS setting is \"none\")",
                                   name_, relay_.user)),
                  true);
  }
  if (extensions_.HasAuth("PLAIN")) {
    // RFC 4616: authorization identity (empty), user, password.
    const std::string token = Base64(std::string(1, '\0') + relay_.user + '\0' + relay_.password);
    return ExchangeSecret("AUTH PLAIN " + token, "AUTH PLAIN ****", "AUTH PLAIN", "at AUTH",
                          [self = shared_from_this()](ServerReply reply) {
                            self->OnAuthReply(reply, "AUTH PLAIN");
                          });
  }
  if (extensions_.HasAuth("LOGIN")) return AuthLogin();
  const std::string offered = Printable(extensions_.Params("AUTH"));
  Finish(Ours(Kind::kConfig, "AUTH",
              offered.empty()
                  ? fmt::format("{} offers no login (AUTH), but the relay settings name the "
                                "user {}",
                                name_, relay_.user)
                  : fmt::format("{} offers no login faxgate knows (AUTH {}; PLAIN or LOGIN "
                                "needed)",
                                name_, offered)),
         true);
}

void SmtpClientSession::AuthLogin() {
  auto self = shared_from_this();
  Exchange("AUTH LOGIN", "at AUTH", [self](ServerReply reply) {
    if (reply.code != 334) return self->OnAuthReply(reply, "AUTH LOGIN");
    self->ExchangeSecret(
        Base64(self->relay_.user), "****", "AUTH LOGIN", "at AUTH", [self](ServerReply reply) {
          if (reply.code != 334) return self->OnAuthReply(reply, "AUTH LOGIN");
          self->ExchangeSecret(Base64(self->relay_.password), "****", "AUTH LOGIN", "at AUTH",
                               [self](ServerReply reply) {
                                 self->OnAuthReply(reply, "AUTH LOGIN");
                               });
        });
  });
}

void SmtpClientSession::OnAuthReply(const ServerReply& reply, const std::string& command) {
  if (reply.code == 235) return BeginTransaction();
  SmtpOutcome outcome =
      Refused(reply, command, fmt::format("refused the login of {}", relay_.user));
  // Wrong user or password, or a mechanism it will not take: the settings, unless it said
  // to try later.
  if (outcome.kind != Kind::kTemporary) outcome.kind = Kind::kConfig;
  Finish(std::move(outcome), true);
}

void SmtpClientSession::BeginTransaction() {
  if (message_.eight_bit && !extensions_.Has("8BITMIME")) {
    return Finish(Ours(Kind::kPermanent, "MAIL FROM",
                       fmt::format("{} does not take 8-bit mail (it offers no 8BITMIME) and the "
                                   "message has 8-bit bytes; it must be sent 7-bit "
                                   "(quoted-printable or base64)",
                                   name_)),
                  true);
  }
  const bool utf8 = NeedsSmtpUtf8(mail_);
  if (utf8 && !extensions_.Has("SMTPUTF8")) {
    return Finish(Ours(Kind::kPermanent, "MAIL FROM",
                       fmt::format("{} does not take addresses with non-ASCII characters (it "
                                   "offers no SMTPUTF8)",
                                   name_)),
                  true);
  }
  const uint64_t limit = extensions_.SizeLimit();
  if (limit > 0 && message_.size > limit) {
    return Finish(Ours(Kind::kPermanent, "MAIL FROM",
                       fmt::format("the message ({} bytes) is larger than {} takes ({} bytes)",
                                   message_.size, name_, limit)),
                  true);
  }
  EnvelopeParams params;
  params.dsn = extensions_.Has("DSN");
  params.size = extensions_.Has("SIZE");
  params.eight_bit = message_.eight_bit;
  params.smtputf8 = utf8;
  params.message_size = message_.size;
  if (!params.dsn && WantsDsn(mail_)) {
    log::Get("smtp")->debug("{} offers no DSN: RET, ENVID, NOTIFY and ORCPT left out", name_);
  }
  commands_ = {MailFromCommand(mail_, params)};
  for (const OutgoingRecipient& r : mail_.recipients) {
    commands_.push_back(RcptToCommand(r, params.dsn));
  }
  commands_.push_back("DATA");
  pipelining_ = extensions_.Has("PIPELINING");
  if (!pipelining_) return EnvelopeStep(0);
  // RFC 2920: the whole envelope in one write, the replies read in order.
  std::string batch;
  for (const std::string& command : commands_) {
    Trace(command);
    batch += command + "\r\n";
  }
  transport_->Write(std::move(batch), relay_.timeout,
                    [self = shared_from_this()](const error_code& ec) {
                      if (self->finished_) return;
                      if (ec) {
                        return self->Finish(self->Lost(CommandName(self->commands_[0]),
                                                       "while sending the envelope", ec),
                                            false);
                      }
                      self->EnvelopeStep(0);
                    });
}

void SmtpClientSession::EnvelopeStep(size_t index) {
  const bool data = index + 1 == commands_.size();
  std::string stage = index == 0 ? "at MAIL FROM" : data ? "at DATA" : "at RCPT TO";
  Next next = [self = shared_from_this(), index](ServerReply reply) {
    self->OnEnvelopeReply(index, std::move(reply));
  };
  if (pipelining_) {
    return Await(CommandName(commands_[index]), std::move(stage), relay_.timeout,
                 std::move(next));
  }
  Exchange(commands_[index], std::move(stage), std::move(next));
}

void SmtpClientSession::OnEnvelopeReply(size_t index, ServerReply reply) {
  const size_t data = commands_.size() - 1;
  if (index == 0) {
    mail_reply_ = reply;
  } else if (index < data && Positive(mail_reply_)) {
    RecordRecipient(index - 1, reply);
  }
  if (index == data) return AfterData(reply);
  if (!pipelining_) {
    if (!Positive(mail_reply_)) {
      return Finish(Refused(mail_reply_, CommandName(commands_[0]), "refused the sender"), true);
    }
    if (index + 1 == data && accepted_ == 0) return Finish(RecipientsRefused(), true);
  }
  EnvelopeStep(index + 1);
}

void SmtpClientSession::RecordRecipient(size_t index, const ServerReply& reply) {
  RecipientResult result;
  result.address = mail_.recipients[index].address;
  result.code = reply.code;
  result.enhanced = reply.enhanced;
  result.text = Printable(reply.Text());
  result.accepted = Positive(reply);
  if (result.accepted) ++accepted_;
  recipients_.push_back(std::move(result));
}

void SmtpClientSession::AfterData(const ServerReply& reply) {
  auto self = shared_from_this();
  if (!Positive(mail_reply_)) {  // pipelined: the RCPTs and DATA were refused in its wake
    return AbandonData(reply, [self] {
      self->Finish(
          self->Refused(self->mail_reply_, CommandName(self->commands_[0]), "refused the sender"),
          true);
    });
  }
  if (accepted_ == 0) {
    return AbandonData(reply, [self] { self->Finish(self->RecipientsRefused(), true); });
  }
  if (reply.code != 354) return Finish(Refused(reply, "DATA", "refused the message"), true);
  SendMessage();
}

// RFC 2920 3.1: a server that said 354 to a pipelined DATA with no recipient gets an empty
// message, which it will refuse.
void SmtpClientSession::AbandonData(const ServerReply& data_reply, std::function<void()> then) {
  if (data_reply.code != 354) return then();
  Trace(".");
  transport_->Write(".\r\n", relay_.timeout,
                    [self = shared_from_this(), then = std::move(then)](const error_code& ec) {
                      if (self->finished_) return;
                      if (ec) return then();
                      self->transport_->ReadReply(
                          self->relay_.timeout,
                          [self, then](const error_code&, const ServerReply&) {
                            if (!self->finished_) then();
                          });
                    });
}

void SmtpClientSession::SendMessage() {
  Trace(fmt::format("<message, {} bytes>", message_.size));
  transport_->Write(
      std::move(message_.bytes), relay_.timeout, [self = shared_from_this()](const error_code& ec) {
        if (self->finished_) return;
        if (ec) return self->Finish(self->Lost("DATA", "while sending the message", ec), false);
        self->Await("DATA", "after the message was sent, before the server confirmed it",
                    std::max<std::chrono::seconds>(kMessageReplyTimeout, self->relay_.timeout),
                    [self](ServerReply reply) { self->OnMessageReply(reply); });
      });
}

void SmtpClientSession::OnMessageReply(const ServerReply& reply) {
  if (!Positive(reply)) return Finish(Refused(reply, "DATA", "refused the message"), true);
  Finish(Taken(reply), true);
}

// ---- helpers ----

void SmtpClientSession::Exchange(const std::string& command, std::string stage, Next next) {
  ExchangeSecret(command, command, CommandName(command), std::move(stage), std::move(next));
}

void SmtpClientSession::ExchangeSecret(const std::string& command, std::string_view shown,
                                       std::string failed, std::string stage, Next next) {
  Trace(shown);
  transport_->Write(command + "\r\n", relay_.timeout,
                    [self = shared_from_this(), failed = std::move(failed),
                     stage = std::move(stage), next = std::move(next)](const error_code& ec) {
                      if (self->finished_) return;
                      if (ec) return self->Finish(self->Lost(failed, stage, ec), false);
                      self->Await(failed, stage, self->relay_.timeout, next);
                    });
}

void SmtpClientSession::Await(std::string failed, std::string stage,
                              std::chrono::seconds timeout, Next next) {
  transport_->ReadReply(timeout, [self = shared_from_this(), failed = std::move(failed),
                                  stage = std::move(stage),
                                  next = std::move(next)](const error_code& ec, ServerReply reply) {
    if (self->finished_) return;
    if (ec) return self->Finish(self->Lost(failed, stage, ec), false);
    next(std::move(reply));
  });
}

void SmtpClientSession::Trace(std::string_view line) const {
  log::Get("smtp")->trace("{} C: {}", name_, line);
}

// ---- outcomes ----

SmtpOutcome SmtpClientSession::Refused(const ServerReply& reply, std::string command,
                                       std::string_view what) const {
  SmtpOutcome o;
  o.kind = KindOfRefusal(reply);
  o.code = reply.code;
  o.enhanced = reply.enhanced;
  o.text = Printable(reply.Text());
  o.summary = fmt::format("{} {}: {} ({})", name_, what, Quoted(reply),
                          command == "connect" ? "its greeting" : "answer to " + command);
  o.failed_command = std::move(command);
  return o;
}

SmtpOutcome SmtpClientSession::Lost(std::string command, std::string_view stage,
                                    const error_code& ec) const {
  std::string summary;
  if (ec == asio::error::timed_out) {
    const auto seconds =
        std::chrono::duration_cast<std::chrono::seconds>(transport_->last_timeout()).count();
    summary = fmt::format("no answer from {} within {} s {}", name_, seconds, stage);
  } else if (ec == boost::system::errc::protocol_error) {
    summary = fmt::format("{} sent something that is not SMTP {} ({})", name_, stage,
                          transport_->protocol_error());
  } else if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
    summary = fmt::format("connection to {} lost {}", name_, stage);
  } else {
    summary = fmt::format("connection to {} lost {} ({})", name_, stage, ec.message());
  }
  return Ours(Kind::kTemporary, std::move(command), std::move(summary));
}

SmtpOutcome SmtpClientSession::Ours(Kind kind, std::string command, std::string summary) const {
  SmtpOutcome o;
  o.kind = kind;
  o.failed_command = std::move(command);
  o.summary = std::move(summary);
  return o;
}

SmtpOutcome SmtpClientSession::RecipientsRefused() const {
  // The deciding refusal: one that needs the settings fixed, else one worth a retry.
  const RecipientResult* deciding = nullptr;
  Kind kind = Kind::kPermanent;
  for (const RecipientResult& r : recipients_) {
    const Kind k = KindOfRefusal(ServerReply{r.code, r.enhanced, {r.text}});
    const bool better = !deciding || (k == Kind::kConfig && kind != Kind::kConfig) ||
                        (k == Kind::kTemporary && kind == Kind::kPermanent);
    if (better) {
      deciding = &r;
      kind = k;
    }
  }
  if (!deciding) return Ours(Kind::kPermanent, "RCPT TO", name_ + " refused every recipient");
  SmtpOutcome o;
  o.kind = kind;
  o.code = deciding->code;
  o.enhanced = deciding->enhanced;
  o.text = deciding->text;
  o.failed_command = fmt::format("RCPT TO:<{}>", deciding->address);
  o.summary = fmt::format("{} refused every recipient: {}", name_, ListRefused(recipients_));
  return o;
}

SmtpOutcome SmtpClientSession::Taken(const ServerReply& reply) const {
  SmtpOutcome o;
  const auto refused = std::find_if(recipients_.begin(), recipients_.end(),
                                    [](const RecipientResult& r) { return !r.accepted; });
  if (refused == recipients_.end()) {
    o.kind = Kind::kDelivered;
    o.code = reply.code;
    o.enhanced = reply.enhanced;
    o.text = Printable(reply.Text());
    o.summary = fmt::format("{} took the message: {}", name_, Quoted(reply));
    return o;
  }
  o.kind = Kind::kPartly;
  o.code = refused->code;
  o.enhanced = refused->enhanced;
  o.text = refused->text;
  o.failed_command = fmt::format("RCPT TO:<{}>", refused->address);
  o.summary = fmt::format("{} took the message for {} of {} recipients ({}); it refused {}", name_,
                          accepted_, recipients_.size(), Quoted(reply), ListRefused(recipients_));
  return o;
}

void SmtpClientSession::Finish(SmtpOutcome outcome, bool quit) {
  if (finished_ || ending_) return;
  ending_ = true;
  if (!quit || !transport_) {
    if (transport_) transport_->Close();
    return Report(std::move(outcome));
  }
  const auto timeout = std::min<std::chrono::seconds>(kQuitTimeout, relay_.timeout);
  Trace("QUIT");
  auto self = shared_from_this();
  transport_->Write("QUIT\r\n", timeout, [self, timeout, outcome](const error_code& ec) mutable {
    if (ec) {
      self->transport_->Close();
      return self->Report(std::move(outcome));
    }
    self->transport_->ReadReply(
        timeout, [self, outcome = std::move(outcome)](const error_code&, const ServerReply&) {
          self->transport_->Close();
          self->Report(outcome);
        });
  });
}

void SmtpClientSession::Report(SmtpOutcome outcome) {
  if (finished_) return;
  finished_ = true;
  outcome.server_banner = banner_;
  outcome.recipients = recipients_;
  if (outcome.kind != Kind::kDelivered && outcome.kind != Kind::kPartly) {
    // Accepted at RCPT, but the message did not make it: the failure is theirs too.
    for (RecipientResult& r : outcome.recipients) {
      if (!r.accepted) continue;
      r.accepted = false;
      r.code = outcome.code;
      r.enhanced = outcome.enhanced;
      r.text = outcome.code ? outcome.text : outcome.summary;
    }
  }
  std::string to;
  for (const OutgoingRecipient& r : mail_.recipients) to += (to.empty() ? "" : ", ") + r.address;
  log::Get("smtp")->debug("mail from <{}> to {} via {}: {}", mail_.mail_from, to, name_,
                          outcome.summary);
  auto done = std::move(done_);
  done_ = nullptr;
  if (done) done(std::move(outcome));
}

}  // namespace faxgate::mail
