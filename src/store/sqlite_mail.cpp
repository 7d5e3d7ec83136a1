// Mail: submission origins, the outgoing mail queue with its recipients, which jobs and
// receptions have had their mails written, handled mails, mail servers and mail templates.
#include <fmt/format.h>

#include "store/internal/errors.h"
#include "store/internal/sqlite_store.h"

namespace faxgate::sqlite {
namespace {

TimePoint Now() {
  return TimePoint{std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch())};
}

Result<SubmissionOrigin> SelectOrigin(Db& db, GroupId group) {
  FG_ASSIGN_OR_RETURN(Statement s,
                      db.Prepare("SELECT g.origin_channel, g.origin_message_id, g.origin_reply_to,"
                                 " g.origin_mail_subject, m.message_key, g.origin_mdn_to,"
                                 " g.origin_mail_recipient, g.origin_mdn_sent FROM job_groups g"
                                 " LEFT JOIN mail_seen m ON m.group_id = g.id WHERE g.id = :id"));
  s.Bind(":id", group);
  FG_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFound(fmt::format("no submission {}", group));
  Row r(s);
  SubmissionOrigin o;
  o.channel = r.Text();
  o.message_id = r.Text();
  o.reply_to = r.Text();
  o.mail_subject = r.Text();
  o.message_key = r.Text();
  o.mdn_to = r.Text();
  o.mail_recipient = r.Text();
  o.mdn_sent = r.Int() != 0;
  return o;
}

Status InsertRecipients(Db& db, int64_t mail_id, const std::vector<QueuedMailRecipient>& rcpts) {
  FG_ASSIGN_OR_RETURN(Statement clear,
                      db.Prepare("DELETE FROM mail_queue_recipients WHERE mail_id = :id"));
  FG_RETURN_IF_ERROR(clear.Bind(":id", mail_id).Run());
  FG_ASSIGN_OR_RETURN(Statement s,
                      db.Prepare("INSERT INTO mail_queue_recipients (mail_id, ordinal, address,"
                                 " notify, orcpt, outcome) VALUES (:id, :ordinal, :address,"
                                 " :notify, :orcpt, :outcome)"));
  for (size_t i = 0; i < rcpts.size(); ++i) {
    FG_RETURN_IF_ERROR(s.Bind(":id", mail_id)
                           .Bind(":ordinal", static_cast<int64_t>(i))
                           .Bind(":address", rcpts[i].address)
                           .Bind(":notify", rcpts[i].notify)
                           .Bind(":orcpt", rcpts[i].orcpt)
                           .Bind(":outcome", rcpts[i].outcome)
                           .Run());
  }
  return Status::Ok();
}

Status InsertMail(Db& db, const QueuedMail& m, TimePoint now) {
  FG_ASSIGN_OR_RETURN(
      Statement s,
      db.Prepare("INSERT INTO mail_queue (kind, fax_id, envid, mail_from, ret, message_hash,"
                 " subject, state, attempts, created_at, next_try_at, sent_at, last_result)"
                 " VALUES (:kind, :fax_id, :envid, :mail_from, :ret, :message_hash, :subject,"
                 " :state, :attempts, :created_at, :next_try_at, :sent_at, :last_result)"));
  s.Bind(":kind", m.kind)
      .Bind(":fax_id", m.fax_id)
      .Bind(":envid", m.envid)
      .Bind(":mail_from", m.mail_from)
      .Bind(":ret", m.ret)
      .Bind(":message_hash", m.message_hash)
      .Bind(":subject", m.subject)
      .Bind(":state", ToString(m.state))
      .Bind(":attempts", m.attempts)
      .Bind(":created_at", now)
      .Bind(":next_try_at", m.next_try_at == TimePoint{} ? now : m.next_try_at)
      .Bind(":sent_at", m.sent_at)
      .Bind(":last_result", m.last_result);
  FG_RETURN_IF_ERROR(s.Run());
  return InsertRecipients(db, db.LastInsertId(), m.recipients);
}

Status MarkDone(Db& db, const char* sql, int64_t id, const char* what) {
  FG_ASSIGN_OR_RETURN(Statement s, db.Prepare(sql));
  FG_RETURN_IF_ERROR(s.Bind(":id", id).Run());
  if (db.Changes() == 0) return NotFound(fmt::format("no {} {}", what, id));
  return Status::Ok();
}

Status InsertMailBatch(Db& db, const std::vector<QueuedMail>& mails, const MailEffects& fx) {
  const TimePoint now = Now();
  FG_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db));
  for (const QueuedMail& m : mails) FG_RETURN_IF_ERROR(InsertMail(db, m, now));
  if (fx.notified_job) {
    FG_RETURN_IF_ERROR(
        MarkDone(db, "UPDATE jobs SET notified = 1 WHERE id = :id", *fx.notified_job, "job"));
  }
  if (fx.mdn_sent_for) {
    FG_RETURN_IF_ERROR(MarkDone(db, "UPDATE job_groups SET origin_mdn_sent = 1 WHERE id = :id",
                                *fx.mdn_sent_for, "submission"));
  }
  if (fx.mailed_inbound) {
    FG_RETURN_IF_ERROR(MarkDone(db, "UPDATE inbound_faxes SET mailed = 1 WHERE id = :id",
                                *fx.mailed_inbound, "received fax"));
  }
  if (!fx.seen_message_key.empty()) {
    FG_ASSIGN_OR_RETURN(Statement s,
                        db.Prepare("INSERT OR IGNORE INTO mail_seen (message_key, outcome, at)"
                                   " VALUES (:key, :outcome, :at)"));
    FG_RETURN_IF_ERROR(s.Bind(":key", fx.seen_message_key)
                           .Bind(":outcome", fx.seen_outcome)
                           .Bind(":at", now)
                           .Run());
  }
  return tx.Commit();
}

constexpr const char* kSelectMail =
    "SELECT id, kind, fax_id, envid, mail_from, ret, message_hash, subject, state, attempts,"
    " created_at, next_try_at, sent_at, last_result FROM mail_queue";

Status LoadRecipients(Db& db, QueuedMail& m) {
  FG_ASSIGN_OR_RETURN(Statement s,
                      db.Prepare("SELECT address, notify, orcpt, outcome FROM"
                                 " mail_queue_recipients WHERE mail_id = :id ORDER BY ordinal"));
  s.Bind(":id", m.id);
  while (true) {
    FG_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status::Ok();
    Row r(s);
    QueuedMailRecipient& rcpt = m.recipients.emplace_back();
    rcpt.address = r.Text();
    rcpt.notify = r.Text();
    rcpt.orcpt = r.Text();
    rcpt.outcome = r.Text();
  }
}

Result<std::vector<QueuedMail>> SelectMails(Db& db, Statement& s) {
  std::vector<QueuedMail> mails;
  while (true) {
    FG_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    Row r(s);
    QueuedMail& m = mails.emplace_back();
    m.id = r.Int();
    m.kind = r.Text();
    m.fax_id = r.OptionalInt();
    m.envid = r.Text();
    m.mail_from = r.Text();
    m.ret = r.Text();
    m.message_hash = r.Text();
    m.subject = r.Text();
    std::string state = r.Text();
    auto parsed = ParseQueuedMailState(state);
    if (!parsed) return BadValue(fmt::format("mail {}", m.id), "state", state);
    m.state = *parsed;
    m.attempts = r.Int32();
    m.created_at = r.Time();
    m.next_try_at = r.Time();
    m.sent_at = r.OptionalTime();
    m.last_result = r.Text();
  }
  for (QueuedMail& m : mails) FG_RETURN_IF_ERROR(LoadRecipients(db, m));
  return mails;
}

Result<std::vector<QueuedMail>> SelectDue(Db& db, TimePoint now, int limit) {
  FG_ASSIGN_OR_RETURN(Statement s, db.Prepare(std::string(kSelectMail) +
                                              " WHERE state = 'queued' AND next_try_at <= :now"
                                              " ORDER BY next_try_at, id LIMIT :limit"));
  s.Bind(":now", now).Bind(":limit", limit);
  return SelectMails(db, s);
}

Result<std::optional<TimePoint>> SelectNextDue(Db& db) {
  FG_ASSIGN_OR_RETURN(Statement s, db.Prepare("SELECT MIN(next_try_at) FROM mail_queue"
                                              " WHERE state = 'queued'"));
  FG_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<TimePoint>();
  Row r(s);
  return r.OptionalTime();
}

Status SaveMail(Db& db, const QueuedMail& m) {
  FG_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db));
  FG_ASSIGN_OR_RETURN(Statement s,
                      db.Prepare("UPDATE mail_queue SET state = :state, attempts = :attempts,"
                                 " next_try_at = :next_try_at, sent_at = :sent_at,"
                                 " last_result = :last_result WHERE id = :id"));
  FG_RETURN_IF_ERROR(s.Bind(":state", ToString(m.state))
                         .Bind(":attempts", m.attempts)
                         .Bind(":next_try_at", m.next_try_at)
                         .Bind(":sent_at", m.sent_at)
                         .Bind(":last_result", m.last_result)
                         .Bind(":id", m.id)
                         .Run());
  if (db.Changes() == 0) return NotFound(fmt::format("no queued mail {}", m.id));
  FG_RETURN_IF_ERROR(InsertRecipients(db, m.id, m.recipients));
  return tx.Commit();
}

Result<QueuedMail> SelectByEnvid(Db& db, const std::string& envid) {
  FG_ASSIGN_OR_RETURN(Statement s, db.Prepare(std::string(kSelectMail) + " WHERE envid = :envid"));
  s.Bind(":envid", envid);
  FG_ASSIGN_OR_RETURN(std::vector<QueuedMail> mails, SelectMails(db, s));
  if (mails.empty()) return NotFound(fmt::format("no mail with id {}", envid));
  return std::move(mails[0]);
}

Result<std::vector<QueuedMail>> SelectAbout(Db& db, int64_t fax_id) {
  FG_ASSIGN_OR_RETURN(Statement s,
                      db.Prepare(std::string(kSelectMail) + " WHERE fax_id = :fax ORDER BY id"));
  s.Bind(":fax", fax_id);
  return SelectMails(db, s);
}

Result<bool> SelectSeen(Db& db, const std::string& key) {
  FG_ASSIGN_OR_RETURN(Statement s, db.Prepare("SELECT 1 FROM mail_seen WHERE message_key = :key"));
  s.Bind(":key", key);
  return s.Step();
}

Result<std::vector<MailServer>> SelectServers(Db& db) {
  FG_ASSIGN_OR_RETURN(Statement s,
                      db.Prepare("SELECT name, protocol, host, port, tls, verify_certificate,"
                                 " ca_file, user_name, password, folder, enabled, updated_at"
                                 " FROM mail_servers ORDER BY name"));
  std::vector<MailServer> servers;
  while (true) {
    FG_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return servers;
    Row r(s);
    MailServer& m = servers.emplace_back();
    m.name = r.Text();
    m.protocol = r.Text();
    m.host = r.Text();
    m.port = r.Int32();
    m.tls = r.Text();
    m.verify_certificate = r.Bool();
    m.ca_file = r.Text();
    m.user = r.Text();
    m.password = r.Text();
    m.folder = r.Text();
    m.enabled = r.Bool();
    m.updated_at = r.Time();
  }
}

Status UpsertServer(Db& db, const MailServer& m) {
  FG_ASSIGN_OR_RETURN(
      Statement s,
      db.Prepare("INSERT OR REPLACE INTO mail_servers (name, protocol, host, port, tls,"
                 " verify_certificate, ca_file, user_name, password, folder, enabled, updated_at)"
                 " VALUES (:name, :protocol, :host, :port, :tls, :verify, :ca_file, :user,"
                 " :password, :folder, :enabled, :updated_at)"));
  return s.Bind(":name", m.name)
      .Bind(":protocol", m.protocol)
      .Bind(":host", m.host)
      .Bind(":port", m.port)
      .Bind(":tls", m.tls)
      .Bind(":verify", m.verify_certificate)
      .Bind(":ca_file", m.ca_file)
      .Bind(":user", m.user)
      .Bind(":password", m.password)
      .Bind(":folder", m.folder)
      .Bind(":enabled", m.enabled)
      .Bind(":updated_at", m.updated_at == TimePoint{} ? Now() : m.updated_at)
      .Run();
}

Result<std::vector<MailTemplateRecord>> SelectTemplates(Db& db) {
  FG_ASSIGN_OR_RETURN(Statement s, db.Prepare("SELECT name, language, subject, body, updated_at"
                                              " FROM mail_templates ORDER BY name, language"));
  std::vector<MailTemplateRecord> records;
  while (true) {
    FG_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return records;
    Row r(s);
    MailTemplateRecord& t = records.emplace_back();
    t.name = r.Text();
    t.language = r.Text();
    t.subject = r.Text();
    t.body = r.Text();
    t.updated_at = r.Time();
  }
}

Status UpsertTemplate(Db& db, const MailTemplateRecord& t) {
  FG_ASSIGN_OR_RETURN(Statement s,
                      db.Prepare("INSERT OR REPLACE INTO mail_templates (name, language, subject,"
                                 " body, updated_at) VALUES (:name, :language, :subject, :body,"
                                 " :updated_at)"));
  return s.Bind(":name", t.name)
      .Bind(":language", t.language)
      .Bind(":subject", t.subject)
      .Bind(":body", t.body)
      .Bind(":updated_at", t.updated_at == TimePoint{} ? Now() : t.updated_at)
      .Run();
}

Status DeleteWhere(Db& db, const char* sql, const std::string& a, const std::string& b,
                   const std::string& what) {
  FG_ASSIGN_OR_RETURN(Statement s, db.Prepare(sql));
  s.Bind(":a", a);
  if (!b.empty()) s.Bind(":b", b);
  FG_RETURN_IF_ERROR(s.Run());
  if (db.Changes() == 0) return NotFound(fmt::format("no {}", what));
  return Status::Ok();
}

}  // namespace

Result<SubmissionOrigin> SqliteStore::GetSubmissionOrigin(GroupId group) {
  std::lock_guard lock(mu_);
  return WithContext(SelectOrigin(*db_, group), fmt::format("read origin of submission {}", group));
}

Status SqliteStore::EnqueueMail(const std::vector<QueuedMail>& mails, const MailEffects& effects) {
  std::lock_guard lock(mu_);
  return WithContext(InsertMailBatch(*db_, mails, effects), "queue outgoing mail");
}

Result<std::vector<QueuedMail>> SqliteStore::ListDueMail(TimePoint now, int limit) {
  std::lock_guard lock(mu_);
  return WithContext(SelectDue(*db_, now, limit), "list mail due for sending");
}

Result<std::optional<TimePoint>> SqliteStore::NextMailDue() {
  std::lock_guard lock(mu_);
  return WithContext(SelectNextDue(*db_), "find the next mail due");
}

Status SqliteStore::UpdateQueuedMail(const QueuedMail& mail) {
  std::lock_guard lock(mu_);
  return WithContext(SaveMail(*db_, mail), fmt::format("save queued mail {}", mail.id));
}

Result<int> SqliteStore::MakeQueuedMailDue(TimePoint now) {
  std::lock_guard lock(mu_);
  auto run = [&]() -> Result<int> {
    FG_ASSIGN_OR_RETURN(Statement s,
                        db_->Prepare("UPDATE mail_queue SET next_try_at = :now"
                                     " WHERE state = 'queued' AND next_try_at > :now"));
    FG_RETURN_IF_ERROR(s.Bind(":now", now).Run());
    return static_cast<int>(db_->Changes());
  };
  return WithContext(run(), "make queued mail due");
}

Result<QueuedMail> SqliteStore::FindMailByEnvid(const std::string& envid) {
  std::lock_guard lock(mu_);
  return WithContext(SelectByEnvid(*db_, envid), fmt::format("find mail {}", envid));
}

Result<std::vector<QueuedMail>> SqliteStore::ListMailAbout(int64_t fax_id) {
  std::lock_guard lock(mu_);
  return WithContext(SelectAbout(*db_, fax_id), fmt::format("list mail about fax {}", fax_id));
}

Result<std::vector<Job>> SqliteStore::ListJobsToNotify(int limit) {
  std::lock_guard lock(mu_);
  return WithContext(
      SelectJobsWhere(*db_, "j.notified = 0 AND j.state IN ('succeeded', 'failed', 'cancelled')",
                      limit),
      "list finished jobs to notify");
}

Result<std::vector<InboundFax>> SqliteStore::ListInboundToMail(int limit) {
  std::lock_guard lock(mu_);
  return WithContext(
      SelectInboundWhere(*db_, "f.mailed = 0 AND f.state IN ('received', 'failed')", limit),
      "list received faxes to mail");
}

Result<bool> SqliteStore::MailSeen(const std::string& message_key) {
  std::lock_guard lock(mu_);
  return WithContext(SelectSeen(*db_, message_key), fmt::format("look up mail {}", message_key));
}

Result<std::vector<MailServer>> SqliteStore::ListMailServers() {
  std::lock_guard lock(mu_);
  return WithContext(SelectServers(*db_), "list mail servers");
}

Status SqliteStore::PutMailServer(const MailServer& server) {
  std::lock_guard lock(mu_);
  return WithContext(UpsertServer(*db_, server), fmt::format("save mail server '{}'", server.name));
}

Status SqliteStore::DeleteMailServer(const std::string& name) {
  std::lock_guard lock(mu_);
  return WithContext(DeleteWhere(*db_, "DELETE FROM mail_servers WHERE name = :a", name, "",
                                 fmt::format("mail server '{}'", name)),
                     fmt::format("delete mail server '{}'", name));
}

Result<std::vector<MailTemplateRecord>> SqliteStore::ListMailTemplates() {
  std::lock_guard lock(mu_);
  return WithContext(SelectTemplates(*db_), "list mail templates");
}

Status SqliteStore::PutMailTemplate(const MailTemplateRecord& record) {
  std::lock_guard lock(mu_);
  return WithContext(UpsertTemplate(*db_, record),
                     fmt::format("save mail template {}/{}", record.name, record.language));
}

Status SqliteStore::DeleteMailTemplate(const std::string& name, const std::string& language) {
  std::lock_guard lock(mu_);
  return WithContext(
      DeleteWhere(*db_, "DELETE FROM mail_templates WHERE name = :a AND language = :b", name,
                  language, fmt::format("stored mail template {}/{}", name, language)),
      fmt::format("delete mail template {}/{}", name, language));
}

}  // namespace faxgate::sqlite
