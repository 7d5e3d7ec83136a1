#include "domain/job.h"

#include <array>
#include <utility>

namespace faxgate {
namespace {

constexpr std::array<std::pair<JobState, std::string_view>, 8> kStateNames{{
    {JobState::kPreparing, "preparing"},
    {JobState::kScheduled, "scheduled"},
    {JobState::kQueued, "queued"},
    {JobState::kSending, "sending"},
    {JobState::kRetrying, "retrying"},
    {JobState::kSucceeded, "succeeded"},
    {JobState::kFailed, "failed"},
    {JobState::kCancelled, "cancelled"},
}};

constexpr std::array<std::pair<FailureKind, std::string_view>, 12> kKindNames{{
    {FailureKind::kNone, "none"},
    {FailureKind::kBusy, "busy"},
    {FailureKind::kNoAnswer, "no_answer"},
    {FailureKind::kNoFax, "no_fax"},
    {FailureKind::kProtocol, "protocol"},
    {FailureKind::kHungUp, "hung_up"},
    {FailureKind::kBadNumber, "bad_number"},
    {FailureKind::kRejected, "rejected"},
    {FailureKind::kNetwork, "network"},
    {FailureKind::kDocument, "document"},
    {FailureKind::kInterrupted, "interrupted"},
    {FailureKind::kCancelled, "cancelled"},
}};

}  // namespace

std::string_view ToString(JobState s) {
  for (const auto& [state, name] : kStateNames)
    if (state == s) return name;
  return "unknown";
}

std::optional<JobState> ParseJobState(std::string_view s) {
  for (const auto& [state, name] : kStateNames)
    if (name == s) return state;
  return std::nullopt;
}

bool IsFinal(JobState s) {
  return s == JobState::kSucceeded || s == JobState::kFailed || s == JobState::kCancelled;
}

bool CanTransition(JobState from, JobState to) {
  if (IsFinal(from)) return false;
  switch (to) {
    case JobState::kPreparing:
      return false;  // only at creation
    case JobState::kScheduled:
      return from == JobState::kPreparing;
    case JobState::kQueued:
      return from == JobState::kPreparing || from == JobState::kScheduled ||
             from == JobState::kRetrying;
    case JobState::kSending:
      return from == JobState::kQueued;
    case JobState::kRetrying:
      return from == JobState::kSending;
    case JobState::kSucceeded:
      return from == JobState::kSending;
    case JobState::kFailed:
      return true;  // kill time or an unsendable document, any state
    case JobState::kCancelled:
      return true;  // the user may cancel at any state
  }
  return false;
}

std::string_view ToString(FailureKind k) {
  for (const auto& [kind, name] : kKindNames)
    if (kind == k) return name;
  return "unknown";
}

std::optional<FailureKind> ParseFailureKind(std::string_view s) {
  for (const auto& [kind, name] : kKindNames)
    if (name == s) return kind;
  return std::nullopt;
}

bool IsRetryable(FailureKind k) {
  switch (k) {
    case FailureKind::kBusy:
    case FailureKind::kNoAnswer:
    case FailureKind::kNoFax:
    case FailureKind::kProtocol:
    case FailureKind::kHungUp:
    case FailureKind::kNetwork:
    case FailureKind::kInterrupted:
      return true;
    default:
      return false;
  }
}

bool ReachedFax(FailureKind k) {
  return k == FailureKind::kNone || k == FailureKind::kProtocol || k == FailureKind::kHungUp ||
         k == FailureKind::kInterrupted;
}

}  // namespace faxgate
