// Cover page templates administrators store (table cover_templates).
#include <fmt/format.h>

#include "store/internal/errors.h"
#include "store/internal/sqlite_store.h"

namespace faxgate::sqlite {
namespace {

Result<std::vector<CoverTemplateRecord>> SelectTemplates(Db& db, const std::string* name) {
  FG_ASSIGN_OR_RETURN(Statement s, db.Prepare(name ? "SELECT name, title, svg, updated_at FROM"
                                                     " cover_templates WHERE name = :name"
                                                   : "SELECT name, title, svg, updated_at FROM"
                                                     " cover_templates ORDER BY name"));
  if (name) s.Bind(":name", *name);
  std::vector<CoverTemplateRecord> out;
  while (true) {
    FG_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return out;
    Row r(s);
    CoverTemplateRecord& t = out.emplace_back();
    t.name = r.Text();
    t.title = r.Text();
    t.svg = r.Text();
    t.updated_at = r.Time();
  }
}

Status UpsertTemplate(Db& db, const CoverTemplateRecord& t) {
  FG_ASSIGN_OR_RETURN(Statement s,
                      db.Prepare("INSERT INTO cover_templates (name, title, svg, updated_at)"
                                 " VALUES (:name, :title, :svg, :updated_at)"
                                 " ON CONFLICT (name) DO UPDATE SET title = excluded.title,"
                                 " svg = excluded.svg, updated_at = excluded.updated_at"));
  return s.Bind(":name", t.name)
      .Bind(":title", t.title)
      .Bind(":svg", t.svg)
      .Bind(":updated_at", t.updated_at)
      .Run();
}

Status RemoveTemplate(Db& db, const std::string& name) {
  FG_ASSIGN_OR_RETURN(Statement s, db.Prepare("DELETE FROM cover_templates WHERE name = :name"));
  FG_RETURN_IF_ERROR(s.Bind(":name", name).Run());
  if (db.Changes() == 0) return NotFound(fmt::format("no stored cover template '{}'", name));
  return Status::Ok();
}

}  // namespace

Result<std::vector<CoverTemplateRecord>> SqliteStore::ListCoverTemplates() {
  std::lock_guard lock(mu_);
  return WithContext(SelectTemplates(*db_, nullptr), "list cover templates");
}

Result<CoverTemplateRecord> SqliteStore::GetCoverTemplate(const std::string& name) {
  std::lock_guard lock(mu_);
  auto found = SelectTemplates(*db_, &name);
  if (!found.ok()) return AddContext(found.error(), "read cover template");
  if (found->empty()) return NotFound(fmt::format("no stored cover template '{}'", name));
  return found->front();
}

Status SqliteStore::PutCoverTemplate(const CoverTemplateRecord& record) {
  std::lock_guard lock(mu_);
  return WithContext(UpsertTemplate(*db_, record),
                     fmt::format("save cover template '{}'", record.name));
}

Status SqliteStore::DeleteCoverTemplate(const std::string& name) {
  std::lock_guard lock(mu_);
  return WithContext(RemoveTemplate(*db_, name), fmt::format("delete cover template '{}'", name));
}

}  // namespace faxgate::sqlite
