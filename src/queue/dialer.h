// What the scheduler needs from the lines: start a call for a job, hang one up, and know whether
// a line is free. The lines answer later through Scheduler::OnPageConfirmed / OnCallEnded on
// the control thread.
#pragma once

#include <filesystem>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "domain/job.h"

namespace faxgate {

struct DialRequest {
  JobId job = 0;
  int attempt_number = 0;
  PhoneNumber number;
  std::filesystem::path document;  // TIFF-F to send
  int first_page = 0;              // 0-based; resume after the pages already confirmed
  int pages_total = 0;
};

// How a call ended, as the trunk and the fax engine saw it.
struct CallReport {
  FailureKind kind = FailureKind::kNone;
  int result_code = 0;
  std::string reason;
  int pages = 0;  // pages confirmed (sent) or received in this call
  int bit_rate = 0;
  std::string compression;
  bool ecm = false;
  std::string resolution;
  std::string remote_ident;
  std::string trunk;
  std::string call_id;
  TimePoint started_at{};
  TimePoint ended_at{};
};

class Dialer {
 public:
  virtual ~Dialer() = default;
  // True when another call may start now (overall and per-trunk limits).
  virtual bool HasFreeLine() const = 0;
  // Starts the call; an error means no call was placed (no trunk for the number, ...).
  virtual Status Dial(const DialRequest& request) = 0;
  // Ends the job's call if it has one; its OnCallEnded still follows.
  virtual void HangUp(JobId job) = 0;
};

}  // namespace faxgate
