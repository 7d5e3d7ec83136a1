// ImapIdleWatcher against Dovecot: IDLE over STARTTLS, a mail delivered through Postfix wakes
// the watcher; and what the operator reads when it cannot watch (wrong password, server down,
// a server without IDLE).
#include "mail/imap_idle.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/base_sink.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include "base/log.h"
#include "mail/mailbox_test_support.h"

namespace faxgate::mail {
namespace {

using ::testing::HasSubstr;
using testing::MailEnv;
using testing::TestMessage;

// Generous: these wait for things that take well under a second, on a loaded machine.
constexpr auto kDeadline = std::chrono::seconds(60);

// What the watcher told its owner.
class Recorder {
 public:
  void OnNewMail() {
    std::lock_guard lock(mutex_);
    ++new_mail_;
    changed_.notify_all();
  }
  void OnError(const std::string& text) {
    std::lock_guard lock(mutex_);
    errors_.push_back(text);
    changed_.notify_all();
  }
  bool WaitNewMail(int count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kDeadline, [&] { return new_mail_ >= count; });
  }
  bool WaitError() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kDeadline, [&] { return !errors_.empty(); });
  }
  int new_mail() {
    std::lock_guard lock(mutex_);
    return new_mail_;
  }
  std::vector<std::string> errors() {
    std::lock_guard lock(mutex_);
    return errors_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int new_mail_ = 0;
  std::vector<std::string> errors_;
};

// Counts the "mail" log lines that contain a text: how the tests see that the watcher idles.
class LineCounter : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit LineCounter(std::string text) : text_(std::move(text)) {}
  bool WaitCount(int count) {
    std::unique_lock lock(count_mutex_);
    return changed_.wait_for(lock, kDeadline, [&] { return count_ >= count; });
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (std::string_view(msg.payload.data(), msg.payload.size()).find(text_) == std::string::npos)
      return;
    std::lock_guard lock(count_mutex_);
    ++count_;
    changed_.notify_all();
  }
  void flush_() override {}

 private:
  std::string text_;
  std::mutex count_mutex_;
  std::condition_variable changed_;
  int count_ = 0;
};

// A watcher on its own io_context thread, as on faxgate's control thread.
class WatcherRig {
 public:
  explicit WatcherRig(MailboxServer server)
      : watcher_(
            io_, std::move(server), [this] { recorder.OnNewMail(); },
            [this](const std::string& e) { recorder.OnError(e); }) {}
  ~WatcherRig() {
    Stop();
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

  void Start(std::chrono::seconds reidle = std::chrono::seconds(0)) {
    if (reidle.count() > 0) watcher_.set_reidle_interval(reidle);
    thread_ = std::thread([this] { io_.run(); });
    OnIo([this] { watcher_.Start(); });
  }
  // Stop() on the io thread; false if it did not return within the deadline.
  bool Stop() {
    if (!thread_.joinable() || stopped_) return true;
    stopped_ = true;
    return OnIo([this] { watcher_.Stop(); });
  }

  Recorder recorder;

 private:
  bool OnIo(std::function<void()> f) {
    auto done = std::make_shared<std::promise<void>>();
    auto future = done->get_future();
    boost::asio::post(io_, [f, done] {
      f();
      done->set_value();
    });
    return future.wait_for(kDeadline) == std::future_status::ready;
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  ImapIdleWatcher watcher_;
  std::thread thread_;
  bool stopped_ = false;
};

class ImapIdleTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!MailEnv::Installed()) return;
    env_ = std::make_unique<MailEnv>("imap-idle");
    status_ = env_->Start();
  }
  static void TearDownTestSuite() { env_.reset(); }

  void SetUp() override {
    if (!MailEnv::Installed()) GTEST_SKIP() << "dovecot/postfix are not installed";
    ASSERT_TRUE(env_ && status_.ok()) << status_.error().message;
    env_->Empty("fax");
    auto logger = log::Get("mail");
    saved_level_ = logger->level();
    logger->sinks().push_back(idling_);
    logger->set_level(spdlog::level::debug);
  }
  void TearDown() override {
    auto logger = log::Get("mail");
    auto& sinks = logger->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), idling_), sinks.end());
    logger->set_level(saved_level_);
  }

  void Deliver(const std::string& subject) {
    Status s = env_->Deliver("fax", TestMessage(subject, "a fax to send\r\n"));
    ASSERT_TRUE(s.ok()) << s.error().message;
  }

  // Lines the watcher logs each time it has (re-)entered IDLE.
  std::shared_ptr<LineCounter> idling_ = std::make_shared<LineCounter>("idling in INBOX");
  spdlog::level::level_enum saved_level_ = spdlog::level::info;
  static std::unique_ptr<MailEnv> env_;
  static Status status_;
};
std::unique_ptr<MailEnv> ImapIdleTest::env_;
Status ImapIdleTest::status_;

TEST_F(ImapIdleTest, MailArrivingWhileIdlingWakesTheWatcher) {
  WatcherRig rig(env_->Server("imap", "fax"));
  rig.Start();
  ASSERT_TRUE(idling_->WaitCount(1))
      << "never idled; errors: " << ::testing::PrintToString(rig.recorder.errors());
  EXPECT_EQ(rig.recorder.new_mail(), 0) << "an empty folder is no news";
  Deliver("while idling");
  EXPECT_TRUE(rig.recorder.WaitNewMail(1));
  Deliver("another one");
  EXPECT_TRUE(rig.recorder.WaitNewMail(2));
  EXPECT_TRUE(rig.Stop()) << "Stop() did not return";
  EXPECT_THAT(rig.recorder.errors(), ::testing::IsEmpty());
}

TEST_F(ImapIdleTest, MailAlreadyThereIsReportedRightAfterSelect) {
  Deliver("before the watcher");
  WatcherRig rig(env_->Server("imap", "fax"));
  rig.Start();
  EXPECT_TRUE(rig.recorder.WaitNewMail(1));
  EXPECT_THAT(rig.recorder.errors(), ::testing::IsEmpty());
}

TEST_F(ImapIdleTest, ReissuedIdleStillGetsNotified) {
  WatcherRig rig(env_->Server("imap", "fax"));
  rig.Start(std::chrono::seconds(1));
  ASSERT_TRUE(idling_->WaitCount(3))
      << "IDLE was not re-issued; errors: " << ::testing::PrintToString(rig.recorder.errors());
  Deliver("after re-IDLE");
  EXPECT_TRUE(rig.recorder.WaitNewMail(1));
  EXPECT_THAT(rig.recorder.errors(), ::testing::IsEmpty());
}

TEST_F(ImapIdleTest, WrongPasswordIsReported) {
  MailboxServer server = env_->Server("imap", "fax");
  server.password = "wrong";
  WatcherRig rig(server);
  rig.Start();
  ASSERT_TRUE(rig.recorder.WaitError());
  EXPECT_THAT(rig.recorder.errors()[0],
              HasSubstr(fmt::format("imap://127.0.0.1:{}: login refused for fax@fax.test",
                                    env_->imap_port())));
}

// ---------------------------------------------------------------------------------------------
// Without Dovecot

// A listening socket on a free loopback port.
struct Listener {
  Listener() {
    fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(fd, 4);
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~Listener() { Close(); }
  void Close() {
    if (fd >= 0) close(fd);
    fd = -1;
  }
  int fd = -1;
  uint16_t port = 0;
};

MailboxServer Local(uint16_t port) {
  MailboxServer s;
  s.host = "127.0.0.1";
  s.port = port;
  s.tls = "none";
  s.user = "fax@fax.test";
  s.password = "faxpass";
  s.timeout = std::chrono::seconds(20);
  return s;
}

TEST(ImapIdleUnreachableTest, ServerDownIsReportedWithItsName) {
  Listener listener;
  const uint16_t port = listener.port;
  listener.Close();
  WatcherRig rig(Local(port));
  rig.Start();
  ASSERT_TRUE(rig.recorder.WaitError());
  EXPECT_THAT(
      rig.recorder.errors()[0],
      HasSubstr(fmt::format("imap://127.0.0.1:{}: cannot connect: Connection refused", port)));
  EXPECT_TRUE(rig.Stop());
}

// An IMAP server of a few lines that knows no IDLE: greeting, CAPABILITY, LOGIN, then BAD.
void ServeWithoutIdle(int listen_fd, std::promise<std::string> transcript) {
  std::string seen;
  pollfd p{listen_fd, POLLIN, 0};
  if (poll(&p, 1, 60000) != 1) return transcript.set_value("no connection");
  const int fd = accept(listen_fd, nullptr, nullptr);
  auto send = [fd](const std::string& s) { (void)!write(fd, s.data(), s.size()); };
  send("* OK fake IMAP ready\r\n");
  std::string buffer;
  char chunk[1024];
  while (true) {
    const ssize_t n = read(fd, chunk, sizeof chunk);
    if (n <= 0) break;
    buffer.append(chunk, static_cast<size_t>(n));
    size_t end;
    while ((end = buffer.find("\r\n")) != std::string::npos) {
      const std::string line = buffer.substr(0, end);
      buffer.erase(0, end + 2);
      seen += line + "\n";
      const std::string tag = line.substr(0, line.find(' '));
      if (line.find("CAPABILITY") != std::string::npos) {
        send("* CAPABILITY IMAP4rev1 LITERAL+\r\n" + tag + " OK done\r\n");
      } else if (line.find("LOGIN") != std::string::npos) {
        send(tag + " OK logged in\r\n");
      } else {
        send(tag + " BAD unknown command\r\n");
      }
    }
  }
  close(fd);
  transcript.set_value(seen);
}

TEST(ImapIdleFakeServerTest, ServerWithoutIdleIsReportedAndLeftToPolling) {
  Listener listener;
  std::promise<std::string> transcript;
  auto seen = transcript.get_future();
  std::thread server(ServeWithoutIdle, listener.fd, std::move(transcript));
  {
    WatcherRig rig(Local(listener.port));
    rig.Start();
    ASSERT_TRUE(rig.recorder.WaitError());
    EXPECT_EQ(rig.recorder.errors()[0],
              fmt::format("imap://127.0.0.1:{}: the server does not support IDLE", listener.port));
    // The watcher gives up the connection by itself: the server sees it close.
    ASSERT_EQ(seen.wait_for(kDeadline), std::future_status::ready);
    EXPECT_EQ(rig.recorder.new_mail(), 0);
  }
  server.join();
  const std::string commands = seen.get();
  EXPECT_THAT(commands, HasSubstr("LOGIN \"fax@fax.test\" \"faxpass\""));
  EXPECT_THAT(commands, ::testing::Not(HasSubstr("IDLE")));
}

}  // namespace
}  // namespace faxgate::mail
