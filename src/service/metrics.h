// /metrics in the Prometheus text format: jobs by state, calls active, pages sent and
// received, attempt results, lines, and the media tick's lateness.
#pragma once

#include <string>

#include "lines/line_pool.h"
#include "queue/scheduler.h"
#include "store/store.h"

namespace faxgate {

std::string RenderMetrics(Store& store, const LinePool& lines);

}  // namespace faxgate
