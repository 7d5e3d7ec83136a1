#include "mail/smtp_client.h"

#include <utility>  // before boost: its awaitable.hpp needs std::exchange

#include <fmt/format.h>
#include <openssl/evp.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>
#include <set>

#include "base/log.h"
#include "mail/smtp_stream.h"

namespace faxgate::mail {
namespace {

using asio::redirect_error;
using asio::use_awaitable;

struct Reply {
  int code = 0;  // 0: connection lost or timed out
  std::string enhanced;
  std::string text;  // lines joined with '\n'
  std::vector<std::string> lines;
};

std::string Base64(std::string_view in) {
  std::string out(((in.size() + 2) / 3) * 4 + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()),
                                static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

bool HasEightBit(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return true;
  return false;
}

std::string DotStuff(std::string_view data) {
  std::string out;
  out.reserve(data.size() + data.size() / 64 + 8);
  bool line_start = true;
  for (char c : data) {
    if (line_start && c == '.') out += '.';
    out += c;
    line_start = c == '\n';
  }
  if (out.size() < 2 || out.substr(out.size() - 2) != "\r\n") out += "\r\n";
  out += ".\r\n";
  return out;
}

class Conversation : public std::enable_shared_from_this<Conversation> {
 public:
  Conversation(asio::io_context& io, SmtpRelay relay, OutgoingMail mail,
               std::function<void(SmtpOutcome)> done)
      : io_(io),
        relay_(std::move(relay)),
        mail_(std::move(mail)),
        done_(std::move(done)),
        stream_(asio::ip::tcp::socket(io)),
        timer_(io),
        name_(fmt::format("{}:{}", relay_.host, relay_.port)) {}

  void Start() {
    auto self = shared_from_this();
    asio::co_spawn(
        io_, [self]() { return self->Run(); },
        [self](std::exception_ptr e) {
          if (e)
            self->Finish(
                self->Fail(SmtpOutcome::Kind::kTemporary, {}, "send", "an internal error"));
        });
  }

 private:
  asio::awaitable<void> Run() {
    Finish(co_await Converse());
    stream_.Close();
    timer_.cancel();
  }

  void Finish(SmtpOutcome o) {
    if (!done_) return;
    log::Get("smtp")->debug("mail to {} via {}: {}", Recipients(), name_, o.summary);
    auto done = std::move(done_);
    done_ = nullptr;
    done(std::move(o));
  }

  std::string Recipients() const {
    std::string s;
    for (const auto& r : mail_.recipients) s += (s.empty() ? "" : ", ") + r.address;
    return s;
  }

  SmtpOutcome Fail(SmtpOutcome::Kind kind, const Reply& r, const std::string& command,
                   const std::string& what) {
    SmtpOutcome o;
    o.kind = kind;
    o.code = r.code;
    o.enhanced = r.enhanced;
    o.text = r.text;
    o.failed_command = command;
    o.recipients = results_;
    o.summary = r.code == 0 ? fmt::format("{}: {}", name_, what)
                            : fmt::format("{} {}: {} {}{} (answer to {})", name_, what, r.code,
                                          r.enhanced.empty() ? "" : r.enhanced + " ",
                                          r.text.substr(0, 300), command);
    return o;
  }

  static SmtpOutcome::Kind KindOf(const Reply& r) {
    if (r.code == 530 || r.code == 535 || r.code == 538 || r.code == 534) {
      return SmtpOutcome::Kind::kConfig;
    }
    if (!r.enhanced.empty()) {
      return r.enhanced[0] == '4' ? SmtpOutcome::Kind::kTemporary : SmtpOutcome::Kind::kPermanent;
    }
    return r.code / 100 == 4 || r.code == 0 ? SmtpOutcome::Kind::kTemporary
                                            : SmtpOutcome::Kind::kPermanent;
  }

  void Arm(std::chrono::seconds t) {
    timer_.expires_after(t);
    std::weak_ptr<Conversation> weak = shared_from_this();
    timer_.async_wait([weak](const boost::system::error_code& ec) {
      if (ec) return;
      if (auto self = weak.lock()) {
        self->timed_out_ = true;
        self->stream_.Cancel();
      }
    });
  }

  asio::awaitable<Reply> Read(std::chrono::seconds t) {
    Reply r;
    Arm(t);
    while (true) {
      auto line = co_await stream_.ReadLine(4096, nullptr);
      if (!line) {
        r.code = 0;
        break;
      }
      log::Get("smtp")->trace("{} S: {}", name_, *line);
      if (line->size() < 3) continue;
      int code = 0;
      for (int i = 0; i < 3; ++i) {
        if (!std::isdigit(static_cast<unsigned char>((*line)[i]))) code = -1;
        if (code >= 0) code = code * 10 + ((*line)[i] - '0');
      }
      if (code < 0) continue;
      std::string text = line->size() > 4 ? line->substr(4) : "";
      r.lines.push_back(text);
      const bool more = line->size() > 3 && (*line)[3] == '-';
      if (!more) {
        r.code = code;
        // Enhanced status code "x.y.z " at the start of the last line.
        const size_t sp = text.find(' ');
        std::string first = text.substr(0, sp);
        if (first.size() >= 5 && (first[0] == '2' || first[0] == '4' || first[0] == '5') &&
            first[1] == '.') {
          r.enhanced = first;
          text = sp == std::string::npos ? "" : text.substr(sp + 1);
        }
        r.text = text;
        break;
      }
    }
    timer_.cancel();
    co_return r;
  }

  asio::awaitable<bool> Write(std::string line, bool secret = false) {
    log::Get("smtp")->trace("{} C: {}", name_,
                            secret ? line.substr(0, line.find(' ', 5)) + " ****" : line);
    co_return co_await stream_.Write(line + "\r\n");
  }

  std::string LostWhat(const char* stage) const {
    return timed_out_ ? fmt::format("no answer within {} s {}", relay_.timeout.count(), stage)
                      : fmt::format("connection lost {}", stage);
  }

  asio::awaitable<bool> Hello(std::set<std::string>* ext, std::string* size_limit) {
    ext->clear();
    if (!co_await Write("EHLO " + relay_.helo_name)) co_return false;
    Reply r = co_await Read(relay_.timeout);
    if (r.code == 250) {
      for (size_t i = 1; i < r.lines.size(); ++i) {
        std::string l = r.lines[i];
        for (char& c : l) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        const std::string key = l.substr(0, l.find(' '));
        ext->insert(key);
        if (key == "SIZE") *size_limit = l.size() > 5 ? l.substr(5) : "";
        if (key == "AUTH") ext->insert("AUTH:" + l.substr(5));
      }
      co_return true;
    }
    if (r.code == 0) co_return false;
    // EHLO refused: plain HELO, no extensions (RFC 5321 4.1.4).
    if (!co_await Write("HELO " + relay_.helo_name)) co_return false;
    r = co_await Read(relay_.timeout);
    last_ = r;
    co_return r.code == 250;
  }

  asio::awaitable<SmtpOutcome> Converse() {
    // Connect.
    asio::ip::tcp::resolver resolver(io_);
    boost::system::error_code ec;
    Arm(relay_.timeout);
    auto endpoints = co_await resolver.async_resolve(relay_.host, std::to_string(relay_.port),
                                                     redirect_error(use_awaitable, ec));
    if (ec)
      co_return Fail(SmtpOutcome::Kind::kTemporary, {}, "connect",
                     fmt::format("cannot resolve the host: {}", ec.message()));
    co_await asio::async_connect(stream_.socket(), endpoints, redirect_error(use_awaitable, ec));
    timer_.cancel();
    if (ec)
      co_return Fail(SmtpOutcome::Kind::kTemporary, {}, "connect",
                     fmt::format("cannot connect: {}", timed_out_ ? "timed out" : ec.message()));
    asio::ssl::context tls(asio::ssl::context::tls_client);
    if (relay_.tls != "none") {
      if (relay_.verify_certificate) {
        tls.set_verify_mode(asio::ssl::verify_peer);
        if (!relay_.ca_file.empty())
          tls.load_verify_file(relay_.ca_file, ec);
        else
          tls.set_default_verify_paths(ec);
        tls.set_verify_callback(asio::ssl::host_name_verification(relay_.host));
      } else {
        tls.set_verify_mode(asio::ssl::verify_none);
      }
    }
    if (relay_.tls == "implicit" && !co_await stream_.StartTls(tls, false, relay_.host)) {
      co_return Fail(SmtpOutcome::Kind::kConfig, {}, "TLS", "the TLS handshake failed");
    }
    Reply banner = co_await Read(relay_.timeout);
    if (banner.code != 220) {
      if (banner.code == 0)
        co_return Fail(SmtpOutcome::Kind::kTemporary, banner, "connect",
                       LostWhat("before the greeting"));
      co_return Fail(KindOf(banner), banner, "connect", "refused the connection");
    }
    std::set<std::string> ext;
    std::string size_limit;
    if (!co_await Hello(&ext, &size_limit)) {
      if (last_.code != 0) co_return Fail(KindOf(last_), last_, "HELO", "refused our greeting");
      co_return Fail(SmtpOutcome::Kind::kTemporary, {}, "EHLO", LostWhat("after EHLO"));
    }
    if (relay_.tls == "starttls" || relay_.tls == "required") {
      if (ext.count("STARTTLS")) {
        if (!co_await Write("STARTTLS"))
          co_return Fail(SmtpOutcome::Kind::kTemporary, {}, "STARTTLS", LostWhat("at STARTTLS"));
        Reply r = co_await Read(relay_.timeout);
        if (r.code != 220) co_return Fail(KindOf(r), r, "STARTTLS", "refused STARTTLS");
        if (!co_await stream_.StartTls(tls, false, relay_.host)) {
          co_return Fail(SmtpOutcome::Kind::kConfig, {}, "STARTTLS",
                         "the TLS handshake failed (certificate not trusted?)");
        }
        if (!co_await Hello(&ext, &size_limit)) {
          co_return Fail(SmtpOutcome::Kind::kTemporary, last_, "EHLO", LostWhat("after STARTTLS"));
        }
      } else if (relay_.tls == "required") {
        co_return Fail(SmtpOutcome::Kind::kConfig, {}, "STARTTLS",
                       "does not offer STARTTLS, which this relay is set to require");
      }
    }
    if (!relay_.user.empty()) {
      if (!stream_.tls() && relay_.tls != "none") {
        co_return Fail(SmtpOutcome::Kind::kConfig, {}, "AUTH",
                       "offers no TLS; faxgate does not send the password in clear text");
      }
      std::string auth;
      for (const auto& e : ext)
        if (e.rfind("AUTH:", 0) == 0) auth = e;
      const bool plain = auth.find("PLAIN") != std::string::npos;
      const bool login = auth.find("LOGIN") != std::string::npos;
      if (!plain && !login) {
        co_return Fail(SmtpOutcome::Kind::kConfig, {}, "AUTH",
                       "offers no AUTH PLAIN or LOGIN for the configured user");
      }
      Reply r;
      if (plain) {
        std::string token = std::string(1, '\0') + relay_.user + '\0' + relay_.password;
        if (!co_await Write("AUTH PLAIN " + Base64(token), true))
          co_return Fail(SmtpOutcome::Kind::kTemporary, {}, "AUTH", LostWhat("at AUTH"));
        r = co_await Read(relay_.timeout);
      } else {
        co_await Write("AUTH LOGIN");
        r = co_await Read(relay_.timeout);
        if (r.code == 334) {
          co_await Write(Base64(relay_.user), true);
          r = co_await Read(relay_.timeout);
        }
        if (r.code == 334) {
          co_await Write(Base64(relay_.password), true);
          r = co_await Read(relay_.timeout);
        }
      }
      if (r.code != 235) {
        co_return Fail(r.code == 0 ? SmtpOutcome::Kind::kTemporary : SmtpOutcome::Kind::kConfig, r,
                       "AUTH", fmt::format("refused the login of {}", relay_.user));
      }
    }
    // The transaction: MAIL, RCPT..., DATA — in one write when PIPELINING is offered.
    const bool eight_bit = HasEightBit(mail_.data);
    if (eight_bit && !ext.count("8BITMIME")) {
      co_return Fail(SmtpOutcome::Kind::kPermanent, {}, "MAIL",
                     "does not take 8-bit mail (no 8BITMIME) and the message has 8-bit text");
    }
    const bool dsn = ext.count("DSN") > 0;
    std::string mail_cmd = fmt::format("MAIL FROM:<{}>", mail_.mail_from);
    if (dsn && !mail_.ret.empty()) mail_cmd += " RET=" + mail_.ret;
    if (dsn && !mail_.envid.empty()) mail_cmd += " ENVID=" + EncodeXtext(mail_.envid);
    if (ext.count("SIZE")) mail_cmd += fmt::format(" SIZE={}", mail_.data.size());
    if (eight_bit) mail_cmd += " BODY=8BITMIME";
    std::vector<std::string> commands{mail_cmd};
    for (const OutgoingRecipient& r : mail_.recipients) {
      std::string c = fmt::format("RCPT TO:<{}>", r.address);
      if (dsn && !r.notify.empty()) c += " NOTIFY=" + r.notify;
      if (dsn && !r.orcpt.empty()) c += " ORCPT=rfc822;" + EncodeXtext(r.orcpt);
      commands.push_back(c);
    }
    commands.push_back("DATA");
    const bool pipelining = ext.count("PIPELINING") > 0;
    if (pipelining) {
      std::string batch;
      for (const auto& c : commands) {
        log::Get("smtp")->trace("{} C: {}", name_, c);
        batch += c + "\r\n";
      }
      if (!co_await stream_.Write(batch))
        co_return Fail(SmtpOutcome::Kind::kTemporary, {}, "MAIL",
                       LostWhat("while sending the envelope"));
    }
    int accepted = 0;
    Reply data_reply;
    for (size_t i = 0; i < commands.size(); ++i) {
      if (!pipelining && !co_await Write(commands[i]))
        co_return Fail(SmtpOutcome::Kind::kTemporary, {}, commands[i],
                       LostWhat("while sending the envelope"));
      Reply r = co_await Read(relay_.timeout);
      if (r.code == 0)
        co_return Fail(SmtpOutcome::Kind::kTemporary, r, commands[i],
                       LostWhat("during the envelope"));
      if (i == 0 && r.code / 100 != 2) {
        if (pipelining) {  // drain the answers to the pipelined RCPTs and DATA
          for (size_t k = 1; k < commands.size(); ++k) (void)co_await Read(relay_.timeout);
        }
        co_await Write("QUIT");
        co_return Fail(KindOf(r), r, commands[0], "refused the sender");
      }
      if (i > 0 && i + 1 < commands.size()) {
        RecipientResult rr;
        rr.address = mail_.recipients[i - 1].address;
        rr.code = r.code;
        rr.enhanced = r.enhanced;
        rr.text = r.text;
        rr.accepted = r.code / 100 == 2;
        accepted += rr.accepted;
        results_.push_back(rr);
        if (!pipelining && i + 2 == commands.size() && accepted == 0) break;
      }
      if (i + 1 == commands.size()) data_reply = r;
    }
    if (accepted == 0) {
      if (data_reply.code == 354) {
        // Pipelined DATA was accepted although no recipient was: send an empty message... no:
        // RFC 2920 says the server must refuse DATA then; end the transaction cleanly.
        co_await stream_.Write(".\r\n");
        (void)co_await Read(relay_.timeout);
      }
      co_await Write("QUIT");
      const RecipientResult& first = results_.front();
      Reply r{first.code, first.enhanced, first.text, {}};
      co_return Fail(KindOf(r), r, fmt::format("RCPT TO:<{}>", first.address),
                     "refused every recipient");
    }
    if (data_reply.code != 354) {
      co_await Write("QUIT");
      co_return Fail(KindOf(data_reply), data_reply, "DATA", "refused the message");
    }
    log::Get("smtp")->trace("{} C: <message, {} bytes>", name_, mail_.data.size());
    if (!co_await stream_.Write(DotStuff(mail_.data))) {
      co_return Fail(SmtpOutcome::Kind::kTemporary, {}, "DATA",
                     LostWhat("while sending the message"));
    }
    Reply end = co_await Read(std::chrono::minutes(10));
    if (end.code == 0)
      co_return Fail(SmtpOutcome::Kind::kTemporary, end, "end of DATA",
                     LostWhat("while sending the message"));
    if (end.code / 100 != 2) {
      co_await Write("QUIT");
      co_return Fail(KindOf(end), end, "end of DATA", "refused the message");
    }
    co_await Write("QUIT");
    (void)co_await Read(std::chrono::seconds(5));
    SmtpOutcome o;
    o.kind = accepted == static_cast<int>(mail_.recipients.size()) ? SmtpOutcome::Kind::kDelivered
                                                                   : SmtpOutcome::Kind::kPartly;
    o.code = end.code;
    o.enhanced = end.enhanced;
    o.text = end.text;
    o.recipients = results_;
    o.summary = fmt::format("{} accepted the mail for {} of {} recipient(s): {} {}", name_,
                            accepted, mail_.recipients.size(), end.code, end.text.substr(0, 200));
    co_return o;
  }

  asio::io_context& io_;
  SmtpRelay relay_;
  OutgoingMail mail_;
  std::function<void(SmtpOutcome)> done_;
  SmtpStream stream_;
  asio::steady_timer timer_;
  std::string name_;
  bool timed_out_ = false;
  Reply last_;
  std::vector<RecipientResult> results_;
};

}  // namespace

std::string EncodeXtext(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (c < '!' || c > '~' || c == '+' || c == '=')
      out += fmt::format("+{:02X}", c);
    else
      out += static_cast<char>(c);
  }
  return out;
}

void SmtpClient::Send(const SmtpRelay& relay, OutgoingMail mail,
                      std::function<void(SmtpOutcome)> done) {
  std::make_shared<Conversation>(io_, relay, std::move(mail), std::move(done))->Start();
}

}  // namespace faxgate::mail
