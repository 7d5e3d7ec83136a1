// Sender verification offline: SPF against records given in the configuration, DKIM against a
// key generated for the test (openssl) and published through opendkim's key file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "mail/sender_checks.h"

extern "C" {
#define _Bool bool  // dkim.h uses C99 _Bool
#include <opendkim/dkim.h>
#undef _Bool
}

namespace faxgate::mail {
namespace {

using ::testing::HasSubstr;
using enum SpfVerdict;

// ---- SPF ----

class SpfCheckerTest : public ::testing::Test {
 protected:
  SpfChecker checker_{SpfOptions{{
      {"fax.test", "v=spf1 ip4:198.51.100.0/24 ip6:2001:db8:fa::/48 -all"},
      {"Relay.Test", "v=spf1 ip4:127.0.0.0/8 -all"},
      {"soft.test", "v=spf1 ip4:198.51.100.0/24 ~all"},
      {"neutral.test", "v=spf1 ?all"},
      {"broken.test", "v=spf1 ip4:not-an-address -all"},
      {"twice.test", "v=spf1 include:nowhere.test -all"},
  }}};

  SpfVerdict MailFrom(std::string_view ip, std::string_view address) {
    return checker_.Check(ip, "mx.sender.test", address);
  }
};

TEST_F(SpfCheckerTest, ServerTheDomainListsPasses) {
  EXPECT_EQ(MailFrom("198.51.100.7", "alice@fax.test"), kPass);
}

TEST_F(SpfCheckerTest, ServerTheDomainDoesNotListFails) {
  EXPECT_EQ(MailFrom("192.0.2.9", "alice@fax.test"), kFail);
}

TEST_F(SpfCheckerTest, DomainWithoutARecordGivesNone) {
  EXPECT_EQ(MailFrom("192.0.2.9", "alice@no-record.test"), kNone);
}

TEST_F(SpfCheckerTest, LoopbackIsJudgedByTheRecordsAndGetsNoFreePass) {
  // A Postfix in front of faxgate connects from 127.0.0.1 for every sender.
  EXPECT_EQ(MailFrom("127.0.0.1", "alice@relay.test"), kPass);
  EXPECT_EQ(MailFrom("127.0.0.1", "alice@fax.test"), kFail);
  EXPECT_EQ(MailFrom("::1", "alice@fax.test"), kFail);
  EXPECT_EQ(MailFrom("127.0.0.1", "alice@no-record.test"), kNone);
}

TEST_F(SpfCheckerTest, Ipv6ClientsAndIpv4ClientsSeenThroughADualStackSocket) {
  EXPECT_EQ(MailFrom("2001:db8:fa::25", "alice@fax.test"), kPass);
  EXPECT_EQ(MailFrom("2001:db8:ff::25", "alice@fax.test"), kFail);
  EXPECT_EQ(MailFrom("::ffff:198.51.100.7", "alice@fax.test"), kPass);
  EXPECT_EQ(MailFrom("::ffff:192.0.2.9", "alice@fax.test"), kFail);
}

TEST_F(SpfCheckerTest, NullSenderIsCheckedThroughTheHeloName) {
  EXPECT_EQ(checker_.Check("198.51.100.7", "fax.test", ""), kPass);
  EXPECT_EQ(checker_.Check("192.0.2.9", "fax.test", ""), kFail);
  EXPECT_EQ(checker_.Check("198.51.100.7", "[198.51.100.7]", ""), kNone);
  EXPECT_EQ(checker_.Check("198.51.100.7", "", ""), kNone);
}

TEST_F(SpfCheckerTest, DomainsCompareWithoutCase) {
  EXPECT_EQ(MailFrom("198.51.100.7", "Alice@FAX.Test"), kPass);
}

TEST_F(SpfCheckerTest, SoftFailNeutralAndBrokenRecordsKeepTheirMeaning) {
  EXPECT_EQ(MailFrom("192.0.2.9", "alice@soft.test"), kSoftFail);
  EXPECT_EQ(MailFrom("198.51.100.7", "alice@soft.test"), kPass);
  EXPECT_EQ(MailFrom("192.0.2.9", "alice@neutral.test"), kNeutral);
  EXPECT_EQ(MailFrom("192.0.2.9", "alice@broken.test"), kPermError);
  EXPECT_EQ(MailFrom("192.0.2.9", "alice@twice.test"), kPermError);
}

TEST_F(SpfCheckerTest, NothingToJudgeGivesNone) {
  EXPECT_EQ(MailFrom("not-an-address", "alice@fax.test"), kNone);
  EXPECT_EQ(MailFrom("198.51.100.7", "alice"), kNone);
  EXPECT_EQ(MailFrom("198.51.100.7", "alice@"), kNone);
  EXPECT_EQ(MailFrom("198.51.100.7", "alice@[198.51.100.7]"), kNone);
}

TEST(SpfVerdictTest, VerdictsAreNamedAsRfc7208NamesThem) {
  EXPECT_EQ(ToString(kNone), "none");
  EXPECT_EQ(ToString(kNeutral), "neutral");
  EXPECT_EQ(ToString(kPass), "pass");
  EXPECT_EQ(ToString(kFail), "fail");
  EXPECT_EQ(ToString(kSoftFail), "softfail");
  EXPECT_EQ(ToString(kTempError), "temperror");
  EXPECT_EQ(ToString(kPermError), "permerror");
}

// ---- DKIM ----

std::string RunCommand(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (!p) return out;
  std::array<char, 4096> buf{};
  for (size_t n; (n = fread(buf.data(), 1, buf.size(), p)) > 0;) out.append(buf.data(), n);
  return pclose(p) == 0 ? out : std::string();
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

constexpr const char* kHeader =
    "From: Alice <alice@fax.test>\r\n"
    "To: FAX=+8610123456@gw.fax.test\r\n"
    "Subject: 86-10-123456/Acme\r\n"
    "Date: Sun, 22 Nov 2026 10:00:00 +0800\r\n"
    "Message-ID: <k1@fax.test>\r\n";
constexpr const char* kBody = "Please fax the attachment.\r\n";

struct SignOptions {
  const char* domain = "fax.test";
  const char* selector = "sel";
  ssize_t body_length = -1;              // l=; -1: the whole body
  const char** signed_fields = nullptr;  // default: every field
};

// A test key pair made the way gen_dkim_key.sh makes it, once for all DKIM tests, and the
// opendkim key file publishing it for fax.test and list.test under selector "sel".
class DkimVerifyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char dir_template[] = "/tmp/faxgate-dkim-XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    dir_ = new std::filesystem::path(dir_template);
    const std::string key = (*dir_ / "dkim.key").string();
    RunCommand("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out " + key +
               " 2>/dev/null");
    const std::string pub =
        RunCommand("openssl pkey -in " + key + " -pubout -outform DER | base64 -w0");
    ASSERT_FALSE(pub.empty()) << "openssl could not make a key";
    private_key_ = new std::string(ReadFile(key));
    std::ofstream keys(*dir_ / "dkim.keys");
    for (const char* domain : {"fax.test", "list.test"})
      keys << "sel._domainkey." << domain << " v=DKIM1; k=rsa; p=" << pub << "\n";
  }

  static void TearDownTestSuite() {
    if (dir_) std::filesystem::remove_all(*dir_);
    delete dir_;
    delete private_key_;
    dir_ = nullptr;
    private_key_ = nullptr;
  }

  // Prepends a DKIM-Signature made with libopendkim (rsa-sha256, relaxed/relaxed).
  static std::string Sign(const std::string& message, SignOptions o = {}) {
    DKIM_LIB* lib = dkim_init(nullptr, nullptr);
    if (o.signed_fields)
      dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_SIGNHDRS, o.signed_fields, sizeof(char**));
    DKIM_STAT st = DKIM_STAT_OK;
    DKIM* d = dkim_sign(lib, reinterpret_cast<const unsigned char*>("test"), nullptr,
                        reinterpret_cast<unsigned char*>(private_key_->data()),
                        reinterpret_cast<const unsigned char*>(o.selector),
                        reinterpret_cast<const unsigned char*>(o.domain), DKIM_CANON_RELAXED,
                        DKIM_CANON_RELAXED, DKIM_SIGN_RSASHA256, o.body_length, &st);
    EXPECT_NE(d, nullptr) << dkim_getresultstr(st);
    std::string copy = message;
    dkim_chunk(d, reinterpret_cast<unsigned char*>(copy.data()), copy.size());
    dkim_chunk(d, nullptr, 0);
    EXPECT_EQ(dkim_eom(d, nullptr), DKIM_STAT_OK);
    std::array<unsigned char, 8192> sig{};
    EXPECT_EQ(dkim_getsighdr(d, sig.data(), sig.size(), std::strlen("DKIM-Signature: ")),
              DKIM_STAT_OK);
    dkim_free(d);
    dkim_close(lib);
    return "DKIM-Signature: " + std::string(reinterpret_cast<char*>(sig.data())) + "\r\n" + message;
  }

  static std::string Message() { return std::string(kHeader) + "\r\n" + kBody; }

  DkimVerdict Verify(const std::string& raw) {
    return VerifyDkim(raw, DkimOptions{*dir_ / "dkim.keys"});
  }

  static std::string Replace(std::string s, const std::string& from, const std::string& to) {
    const size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) s.replace(at, from.size(), to);
    return s;
  }

  static std::filesystem::path* dir_;
  static std::string* private_key_;
};

std::filesystem::path* DkimVerifyTest::dir_ = nullptr;
std::string* DkimVerifyTest::private_key_ = nullptr;

TEST_F(DkimVerifyTest, SignedMailPassesAndNamesTheSigningDomain) {
  const DkimVerdict v = Verify(Sign(Message()));
  EXPECT_TRUE(v.pass) << v.reason;
  EXPECT_EQ(v.domain, "fax.test");
  EXPECT_EQ(v.reason, "");
}

TEST_F(DkimVerifyTest, MailStoredWithBareLineFeedsStillPasses) {
  std::string lf;
  for (char c : Sign(Message()))
    if (c != '\r') lf += c;
  EXPECT_TRUE(Verify(lf).pass) << Verify(lf).reason;
}

TEST_F(DkimVerifyTest, ChangedFaxNumberInToFails) {
  // The attack that matters: the number lives in the To header.
  const std::string forged = Replace(Sign(Message()), "FAX=+8610123456@", "FAX=+19005551234@");
  const DkimVerdict v = Verify(forged);
  EXPECT_FALSE(v.pass);
  EXPECT_THAT(v.reason, HasSubstr("the DKIM signature of fax.test does not match the mail"));
}

TEST_F(DkimVerifyTest, ChangedBodyFails) {
  const DkimVerdict v = Verify(Replace(Sign(Message()), "Please fax", "Please do not fax"));
  EXPECT_FALSE(v.pass);
  EXPECT_THAT(v.reason, HasSubstr("the body of the mail was changed after fax.test signed it"));
}

TEST_F(DkimVerifyTest, UnsignedMailIsNoPassAndSaysSo) {
  const DkimVerdict v = Verify(Message());
  EXPECT_FALSE(v.pass);
  EXPECT_EQ(v.domain, "");
  EXPECT_EQ(v.reason, "the mail carries no DKIM signature");
}

TEST_F(DkimVerifyTest, SelectorWithoutAPublishedKeyIsNamed) {
  SignOptions o;
  o.selector = "other";
  const DkimVerdict v = Verify(Sign(Message(), o));
  EXPECT_FALSE(v.pass);
  EXPECT_THAT(v.reason, HasSubstr("no DKIM key is published for selector \"other\" of fax.test"));
}

TEST_F(DkimVerifyTest, SignatureThatLeavesTheSubjectUnsignedIsNoPass) {
  // The shared mailbox reads the fax numbers from the Subject.
  const char* fields[] = {"from", "to", "date", nullptr};
  SignOptions o;
  o.signed_fields = fields;
  const DkimVerdict v = Verify(Sign(Message(), o));
  EXPECT_FALSE(v.pass);
  EXPECT_THAT(v.reason,
              HasSubstr("the DKIM signature of fax.test does not cover the Subject field"));
}

TEST_F(DkimVerifyTest, SignatureOverPartOfTheBodyDoesNotCoverAnAppendedAttachment) {
  SignOptions o;
  o.body_length = static_cast<ssize_t>(std::strlen(kBody));
  const std::string signed_part = Sign(Message(), o);
  ASSERT_TRUE(Verify(signed_part).pass) << Verify(signed_part).reason;
  const DkimVerdict v = Verify(signed_part + "Also fax this instead.\r\n");
  EXPECT_FALSE(v.pass);
  EXPECT_THAT(v.reason, HasSubstr("covers only the first"));
}

TEST_F(DkimVerifyTest, AuthorsAlignedSignatureWinsOverAMailingListSignature) {
  SignOptions list;
  list.domain = "list.test";
  const DkimVerdict v = Verify(Sign(Sign(Message()), list));
  EXPECT_TRUE(v.pass) << v.reason;
  EXPECT_EQ(v.domain, "fax.test");
}

TEST_F(DkimVerifyTest, ListSignatureAloneIsAPassForTheListNotTheAuthor) {
  SignOptions list;
  list.domain = "list.test";
  const DkimVerdict v = Verify(Sign(Message(), list));
  EXPECT_TRUE(v.pass) << v.reason;
  EXPECT_EQ(v.domain, "list.test");
  EXPECT_FALSE(DkimAligned("fax.test", v.domain));
}

TEST(DkimAlignmentTest, FromDomainMustBeTheSigningDomainOrBelowIt) {
  EXPECT_TRUE(DkimAligned("fax.test", "fax.test"));
  EXPECT_TRUE(DkimAligned("mail.fax.test", "fax.test"));
  EXPECT_TRUE(DkimAligned("Mail.FAX.test.", "fax.TEST"));
  EXPECT_FALSE(DkimAligned("fax.test", "mail.fax.test"));
  EXPECT_FALSE(DkimAligned("evilfax.test", "fax.test"));
  EXPECT_FALSE(DkimAligned("fax.test", ""));
  EXPECT_FALSE(DkimAligned("", "fax.test"));
}

}  // namespace
}  // namespace faxgate::mail
