// T38FaxSession: T.30 over T.38 IFP packets with spandsp's t38_terminal_state_t.
#include <fmt/format.h>

#include "fax/fax_session.h"
#include "fax/t30_call.h"
#include "fax/t30_setup.h"

namespace faxgate {
namespace {

Status CheckT38Params(const T38Params& t38) {
  // T.38 versions 0-3 exist; a datagram must hold at least an HDLC frame of signalling.
  if (t38.version < 0 || t38.version > 3) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("T.38 version {} is unknown", t38.version));
  }
  if (t38.max_datagram < 32 || t38.max_datagram > 65535) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("T.38 datagram size {} is out of range", t38.max_datagram));
  }
  return Status::Ok();
}

class T38FaxSessionImpl final : public T38FaxSession {
 public:
  T38FaxSessionImpl(const FaxSessionParams& params, int pages_to_send, IfpSink sink,
                    FaxEvents* events)
      : call_(params, pages_to_send, events), sink_(std::move(sink)) {}

  ~T38FaxSessionImpl() override {
    call_.Abandon();
    if (terminal_ != nullptr) t38_terminal_free(terminal_);
  }

  Status Start(const FaxSessionParams& params, const T38Params& t38) {
    int modems = SupportedModems(params.options, t38.max_bit_rate);
    if (modems == 0) {
      return MakeError(
          ErrorCode::kInvalidArgument,
          fmt::format("no fax modem is enabled at or below {} bit/s", t38.max_bit_rate));
    }
    terminal_ = t38_terminal_init(nullptr, params.calling_party ? TRUE : FALSE,
                                  &T38FaxSessionImpl::SendIfp, this);
    if (terminal_ == nullptr) return MakeError(ErrorCode::kInternal, "t38_terminal_init failed");
    // 0: paced output with the default indicators, what UDPTL needs. The other options are
    // for TCP, or failed terminal-to-terminal (gotcha 10).
    t38_terminal_set_config(terminal_, 0);
    t38_terminal_set_tep_mode(terminal_, FALSE);
    t38_terminal_set_fill_bit_removal(terminal_, FALSE);
    ConfigureCore(t38);
    t30_state_t* t30 = t38_terminal_get_t30_state(terminal_);
    ApplyT30Options(t30, params, modems);
    call_.Attach(t30, t38_terminal_get_logging_state(terminal_));
    return Status::Ok();
  }

  void Tick(int samples) override {
    if (samples <= 0) return;
    T30Call::Step step(call_, samples);
    t38_terminal_send_timeout(terminal_, samples);
  }

  void ReceiveIfp(std::span<const uint8_t> ifp, uint16_t seq) override {
    T30Call::Step step(call_, 0);
    t38_core_rx_ifp_packet(core_, ifp.data(), static_cast<int>(ifp.size()), seq);
  }

  void Hangup(std::string_view why) override { call_.Hangup(why); }
  bool finished() const override { return call_.finished(); }
  const FaxOutcome& outcome() const override { return call_.outcome(); }

 private:
  // What the SDP negotiated (a=T38FaxVersion, T38FaxMaxDatagram, T38FaxRateManagement,
  // T38MaxBitRate).
  void ConfigureCore(const T38Params& t38) {
    core_ = t38_terminal_get_t38_core_state(terminal_);
    t38_set_t38_version(core_, t38.version);
    t38_set_max_datagram_size(core_, t38.max_datagram);
    t38_set_data_rate_management_method(core_, t38.transferred_tcf
                                                   ? T38_DATA_RATE_MANAGEMENT_TRANSFERRED_TCF
                                                   : T38_DATA_RATE_MANAGEMENT_LOCAL_TCF);
    t38_set_fastest_image_data_rate(core_, t38.max_bit_rate);
  }

  static int SendIfp(t38_core_state_t*, void* user_data, const uint8_t* ifp, int len, int count) {
    auto* self = static_cast<T38FaxSessionImpl*>(user_data);
    if (self->sink_ && len > 0) {
      self->sink_(std::span<const uint8_t>(ifp, static_cast<size_t>(len)), std::max(count, 1));
    }
    return 0;
  }

  T30Call call_;
  IfpSink sink_;
  t38_terminal_state_t* terminal_ = nullptr;
  t38_core_state_t* core_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<T38FaxSession>> T38FaxSession::Create(const FaxSessionParams& params,
                                                             const T38Params& t38, IfpSink sink,
                                                             FaxEvents* events) {
  FG_RETURN_IF_ERROR(CheckSessionParams(params));
  FG_RETURN_IF_ERROR(CheckT38Params(t38));
  int pages_to_send = 0;
  if (params.role == FaxRole::kSender) {
    FG_ASSIGN_OR_RETURN(pages_to_send, CheckFileToSend(params));
  }
  auto session =
      std::make_unique<T38FaxSessionImpl>(params, pages_to_send, std::move(sink), events);
  FG_RETURN_IF_ERROR(session->Start(params, t38));
  return std::unique_ptr<T38FaxSession>(std::move(session));
}

}  // namespace faxgate
