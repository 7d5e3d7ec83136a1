// Users, API tokens, settings and the event log.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/store.h"
#include "store/store_test_util.h"

namespace faxgate {
namespace {

using ::faxgate::testing::At;
using ::faxgate::testing::Must;
using ::faxgate::testing::SampleUser;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class StoreUsersTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    store_.reset();
    store_ = Must(OpenSqliteStore(dir_.path() / "faxgate.db"));
  }

  ApiToken Token(UserId user, const std::string& hash) {
    ApiToken t;
    t.user_id = user;
    t.name = "crm";
    t.token_hash = hash;
    t.created_at = At(1);
    return t;
  }

  testing::ScratchDir dir_;
  std::unique_ptr<Store> store_;
};

template <typename T>
void ExpectError(const T& result, ErrorCode code, const std::string& message) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, code);
  EXPECT_EQ(result.error().message, message);
}

// ---- Users ----

TEST_F(StoreUsersTest, UserReadsBackWithEveryField) {
  User user = SampleUser("demo", "8001");

  User created = Must(store_->CreateUser(user));
  ASSERT_GT(created.id, 0);
  user.id = created.id;
  testing::ExpectSameUser(user, created);

  Reopen();
  testing::ExpectSameUser(user, Must(store_->GetUser(user.id)));
  testing::ExpectSameUser(user, Must(store_->FindUserByName("demo")));
  testing::ExpectSameUser(user, Must(store_->FindUserByFaxNumber("8001")));
}

TEST_F(StoreUsersTest, UpdateUserRewritesFieldsAndEmails) {
  User user = Must(store_->CreateUser(SampleUser("demo", "8001")));
  user.name = "demo2";
  user.full_name = "Demo Two";
  user.password_hash = "$argon2id$v=19$new";
  user.role = Role::kUser;
  user.fax_number = "8009";
  user.email = "two@example.com";
  user.other_emails = {"third@example.com"};
  user.rights = CallRights{true, false, false};
  user.notify_on_success = false;
  user.must_change_password = false;
  user.disabled = false;

  Must(store_->UpdateUser(user));

  testing::ExpectSameUser(user, Must(store_->GetUser(user.id)));
  user.other_emails.clear();
  Must(store_->UpdateUser(user));
  EXPECT_THAT(Must(store_->GetUser(user.id)).other_emails, IsEmpty());
}

TEST_F(StoreUsersTest, UserNamesAreUnique) {
  Must(store_->CreateUser(SampleUser("demo", "8001")));
  User bob = Must(store_->CreateUser(SampleUser("bob", "")));

  ExpectError(store_->CreateUser(SampleUser("demo", "")), ErrorCode::kAlreadyExists,
              "user name 'demo' is taken");
  bob.name = "demo";
  ExpectError(store_->UpdateUser(bob), ErrorCode::kAlreadyExists, "user name 'demo' is taken");
}

TEST_F(StoreUsersTest, FaxNumbersAreUnique) {
  Must(store_->CreateUser(SampleUser("demo", "8001")));
  User bob = Must(store_->CreateUser(SampleUser("bob", "8002")));

  ExpectError(store_->CreateUser(SampleUser("carol", "8001")), ErrorCode::kAlreadyExists,
              "fax number 8001 already belongs to user demo");
  bob.fax_number = "8001";
  ExpectError(store_->UpdateUser(bob), ErrorCode::kAlreadyExists,
              "fax number 8001 already belongs to user demo");
}

TEST_F(StoreUsersTest, ManyUsersMayHaveNoFaxNumber) {
  Must(store_->CreateUser(SampleUser("demo", "")));
  Must(store_->CreateUser(SampleUser("bob", "")));

  ExpectError(store_->FindUserByFaxNumber(""), ErrorCode::kNotFound, "no user has fax number ''");
}

TEST_F(StoreUsersTest, UserKeepsOwnNameAndNumberOnUpdate) {
  User user = Must(store_->CreateUser(SampleUser("demo", "8001")));
  user.full_name = "Renamed";

  Must(store_->UpdateUser(user));

  EXPECT_EQ(Must(store_->FindUserByFaxNumber("8001")).full_name, "Renamed");
}

TEST_F(StoreUsersTest, MissingUsersAreNotFound) {
  ExpectError(store_->GetUser(7), ErrorCode::kNotFound, "no user 7");
  ExpectError(store_->FindUserByName("bob"), ErrorCode::kNotFound, "no user 'bob'");
  ExpectError(store_->FindUserByFaxNumber("8003"), ErrorCode::kNotFound,
              "no user has fax number '8003'");
  User ghost = SampleUser("ghost", "");
  ghost.id = 7;
  ExpectError(store_->UpdateUser(ghost), ErrorCode::kNotFound, "no user 7");
}

TEST_F(StoreUsersTest, ListUsersByNameWithTheirEmails) {
  Must(store_->CreateUser(SampleUser("demo", "8001")));
  Must(store_->CreateUser(SampleUser("bob", "8002")));

  std::vector<User> users = Must(store_->ListUsers());

  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0].name, "bob");
  EXPECT_THAT(users[0].other_emails, ElementsAre("bob.b@example.com", "bob.a@example.com"));
  EXPECT_EQ(users[1].name, "demo");
  EXPECT_THAT(users[1].other_emails, ElementsAre("demo.b@example.com", "demo.a@example.com"));
}

// ---- Tokens ----

TEST_F(StoreUsersTest, TokenIsFoundByHashAndRemembersItsLastUse) {
  User user = Must(store_->CreateUser(SampleUser("demo", "8001")));
  ApiToken created = Must(store_->CreateToken(Token(user.id, std::string(64, 'c'))));
  ASSERT_GT(created.id, 0);

  ApiToken found = Must(store_->FindTokenByHash(std::string(64, 'c')));
  EXPECT_EQ(found.id, created.id);
  EXPECT_EQ(found.user_id, user.id);
  EXPECT_EQ(found.name, "crm");
  EXPECT_EQ(found.created_at, At(1));
  EXPECT_FALSE(found.last_used_at.has_value());

  Must(store_->TouchToken(created.id, At(2)));
  EXPECT_EQ(Must(store_->FindTokenByHash(std::string(64, 'c'))).last_used_at, At(2));
}

TEST_F(StoreUsersTest, TokenErrors) {
  User user = Must(store_->CreateUser(SampleUser("demo", "8001")));
  Must(store_->CreateToken(Token(user.id, "h1")));

  ExpectError(store_->CreateToken(Token(user.id, "h1")), ErrorCode::kAlreadyExists,
              "an API token with the same secret exists");
  ExpectError(store_->CreateToken(Token(99, "h2")), ErrorCode::kNotFound, "no user 99");
  ExpectError(store_->FindTokenByHash("h3"), ErrorCode::kNotFound, "unknown API token");
  ExpectError(store_->TouchToken(99, At(0)), ErrorCode::kNotFound, "no API token 99");
}

// ---- Settings and events ----

TEST_F(StoreUsersTest, SettingsAreUpserted) {
  EXPECT_THAT(Must(store_->GetSettings()), IsEmpty());
  Must(store_->PutSettings({{"area_code", "755"}, {"max_tries", "3"}}));
  Must(store_->PutSettings({{"max_tries", "5"}, {"printer", ""}}));

  Reopen();
  EXPECT_EQ(Must(store_->GetSettings()),
            (std::map<std::string, std::string>{
                {"area_code", "755"}, {"max_tries", "5"}, {"printer", ""}}));
}

TEST_F(StoreUsersTest, EventsListNewestFirst) {
  for (int i = 1; i <= 3; ++i) {
    Must(store_->AppendEvent(Event{0, At(i), "info", "job", "job " + std::to_string(i), "queued"}));
  }

  std::vector<Event> events = Must(store_->ListEvents(2));

  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].subject, "job 3");
  EXPECT_EQ(events[0].at, At(3));
  EXPECT_EQ(events[0].level, "info");
  EXPECT_EQ(events[0].category, "job");
  EXPECT_EQ(events[0].text, "queued");
  EXPECT_EQ(events[1].subject, "job 2");
  EXPECT_GT(events[0].id, events[1].id);
}

}  // namespace
}  // namespace faxgate
