// Maps (method, path) to a handler. Handlers run on the control thread, one at a time, so they
// must not block: anything slow (database writes, document conversion) goes to the blocking
// pool, and the handler either waits for nothing or answers later through a Responder.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/request.h"
#include "http/response.h"

namespace faxgate::http {

using Handler = std::function<Response(const Request&)>;

// Sends the answer of a deferred request. Call it once, from any thread; the response is
// written on the control thread. If it is destroyed uncalled, the connection is closed.
using Responder = std::function<void(Response)>;

// A handler that answers later (long polls, work on the blocking pool). It must copy what it
// needs from the request before returning.
using AsyncHandler = std::function<void(const Request&, Responder)>;

class Router {
 public:
  // path_template is a path whose segments may be "{name}" (one non-empty segment, decoded,
  // as request.PathParam("name")) or, last only, "{name...}" (the rest of the path, which may
  // contain '/'). Where templates overlap, literal segments beat {name}, which beats {name...}:
  // "/faxes/stats" wins over "/faxes/{id}". Registering the same method and template twice is
  // a bug; the first registration wins.
  void Add(std::string_view method, std::string_view path_template, Handler handler);
  void AddAsync(std::string_view method, std::string_view path_template, AsyncHandler handler);

  // Finds the handler for request.method and request.path, fills request.path_params and
  // calls it; respond receives the response, now or later. Unknown paths get a 404, known
  // paths with another method a 405 listing the allowed ones; HEAD uses the GET handler.
  void Dispatch(Request& request, Responder respond) const;

 private:
  struct Segment {
    enum Kind { kLiteral, kParam, kRest } kind;  // in order of precedence
    std::string text;                            // the literal, or the parameter's name
  };
  struct Route {
    std::string method;
    std::vector<Segment> segments;
    AsyncHandler handler;
  };

  static std::vector<Segment> ParseTemplate(std::string_view path_template);
  static bool Match(const Route& route, const std::vector<std::string_view>& raw_segments,
                    PathParams* params);
  static bool MorePrecise(const Route& a, const Route& b);
  const Route* Find(std::string_view method, const std::vector<std::string_view>& raw_segments,
                    PathParams* params) const;
  std::string AllowedMethods(const std::vector<std::string_view>& raw_segments) const;

  std::vector<Route> routes_;
};

}  // namespace faxgate::http
