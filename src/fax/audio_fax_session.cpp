// AudioFaxSession: T.30 over 8 kHz linear audio with spandsp's fax_state_t.
#include <algorithm>
#include <array>

#include "fax/fax_session.h"
#include "fax/t30_call.h"
#include "fax/t30_setup.h"

namespace faxgate {
namespace {

class AudioFaxSessionImpl final : public AudioFaxSession {
 public:
  AudioFaxSessionImpl(const FaxSessionParams& params, int pages_to_send, FaxEvents* events)
      : call_(params, pages_to_send, events) {}

  ~AudioFaxSessionImpl() override {
    call_.Abandon();
    if (fax_ != nullptr) fax_free(fax_);
  }

  Status Start(const FaxSessionParams& params) {
    int modems = SupportedModems(params.options, 14400);
    if (modems == 0) return MakeError(ErrorCode::kInvalidArgument, "no fax modem is enabled");
    fax_ = fax_init(nullptr, params.calling_party ? TRUE : FALSE);
    if (fax_ == nullptr) return MakeError(ErrorCode::kInternal, "fax_init failed");
    // Idle means silence, not no samples: an RTP stream must not have holes (gotcha 8).
    fax_set_transmit_on_idle(fax_, TRUE);
    fax_set_tep_mode(fax_, FALSE);
    t30_state_t* t30 = fax_get_t30_state(fax_);
    ApplyT30Options(t30, params, modems);
    call_.Attach(t30, fax_get_logging_state(fax_));
    return Status::Ok();
  }

  void Transmit(std::span<int16_t> out) override {
    T30Call::Step step(call_, 0);
    size_t done = 0;
    while (done < out.size()) {
      int want = static_cast<int>(std::min<size_t>(out.size() - done, kChunk));
      int got = fax_tx(fax_, out.data() + done, want);
      if (got <= 0) break;
      done += static_cast<size_t>(got);
    }
    std::fill(out.begin() + static_cast<std::ptrdiff_t>(done), out.end(), int16_t{0});
  }

  void Receive(std::span<const int16_t> in) override {
    // fax_rx is the session's clock. It takes a mutable pointer, so it gets a copy.
    std::array<int16_t, kChunk> buffer;
    for (size_t done = 0; done < in.size();) {
      size_t n = std::min(in.size() - done, buffer.size());
      std::copy_n(in.begin() + static_cast<std::ptrdiff_t>(done), n, buffer.begin());
      T30Call::Step step(call_, static_cast<int>(n));
      fax_rx(fax_, buffer.data(), static_cast<int>(n));
      done += n;
    }
  }

  void ReceiveLost(int samples) override {
    if (samples <= 0) return;
    T30Call::Step step(call_, samples);
    fax_rx_fillin(fax_, samples);
  }

  void Hangup(std::string_view why) override { call_.Hangup(why); }
  bool finished() const override { return call_.finished(); }
  const FaxOutcome& outcome() const override { return call_.outcome(); }

 private:
  static constexpr size_t kChunk = 320;

  T30Call call_;
  fax_state_t* fax_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<AudioFaxSession>> AudioFaxSession::Create(const FaxSessionParams& params,
                                                                 FaxEvents* events) {
  FG_RETURN_IF_ERROR(CheckSessionParams(params));
  int pages_to_send = 0;
  if (params.role == FaxRole::kSender) {
    FG_ASSIGN_OR_RETURN(pages_to_send, CheckFileToSend(params));
  }
  auto session = std::make_unique<AudioFaxSessionImpl>(params, pages_to_send, events);
  FG_RETURN_IF_ERROR(session->Start(params));
  return std::unique_ptr<AudioFaxSession>(std::move(session));
}

}  // namespace faxgate
