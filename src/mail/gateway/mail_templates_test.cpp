// Mail templates: a stored text replaces the built-in one, the preview shows typos, and only
// administrators change them.
#include "mail/gateway/mail_templates.h"

#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace faxgate::mail {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

class MailTemplatesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("fg-mailtpl-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    store_ = std::move(OpenSqliteStore(dir_ / "faxgate.db").value());
    admin_.role = Role::kSysAdmin;
    admin_.name = "admin";
    user_.role = Role::kUser;
    user_.name = "demo";
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
  User admin_, user_;
};

TEST_F(MailTemplatesTest, BuiltInTextIsUsedUntilAnAdministratorStoresOne) {
  MailTemplates templates(*store_);
  TemplateValues v;
  v.fields = {{"TO", "+86 755 8323 5170"}, {"SUBJECT", "Offer"}};
  RenderedMail builtin = templates.Render("fax_sent", "en", v);
  EXPECT_THAT(builtin.subject + builtin.body, HasSubstr("+86 755 8323 5170"));

  ASSERT_TRUE(
      templates.Put(admin_, {"fax_sent", "zh-CN", "传真已发送：{$TO}", "主题：{$SUBJECT}", {}})
          .ok());
  RenderedMail stored = templates.Render("fax_sent", "zh-CN", v);
  EXPECT_EQ(stored.subject, "传真已发送：+86 755 8323 5170");
  EXPECT_EQ(stored.body, "主题：Offer");

  ASSERT_TRUE(templates.Revert(admin_, "fax_sent", "zh-CN").ok());
  EXPECT_NE(templates.Render("fax_sent", "zh-CN", v).subject, stored.subject);
}

TEST_F(MailTemplatesTest, PreviewNamesPlaceholdersItDoesNotKnow) {
  MailTemplates templates(*store_);
  auto preview = templates.Preview(admin_, "fax_failed", "en",
                                   {"fax_failed", "en", "Failed: {$TO}", "{$RECORDS}\n{$TOO}"});
  ASSERT_TRUE(preview.ok()) << preview.error().message;
  EXPECT_THAT(preview->subject, HasSubstr("+86 755 8323 5170"));
  EXPECT_THAT(preview->body, HasSubstr("busy"));  // the sample attempt table
  EXPECT_THAT(preview->unknown_placeholders, Contains("TOO"));
}

TEST_F(MailTemplatesTest, OnlyAdministratorsChangeTemplatesAndNamesAreChecked) {
  MailTemplates templates(*store_);
  EXPECT_EQ(templates.Put(user_, {"fax_sent", "en", "x", "y", {}}).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(templates.Put(admin_, {"fax_lost", "en", "x", "y", {}}).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(templates.Put(admin_, {"fax_sent", "fr", "x", "y", {}}).error().code,
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace faxgate::mail
