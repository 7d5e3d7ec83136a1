// A thin RAII layer over the SQLite C API: one connection, its prepared statements (cached by
// SQL text) and transactions. Errors come back as values carrying SQLite's own message; callers
// add what they were doing (see errors.h).
//
// Not thread-safe: SqliteStore serialises every use of a Db with its mutex.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/clock.h"
#include "base/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace faxgate::sqlite {

class Db;

// A prepared statement borrowed from the Db for one execution. Parameters are bound by name
// (":state"), so a thirty-column INSERT cannot put a value into the wrong column; a bad name is
// reported by the next Step(). Resets itself and clears its bindings when it goes out of scope,
// which returns it to the cache.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  ~Statement();

  Statement& Bind(const char* name, int64_t value);
  Statement& Bind(const char* name, int value) { return Bind(name, int64_t{value}); }
  Statement& Bind(const char* name, bool value) { return Bind(name, int64_t{value ? 1 : 0}); }
  Statement& Bind(const char* name, std::string_view value);
  Statement& Bind(const char* name, const std::string& value) {
    return Bind(name, std::string_view(value));
  }
  // Without this overload a string literal would bind as bool.
  Statement& Bind(const char* name, const char* value) {
    return Bind(name, std::string_view(value));
  }
  Statement& Bind(const char* name, TimePoint value) { return Bind(name, ToUnixMillis(value)); }
  Statement& Bind(const char* name, std::optional<TimePoint> value);
  Statement& Bind(const char* name, std::optional<int64_t> value);
  Statement& BindNull(const char* name);

  // Advances to the next row: true while there is one, false when the statement is done.
  Result<bool> Step();
  // Runs a statement that returns no rows, and leaves it ready to run again with new bindings.
  Status Run();

  bool IsNull(int column) const;
  int64_t Int(int column) const;
  std::string Text(int column) const;

 private:
  friend class Db;
  // `in_use` is the cache's flag for this statement, or null when the statement is owned.
  Statement(Db* db, sqlite3_stmt* stmt, bool* in_use);
  int Index(const char* name);
  void Check(int rc, const char* name);

  Db* db_;
  sqlite3_stmt* stmt_;
  bool* in_use_;
  std::optional<Error> bind_error_;
};

// Reads the columns of the current row left to right, in the order of the SELECT list.
class Row {
 public:
  explicit Row(const Statement& statement) : s_(statement) {}

  int64_t Int() { return s_.Int(next_++); }
  int Int32() { return static_cast<int>(s_.Int(next_++)); }
  bool Bool() { return s_.Int(next_++) != 0; }
  std::string Text() { return s_.Text(next_++); }
  TimePoint Time() { return FromUnixMillis(s_.Int(next_++)); }
  std::optional<TimePoint> OptionalTime();
  std::optional<int64_t> OptionalInt();

 private:
  const Statement& s_;
  int next_ = 0;
};

class Db {
 public:
  // Opens or creates the database file with faxgate's connection settings: WAL journal,
  // synchronous=FULL (a committed transaction survives power loss), foreign keys enforced, and
  // a busy timeout so another process's short write does not fail a call.
  static Result<std::unique_ptr<Db>> Open(const std::filesystem::path& path);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Returns a statement for `sql`, prepared once and reused. A statement still in use (a query
  // run while iterating over the same query) gets a fresh, uncached copy.
  Result<Statement> Prepare(const std::string& sql);
  // Runs SQL without parameters, possibly several statements (schema, pragmas).
  Status Exec(const char* sql);

  int64_t LastInsertId() const;
  // Rows changed by the last INSERT, UPDATE or DELETE.
  int64_t Changes() const;
  bool InTransaction() const;
  // The error for result code `rc`, with the connection's message.
  Error ErrorFor(int rc) const;

 private:
  struct Cached {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };

  explicit Db(sqlite3* handle) : db_(handle) {}
  Status Configure();

  sqlite3* db_;
  // unordered_map nodes do not move, so Statement may keep a pointer to `in_use`.
  std::unordered_map<std::string, Cached> cache_;
};

// BEGIN IMMEDIATE ... COMMIT. Takes the write lock at the start, so a transaction that reads
// before it writes cannot fail half-way on a lock upgrade. Rolls back unless committed.
class Transaction {
 public:
  static Result<Transaction> Begin(Db& db);
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  Status Commit();

 private:
  explicit Transaction(Db* db) : db_(db) {}

  Db* db_;  // null once committed or rolled back
};

}  // namespace faxgate::sqlite
