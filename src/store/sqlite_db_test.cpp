// The SQLite wrapper: statement cache, bindings, transactions.
#include <gtest/gtest.h>

#include "store/internal/sqlite_db.h"
#include "store/store_test_util.h"

namespace faxgate::sqlite {
namespace {

using ::faxgate::testing::Must;

class SqliteDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = Must(Db::Open(dir_.path() / "test.db"));
    Must(db_->Exec("CREATE TABLE t (v INTEGER, s TEXT)"));
  }

  int64_t Count() {
    auto count = Must(db_->Prepare("SELECT COUNT(*) FROM t"));
    return Must(count.Step()) ? count.Int(0) : -1;
  }

  testing::ScratchDir dir_;
  std::unique_ptr<Db> db_;
};

TEST_F(SqliteDbTest, StatementInUseIsNotHandedOutTwice) {
  Must(db_->Exec("INSERT INTO t (v) VALUES (1), (2)"));
  const std::string sql = "SELECT v FROM t ORDER BY v";

  auto outer = Must(db_->Prepare(sql));
  std::vector<int64_t> pairs;
  while (Must(outer.Step())) {
    auto inner = Must(db_->Prepare(sql));
    while (Must(inner.Step())) pairs.push_back(outer.Int(0) * 10 + inner.Int(0));
  }

  EXPECT_EQ(pairs, (std::vector<int64_t>{11, 12, 21, 22}));
}

TEST_F(SqliteDbTest, CachedStatementStartsAfreshEachTime) {
  for (int i = 0; i < 3; ++i) {
    auto insert = Must(db_->Prepare("INSERT INTO t (v, s) VALUES (:v, :s)"));
    Must(insert.Bind(":v", i).Bind(":s", "x").Run());
  }
  auto select = Must(db_->Prepare("SELECT v, s FROM t WHERE v = :v"));
  Must(select.Bind(":v", 2).Step());
  EXPECT_EQ(select.Int(0), 2);
  EXPECT_EQ(select.Text(1), "x");
  EXPECT_EQ(Count(), 3);
}

TEST_F(SqliteDbTest, UnknownParameterNameFailsTheStep) {
  auto insert = Must(db_->Prepare("INSERT INTO t (v) VALUES (:v)"));
  Status status = insert.Bind(":value", 1).Run();

  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kInternal);
  EXPECT_EQ(Count(), 0);
}

TEST_F(SqliteDbTest, UncommittedTransactionRollsBack) {
  {
    auto tx = Must(Transaction::Begin(*db_));
    Must(db_->Exec("INSERT INTO t (v) VALUES (1)"));
  }
  EXPECT_EQ(Count(), 0);

  auto tx = Must(Transaction::Begin(*db_));
  Must(db_->Exec("INSERT INTO t (v) VALUES (1)"));
  Must(tx.Commit());
  EXPECT_EQ(Count(), 1);
}

TEST_F(SqliteDbTest, NullAndTimeColumnsReadBack) {
  auto insert = Must(db_->Prepare("INSERT INTO t (v, s) VALUES (:v, :s)"));
  Must(insert.Bind(":v", std::optional<TimePoint>()).Bind(":s", std::string("a")).Run());
  Must(insert.Bind(":v", std::optional<TimePoint>(testing::At(1))).Bind(":s", "b").Run());

  auto select = Must(db_->Prepare("SELECT v FROM t ORDER BY s"));
  ASSERT_TRUE(Must(select.Step()));
  EXPECT_EQ(Row(select).OptionalTime(), std::nullopt);
  ASSERT_TRUE(Must(select.Step()));
  EXPECT_EQ(Row(select).OptionalTime(), testing::At(1));
}

}  // namespace
}  // namespace faxgate::sqlite
