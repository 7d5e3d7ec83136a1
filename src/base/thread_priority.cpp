// RunBelowNormalPriority: setpriority on the thread id (Linux nice values are per thread).
#include "base/thread_priority.h"

#include <sys/resource.h>
#include <unistd.h>

namespace faxgate {

void RunBelowNormalPriority() {
  constexpr int kNiceness = 10;
  thread_local bool lowered = false;
  if (lowered) return;
  lowered = true;
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kNiceness);
}

}  // namespace faxgate
