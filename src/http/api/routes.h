// The route groups of the API (one file each).
#pragma once

#include "http/api/api.h"

namespace faxgate::http {

void AddFaxRoutes(Router& router, const ApiContext& ctx);
void AddUserRoutes(Router& router, const ApiContext& ctx);
void AddSystemRoutes(Router& router, const ApiContext& ctx);
void AddCoverTemplateRoutes(Router& router, const ApiContext& ctx);
void AddMailRoutes(Router& router, const ApiContext& ctx);

}  // namespace faxgate::http
