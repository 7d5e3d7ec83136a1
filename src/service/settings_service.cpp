#include "service/settings_service.h"

namespace faxgate {

Status SettingsService::Load() {
  FG_ASSIGN_OR_RETURN(auto stored, store_.GetSettings());
  FG_ASSIGN_OR_RETURN(SystemSettings s, FromKeyValues(stored));
  std::lock_guard lock(mutex_);
  current_ = s;
  return Status::Ok();
}

SystemSettings SettingsService::Get() const {
  std::lock_guard lock(mutex_);
  return current_;
}

Status SettingsService::Put(const std::map<std::string, std::string>& changes) {
  auto merged = ToKeyValues(Get());
  for (const auto& [k, v] : changes) merged[k] = v;
  FG_ASSIGN_OR_RETURN(SystemSettings s, FromKeyValues(merged));
  FG_RETURN_IF_ERROR(store_.PutSettings(changes));
  std::lock_guard lock(mutex_);
  current_ = s;
  return Status::Ok();
}

}  // namespace faxgate
