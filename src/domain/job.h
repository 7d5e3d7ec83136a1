// A job is one document set sent to one number; a submission to several numbers is a group of
// jobs. Pure data and rules: no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "domain/phone_number.h"

namespace faxgate {

using JobId = int64_t;
using GroupId = int64_t;
using UserId = int64_t;

// preparing (documents being converted to fax pages) -> scheduled (send-at in the future) ->
// queued -> sending -> succeeded | failed | cancelled, with retrying between attempts. A job
// whose documents cannot be converted goes from preparing to failed and is never dialled.
enum class JobState {
  kPreparing,
  kScheduled,
  kQueued,
  kSending,
  kRetrying,
  kSucceeded,
  kFailed,
  kCancelled
};

std::string_view ToString(JobState s);
std::optional<JobState> ParseJobState(std::string_view s);
bool IsFinal(JobState s);
// The legal moves of the state machine; anything else is a bug in the caller.
bool CanTransition(JobState from, JobState to);

// Why an attempt did not deliver; selects the retry wait (HylaFAX's rules).
enum class FailureKind {
  kNone,         // delivered
  kBusy,         // the line was busy
  kNoAnswer,     // rang out, nobody answered
  kNoFax,        // answered by a voice or modem, not a fax machine
  kProtocol,     // fax training or page exchange failed (T.30 error)
  kHungUp,       // the far end or the network dropped the call mid-transfer
  kBadNumber,    // the number cannot be reached; retrying will not help
  kRejected,     // the network refused the call (forbidden, unauthorised)
  kNetwork,      // trunk or network trouble
  kDocument,     // the document cannot be sent; retrying will not help
  kInterrupted,  // faxgate stopped while the call was in progress
  kCancelled,    // the user cancelled
};
std::string_view ToString(FailureKind k);
std::optional<FailureKind> ParseFailureKind(std::string_view s);
// Kinds after which another attempt can succeed.
bool IsRetryable(FailureKind k);
// True when the call reached a fax machine (counts as a "try"; other failures count only as
// "dials"), after HylaFAX.
bool ReachedFax(FailureKind k);

struct Job {
  JobId id = 0;
  GroupId group_id = 0;
  UserId owner_id = 0;
  std::string owner_name;  // filled by the store on reads
  PhoneNumber number;      // canonical, dial string, class, display, extension
  std::string recipient_name;
  std::string recipient_company;  // shown on the cover page
  std::string subject;
  // How the documents become fax pages (document/page_format.h names): "standard" | "fine" |
  // "superfine", "a4" | "letter" | "b4", "cluster" | "diffusion" | "threshold".
  std::string resolution = "fine";
  std::string paper = "a4";
  std::string halftone = "cluster";
  std::string cover;           // cover page template name; empty: no cover page
  std::string cover_comments;  // free text for the cover page
  int priority = 127;          // 0..255, lower is sent first (HylaFAX)
  JobState state = JobState::kQueued;
  TimePoint submitted_at{};
  TimePoint send_at{};      // not before
  TimePoint kill_at{};      // give up after
  TimePoint next_try_at{};  // when retrying
  int max_dials = 12;
  int max_tries = 3;
  int dials = 0;  // calls placed
  int tries = 0;  // calls that reached a fax machine
  int pages_total = 0;
  int pages_sent = 0;       // confirmed by the far end; a retry resumes after these
  std::string document;     // spool content hash of the TIFF-F to send (cover and all documents,
                            // tag lines drawn); empty while preparing
  std::string status_text;  // last result in words, as faxstat shows it
  FailureKind last_failure = FailureKind::kNone;
  TimePoint finished_at{};
};

struct Attempt {
  int64_t id = 0;
  JobId job_id = 0;
  int number = 0;  // 1 for the first attempt of the job
  std::string dial_string;
  std::string trunk;
  std::string call_id;
  TimePoint started_at{};
  std::optional<TimePoint> ended_at;  // empty while the call is in progress
  FailureKind result = FailureKind::kNone;
  int result_code = 0;  // T.30 completion code, or the trunk's cause code
  std::string reason;   // readable, e.g. "Busy signal detected"
  int first_page = 0;   // 0-based page the attempt started at
  int pages_sent = 0;   // pages confirmed during this attempt
  int bit_rate = 0;
  std::string compression;  // "MH", "MR", "MMR"
  bool ecm = false;
  std::string resolution;    // "standard", "fine", "superfine"
  std::string remote_ident;  // far end's CSI
  int64_t duration_ms = 0;
};

// One document of a submission, in order; the job sends their pages one after another.
struct Document {
  int64_t id = 0;
  GroupId group_id = 0;
  int ordinal = 0;
  std::string file_name;       // as the user named it
  std::string content_hash;    // spool address of the original upload
  int pages = 0;               // fax pages it became; 0 until converted
  std::string type;            // detected from the content: "pdf", "docx", "text", ...
  std::string converted_hash;  // spool address of its fax pages (TIFF-F G4); empty until converted
};

}  // namespace faxgate
