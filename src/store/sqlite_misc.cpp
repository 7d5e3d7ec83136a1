// System settings, the event log and the totals for /metrics.
#include <fmt/format.h>

#include "store/internal/errors.h"
#include "store/internal/sqlite_store.h"

namespace faxgate::sqlite {
namespace {

Result<std::map<std::string, std::string>> SelectSettings(Db& db) {
  FG_ASSIGN_OR_RETURN(Statement s, db.Prepare("SELECT key, value FROM settings"));
  std::map<std::string, std::string> values;
  while (true) {
    FG_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return values;
    values[s.Text(0)] = s.Text(1);
  }
}

Status UpsertSettings(Db& db, const std::map<std::string, std::string>& values) {
  FG_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db));
  FG_ASSIGN_OR_RETURN(Statement s,
                      db.Prepare("INSERT INTO settings (key, value) VALUES (:key, :value)"
                                 " ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
  for (const auto& [key, value] : values) {
    FG_RETURN_IF_ERROR(s.Bind(":key", key).Bind(":value", value).Run());
  }
  return tx.Commit();
}

Status InsertEvent(Db& db, const Event& e) {
  FG_ASSIGN_OR_RETURN(Statement s,
                      db.Prepare("INSERT INTO events (at, level, category, subject, text)"
                                 " VALUES (:at, :level, :category, :subject, :text)"));
  s.Bind(":at", e.at)
      .Bind(":level", e.level)
      .Bind(":category", e.category)
      .Bind(":subject", e.subject)
      .Bind(":text", e.text);
  return s.Run();
}

Result<std::vector<Event>> SelectEvents(Db& db, int limit) {
  if (limit < 1) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("a list limit must be at least 1, not {}", limit));
  }
  FG_ASSIGN_OR_RETURN(Statement s,
                      db.Prepare("SELECT id, at, level, category, subject, text FROM events"
                                 " ORDER BY id DESC LIMIT :limit"));
  s.Bind(":limit", limit);
  std::vector<Event> events;
  while (true) {
    FG_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return events;
    Row r(s);
    Event& e = events.emplace_back();
    e.id = r.Int();
    e.at = r.Time();
    e.level = r.Text();
    e.category = r.Text();
    e.subject = r.Text();
    e.text = r.Text();
  }
}

// Runs a "SELECT <column>, COUNT(*) FROM <table> ... GROUP BY <column>" and puts each parsed
// name's count into `out`; `what` names a row of the table for the error message.
template <typename Enum, typename Parse>
Status CountBy(Db& db, const char* sql, const char* what, const char* column, Parse parse,
               std::map<Enum, int64_t>& out) {
  FG_ASSIGN_OR_RETURN(Statement s, db.Prepare(sql));
  while (true) {
    FG_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status::Ok();
    std::string name = s.Text(0);
    std::optional<Enum> value = parse(name);
    if (!value) return BadValue(what, column, name);
    out[*value] = s.Int(1);
  }
}

// Steps a query that returns one row of integers and reads it into `out` in order.
Status ReadTotals(Statement& s, std::initializer_list<int64_t*> out) {
  FG_ASSIGN_OR_RETURN(bool row, s.Step());
  int column = 0;
  for (int64_t* value : out) *value = row ? s.Int(column++) : 0;
  return Status::Ok();
}

Status CountSent(Db& db, StoreCounters& c) {
  FG_RETURN_IF_ERROR(CountBy(db, "SELECT state, COUNT(*) FROM jobs GROUP BY state", "a job",
                             "state", ParseJobState, c.jobs_by_state));
  // An open attempt has no result yet.
  FG_RETURN_IF_ERROR(CountBy(db,
                             "SELECT result, COUNT(*) FROM attempts"
                             " WHERE ended_at IS NOT NULL GROUP BY result",
                             "an attempt", "result", ParseFailureKind, c.attempts_by_result));
  FG_ASSIGN_OR_RETURN(Statement pages,
                      db.Prepare("SELECT COALESCE(SUM(pages_sent), 0) FROM attempts"));
  return ReadTotals(pages, {&c.pages_sent});
}

Status CountReceived(Db& db, StoreCounters& c) {
  FG_ASSIGN_OR_RETURN(Statement s,
                      db.Prepare("SELECT COUNT(*), COALESCE(SUM(pages), 0) FROM inbound_faxes"
                                 " WHERE state = :state"));
  s.Bind(":state", ToString(InboundState::kReceived));
  return ReadTotals(s, {&c.faxes_received, &c.pages_received});
}

Result<StoreCounters> SelectCounters(Db& db) {
  StoreCounters c;
  FG_RETURN_IF_ERROR(CountSent(db, c));
  FG_RETURN_IF_ERROR(CountReceived(db, c));
  return c;
}

}  // namespace

Result<std::map<std::string, std::string>> SqliteStore::GetSettings() {
  std::lock_guard lock(mu_);
  return WithContext(SelectSettings(*db_), "read settings");
}

Status SqliteStore::PutSettings(const std::map<std::string, std::string>& values) {
  std::lock_guard lock(mu_);
  return WithContext(UpsertSettings(*db_, values), "save settings");
}

Status SqliteStore::AppendEvent(const Event& event) {
  std::lock_guard lock(mu_);
  return WithContext(InsertEvent(*db_, event), fmt::format("log event for {}", event.subject));
}

Result<std::vector<Event>> SqliteStore::ListEvents(int limit) {
  std::lock_guard lock(mu_);
  return WithContext(SelectEvents(*db_, limit), "list events");
}

Result<StoreCounters> SqliteStore::Counters() {
  std::lock_guard lock(mu_);
  return WithContext(SelectCounters(*db_), "count jobs and faxes");
}

}  // namespace faxgate::sqlite
