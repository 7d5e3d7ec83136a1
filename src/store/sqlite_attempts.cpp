// Call attempts of outbound jobs.
#include <fmt/format.h>

#include "store/internal/errors.h"
#include "store/internal/sqlite_store.h"

namespace faxgate::sqlite {
namespace {

// Column order is the order ReadAttempt reads them in.
constexpr const char* kSelectAttempts =
    "SELECT id, job_id, number, dial_string, trunk, call_id, started_at, ended_at, result,"
    " result_code, reason, first_page, pages_sent, bit_rate, compression, ecm, resolution,"
    " remote_ident, duration_ms FROM attempts";

// What EndAttempt writes: everything but the attempt's identity (id, job, number, start).
constexpr const char* kAttemptFields =
    "dial_string = :dial_string, trunk = :trunk, call_id = :call_id, ended_at = :ended_at,"
    " result = :result, result_code = :result_code, reason = :reason,"
    " first_page = :first_page, pages_sent = :pages_sent, bit_rate = :bit_rate,"
    " compression = :compression, ecm = :ecm, resolution = :resolution,"
    " remote_ident = :remote_ident, duration_ms = :duration_ms";

void BindAttemptFields(Statement& s, const Attempt& a) {
  s.Bind(":dial_string", a.dial_string)
      .Bind(":trunk", a.trunk)
      .Bind(":call_id", a.call_id)
      .Bind(":ended_at", a.ended_at)
      .Bind(":result", ToString(a.result))
      .Bind(":result_code", a.result_code)
      .Bind(":reason", a.reason)
      .Bind(":first_page", a.first_page)
      .Bind(":pages_sent", a.pages_sent)
      .Bind(":bit_rate", a.bit_rate)
      .Bind(":compression", a.compression)
      .Bind(":ecm", a.ecm)
      .Bind(":resolution", a.resolution)
      .Bind(":remote_ident", a.remote_ident)
      .Bind(":duration_ms", a.duration_ms);
}

Result<Attempt> ReadAttempt(const Statement& s) {
  Row r(s);
  Attempt a;
  a.id = r.Int();
  a.job_id = r.Int();
  a.number = r.Int32();
  a.dial_string = r.Text();
  a.trunk = r.Text();
  a.call_id = r.Text();
  a.started_at = r.Time();
  a.ended_at = r.OptionalTime();
  std::string result = r.Text();
  auto parsed = ParseFailureKind(result);
  if (!parsed) return BadValue(fmt::format("attempt {}", a.id), "result", result);
  a.result = *parsed;
  a.result_code = r.Int32();
  a.reason = r.Text();
  a.first_page = r.Int32();
  a.pages_sent = r.Int32();
  a.bit_rate = r.Int32();
  a.compression = r.Text();
  a.ecm = r.Bool();
  a.resolution = r.Text();
  a.remote_ident = r.Text();
  a.duration_ms = r.Int();
  return a;
}

Result<std::vector<Attempt>> ReadAttempts(Statement& s) {
  std::vector<Attempt> attempts;
  while (true) {
    FG_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return attempts;
    FG_ASSIGN_OR_RETURN(Attempt a, ReadAttempt(s));
    attempts.push_back(std::move(a));
  }
}

Status CheckJobExists(Db& db, JobId id) {
  FG_ASSIGN_OR_RETURN(Statement s, db.Prepare("SELECT 1 FROM jobs WHERE id = :id"));
  s.Bind(":id", id);
  FG_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFound(fmt::format("no job {}", id));
  return Status::Ok();
}

Result<int64_t> InsertAttempt(Db& db, const Attempt& a) {
  FG_RETURN_IF_ERROR(CheckJobExists(db, a.job_id));
  FG_ASSIGN_OR_RETURN(
      Statement s,
      db.Prepare("INSERT INTO attempts (job_id, number, started_at, dial_string, trunk, call_id,"
                 " ended_at, result, result_code, reason, first_page, pages_sent, bit_rate,"
                 " compression, ecm, resolution, remote_ident, duration_ms)"
                 " VALUES (:job_id, :number, :started_at, :dial_string, :trunk, :call_id,"
                 " :ended_at, :result, :result_code, :reason, :first_page, :pages_sent,"
                 " :bit_rate, :compression, :ecm, :resolution, :remote_ident, :duration_ms)"));
  s.Bind(":job_id", a.job_id).Bind(":number", a.number).Bind(":started_at", a.started_at);
  BindAttemptFields(s, a);
  FG_RETURN_IF_ERROR(s.Run());
  return db.LastInsertId();
}

Status SaveAttempt(Db& db, const Attempt& a) {
  FG_ASSIGN_OR_RETURN(Statement s, db.Prepare(std::string("UPDATE attempts SET ") + kAttemptFields +
                                              " WHERE id = :id"));
  s.Bind(":id", a.id);
  BindAttemptFields(s, a);
  FG_RETURN_IF_ERROR(s.Run());
  if (db.Changes() == 0) return NotFound(fmt::format("no attempt {}", a.id));
  return Status::Ok();
}

Result<std::vector<Attempt>> SelectAttempts(Db& db, JobId job) {
  FG_ASSIGN_OR_RETURN(Statement s, db.Prepare(std::string(kSelectAttempts) +
                                              " WHERE job_id = :job_id ORDER BY number, id"));
  s.Bind(":job_id", job);
  return ReadAttempts(s);
}

Result<std::vector<Attempt>> SelectOpenAttempts(Db& db) {
  FG_ASSIGN_OR_RETURN(Statement s, db.Prepare(std::string(kSelectAttempts) +
                                              " WHERE ended_at IS NULL ORDER BY id"));
  return ReadAttempts(s);
}

}  // namespace

Result<int64_t> SqliteStore::BeginAttempt(const Attempt& attempt) {
  std::lock_guard lock(mu_);
  return WithContext(InsertAttempt(*db_, attempt),
                     fmt::format("record attempt {} of job {}", attempt.number, attempt.job_id));
}

Status SqliteStore::EndAttempt(const Attempt& attempt) {
  std::lock_guard lock(mu_);
  return WithContext(SaveAttempt(*db_, attempt),
                     fmt::format("save attempt {} of job {}", attempt.number, attempt.job_id));
}

Result<std::vector<Attempt>> SqliteStore::ListAttempts(JobId job) {
  std::lock_guard lock(mu_);
  return WithContext(SelectAttempts(*db_, job), fmt::format("list attempts of job {}", job));
}

Result<std::vector<Attempt>> SqliteStore::ListOpenAttempts() {
  std::lock_guard lock(mu_);
  return WithContext(SelectOpenAttempts(*db_), "list calls in progress");
}

}  // namespace faxgate::sqlite
