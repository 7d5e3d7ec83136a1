#include "store/internal/migrations.h"

#include <chrono>
#include <iterator>

#include <fmt/format.h>

#include "base/log.h"

namespace faxgate::sqlite {
namespace {

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

// The logical model stays portable to PostgreSQL: integers, text and NULL, times as Unix
// milliseconds (BIGINT), booleans as 0/1, enums as their domain names. Two SQLite spellings
// stand in for PostgreSQL ones: "INTEGER PRIMARY KEY" (BIGINT GENERATED AS IDENTITY) and
// "AUTOINCREMENT" on fax_ids, which guarantees an id is never handed out twice.
//
// An empty string means "not set" for text; NULL means "not set" for times and the optional
// inbox owner. User.other_emails live in a child table, in order, rather than in an encoding.
constexpr const char* kSchemaV1 = R"sql(
-- Jobs and inbound faxes take their ids from this one sequence, so an id names one fax
-- whichever its direction (the API's /faxes/{id}).
CREATE TABLE fax_ids (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  direction TEXT NOT NULL CHECK (direction IN ('out', 'in'))
);

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  full_name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL,
  fax_number TEXT NOT NULL,
  email TEXT NOT NULL,
  may_call_local INTEGER NOT NULL,
  may_call_domestic INTEGER NOT NULL,
  may_call_international INTEGER NOT NULL,
  notify_on_success INTEGER NOT NULL,
  must_change_password INTEGER NOT NULL,
  disabled INTEGER NOT NULL,
  created_at BIGINT NOT NULL
);
-- Users without a personal number share the empty string; real numbers are unique.
CREATE UNIQUE INDEX users_fax_number ON users (fax_number) WHERE fax_number <> '';

CREATE TABLE user_emails (
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  ordinal INTEGER NOT NULL,
  email TEXT NOT NULL,
  PRIMARY KEY (user_id, ordinal)
);

CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE job_groups (
  id INTEGER PRIMARY KEY,
  owner_id INTEGER NOT NULL REFERENCES users (id),
  submitted_at BIGINT NOT NULL
);

CREATE TABLE documents (
  id INTEGER PRIMARY KEY,
  group_id INTEGER NOT NULL REFERENCES job_groups (id) ON DELETE CASCADE,
  ordinal INTEGER NOT NULL,
  file_name TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  pages INTEGER NOT NULL,
  UNIQUE (group_id, ordinal)
);

CREATE TABLE jobs (
  id INTEGER PRIMARY KEY REFERENCES fax_ids (id),
  group_id INTEGER NOT NULL REFERENCES job_groups (id),
  owner_id INTEGER NOT NULL REFERENCES users (id),
  number_input TEXT NOT NULL,
  number_canonical TEXT NOT NULL,
  number_dial_string TEXT NOT NULL,
  number_extension TEXT NOT NULL,
  number_class TEXT NOT NULL,
  number_display TEXT NOT NULL,
  recipient_name TEXT NOT NULL,
  subject TEXT NOT NULL,
  priority INTEGER NOT NULL,
  state TEXT NOT NULL,
  submitted_at BIGINT NOT NULL,
  send_at BIGINT NOT NULL,
  kill_at BIGINT NOT NULL,
  next_try_at BIGINT,
  max_dials INTEGER NOT NULL,
  max_tries INTEGER NOT NULL,
  dials INTEGER NOT NULL,
  tries INTEGER NOT NULL,
  pages_total INTEGER NOT NULL,
  pages_sent INTEGER NOT NULL,
  document TEXT NOT NULL,
  status_text TEXT NOT NULL,
  last_failure TEXT NOT NULL,
  finished_at BIGINT
);
CREATE INDEX jobs_owner ON jobs (owner_id, id);
CREATE INDEX jobs_group ON jobs (group_id);
CREATE INDEX jobs_state ON jobs (state);
CREATE INDEX jobs_submitted ON jobs (submitted_at);

CREATE TABLE attempts (
  id INTEGER PRIMARY KEY,
  job_id INTEGER NOT NULL REFERENCES jobs (id),
  number INTEGER NOT NULL,
  dial_string TEXT NOT NULL,
  trunk TEXT NOT NULL,
  call_id TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  ended_at BIGINT,
  result TEXT NOT NULL,
  result_code INTEGER NOT NULL,
  reason TEXT NOT NULL,
  first_page INTEGER NOT NULL,
  pages_sent INTEGER NOT NULL,
  bit_rate INTEGER NOT NULL,
  compression TEXT NOT NULL,
  ecm INTEGER NOT NULL,
  resolution TEXT NOT NULL,
  remote_ident TEXT NOT NULL,
  duration_ms BIGINT NOT NULL
);
CREATE INDEX attempts_job ON attempts (job_id, number);
-- Calls in progress, looked up at start-up to close what a crash left open.
CREATE INDEX attempts_open ON attempts (id) WHERE ended_at IS NULL;

CREATE TABLE inbound_faxes (
  id INTEGER PRIMARY KEY REFERENCES fax_ids (id),
  owner_id INTEGER REFERENCES users (id),
  called_number TEXT NOT NULL,
  caller_number TEXT NOT NULL,
  remote_ident TEXT NOT NULL,
  trunk TEXT NOT NULL,
  call_id TEXT NOT NULL,
  state TEXT NOT NULL,
  pages INTEGER NOT NULL,
  document TEXT NOT NULL,
  file_size BIGINT NOT NULL,
  started_at BIGINT NOT NULL,
  ended_at BIGINT,
  duration_ms BIGINT NOT NULL,
  bit_rate INTEGER NOT NULL,
  compression TEXT NOT NULL,
  ecm INTEGER NOT NULL,
  resolution TEXT NOT NULL,
  result_code INTEGER NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX inbound_owner ON inbound_faxes (owner_id, id);
CREATE INDEX inbound_state ON inbound_faxes (state);

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  at BIGINT NOT NULL,
  level TEXT NOT NULL,
  category TEXT NOT NULL,
  subject TEXT NOT NULL,
  text TEXT NOT NULL
);
)sql";

// Document conversion: how each job's pages are made, the cover page templates, user profile
// fields a cover page shows, and a cache so a document is converted once per page format.
constexpr const char* kSchemaV2 = R"sql(
ALTER TABLE jobs ADD COLUMN recipient_company TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN resolution TEXT NOT NULL DEFAULT 'fine';
ALTER TABLE jobs ADD COLUMN paper TEXT NOT NULL DEFAULT 'a4';
ALTER TABLE jobs ADD COLUMN halftone TEXT NOT NULL DEFAULT 'cluster';
ALTER TABLE jobs ADD COLUMN cover TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN cover_comments TEXT NOT NULL DEFAULT '';
-- Jobs still converting, looked up at start-up to finish what a crash interrupted.
CREATE INDEX jobs_preparing ON jobs (id) WHERE state = 'preparing';

ALTER TABLE documents ADD COLUMN type TEXT NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN converted_hash TEXT NOT NULL DEFAULT '';

ALTER TABLE users ADD COLUMN company TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN cover TEXT NOT NULL DEFAULT '';

CREATE TABLE cover_templates (
  name TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  svg TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- An upload (by content hash) converted to fax pages in one page format ("fine/a4/cluster").
CREATE TABLE conversions (
  source_hash TEXT NOT NULL,
  format TEXT NOT NULL,
  type TEXT NOT NULL,
  tiff_hash TEXT NOT NULL,
  pages INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (source_hash, format)
);
)sql";

// Mail (issue 5): users' mail rights and language; where a submission came from (a mail's
// identity, so a mail fetched twice makes no second fax); the outgoing mail queue; which finished
// jobs and received faxes have had their mails written; mail servers and mail templates.
constexpr const char* kSchemaV3 = R"sql(
ALTER TABLE users ADD COLUMN may_fax_by_email INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT '';

ALTER TABLE job_groups ADD COLUMN origin_channel TEXT NOT NULL DEFAULT '';
ALTER TABLE job_groups ADD COLUMN origin_message_id TEXT NOT NULL DEFAULT '';
ALTER TABLE job_groups ADD COLUMN origin_reply_to TEXT NOT NULL DEFAULT '';
ALTER TABLE job_groups ADD COLUMN origin_mail_subject TEXT NOT NULL DEFAULT '';

-- Faxes finished before this version are not mailed about again.
ALTER TABLE jobs ADD COLUMN notified INTEGER NOT NULL DEFAULT 0;
UPDATE jobs SET notified = 1;
CREATE INDEX jobs_to_notify ON jobs (id) WHERE notified = 0;
ALTER TABLE inbound_faxes ADD COLUMN mailed INTEGER NOT NULL DEFAULT 0;
UPDATE inbound_faxes SET mailed = 1;
CREATE INDEX inbound_to_mail ON inbound_faxes (id) WHERE mailed = 0;

-- Every mail handled (submitted or refused), by "<source>:<Message-ID>".
CREATE TABLE mail_seen (
  message_key TEXT PRIMARY KEY,
  outcome TEXT NOT NULL,
  group_id INTEGER REFERENCES job_groups (id),
  at BIGINT NOT NULL
);

CREATE TABLE mail_queue (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  fax_id INTEGER,
  envid TEXT NOT NULL UNIQUE,
  mail_from TEXT NOT NULL,
  ret TEXT NOT NULL,
  message_hash TEXT NOT NULL,
  subject TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  next_try_at BIGINT NOT NULL,
  sent_at BIGINT,
  last_result TEXT NOT NULL
);
CREATE INDEX mail_queue_due ON mail_queue (next_try_at) WHERE state = 'queued';
CREATE INDEX mail_queue_fax ON mail_queue (fax_id);

CREATE TABLE mail_queue_recipients (
  mail_id INTEGER NOT NULL REFERENCES mail_queue (id) ON DELETE CASCADE,
  ordinal INTEGER NOT NULL,
  address TEXT NOT NULL,
  notify TEXT NOT NULL,
  orcpt TEXT NOT NULL,
  outcome TEXT NOT NULL,
  PRIMARY KEY (mail_id, ordinal)
);

CREATE TABLE mail_servers (
  name TEXT PRIMARY KEY,
  protocol TEXT NOT NULL,
  host TEXT NOT NULL,
  port INTEGER NOT NULL,
  tls TEXT NOT NULL,
  verify_certificate INTEGER NOT NULL,
  ca_file TEXT NOT NULL,
  user_name TEXT NOT NULL,
  password TEXT NOT NULL,
  folder TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE mail_templates (
  name TEXT NOT NULL,
  language TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (name, language)
);
)sql";

// Read receipts for mail-submitted faxes (RFC 8098 MDN): where the mail asked for one, the
// address the mail was sent to (the MDN's Final-Recipient), and whether it has been sent.
constexpr const char* kSchemaV4 = R"sql(
ALTER TABLE job_groups ADD COLUMN origin_mdn_to TEXT NOT NULL DEFAULT '';
ALTER TABLE job_groups ADD COLUMN origin_mail_recipient TEXT NOT NULL DEFAULT '';
ALTER TABLE job_groups ADD COLUMN origin_mdn_sent INTEGER NOT NULL DEFAULT 0;
)sql";

constexpr Migration kMigrations[] = {
    {1, "initial schema", kSchemaV1},
    {2, "document conversion, cover templates", kSchemaV2},
    {3, "mail: queue, origins, servers, templates", kSchemaV3},
    {4, "mail: read receipts for mail-submitted faxes", kSchemaV4},
};

Status CreateMigrationsTable(Db& db) {
  return db.Exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      "  version INTEGER PRIMARY KEY,"
      "  description TEXT NOT NULL,"
      "  applied_at BIGINT NOT NULL)");
}

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status Apply(Db& db, const Migration& m) {
  FG_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db));
  FG_RETURN_IF_ERROR(db.Exec(m.sql));
  FG_ASSIGN_OR_RETURN(Statement record,
                      db.Prepare("INSERT INTO schema_migrations (version, description, applied_at)"
                                 " VALUES (:version, :description, :applied_at)"));
  record.Bind(":version", m.version)
      .Bind(":description", m.description)
      .Bind(":applied_at", NowMillis());
  FG_RETURN_IF_ERROR(record.Run());
  return tx.Commit();
}

}  // namespace

int LatestSchemaVersion() { return std::prev(std::end(kMigrations))->version; }

Result<int> SchemaVersion(Db& db) {
  FG_RETURN_IF_ERROR(CreateMigrationsTable(db));
  FG_ASSIGN_OR_RETURN(Statement query,
                      db.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  FG_ASSIGN_OR_RETURN(bool row, query.Step());
  return row ? static_cast<int>(query.Int(0)) : 0;
}

Result<int> Migrate(Db& db) {
  FG_ASSIGN_OR_RETURN(int version, SchemaVersion(db));
  if (version > LatestSchemaVersion()) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     fmt::format("the database has schema version {}, newer than this faxgate "
                                 "knows ({}); run a newer faxgate",
                                 version, LatestSchemaVersion()));
  }
  int applied = 0;
  for (const Migration& m : kMigrations) {
    if (m.version <= version) continue;
    log::Get("store")->info("applying schema migration {} ({})", m.version, m.description);
    Status status = Apply(db, m);
    if (!status.ok()) {
      return MakeError(status.error().code, fmt::format("schema migration {} failed: {}", m.version,
                                                        status.error().message));
    }
    ++applied;
  }
  return applied;
}

}  // namespace faxgate::sqlite
