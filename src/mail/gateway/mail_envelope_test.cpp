// Envelope rules: never an invalid FAX=@ address, route templates, NOTIFY values.
#include "mail/gateway/mail_envelope.h"

#include <gtest/gtest.h>

namespace faxgate::mail {
namespace {

TEST(MailEnvelopeTest, MailFromCarriesTheCallingNumber) {
  EXPECT_EQ(ExpandMailFrom("FAX=$s$", "8915510", "8001", "gw.example.com", "postmaster@gw"),
            "FAX=8915510@gw.example.com");
  EXPECT_EQ(ExpandMailFrom("fax-$d$", "", "8001", "gw.example.com", "postmaster@gw"),
            "fax-8001@gw.example.com");
}

TEST(MailEnvelopeTest, EmptyCallerIdFallsBackToThePostmasterInsteadOfFaxAt) {
  EXPECT_EQ(ExpandMailFrom("FAX=$s$", "", "8001", "gw.example.com", "postmaster@gw"),
            "postmaster@gw");
  EXPECT_EQ(ExpandMailFrom("FAX=", "1", "2", "gw.example.com", "postmaster@gw"), "postmaster@gw");
}

TEST(MailEnvelopeTest, RouteTargetsTakeTheCalledNumber) {
  EXPECT_EQ(ExpandRouteTarget("FAX=$d$@example.com", "", "8001"), "FAX=8001@example.com");
  EXPECT_EQ(ExpandRouteTarget("andy@example.com", "", ""), "andy@example.com");
  EXPECT_EQ(ExpandRouteTarget("FAX=$d$@example.com", "555", ""), "");
}

TEST(MailEnvelopeTest, NotifyIsUpperCase) {
  EXPECT_EQ(NotifyParameter("failure,delay"), "FAILURE,DELAY");
  EXPECT_EQ(NotifyParameter("never"), "NEVER");
  EXPECT_EQ(NotifyParameter(""), "");
}

TEST(MailEnvelopeTest, EnvidsAreUniqueAndNameTheFax) {
  std::string a = NewEnvid("onramp", 12), b = NewEnvid("onramp", 12);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.rfind("fg-onramp-12-", 0), 0u);
}

}  // namespace
}  // namespace faxgate::mail
