// The SQLite implementation of Store. One connection, one mutex: every public method takes the
// mutex for its whole duration, so a call sees and leaves the database consistent and SQLite
// itself runs single-threaded. The methods are spread over sqlite_*.cpp by entity; each is a
// lock, a call to a file-local function taking the Db, and the context for its errors.
#pragma once

#include <memory>
#include <mutex>

#include "store/internal/sqlite_db.h"
#include "store/store.h"

namespace faxgate::sqlite {

class SqliteStore final : public Store {
 public:
  // REQUIRES: db is migrated to the latest schema.
  explicit SqliteStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}

  Result<std::vector<Job>> CreateSubmission(const NewSubmission& submission) override;
  Result<Job> GetJob(JobId id) override;
  Status UpdateJob(const Job& job) override;
  Result<std::vector<Job>> ListJobs(const JobFilter& filter) override;
  Result<std::vector<Document>> ListDocuments(GroupId group) override;
  Status UpdateDocument(const Document& document) override;
  Result<std::optional<Conversion>> FindConversion(const std::string& source_hash,
                                                   const std::string& format) override;
  Status PutConversion(const Conversion& conversion) override;

  Result<int64_t> BeginAttempt(const Attempt& attempt) override;
  Status EndAttempt(const Attempt& attempt) override;
  Result<std::vector<Attempt>> ListAttempts(JobId job) override;
  Result<std::vector<Attempt>> ListOpenAttempts() override;

  Result<InboundFax> CreateInbound(const InboundFax& fax) override;
  Status UpdateInbound(const InboundFax& fax) override;
  Result<InboundFax> GetInbound(InboundId id) override;
  Result<std::vector<InboundFax>> ListInbound(const InboundFilter& filter) override;

  Result<User> CreateUser(const User& user) override;
  Status UpdateUser(const User& user) override;
  Result<User> GetUser(UserId id) override;
  Result<User> FindUserByName(const std::string& name) override;
  Result<User> FindUserByFaxNumber(const std::string& fax_number) override;
  Result<User> FindUserByEmail(const std::string& address) override;
  Result<std::vector<User>> ListUsers() override;
  Result<ApiToken> CreateToken(const ApiToken& token) override;
  Result<ApiToken> FindTokenByHash(const std::string& token_hash) override;
  Status TouchToken(int64_t token_id, TimePoint used_at) override;

  Result<std::vector<CoverTemplateRecord>> ListCoverTemplates() override;
  Result<CoverTemplateRecord> GetCoverTemplate(const std::string& name) override;
  Status PutCoverTemplate(const CoverTemplateRecord& record) override;
  Status DeleteCoverTemplate(const std::string& name) override;

  Result<std::map<std::string, std::string>> GetSettings() override;
  Status PutSettings(const std::map<std::string, std::string>& values) override;

  Status AppendEvent(const Event& event) override;
  Result<std::vector<Event>> ListEvents(int limit) override;

  Result<StoreCounters> Counters() override;

  Result<SubmissionOrigin> GetSubmissionOrigin(GroupId group) override;
  Status EnqueueMail(const std::vector<QueuedMail>& mails, const MailEffects& effects) override;
  Result<std::vector<QueuedMail>> ListDueMail(TimePoint now, int limit) override;
  Result<std::optional<TimePoint>> NextMailDue() override;
  Status UpdateQueuedMail(const QueuedMail& mail) override;
  Result<int> MakeQueuedMailDue(TimePoint now) override;
  Result<QueuedMail> FindMailByEnvid(const std::string& envid) override;
  Result<std::vector<QueuedMail>> ListMailAbout(int64_t fax_id) override;
  Result<std::vector<Job>> ListJobsToNotify(int limit) override;
  Result<std::vector<InboundFax>> ListInboundToMail(int limit) override;
  Result<bool> MailSeen(const std::string& message_key) override;
  Result<std::vector<MailServer>> ListMailServers() override;
  Status PutMailServer(const MailServer& server) override;
  Status DeleteMailServer(const std::string& name) override;
  Result<std::vector<MailTemplateRecord>> ListMailTemplates() override;
  Status PutMailTemplate(const MailTemplateRecord& record) override;
  Status DeleteMailTemplate(const std::string& name, const std::string& language) override;

 private:
  std::mutex mu_;
  std::unique_ptr<Db> db_;  // guarded by mu_
};

// Shared by the entity files. REQUIRES: the caller holds the store's mutex.

// Takes the next id from the sequence that jobs and inbound faxes share.
Result<int64_t> NewFaxId(Db& db, std::string_view direction);
// The user's login name, or kNotFound "no user 7".
Result<std::string> UserName(Db& db, UserId id);
// The first `limit` jobs selected by `where` (binding nothing), in id order.
Result<std::vector<Job>> SelectJobsWhere(Db& db, const std::string& where, int limit);
// The first `limit` inbound faxes selected by `where`, in id order.
Result<std::vector<InboundFax>> SelectInboundWhere(Db& db, const std::string& where, int limit);

}  // namespace faxgate::sqlite
