#include "store/internal/sqlite_db.h"

#include <sqlite3.h>

#include <fmt/format.h>

namespace faxgate::sqlite {
namespace {

constexpr int kBusyTimeoutMs = 5000;

ErrorCode CodeFor(int rc) {
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return ErrorCode::kAlreadyExists;
    default:
      break;
  }
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      return ErrorCode::kInvalidArgument;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return ErrorCode::kUnavailable;
    // Our SQL or our use of the API is wrong: a bug, not the disk.
    case SQLITE_ERROR:
    case SQLITE_MISUSE:
    case SQLITE_RANGE:
    case SQLITE_MISMATCH:
      return ErrorCode::kInternal;
    default:
      return ErrorCode::kIo;
  }
}

}  // namespace

// ---- Statement ----

Statement::Statement(Db* db, sqlite3_stmt* stmt, bool* in_use)
    : db_(db), stmt_(stmt), in_use_(in_use) {}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      stmt_(other.stmt_),
      in_use_(other.in_use_),
      bind_error_(std::move(other.bind_error_)) {
  other.stmt_ = nullptr;
  other.in_use_ = nullptr;
}

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  if (in_use_ == nullptr) {
    sqlite3_finalize(stmt_);
    return;
  }
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  *in_use_ = false;
}

int Statement::Index(const char* name) {
  int index = sqlite3_bind_parameter_index(stmt_, name);
  if (index == 0 && !bind_error_) {
    bind_error_ = MakeError(ErrorCode::kInternal,
                            fmt::format("no parameter {} in {}", name, sqlite3_sql(stmt_)));
  }
  return index;
}

void Statement::Check(int rc, const char* name) {
  if (rc == SQLITE_OK || bind_error_) return;
  bind_error_ =
      MakeError(ErrorCode::kInternal, fmt::format("cannot bind {}: {}", name, sqlite3_errstr(rc)));
}

Statement& Statement::Bind(const char* name, int64_t value) {
  if (int i = Index(name)) Check(sqlite3_bind_int64(stmt_, i, value), name);
  return *this;
}

Statement& Statement::Bind(const char* name, std::string_view value) {
  if (int i = Index(name)) {
    Check(sqlite3_bind_text64(stmt_, i, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
          name);
  }
  return *this;
}

Statement& Statement::Bind(const char* name, std::optional<TimePoint> value) {
  return value ? Bind(name, *value) : BindNull(name);
}

Statement& Statement::Bind(const char* name, std::optional<int64_t> value) {
  return value ? Bind(name, *value) : BindNull(name);
}

Statement& Statement::BindNull(const char* name) {
  if (int i = Index(name)) Check(sqlite3_bind_null(stmt_, i), name);
  return *this;
}

Result<bool> Statement::Step() {
  if (bind_error_) return *bind_error_;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->ErrorFor(rc);
}

Status Statement::Run() {
  FG_ASSIGN_OR_RETURN(bool row, Step());
  if (row) {
    return MakeError(ErrorCode::kInternal,
                     fmt::format("statement returned rows: {}", sqlite3_sql(stmt_)));
  }
  sqlite3_reset(stmt_);
  return Status::Ok();
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

// ---- Row ----

std::optional<TimePoint> Row::OptionalTime() {
  int column = next_++;
  if (s_.IsNull(column)) return std::nullopt;
  return FromUnixMillis(s_.Int(column));
}

std::optional<int64_t> Row::OptionalInt() {
  int column = next_++;
  if (s_.IsNull(column)) return std::nullopt;
  return s_.Int(column);
}

// ---- Db ----

Result<std::unique_ptr<Db>> Db::Open(const std::filesystem::path& path) {
  sqlite3* handle = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &handle,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  // The handle exists even when opening failed, to carry the message; Db closes it either way.
  std::unique_ptr<Db> db(new Db(handle));
  if (rc != SQLITE_OK) {
    if (handle == nullptr) return MakeError(ErrorCode::kIo, "out of memory");
    return db->ErrorFor(rc);
  }
  sqlite3_extended_result_codes(handle, 1);
  FG_RETURN_IF_ERROR(db->Configure());
  return db;
}

Status Db::Configure() {
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  // journal_mode answers with the mode in force; a file that cannot do WAL (e.g. on a network
  // file system) answers something else, and we refuse rather than lose durability quietly.
  FG_ASSIGN_OR_RETURN(Statement wal, Prepare("PRAGMA journal_mode=WAL"));
  FG_ASSIGN_OR_RETURN(bool row, wal.Step());
  if (!row || wal.Text(0) != "wal") {
    return MakeError(ErrorCode::kIo, "the database cannot use write-ahead logging");
  }
  return Exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
}

Db::~Db() {
  for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.stmt);
  sqlite3_close_v2(db_);
}

Result<Statement> Db::Prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end() && !it->second.in_use) {
    it->second.in_use = true;
    return Statement(this, it->second.stmt, &it->second.in_use);
  }
  sqlite3_stmt* stmt = nullptr;
  bool cache = it == cache_.end();
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              cache ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, nullptr);
  if (rc != SQLITE_OK) return ErrorFor(rc);
  if (!cache) return Statement(this, stmt, nullptr);
  Cached& entry = cache_[sql];
  entry = Cached{stmt, true};
  return Statement(this, stmt, &entry.in_use);
}

Status Db::Exec(const char* sql) {
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return ErrorFor(rc);
  return Status::Ok();
}

int64_t Db::LastInsertId() const { return sqlite3_last_insert_rowid(db_); }

int64_t Db::Changes() const { return sqlite3_changes64(db_); }

bool Db::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

Error Db::ErrorFor(int rc) const {
  const char* message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  return MakeError(CodeFor(rc), message);
}

// ---- Transaction ----

Result<Transaction> Transaction::Begin(Db& db) {
  FG_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  return Transaction(&db);
}

Transaction::~Transaction() {
  // After a failed COMMIT SQLite may already have rolled back by itself.
  if (db_ != nullptr && db_->InTransaction()) (void)db_->Exec("ROLLBACK");
}

Status Transaction::Commit() {
  Status status = db_->Exec("COMMIT");
  if (status.ok()) db_ = nullptr;
  return status;
}

}  // namespace faxgate::sqlite
