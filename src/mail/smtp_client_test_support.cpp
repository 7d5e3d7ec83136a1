#include "mail/smtp_client_test_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <boost/asio/io_context.hpp>

#include "base/log.h"

namespace faxgate::mail::testing {
namespace {

bool Send(int fd, const std::string& bytes) {
  return ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
}

std::string Reply(const std::string& line) { return line + "\r\n"; }

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

bool StartsWith(const std::string& s, const std::string& prefix) {
  return Upper(s.substr(0, prefix.size())) == prefix;
}

std::string Unbase64(const std::string& in) {
  std::string out(in.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()),
                                static_cast<int>(in.size()));
  if (n < 0) return "";
  // EVP_DecodeBlock counts the bytes the '=' padding stands for.
  const size_t padding = in.size() - std::min(in.size(), in.find_last_not_of('=') + 1);
  out.resize(static_cast<size_t>(n) - std::min<size_t>(padding, static_cast<size_t>(n)));
  return out;
}

// "RCPT TO:<a@b> NOTIFY=..." -> "a@b"
std::string PathOf(const std::string& command) {
  const size_t open = command.find('<'), close = command.find('>');
  if (open == std::string::npos || close == std::string::npos || close < open) return "";
  return command.substr(open + 1, close - open - 1);
}

}  // namespace

FakeSmtpServer::FakeSmtpServer(FakeSmtpScript script) : script_(std::move(script)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  EXPECT_EQ(::listen(listen_fd_, 1), 0);
  socklen_t len = sizeof a;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

FakeSmtpServer::~FakeSmtpServer() {
  Stop();
  ::close(listen_fd_);
}

void FakeSmtpServer::Wait() {
  if (thread_.joinable()) thread_.join();
}

void FakeSmtpServer::Stop() {
  ::shutdown(listen_fd_, SHUT_RDWR);
  Wait();
}

std::vector<std::string> FakeSmtpServer::commands() const {
  std::vector<std::string> all;
  for (const auto& batch : batches_) all.insert(all.end(), batch.begin(), batch.end());
  return all;
}

void FakeSmtpServer::Serve() {
  const int fd = ::accept(listen_fd_, nullptr, nullptr);
  if (fd < 0) return;
  connected_ = true;
  timeval tv{30, 0};  // a broken test fails instead of hanging
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (Converse(fd)) {
    // Hold the connection until the client closes it, as a server does after 221.
    char c;
    while (::recv(fd, &c, 1, 0) > 0) {
    }
  }
  ::close(fd);
}

bool FakeSmtpServer::ReadLine(int fd, std::string* line) {
  size_t eol;
  while ((eol = in_.find("\r\n")) == std::string::npos) {
    char buf[65536];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    in_.append(buf, static_cast<size_t>(n));
  }
  *line = in_.substr(0, eol);
  in_.erase(0, eol + 2);
  return true;
}

bool FakeSmtpServer::ReadMessage(int fd) {
  if (script_.cut == FakeSmtpScript::Cut::kInMessage) {
    // Some of the message, then a reset: the client is still writing.
    std::string line;
    if (!ReadLine(fd, &line)) return false;
    message_ = line + "\r\n";
    linger off{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &off, sizeof off);
    return false;
  }
  std::string line;
  while (ReadLine(fd, &line)) {
    if (line == ".") return script_.cut != FakeSmtpScript::Cut::kAfterMessage;
    message_ += line + "\r\n";
  }
  return false;
}

// One conversation; false when the connection is to be dropped at once.
bool FakeSmtpServer::Converse(int fd) {
  if (script_.banner.empty()) return true;  // silent
  if (!Send(fd, Reply(script_.banner))) return false;
  if (script_.banner.rfind("220", 0) != 0) return false;
  const bool pipelining =
      std::find(script_.extensions.begin(), script_.extensions.end(), "PIPELINING") !=
      script_.extensions.end();
  std::vector<std::string> batch;
  std::string answers;
  bool mail_ok = false;
  int accepted = 0;
  std::string line;
  while (ReadLine(fd, &line)) {
    batch.push_back(line);
    bool deferred = false;
    if (StartsWith(line, "EHLO ")) {
      if (script_.refuse_ehlo) {
        answers += Reply("502 5.5.2 Error: command not recognized");
      } else {
        answers += Reply("250" + std::string(script_.extensions.empty() ? " " : "-") +
                         "fake.test");
        for (size_t i = 0; i < script_.extensions.size(); ++i) {
          answers += Reply((i + 1 == script_.extensions.size() ? "250 " : "250-") +
                           script_.extensions[i]);
        }
      }
    } else if (StartsWith(line, "HELO ")) {
      answers += Reply("250 fake.test");
    } else if (StartsWith(line, "AUTH PLAIN ")) {
      const std::string token = Unbase64(line.substr(11));
      const size_t nul = token.find('\0', 1);
      auth_user_ = nul == std::string::npos ? "" : token.substr(1, nul - 1);
      auth_password_ = nul == std::string::npos ? "" : token.substr(nul + 1);
      answers += Reply(script_.auth_reply);
    } else if (StartsWith(line, "AUTH LOGIN")) {
      std::string user, password;
      if (!Send(fd, Reply("334 VXNlcm5hbWU6")) || !ReadLine(fd, &user) ||
          !Send(fd, Reply("334 UGFzc3dvcmQ6")) || !ReadLine(fd, &password)) {
        return false;
      }
      batch.push_back(user);
      batch.push_back(password);
      auth_user_ = Unbase64(user);
      auth_password_ = Unbase64(password);
      answers += Reply(script_.auth_reply);
    } else if (StartsWith(line, "MAIL FROM:")) {
      mail_ok = script_.mail_reply.rfind("2", 0) == 0;
      answers += Reply(script_.mail_reply);
      deferred = pipelining;
    } else if (StartsWith(line, "RCPT TO:")) {
      auto it = script_.rcpt_replies.find(PathOf(line));
      std::string reply = it != script_.rcpt_replies.end() ? it->second : "250 2.1.5 Ok";
      if (!mail_ok) reply = "503 5.5.1 Error: need MAIL command";
      if (reply.rfind("2", 0) == 0) ++accepted;
      answers += Reply(reply);
      deferred = pipelining;
    } else if (line == "DATA") {
      const bool go = mail_ok && accepted > 0;
      answers += Reply(go ? "354 End data with <CR><LF>.<CR><LF>"
                          : mail_ok ? "554 5.5.1 Error: no valid recipients"
                                    : "503 5.5.1 Error: need RCPT command");
      if (go) {
        if (!Send(fd, answers)) return false;
        answers.clear();
        batches_.push_back(std::move(batch));
        batch.clear();
        if (!ReadMessage(fd)) return false;
        answers += Reply(script_.message_reply);
      }
    } else if (line == "RSET") {
      mail_ok = false;
      accepted = 0;
      answers += Reply("250 2.0.0 Ok");
    } else if (line == "QUIT") {
      batches_.push_back(std::move(batch));
      Send(fd, Reply("221 2.0.0 Bye"));
      return true;
    } else {
      answers += Reply("502 5.5.2 Error: command not recognized");
    }
    if (deferred) continue;
    if (!batch.empty()) batches_.push_back(std::move(batch));
    batch.clear();
    if (!Send(fd, answers)) return false;
    answers.clear();
  }
  if (!batch.empty()) batches_.push_back(std::move(batch));
  return false;
}

SmtpRelay LocalRelay(uint16_t port) {
  SmtpRelay relay;
  relay.host = "127.0.0.1";
  relay.port = port;
  relay.timeout = std::chrono::seconds(10);
  return relay;
}

SmtpOutcome SendMail(const SmtpRelay& relay, OutgoingMail mail) {
  boost::asio::io_context io;
  SmtpClient client(io);
  std::optional<SmtpOutcome> outcome;
  int calls = 0;
  client.Send(relay, std::move(mail), [&](SmtpOutcome o) {
    ++calls;
    outcome = std::move(o);
  });
  io.run();  // returns once the conversation is over and nothing is left to do
  EXPECT_EQ(calls, 1) << "done must be called exactly once";
  return outcome.value_or(SmtpOutcome{});
}

namespace fs = std::filesystem;

namespace {

// Port bases below Linux's ephemeral range (32768 up), apart from those of the other mail tests
// (tests/test_mail.py 24000-29999): a port held by an outgoing connection cannot be listened on.
constexpr int kPortBases[] = {30500, 30700, 30900, 31100, 31300};

// scripts/mailenv of this tree: from $FAXGATE_SOURCE_DIR (set by ctest), else upwards from the
// test binary (build directories live inside the tree).
fs::path ScriptsDir() {
  if (const char* source = std::getenv("FAXGATE_SOURCE_DIR")) {
    return fs::path(source) / "scripts/mailenv";
  }
  std::error_code ec;
  for (fs::path p = fs::read_symlink("/proc/self/exe", ec).parent_path(); !p.empty();
       p = p.parent_path()) {
    if (fs::exists(p / "scripts/mailenv/setup")) return p / "scripts/mailenv";
    if (p == p.root_path()) break;
  }
  return "scripts/mailenv";
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

bool PostfixEnvironment::Installed() {
  return fs::exists("/usr/sbin/postfix") && fs::exists("/usr/sbin/dovecot");
}

PostfixEnvironment::PostfixEnvironment()
    : root_(fmt::format("/tmp/faxgate-smtpclient-{}", getpid())) {}

PostfixEnvironment::~PostfixEnvironment() { Stop(); }

Status PostfixEnvironment::Run(const std::string& command) const {
  const fs::path log = root_.string() + ".log";
  const std::string line =
      fmt::format("MAILENV_ROOT='{}' MAILENV_PORT_BASE={} {} >'{}' 2>&1 </dev/null",
                  root_.string(), base_, command, log.string());
  const int rc = std::system(line.c_str());
  const std::string output = ReadFile(log);
  fs::remove(log);
  if (rc != 0) {
    return MakeError(ErrorCode::kUnavailable, fmt::format("{} failed: {}", command, output));
  }
  return Status::Ok();
}

Status PostfixEnvironment::Start() {
  const fs::path scripts = ScriptsDir();
  Status last = MakeError(ErrorCode::kUnavailable, "no port base tried");
  for (int base : kPortBases) {
    base_ = base;
    FG_RETURN_IF_ERROR(Run(fmt::format("'{}'", (scripts / "setup").string())));
    // setup's certificate names only mail.fax.test; this one also 127.0.0.1, where we connect.
    FG_RETURN_IF_ERROR(Run(fmt::format(
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=mail.fax.test "
        "-addext subjectAltName=DNS:mail.fax.test,IP:127.0.0.1 -keyout '{0}/key.pem' "
        "-out '{0}/cert.pem' && chmod 600 '{0}/key.pem'",
        root_.string())));
    started_ = true;  // from here on, Stop undoes what start may have begun
    last = Run(fmt::format("'{}'", (scripts / "start").string()));
    if (last.ok()) return last;
    Stop();
  }
  return last;
}

void PostfixEnvironment::Stop() {
  if (!started_) return;
  started_ = false;
  (void)Run(fmt::format("'{}'", (ScriptsDir() / "stop").string()));
  std::error_code ec;
  fs::remove_all(root_, ec);
}

std::string PostfixEnvironment::WaitForMail(const std::string& user, const std::string& needle,
                                            std::chrono::seconds patience) const {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  const fs::path maildir = root_ / "vmail/fax.test" / user / "Maildir";
  do {
    for (const char* sub : {"new", "cur"}) {
      std::error_code ec;
      for (const auto& entry : fs::directory_iterator(maildir / sub, ec)) {
        std::string text = ReadFile(entry.path());
        if (text.find(needle) != std::string::npos) return text;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  } while (std::chrono::steady_clock::now() < deadline);
  return "";
}

class SmtpLogCapture::Sink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::string Text() {
    std::lock_guard lock(mutex_);
    return text_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    text_.append(msg.payload.data(), msg.payload.size());
    text_ += '\n';
  }
  void flush_() override {}

 private:
  std::string text_;
};

SmtpLogCapture::SmtpLogCapture() : sink_(std::make_shared<Sink>()) {
  auto logger = log::Get("smtp");
  old_level_ = logger->level();
  for (auto& sink : logger->sinks()) sink->set_level(logger->level());  // stderr stays quiet
  logger->sinks().push_back(sink_);
  logger->set_level(spdlog::level::trace);
}

SmtpLogCapture::~SmtpLogCapture() {
  auto logger = log::Get("smtp");
  auto& sinks = logger->sinks();
  sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
  logger->set_level(static_cast<spdlog::level::level_enum>(old_level_));
  for (auto& sink : sinks) sink->set_level(spdlog::level::trace);
}

std::string SmtpLogCapture::text() const { return sink_->Text(); }

}  // namespace faxgate::mail::testing
