// FaxToneDetector: two spandsp modem_connect_tones receivers side by side. spandsp 0.0.6 has no
// single detector for all three signals: MODEM_CONNECT_TONES_FAX_CNG looks for the 1100 Hz
// calling tone only, and MODEM_CONNECT_TONES_FAX_CED_OR_PREAMBLE runs a 2100 Hz notch detector
// (ANS, ANS with phase reversals, ANSam, ANSam with phase reversals) and a V.21 receiver that
// counts back-to-back HDLC flags. Both report tone-on and tone-off transitions through a callback.
#include "media/fax_tone_detector.h"

#include <spandsp.h>

#include <algorithm>
#include <array>
#include <deque>

namespace faxgate {

std::string_view ToString(FaxTone tone) {
  switch (tone) {
    case FaxTone::kNone:
      return "none";
    case FaxTone::kCng:
      return "CNG";
    case FaxTone::kCed:
      return "CED";
    case FaxTone::kV21Preamble:
      return "V.21 preamble";
  }
  return "unknown";
}

namespace {

// What one spandsp report means to faxgate. Every 2100 Hz variant is an answer tone: a V.8
// modem's ANSam and a fax machine's CED cannot be told apart by the tone alone (real fax
// machines send ANSam too, spandsp.md gotcha 15), so the call learns "modem, not fax" later,
// from T.30 failing. Tone-off reports (MODEM_CONNECT_TONES_NONE) carry no news.
FaxTone Classify(int spandsp_tone) {
  switch (spandsp_tone) {
    case MODEM_CONNECT_TONES_FAX_CNG:
      return FaxTone::kCng;
    case MODEM_CONNECT_TONES_ANS:
    case MODEM_CONNECT_TONES_ANS_PR:
    case MODEM_CONNECT_TONES_ANSAM:
    case MODEM_CONNECT_TONES_ANSAM_PR:
      return FaxTone::kCed;
    case MODEM_CONNECT_TONES_FAX_PREAMBLE:
      return FaxTone::kV21Preamble;
    default:
      return FaxTone::kNone;
  }
}

size_t Index(FaxTone tone) { return static_cast<size_t>(tone); }

}  // namespace

struct FaxToneDetector::Detectors {
  Detectors() {
    cng = modem_connect_tones_rx_init(nullptr, MODEM_CONNECT_TONES_FAX_CNG, &OnTone, this);
    answer = modem_connect_tones_rx_init(nullptr, MODEM_CONNECT_TONES_FAX_CED_OR_PREAMBLE, &OnTone,
                                         this);
  }
  ~Detectors() {
    if (cng != nullptr) modem_connect_tones_rx_free(cng);
    if (answer != nullptr) modem_connect_tones_rx_free(answer);
  }

  static void OnTone(void* user_data, int tone, int /*level*/, int /*delay*/) {
    auto* self = static_cast<Detectors*>(user_data);
    FaxTone kind = Classify(tone);
    if (kind == FaxTone::kNone || self->heard[Index(kind)]) return;
    self->heard[Index(kind)] = true;
    self->pending.push_back(kind);
  }

  modem_connect_tones_rx_state_t* cng = nullptr;
  modem_connect_tones_rx_state_t* answer = nullptr;
  std::array<bool, 4> heard{};
  // Tones recognised but not yet returned by Feed: one chunk can complete two of them.
  std::deque<FaxTone> pending;
};

FaxToneDetector::FaxToneDetector() : d_(std::make_unique<Detectors>()) {}
FaxToneDetector::~FaxToneDetector() = default;

FaxTone FaxToneDetector::Feed(std::span<const int16_t> samples) {
  // modem_connect_tones_rx takes an int count; feed in bounded pieces so a huge span is safe.
  constexpr size_t kPiece = 8000;
  for (size_t done = 0; done < samples.size();) {
    size_t n = std::min(samples.size() - done, kPiece);
    int len = static_cast<int>(n);
    if (d_->cng != nullptr) modem_connect_tones_rx(d_->cng, samples.data() + done, len);
    if (d_->answer != nullptr) modem_connect_tones_rx(d_->answer, samples.data() + done, len);
    done += n;
  }
  if (d_->pending.empty()) return FaxTone::kNone;
  FaxTone first = d_->pending.front();
  d_->pending.pop_front();
  return first;
}

bool FaxToneDetector::heard(FaxTone tone) const {
  return tone != FaxTone::kNone && d_->heard[Index(tone)];
}

bool FaxToneDetector::heard_any() const {
  return heard(FaxTone::kCng) || heard(FaxTone::kCed) || heard(FaxTone::kV21Preamble);
}

}  // namespace faxgate
