// HylaFAX's retry rules: dials (calls placed) and tries (calls that reached a fax machine) are
// counted apart, the wait depends on how the call failed, and a job gives up at its kill time.
#pragma once

#include <string>

#include "base/clock.h"
#include "domain/job.h"
#include "domain/settings.h"

namespace faxgate {

struct RetryDecision {
  bool retry = false;
  TimePoint next_try_at{};
  std::string why_final;  // when not retrying: why the job failed, for the user
};

// REQUIRES: job.dials and job.tries already count the attempt that just ended.
RetryDecision DecideRetry(const Job& job, FailureKind kind, const std::string& reason,
                          const SystemSettings& settings, TimePoint now);

}  // namespace faxgate
