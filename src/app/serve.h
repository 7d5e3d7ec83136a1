// `faxgate serve`: wires every module together and runs until SIGINT/SIGTERM.
#pragma once

#include <string>

namespace faxgate {

struct ServeOptions {
  std::string config_file;  // empty: ./faxgate.toml if present, else the built-in demo
  std::string data_dir;     // overrides the config's data_dir
  std::string listen;       // overrides the config's http.listen
};

int RunServe(const ServeOptions& options);

}  // namespace faxgate
