// Listens to a call's incoming audio for the signals that say a fax machine is there: CNG
// (1100 Hz calling tone), CED/ANSam (2100 Hz answer tone) and the V.21 HDLC preamble (flags at
// 300 bit/s that start every T.30 exchange). A call uses it to decide when to switch to T.38 and
// to tell "answered by a fax" from "answered by a voice or a modem".
// Not thread-safe: one call owns it on one media worker.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

namespace faxgate {

enum class FaxTone { kNone, kCng, kCed, kV21Preamble };
std::string_view ToString(FaxTone tone);

class FaxToneDetector {
 public:
  FaxToneDetector();
  ~FaxToneDetector();
  FaxToneDetector(const FaxToneDetector&) = delete;
  FaxToneDetector& operator=(const FaxToneDetector&) = delete;

  // Feeds 8 kHz linear samples. Returns the tone first recognised in this chunk (each kind is
  // reported once per call), or kNone. A chunk that completes two tones returns the second from
  // the next Feed (an empty chunk will do); heard() knows both at once.
  FaxTone Feed(std::span<const int16_t> samples);
  bool heard(FaxTone tone) const;
  bool heard_any() const;

 private:
  struct Detectors;
  std::unique_ptr<Detectors> d_;
};

}  // namespace faxgate
