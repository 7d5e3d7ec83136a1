// API tokens, found by the SHA-256 of their secret (the secret itself is never stored).
#include <fmt/format.h>

#include "store/internal/errors.h"
#include "store/internal/sqlite_store.h"

namespace faxgate::sqlite {
namespace {

ApiToken ReadToken(const Statement& s) {
  Row r(s);
  ApiToken t;
  t.id = r.Int();
  t.user_id = r.Int();
  t.name = r.Text();
  t.token_hash = r.Text();
  t.created_at = r.Time();
  t.last_used_at = r.OptionalTime();
  return t;
}

Result<bool> HashExists(Db& db, const std::string& hash) {
  FG_ASSIGN_OR_RETURN(Statement s, db.Prepare("SELECT 1 FROM api_tokens WHERE token_hash = :h"));
  s.Bind(":h", hash);
  return s.Step();
}

Result<ApiToken> InsertToken(Db& db, const ApiToken& token) {
  FG_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db));
  FG_RETURN_IF_ERROR(UserName(db, token.user_id));
  FG_ASSIGN_OR_RETURN(bool taken, HashExists(db, token.token_hash));
  if (taken) return AlreadyExists("an API token with the same secret exists");
  FG_ASSIGN_OR_RETURN(Statement s,
                      db.Prepare("INSERT INTO api_tokens (user_id, name, token_hash, created_at,"
                                 " last_used_at) VALUES (:user_id, :name, :token_hash,"
                                 " :created_at, :last_used_at)"));
  s.Bind(":user_id", token.user_id)
      .Bind(":name", token.name)
      .Bind(":token_hash", token.token_hash)
      .Bind(":created_at", token.created_at)
      .Bind(":last_used_at", token.last_used_at);
  FG_RETURN_IF_ERROR(s.Run());
  ApiToken created = token;
  created.id = db.LastInsertId();
  FG_RETURN_IF_ERROR(tx.Commit());
  return created;
}

Result<ApiToken> LoadTokenByHash(Db& db, const std::string& hash) {
  FG_ASSIGN_OR_RETURN(Statement s,
                      db.Prepare("SELECT id, user_id, name, token_hash, created_at, last_used_at"
                                 " FROM api_tokens WHERE token_hash = :token_hash"));
  s.Bind(":token_hash", hash);
  FG_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFound("unknown API token");
  return ReadToken(s);
}

Status SaveTokenUse(Db& db, int64_t id, TimePoint used_at) {
  FG_ASSIGN_OR_RETURN(Statement s,
                      db.Prepare("UPDATE api_tokens SET last_used_at = :used_at WHERE id = :id"));
  FG_RETURN_IF_ERROR(s.Bind(":used_at", used_at).Bind(":id", id).Run());
  if (db.Changes() == 0) return NotFound(fmt::format("no API token {}", id));
  return Status::Ok();
}

}  // namespace

Result<ApiToken> SqliteStore::CreateToken(const ApiToken& token) {
  std::lock_guard lock(mu_);
  return WithContext(InsertToken(*db_, token),
                     fmt::format("create API token '{}' of user {}", token.name, token.user_id));
}

Result<ApiToken> SqliteStore::FindTokenByHash(const std::string& token_hash) {
  std::lock_guard lock(mu_);
  return WithContext(LoadTokenByHash(*db_, token_hash), "look up API token");
}

Status SqliteStore::TouchToken(int64_t token_id, TimePoint used_at) {
  std::lock_guard lock(mu_);
  return WithContext(SaveTokenUse(*db_, token_id, used_at),
                     fmt::format("save use of API token {}", token_id));
}

}  // namespace faxgate::sqlite
