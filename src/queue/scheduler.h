// A Scheduler decides which job is dialled next and when a failed one is retried. It keeps the
// store's jobs moving: scheduled -> queued -> sending -> succeeded | retrying | failed, and
// cancelled from any state.
//
// It is driven from the control thread only: by OnSubmitted/Cancel from the faces, by
// OnPageConfirmed/OnCallEnded from the lines (posted to the control thread), and by RunDue when
// the timer for NextWakeup fires. It never sleeps and never reads the wall clock directly, so
// tests drive it with a FakeClock and a fake Dialer.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "domain/job.h"
#include "domain/settings.h"
#include "queue/dialer.h"
#include "store/spool.h"
#include "store/store.h"

namespace faxgate {

class Scheduler {
 public:
  using SettingsSource = std::function<SystemSettings()>;

  Scheduler(Store& store, const Spool& spool, Dialer& dialer, const Clock& clock,
            SettingsSource settings);

  // At start: every attempt left open by a crash is closed as interrupted, and its job is retried
  // from the first page the far end had not confirmed. Loads all unfinished jobs.
  Status Recover();

  // REQUIRES: the jobs are committed to the store.
  void OnSubmitted(const std::vector<Job>& jobs);

  // Cancels the job whatever its state; an active call is hung up.
  Status Cancel(JobId job, const std::string& by_whom);

  // From the lines: the far end confirmed `pages` pages in the job's current call.
  void OnPageConfirmed(JobId job, int pages);
  void OnCallEnded(JobId job, const CallReport& report);

  // Moves due jobs along and dials as many queued jobs as there are free lines, best priority
  // first. Call when NextWakeup() has passed, after submissions, and after a call ends.
  void RunDue();
  // The earliest time something is due (send-at, retry, kill time), if anything is waiting.
  std::optional<TimePoint> NextWakeup() const;

  int active_calls() const { return static_cast<int>(in_call_.size()); }
  // Unfinished jobs the scheduler is tracking.
  std::vector<Job> PendingJobs() const;

 private:
  struct InCall {
    int64_t attempt_id = 0;
    Attempt attempt;
    int pages_at_start = 0;
    bool cancelled = false;
  };

  void Track(Job job);
  void Promote(Job& job, TimePoint now);
  bool Expire(Job& job, TimePoint now);
  void Dial(Job& job);
  void Finish(Job& job, JobState state, const std::string& status_text);
  void Save(const Job& job);
  void Note(const std::string& level, const Job& job, const std::string& text);

  Store& store_;
  const Spool& spool_;
  Dialer& dialer_;
  const Clock& clock_;
  SettingsSource settings_;
  std::map<JobId, Job> jobs_;        // unfinished jobs
  std::map<JobId, InCall> in_call_;  // jobs with a call in progress
};

}  // namespace faxgate
