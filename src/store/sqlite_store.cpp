#include <system_error>

#include <fmt/format.h>

#include "store/internal/migrations.h"
#include "store/internal/sqlite_store.h"

namespace faxgate {
namespace sqlite {

Result<int64_t> NewFaxId(Db& db, std::string_view direction) {
  FG_ASSIGN_OR_RETURN(Statement insert,
                      db.Prepare("INSERT INTO fax_ids (direction) VALUES (:direction)"));
  FG_RETURN_IF_ERROR(insert.Bind(":direction", direction).Run());
  return db.LastInsertId();
}

namespace {

Result<std::unique_ptr<Store>> Open(const std::filesystem::path& path) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) return MakeError(ErrorCode::kIo, ec.message());
  FG_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, Db::Open(path));
  FG_RETURN_IF_ERROR(Migrate(*db));
  return std::unique_ptr<Store>(new SqliteStore(std::move(db)));
}

}  // namespace
}  // namespace sqlite

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::filesystem::path& path) {
  Result<std::unique_ptr<Store>> store = sqlite::Open(path);
  if (store.ok()) return store;
  // Whatever went wrong, the daemon cannot start; the message names the file.
  return MakeError(store.error().code, fmt::format("cannot open database {}: {}", path.string(),
                                                   store.error().message));
}

}  // namespace faxgate
