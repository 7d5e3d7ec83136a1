// Keeps the scheduler running on the control thread: after every submission, cancel and call
// event it lets the scheduler dial what is due, and it sleeps on an asio timer until the
// scheduler's next wake-up (send-at, retry, kill time).
#pragma once

#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "base/clock.h"
#include "lines/call_events.h"
#include "queue/scheduler.h"

namespace faxgate {

class QueueDriver final : public OutboundEvents {
 public:
  QueueDriver(boost::asio::io_context& control, Scheduler& scheduler, const Clock& clock);

  void Submitted(const std::vector<Job>& jobs);
  Status Cancel(JobId job, const std::string& by_whom);
  // Dials what is due now and re-arms the timer.
  void Kick();
  void Stop();

  void OnPageConfirmed(JobId job, int pages) override;
  void OnCallEnded(JobId job, const CallReport& report) override;

 private:
  void Arm();

  Scheduler& scheduler_;
  const Clock& clock_;
  boost::asio::steady_timer timer_;
  bool stopped_ = false;
};

}  // namespace faxgate
