// Private to the fax module: the threads that write received pages (PageWriter). They run
// below normal priority, so that a burst of page ends yields the CPU to the media workers,
// whose 20 ms tick cannot wait; what is queued here can wait for the next idle moment.
#pragma once

#include <functional>

namespace faxgate {

// Runs `job` on one of the page-writing threads (one per core, started on first use, stopped
// after draining the queue at exit). Jobs may run in any order and concurrently.
void RunInBackground(std::function<void()> job);

// Blocks until nothing is queued or running. For simulations that advance call time faster
// than real time and want the background work to take none of it.
void WaitForBackgroundWork();

}  // namespace faxgate
