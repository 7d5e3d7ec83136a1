// Test helpers for the fax module: synthetic pages, a scratch directory, an event recorder,
// and two sessions wired back to back in memory (audio through G.711, or T.38 IFP queues).
// Time advances in 20 ms ticks as fast as the CPU allows; nothing sleeps.
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "fax/fax_session.h"
#include "fax/tiff_document.h"

namespace faxgate::fax_test {

enum class PageResolution { kStandard, kFine };  // 1728x1146 at 204x98, 1728x2292 at 204x196

// A text-like page: lines of "words" made of small black rectangles of varying width and
// height, a few rules, and sparse noise, all from `seed`. Different seeds give different
// pages; MH, MR and MMR give different sizes.
Bitmap MakeTestPage(PageResolution resolution, int seed);
std::vector<Bitmap> MakeTestDocument(PageResolution resolution, int pages, int first_seed = 1);

// A bilevel page of any size and resolution, for negative tests.
Bitmap MakeBlankPage(int width, int height, double x_dpi, double y_dpi);

// A fresh directory under the system temp directory, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Keeps everything a session reported. `on_page_received` lets a test act from inside a
// callback (e.g. hang up).
struct RecordingEvents : FaxEvents {
  void OnNegotiated(const NegotiatedParams& params) override { negotiated.push_back(params); }
  void OnPageConfirmed(int pages) override { confirmed.push_back(pages); }
  void OnPageReceived(int pages) override {
    received.push_back(pages);
    if (on_page_received) on_page_received(pages);
  }
  void OnFrame(bool incoming, std::string_view frame) override {
    frames.emplace_back(incoming, std::string(frame));
  }
  void OnFinished(const FaxOutcome& result) override {
    ++finished_calls;
    outcome = result;
  }
  bool Saw(bool incoming, std::string_view frame) const;

  std::vector<NegotiatedParams> negotiated;
  std::vector<int> confirmed;
  std::vector<int> received;
  std::vector<std::pair<bool, std::string>> frames;
  int finished_calls = 0;
  FaxOutcome outcome;
  std::function<void(int)> on_page_received;
};

enum class Codec { kUlaw, kAlaw };

// Two audio sessions facing each other through a G.711 codec, as on an RTP path.
class AudioLink {
 public:
  AudioLink(AudioFaxSession& a, AudioFaxSession& b, Codec codec) : a_(a), b_(b), codec_(codec) {}
  // One 20 ms tick: each side transmits 160 samples and receives the other's.
  void Tick();
  // Ticks until `done` holds or `max_seconds` of call time have passed; false on time-out.
  bool RunUntil(const std::function<bool()>& done, double max_seconds = 900);
  bool RunUntilFinished() {
    return RunUntil([this] { return a_.finished() && b_.finished(); });
  }
  double seconds() const { return ticks_ * 0.02; }

 private:
  void ThroughCodec(std::vector<int16_t>& samples) const;

  AudioFaxSession& a_;
  AudioFaxSession& b_;
  Codec codec_;
  long ticks_ = 0;
};

// IFP queues between two T.38 sessions. Packets are delivered on the next tick, each as many
// times as spandsp asked (`copies`), with one sequence number per IFP.
class T38Link {
 public:
  IfpSink SinkFromA() { return Sink(a_to_b_); }
  IfpSink SinkFromB() { return Sink(b_to_a_); }
  void Connect(T38FaxSession* a, T38FaxSession* b) {
    a_ = a;
    b_ = b;
  }
  void Tick();
  bool RunUntil(const std::function<bool()>& done, double max_seconds = 900);
  bool RunUntilFinished() {
    return RunUntil([this] { return a_->finished() && b_->finished(); });
  }
  int max_copies() const { return max_copies_; }

 private:
  struct Packet {
    std::vector<uint8_t> ifp;
    uint16_t seq;
  };
  struct Queue {
    std::deque<Packet> packets;
    uint16_t next_seq = 0;
  };
  IfpSink Sink(Queue& queue);
  static void Deliver(Queue& queue, T38FaxSession& to);

  Queue a_to_b_;
  Queue b_to_a_;
  T38FaxSession* a_ = nullptr;
  T38FaxSession* b_ = nullptr;
  long ticks_ = 0;
  int max_copies_ = 0;
};

}  // namespace faxgate::fax_test
