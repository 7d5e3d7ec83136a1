// The store is the truth (DESIGN "Data and durability"): a job, an inbound fax or a user exists
// once a call here has returned ok, and not before. SQLite implements it now; PostgreSQL will
// implement the same interface, so nothing above this header may assume SQLite.
//
// Thread safety: every method may be called from any thread; implementations serialise
// internally. Calls block on disk I/O.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "domain/inbound_fax.h"
#include "domain/job.h"
#include "domain/mail_records.h"
#include "domain/user.h"

namespace faxgate {

// One submission: its documents (in order) and one job per recipient, committed together.
struct NewSubmission {
  UserId owner_id = 0;
  std::vector<Document> documents;  // id and group_id are assigned by the store
  std::vector<Job> jobs;            // id and group_id are assigned by the store
  // Set for mail submissions. A message_key seen before makes the submission fail with
  // kAlreadyExists, so that a mail fetched twice makes no second fax.
  SubmissionOrigin origin;
};

// An upload converted to fax pages in one page format, kept so that the same document sent
// again (or to many numbers) is converted once.
struct Conversion {
  std::string source_hash;  // spool address of the upload
  std::string format;       // "fine/a4/cluster"
  std::string type;         // detected type
  std::string tiff_hash;    // spool address of the TIFF-F pages
  int pages = 0;
};

struct JobFilter {
  std::optional<UserId> owner_id;
  std::vector<JobState> states;      // empty: any
  std::optional<TimePoint> since;    // submitted at or after
  std::optional<TimePoint> until;    // submitted before
  std::optional<int64_t> before_id;  // cursor: only ids below this
  int limit = 100;                   // newest first
  std::optional<GroupId> group_id;   // the jobs of one submission
};

struct InboundFilter {
  std::optional<UserId> owner_id;
  std::vector<InboundState> states;
  std::optional<TimePoint> since;  // started at or after
  std::optional<TimePoint> until;
  std::optional<int64_t> before_id;
  int limit = 100;  // newest first
};

// What happened, for the system messages log and troubleshooting.
struct Event {
  int64_t id = 0;
  TimePoint at{};
  std::string level;     // "info", "warn", "error"
  std::string category;  // "job", "call", "user", "system"
  std::string subject;   // "job 12", "fax 7", "user demo"
  std::string text;
};

// Totals for /metrics.
struct StoreCounters {
  std::map<JobState, int64_t> jobs_by_state;
  std::map<FailureKind, int64_t> attempts_by_result;
  int64_t pages_sent = 0;
  int64_t pages_received = 0;
  int64_t faxes_received = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Jobs and attempts. Job and inbound fax ids come from one sequence, so an id names one fax
  // whichever its direction (the API's /faxes/{id}).
  virtual Result<std::vector<Job>> CreateSubmission(const NewSubmission& submission) = 0;
  virtual Result<Job> GetJob(JobId id) = 0;
  // Writes every mutable field of the job (state, counters, times, status).
  virtual Status UpdateJob(const Job& job) = 0;
  virtual Result<std::vector<Job>> ListJobs(const JobFilter& filter) = 0;
  virtual Result<std::vector<Document>> ListDocuments(GroupId group) = 0;
  // Writes a document's conversion results (type, pages, converted_hash).
  virtual Status UpdateDocument(const Document& document) = 0;
  virtual Result<std::optional<Conversion>> FindConversion(const std::string& source_hash,
                                                           const std::string& format) = 0;
  virtual Status PutConversion(const Conversion& conversion) = 0;

  // An attempt is written when the call starts (ended_at empty) and again when it ends, so that
  // a crash leaves evidence of the call in progress.
  virtual Result<int64_t> BeginAttempt(const Attempt& attempt) = 0;
  virtual Status EndAttempt(const Attempt& attempt) = 0;
  virtual Result<std::vector<Attempt>> ListAttempts(JobId job) = 0;
  virtual Result<std::vector<Attempt>> ListOpenAttempts() = 0;

  // Inbound faxes.
  virtual Result<InboundFax> CreateInbound(const InboundFax& fax) = 0;
  virtual Status UpdateInbound(const InboundFax& fax) = 0;
  virtual Result<InboundFax> GetInbound(InboundId id) = 0;
  virtual Result<std::vector<InboundFax>> ListInbound(const InboundFilter& filter) = 0;

  // Users and tokens. User names and fax numbers are unique (kAlreadyExists).
  virtual Result<User> CreateUser(const User& user) = 0;
  virtual Status UpdateUser(const User& user) = 0;
  virtual Result<User> GetUser(UserId id) = 0;
  virtual Result<User> FindUserByName(const std::string& name) = 0;
  virtual Result<User> FindUserByFaxNumber(const std::string& fax_number) = 0;
  // By primary or other mail address, without regard to case.
  virtual Result<User> FindUserByEmail(const std::string& address) = 0;
  virtual Result<std::vector<User>> ListUsers() = 0;
  virtual Result<ApiToken> CreateToken(const ApiToken& token) = 0;
  virtual Result<ApiToken> FindTokenByHash(const std::string& token_hash) = 0;
  virtual Status TouchToken(int64_t token_id, TimePoint used_at) = 0;

  // Cover page templates stored by administrators (kNotFound for an unknown name).
  virtual Result<std::vector<CoverTemplateRecord>> ListCoverTemplates() = 0;
  virtual Result<CoverTemplateRecord> GetCoverTemplate(const std::string& name) = 0;
  virtual Status PutCoverTemplate(const CoverTemplateRecord& record) = 0;
  virtual Status DeleteCoverTemplate(const std::string& name) = 0;

  // System parameters as stored key/values (domain/settings.h gives them meaning).
  virtual Result<std::map<std::string, std::string>> GetSettings() = 0;
  virtual Status PutSettings(const std::map<std::string, std::string>& values) = 0;

  // Event log.
  virtual Status AppendEvent(const Event& event) = 0;
  virtual Result<std::vector<Event>> ListEvents(int limit) = 0;

  virtual Result<StoreCounters> Counters() = 0;

  // Mail. A submission's origin (channel "" for faxes sent other than by mail).
  virtual Result<SubmissionOrigin> GetSubmissionOrigin(GroupId group) = 0;
  // Commits the mails (ids, created_at assigned here) together with what they settle: a job's
  // result reported, a received fax delivered, a fetched mail handled.
  virtual Status EnqueueMail(const std::vector<QueuedMail>& mails, const MailEffects& effects) = 0;
  // Queued mails whose next try is due at `now`, oldest first.
  virtual Result<std::vector<QueuedMail>> ListDueMail(TimePoint now, int limit) = 0;
  // The earliest next try of any queued mail.
  virtual Result<std::optional<TimePoint>> NextMailDue() = 0;
  // Writes state, attempts, next try, sent time, last result and the recipients' outcomes.
  virtual Status UpdateQueuedMail(const QueuedMail& mail) = 0;
  // Every queued mail waiting for a later try is due at `now` (the relay was just changed).
  // Returns how many.
  virtual Result<int> MakeQueuedMailDue(TimePoint now) = 0;
  virtual Result<QueuedMail> FindMailByEnvid(const std::string& envid) = 0;
  virtual Result<std::vector<QueuedMail>> ListMailAbout(int64_t fax_id) = 0;
  // Finished jobs (succeeded, failed, cancelled) whose result has not been mailed yet.
  virtual Result<std::vector<Job>> ListJobsToNotify(int limit) = 0;
  // Ended receptions not yet mailed to their owners.
  virtual Result<std::vector<InboundFax>> ListInboundToMail(int limit) = 0;
  virtual Result<bool> MailSeen(const std::string& message_key) = 0;

  virtual Result<std::vector<MailServer>> ListMailServers() = 0;
  virtual Status PutMailServer(const MailServer& server) = 0;  // insert or replace by name
  virtual Status DeleteMailServer(const std::string& name) = 0;
  virtual Result<std::vector<MailTemplateRecord>> ListMailTemplates() = 0;
  virtual Status PutMailTemplate(const MailTemplateRecord& record) = 0;
  virtual Status DeleteMailTemplate(const std::string& name, const std::string& language) = 0;
};

// Opens (creating if needed) the SQLite database at `path` in WAL mode and applies every schema
// migration not yet applied.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::filesystem::path& path);

}  // namespace faxgate
