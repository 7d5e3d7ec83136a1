// Private to base (config.cpp): reads the telephony and mail sections of faxgate.toml.
#pragma once

#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "base/config.h"

namespace faxgate {

Status ParseTelephonyConfig(const toml::table& root, Config* config);
// [mail] and its [[mail.route]] tables (mail_config.cpp).
Status ParseMailConfig(const toml::table& mail, MailConfig* config);

}  // namespace faxgate
