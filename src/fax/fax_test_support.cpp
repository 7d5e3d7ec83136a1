#include "fax/fax_test_support.h"

#include "fax/background_writer_threads.h"

#include <spandsp.h>

#include <algorithm>

#include "base/files.h"

namespace faxgate::fax_test {
namespace {

// A small deterministic generator (numerical recipes LCG): the same seed, the same page.
class Random {
 public:
  explicit Random(int seed) : state_(static_cast<uint32_t>(seed) * 2654435761u + 1) {}
  int Uniform(int low, int high) {  // [low, high]
    state_ = state_ * 1664525u + 1013904223u;
    return low + static_cast<int>((state_ >> 8) % static_cast<uint32_t>(high - low + 1));
  }

 private:
  uint32_t state_;
};

void FillRect(Bitmap& page, int x0, int y0, int width, int height) {
  int x1 = std::min(page.width, x0 + width);
  int y1 = std::min(page.height, y0 + height);
  for (int y = std::max(0, y0); y < y1; ++y) {
    uint8_t* row = &page.bits[static_cast<size_t>(y) * page.stride];
    for (int x = std::max(0, x0); x < x1; ++x) row[x / 8] |= static_cast<uint8_t>(0x80 >> (x % 8));
  }
}

// One line of text at `top`: words of glyph-like rectangles, some with ascenders.
void DrawTextLine(Bitmap& page, Random& random, int top, int x_height, int left, int right) {
  int x = left + random.Uniform(0, 40);
  int line_end = right - random.Uniform(0, 300);
  while (x < line_end) {
    int letters = random.Uniform(1, 9);
    for (int i = 0; i < letters && x < line_end; ++i) {
      int width = random.Uniform(5, 14);
      bool tall = random.Uniform(0, 3) == 0;
      int height = tall ? x_height * 3 / 2 : x_height;
      FillRect(page, x, top + x_height * 3 / 2 - height, width, height);
      x += width + random.Uniform(2, 4);
    }
    x += random.Uniform(12, 20);
  }
}

}  // namespace

Bitmap MakeBlankPage(int width, int height, double x_dpi, double y_dpi) {
  Bitmap page;
  page.width = width;
  page.height = height;
  page.stride = (width + 7) / 8;
  page.x_dpi = x_dpi;
  page.y_dpi = y_dpi;
  page.bits.assign(static_cast<size_t>(page.stride) * height, 0);
  return page;
}

Bitmap MakeTestPage(PageResolution resolution, int seed) {
  bool fine = resolution == PageResolution::kFine;
  Bitmap page = MakeBlankPage(1728, fine ? 2292 : 1146, 204, fine ? 196 : 98);
  Random random(seed);
  int scale = fine ? 2 : 1;  // rows per standard row
  int pitch = 20 * scale;
  int x_height = 7 * scale;
  for (int top = 60 * scale; top + pitch < page.height - 60 * scale; top += pitch) {
    if (random.Uniform(0, 11) == 0) continue;  // paragraph break
    DrawTextLine(page, random, top, x_height, 120, page.width - 120);
  }
  // Rules and a margin bar: long runs that MR and MMR code far better than MH.
  FillRect(page, 100, 40 * scale, page.width - 200, 2 * scale);
  FillRect(page, 100, page.height - 40 * scale, page.width - 200, 1 * scale);
  FillRect(page, 60, 200 * scale, 4, 300 * scale);
  // Sparse noise, as from a scanner.
  for (int i = 0; i < 400; ++i) {
    FillRect(page, random.Uniform(0, page.width - 1), random.Uniform(0, page.height - 1), 1, 1);
  }
  return page;
}

std::vector<Bitmap> MakeTestDocument(PageResolution resolution, int pages, int first_seed) {
  std::vector<Bitmap> document;
  for (int i = 0; i < pages; ++i) document.push_back(MakeTestPage(resolution, first_seed + i));
  return document;
}

TempDir::TempDir()
    : path_(std::filesystem::temp_directory_path() / ("faxgate-fax-test-" + RandomHex(8))) {
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

bool RecordingEvents::Saw(bool incoming, std::string_view frame) const {
  return std::find(frames.begin(), frames.end(), std::make_pair(incoming, std::string(frame))) !=
         frames.end();
}

void AudioLink::ThroughCodec(std::vector<int16_t>& samples) const {
  for (int16_t& sample : samples) {
    sample = codec_ == Codec::kUlaw ? ulaw_to_linear(linear_to_ulaw(sample))
                                    : alaw_to_linear(linear_to_alaw(sample));
  }
}

void AudioLink::Tick() {
  // Received pages are written on background threads; in call time that takes no time here.
  WaitForBackgroundWork();
  std::vector<int16_t> from_a(160);
  std::vector<int16_t> from_b(160);
  a_.Transmit(from_a);
  b_.Transmit(from_b);
  ThroughCodec(from_a);
  ThroughCodec(from_b);
  b_.Receive(from_a);
  a_.Receive(from_b);
  ++ticks_;
}

bool AudioLink::RunUntil(const std::function<bool()>& done, double max_seconds) {
  long limit = ticks_ + static_cast<long>(max_seconds / 0.02);
  while (!done()) {
    if (ticks_ >= limit) return false;
    Tick();
  }
  return true;
}

IfpSink T38Link::Sink(Queue& queue) {
  return [this, &queue](std::span<const uint8_t> ifp, int copies) {
    max_copies_ = std::max(max_copies_, copies);
    uint16_t seq = queue.next_seq++;
    for (int i = 0; i < copies; ++i) {
      queue.packets.push_back(Packet{std::vector<uint8_t>(ifp.begin(), ifp.end()), seq});
    }
  };
}

void T38Link::Deliver(Queue& queue, T38FaxSession& to) {
  // Packets produced while delivering belong to the next tick (20 ms of latency).
  std::deque<Packet> now;
  now.swap(queue.packets);
  for (const Packet& packet : now) to.ReceiveIfp(packet.ifp, packet.seq);
}

void T38Link::Tick() {
  WaitForBackgroundWork();
  a_->Tick(160);
  b_->Tick(160);
  Deliver(a_to_b_, *b_);
  Deliver(b_to_a_, *a_);
  ++ticks_;
}

bool T38Link::RunUntil(const std::function<bool()>& done, double max_seconds) {
  long limit = ticks_ + static_cast<long>(max_seconds / 0.02);
  while (!done()) {
    if (ticks_ >= limit) return false;
    Tick();
  }
  return true;
}

}  // namespace faxgate::fax_test
