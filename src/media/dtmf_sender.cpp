// DTMF for fax extensions: in-band through spandsp's generator, or RFC 4733 telephone-events.
#include "media/dtmf_sender.h"

#include <spandsp.h>

#include <algorithm>
#include <cctype>

#include "media/rtp_packet.h"

namespace faxgate {
namespace {

constexpr int kSamplesPerMs = 8;
constexpr int kTickSamples = 160;  // one 20 ms media tick at 8 kHz
constexpr int kEndPackets = 3;     // RFC 4733 2.5.1.4: the end packet is sent three times

// Receivers need about 40 ms of tone and of pause to count a digit (Q.24); anything much
// longer than two seconds is a typo in the configuration, and would also overflow the
// 16-bit RFC 4733 duration field if it grew without bound.
constexpr int kMinMs = 40;
constexpr int kMaxMs = 2000;

DtmfTiming Sanitise(DtmfTiming timing) {
  timing.tone_ms = std::clamp(timing.tone_ms, kMinMs, kMaxMs);
  timing.gap_ms = std::clamp(timing.gap_ms, kMinMs, kMaxMs);
  return timing;
}

// The digits both senders can signal, upper-cased. Anything else (a pause character, a typo,
// a space) is skipped rather than failing the call: the extension is dialled after the far end
// answered, and a best-effort dial is more useful than none.
std::string DialableDigits(const std::string& digits) {
  std::string out;
  for (char c : digits) {
    char upper = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (TelephoneEventCode(upper) >= 0) out.push_back(upper);
  }
  return out;
}

TelephoneEventPacket MakePacket(const TelephoneEvent& event, bool marker, uint32_t event_start) {
  auto bytes = EncodeTelephoneEvent(event);
  TelephoneEventPacket packet;
  packet.payload.assign(bytes.begin(), bytes.end());
  packet.marker = marker;
  packet.timestamp_offset = event_start;
  return packet;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// In-band

struct InbandDtmfSender::State {
  ~State() {
    if (tx != nullptr) dtmf_tx_free(tx);
  }

  // spandsp's queue holds MAX_DTMF_DIGITS and dtmf_tx_put loads a string only if all of it
  // fits, so digits go in one at a time, topped up as the generator consumes them.
  void TopUp() {
    while (queued < digits.size() && dtmf_tx_put(tx, &digits[queued], 1) == 0) ++queued;
  }

  dtmf_tx_state_t* tx = nullptr;
  std::string digits;
  size_t queued = 0;
  long total_samples = 0;  // every digit's tone and gap
  long generated = 0;
  bool finished = false;
};

InbandDtmfSender::InbandDtmfSender(std::string digits, DtmfTiming timing)
    : s_(std::make_unique<State>()) {
  timing = Sanitise(timing);
  s_->digits = DialableDigits(digits);
  s_->total_samples =
      static_cast<long>(s_->digits.size()) * (timing.tone_ms + timing.gap_ms) * kSamplesPerMs;
  s_->tx = dtmf_tx_init(nullptr);
  if (s_->tx == nullptr) {
    s_->finished = true;  // out of memory: nothing to send, and say so through done()
    return;
  }
  dtmf_tx_set_timing(s_->tx, timing.tone_ms, timing.gap_ms);
  s_->TopUp();
  s_->finished = s_->digits.empty();
}

InbandDtmfSender::~InbandDtmfSender() = default;

void InbandDtmfSender::Generate(std::span<int16_t> out) {
  size_t done = 0;
  if (!s_->finished) {
    while (done < out.size()) {
      int want = static_cast<int>(std::min<size_t>(out.size() - done, 8000));
      int got = dtmf_tx(s_->tx, out.data() + done, want);
      done += static_cast<size_t>(std::max(got, 0));
      s_->TopUp();
      // A short count means spandsp's queue ran dry after the last digit's gap.
      if (got < want && s_->queued == s_->digits.size()) {
        s_->finished = true;
        break;
      }
    }
    s_->generated += static_cast<long>(done);
    if (s_->generated >= s_->total_samples) s_->finished = true;
  }
  std::fill(out.begin() + static_cast<std::ptrdiff_t>(done), out.end(), int16_t{0});
}

bool InbandDtmfSender::done() const { return s_->finished; }

// ---------------------------------------------------------------------------------------------
// RFC 4733

Rfc4733DtmfSender::Rfc4733DtmfSender(std::string digits, DtmfTiming timing)
    : digits_(DialableDigits(digits)), timing_(Sanitise(timing)) {}

std::vector<TelephoneEventPacket> Rfc4733DtmfSender::Tick() {
  std::vector<TelephoneEventPacket> packets;
  if (done()) return packets;
  const int tone = timing_.tone_ms * kSamplesPerMs;
  const int gap = timing_.gap_ms * kSamplesPerMs;
  const uint32_t event_start = position_ - static_cast<uint32_t>(elapsed_);
  elapsed_ += kTickSamples;
  position_ += kTickSamples;

  TelephoneEvent event;
  event.event = static_cast<uint8_t>(TelephoneEventCode(digits_[index_]));
  if (elapsed_ < tone) {
    event.duration = static_cast<uint16_t>(elapsed_);
    packets.push_back(MakePacket(event, elapsed_ == kTickSamples, event_start));
  } else if (end_sent_ < kEndPackets) {
    // The tone is over: its true length, not the tick-rounded one, goes in every end packet.
    event.end = true;
    event.duration = static_cast<uint16_t>(tone);
    bool first_packet = end_sent_ == 0 && elapsed_ == kTickSamples;  // tone of one tick or less
    packets.push_back(MakePacket(event, first_packet, event_start));
    ++end_sent_;
  }
  // The next digit starts after the gap, and never while end packets are still due (a gap
  // shorter than the retransmissions would otherwise overlap two events).
  if (elapsed_ >= tone + gap && end_sent_ == kEndPackets) {
    ++index_;
    elapsed_ = 0;
    end_sent_ = 0;
  }
  return packets;
}

bool Rfc4733DtmfSender::done() const { return index_ >= digits_.size(); }

}  // namespace faxgate
