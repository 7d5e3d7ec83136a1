// faxgate.toml: what an operator sets before start. Run-time settings (system parameters,
// users, DIDs) live in the store instead.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "base/result.h"

namespace faxgate {

// How fast the loopback trunk runs: "realtime" paces audio at 8 kHz like a real line,
// "fast" runs the two fax terminals as fast as the CPU allows (tests).
enum class Pace { kRealtime, kFast };

// The built-in trunk whose outgoing calls come back in as inbound calls. The behaviour lists
// make chosen dialled numbers fail in a chosen way so retries can be tried end to end.
struct LoopbackTrunkConfig {
  bool enabled = true;
  Pace pace = Pace::kRealtime;
  int channels = 30;                            // simultaneous calls the trunk carries
  std::vector<std::string> busy;                // dial strings answered with "busy"
  std::vector<std::string> no_answer;           // ring out with no answer
  std::vector<std::string> no_fax;              // answered by something that is not a fax
  std::map<std::string, int> drop_after_pages;  // hang up after N pages were received
  // A number listed here behaves that way for this many calls, then normally (0 = always).
  int fail_count = 0;
};

// [documents]: how uploads are converted to fax pages.
struct DocumentsConfig {
  int workers = 2;           // conversions at once (the blocking pool's threads)
  int office_instances = 1;  // warm LibreOffice processes (about 280 MB each)
  int timeout_s = 60;        // per renderer run
  int max_pages = 500;       // fax pages one document may become
  int memory_mb = 2048;      // address space of each renderer process
};

struct Config {
  std::filesystem::path data_dir = "var";
  std::string http_listen = "127.0.0.1:8080";
  std::string log_level = "info";
  int media_workers = 0;         // 0 = one per core
  int max_concurrent_calls = 0;  // over all trunks; 0 = sum of the trunks' channels
  LoopbackTrunkConfig loopback;
  DocumentsConfig documents;
  std::filesystem::path source_path;  // the file it was read from, empty for defaults
};

// Reads faxgate.toml. Every key is optional; unknown keys are an error naming the key so that a
// typo does not silently keep a default.
Result<Config> LoadConfig(const std::filesystem::path& path);
Result<Config> ParseConfig(std::string_view toml_text);

}  // namespace faxgate
