// The line pool owns the trunks (the loopback trunk and the SIP trunks) and the media workers,
// places outgoing calls for the scheduler (it is the scheduler's Dialer) and routes incoming calls
// to the InboundHandler. Dial/HangUp are called on the control thread; events come back to the
// control thread by posting.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "base/config.h"
#include "lines/call_events.h"
#include "lines/line_status.h"
#include "lines/loopback_call.h"
#include "lines/sip_lines.h"
#include "media/media_worker.h"
#include "queue/dialer.h"

namespace faxgate {

class LinePool final : public Dialer {
 public:
  // `local_options` gives the current TSI/CSI, tag line and limits (system parameters).
  LinePool(boost::asio::io_context& control, const Config& config,
           std::function<FaxOptions()> local_options, InboundHandler& inbound,
           OutboundEvents& outbound);
  ~LinePool() override;

  // Starts the media workers and, when trunks are configured, the SIP agent.
  Status Start();
  // Hangs up every call and stops the workers; their final reports are posted to control.
  void Stop();

  bool HasFreeLine() const override;
  Status Dial(const DialRequest& request) override;
  void HangUp(JobId job) override;

  std::vector<LineStatus> Lines() const;
  int active_calls() const;
  // Worst-case tick lateness over all workers.
  TickStats tick_stats() const;

 private:
  struct ActiveCall {
    std::string call_id;
    int worker = 0;
  };
  LoopbackBehaviour BehaviourFor(const std::string& dial_string, int* drop_after);
  LoopbackCallSinks MakeSinks();

  boost::asio::io_context& control_;
  Config config_;
  std::function<FaxOptions()> local_options_;
  InboundHandler& inbound_;
  OutboundEvents& outbound_;
  std::vector<std::unique_ptr<MediaWorker>> workers_;
  std::unique_ptr<SipLines> sip_;
  std::map<JobId, ActiveCall> calls_;         // outgoing calls in progress, by job
  std::map<std::string, int> special_calls_;  // dial string -> calls given its special behaviour
  int64_t next_call_ = 1;
  int next_worker_ = 0;
};

}  // namespace faxgate
