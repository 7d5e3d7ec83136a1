// The system parameters, read from the store once and kept current on every change.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "base/result.h"
#include "domain/settings.h"
#include "store/store.h"

namespace faxgate {

class SettingsService {
 public:
  explicit SettingsService(Store& store) : store_(store) {}
  // Reads the stored parameters; a bad stored value is an error naming it.
  Status Load();
  SystemSettings Get() const;
  // Validates the whole new set before storing any of it.
  Status Put(const std::map<std::string, std::string>& changes);

 private:
  Store& store_;
  mutable std::mutex mutex_;
  SystemSettings current_;
};

}  // namespace faxgate
