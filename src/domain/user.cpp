#include "domain/user.h"

#include "domain/inbound_fax.h"

namespace faxgate {

std::string_view ToString(Role r) {
  switch (r) {
    case Role::kSysAdmin:
      return "sysadmin";
    case Role::kDomainAdmin:
      return "domainadmin";
    case Role::kUser:
      return "user";
  }
  return "user";
}

std::optional<Role> ParseRole(std::string_view s) {
  if (s == "sysadmin") return Role::kSysAdmin;
  if (s == "domainadmin") return Role::kDomainAdmin;
  if (s == "user") return Role::kUser;
  return std::nullopt;
}

std::string_view ToString(InboundState s) {
  switch (s) {
    case InboundState::kReceiving:
      return "receiving";
    case InboundState::kReceived:
      return "received";
    case InboundState::kFailed:
      return "failed";
  }
  return "failed";
}

std::optional<InboundState> ParseInboundState(std::string_view s) {
  if (s == "receiving") return InboundState::kReceiving;
  if (s == "received") return InboundState::kReceived;
  if (s == "failed") return InboundState::kFailed;
  return std::nullopt;
}

std::string_view ToString(CallClass c) {
  switch (c) {
    case CallClass::kInternal:
      return "internal";
    case CallClass::kLocal:
      return "local";
    case CallClass::kDomestic:
      return "domestic";
    case CallClass::kInternational:
      return "international";
  }
  return "local";
}

}  // namespace faxgate
