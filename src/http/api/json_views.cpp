#include "http/api/json_views.h"

#include "base/time_format.h"

namespace faxgate::http {
namespace {

nlohmann::json Time(TimePoint t) {
  if (t == TimePoint{}) return nullptr;
  return FormatRfc3339(t);
}

nlohmann::json Time(const std::optional<TimePoint>& t) { return t ? Time(*t) : nullptr; }

nlohmann::json OutboundJson(const FaxView& v, bool details) {
  const Job& j = v.job;
  nlohmann::json o = {
      {"id", j.id},
      {"direction", "outbound"},
      {"group_id", j.group_id},
      {"owner", j.owner_name},
      {"to", ToJson(j.number)},
      {"recipient_name", j.recipient_name},
      {"recipient_company", j.recipient_company},
      {"subject", j.subject},
      {"resolution", j.resolution},
      {"paper", j.paper},
      {"halftone", j.halftone},
      {"cover", j.cover.empty() ? nullptr : nlohmann::json(j.cover)},
      {"status", ToString(j.state)},
      {"status_text", j.status_text},
      {"priority", j.priority},
      {"pages", j.pages_total},
      {"pages_sent", j.pages_sent},
      {"dials", j.dials},
      {"max_dials", j.max_dials},
      {"tries", j.tries},
      {"max_tries", j.max_tries},
      {"submitted_at", Time(j.submitted_at)},
      {"send_at", Time(j.send_at)},
      {"kill_at", Time(j.kill_at)},
      {"next_try_at", j.state == JobState::kRetrying ? Time(j.next_try_at) : nullptr},
      {"finished_at", Time(j.finished_at)},
      {"last_failure",
       j.last_failure == FailureKind::kNone ? nullptr : nlohmann::json(ToString(j.last_failure))},
  };
  if (details) {
    o["attempts"] = nlohmann::json::array();
    for (const Attempt& a : v.attempts) o["attempts"].push_back(ToJson(a));
    o["documents"] = nlohmann::json::array();
    for (const Document& d : v.documents)
      o["documents"].push_back({{"name", d.file_name},
                                {"type", d.type},
                                {"pages", d.pages},
                                {"converted", !d.converted_hash.empty()}});
  }
  return o;
}

nlohmann::json InboundJson(const FaxView& v) {
  const InboundFax& f = v.inbound;
  return {
      {"id", f.id},
      {"direction", "inbound"},
      {"owner", f.owner_name},
      {"called_number", f.called_number},
      {"caller_number", f.caller_number},
      {"remote_ident", f.remote_ident},
      {"status", ToString(f.state)},
      {"status_text", f.reason},
      {"pages", f.pages},
      {"file_size", f.file_size},
      {"started_at", Time(f.started_at)},
      {"ended_at", Time(f.ended_at)},
      {"duration_ms", f.duration_ms},
      {"bit_rate", f.bit_rate},
      {"compression", f.compression},
      {"ecm", f.ecm},
      {"resolution", f.resolution},
      {"result_code", f.result_code},
      {"trunk", f.trunk},
      {"call_id", f.call_id},
  };
}

}  // namespace

nlohmann::json ToJson(const PhoneNumber& n) {
  return {{"input", n.input},
          {"e164", n.canonical},
          {"dial", n.dial_string},
          {"extension", n.extension},
          {"class", ToString(n.call_class)},
          {"display", n.display}};
}

nlohmann::json ToJson(const Attempt& a) {
  return {
      {"number", a.number},
      {"started_at", Time(a.started_at)},
      {"ended_at", Time(a.ended_at)},
      {"result", a.ended_at ? nlohmann::json(ToString(a.result)) : nlohmann::json("in_progress")},
      {"result_code", a.result_code},
      {"reason", a.reason},
      {"first_page", a.first_page + 1},
      {"pages_sent", a.pages_sent},
      {"bit_rate", a.bit_rate},
      {"compression", a.compression},
      {"ecm", a.ecm},
      {"resolution", a.resolution},
      {"remote_ident", a.remote_ident},
      {"duration_ms", a.duration_ms},
      {"trunk", a.trunk},
      {"call_id", a.call_id}};
}

nlohmann::json ToJson(const FaxView& v, bool with_details) {
  return v.direction == Direction::kOutbound ? OutboundJson(v, with_details) : InboundJson(v);
}

nlohmann::json ToJson(const User& u) {
  return {{"name", u.name},
          {"full_name", u.full_name},
          {"role", ToString(u.role)},
          {"fax_number", u.fax_number},
          {"email", u.email},
          {"other_emails", u.other_emails},
          {"company", u.company},
          {"phone", u.phone},
          {"cover", u.cover},
          {"rights",
           {{"local", u.rights.local},
            {"domestic", u.rights.domestic},
            {"international", u.rights.international}}},
          {"notify_on_success", u.notify_on_success},
          {"fax_by_email", u.fax_by_email},
          {"language", u.language},
          {"must_change_password", u.must_change_password},
          {"disabled", u.disabled},
          {"created_at", Time(u.created_at)}};
}

nlohmann::json ToJson(const LineStatus& l) {
  return {{"trunk", l.trunk},
          {"kind", l.kind},
          {"state", l.state},
          {"detail", l.detail},
          {"active_calls", l.active_calls},
          {"channels", l.channels}};
}

nlohmann::json ToJson(const Event& e) {
  return {{"at", Time(e.at)},
          {"level", e.level},
          {"category", e.category},
          {"subject", e.subject},
          {"text", e.text}};
}

}  // namespace faxgate::http
