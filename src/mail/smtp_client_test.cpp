// Our SMTP client against a scripted server on 127.0.0.1 (smtp_client_test_support.h): what
// goes on the wire (pipelining, DSN parameters, dot-stuffing, HELO fallback) and what the user
// is told when a server refuses, breaks off or never answers.
#include "mail/smtp_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include "mail/smtp_client_envelope.h"
#include "mail/smtp_client_test_support.h"

namespace faxgate::mail {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;
using testing::FakeSmtpScript;
using testing::FakeSmtpServer;
using testing::LocalRelay;
using testing::SendMail;
using Kind = SmtpOutcome::Kind;

const std::string kMessage = "From: fax@fax.test\r\nSubject: fax\r\n\r\nA fax came in.\r\n";

OutgoingMail Mail(std::vector<std::string> to, std::string data = kMessage) {
  OutgoingMail mail;
  mail.mail_from = "fax@fax.test";
  for (auto& address : to) mail.recipients.push_back({address, "", ""});
  mail.data = std::move(data);
  return mail;
}

OutgoingMail DsnMail() {
  OutgoingMail mail = Mail({"alice@fax.test"});
  mail.ret = "HDRS";
  mail.envid = "job-4711";
  mail.recipients[0].notify = "SUCCESS,FAILURE,DELAY";
  mail.recipients[0].orcpt = "alice@fax.test";
  return mail;
}

// The commands of the mail transaction: MAIL FROM and the RCPTs.
std::vector<std::string> Envelope(const FakeSmtpServer& server) {
  std::vector<std::string> out;
  for (const std::string& c : server.commands()) {
    if (c.rfind("MAIL ", 0) == 0 || c.rfind("RCPT ", 0) == 0) out.push_back(c);
  }
  return out;
}

std::string Where(const FakeSmtpServer& server) {
  return fmt::format("127.0.0.1:{}", server.port());
}

// ---- delivery and the wire ----

TEST(SmtpClientTest, PipeliningSendsTheWholeEnvelopeBeforeAnyAnswer) {
  FakeSmtpServer server({});  // answers MAIL and RCPT only once DATA has come
  SmtpOutcome o = SendMail(LocalRelay(server.port()), Mail({"alice@fax.test", "bob@fax.test"}));
  server.Wait();
  EXPECT_EQ(o.kind, Kind::kDelivered) << o.summary;
  EXPECT_EQ(o.code, 250);
  EXPECT_EQ(o.enhanced, "2.0.0");
  EXPECT_EQ(o.failed_command, "");
  EXPECT_EQ(o.server_banner, "fake.test ESMTP");
  EXPECT_EQ(o.summary, Where(server) + " took the message: 250 2.0.0 Ok: queued as 4711");
  ASSERT_EQ(server.batches().size(), 3u);
  EXPECT_THAT(server.batches()[0], ElementsAre("EHLO localhost"));
  EXPECT_THAT(server.batches()[1],
              ElementsAre(StartsWith("MAIL FROM:<fax@fax.test>"), "RCPT TO:<alice@fax.test>",
                          "RCPT TO:<bob@fax.test>", "DATA"));
  EXPECT_THAT(server.batches()[2], ElementsAre("QUIT"));
  EXPECT_EQ(server.message(), kMessage);
  ASSERT_EQ(o.recipients.size(), 2u);
  EXPECT_TRUE(o.recipients[0].accepted);
  EXPECT_EQ(o.recipients[1].address, "bob@fax.test");
  EXPECT_EQ(o.recipients[1].code, 250);
  EXPECT_EQ(o.recipients[1].enhanced, "2.1.5");
}

TEST(SmtpClientTest, WithoutPipeliningEachCommandWaitsForItsAnswer) {
  FakeSmtpScript script;
  script.extensions = {"SIZE 10000000", "8BITMIME"};
  FakeSmtpServer server(script);
  SmtpOutcome o = SendMail(LocalRelay(server.port()), Mail({"alice@fax.test", "bob@fax.test"}));
  server.Wait();
  EXPECT_EQ(o.kind, Kind::kDelivered) << o.summary;
  for (const auto& batch : server.batches()) EXPECT_EQ(batch.size(), 1u) << batch[0];
  EXPECT_EQ(server.message(), kMessage);
}

TEST(SmtpClientTest, EhloRefusedFallsBackToHeloAndSendsNoParameters) {
  FakeSmtpScript script;
  script.refuse_ehlo = true;
  FakeSmtpServer server(script);
  SmtpOutcome o = SendMail(LocalRelay(server.port()), DsnMail());
  server.Wait();
  EXPECT_EQ(o.kind, Kind::kDelivered) << o.summary;
  EXPECT_THAT(server.commands(),
              ElementsAre("EHLO localhost", "HELO localhost", "MAIL FROM:<fax@fax.test>",
                          "RCPT TO:<alice@fax.test>", "DATA", "QUIT"));
}

TEST(SmtpClientTest, HeloNameIsOurs) {
  FakeSmtpServer server({});
  SmtpRelay relay = LocalRelay(server.port());
  relay.helo_name = "faxgate.example.com";
  EXPECT_EQ(SendMail(relay, Mail({"alice@fax.test"})).kind, Kind::kDelivered);
  server.Wait();
  EXPECT_EQ(server.commands().front(), "EHLO faxgate.example.com");
}

TEST(SmtpClientTest, DsnParametersExactlyAsLibesmtpWritesThem) {
  FakeSmtpServer server({});
  OutgoingMail mail = DsnMail();
  const size_t size = mail.data.size();
  EXPECT_EQ(SendMail(LocalRelay(server.port()), mail).kind, Kind::kDelivered);
  server.Wait();
  EXPECT_THAT(Envelope(server),
              ElementsAre(fmt::format("MAIL FROM:<fax@fax.test> RET=HDRS ENVID=job-4711 SIZE={}",
                                      size),
                          "RCPT TO:<alice@fax.test> NOTIFY=SUCCESS,FAILURE,DELAY "
                          "ORCPT=rfc822;alice@fax.test"));
}

TEST(SmtpClientTest, NoDsnParametersWhenTheServerOffersNoDsn) {
  FakeSmtpScript script;
  script.extensions = {"PIPELINING", "SIZE 10000000", "8BITMIME"};
  FakeSmtpServer server(script);
  OutgoingMail mail = DsnMail();
  const size_t size = mail.data.size();
  SmtpOutcome o = SendMail(LocalRelay(server.port()), mail);
  server.Wait();
  EXPECT_EQ(o.kind, Kind::kDelivered) << o.summary;
  EXPECT_THAT(Envelope(server), ElementsAre(fmt::format("MAIL FROM:<fax@fax.test> SIZE={}", size),
                                            "RCPT TO:<alice@fax.test>"));
}

TEST(SmtpClientTest, EnvidAndOrcptAreXtext) {
  FakeSmtpServer server({});
  OutgoingMail mail = DsnMail();
  mail.envid = "job+4711 =x";
  mail.recipients[0].notify = "never";
  mail.recipients[0].orcpt = "FAX=+1 555@fax.test";
  EXPECT_EQ(SendMail(LocalRelay(server.port()), mail).kind, Kind::kDelivered);
  server.Wait();
  const auto envelope = Envelope(server);
  ASSERT_EQ(envelope.size(), 2u);
  EXPECT_THAT(envelope[0], StartsWith("MAIL FROM:<fax@fax.test> RET=HDRS ENVID=job+2B4711+20+3Dx "));
  EXPECT_EQ(envelope[1], "RCPT TO:<alice@fax.test> NOTIFY=NEVER ORCPT=rfc822;FAX+3D+2B1+20555@fax.test");
}

TEST(SmtpClientTest, NullSender) {
  FakeSmtpServer server({});
  OutgoingMail mail = Mail({"alice@fax.test"});
  mail.mail_from = "";
  EXPECT_EQ(SendMail(LocalRelay(server.port()), mail).kind, Kind::kDelivered);
  server.Wait();
  EXPECT_THAT(Envelope(server).front(), StartsWith("MAIL FROM:<> SIZE="));
}

TEST(SmtpClientTest, LinesStartingWithADotArriveIntact) {
  FakeSmtpServer server({});
  const std::string data = "Subject: dots\r\n\r\n.hidden\r\n..two\r\n.\r\nx.y\r\n. \r\nend";
  EXPECT_EQ(SendMail(LocalRelay(server.port()), Mail({"alice@fax.test"}, data)).kind,
            Kind::kDelivered);
  server.Wait();
  // On the wire each leading dot is doubled; the receiver takes one away again.
  EXPECT_EQ(server.message(),
            "Subject: dots\r\n\r\n..hidden\r\n...two\r\n..\r\nx.y\r\n.. \r\nend\r\n");
}

TEST(SmtpClientTest, BareLineEndsGoOutAsCrlf) {
  FakeSmtpServer server({});
  // A bare LF before "." would end the message early at some servers (SMTP smuggling).
  const std::string data = "Subject: lf\n\nfirst\n.\nMAIL FROM:<evil@x>\rlast";
  EXPECT_EQ(SendMail(LocalRelay(server.port()), Mail({"alice@fax.test"}, data)).kind,
            Kind::kDelivered);
  server.Wait();
  EXPECT_EQ(server.message(), "Subject: lf\r\n\r\nfirst\r\n..\r\nMAIL FROM:<evil@x>\r\nlast\r\n");
  EXPECT_THAT(server.commands(), Not(Contains("MAIL FROM:<evil@x>")));
}

TEST(SmtpClientTest, EightBitMessageGoesAs8BitMimeWhenOffered) {
  FakeSmtpServer server({});
  EXPECT_EQ(SendMail(LocalRelay(server.port()), Mail({"alice@fax.test"}, "Subject: x\r\n\r\n传真\r\n"))
                .kind,
            Kind::kDelivered);
  server.Wait();
  EXPECT_THAT(Envelope(server).front(), HasSubstr(" BODY=8BITMIME"));
}

TEST(SmtpClientTest, EightBitMessageToAServerWithout8BitMimeFailsClearly) {
  FakeSmtpScript script;
  script.extensions = {"PIPELINING", "DSN"};
  FakeSmtpServer server(script);
  SmtpOutcome o =
      SendMail(LocalRelay(server.port()), Mail({"alice@fax.test"}, "Subject: x\r\n\r\n传真\r\n"));
  server.Wait();
  EXPECT_EQ(o.kind, Kind::kPermanent);
  EXPECT_THAT(o.summary, HasSubstr(Where(server) + " does not take 8-bit mail (it offers no "
                                                   "8BITMIME)"));
  EXPECT_THAT(Envelope(server), IsEmpty());  // nothing was sent
}

TEST(SmtpClientTest, MessageLargerThanTheServersSizeIsNotSent) {
  FakeSmtpScript script;
  script.extensions = {"PIPELINING", "SIZE 20"};
  FakeSmtpServer server(script);
  SmtpOutcome o = SendMail(LocalRelay(server.port()), Mail({"alice@fax.test"}));
  server.Wait();
  EXPECT_EQ(o.kind, Kind::kPermanent);
  EXPECT_THAT(o.summary, HasSubstr(fmt::format("the message ({} bytes) is larger than {} takes "
                                               "(20 bytes)",
                                               kMessage.size(), Where(server))));
  EXPECT_THAT(Envelope(server), IsEmpty());
}

// ---- refusals ----

TEST(SmtpClientTest, OneOfTwoRecipientsRefused) {
  FakeSmtpScript script;
  script.rcpt_replies["bob@fax.test"] = "550 5.1.1 <bob@fax.test>: Recipient address rejected";
  FakeSmtpServer server(script);
  SmtpOutcome o = SendMail(LocalRelay(server.port()), Mail({"alice@fax.test", "bob@fax.test"}));
  server.Wait();
  EXPECT_EQ(o.kind, Kind::kPartly) << o.summary;
  ASSERT_EQ(o.recipients.size(), 2u);
  EXPECT_TRUE(o.recipients[0].accepted);
  EXPECT_EQ(o.recipients[0].code, 250);
  EXPECT_FALSE(o.recipients[1].accepted);
  EXPECT_EQ(o.recipients[1].code, 550);
  EXPECT_EQ(o.recipients[1].enhanced, "5.1.1");
  EXPECT_EQ(o.recipients[1].text, "<bob@fax.test>: Recipient address rejected");
  EXPECT_EQ(o.failed_command, "RCPT TO:<bob@fax.test>");
  EXPECT_EQ(o.summary, Where(server) +
                           " took the message for 1 of 2 recipients (250 2.0.0 Ok: queued as "
                           "4711); it refused bob@fax.test (550 5.1.1 <bob@fax.test>: Recipient "
                           "address rejected)");
  EXPECT_EQ(server.message(), kMessage);
}

TEST(SmtpClientTest, EveryRecipientRefusedSendsNoMessage) {
  FakeSmtpScript script;
  script.rcpt_replies["alice@fax.test"] = "550 5.1.1 unknown user";
  script.rcpt_replies["bob@fax.test"] = "550 5.1.1 unknown user";
  FakeSmtpServer server(script);
  SmtpOutcome o = SendMail(LocalRelay(server.port()), Mail({"alice@fax.test", "bob@fax.test"}));
  server.Wait();
  EXPECT_EQ(o.kind, Kind::kPermanent);
  EXPECT_EQ(o.failed_command, "RCPT TO:<alice@fax.test>");
  EXPECT_EQ(o.summary, Where(server) +
                           " refused every recipient: alice@fax.test (550 5.1.1 unknown user); "
                           "bob@fax.test (550 5.1.1 unknown user)");
  EXPECT_EQ(server.message(), "");
  EXPECT_EQ(server.commands().back(), "QUIT");
}

TEST(SmtpClientTest, EveryRecipientRefusedWithoutPipeliningStopsBeforeData) {
  FakeSmtpScript script;
  script.extensions = {};
  script.rcpt_replies["alice@fax.test"] = "550 5.1.1 unknown user";
  script.rcpt_replies["bob@fax.test"] = "450 4.2.1 mailbox busy";
  FakeSmtpServer server(script);
  SmtpOutcome o = SendMail(LocalRelay(server.port()), Mail({"alice@fax.test", "bob@fax.test"}));
  server.Wait();
  // Bob may get it later: try again.
  EXPECT_EQ(o.kind, Kind::kTemporary);
  EXPECT_EQ(o.code, 450);
  EXPECT_EQ(o.failed_command, "RCPT TO:<bob@fax.test>");
  EXPECT_THAT(server.commands(), Not(Contains("DATA")));
  EXPECT_EQ(server.commands().back(), "QUIT");
}

TEST(SmtpClientTest, SenderRefused) {
  FakeSmtpScript script;
  script.mail_reply = "553 5.7.1 <fax@fax.test>: Sender address rejected";
  FakeSmtpServer server(script);
  SmtpOutcome o = SendMail(LocalRelay(server.port()), Mail({"alice@fax.test"}));
  server.Wait();
  EXPECT_EQ(o.kind, Kind::kPermanent);
  EXPECT_EQ(o.failed_command, "MAIL FROM:<fax@fax.test>");
  EXPECT_EQ(o.summary, Where(server) +
                           " refused the sender: 553 5.7.1 <fax@fax.test>: Sender address "
                           "rejected (answer to MAIL FROM:<fax@fax.test>)");
  EXPECT_THAT(o.recipients, IsEmpty());
  EXPECT_EQ(server.message(), "");
}

TEST(SmtpClientTest, BusyAtTheGreetingIsTemporary) {
  FakeSmtpScript script;
  script.banner = "421 4.3.2 fake.test too busy, try later";
  FakeSmtpServer server(script);
  SmtpOutcome o = SendMail(LocalRelay(server.port()), Mail({"alice@fax.test"}));
  server.Wait();
  EXPECT_EQ(o.kind, Kind::kTemporary);
  EXPECT_EQ(o.code, 421);
  EXPECT_EQ(o.failed_command, "connect");
  EXPECT_EQ(o.summary, Where(server) +
                           " refused the connection: 421 4.3.2 fake.test too busy, try later "
                           "(its greeting)");
}

TEST(SmtpClientTest, RefusedAtTheGreetingIsPermanent) {
  FakeSmtpScript script;
  script.banner = "554 5.7.1 no service for you";
  FakeSmtpServer server(script);
  SmtpOutcome o = SendMail(LocalRelay(server.port()), Mail({"alice@fax.test"}));
  server.Wait();
  EXPECT_EQ(o.kind, Kind::kPermanent);
  EXPECT_EQ(o.code, 554);
}

TEST(SmtpClientTest, MessageTooBigAtTheEndOfData) {
  FakeSmtpScript script;
  script.message_reply = "552 5.3.4 Message size exceeds fixed limit";
  FakeSmtpServer server(script);
  SmtpOutcome o = SendMail(LocalRelay(server.port()), Mail({"alice@fax.test"}));
  server.Wait();
  EXPECT_EQ(o.kind, Kind::kPermanent);
  EXPECT_EQ(o.failed_command, "DATA");
  EXPECT_EQ(o.summary, Where(server) +
                           " refused the message: 552 5.3.4 Message size exceeds fixed limit "
                           "(answer to DATA)");
  // Alice was accepted at RCPT, but she gets nothing: her result says why.
  ASSERT_EQ(o.recipients.size(), 1u);
  EXPECT_FALSE(o.recipients[0].accepted);
  EXPECT_EQ(o.recipients[0].code, 552);
}

TEST(SmtpClientTest, AuthenticationRequiredIsTheSettings) {
  FakeSmtpScript script;
  script.mail_reply = "530 5.7.0 Authentication required";
  FakeSmtpServer server(script);
  SmtpOutcome o = SendMail(LocalRelay(server.port()), Mail({"alice@fax.test"}));
  server.Wait();
  EXPECT_EQ(o.kind, Kind::kConfig);
  EXPECT_THAT(o.summary, HasSubstr("530 5.7.0 Authentication required"));
}

// ---- connections that break ----

TEST(SmtpClientTest, ConnectionResetWhileSendingTheMessage) {
  FakeSmtpScript script;
  script.cut = FakeSmtpScript::Cut::kInMessage;
  FakeSmtpServer server(script);
  // Larger than what the kernel buffers on loopback, so the reset finds the client writing.
  std::string data = "Subject: big\r\n\r\n";
  while (data.size() < 48 * 1024 * 1024) data += std::string(998, 'x') + "\r\n";
  SmtpOutcome o = SendMail(LocalRelay(server.port()), Mail({"alice@fax.test"}, data));
  server.Wait();
  EXPECT_EQ(o.kind, Kind::kTemporary);
  EXPECT_EQ(o.failed_command, "DATA");
  EXPECT_THAT(o.summary,
              StartsWith("connection to " + Where(server) + " lost while sending the message"));
  ASSERT_EQ(o.recipients.size(), 1u);
  EXPECT_FALSE(o.recipients[0].accepted);
}

TEST(SmtpClientTest, ConnectionClosedBeforeTheMessageWasConfirmed) {
  FakeSmtpScript script;
  script.cut = FakeSmtpScript::Cut::kAfterMessage;
  FakeSmtpServer server(script);
  SmtpOutcome o = SendMail(LocalRelay(server.port()), Mail({"alice@fax.test"}));
  server.Wait();
  EXPECT_EQ(o.kind, Kind::kTemporary);
  EXPECT_EQ(o.summary, "connection to " + Where(server) +
                           " lost after the message was sent, before the server confirmed it");
}

TEST(SmtpClientTest, ServerThatNeverGreetsTimesOut) {
  FakeSmtpScript script;
  script.banner = "";  // accepts, then says nothing
  FakeSmtpServer server(script);
  SmtpRelay relay = LocalRelay(server.port());
  relay.timeout = std::chrono::seconds(1);
  SmtpOutcome o = SendMail(relay, Mail({"alice@fax.test"}));
  server.Wait();
  EXPECT_EQ(o.kind, Kind::kTemporary);
  EXPECT_EQ(o.summary, "no answer from " + Where(server) + " within 1 s before its greeting");
}

TEST(SmtpClientTest, SomethingThatIsNotSmtp) {
  FakeSmtpScript script;
  script.banner = "HTTP/1.1 400 Bad Request";
  FakeSmtpServer server(script);
  SmtpOutcome o = SendMail(LocalRelay(server.port()), Mail({"alice@fax.test"}));
  server.Wait();
  EXPECT_EQ(o.kind, Kind::kTemporary);
  EXPECT_THAT(o.summary, HasSubstr(Where(server) +
                                   " sent something that is not SMTP before its greeting"));
  EXPECT_THAT(o.summary, HasSubstr("\"HTTP/1.1 400 Bad Request\""));
}

TEST(SmtpClientTest, NobodyListening) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);  // a port nobody listens on
  const uint16_t port = ntohs(a.sin_port);
  SmtpOutcome o = SendMail(LocalRelay(port), Mail({"alice@fax.test"}));
  EXPECT_EQ(o.kind, Kind::kTemporary);
  EXPECT_EQ(o.failed_command, "connect");
  EXPECT_EQ(o.summary, fmt::format("cannot connect to 127.0.0.1:{}: Connection refused", port));
}

TEST(SmtpClientTest, UnknownHost) {
  SmtpRelay relay = LocalRelay(25);
  relay.host = "no-such-host.invalid";  // RFC 6761: never resolves
  SmtpOutcome o = SendMail(relay, Mail({"alice@fax.test"}));
  EXPECT_EQ(o.kind, Kind::kTemporary);
  EXPECT_THAT(o.summary, StartsWith("cannot find the mail server no-such-host.invalid: "));
}

// ---- AUTH ----

TEST(SmtpClientTest, AuthPlainWithMaskedTrace) {
  FakeSmtpScript script;
  script.extensions = {"PIPELINING", "AUTH PLAIN LOGIN"};
  FakeSmtpServer server(script);
  SmtpRelay relay = LocalRelay(server.port());
  relay.tls = "none";  // the fake has no TLS; "none" allows the password in clear text
  relay.user = "alice";
  relay.password = "secret";
  testing::SmtpLogCapture log;
  SmtpOutcome o = SendMail(relay, Mail({"alice@fax.test"}));
  server.Wait();
  EXPECT_EQ(o.kind, Kind::kDelivered) << o.summary;
  EXPECT_EQ(server.auth_user(), "alice");
  EXPECT_EQ(server.auth_password(), "secret");
  EXPECT_THAT(log.text(), HasSubstr(Where(server) + " C: AUTH PLAIN ****\n"));
  EXPECT_THAT(log.text(), HasSubstr(Where(server) + " S: 235 2.7.0 Authentication successful"));
  EXPECT_THAT(log.text(), Not(HasSubstr("AGFsaWNlAHNlY3JldA")));  // base64 "\0alice\0secret"
  EXPECT_THAT(log.text(), HasSubstr("C: <message, " + std::to_string(kMessage.size()) + " bytes>"));
  EXPECT_THAT(log.text(), Not(HasSubstr("A fax came in.")));  // the message is not traced
  EXPECT_THAT(log.text(), HasSubstr("mail from <fax@fax.test> to alice@fax.test via " +
                                    Where(server) + ": " + o.summary));
}

TEST(SmtpClientTest, AuthLoginWhenOnlyLoginIsOffered) {
  FakeSmtpScript script;
  script.extensions = {"AUTH LOGIN"};
  FakeSmtpServer server(script);
  SmtpRelay relay = LocalRelay(server.port());
  relay.tls = "none";
  relay.user = "alice";
  relay.password = "secret";
  testing::SmtpLogCapture log;
  SmtpOutcome o = SendMail(relay, Mail({"alice@fax.test"}));
  server.Wait();
  EXPECT_EQ(o.kind, Kind::kDelivered) << o.summary;
  EXPECT_EQ(server.auth_user(), "alice");
  EXPECT_EQ(server.auth_password(), "secret");
  EXPECT_THAT(log.text(), Not(HasSubstr("YWxpY2U")));  // base64 "alice"
  EXPECT_THAT(log.text(), Not(HasSubstr("c2VjcmV0")));  // base64 "secret"
}

TEST(SmtpClientTest, WrongPasswordIsTheSettings) {
  FakeSmtpScript script;
  script.extensions = {"AUTH PLAIN"};
  script.auth_reply = "535 5.7.8 Error: authentication failed";
  FakeSmtpServer server(script);
  SmtpRelay relay = LocalRelay(server.port());
  relay.tls = "none";
  relay.user = "alice";
  relay.password = "wrong";
  SmtpOutcome o = SendMail(relay, Mail({"alice@fax.test"}));
  server.Wait();
  EXPECT_EQ(o.kind, Kind::kConfig);
  EXPECT_EQ(o.failed_command, "AUTH PLAIN");
  EXPECT_EQ(o.summary, Where(server) +
                           " refused the login of alice: 535 5.7.8 Error: authentication failed "
                           "(answer to AUTH PLAIN)");
}

TEST(SmtpClientTest, NoPasswordInClearText) {
  FakeSmtpScript script;
  script.extensions = {"AUTH PLAIN LOGIN"};  // and no STARTTLS
  FakeSmtpServer server(script);
  SmtpRelay relay = LocalRelay(server.port());  // tls "starttls": when offered
  relay.user = "alice";
  relay.password = "secret";
  SmtpOutcome o = SendMail(relay, Mail({"alice@fax.test"}));
  server.Wait();
  EXPECT_EQ(o.kind, Kind::kConfig);
  EXPECT_THAT(o.summary, HasSubstr("the password of alice is not sent in clear text"));
  EXPECT_THAT(server.commands(), ElementsAre("EHLO localhost", "QUIT"));
  EXPECT_EQ(server.auth_password(), "");
}

TEST(SmtpClientTest, RequiredTlsThatIsNotOffered) {
  FakeSmtpServer server({});
  SmtpRelay relay = LocalRelay(server.port());
  relay.tls = "required";
  SmtpOutcome o = SendMail(relay, Mail({"alice@fax.test"}));
  server.Wait();
  EXPECT_EQ(o.kind, Kind::kConfig);
  EXPECT_EQ(o.failed_command, "STARTTLS");
  EXPECT_EQ(o.summary,
            Where(server) + " does not offer STARTTLS, which the relay settings require");
  EXPECT_THAT(Envelope(server), IsEmpty());
}

// ---- the caller's side ----

TEST(SmtpClientTest, BadAddressIsRefusedBeforeConnecting) {
  FakeSmtpServer server({});
  SmtpOutcome o =
      SendMail(LocalRelay(server.port()), Mail({"alice@fax.test>\r\nRCPT TO:<x@evil.test"}));
  server.Stop();
  EXPECT_EQ(o.kind, Kind::kPermanent);
  EXPECT_THAT(o.summary, HasSubstr("has a character no mail address may have"));
  EXPECT_FALSE(server.connected());
}

TEST(SmtpClientTest, CancelledMailIsNeitherSentNorReported) {
  FakeSmtpServer server({});
  boost::asio::io_context io;
  SmtpClient client(io);
  bool reported = false;
  SmtpSendHandle handle = client.Send(LocalRelay(server.port()), Mail({"alice@fax.test"}),
                                      [&](SmtpOutcome) { reported = true; });
  handle.Cancel();
  io.run();
  server.Stop();
  EXPECT_FALSE(reported);
  EXPECT_THAT(Envelope(server), IsEmpty());
}

TEST(SmtpClientTest, DestroyingTheClientCancelsItsMails) {
  FakeSmtpScript script;
  script.banner = "";  // would keep the client waiting for 10 s
  FakeSmtpServer server(script);
  boost::asio::io_context io;
  bool reported = false;
  {
    auto client = std::make_unique<SmtpClient>(io);
    client->Send(LocalRelay(server.port()), Mail({"alice@fax.test"}),
                 [&](SmtpOutcome) { reported = true; });
    io.run_one();  // connects (or begins to)
    client.reset();
  }
  io.run();
  server.Stop();
  EXPECT_FALSE(reported);
}

// ---- the pieces ----

TEST(SmtpClientEnvelopeTest, ReplyClasses) {
  EXPECT_EQ(KindOfRefusal({421, "", {}}), Kind::kTemporary);
  EXPECT_EQ(KindOfRefusal({450, "4.2.1", {}}), Kind::kTemporary);
  EXPECT_EQ(KindOfRefusal({550, "5.1.1", {}}), Kind::kPermanent);
  EXPECT_EQ(KindOfRefusal({554, "", {}}), Kind::kPermanent);
  EXPECT_EQ(KindOfRefusal({502, "", {}}), Kind::kPermanent);
  EXPECT_EQ(KindOfRefusal({530, "5.7.0", {}}), Kind::kConfig);
  EXPECT_EQ(KindOfRefusal({535, "5.7.8", {}}), Kind::kConfig);
  EXPECT_EQ(KindOfRefusal({538, "", {}}), Kind::kConfig);
  // The enhanced code's class decides (reference/mail.md 5.2).
  EXPECT_EQ(KindOfRefusal({550, "4.7.1", {}}), Kind::kTemporary);
  EXPECT_EQ(KindOfRefusal({451, "5.7.3", {}}), Kind::kPermanent);
}

TEST(SmtpClientEnvelopeTest, CheckRefusesWhatWouldCorruptTheEnvelope) {
  EXPECT_TRUE(CheckOutgoingMail(Mail({"alice@fax.test"})).ok());
  EXPECT_FALSE(CheckOutgoingMail(Mail({})).ok());
  EXPECT_FALSE(CheckOutgoingMail(Mail({"a@b\r\nDATA"})).ok());
  EXPECT_FALSE(CheckOutgoingMail(Mail({"<a@b>"})).ok());
  OutgoingMail mail = DsnMail();
  mail.recipients[0].notify = "SUCCESS,SOMETIMES";
  EXPECT_FALSE(CheckOutgoingMail(mail).ok());
  mail = DsnMail();
  mail.ret = "BODY";
  EXPECT_FALSE(CheckOutgoingMail(mail).ok());
  mail = DsnMail();
  mail.envid = std::string(60, ' ');  // 180 characters as xtext
  EXPECT_FALSE(CheckOutgoingMail(mail).ok());
}

TEST(SmtpClientEnvelopeTest, WireMessageSizeCountsNoStuffingDots) {
  WireMessage m = MakeWireMessage(".a\r\nb");
  EXPECT_EQ(m.bytes, "..a\r\nb\r\n.\r\n");
  EXPECT_EQ(m.size, 7u);  // ".a\r\nb\r\n"
  EXPECT_FALSE(m.eight_bit);
  EXPECT_EQ(MakeWireMessage("").bytes, ".\r\n");
  EXPECT_TRUE(MakeWireMessage("\xe4").eight_bit);
}

}  // namespace
}  // namespace faxgate::mail
