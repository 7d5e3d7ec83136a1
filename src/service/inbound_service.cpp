#include "service/inbound_service.h"

#include <filesystem>

#include <fmt/format.h>

#include "base/log.h"
#include "domain/phone_number.h"
#include "fax/reception_recovery.h"
#include "fax/tiff_document.h"

namespace faxgate {

Result<User> InboundService::Route(const std::string& called) {
  if (auto u = store_.FindUserByFaxNumber(called); u.ok()) return u;
  // The trunk may deliver the DID in another form than the user's number was written in
  // ("8001" against "+867558001"): compare canonical forms under the dial plan.
  const DialPlan plan = settings_.Get().dial_plan();
  if (auto want = ParsePhoneNumber(called, plan); want.ok()) {
    FG_ASSIGN_OR_RETURN(auto users, store_.ListUsers());
    for (User& u : users) {
      if (u.fax_number.empty()) continue;
      auto have = ParsePhoneNumber(u.fax_number, plan);
      if (have.ok() && have->canonical == want->canonical) return u;
    }
  }
  const std::string fallback = settings_.Get().unknown_did;
  if (fallback.empty() || fallback == "refuse") {
    return MakeError(ErrorCode::kNotFound, fmt::format("no user has the fax number {}", called));
  }
  return store_.FindUserByName(fallback);
}

Result<InboundTicket> InboundService::OnIncomingCall(const IncomingCall& call) {
  auto owner = Route(call.called_number);
  if (!owner.ok()) {
    log::Get("call")->warn("call {} from {} to {} refused: {}", call.call_id,
                           call.caller_number.empty() ? "unknown" : call.caller_number,
                           call.called_number, owner.error().message);
    return owner.error();
  }
  InboundFax fax;
  fax.owner_id = owner->id;
  fax.called_number = call.called_number;
  fax.caller_number = call.caller_number;
  fax.trunk = call.trunk;
  fax.call_id = call.call_id;
  fax.state = InboundState::kReceiving;
  fax.started_at = clock_.Now();
  FG_ASSIGN_OR_RETURN(InboundFax stored, store_.CreateInbound(fax));
  const SystemSettings s = settings_.Get();
  InboundTicket ticket;
  ticket.id = stored.id;
  ticket.receive_path = ReceivePath(stored.id);
  ticket.options.local_ident = s.local_ident;
  ticket.options.max_receive_pages = s.max_receive_pages;
  log::Get("call")->info("call {}: receiving fax {} for {} (called {})", call.call_id, stored.id,
                         owner->name, call.called_number);
  return ticket;
}

void InboundService::OnInboundPage(InboundId id, int pages) {
  auto fax = store_.GetInbound(id);
  if (!fax.ok()) return;
  fax->pages = pages;
  (void)store_.UpdateInbound(*fax);
}

void InboundService::OnInboundEnded(InboundId id, const CallReport& r) {
  auto fax = store_.GetInbound(id);
  if (!fax.ok()) {
    log::Get("call")->error("fax {} ended but is not in the store: {}", id, fax.error().message);
    return;
  }
  const std::filesystem::path scratch = ReceivePath(id);
  fax->ended_at = r.ended_at == TimePoint{} ? clock_.Now() : r.ended_at;
  fax->duration_ms = ToUnixMillis(*fax->ended_at) - ToUnixMillis(fax->started_at);
  fax->pages = r.pages;
  fax->remote_ident = r.remote_ident;
  fax->bit_rate = r.bit_rate;
  fax->compression = r.compression;
  fax->ecm = r.ecm;
  fax->resolution = r.resolution;
  fax->result_code = r.result_code;
  fax->reason = r.kind == FailureKind::kNone ? "OK" : r.reason;
  std::error_code ec;
  if (r.pages > 0 && std::filesystem::exists(scratch, ec)) {
    fax->file_size = static_cast<int64_t>(std::filesystem::file_size(scratch, ec));
    if (auto hash = spool_.Adopt(scratch); hash.ok()) {
      fax->document = *hash;
    } else {
      log::Get("call")->error("fax {}: cannot keep the received pages: {}", id,
                              hash.error().message);
    }
  } else {
    std::filesystem::remove(scratch, ec);
  }
  // "received" means the call completed. A cut reception is "failed" but keeps the pages that
  // arrived: they stay in the inbox, viewable, with the reason saying what happened.
  fax->state = r.kind == FailureKind::kNone && !fax->document.empty() ? InboundState::kReceived
                                                                      : InboundState::kFailed;
  if (Status s = store_.UpdateInbound(*fax); !s.ok()) {
    log::Get("call")->error("fax {}: cannot record its end: {}", id, s.error().message);
  }
  std::string text = fax->state == InboundState::kReceived
                         ? fmt::format("received {} pages from {} on {}", fax->pages,
                                       fax->remote_ident.empty() ? "unknown" : fax->remote_ident,
                                       fax->called_number)
                         : fmt::format("reception on {} failed after {} pages: {}",
                                       fax->called_number, fax->pages, fax->reason);
  log::Get("call")->info("fax {}: {}", id, text);
  Event e;
  e.at = clock_.Now();
  e.level = fax->state == InboundState::kReceived ? "info" : "warn";
  e.category = "fax";
  e.subject = fmt::format("fax {}", id);
  e.text = text;
  (void)store_.AppendEvent(e);
}

std::filesystem::path InboundService::ReceivePath(InboundId id) const {
  return spool_.NamedScratchPath(fmt::format("rx-{}.tif", id));
}

Status InboundService::Recover() {
  InboundFilter f;
  f.states = {InboundState::kReceiving};
  f.limit = 1000;
  FG_ASSIGN_OR_RETURN(auto stuck, store_.ListInbound(f));
  for (InboundFax& fax : stuck) {
    // Every page confirmed to the sender is in the file or in its page journal; the file's
    // pages are whole (a page's directory is written when the page is), and a file libtiff
    // cannot read has none worth keeping.
    const std::string name = fmt::format("fax {}", fax.id);
    if (Status s = RecoverReceivedPages(ReceivePath(fax.id), name); !s.ok()) {
      log::Get("call")->error("{}: {}", name, s.error().message);
    }
    CallReport r;
    r.kind = FailureKind::kInterrupted;
    auto info = InspectTiff(ReceivePath(fax.id), name);
    r.pages = info.ok() ? static_cast<int>(info->pages.size()) : 0;
    r.reason = fmt::format("faxgate stopped during the reception; {} pages were kept", r.pages);
    OnInboundEnded(fax.id, r);
  }
  return Status::Ok();
}

}  // namespace faxgate
