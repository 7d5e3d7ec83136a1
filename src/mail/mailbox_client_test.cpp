// MailboxClient against real servers: mail goes in through Postfix, Dovecot stores it, and the
// client reads it back over IMAP and POP3 with STARTTLS, as the shared-mailbox poller does.
#include "mail/mailbox_client.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mail/mailbox_test_support.h"

namespace faxgate::mail {
namespace {

using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using testing::MailEnv;
using ::testing::Not;
using ::testing::SizeIs;
using testing::TestMessage;

// A body with what trips naive readers: a dot line (SMTP and POP3 escape it), trailing space.
const std::string kBody =
    "Please fax this.\r\n.\r\n..two dots\r\nline with trailing space \r\n\r\nend\r\n";

// The environment, started once per suite; a test whose suite cannot run is skipped or fails
// with the reason.
class MailServerSuite : public ::testing::Test {
 protected:
  static void StartEnv(std::unique_ptr<MailEnv>* env, Status* status, const std::string& name) {
    if (!MailEnv::Installed()) return;
    *env = std::make_unique<MailEnv>(name);
    *status = (*env)->Start();
  }
  static void RequireEnv(const std::unique_ptr<MailEnv>& env, const Status& status) {
    if (!MailEnv::Installed()) GTEST_SKIP() << "dovecot/postfix are not installed";
    ASSERT_TRUE(env && status.ok()) << status.error().message;
  }
};

// ---------------------------------------------------------------------------------------------
// IMAP

class MailboxImapTest : public MailServerSuite {
 protected:
  static void SetUpTestSuite() { StartEnv(&env_, &status_, "mailbox-imap"); }
  static void TearDownTestSuite() { env_.reset(); }
  void SetUp() override {
    RequireEnv(env_, status_);
    if (IsSkipped() || HasFatalFailure()) return;
    env_->Empty("fax");
  }

  MailboxServer Server() const { return env_->Server("imap", "fax"); }
  void Deliver(const std::string& message) {
    Status s = env_->Deliver("fax", message);
    ASSERT_TRUE(s.ok()) << s.error().message;
  }
  std::string Flags(const std::string& uid) {
    auto r = env_->ImapCommand("fax", "UID FETCH " + uid + " (FLAGS)");
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : "";
  }

  static std::unique_ptr<MailEnv> env_;
  static Status status_;
};
std::unique_ptr<MailEnv> MailboxImapTest::env_;
Status MailboxImapTest::status_;

TEST_F(MailboxImapTest, ListAndFetchGiveTheDeliveredMessageByteForByte) {
  const std::string message = TestMessage("byte for byte", kBody);
  Deliver(message);
  MailboxClient client(Server());
  auto list = client.List();
  ASSERT_TRUE(list.ok()) << list.error().message;
  ASSERT_THAT(*list, SizeIs(1));
  auto fetched = client.Fetch((*list)[0].uid);
  ASSERT_TRUE(fetched.ok()) << fetched.error().message;
  // Postfix and Dovecot put their trace headers on top; the rest is what was sent.
  EXPECT_THAT(*fetched, EndsWith(message));
  EXPECT_THAT(env_->Stored("fax"), ElementsAre(*fetched));
  EXPECT_EQ((*list)[0].size, static_cast<int64_t>(fetched->size()));
}

TEST_F(MailboxImapTest, FetchLeavesTheMessageUnseen) {
  Deliver(TestMessage("peek", kBody));
  MailboxClient client(Server());
  auto list = client.List();
  ASSERT_TRUE(list.ok() && list->size() == 1);
  const std::string uid = (*list)[0].uid;
  ASSERT_TRUE(client.Fetch(uid).ok());
  EXPECT_THAT(Flags(uid), Not(HasSubstr("\\Seen")));
  // The probe does see \Seen when a fetch sets it.
  ASSERT_TRUE(env_->ImapCommand("fax", "UID FETCH " + uid + " (BODY[])").ok());
  EXPECT_THAT(Flags(uid), HasSubstr("\\Seen"));
}

TEST_F(MailboxImapTest, MessageFullOfLinesLikeImapAnswersIsFetchedWhole) {
  // libcurl reads a custom command's answer as lines and ends it at a line that starts with
  // its tag ("A005 OK"): a message can hold every tag libcurl may use.
  std::string body;
  for (char letter = 'A'; letter <= 'Z'; ++letter) {
    for (int n = 0; n < 256; ++n) body += fmt::format("{}{:03} OK FETCH completed\r\n", letter, n);
  }
  body += "* 1 FETCH (UID 99 BODY[] {3}\r\n)\r\n";
  const std::string message = TestMessage("looks like IMAP", body);
  Deliver(message);
  MailboxClient client(Server());
  auto list = client.List();
  ASSERT_TRUE(list.ok() && list->size() == 1);
  const std::string uid = (*list)[0].uid;
  auto fetched = client.Fetch(uid);
  ASSERT_TRUE(fetched.ok()) << fetched.error().message;
  EXPECT_THAT(*fetched, EndsWith(message));
  EXPECT_THAT(Flags(uid), Not(HasSubstr("\\Seen")));
  // The client goes on working after it.
  auto again = client.List();
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_THAT(*again, SizeIs(1));
}

TEST_F(MailboxImapTest, DeleteRemovesThatMessageOnly) {
  Deliver(TestMessage("first", kBody));
  Deliver(TestMessage("second", kBody));
  MailboxClient client(Server());
  auto list = client.List();
  ASSERT_TRUE(list.ok() && list->size() == 2);
  const std::string first = (*list)[0].uid, second = (*list)[1].uid;
  Status deleted = client.Delete(first);
  ASSERT_TRUE(deleted.ok()) << deleted.error().message;

  auto after = client.List();
  ASSERT_TRUE(after.ok());
  ASSERT_THAT(*after, SizeIs(1));
  EXPECT_EQ((*after)[0].uid, second);
  auto gone = client.Fetch(first);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(client.Delete(first).error().code, ErrorCode::kNotFound);

  MailboxClient fresh(Server());
  auto seen_by_fresh = fresh.List();
  ASSERT_TRUE(seen_by_fresh.ok());
  ASSERT_THAT(*seen_by_fresh, SizeIs(1));
  EXPECT_EQ((*seen_by_fresh)[0].uid, second);
  auto stored = env_->Stored("fax");
  ASSERT_THAT(stored, SizeIs(1));
  EXPECT_THAT(stored[0], HasSubstr("Subject: second"));
}

TEST_F(MailboxImapTest, UidValidityStaysTheSameAcrossSessions) {
  MailboxClient client(Server());
  auto first = client.UidValidity();
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_NE(*first, 0u);
  Deliver(TestMessage("validity", kBody));
  auto list = client.List();
  ASSERT_TRUE(list.ok() && list->size() == 1);
  ASSERT_TRUE(client.Delete((*list)[0].uid).ok());
  MailboxClient later(Server());
  auto second = later.UidValidity();
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(*second, *first);
}

TEST_F(MailboxImapTest, WrongPasswordIsALoginRefusalNamingServerAndUser) {
  MailboxServer server = Server();
  server.password = "wrong";
  MailboxClient client(server);
  auto list = client.List();
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.error().code, ErrorCode::kUnauthenticated);
  EXPECT_THAT(list.error().message,
              HasSubstr(fmt::format("imap://127.0.0.1:{}: login refused for fax@fax.test",
                                    env_->imap_port())));
}

TEST_F(MailboxImapTest, UnknownFolderIsNamed) {
  MailboxServer server = Server();
  server.folder = "Faxes";
  MailboxClient client(server);
  auto list = client.List();
  ASSERT_FALSE(list.ok());
  EXPECT_THAT(list.error().message, HasSubstr("cannot open the folder Faxes"));
}

TEST_F(MailboxImapTest, CertificateIsCheckedWhenAsked) {
  MailboxServer server = Server();
  server.verify_certificate = true;
  server.ca_file = (env_->root() / "cert.pem").string();  // issued to mail.fax.test, not 127.0.0.1
  MailboxClient client(server);
  auto list = client.List();
  ASSERT_FALSE(list.ok());
  EXPECT_THAT(list.error().message, HasSubstr("TLS failed"));
}

// ---------------------------------------------------------------------------------------------
// POP3

class MailboxPop3Test : public MailServerSuite {
 protected:
  static void SetUpTestSuite() { StartEnv(&env_, &status_, "mailbox-pop3"); }
  static void TearDownTestSuite() { env_.reset(); }
  void SetUp() override {
    RequireEnv(env_, status_);
    if (IsSkipped() || HasFatalFailure()) return;
    env_->Empty("demo");
  }
  MailboxServer Server() const { return env_->Server("pop3", "demo"); }
  void Deliver(const std::string& message) {
    Status s = env_->Deliver("demo", message);
    ASSERT_TRUE(s.ok()) << s.error().message;
  }

  static std::unique_ptr<MailEnv> env_;
  static Status status_;
};
std::unique_ptr<MailEnv> MailboxPop3Test::env_;
Status MailboxPop3Test::status_;

TEST_F(MailboxPop3Test, ListFetchAndDeleteOverStls) {
  const std::string first = TestMessage("pop first", kBody);
  const std::string second = TestMessage("pop second", kBody);
  Deliver(first);
  Deliver(second);
  MailboxClient client(Server());
  auto list = client.List();
  ASSERT_TRUE(list.ok()) << list.error().message;
  ASSERT_THAT(*list, SizeIs(2));
  EXPECT_NE((*list)[0].uid, (*list)[1].uid);

  auto one = client.Fetch((*list)[0].uid);
  ASSERT_TRUE(one.ok()) << one.error().message;
  EXPECT_THAT(*one, EndsWith(first));
  EXPECT_EQ((*list)[0].size, static_cast<int64_t>(one->size()));
  auto two = client.Fetch((*list)[1].uid);
  ASSERT_TRUE(two.ok()) << two.error().message;
  EXPECT_THAT(*two, EndsWith(second));

  Status deleted = client.Delete((*list)[0].uid);
  ASSERT_TRUE(deleted.ok()) << deleted.error().message;
  // Committed: a new session no longer has it, and the mailbox on disk holds only the other.
  MailboxClient fresh(Server());
  auto after = fresh.List();
  ASSERT_TRUE(after.ok()) << after.error().message;
  ASSERT_THAT(*after, SizeIs(1));
  EXPECT_EQ((*after)[0].uid, (*list)[1].uid);
  EXPECT_THAT(env_->Stored("demo"), ElementsAre(HasSubstr("Subject: pop second")));
  // The first client goes on in a new session and still finds the other message.
  auto again = client.Fetch((*list)[1].uid);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(*again, *two);
  auto missing = client.Fetch((*list)[0].uid);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(MailboxPop3Test, DeletingEveryMessageOneByOneEmptiesTheMailbox) {
  for (int i = 0; i < 3; ++i) Deliver(TestMessage(fmt::format("batch {}", i), kBody));
  MailboxClient client(Server());
  auto list = client.List();
  ASSERT_TRUE(list.ok() && list->size() == 3);
  for (const MailboxEntry& e : *list) {
    ASSERT_TRUE(client.Fetch(e.uid).ok());
    Status s = client.Delete(e.uid);
    ASSERT_TRUE(s.ok()) << s.error().message;
  }
  EXPECT_THAT(env_->Stored("demo"), SizeIs(0));
  auto empty = MailboxClient(Server()).List();
  ASSERT_TRUE(empty.ok());
  EXPECT_THAT(*empty, SizeIs(0));
}

TEST_F(MailboxPop3Test, WrongPasswordIsALoginRefusalNamingServerAndUser) {
  MailboxServer server = Server();
  server.password = "wrong";
  auto list = MailboxClient(server).List();
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.error().code, ErrorCode::kUnauthenticated);
  EXPECT_THAT(list.error().message,
              HasSubstr(fmt::format("pop3://127.0.0.1:{}: login refused for demo@fax.test",
                                    env_->pop3_port())));
}

TEST_F(MailboxPop3Test, UidValidityIsZero) {
  auto v = MailboxClient(Server()).UidValidity();
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 0u);
}

// ---------------------------------------------------------------------------------------------
// Without servers

// A port on which nothing listens: bound once by us, then released.
uint16_t ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

MailboxServer Unreachable(const std::string& protocol) {
  MailboxServer s;
  s.protocol = protocol;
  s.host = "127.0.0.1";
  s.port = ClosedPort();
  s.user = "fax@fax.test";
  s.password = "faxpass";
  return s;
}

TEST(MailboxUnreachableTest, ServerDownIsNamed) {
  for (const char* protocol : {"imap", "pop3"}) {
    MailboxServer server = Unreachable(protocol);
    auto list = MailboxClient(server).List();
    ASSERT_FALSE(list.ok());
    EXPECT_EQ(list.error().code, ErrorCode::kUnavailable);
    EXPECT_THAT(list.error().message,
                HasSubstr(fmt::format("{}://127.0.0.1:{}: cannot connect: Connection refused",
                                      protocol, server.port)));
  }
}

TEST(MailboxConfigTest, BadSettingsAreRefusedBeforeConnecting) {
  MailboxServer server = Unreachable("smtp");
  auto list = MailboxClient(server).List();
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(list.error().message, HasSubstr("\"smtp\" is neither imap nor pop3"));

  server = Unreachable("imap");
  server.password = "pass\r\nA1 LOGOUT";
  EXPECT_EQ(MailboxClient(server).List().error().code, ErrorCode::kInvalidArgument);
  server = Unreachable("pop3");
  server.host = "mail.example.com/evil";
  EXPECT_EQ(MailboxClient(server).List().error().code, ErrorCode::kInvalidArgument);
}

TEST(MailboxConfigTest, UidsThatCouldInjectCommandsAreRefused) {
  MailboxClient imap(Unreachable("imap"));
  EXPECT_EQ(imap.Fetch("1 BODY[]").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(imap.Delete("1:*").error().code, ErrorCode::kInvalidArgument);
  MailboxClient pop3(Unreachable("pop3"));
  EXPECT_EQ(pop3.Fetch("abc\r\nDELE 1").error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace faxgate::mail
