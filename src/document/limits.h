// What one document's conversion may cost. Documents come from strangers: a renderer that
// runs past these limits is stopped and the document fails with a message saying which limit.
#pragma once

#include <chrono>
#include <cstdint>

namespace faxgate {

struct ConversionLimits {
  std::chrono::milliseconds wall_time{60'000};    // per renderer run
  int cpu_seconds = 60;                           // RLIMIT_CPU of each renderer process
  int64_t memory_bytes = int64_t{2} << 30;        // RLIMIT_AS of each external renderer
  int64_t file_bytes = int64_t{512} << 20;        // RLIMIT_FSIZE: largest file a renderer writes
  int max_pages = 500;                            // fax pages one document may become
  int64_t max_image_pixels = 150'000'000;         // decoded size of one source image
  int64_t max_unpacked_bytes = int64_t{1} << 30;  // Office files are zips: their unpacked size
};

}  // namespace faxgate
