// [mail] in faxgate.toml: defaults, every key read, and mistakes named by key.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/config.h"

namespace faxgate {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string ErrorOf(std::string_view toml) {
  auto config = ParseConfig(toml);
  return config.ok() ? "" : config.error().message;
}

TEST(MailConfigTest, DemoDefaultsListenOnLoopbackPort2525) {
  Config config = *ParseConfig("");
  EXPECT_EQ(config.mail.smtp_listen, "127.0.0.1:2525");
  EXPECT_EQ(config.mail.mail_from, "FAX=$s$");
  EXPECT_THAT(config.mail.formats, ElementsAre("tiff-s"));
  EXPECT_TRUE(config.mail.routes.empty());
}

TEST(MailConfigTest, EveryKeyIsRead) {
  auto config = ParseConfig(R"(
[mail]
smtp_listen = "0.0.0.0:25"
hostname = "fax.example.com"
fax_domains = ["fax.example.com", "10.0.0.5"]
trusted_authserv_ids = ["mx.example.com"]
tls_certificate = "/etc/faxgate/mail.pem"
tls_key = "/etc/faxgate/mail.key"
max_message_bytes = 10485760
postmaster = "postmaster@example.com"
mail_from = "FAX=$s$"
subject = "传真"
subject_append = "calling"
formats = ["tiff-s", "pdf"]
dsn = "success,failure"
return_receipt_to = "fax-admin@example.com"
queue_lifetime_h = 48
dkim_keys = "/tmp/keys"
[mail.spf_records]
"example.com" = "v=spf1 ip4:10.0.0.0/8 -all"
[[mail.route]]
dids = ["8*"]
to = "FAX=$d$@mail.example.com"
formats = ["pdf"]
dsn = "never"
mdn = true
owner_too = false
)");
  ASSERT_TRUE(config.ok()) << config.error().message;
  const MailConfig& m = config->mail;
  EXPECT_EQ(m.hostname, "fax.example.com");
  EXPECT_THAT(m.fax_domains, ElementsAre("fax.example.com", "10.0.0.5"));
  EXPECT_THAT(m.trusted_authserv_ids, ElementsAre("mx.example.com"));
  EXPECT_EQ(m.max_message_bytes, 10485760);
  EXPECT_EQ(m.subject, "传真");
  EXPECT_EQ(m.subject_append, "calling");
  EXPECT_THAT(m.formats, ElementsAre("tiff-s", "pdf"));
  EXPECT_EQ(m.queue_lifetime_h, 48);
  EXPECT_EQ(m.spf_records.at("example.com"), "v=spf1 ip4:10.0.0.0/8 -all");
  ASSERT_EQ(m.routes.size(), 1u);
  EXPECT_EQ(m.routes[0].to, "FAX=$d$@mail.example.com");
  EXPECT_THAT(m.routes[0].dids, ElementsAre("8*"));
  EXPECT_EQ(m.routes[0].dsn, "never");
  EXPECT_TRUE(m.routes[0].mdn);
  EXPECT_FALSE(m.routes[0].owner_too);
}

TEST(MailConfigTest, MistakesAreNamedByKey) {
  EXPECT_THAT(ErrorOf("[mail]\nsmtp_port = 25\n"), HasSubstr("unknown key 'mail.smtp_port'"));
  EXPECT_THAT(ErrorOf("[mail]\nformats = [\"gif\"]\n"), HasSubstr("mail.formats has 'gif'"));
  EXPECT_THAT(ErrorOf("[mail]\ndsn = \"always\"\n"), HasSubstr("mail.dsn is 'always'"));
  EXPECT_THAT(ErrorOf("[mail]\ntls_key = \"/k\"\n"), HasSubstr("mail.tls_key must be set"));
  EXPECT_THAT(ErrorOf("[[mail.route]]\nto = \"nobody\"\n"), HasSubstr("mail.route[0].to"));
  EXPECT_THAT(ErrorOf("[mail.spf_records]\n\"a.b\" = \"ip4:1.2.3.4\"\n"),
              HasSubstr("mail.spf_records.a.b"));
}

}  // namespace
}  // namespace faxgate
