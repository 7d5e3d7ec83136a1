// Jobs, their groups and documents.
#include <fmt/format.h>

#include "store/internal/errors.h"
#include "store/internal/list_query.h"
#include "store/internal/sqlite_store.h"

namespace faxgate::sqlite {
namespace {

// Column order is the order ReadJob reads them in.
constexpr const char* kSelectJobs =
    "SELECT j.id, j.group_id, j.owner_id, u.name, j.number_input, j.number_canonical,"
    " j.number_dial_string, j.number_extension, j.number_class, j.number_display,"
    " j.recipient_name, j.subject, j.priority, j.state, j.submitted_at, j.send_at, j.kill_at,"
    " j.next_try_at, j.max_dials, j.max_tries, j.dials, j.tries, j.pages_total, j.pages_sent,"
    " j.document, j.status_text, j.last_failure, j.finished_at, j.recipient_company,"
    " j.resolution, j.paper, j.halftone, j.cover, j.cover_comments"
    " FROM jobs j JOIN users u ON u.id = j.owner_id";

// Every field but the job's identity (id, group, owner, submission time), shared by INSERT and
// UPDATE so that the two cannot drift apart.
constexpr const char* kJobFields =
    "number_input = :number_input, number_canonical = :number_canonical,"
    " number_dial_string = :number_dial_string, number_extension = :number_extension,"
    " number_class = :number_class, number_display = :number_display,"
    " recipient_name = :recipient_name, subject = :subject, priority = :priority,"
    " state = :state, send_at = :send_at, kill_at = :kill_at, next_try_at = :next_try_at,"
    " max_dials = :max_dials, max_tries = :max_tries, dials = :dials, tries = :tries,"
    " pages_total = :pages_total, pages_sent = :pages_sent, document = :document,"
    " status_text = :status_text, last_failure = :last_failure, finished_at = :finished_at,"
    " recipient_company = :recipient_company, resolution = :resolution, paper = :paper,"
    " halftone = :halftone, cover = :cover, cover_comments = :cover_comments";

constexpr CallClass kCallClasses[] = {CallClass::kInternal, CallClass::kLocal, CallClass::kDomestic,
                                      CallClass::kInternational};

std::optional<CallClass> ParseCallClass(std::string_view name) {
  for (CallClass c : kCallClasses)
    if (ToString(c) == name) return c;
  return std::nullopt;
}

// next_try_at and finished_at have no value of their own for "not yet"; the epoch stands in
// for it in Job and NULL in the table.
std::optional<TimePoint> UnlessEpoch(TimePoint t) {
  if (t == TimePoint{}) return std::nullopt;
  return t;
}

void BindJobFields(Statement& s, const Job& job) {
  s.Bind(":number_input", job.number.input)
      .Bind(":number_canonical", job.number.canonical)
      .Bind(":number_dial_string", job.number.dial_string)
      .Bind(":number_extension", job.number.extension)
      .Bind(":number_class", ToString(job.number.call_class))
      .Bind(":number_display", job.number.display)
      .Bind(":recipient_name", job.recipient_name)
      .Bind(":subject", job.subject)
      .Bind(":priority", job.priority)
      .Bind(":state", ToString(job.state))
      .Bind(":send_at", job.send_at)
      .Bind(":kill_at", job.kill_at)
      .Bind(":next_try_at", UnlessEpoch(job.next_try_at))
      .Bind(":max_dials", job.max_dials)
      .Bind(":max_tries", job.max_tries)
      .Bind(":dials", job.dials)
      .Bind(":tries", job.tries)
      .Bind(":pages_total", job.pages_total)
      .Bind(":pages_sent", job.pages_sent)
      .Bind(":document", job.document)
      .Bind(":status_text", job.status_text)
      .Bind(":last_failure", ToString(job.last_failure))
      .Bind(":finished_at", UnlessEpoch(job.finished_at))
      .Bind(":recipient_company", job.recipient_company)
      .Bind(":resolution", job.resolution)
      .Bind(":paper", job.paper)
      .Bind(":halftone", job.halftone)
      .Bind(":cover", job.cover)
      .Bind(":cover_comments", job.cover_comments);
}

Status ReadNumber(Row& r, const std::string& what, PhoneNumber& n) {
  n.input = r.Text();
  n.canonical = r.Text();
  n.dial_string = r.Text();
  n.extension = r.Text();
  std::string call_class = r.Text();
  auto parsed = ParseCallClass(call_class);
  if (!parsed) return BadValue(what, "call class", call_class);
  n.call_class = *parsed;
  n.display = r.Text();
  return Status::Ok();
}

Result<Job> ReadJob(const Statement& s) {
  Row r(s);
  Job job;
  job.id = r.Int();
  const std::string what = fmt::format("job {}", job.id);
  job.group_id = r.Int();
  job.owner_id = r.Int();
  job.owner_name = r.Text();
  FG_RETURN_IF_ERROR(ReadNumber(r, what, job.number));
  job.recipient_name = r.Text();
  job.subject = r.Text();
  job.priority = r.Int32();
  std::string state = r.Text();
  auto parsed_state = ParseJobState(state);
  if (!parsed_state) return BadValue(what, "state", state);
  job.state = *parsed_state;
  job.submitted_at = r.Time();
  job.send_at = r.Time();
  job.kill_at = r.Time();
  job.next_try_at = r.OptionalTime().value_or(TimePoint{});
  job.max_dials = r.Int32();
  job.max_tries = r.Int32();
  job.dials = r.Int32();
  job.tries = r.Int32();
  job.pages_total = r.Int32();
  job.pages_sent = r.Int32();
  job.document = r.Text();
  job.status_text = r.Text();
  std::string failure = r.Text();
  auto parsed_failure = ParseFailureKind(failure);
  if (!parsed_failure) return BadValue(what, "failure kind", failure);
  job.last_failure = *parsed_failure;
  job.finished_at = r.OptionalTime().value_or(TimePoint{});
  job.recipient_company = r.Text();
  job.resolution = r.Text();
  job.paper = r.Text();
  job.halftone = r.Text();
  job.cover = r.Text();
  job.cover_comments = r.Text();
  return job;
}

Result<std::vector<Job>> ReadJobs(Statement& s) {
  std::vector<Job> jobs;
  while (true) {
    FG_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return jobs;
    FG_ASSIGN_OR_RETURN(Job job, ReadJob(s));
    jobs.push_back(std::move(job));
  }
}

Result<Job> LoadJob(Db& db, JobId id) {
  FG_ASSIGN_OR_RETURN(Statement s, db.Prepare(std::string(kSelectJobs) + " WHERE j.id = :id"));
  s.Bind(":id", id);
  FG_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFound(fmt::format("no job {}", id));
  return ReadJob(s);
}

Result<GroupId> InsertGroup(Db& db, UserId owner, TimePoint submitted_at,
                            const SubmissionOrigin& origin) {
  FG_ASSIGN_OR_RETURN(Statement s,
                      db.Prepare("INSERT INTO job_groups (owner_id, submitted_at, origin_channel,"
                                 " origin_message_id, origin_reply_to, origin_mail_subject,"
                                 " origin_mdn_to, origin_mail_recipient)"
                                 " VALUES (:owner_id, :submitted_at, :channel, :message_id,"
                                 " :reply_to, :mail_subject, :mdn_to, :mail_recipient)"));
  FG_RETURN_IF_ERROR(s.Bind(":owner_id", owner)
                         .Bind(":submitted_at", submitted_at)
                         .Bind(":channel", origin.channel)
                         .Bind(":message_id", origin.message_id)
                         .Bind(":reply_to", origin.reply_to)
                         .Bind(":mail_subject", origin.mail_subject)
                         .Bind(":mdn_to", origin.mdn_to)
                         .Bind(":mail_recipient", origin.mail_recipient)
                         .Run());
  return db.LastInsertId();
}

// A mail makes at most one submission: its key is recorded in the same transaction.
Status RecordMailSubmission(Db& db, const std::string& key, GroupId group, TimePoint at) {
  FG_ASSIGN_OR_RETURN(Statement seen,
                      db.Prepare("SELECT 1 FROM mail_seen WHERE message_key = :key"));
  seen.Bind(":key", key);
  FG_ASSIGN_OR_RETURN(bool row, seen.Step());
  if (row) return AlreadyExists(fmt::format("mail {} was handled before", key));
  FG_ASSIGN_OR_RETURN(Statement s,
                      db.Prepare("INSERT INTO mail_seen (message_key, outcome, group_id, at)"
                                 " VALUES (:key, 'submitted', :group_id, :at)"));
  return s.Bind(":key", key).Bind(":group_id", group).Bind(":at", at).Run();
}

// The vector's order is the documents' order; the store numbers them from 0.
Status InsertDocuments(Db& db, GroupId group, const std::vector<Document>& documents) {
  FG_ASSIGN_OR_RETURN(Statement s,
                      db.Prepare("INSERT INTO documents (group_id, ordinal, file_name,"
                                 " content_hash, pages, type, converted_hash) VALUES (:group_id,"
                                 " :ordinal, :file_name, :content_hash, :pages, :type,"
                                 " :converted_hash)"));
  for (size_t i = 0; i < documents.size(); ++i) {
    const Document& d = documents[i];
    s.Bind(":group_id", group)
        .Bind(":ordinal", static_cast<int64_t>(i))
        .Bind(":file_name", d.file_name)
        .Bind(":content_hash", d.content_hash)
        .Bind(":pages", d.pages)
        .Bind(":type", d.type)
        .Bind(":converted_hash", d.converted_hash);
    FG_RETURN_IF_ERROR(s.Run());
  }
  return Status::Ok();
}

Status InsertJob(Db& db, const Job& job) {
  FG_ASSIGN_OR_RETURN(
      Statement s,
      db.Prepare("INSERT INTO jobs (id, group_id, owner_id, submitted_at, number_input,"
                 " number_canonical, number_dial_string, number_extension, number_class,"
                 " number_display, recipient_name, subject, priority, state, send_at, kill_at,"
                 " next_try_at, max_dials, max_tries, dials, tries, pages_total, pages_sent,"
                 " document, status_text, last_failure, finished_at, recipient_company,"
                 " resolution, paper, halftone, cover, cover_comments)"
                 " VALUES (:id, :group_id, :owner_id, :submitted_at, :number_input,"
                 " :number_canonical, :number_dial_string, :number_extension, :number_class,"
                 " :number_display, :recipient_name, :subject, :priority, :state, :send_at,"
                 " :kill_at, :next_try_at, :max_dials, :max_tries, :dials, :tries, :pages_total,"
                 " :pages_sent, :document, :status_text, :last_failure, :finished_at,"
                 " :recipient_company, :resolution, :paper, :halftone, :cover,"
                 " :cover_comments)"));
  s.Bind(":id", job.id)
      .Bind(":group_id", job.group_id)
      .Bind(":owner_id", job.owner_id)
      .Bind(":submitted_at", job.submitted_at);
  BindJobFields(s, job);
  return s.Run();
}

Result<std::vector<Job>> InsertSubmission(Db& db, const NewSubmission& submission) {
  if (submission.jobs.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "a submission needs at least one recipient");
  }
  FG_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db));
  FG_ASSIGN_OR_RETURN(std::string owner_name, UserName(db, submission.owner_id));
  FG_ASSIGN_OR_RETURN(
      GroupId group,
      InsertGroup(db, submission.owner_id, submission.jobs[0].submitted_at, submission.origin));
  if (!submission.origin.message_key.empty()) {
    FG_RETURN_IF_ERROR(RecordMailSubmission(db, submission.origin.message_key, group,
                                            submission.jobs[0].submitted_at));
  }
  FG_RETURN_IF_ERROR(InsertDocuments(db, group, submission.documents));
  std::vector<Job> jobs = submission.jobs;
  for (Job& job : jobs) {
    FG_ASSIGN_OR_RETURN(job.id, NewFaxId(db, "out"));
    job.group_id = group;
    job.owner_id = submission.owner_id;  // the submission's owner owns every job in it
    job.owner_name = owner_name;
    FG_RETURN_IF_ERROR(InsertJob(db, job));
  }
  FG_RETURN_IF_ERROR(tx.Commit());
  return jobs;
}

Status SaveJob(Db& db, const Job& job) {
  FG_ASSIGN_OR_RETURN(Statement s,
                      db.Prepare(std::string("UPDATE jobs SET ") + kJobFields + " WHERE id = :id"));
  s.Bind(":id", job.id);
  BindJobFields(s, job);
  FG_RETURN_IF_ERROR(s.Run());
  if (db.Changes() == 0) return NotFound(fmt::format("no job {}", job.id));
  return Status::Ok();
}

ListFilter ToListFilter(const JobFilter& f) {
  ListFilter list{f.owner_id, {}, f.since, f.until, f.before_id, f.limit, f.group_id};
  for (JobState state : f.states) list.states.emplace_back(ToString(state));
  return list;
}

Result<std::vector<Job>> SelectJobs(Db& db, const JobFilter& filter) {
  ListFilter list = ToListFilter(filter);
  FG_ASSIGN_OR_RETURN(std::string sql, ListSql(kSelectJobs, "j", "submitted_at", list));
  FG_ASSIGN_OR_RETURN(Statement s, db.Prepare(sql));
  BindList(s, list);
  return ReadJobs(s);
}

Result<std::vector<Document>> SelectDocuments(Db& db, GroupId group) {
  FG_ASSIGN_OR_RETURN(Statement s,
                      db.Prepare("SELECT id, group_id, ordinal, file_name, content_hash, pages,"
                                 " type, converted_hash FROM documents"
                                 " WHERE group_id = :group_id ORDER BY ordinal"));
  s.Bind(":group_id", group);
  std::vector<Document> documents;
  while (true) {
    FG_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return documents;
    Row r(s);
    Document& d = documents.emplace_back();
    d.id = r.Int();
    d.group_id = r.Int();
    d.ordinal = r.Int32();
    d.file_name = r.Text();
    d.content_hash = r.Text();
    d.pages = r.Int32();
    d.type = r.Text();
    d.converted_hash = r.Text();
  }
}

Status SaveDocument(Db& db, const Document& d) {
  FG_ASSIGN_OR_RETURN(Statement s, db.Prepare("UPDATE documents SET pages = :pages, type = :type,"
                                              " converted_hash = :converted_hash WHERE id = :id"));
  FG_RETURN_IF_ERROR(s.Bind(":pages", d.pages)
                         .Bind(":type", d.type)
                         .Bind(":converted_hash", d.converted_hash)
                         .Bind(":id", d.id)
                         .Run());
  if (db.Changes() == 0) return NotFound(fmt::format("no document {}", d.id));
  return Status::Ok();
}

Result<std::optional<Conversion>> SelectConversion(Db& db, const std::string& source_hash,
                                                   const std::string& format) {
  FG_ASSIGN_OR_RETURN(Statement s, db.Prepare("SELECT type, tiff_hash, pages FROM conversions"
                                              " WHERE source_hash = :source AND format = :format"));
  s.Bind(":source", source_hash).Bind(":format", format);
  FG_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<Conversion>();
  Row r(s);
  Conversion c;
  c.source_hash = source_hash;
  c.format = format;
  c.type = r.Text();
  c.tiff_hash = r.Text();
  c.pages = r.Int32();
  return std::optional<Conversion>(c);
}

Status InsertConversion(Db& db, const Conversion& c, TimePoint now) {
  FG_ASSIGN_OR_RETURN(Statement s,
                      db.Prepare("INSERT OR REPLACE INTO conversions (source_hash, format, type,"
                                 " tiff_hash, pages, created_at) VALUES (:source, :format, :type,"
                                 " :tiff, :pages, :now)"));
  return s.Bind(":source", c.source_hash)
      .Bind(":format", c.format)
      .Bind(":type", c.type)
      .Bind(":tiff", c.tiff_hash)
      .Bind(":pages", c.pages)
      .Bind(":now", now)
      .Run();
}

}  // namespace

Result<std::vector<Job>> SelectJobsWhere(Db& db, const std::string& where, int limit) {
  FG_ASSIGN_OR_RETURN(Statement s, db.Prepare(std::string(kSelectJobs) + " WHERE " + where +
                                              " ORDER BY j.id LIMIT :limit"));
  s.Bind(":limit", limit);
  return ReadJobs(s);
}

Result<std::vector<Job>> SqliteStore::CreateSubmission(const NewSubmission& submission) {
  std::lock_guard lock(mu_);
  return WithContext(InsertSubmission(*db_, submission),
                     fmt::format("save submission of user {}", submission.owner_id));
}

Result<Job> SqliteStore::GetJob(JobId id) {
  std::lock_guard lock(mu_);
  return WithContext(LoadJob(*db_, id), fmt::format("read job {}", id));
}

Status SqliteStore::UpdateJob(const Job& job) {
  std::lock_guard lock(mu_);
  return WithContext(SaveJob(*db_, job), fmt::format("save job {}", job.id));
}

Result<std::vector<Job>> SqliteStore::ListJobs(const JobFilter& filter) {
  std::lock_guard lock(mu_);
  return WithContext(SelectJobs(*db_, filter), "list jobs");
}

Result<std::vector<Document>> SqliteStore::ListDocuments(GroupId group) {
  std::lock_guard lock(mu_);
  return WithContext(SelectDocuments(*db_, group),
                     fmt::format("list documents of group {}", group));
}

Status SqliteStore::UpdateDocument(const Document& document) {
  std::lock_guard lock(mu_);
  return WithContext(SaveDocument(*db_, document), fmt::format("save document {}", document.id));
}

Result<std::optional<Conversion>> SqliteStore::FindConversion(const std::string& source_hash,
                                                              const std::string& format) {
  std::lock_guard lock(mu_);
  return WithContext(SelectConversion(*db_, source_hash, format), "look up a conversion");
}

Status SqliteStore::PutConversion(const Conversion& conversion) {
  std::lock_guard lock(mu_);
  const TimePoint now{std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch())};
  return WithContext(InsertConversion(*db_, conversion, now), "save a conversion");
}

}  // namespace faxgate::sqlite
