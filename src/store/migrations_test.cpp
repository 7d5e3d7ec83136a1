// The schema's versions, and how a database file is opened.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/files.h"
#include "store/internal/migrations.h"
#include "store/internal/sqlite_db.h"
#include "store/store.h"
#include "store/store_test_util.h"

namespace faxgate::sqlite {
namespace {

using ::faxgate::testing::Must;
using ::faxgate::testing::SampleUser;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;

class MigrationsTest : public ::testing::Test {
 protected:
  std::filesystem::path DbPath() const { return dir_.path() / "faxgate.db"; }

  std::unique_ptr<Db> OpenDb() { return Must(Db::Open(DbPath())); }

  std::vector<std::string> Tables(Db& db) {
    auto s = Must(db.Prepare("SELECT name FROM sqlite_master WHERE type = 'table'"));
    std::vector<std::string> names;
    while (Must(s.Step())) names.push_back(s.Text(0));
    return names;
  }

  testing::ScratchDir dir_;
};

TEST_F(MigrationsTest, EmptyDatabaseIsMigratedToTheLatestVersion) {
  auto db = OpenDb();
  EXPECT_EQ(Must(SchemaVersion(*db)), 0);

  EXPECT_EQ(Must(Migrate(*db)), LatestSchemaVersion());

  EXPECT_EQ(Must(SchemaVersion(*db)), LatestSchemaVersion());
  EXPECT_THAT(Tables(*db), IsSupersetOf({"schema_migrations", "fax_ids", "users", "user_emails",
                                         "api_tokens", "job_groups", "documents", "jobs",
                                         "attempts", "inbound_faxes", "settings", "events"}));
}

TEST_F(MigrationsTest, MigratedDatabaseNeedsNothingMore) {
  Must(Migrate(*OpenDb()));

  auto db = OpenDb();
  EXPECT_EQ(Must(Migrate(*db)), 0);
  EXPECT_EQ(Must(SchemaVersion(*db)), LatestSchemaVersion());
  auto rows = Must(db->Prepare("SELECT COUNT(*) FROM schema_migrations"));
  ASSERT_TRUE(Must(rows.Step()));
  EXPECT_EQ(rows.Int(0), LatestSchemaVersion());
}

TEST_F(MigrationsTest, ReopeningKeepsTheData) {
  UserId id = Must(Must(OpenSqliteStore(DbPath()))->CreateUser(SampleUser("demo", ""))).id;

  auto store = Must(OpenSqliteStore(DbPath()));

  EXPECT_EQ(Must(store->GetUser(id)).name, "demo");
}

TEST_F(MigrationsTest, DatabaseFromANewerFaxgateIsRefused) {
  {
    auto db = OpenDb();
    Must(Migrate(*db));
    Must(db->Exec("INSERT INTO schema_migrations VALUES (999, 'from the future', 0)"));
  }

  auto store = OpenSqliteStore(DbPath());

  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(store.error().message, HasSubstr("schema version 999"));
}

TEST_F(MigrationsTest, DatabaseIsInWalMode) {
  Must(OpenSqliteStore(DbPath()));

  auto db = OpenDb();
  auto mode = Must(db->Prepare("PRAGMA journal_mode"));
  ASSERT_TRUE(Must(mode.Step()));
  EXPECT_EQ(mode.Text(0), "wal");
}

TEST_F(MigrationsTest, FileThatIsNotADatabaseIsAnIoErrorNamingIt) {
  Must(WriteFileAtomic(DbPath(), std::string(4096, 'x')));

  auto store = OpenSqliteStore(DbPath());

  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kIo);
  EXPECT_EQ(store.error().message,
            "cannot open database " + DbPath().string() + ": file is not a database");
}

}  // namespace
}  // namespace faxgate::sqlite
