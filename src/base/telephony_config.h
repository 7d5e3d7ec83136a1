// Private to base (config.cpp): reads the telephony sections of faxgate.toml.
#pragma once

#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "base/config.h"

namespace faxgate {

Status ParseTelephonyConfig(const toml::table& root, Config* config);

}  // namespace faxgate
