#include "service/queue_driver.h"

#include <algorithm>

namespace faxgate {
namespace {

// Even with nothing due the scheduler looks again this often, so a clock step (NTP) cannot
// leave a job waiting for long.
constexpr auto kMaxSleep = std::chrono::seconds(30);

}  // namespace

QueueDriver::QueueDriver(boost::asio::io_context& control, Scheduler& scheduler, const Clock& clock)
    : scheduler_(scheduler), clock_(clock), timer_(control) {}

void QueueDriver::Submitted(const std::vector<Job>& jobs) {
  scheduler_.OnSubmitted(jobs);
  Kick();
}

Status QueueDriver::Cancel(JobId job, const std::string& by_whom) {
  Status s = scheduler_.Cancel(job, by_whom);
  Kick();
  return s;
}

void QueueDriver::Kick() {
  if (stopped_) return;
  scheduler_.RunDue();
  Arm();
}

void QueueDriver::Arm() {
  auto sleep = std::chrono::duration_cast<std::chrono::milliseconds>(kMaxSleep);
  if (auto next = scheduler_.NextWakeup()) {
    sleep = std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(*next - clock_.Now()),
                       std::chrono::milliseconds(0), sleep);
  }
  timer_.expires_after(sleep);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) Kick();
  });
}

void QueueDriver::Stop() {
  stopped_ = true;
  timer_.cancel();
}

void QueueDriver::OnPageConfirmed(JobId job, int pages) { scheduler_.OnPageConfirmed(job, pages); }

void QueueDriver::OnCallEnded(JobId job, const CallReport& report) {
  scheduler_.OnCallEnded(job, report);
  Kick();
}

}  // namespace faxgate
