#include "service/metrics.h"

#include <fmt/format.h>

namespace faxgate {
namespace {

void Family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

std::string RenderMetrics(Store& store, const LinePool& lines) {
  std::string out;
  auto counters = store.Counters();
  if (counters.ok()) {
    Family(out, "faxgate_jobs", "gauge", "Outgoing fax jobs by state.");
    for (JobState s :
         {JobState::kPreparing, JobState::kScheduled, JobState::kQueued, JobState::kSending,
          JobState::kRetrying, JobState::kSucceeded, JobState::kFailed, JobState::kCancelled}) {
      auto it = counters->jobs_by_state.find(s);
      out += fmt::format("faxgate_jobs{{state=\"{}\"}} {}\n", ToString(s),
                         it == counters->jobs_by_state.end() ? 0 : it->second);
    }
    Family(out, "faxgate_attempts_total", "counter", "Finished call attempts by result.");
    for (const auto& [kind, n] : counters->attempts_by_result)
      out += fmt::format("faxgate_attempts_total{{result=\"{}\"}} {}\n", ToString(kind), n);
    Family(out, "faxgate_pages_sent_total", "counter", "Pages confirmed by the far end.");
    out += fmt::format("faxgate_pages_sent_total {}\n", counters->pages_sent);
    Family(out, "faxgate_pages_received_total", "counter", "Pages received.");
    out += fmt::format("faxgate_pages_received_total {}\n", counters->pages_received);
    Family(out, "faxgate_faxes_received_total", "counter", "Faxes received completely.");
    out += fmt::format("faxgate_faxes_received_total {}\n", counters->faxes_received);
  }
  Family(out, "faxgate_calls_active", "gauge",
         "Calls in progress (outgoing and, on SIP trunks, incoming).");
  out += fmt::format("faxgate_calls_active {}\n", lines.active_calls());
  Family(out, "faxgate_line_up", "gauge", "1 when the trunk can carry calls.");
  for (const LineStatus& l : lines.Lines())
    out += fmt::format("faxgate_line_up{{trunk=\"{}\"}} {}\n", l.trunk, l.state == "up" ? 1 : 0);
  Family(out, "faxgate_line_active_calls", "gauge", "Calls in progress on the trunk.");
  for (const LineStatus& l : lines.Lines())
    out += fmt::format("faxgate_line_active_calls{{trunk=\"{}\"}} {}\n", l.trunk, l.active_calls);
  Family(out, "faxgate_line_channels", "gauge", "Simultaneous calls the trunk carries.");
  for (const LineStatus& l : lines.Lines())
    out += fmt::format("faxgate_line_channels{{trunk=\"{}\"}} {}\n", l.trunk, l.channels);
  TickStats ticks = lines.tick_stats();
  Family(out, "faxgate_media_tick_lateness_ms", "summary",
         "How late the 20 ms media tick started (realtime pace).");
  out += fmt::format("faxgate_media_tick_lateness_ms{{quantile=\"0.5\"}} {:.1f}\n",
                     ticks.Percentile(0.5));
  out += fmt::format("faxgate_media_tick_lateness_ms{{quantile=\"0.99\"}} {:.1f}\n",
                     ticks.Percentile(0.99));
  out += fmt::format("faxgate_media_tick_lateness_ms_count {}\n", ticks.ticks);
  return out;
}

}  // namespace faxgate
