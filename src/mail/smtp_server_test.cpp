// The OffRamp SMTP listener against a real client (swaks) and against raw bytes on a socket.
// The handler is a fake OffRamp: it records what it is given, refuses fax numbers starting with
// "9", and knows the user alice with the password "secret".
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <random>
#include <thread>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>

#include "mail/smtp_server.h"

namespace faxgate::mail {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr auto kPatience = std::chrono::seconds(20);  // a ceiling for waits, never a measure

// ---- The fake OffRamp ----

class FakeOffRamp : public SmtpHandler {
 public:
  // How OnMessage answers: at once; from another thread 200 ms later, after "committing"; or
  // only when the test calls Release() (only the first message is held).
  enum class Commit { kAtOnce, kLater, kHeldByTest };

  struct Mail {
    SmtpPeer peer;
    SmtpEnvelope envelope;
    std::string message;
  };

  ~FakeOffRamp() override { JoinThreads(); }

  void Authenticate(const std::string& user, const std::string& password,
                    std::function<void(bool)> done) override {
    done(user == "alice" && password == "secret");
  }
  SmtpReply OnMailFrom(const SmtpPeer&, const SmtpEnvelope& e) override {
    if (e.mail_from.rfind("spam", 0) == 0) return {550, "5.7.1", "not allowed to send faxes"};
    return {250, "2.1.0", "sender ok"};
  }
  SmtpReply OnRcptTo(const SmtpPeer&, const SmtpEnvelope&, const SmtpRecipientParams& r) override {
    if (r.address.rfind("FAX=", 0) != 0) return {250, "2.1.5", "ok"};
    const std::string number = r.address.substr(4, r.address.find('@') - 4);
    if (number.rfind("9", 0) == 0) return {550, "5.1.1", "no such fax number " + number};
    return {250, "2.1.5", "fax number ok"};
  }
  void OnMessage(const SmtpPeer& peer, const SmtpEnvelope& envelope, std::string message,
                 std::function<void(SmtpReply)> done) override {
    std::unique_lock lock(mu_);
    mails_.push_back({peer, envelope, std::move(message)});
    const SmtpReply queued{250, "2.0.0", fmt::format("queued as fax job {}", mails_.size())};
    if (commit == Commit::kLater) {
      threads_.emplace_back([this, done, queued] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        committed_ = true;
        done(queued);
      });
    } else if (commit == Commit::kHeldByTest && !held_ && mails_.size() == 1) {
      held_ = [done, queued] { done(queued); };
    } else {
      lock.unlock();
      done(queued);
    }
    cv_.notify_all();
  }

  std::vector<Mail> mails() {
    std::lock_guard lock(mu_);
    return mails_;
  }
  // Waits until the handler holds a message back.
  bool WaitUntilHolding() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kPatience, [&] { return held_ != nullptr; });
  }
  void Release() {
    std::function<void()> release;
    {
      std::lock_guard lock(mu_);
      release = std::move(held_);
    }
    if (release) release();
  }
  bool committed() const { return committed_; }
  void JoinThreads() {
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

  Commit commit = Commit::kAtOnce;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Mail> mails_;
  std::function<void()> held_;
  std::atomic<bool> committed_{false};
  std::vector<std::thread> threads_;
};

// ---- A client that writes raw bytes and reads replies, optionally through TLS ----

class RawClient {
 public:
  explicit RawClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~RawClient() {
    if (ssl_) SSL_free(ssl_);
    if (ctx_) SSL_CTX_free(ctx_);
    ::close(fd_);
  }
  bool connected() const { return connected_; }

  // One write: on loopback the bytes arrive together, as one packet.
  void Send(std::string_view bytes) {
    if (ssl_) {
      ASSERT_EQ(SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size())),
                static_cast<int>(bytes.size()));
    } else {
      ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL),
                static_cast<ssize_t>(bytes.size()));
    }
  }

  // The next whole reply, all its lines; "" if the server closed or said nothing.
  std::string Reply() {
    while (true) {
      size_t start = 0;
      while (true) {
        const size_t end = buffer_.find("\r\n", start);
        if (end == std::string::npos) break;
        if (end - start < 4 || buffer_[start + 3] == ' ') {  // "250 ..." ends a reply
          std::string reply = buffer_.substr(0, end + 2);
          buffer_.erase(0, end + 2);
          return reply;
        }
        start = end + 2;
      }
      if (!Fill()) return "";
    }
  }

  // Every reply until the server closes the connection.
  std::string UntilClosed() {
    while (Fill()) {
    }
    std::string all = std::move(buffer_);
    buffer_.clear();
    return all;
  }
  bool closed() const { return closed_; }

  // The client side of STARTTLS, right after the server's 220.
  bool StartTls() {
    ctx_ = SSL_CTX_new(TLS_client_method());
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    return SSL_connect(ssl_) == 1;
  }

 private:
  bool Fill() {
    pollfd p{fd_, POLLIN, 0};
    if (!(ssl_ && SSL_pending(ssl_) > 0) &&
        ::poll(&p, 1, static_cast<int>(kPatience.count() * 1000)) <= 0) {
      return false;
    }
    char chunk[65536];
    const int n = ssl_ ? SSL_read(ssl_, chunk, sizeof chunk)
                       : static_cast<int>(::recv(fd_, chunk, sizeof chunk, 0));
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  bool closed_ = false;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string buffer_;
};

// ---- The fixture: the server on an io_context thread, swaks, a self-signed certificate ----

struct SwaksRun {
  int exit_code = -1;
  std::string output;
};

class SmtpServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char dir_template[] = "/tmp/fg-smtp-server-test-XXXXXX";
    ASSERT_NE(::mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
    const std::string cmd = fmt::format(
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=faxgate.test "
        "-keyout {0}/key.pem -out {0}/cert.pem 2>/dev/null",
        dir_.string());
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

  void TearDown() override {
    if (thread_.joinable()) {
      OnIo([this] { server_->Stop(); });
      io_.stop();
      thread_.join();
    }
    handler_.JoinThreads();
  }

  static SmtpServerOptions Options() {
    SmtpServerOptions o;
    o.hostname = "faxgate.test";
    return o;
  }
  static SmtpServerOptions TlsOptions() {
    SmtpServerOptions o = Options();
    o.tls = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
    o.tls->use_certificate_chain_file((dir_ / "cert.pem").string());
    o.tls->use_private_key_file((dir_ / "key.pem").string(), boost::asio::ssl::context::pem);
    return o;
  }

  void Serve(SmtpServerOptions options = Options()) {
    server_ = std::make_unique<SmtpServer>(io_, handler_, std::move(options));
    auto port = server_->Listen("127.0.0.1", 0);
    ASSERT_TRUE(port.ok()) << port.error().message;
    port_ = *port;
    thread_ = std::thread([this] {
      auto work = boost::asio::make_work_guard(io_);
      io_.run();
    });
  }

  // Runs f on the server's thread and returns what it returns.
  template <typename F>
  auto OnIo(F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    boost::asio::post(io_, [&task] { task(); });
    return result.get();
  }

  SwaksRun Swaks(const std::string& args) {
    const std::string cmd = fmt::format(
        "timeout 120 swaks --server 127.0.0.1 --port {} --ehlo client.test --from "
        "alice@example.com "
        "--header 'Subject: fax test' --body 'hello fax' {} 2>&1",
        port_, args);
    SwaksRun run;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return run;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) run.output.append(buf, n);
    const int status = ::pclose(p);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
  }

  // A file of random bytes in the test's directory.
  static std::filesystem::path RandomFile(const std::string& name, size_t size) {
    std::string bytes(size, '\0');
    std::mt19937 random(42);
    for (char& c : bytes) c = static_cast<char>(random());
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  static std::string Base64(const std::string& bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()),
                                  static_cast<int>(bytes.size()));
    out.resize(static_cast<size_t>(n));
    return out;
  }
  static std::string ReadFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  // A raw client past the greeting and EHLO.
  std::unique_ptr<RawClient> Greeted() {
    auto c = std::make_unique<RawClient>(port_);
    EXPECT_THAT(c->Reply(), StartsWith("220 faxgate.test ESMTP"));
    c->Send("EHLO client.test\r\n");
    EXPECT_THAT(c->Reply(), StartsWith("250-faxgate.test greets client.test"));
    return c;
  }
  // A raw client with an open mail transaction and one accepted recipient, after 354.
  std::unique_ptr<RawClient> InData() {
    auto c = Greeted();
    c->Send("MAIL FROM:<alice@example.com>\r\nRCPT TO:<FAX=8001@fax.test>\r\nDATA\r\n");
    EXPECT_THAT(c->Reply(), StartsWith("250 2.1.0"));
    EXPECT_THAT(c->Reply(), StartsWith("250 2.1.5"));
    EXPECT_THAT(c->Reply(), StartsWith("354 "));
    return c;
  }

  static inline std::filesystem::path dir_;
  boost::asio::io_context io_;
  FakeOffRamp handler_;
  std::unique_ptr<SmtpServer> server_;
  std::thread thread_;
  uint16_t port_ = 0;
};

std::vector<std::string> Addresses(const SmtpEnvelope& e) {
  std::vector<std::string> out;
  for (const auto& r : e.recipients) out.push_back(r.address);
  return out;
}

// ---- swaks ----

TEST_F(SmtpServerTest, SwaksDeliversToTheNumbersAcceptedAndShowsTheOneRefused) {
  Serve();
  SwaksRun run = Swaks("--to FAX=+1-555-1234@fax.test,FAX=9555@fax.test,FAX=8323@fax.test");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("550 5.1.1 no such fax number 9555"));
  EXPECT_THAT(run.output, HasSubstr("250 2.0.0 queued as fax job 1"));
  auto mails = handler_.mails();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].envelope.mail_from, "alice@example.com");
  EXPECT_THAT(Addresses(mails[0].envelope),
              ElementsAre("FAX=+1-555-1234@fax.test", "FAX=8323@fax.test"));
  EXPECT_EQ(mails[0].peer.client_ip, "127.0.0.1");
  EXPECT_EQ(mails[0].peer.helo, "client.test");
  EXPECT_FALSE(mails[0].peer.tls);
  EXPECT_FALSE(mails[0].peer.auth_user.has_value());
  EXPECT_THAT(mails[0].message, HasSubstr("Subject: fax test\r\n"));
  EXPECT_THAT(mails[0].message, HasSubstr("\r\n\r\nhello fax\r\n"));
}

TEST_F(SmtpServerTest, SwaksStartTlsAndAuthPlainDeliversAsAlice) {
  Serve(TlsOptions());
  SwaksRun run = Swaks(
      "--to FAX=8001@fax.test --tls --auth PLAIN --auth-user alice "
      "--auth-password secret");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("235 2.7.0 authenticated"));
  auto mails = handler_.mails();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_TRUE(mails[0].peer.tls);
  EXPECT_EQ(mails[0].peer.auth_user.value_or("nobody"), "alice");
  EXPECT_EQ(mails[0].peer.helo, "client.test");  // from the EHLO after STARTTLS
}

TEST_F(SmtpServerTest, SwaksStartTlsAndAuthLoginDeliversAsAlice) {
  Serve(TlsOptions());
  SwaksRun run = Swaks(
      "--to FAX=8001@fax.test --tls --auth LOGIN --auth-user alice "
      "--auth-password secret");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("334 VXNlcm5hbWU6"));
  EXPECT_THAT(run.output, HasSubstr("334 UGFzc3dvcmQ6"));
  auto mails = handler_.mails();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].peer.auth_user.value_or("nobody"), "alice");
}

TEST_F(SmtpServerTest, SwaksWithAWrongPasswordIsRefused) {
  Serve(TlsOptions());
  SwaksRun run = Swaks(
      "--to FAX=8001@fax.test --tls --auth PLAIN --auth-user alice "
      "--auth-password guess");
  EXPECT_EQ(run.exit_code, 28) << run.output;  // swaks: error in AUTH
  EXPECT_THAT(run.output, HasSubstr("535 5.7.8 authentication failed"));
  EXPECT_TRUE(handler_.mails().empty());
}

TEST_F(SmtpServerTest, AuthIsNeitherOfferedNorTakenBeforeTls) {
  Serve(TlsOptions());
  SwaksRun run = Swaks(
      "--to FAX=8001@fax.test --auth PLAIN --auth-user alice "
      "--auth-password secret");
  EXPECT_EQ(run.exit_code, 28) << run.output;
  EXPECT_THAT(run.output, HasSubstr("250 STARTTLS"));
  EXPECT_THAT(run.output, Not(HasSubstr("AUTH PLAIN LOGIN")));
  EXPECT_TRUE(handler_.mails().empty());

  auto c = Greeted();
  c->Send("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n");  // alice/secret, in clear
  EXPECT_EQ(c->Reply(), "530 5.7.0 issue STARTTLS first\r\n");
}

TEST_F(SmtpServerTest, SwaksPipelinesAndEveryCommandIsAnsweredInOrder) {
  Serve();
  SwaksRun run = Swaks("--pipeline --to FAX=8001@fax.test,FAX=9002@fax.test,FAX=8003@fax.test");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("250-PIPELINING"));
  // swaks writes the batch, then shows the replies in order.
  const size_t sent = run.output.find("-> RCPT TO:<FAX=8003@fax.test>");
  const size_t sender = run.output.find("<-  250 2.1.0 sender ok");
  const size_t refused = run.output.find("<** 550 5.1.1 no such fax number 9002");
  ASSERT_NE(sent, std::string::npos) << run.output;
  EXPECT_LT(sent, sender) << run.output;
  EXPECT_LT(sender, refused) << run.output;
  auto mails = handler_.mails();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_THAT(Addresses(mails[0].envelope), ElementsAre("FAX=8001@fax.test", "FAX=8003@fax.test"));
}

TEST_F(SmtpServerTest, SwaksSendsAThreeMegabyteAttachmentIntact) {
  Serve();
  const auto file = RandomFile("scan.bin", 3 << 20);
  SwaksRun run = Swaks(fmt::format("--to FAX=8001@fax.test --attach @{}", file.string()));
  EXPECT_EQ(run.exit_code, 0) << run.output.substr(0, 2000);
  auto mails = handler_.mails();
  ASSERT_EQ(mails.size(), 1u);
  std::string body = mails[0].message;
  std::erase(body, '\r');
  std::erase(body, '\n');
  EXPECT_NE(body.find(Base64(ReadFile(file))), std::string::npos)
      << "the attachment did not arrive intact";
}

TEST_F(SmtpServerTest, SwaksMessageOverTheSizeLimitGets552) {
  SmtpServerOptions o = Options();
  o.max_message_bytes = 1 << 20;
  Serve(o);
  const auto file = RandomFile("big.bin", 2 << 20);
  SwaksRun run = Swaks(fmt::format("--to FAX=8001@fax.test --attach @{}", file.string()));
  EXPECT_EQ(run.exit_code, 26) << run.output.substr(0, 2000);  // swaks: mail not accepted
  EXPECT_THAT(run.output, HasSubstr("552 5.3.4 the message is larger than the 1048576 octets"));
  EXPECT_THAT(run.output, HasSubstr("250-SIZE 1048576"));
  EXPECT_TRUE(handler_.mails().empty());
}

// ---- Raw bytes ----

TEST_F(SmtpServerTest, EhloAdvertisesTheExtensions) {
  Serve(TlsOptions());
  RawClient c(port_);
  c.Reply();
  c.Send("ehlo client.test\r\n");
  EXPECT_EQ(c.Reply(),
            "250-faxgate.test greets client.test\r\n"
            "250-PIPELINING\r\n"
            "250-SIZE 26214400\r\n"
            "250-8BITMIME\r\n"
            "250-ENHANCEDSTATUSCODES\r\n"
            "250-DSN\r\n"
            "250-SMTPUTF8\r\n"
            "250 STARTTLS\r\n");
  c.Send("HELO client.test\r\nVRFY alice\r\nHELP\r\nNOOP\r\nRSET\r\nEXPN staff\r\nQUIT\r\n");
  EXPECT_EQ(c.UntilClosed(),
            "250 faxgate.test\r\n"
            "252 2.5.0 cannot verify addresses; send the mail and see\r\n"
            "214 2.0.0 this is faxgate: send mail to FAX=<number>@<this host>\r\n"
            "250 2.0.0 ok\r\n"
            "250 2.0.0 ok\r\n"
            "502 5.5.1 EXPN is not available\r\n"
            "221 2.0.0 faxgate.test closing\r\n");
  EXPECT_TRUE(c.closed());
}

TEST_F(SmtpServerTest, CommandsSentWithStartTlsAreNotRunInsideTls) {
  // The STARTTLS command injection: "NOOP" arrives with STARTTLS, in clear. Had the server kept
  // it, it would answer it inside TLS, as if the client had sent it there.
  Serve(TlsOptions());
  auto c = Greeted();
  c->Send("STARTTLS\r\nNOOP\r\n");
  EXPECT_EQ(c->Reply(), "220 2.0.0 ready to start TLS\r\n");
  ASSERT_TRUE(c->StartTls());
  c->Send("EHLO client.test\r\n");
  const std::string first = c->Reply();
  EXPECT_THAT(first, StartsWith("250-faxgate.test greets client.test"));
  EXPECT_THAT(first, Not(HasSubstr("STARTTLS")));  // not offered twice
  c->Send("STARTTLS\r\n");
  EXPECT_EQ(c->Reply(), "503 5.5.1 TLS is already active\r\n");
}

TEST_F(SmtpServerTest, StartTlsForgetsTheEarlierEhlo) {
  Serve(TlsOptions());
  auto c = Greeted();
  c->Send("STARTTLS\r\n");
  EXPECT_EQ(c->Reply(), "220 2.0.0 ready to start TLS\r\n");
  ASSERT_TRUE(c->StartTls());
  c->Send("MAIL FROM:<alice@example.com>\r\n");
  EXPECT_EQ(c->Reply(), "503 5.5.1 say EHLO first\r\n");
  c->Send("EHLO client.test\r\n");
  EXPECT_THAT(c->Reply(), HasSubstr("250 AUTH PLAIN LOGIN\r\n"));
}

TEST_F(SmtpServerTest, AuthPlainAndLoginStepByStepWhenAllowedWithoutTls) {
  SmtpServerOptions o = Options();
  o.auth_requires_tls = false;
  Serve(o);
  auto c = Greeted();
  c->Send("AUTH LOGIN\r\n");
  EXPECT_EQ(c->Reply(), "334 VXNlcm5hbWU6\r\n");
  c->Send("*\r\n");
  EXPECT_EQ(c->Reply(), "501 5.7.0 authentication cancelled\r\n");
  c->Send("AUTH LOGIN YWxpY2U=\r\n");  // alice
  EXPECT_EQ(c->Reply(), "334 UGFzc3dvcmQ6\r\n");
  c->Send("Z3Vlc3M=\r\n");  // guess
  EXPECT_EQ(c->Reply(), "535 5.7.8 authentication failed\r\n");
  c->Send("AUTH PLAIN\r\n");
  EXPECT_EQ(c->Reply(), "334 \r\n");
  c->Send("not base64!\r\n");
  EXPECT_EQ(c->Reply(), "501 5.5.2 cannot read the credentials\r\n");
  c->Send("AUTH CRAM-MD5\r\n");
  EXPECT_EQ(c->Reply(), "504 5.5.4 use AUTH PLAIN or AUTH LOGIN\r\n");
  c->Send("AUTH PLAIN\r\n");
  EXPECT_EQ(c->Reply(), "334 \r\n");
  c->Send("AGFsaWNlAHNlY3JldA==\r\n");
  EXPECT_EQ(c->Reply(), "235 2.7.0 authenticated\r\n");
  c->Send("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n");
  EXPECT_EQ(c->Reply(), "503 5.5.1 already authenticated\r\n");
  c->Send("MAIL FROM:<alice@example.com>\r\nRCPT TO:<FAX=8001@fax.test>\r\nDATA\r\n");
  c->Reply();
  c->Reply();
  c->Reply();
  c->Send("Subject: x\r\n\r\nhi\r\n.\r\n");
  EXPECT_THAT(c->Reply(), StartsWith("250 2.0.0"));
  auto mails = handler_.mails();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].peer.auth_user.value_or("nobody"), "alice");
  EXPECT_FALSE(mails[0].peer.tls);
}

TEST_F(SmtpServerTest, PipelinedBatchesAreAnsweredInOrder) {
  Serve();
  RawClient c(port_);
  c.Reply();
  c.Send(
      "EHLO client.test\r\nMAIL FROM:<alice@example.com> SIZE=30 RET=HDRS ENVID=job+2B7\r\n"
      "RCPT TO:<FAX=8001@fax.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;FAX=+2B8001@fax.test\r\n"
      "RCPT TO:<FAX=9001@fax.test>\r\nDATA\r\n");
  EXPECT_THAT(c.Reply(), StartsWith("250-faxgate.test"));
  EXPECT_EQ(c.Reply(), "250 2.1.0 sender ok\r\n");
  EXPECT_EQ(c.Reply(), "250 2.1.5 fax number ok\r\n");
  EXPECT_EQ(c.Reply(), "550 5.1.1 no such fax number 9001\r\n");
  EXPECT_THAT(c.Reply(), StartsWith("354 "));
  c.Send("Subject: one\r\n\r\nfirst\r\n.\r\nRSET\r\nNOOP\r\nQUIT\r\n");
  EXPECT_EQ(c.UntilClosed(),
            "250 2.0.0 queued as fax job 1\r\n"
            "250 2.0.0 ok\r\n"
            "250 2.0.0 ok\r\n"
            "221 2.0.0 faxgate.test closing\r\n");
  auto mails = handler_.mails();
  ASSERT_EQ(mails.size(), 1u);
  const SmtpEnvelope& e = mails[0].envelope;
  EXPECT_EQ(e.declared_size, 30);
  EXPECT_EQ(e.ret, "HDRS");
  EXPECT_EQ(e.envid, "job+7");
  ASSERT_EQ(e.recipients.size(), 1u);
  EXPECT_EQ(e.recipients[0].notify, "SUCCESS,FAILURE");
  EXPECT_EQ(e.recipients[0].orcpt, "rfc822;FAX=+8001@fax.test");
  EXPECT_EQ(mails[0].message, "Subject: one\r\n\r\nfirst\r\n");
}

TEST_F(SmtpServerTest, DotStuffingIsUndone) {
  Serve();
  auto c = InData();
  c->Send("Subject: dots\r\n\r\n..x\r\n.\r\n...\r\n. not the end\r\n..\r\n.\r\n");
  EXPECT_THAT(c->Reply(), StartsWith("250 2.0.0"));
  auto mails = handler_.mails();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].message, "Subject: dots\r\n\r\n.x\r\n");
  // The second "." ended the first message: what followed were commands.
  EXPECT_EQ(c->Reply(), "500 5.5.2 that is not an SMTP command\r\n");  // "..."
}

TEST_F(SmtpServerTest, DotStuffedLinesAndTheEndArriveInPieces) {
  Serve();
  auto c = InData();
  for (std::string_view piece : {"Subject: pieces\r\n\r\n.", ".x\r", "\n", ".", "\r", "\n"}) {
    c->Send(piece);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // separate packets
  }
  EXPECT_THAT(c->Reply(), StartsWith("250 2.0.0"));
  auto mails = handler_.mails();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].message, "Subject: pieces\r\n\r\n.x\r\n");
}

TEST_F(SmtpServerTest, BareLineFeedsAreTakenAsLineEnds) {
  Serve();
  RawClient c(port_);
  c.Reply();
  c.Send("EHLO client.test\nMAIL FROM:<alice@example.com>\nRCPT TO:<FAX=8001@fax.test>\nDATA\n");
  EXPECT_THAT(c.Reply(), StartsWith("250-"));
  EXPECT_THAT(c.Reply(), StartsWith("250 2.1.0"));
  EXPECT_THAT(c.Reply(), StartsWith("250 2.1.5"));
  EXPECT_THAT(c.Reply(), StartsWith("354 "));
  c.Send("Subject: lf\n\nline one\n..two\n.\n");
  EXPECT_THAT(c.Reply(), StartsWith("250 2.0.0"));
  auto mails = handler_.mails();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].message, "Subject: lf\r\n\r\nline one\r\n.two\r\n");
}

TEST_F(SmtpServerTest, LongTextLinesAreTakenWhole) {
  // RFC 5321 says 1000 octets; real clients send more, and the size limit bounds it anyway.
  Serve();
  auto c = InData();
  const std::string line(200000, 'y');
  c->Send("Subject: long\r\n\r\n" + line + "\r\n.\r\n");
  EXPECT_THAT(c->Reply(), StartsWith("250 2.0.0"));
  auto mails = handler_.mails();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].message, "Subject: long\r\n\r\n" + line + "\r\n");
}

TEST_F(SmtpServerTest, ATooLongCommandLineGets500AndTheSessionGoesOn) {
  Serve();
  auto c = Greeted();
  c->Send("NOOP " + std::string(600, 'x') + "\r\n");
  EXPECT_EQ(c->Reply(), "500 5.5.6 command line too long\r\n");
  c->Send("HELO " + std::string(30000, 'h'));  // no line end yet: dropped as it comes
  c->Send(std::string(30000, 'h') + "\r\nNOOP\r\n");
  EXPECT_EQ(c->Reply(), "500 5.5.6 command line too long\r\n");
  EXPECT_EQ(c->Reply(), "250 2.0.0 ok\r\n");
}

TEST_F(SmtpServerTest, CommandsOutOfSequenceGet503) {
  Serve();
  RawClient c(port_);
  c.Reply();
  c.Send("MAIL FROM:<alice@example.com>\r\n");
  EXPECT_EQ(c.Reply(), "503 5.5.1 say EHLO first\r\n");
  c.Send("EHLO client.test\r\n");
  c.Reply();
  c.Send("DATA\r\n");
  EXPECT_EQ(c.Reply(), "503 5.5.1 say MAIL FROM first\r\n");
  c.Send("RCPT TO:<FAX=8001@fax.test>\r\n");
  EXPECT_EQ(c.Reply(), "503 5.5.1 say MAIL FROM first\r\n");
  c.Send("MAIL FROM:<alice@example.com>\r\nDATA\r\n");
  EXPECT_EQ(c.Reply(), "250 2.1.0 sender ok\r\n");
  EXPECT_EQ(c.Reply(), "503 5.5.1 say RCPT TO first\r\n");
  c.Send("MAIL FROM:<bob@example.com>\r\n");
  EXPECT_EQ(c.Reply(), "503 5.5.1 a mail is already under way; RSET first\r\n");
  c.Send("RCPT TO:<FAX=9001@fax.test>\r\nDATA\r\n");
  EXPECT_EQ(c.Reply(), "550 5.1.1 no such fax number 9001\r\n");
  EXPECT_EQ(c.Reply(), "554 5.5.1 no valid recipients\r\n");
  c.Send("MAIL FROM:<a@b.c> SIZE=999999999999\r\n");
  EXPECT_EQ(c.Reply(), "503 5.5.1 a mail is already under way; RSET first\r\n");
  c.Send("RSET\r\nMAIL FROM:<a@b.c> SIZE=999999999999\r\n");
  EXPECT_EQ(c.Reply(), "250 2.0.0 ok\r\n");
  EXPECT_EQ(c.Reply(),
            "552 5.3.4 the message is larger than the 26214400 octets this server takes\r\n");
  c.Send("RCPT TO:<FAX=8001@fax.test> FOO=1\r\n");
  EXPECT_EQ(c.Reply(), "555 5.5.4 RCPT FOO is not supported here\r\n");
  c.Send("MAIL FROM:<jörg@example.com>\r\n");
  EXPECT_EQ(c.Reply(), "553 5.6.7 a non-ASCII address needs MAIL FROM:<...> SMTPUTF8\r\n");
  c.Send("MAIL FROM:<jörg@example.com> SMTPUTF8\r\n");
  EXPECT_EQ(c.Reply(), "250 2.1.0 sender ok\r\n");
}

TEST_F(SmtpServerTest, ARefusedSenderIsToldOnceNotDisconnected) {
  // A pipelining client sends its RCPTs and DATA before it sees the 550 to MAIL. Their 503s are
  // not its errors: counting them would end the session with 421, which means "try again".
  Serve();
  auto c = Greeted();
  std::string batch = "MAIL FROM:<spammer@example.com>\r\n";
  for (int i = 0; i < 15; ++i) batch += fmt::format("RCPT TO:<FAX={}@fax.test>\r\n", 8000 + i);
  c->Send(batch + "DATA\r\nNOOP\r\n");
  EXPECT_EQ(c->Reply(), "550 5.7.1 not allowed to send faxes\r\n");
  for (int i = 0; i < 16; ++i) EXPECT_EQ(c->Reply(), "503 5.5.1 say MAIL FROM first\r\n");
  EXPECT_EQ(c->Reply(), "250 2.0.0 ok\r\n");
}

TEST_F(SmtpServerTest, RecipientsBeyondTheLimitGet452) {
  SmtpServerOptions o = Options();
  o.max_recipients = 2;
  Serve(o);
  auto c = Greeted();
  c->Send(
      "MAIL FROM:<a@b.c>\r\nRCPT TO:<FAX=1@fax.test>\r\nRCPT TO:<FAX=9@fax.test>\r\n"
      "RCPT TO:<FAX=2@fax.test>\r\nRCPT TO:<FAX=3@fax.test>\r\n");
  c->Reply();
  EXPECT_THAT(c->Reply(), StartsWith("250 2.1.5"));
  EXPECT_THAT(c->Reply(), StartsWith("550 5.1.1"));  // refused ones do not count
  EXPECT_THAT(c->Reply(), StartsWith("250 2.1.5"));
  EXPECT_EQ(c->Reply(), "452 4.5.3 too many recipients; send the others in another mail\r\n");
}

TEST_F(SmtpServerTest, GarbageGetsErrorsAndThenTheSessionEndsWith421) {
  Serve();
  RawClient c(port_);
  c.Reply();
  std::string garbage;
  for (int i = 0; i < 15; ++i)
    garbage += std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03", 10) + "\r\n";
  c.Send(garbage);
  const std::string all = c.UntilClosed();
  EXPECT_TRUE(c.closed());
  size_t errors = 0;
  for (size_t at = 0; (at = all.find("500 5.5.2", at)) != std::string::npos; ++at) ++errors;
  EXPECT_EQ(errors, 10u);
  EXPECT_EQ(all.substr(all.size() - 36), "421 4.7.0 too many errors; closing\r\n");
}

TEST_F(SmtpServerTest, AnIdleClientIsToldAndDisconnected) {
  SmtpServerOptions o = Options();
  o.timeout = std::chrono::seconds(1);
  Serve(o);
  auto c = Greeted();
  EXPECT_EQ(c->UntilClosed(), "421 4.4.2 faxgate.test timeout; closing\r\n");
  EXPECT_TRUE(c->closed());
  EXPECT_EQ(OnIo([this] { return server_->active_sessions(); }), 0u);
}

TEST_F(SmtpServerTest, TheFinal250WaitsUntilTheHandlerHasCommitted) {
  handler_.commit = FakeOffRamp::Commit::kLater;
  Serve();
  auto c = InData();
  c->Send("Subject: slow\r\n\r\nbody\r\n.\r\n");
  EXPECT_EQ(c->Reply(), "250 2.0.0 queued as fax job 1\r\n");
  EXPECT_TRUE(handler_.committed()) << "250 came before the handler's done()";
}

TEST_F(SmtpServerTest, OtherClientsAreServedWhileOneWaitsForTheHandler) {
  handler_.commit = FakeOffRamp::Commit::kHeldByTest;
  Serve();
  auto waiting = InData();
  waiting->Send("Subject: first\r\n\r\nheld\r\n.\r\nNOOP\r\n");
  ASSERT_TRUE(handler_.WaitUntilHolding());

  auto other = InData();
  other->Send("Subject: second\r\n\r\nquick\r\n.\r\n");
  EXPECT_EQ(other->Reply(), "250 2.0.0 queued as fax job 2\r\n");

  handler_.Release();
  EXPECT_EQ(waiting->Reply(), "250 2.0.0 queued as fax job 1\r\n");
  EXPECT_EQ(waiting->Reply(), "250 2.0.0 ok\r\n");  // the NOOP pipelined behind the message
}

TEST_F(SmtpServerTest, StopClosesTheListenerAndEverySession) {
  handler_.commit = FakeOffRamp::Commit::kHeldByTest;
  Serve();
  auto idle = Greeted();
  auto waiting = InData();
  waiting->Send("Subject: held\r\n\r\nx\r\n.\r\n");
  ASSERT_TRUE(handler_.WaitUntilHolding());
  EXPECT_EQ(OnIo([this] { return server_->active_sessions(); }), 2u);

  OnIo([this] { server_->Stop(); });
  EXPECT_EQ(OnIo([this] { return server_->active_sessions(); }), 0u);
  idle->UntilClosed();
  EXPECT_TRUE(idle->closed());
  EXPECT_EQ(waiting->UntilClosed(), "");  // no 250: the sender will retry
  EXPECT_TRUE(waiting->closed());
  EXPECT_FALSE(RawClient(port_).connected());
  handler_.Release();  // a late done() is ignored
  EXPECT_EQ(OnIo([this] { return server_->active_sessions(); }), 0u);
}

TEST_F(SmtpServerTest, ConnectionsBeyondTheLimitGet421) {
  SmtpServerOptions o = Options();
  o.max_connections = 2;
  Serve(o);
  auto first = Greeted();
  auto second = Greeted();
  RawClient third(port_);
  EXPECT_EQ(third.UntilClosed(), "421 4.3.2 too many connections; try again later\r\n");
  first->Send("QUIT\r\n");
  first->UntilClosed();
  auto fourth = Greeted();  // a place is free again
  fourth->Send("NOOP\r\n");
  EXPECT_EQ(fourth->Reply(), "250 2.0.0 ok\r\n");
}

TEST_F(SmtpServerTest, ListenRefusesWhatIsNotAnAddressOrIsTaken) {
  Serve();
  SmtpServer other(io_, handler_, Options());
  auto bad = other.Listen("mail.example.com", 25);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "SMTP listener: 'mail.example.com' is not an IP address");
  auto taken = other.Listen("127.0.0.1", port_);
  ASSERT_FALSE(taken.ok());
  EXPECT_THAT(taken.error().message,
              HasSubstr(fmt::format("cannot listen for SMTP on 127.0.0.1:{}", port_)));
}

}  // namespace
}  // namespace faxgate::mail
