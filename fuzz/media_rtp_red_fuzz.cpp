// RFC 2198 redundant audio arrives in RTP from whoever knows the call's audio port. The input is
// one `red` payload: ParseRedundantPayload never reads outside it, every block lies inside it
// in order, and the payload is canonical, so writing the blocks back gives the input's bytes.
// Then the blocks drive a RedundantEncoder, whose output must parse back to what it was fed.
#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "fuzz_check.h"
#include "media/rtp_redundancy.h"

namespace {

void CheckParse(std::span<const uint8_t> payload) {
  auto blocks = faxgate::ParseRedundantPayload(payload);
  if (!blocks.ok()) {
    FUZZ_CHECK(blocks.error().code == faxgate::ErrorCode::kInvalidArgument);
    return;
  }
  FUZZ_CHECK(!blocks->empty() && blocks->size() <= 16);
  std::vector<uint8_t> written;
  for (size_t i = 0; i + 1 < blocks->size(); ++i) {
    const faxgate::RedundantBlock& b = (*blocks)[i];
    FUZZ_CHECK(b.timestamp_offset <= 0x3FFF && b.data.size() <= 0x3FF);
    written.push_back(static_cast<uint8_t>(0x80 | b.payload_type));
    written.push_back(static_cast<uint8_t>(b.timestamp_offset >> 6));
    written.push_back(static_cast<uint8_t>((b.timestamp_offset & 0x3F) << 2 | b.data.size() >> 8));
    written.push_back(static_cast<uint8_t>(b.data.size() & 0xFF));
  }
  FUZZ_CHECK(blocks->back().timestamp_offset == 0);
  written.push_back(blocks->back().payload_type);
  const uint8_t* next = payload.data() + written.size();
  for (const faxgate::RedundantBlock& b : *blocks) {
    if (!b.data.empty()) FUZZ_CHECK(b.data.data() == next);
    next += b.data.size();
    written.insert(written.end(), b.data.begin(), b.data.end());
  }
  FUZZ_CHECK(written.size() == payload.size());
  FUZZ_CHECK(std::equal(written.begin(), written.end(), payload.begin()));
}

void CheckEncoder(std::span<const uint8_t> input) {
  if (input.size() < 2) return;
  const int depth = input[0] % 7;  // beyond kMaxAudioRedundancy too: clamped
  faxgate::RedundantEncoder encoder(input[1], depth);
  std::vector<std::vector<uint8_t>> sent;
  uint32_t timestamp = 0;
  size_t pos = 2;
  while (pos < input.size()) {
    const size_t length = std::min<size_t>(input[pos] % 200, input.size() - pos - 1);
    std::vector<uint8_t> frame(input.begin() + static_cast<std::ptrdiff_t>(pos + 1),
                               input.begin() + static_cast<std::ptrdiff_t>(pos + 1 + length));
    timestamp += 160;
    pos += 1 + length;
    auto blocks = faxgate::ParseRedundantPayload(encoder.Encode(timestamp, frame));
    FUZZ_CHECK(blocks.ok());
    FUZZ_CHECK(blocks->size() <= static_cast<size_t>(std::min(depth, 5)) + 1);
    FUZZ_CHECK(blocks->back().payload_type == (input[1] & 0x7F));
    FUZZ_CHECK(std::equal(frame.begin(), frame.end(), blocks->back().data.begin(),
                          blocks->back().data.end()));
    sent.push_back(frame);
    // Each redundant block is the frame sent that many ticks before.
    for (size_t i = 0; i + 1 < blocks->size(); ++i) {
      const uint32_t ticks_back = (*blocks)[i].timestamp_offset / 160;
      FUZZ_CHECK((*blocks)[i].timestamp_offset % 160 == 0 && ticks_back >= 1 &&
                 ticks_back < sent.size());
      const std::vector<uint8_t>& earlier = sent[sent.size() - 1 - ticks_back];
      FUZZ_CHECK(std::equal(earlier.begin(), earlier.end(), (*blocks)[i].data.begin(),
                            (*blocks)[i].data.end()));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  CheckParse(input);
  CheckEncoder(input);
  return 0;
}
