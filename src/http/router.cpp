#include "http/router.h"

#include <algorithm>

#include "http/error_mapping.h"
#include "http/url.h"

namespace faxgate::http {
namespace {

// "/a/b%20c" -> {"a", "b c"}; "/" -> {""}. Segments are decoded one by one, so an encoded
// slash ("%2F") stays inside its segment instead of splitting it.
Result<std::vector<std::string>> SplitPath(std::string_view path) {
  if (path.empty() || path.front() != '/') {
    return MakeError(ErrorCode::kInvalidArgument, "the request path must start with '/'");
  }
  std::vector<std::string> segments;
  path.remove_prefix(1);
  while (true) {
    size_t slash = path.find('/');
    FG_ASSIGN_OR_RETURN(std::string segment, PercentDecode(path.substr(0, slash)));
    segments.push_back(std::move(segment));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

std::string Join(const std::vector<std::string_view>& parts, size_t from) {
  std::string out;
  for (size_t i = from; i < parts.size(); ++i) {
    if (i > from) out.push_back('/');
    out.append(parts[i]);
  }
  return out;
}

AsyncHandler Deferred(Handler handler) {
  return [handler = std::move(handler)](const Request& request, Responder respond) {
    respond(handler(request));
  };
}

}  // namespace

void Router::Add(std::string_view method, std::string_view path_template, Handler handler) {
  AddAsync(method, path_template, Deferred(std::move(handler)));
}

void Router::AddAsync(std::string_view method, std::string_view path_template,
                      AsyncHandler handler) {
  routes_.push_back(Route{std::string(method), ParseTemplate(path_template), std::move(handler)});
}

std::vector<Router::Segment> Router::ParseTemplate(std::string_view path_template) {
  std::vector<Segment> segments;
  if (!path_template.empty() && path_template.front() == '/') path_template.remove_prefix(1);
  while (true) {
    size_t slash = path_template.find('/');
    std::string_view text = path_template.substr(0, slash);
    bool braced = text.size() >= 2 && text.front() == '{' && text.back() == '}';
    if (!braced) {
      segments.push_back({Segment::kLiteral, std::string(text)});
    } else if (text.size() > 5 && text.substr(text.size() - 4) == "...}") {
      segments.push_back({Segment::kRest, std::string(text.substr(1, text.size() - 5))});
    } else {
      segments.push_back({Segment::kParam, std::string(text.substr(1, text.size() - 2))});
    }
    if (slash == std::string_view::npos) break;
    path_template.remove_prefix(slash + 1);
  }
  return segments;
}

bool Router::Match(const Route& route, const std::vector<std::string_view>& path,
                   PathParams* params) {
  PathParams found;
  size_t i = 0;
  for (const Segment& segment : route.segments) {
    if (segment.kind == Segment::kRest) {
      found[segment.text] = Join(path, i);
      i = path.size();
      break;
    }
    if (i == path.size()) return false;
    if (segment.kind == Segment::kLiteral && path[i] != segment.text) return false;
    if (segment.kind == Segment::kParam) {
      if (path[i].empty()) return false;
      found[segment.text] = std::string(path[i]);
    }
    ++i;
  }
  if (i != path.size()) return false;
  if (params != nullptr) *params = std::move(found);
  return true;
}

bool Router::MorePrecise(const Route& a, const Route& b) {
  size_t n = std::min(a.segments.size(), b.segments.size());
  for (size_t i = 0; i < n; ++i) {
    if (a.segments[i].kind != b.segments[i].kind) return a.segments[i].kind < b.segments[i].kind;
  }
  return false;
}

const Router::Route* Router::Find(std::string_view method,
                                  const std::vector<std::string_view>& path,
                                  PathParams* params) const {
  const Route* best = nullptr;
  for (const Route& route : routes_) {
    if (route.method != method || !Match(route, path, nullptr)) continue;
    if (best == nullptr || MorePrecise(route, *best)) best = &route;
  }
  if (best != nullptr) Match(*best, path, params);
  return best;
}

std::string Router::AllowedMethods(const std::vector<std::string_view>& path) const {
  std::vector<std::string> methods;
  for (const Route& route : routes_) {
    if (Match(route, path, nullptr)) methods.push_back(route.method);
  }
  if (std::find(methods.begin(), methods.end(), "GET") != methods.end()) {
    methods.push_back("HEAD");
  }
  std::sort(methods.begin(), methods.end());
  methods.erase(std::unique(methods.begin(), methods.end()), methods.end());
  std::string allow;
  for (const std::string& method : methods) {
    if (!allow.empty()) allow += ", ";
    allow += method;
  }
  return allow;
}

void Router::Dispatch(Request& request, Responder respond) const {
  auto segments = SplitPath(request.path);
  if (!segments.ok()) {
    respond(ErrorResponse(400, std::string(kBadRequest), segments.error().message));
    return;
  }
  std::vector<std::string_view> path(segments->begin(), segments->end());
  const Route* route = Find(request.method, path, &request.path_params);
  if (route == nullptr && request.method == "HEAD") {
    route = Find("GET", path, &request.path_params);
  }
  if (route != nullptr) {
    route->handler(request, std::move(respond));
    return;
  }
  std::string allow = AllowedMethods(path);
  if (allow.empty()) {
    respond(ErrorResponse(MakeError(ErrorCode::kNotFound, "no such resource: " + request.path)));
    return;
  }
  Response response =
      ErrorResponse(405, std::string(kMethodNotAllowed),
                    request.method + " is not allowed on " + request.path + "; allowed: " + allow);
  response.AddHeader("Allow", allow);
  respond(std::move(response));
}

}  // namespace faxgate::http
