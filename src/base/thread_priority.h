// Thread priority for work that can wait: document conversion, page writing.
#pragma once

namespace faxgate {

// Lowers the calling thread to nice 10 (once; later calls do nothing). Under full load such a
// thread gets about a tenth of the CPU a normal one gets, so the media workers' 20 ms tick is
// served first, yet it never starves. Processes it starts inherit the niceness.
void RunBelowNormalPriority();

}  // namespace faxgate
