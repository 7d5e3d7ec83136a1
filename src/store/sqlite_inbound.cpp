// Received faxes.
#include <fmt/format.h>

#include "store/internal/errors.h"
#include "store/internal/list_query.h"
#include "store/internal/sqlite_store.h"

namespace faxgate::sqlite {
namespace {

// Column order is the order ReadInbound reads them in. The inbox owner is optional, hence the
// LEFT JOIN.
constexpr const char* kSelectInbound =
    "SELECT f.id, f.owner_id, u.name, f.called_number, f.caller_number, f.remote_ident,"
    " f.trunk, f.call_id, f.state, f.pages, f.document, f.file_size, f.started_at, f.ended_at,"
    " f.duration_ms, f.bit_rate, f.compression, f.ecm, f.resolution, f.result_code, f.reason"
    " FROM inbound_faxes f LEFT JOIN users u ON u.id = f.owner_id";

// Every field but the id, shared by INSERT and UPDATE.
constexpr const char* kInboundFields =
    "owner_id = :owner_id, called_number = :called_number, caller_number = :caller_number,"
    " remote_ident = :remote_ident, trunk = :trunk, call_id = :call_id, state = :state,"
    " pages = :pages, document = :document, file_size = :file_size, started_at = :started_at,"
    " ended_at = :ended_at, duration_ms = :duration_ms, bit_rate = :bit_rate,"
    " compression = :compression, ecm = :ecm, resolution = :resolution,"
    " result_code = :result_code, reason = :reason";

void BindInboundFields(Statement& s, const InboundFax& f) {
  s.Bind(":owner_id", f.owner_id)
      .Bind(":called_number", f.called_number)
      .Bind(":caller_number", f.caller_number)
      .Bind(":remote_ident", f.remote_ident)
      .Bind(":trunk", f.trunk)
      .Bind(":call_id", f.call_id)
      .Bind(":state", ToString(f.state))
      .Bind(":pages", f.pages)
      .Bind(":document", f.document)
      .Bind(":file_size", f.file_size)
      .Bind(":started_at", f.started_at)
      .Bind(":ended_at", f.ended_at)
      .Bind(":duration_ms", f.duration_ms)
      .Bind(":bit_rate", f.bit_rate)
      .Bind(":compression", f.compression)
      .Bind(":ecm", f.ecm)
      .Bind(":resolution", f.resolution)
      .Bind(":result_code", f.result_code)
      .Bind(":reason", f.reason);
}

Result<InboundFax> ReadInbound(const Statement& s) {
  Row r(s);
  InboundFax f;
  f.id = r.Int();
  f.owner_id = r.OptionalInt();
  f.owner_name = r.Text();
  f.called_number = r.Text();
  f.caller_number = r.Text();
  f.remote_ident = r.Text();
  f.trunk = r.Text();
  f.call_id = r.Text();
  std::string state = r.Text();
  auto parsed = ParseInboundState(state);
  if (!parsed) return BadValue(fmt::format("inbound fax {}", f.id), "state", state);
  f.state = *parsed;
  f.pages = r.Int32();
  f.document = r.Text();
  f.file_size = r.Int();
  f.started_at = r.Time();
  f.ended_at = r.OptionalTime();
  f.duration_ms = r.Int();
  f.bit_rate = r.Int32();
  f.compression = r.Text();
  f.ecm = r.Bool();
  f.resolution = r.Text();
  f.result_code = r.Int32();
  f.reason = r.Text();
  return f;
}

Result<InboundFax> LoadInbound(Db& db, InboundId id) {
  FG_ASSIGN_OR_RETURN(Statement s, db.Prepare(std::string(kSelectInbound) + " WHERE f.id = :id"));
  s.Bind(":id", id);
  FG_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFound(fmt::format("no inbound fax {}", id));
  return ReadInbound(s);
}

Status CheckOwner(Db& db, const std::optional<UserId>& owner) {
  if (!owner) return Status::Ok();
  FG_RETURN_IF_ERROR(UserName(db, *owner));
  return Status::Ok();
}

Result<InboundFax> InsertInbound(Db& db, const InboundFax& fax) {
  FG_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db));
  FG_RETURN_IF_ERROR(CheckOwner(db, fax.owner_id));
  FG_ASSIGN_OR_RETURN(InboundId id, NewFaxId(db, "in"));
  FG_ASSIGN_OR_RETURN(
      Statement s,
      db.Prepare("INSERT INTO inbound_faxes (id, owner_id, called_number, caller_number,"
                 " remote_ident, trunk, call_id, state, pages, document, file_size, started_at,"
                 " ended_at, duration_ms, bit_rate, compression, ecm, resolution, result_code,"
                 " reason) VALUES (:id, :owner_id, :called_number, :caller_number,"
                 " :remote_ident, :trunk, :call_id, :state, :pages, :document, :file_size,"
                 " :started_at, :ended_at, :duration_ms, :bit_rate, :compression, :ecm,"
                 " :resolution, :result_code, :reason)"));
  s.Bind(":id", id);
  BindInboundFields(s, fax);
  FG_RETURN_IF_ERROR(s.Run());
  FG_RETURN_IF_ERROR(tx.Commit());
  return LoadInbound(db, id);
}

Status SaveInbound(Db& db, const InboundFax& fax) {
  FG_RETURN_IF_ERROR(CheckOwner(db, fax.owner_id));
  FG_ASSIGN_OR_RETURN(Statement s, db.Prepare(std::string("UPDATE inbound_faxes SET ") +
                                              kInboundFields + " WHERE id = :id"));
  s.Bind(":id", fax.id);
  BindInboundFields(s, fax);
  FG_RETURN_IF_ERROR(s.Run());
  if (db.Changes() == 0) return NotFound(fmt::format("no inbound fax {}", fax.id));
  return Status::Ok();
}

ListFilter ToListFilter(const InboundFilter& f) {
  ListFilter list{f.owner_id, {}, f.since, f.until, f.before_id, f.limit};
  for (InboundState state : f.states) list.states.emplace_back(ToString(state));
  return list;
}

Result<std::vector<InboundFax>> SelectInbound(Db& db, const InboundFilter& filter) {
  ListFilter list = ToListFilter(filter);
  FG_ASSIGN_OR_RETURN(std::string sql, ListSql(kSelectInbound, "f", "started_at", list));
  FG_ASSIGN_OR_RETURN(Statement s, db.Prepare(sql));
  BindList(s, list);
  std::vector<InboundFax> faxes;
  while (true) {
    FG_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return faxes;
    FG_ASSIGN_OR_RETURN(InboundFax fax, ReadInbound(s));
    faxes.push_back(std::move(fax));
  }
}

}  // namespace

Result<std::vector<InboundFax>> SelectInboundWhere(Db& db, const std::string& where, int limit) {
  FG_ASSIGN_OR_RETURN(Statement s, db.Prepare(std::string(kSelectInbound) + " WHERE " + where +
                                              " ORDER BY f.id LIMIT :limit"));
  s.Bind(":limit", limit);
  std::vector<InboundFax> faxes;
  while (true) {
    FG_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return faxes;
    FG_ASSIGN_OR_RETURN(InboundFax fax, ReadInbound(s));
    faxes.push_back(std::move(fax));
  }
}

Result<InboundFax> SqliteStore::CreateInbound(const InboundFax& fax) {
  std::lock_guard lock(mu_);
  return WithContext(InsertInbound(*db_, fax),
                     fmt::format("save fax received on {}", fax.called_number));
}

Status SqliteStore::UpdateInbound(const InboundFax& fax) {
  std::lock_guard lock(mu_);
  return WithContext(SaveInbound(*db_, fax), fmt::format("save inbound fax {}", fax.id));
}

Result<InboundFax> SqliteStore::GetInbound(InboundId id) {
  std::lock_guard lock(mu_);
  return WithContext(LoadInbound(*db_, id), fmt::format("read inbound fax {}", id));
}

Result<std::vector<InboundFax>> SqliteStore::ListInbound(const InboundFilter& filter) {
  std::lock_guard lock(mu_);
  return WithContext(SelectInbound(*db_, filter), "list inbound faxes");
}

}  // namespace faxgate::sqlite
