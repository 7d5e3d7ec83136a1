#include "queue/retry_policy.h"

#include <fmt/format.h>

namespace faxgate {
namespace {

Duration WaitAfter(FailureKind kind, const SystemSettings& s) {
  switch (kind) {
    case FailureKind::kBusy:
      return std::chrono::seconds(s.retry_busy_s);
    case FailureKind::kNoAnswer:
    case FailureKind::kNoFax:
      return std::chrono::seconds(s.retry_no_answer_s);
    case FailureKind::kInterrupted:
      return Duration(0);  // resume as soon as we are back
    default:
      return std::chrono::seconds(s.retry_interval_s);
  }
}

}  // namespace

RetryDecision DecideRetry(const Job& job, FailureKind kind, const std::string& reason,
                          const SystemSettings& settings, TimePoint now) {
  RetryDecision d;
  if (!IsRetryable(kind)) {
    d.why_final = reason;
    return d;
  }
  if (job.tries >= job.max_tries) {
    d.why_final = fmt::format("{} (gave up after {} tries)", reason, job.tries);
    return d;
  }
  if (job.dials >= job.max_dials) {
    d.why_final = fmt::format("{} (gave up after {} dials)", reason, job.dials);
    return d;
  }
  d.next_try_at = now + WaitAfter(kind, settings);
  if (d.next_try_at >= job.kill_at) {
    d.why_final = fmt::format("{} (kill time reached before the next try)", reason);
    return d;
  }
  d.retry = true;
  return d;
}

}  // namespace faxgate
