// The fax use cases every face (REST, CLI, later mail and HylaFAX) goes through: send, list,
// look at, cancel, and fetch the pages of a fax. Users see their own faxes; administrators
// see everyone's.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "domain/inbound_fax.h"
#include "domain/job.h"
#include "domain/user.h"
#include "service/cover_template_service.h"
#include "service/document_preparer.h"
#include "service/queue_driver.h"
#include "service/settings_service.h"
#include "store/spool.h"
#include "store/store.h"

namespace faxgate {

struct UploadedFile {
  std::string name;
  std::string bytes;
};

struct SendRequest {
  std::vector<std::string> to;  // each may hold several numbers separated by ',' or ';'
  std::vector<UploadedFile> files;
  std::string subject;
  std::string recipient_name;
  // Per number, in the order the numbers are given; an entry set here replaces recipient_name
  // for that number (a mail subject names each recipient).
  std::vector<std::string> recipient_names;
  std::optional<TimePoint> send_at;
  std::optional<TimePoint> kill_at;
  std::optional<int> priority;
  std::optional<int> max_tries;
  std::optional<int> max_dials;
  // Page format (document/page_format.h names); unset: the system defaults.
  std::optional<std::string> resolution;
  std::optional<std::string> paper;
  std::optional<std::string> halftone;
  // Cover page template; unset: the sender's default cover; "" or "none": no cover page.
  std::optional<std::string> cover;
  std::string cover_comments;
  std::string recipient_company;
  // Set by the mail face: where the fax came from and where results go. A mail already
  // submitted makes Send fail with kAlreadyExists.
  SubmissionOrigin origin;
};

enum class Direction { kOutbound, kInbound };

// One fax of either direction, with what the portal and API show about it.
struct FaxView {
  Direction direction = Direction::kOutbound;
  Job job;                          // outbound
  std::vector<Attempt> attempts;    // outbound
  std::vector<Document> documents;  // outbound
  InboundFax inbound;               // inbound
  int64_t id() const { return direction == Direction::kOutbound ? job.id : inbound.id; }
};

struct FaxQuery {
  std::optional<Direction> direction;
  std::vector<std::string> states;  // job or inbound state names
  std::optional<std::string> user;  // admins: a user's faxes; others: ignored (always own)
  std::optional<TimePoint> since;
  std::optional<TimePoint> until;
  std::optional<int64_t> before_id;  // cursor
  int limit = 50;
};

struct FaxPage {
  std::vector<FaxView> items;  // newest first
  std::optional<int64_t> next_cursor;
};

// A fax's pages as a file to download.
struct FaxFile {
  std::string bytes;
  std::string content_type;  // "image/tiff", "application/pdf", "image/png"
  std::string file_name;     // "fax-12.pdf"
};

class FaxService {
 public:
  FaxService(Store& store, Spool& spool, QueueDriver& queue, SettingsService& settings,
             DocumentPreparer& preparer, CoverTemplateService& covers, const Clock& clock)
      : store_(store),
        spool_(spool),
        queue_(queue),
        settings_(settings),
        preparer_(preparer),
        covers_(covers),
        clock_(clock) {}

  // Validates every number, option and document type before anything is stored; then commits
  // one job per number in one group, in state preparing, and hands them to the preparer, which
  // converts the documents and queues the jobs (or fails them with the converter's reason).
  Result<std::vector<Job>> Send(const User& sender, const SendRequest& request);
  Result<FaxView> Get(const User& viewer, int64_t id);
  Result<FaxPage> List(const User& viewer, const FaxQuery& query);
  Status Cancel(const User& viewer, int64_t id);
  // The TIFF-F of a fax: the document sent, or the pages received.
  Result<std::filesystem::path> TiffPath(const User& viewer, int64_t id);
  // The pages as `format`: "tiff" (as stored), "pdf" (the G3/G4 data copied, not re-encoded),
  // "tiff-s" (RFC 3949 profile S), "tiff-f", or "png" (the first page, `width` pixels wide).
  Result<FaxFile> File(const User& viewer, int64_t id, std::string_view format, int width = 400);

 private:
  Result<std::vector<PhoneNumber>> ParseRecipients(const User& sender,
                                                   const std::vector<std::string>& to);
  Result<std::vector<Document>> StoreDocuments(const std::vector<UploadedFile>& files);
  bool MayView(const User& viewer, std::optional<UserId> owner) const;

  Store& store_;
  Spool& spool_;
  QueueDriver& queue_;
  SettingsService& settings_;
  DocumentPreparer& preparer_;
  CoverTemplateService& covers_;
  const Clock& clock_;
};

}  // namespace faxgate
