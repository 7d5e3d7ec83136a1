// One row of `faxgate stat` / GET /api/v1/lines / the line metrics.
#pragma once

#include <string>

namespace faxgate {

struct LineStatus {
  std::string trunk;
  std::string kind;    // "loopback", "sip"
  std::string state;   // "up", "down", "registering"
  std::string detail;  // why it is down: "registration refused (403 Forbidden), retry in 60 s"
  int active_calls = 0;
  int channels = 0;
};

}  // namespace faxgate
