#include "queue/scheduler.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/log.h"
#include "queue/retry_policy.h"

namespace faxgate {
namespace {

bool AllPagesConfirmed(const Job& job) {
  return job.pages_total > 0 && job.pages_sent >= job.pages_total;
}

const std::vector<JobState> kUnfinished = {JobState::kScheduled, JobState::kQueued,
                                           JobState::kSending, JobState::kRetrying};

}  // namespace

Scheduler::Scheduler(Store& store, const Spool& spool, Dialer& dialer, const Clock& clock,
                     SettingsSource settings)
    : store_(store),
      spool_(spool),
      dialer_(dialer),
      clock_(clock),
      settings_(std::move(settings)) {}

Status Scheduler::Recover() {
  const TimePoint now = clock_.Now();
  FG_ASSIGN_OR_RETURN(auto open, store_.ListOpenAttempts());
  for (Attempt& a : open) {
    a.ended_at = now;
    a.result = FailureKind::kInterrupted;
    a.reason = "faxgate stopped while this call was in progress";
    a.duration_ms = ToUnixMillis(now) - ToUnixMillis(a.started_at);
    // The job's count of confirmed pages was saved at every confirmation during the call.
    if (auto job = store_.GetJob(a.job_id); job.ok()) {
      a.pages_sent = std::max(0, job->pages_sent - a.first_page);
    }
    FG_RETURN_IF_ERROR(store_.EndAttempt(a));
  }
  JobFilter filter;
  filter.states = kUnfinished;
  filter.limit = 1000;
  while (true) {
    FG_ASSIGN_OR_RETURN(auto page, store_.ListJobs(filter));
    for (Job& job : page) {
      if (job.state == JobState::kSending && AllPagesConfirmed(job)) {
        // Every page was confirmed; only the goodbye (DCN) was missing: the fax was delivered.
        ++job.tries;
        job.state = JobState::kSucceeded;
        job.status_text =
            fmt::format("Sent {} pages to {}; all were confirmed before faxgate stopped",
                        job.pages_total, job.number.display);
        job.finished_at = now;
        FG_RETURN_IF_ERROR(store_.UpdateJob(job));
        Note("info", job, job.status_text);
      } else if (job.state == JobState::kSending) {
        // The call died with the process: it counts as a failed try, resumed at once from the
        // first page the far end had not confirmed (pages_sent is saved at every confirmation).
        ++job.tries;
        const std::string reason = "interrupted: faxgate stopped during the call";
        RetryDecision d = DecideRetry(job, FailureKind::kInterrupted, reason, settings_(), now);
        job.last_failure = FailureKind::kInterrupted;
        if (d.retry) {
          job.state = JobState::kRetrying;
          job.next_try_at = d.next_try_at;
          job.status_text = fmt::format("{}; resuming at page {}", reason, job.pages_sent + 1);
        } else {
          job.state = JobState::kFailed;
          job.status_text = d.why_final;
          job.finished_at = now;
        }
        FG_RETURN_IF_ERROR(store_.UpdateJob(job));
        Note("warn", job, job.status_text);
      }
      if (!IsFinal(job.state)) jobs_[job.id] = job;
    }
    if (static_cast<int>(page.size()) < filter.limit) break;
    filter.before_id = page.back().id;
  }
  log::Get("queue")->info("recovered {} unfinished jobs, closed {} interrupted calls", jobs_.size(),
                          open.size());
  return Status::Ok();
}

void Scheduler::OnSubmitted(const std::vector<Job>& jobs) {
  for (const Job& job : jobs) Track(job);
}

void Scheduler::Track(Job job) { jobs_[job.id] = std::move(job); }

Status Scheduler::Cancel(JobId id, const std::string& by_whom) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) {
    FG_ASSIGN_OR_RETURN(Job stored, store_.GetJob(id));
    if (IsFinal(stored.state)) {
      return MakeError(
          ErrorCode::kFailedPrecondition,
          fmt::format("job {} has already {}; nothing to cancel", id, ToString(stored.state)));
    }
    it = jobs_.emplace(id, stored).first;
  }
  auto call = in_call_.find(id);
  if (call != in_call_.end()) {
    call->second.cancelled = true;
    dialer_.HangUp(id);
  }
  Finish(it->second, JobState::kCancelled, fmt::format("Cancelled by {}", by_whom));
  return Status::Ok();
}

void Scheduler::OnPageConfirmed(JobId id, int pages) {
  auto call = in_call_.find(id);
  auto it = jobs_.find(id);
  if (call == in_call_.end() || it == jobs_.end()) return;
  it->second.pages_sent = call->second.pages_at_start + pages;
  it->second.status_text = fmt::format("Sending, page {} of {} confirmed", it->second.pages_sent,
                                       it->second.pages_total);
  Save(it->second);
}

void Scheduler::OnCallEnded(JobId id, const CallReport& report) {
  const TimePoint now = clock_.Now();
  auto call = in_call_.find(id);
  if (call == in_call_.end()) return;
  InCall in_call = call->second;
  in_call_.erase(call);

  Attempt& a = in_call.attempt;
  a.id = in_call.attempt_id;
  a.ended_at = report.ended_at == TimePoint{} ? now : report.ended_at;
  if (report.started_at != TimePoint{}) a.started_at = report.started_at;
  a.result = in_call.cancelled ? FailureKind::kCancelled : report.kind;
  a.result_code = report.result_code;
  a.reason = in_call.cancelled ? "cancelled during the call" : report.reason;
  a.pages_sent = report.pages;
  a.bit_rate = report.bit_rate;
  a.compression = report.compression;
  a.ecm = report.ecm;
  a.resolution = report.resolution;
  a.remote_ident = report.remote_ident;
  a.trunk = report.trunk;
  a.call_id = report.call_id;
  a.duration_ms = ToUnixMillis(*a.ended_at) - ToUnixMillis(a.started_at);
  if (Status s = store_.EndAttempt(a); !s.ok()) {
    log::Get("queue")->error("job {}: cannot record the end of attempt {}: {}", id, a.number,
                             s.error().message);
  }

  auto it = jobs_.find(id);
  if (it == jobs_.end() || in_call.cancelled) return;
  Job& job = it->second;
  job.pages_sent = std::max(job.pages_sent, in_call.pages_at_start + report.pages);
  job.last_failure = report.kind;
  if (report.kind == FailureKind::kNone) {
    ++job.tries;
    Finish(job, JobState::kSucceeded,
           fmt::format("Sent {} pages to {} ({}, {} bit/s{})", job.pages_total, job.number.display,
                       report.remote_ident.empty() ? "no ident" : report.remote_ident,
                       report.bit_rate, report.ecm ? ", ECM" : ""));
    return;
  }
  if (ReachedFax(report.kind)) ++job.tries;
  if (AllPagesConfirmed(job)) {
    // The call failed after the far end had confirmed the last page (e.g. no DCN): delivered.
    Finish(job, JobState::kSucceeded,
           fmt::format("Sent {} pages to {}; the call then ended with: {}", job.pages_total,
                       job.number.display, report.reason));
    return;
  }
  RetryDecision d = DecideRetry(job, report.kind, report.reason, settings_(), now);
  if (d.retry) {
    job.state = JobState::kRetrying;
    job.next_try_at = d.next_try_at;
    job.status_text = report.reason;
    Save(job);
    Note(
        "info", job,
        fmt::format("attempt {} to {} failed: {}; next try at page {} in {} s", a.number,
                    job.number.display, report.reason, job.pages_sent + 1,
                    std::chrono::duration_cast<std::chrono::seconds>(d.next_try_at - now).count()));
  } else {
    Finish(job, JobState::kFailed, d.why_final);
  }
}

void Scheduler::Promote(Job& job, TimePoint now) {
  if ((job.state == JobState::kScheduled && job.send_at <= now) ||
      (job.state == JobState::kRetrying && job.next_try_at <= now)) {
    job.state = JobState::kQueued;
    Save(job);
  }
}

bool Scheduler::Expire(Job& job, TimePoint now) {
  if (job.state == JobState::kSending || job.kill_at == TimePoint{} || job.kill_at > now)
    return false;
  std::string why = job.status_text.empty() || job.state != JobState::kRetrying
                        ? "kill time reached before the fax could be sent"
                        : fmt::format("{} (kill time reached)", job.status_text);
  Finish(job, JobState::kFailed, why);
  return true;
}

void Scheduler::RunDue() {
  const TimePoint now = clock_.Now();
  std::vector<JobId> ids;
  for (auto& [id, job] : jobs_) ids.push_back(id);
  std::vector<std::pair<int, JobId>> ready;
  for (JobId id : ids) {
    auto it = jobs_.find(id);
    if (it == jobs_.end() || Expire(it->second, now)) continue;
    Promote(it->second, now);
    if (it->second.state == JobState::kQueued) ready.emplace_back(it->second.priority, id);
  }
  // HylaFAX priority: lower first; equal priority in submission (id) order.
  std::sort(ready.begin(), ready.end());
  for (const auto& [priority, id] : ready) {
    if (!dialer_.HasFreeLine()) break;
    auto it = jobs_.find(id);
    if (it != jobs_.end() && it->second.state == JobState::kQueued) Dial(it->second);
  }
}

void Scheduler::Dial(Job& job) {
  const TimePoint now = clock_.Now();
  DialRequest request;
  request.job = job.id;
  request.attempt_number = job.dials + 1;
  request.number = job.number;
  request.document = spool_.PathOf(job.document);
  request.first_page = job.pages_sent;
  request.pages_total = job.pages_total;

  ++job.dials;
  job.state = JobState::kSending;
  job.status_text = job.pages_sent > 0
                        ? fmt::format("Dialing, resuming at page {}", job.pages_sent + 1)
                        : "Dialing";
  Save(job);

  InCall call;
  call.attempt.job_id = job.id;
  call.attempt.number = request.attempt_number;
  call.attempt.dial_string = job.number.dial_string;
  call.attempt.started_at = now;
  call.attempt.first_page = job.pages_sent;
  call.pages_at_start = job.pages_sent;
  auto attempt_id = store_.BeginAttempt(call.attempt);
  call.attempt_id = attempt_id.ok() ? *attempt_id : 0;
  in_call_[job.id] = call;
  log::Get("job")->info("job {}: dialling {} (attempt {}, from page {} of {})", job.id,
                        job.number.display, request.attempt_number, job.pages_sent + 1,
                        job.pages_total);

  if (Status s = dialer_.Dial(request); !s.ok()) {
    CallReport report;
    report.kind = s.error().code == ErrorCode::kInvalidArgument ? FailureKind::kBadNumber
                                                                : FailureKind::kNetwork;
    report.reason = s.error().message;
    report.started_at = now;
    report.ended_at = now;
    OnCallEnded(job.id, report);
  }
}

void Scheduler::Finish(Job& job, JobState state, const std::string& status_text) {
  const JobId id = job.id;
  job.state = state;
  job.status_text = status_text;
  job.finished_at = clock_.Now();
  Save(job);
  Note(state == JobState::kFailed ? "warn" : "info", job,
       fmt::format("{} {}: {}", ToString(state), job.number.display, status_text));
  jobs_.erase(id);
}

void Scheduler::Save(const Job& job) {
  if (Status s = store_.UpdateJob(job); !s.ok()) {
    log::Get("queue")->error("job {}: cannot save its state ({}): {}", job.id, ToString(job.state),
                             s.error().message);
  }
}

void Scheduler::Note(const std::string& level, const Job& job, const std::string& text) {
  log::Get("job")->log(level == "warn" ? spdlog::level::warn : spdlog::level::info, "job {}: {}",
                       job.id, text);
  Event e;
  e.at = clock_.Now();
  e.level = level;
  e.category = "job";
  e.subject = fmt::format("job {}", job.id);
  e.text = text;
  (void)store_.AppendEvent(e);
}

std::optional<TimePoint> Scheduler::NextWakeup() const {
  std::optional<TimePoint> next;
  auto consider = [&](TimePoint t) {
    if (t != TimePoint{} && (!next || t < *next)) next = t;
  };
  for (const auto& [id, job] : jobs_) {
    if (job.state == JobState::kScheduled) consider(job.send_at);
    if (job.state == JobState::kRetrying) consider(job.next_try_at);
    if (job.state != JobState::kSending) consider(job.kill_at);
  }
  return next;
}

std::vector<Job> Scheduler::PendingJobs() const {
  std::vector<Job> out;
  for (const auto& [id, job] : jobs_) out.push_back(job);
  return out;
}

}  // namespace faxgate
