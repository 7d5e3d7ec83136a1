// Office documents (doc, docx, xls, xlsx, ppt, pptx, odt, ods, odp, rtf, wri) to PDF through a
// small pool of warm, headless LibreOffice instances.
//
// Each instance is a long-lived /usr/bin/python3 bridge (libreoffice_bridge.py, embedded in
// the binary) that starts its own soffice with its own profile, talks to it over UNO and
// converts one document at a time. A warm conversion costs 0.05-0.15 s against about 1 s for a
// cold `soffice --convert-to`. Instances start on first use, serve one job at a time (a job
// waits for a free instance), and are killed as a whole process group and restarted after an
// error, a crash or a time-out.
//
// The bridge and soffice run under RLIMIT_AS = memory_bytes (soffice starts and converts
// under 2 GiB) and RLIMIT_FSIZE; there is no RLIMIT_CPU on the long-lived processes, the
// per-job timeout stands in for it.
//
// Thread safety: ConvertToPdf may be called from any number of threads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace faxgate {

struct LibreOfficeOptions {
  int instances = 1;
  // Holds the bridge script and one directory per instance (profile, scratch).
  std::filesystem::path base_dir;
  std::chrono::milliseconds timeout{60'000};  // per conversion
  int64_t memory_bytes = int64_t{2} << 30;    // RLIMIT_AS of bridge and soffice
  int64_t file_bytes = int64_t{512} << 20;    // RLIMIT_FSIZE
  std::string python = "/usr/bin/python3";    // must have the uno module
  std::string soffice = "soffice";
};

class Subprocess;

class LibreOfficePool {
 public:
  explicit LibreOfficePool(LibreOfficeOptions options);
  // Stops every instance (asks soffice to quit, then kills the process groups).
  ~LibreOfficePool();
  LibreOfficePool(const LibreOfficePool&) = delete;
  LibreOfficePool& operator=(const LibreOfficePool&) = delete;

  // Converts `input` to <out_dir>/<input stem>.pdf and returns that path. LibreOffice picks
  // the import filter from the content. Errors: "NAME: LibreOffice cannot open it (...)",
  // "NAME: LibreOffice took longer than 60 s and was stopped", "NAME: LibreOffice produced no
  // PDF", or kUnavailable when LibreOffice cannot be started.
  Result<std::filesystem::path> ConvertToPdf(const std::filesystem::path& input,
                                             std::string_view display_name,
                                             const std::filesystem::path& out_dir);

 private:
  struct Instance {
    int index = 0;
    bool busy = false;
    std::unique_ptr<Subprocess> bridge;  // null until first use and after a failure
  };

  Instance& Acquire();
  void Release(Instance& instance);
  Status EnsureStarted(Instance& instance);
  void Stop(Instance& instance);
  Result<std::filesystem::path> Convert(Instance& instance, const std::filesystem::path& input,
                                        std::string_view display_name,
                                        const std::filesystem::path& out_dir);

  const LibreOfficeOptions options_;
  std::filesystem::path script_;
  std::mutex mu_;
  std::condition_variable free_;
  std::vector<std::unique_ptr<Instance>> instances_;  // guarded by mu_ (busy flags)
};

}  // namespace faxgate
