#include <gtest/gtest.h>

#include "domain/settings.h"

namespace faxgate {
namespace {

TEST(SettingsTest, DefaultsRoundTripThroughKeyValues) {
  SystemSettings d;
  auto back = FromKeyValues(ToKeyValues(d));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(ToKeyValues(*back), ToKeyValues(d));
}

TEST(SettingsTest, StoredValuesOverrideDefaults) {
  auto s =
      FromKeyValues({{"area_code", "10"}, {"retry_busy_s", "60"}, {"mail_password_auth", "true"}});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->area_code, "10");
  EXPECT_EQ(s->retry_busy_s, 60);
  EXPECT_TRUE(s->mail_password_auth);
  EXPECT_EQ(s->dial_plan().area_code, "10");
}

TEST(SettingsTest, BadValuesAreNamed) {
  auto s = FromKeyValues({{"mail_check_interval_s", "30"}});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("mail_check_interval_s"), std::string::npos);
  EXPECT_NE(s.error().message.find("60 to 600"), std::string::npos);
  EXPECT_FALSE(FromKeyValues({{"area_code", "7a5"}}).ok());
  EXPECT_FALSE(FromKeyValues({{"no_such_thing", "1"}}).ok());
}

}  // namespace
}  // namespace faxgate
