// How faxgate's objects look in JSON: one function per object, shared by every endpoint so a
// fax looks the same in a list and on its own.
#pragma once

#include <nlohmann/json.hpp>

#include "lines/line_pool.h"
#include "service/fax_service.h"
#include "store/store.h"

namespace faxgate::http {

nlohmann::json ToJson(const PhoneNumber& n);
nlohmann::json ToJson(const Attempt& a);
nlohmann::json ToJson(const FaxView& v, bool with_details);
nlohmann::json ToJson(const User& u);
nlohmann::json ToJson(const LineStatus& l);
nlohmann::json ToJson(const Event& e);

}  // namespace faxgate::http
