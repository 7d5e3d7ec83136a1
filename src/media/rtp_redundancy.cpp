#include "media/rtp_redundancy.h"

#include <algorithm>

namespace faxgate {
namespace {

constexpr size_t kMaxBlocks = 16;
constexpr uint32_t kMaxOffset = 0x3FFF;    // 14 bits
constexpr size_t kMaxBlockLength = 0x3FF;  // 10 bits

Error Invalid(const char* what) {
  return MakeError(ErrorCode::kInvalidArgument, std::string("redundant audio (RFC 2198): ") + what);
}

}  // namespace

Result<std::vector<RedundantBlock>> ParseRedundantPayload(std::span<const uint8_t> payload) {
  // Headers: 4 bytes (F=1, PT, 14-bit offset, 10-bit length) per redundant block, then 1 byte
  // (F=0, PT) for the primary, whose data is whatever follows the redundant blocks' data.
  std::vector<RedundantBlock> blocks;
  size_t pos = 0;
  size_t data_length = 0;
  while (true) {
    if (pos >= payload.size()) return Invalid("the block headers run past the end");
    const uint8_t first = payload[pos];
    RedundantBlock block;
    block.payload_type = first & 0x7F;
    if ((first & 0x80) == 0) {
      ++pos;
      blocks.push_back(block);
      break;
    }
    if (payload.size() - pos < 4) return Invalid("a block header is cut short");
    if (blocks.size() + 1 >= kMaxBlocks) return Invalid("more than 16 blocks");
    block.timestamp_offset = (uint32_t{payload[pos + 1]} << 6) | (payload[pos + 2] >> 2);
    const size_t length = (size_t{payload[pos + 2]} & 0x03) << 8 | payload[pos + 3];
    block.data = std::span<const uint8_t>(static_cast<const uint8_t*>(nullptr), length);
    data_length += length;
    pos += 4;
    blocks.push_back(block);
  }
  if (payload.size() - pos < data_length) return Invalid("the blocks are longer than the packet");
  for (size_t i = 0; i + 1 < blocks.size(); ++i) {
    const size_t length = blocks[i].data.size();
    blocks[i].data = payload.subspan(pos, length);
    pos += length;
  }
  blocks.back().data = payload.subspan(pos);
  return blocks;
}

RedundantEncoder::RedundantEncoder(uint8_t payload_type, int depth)
    : payload_type_(payload_type & 0x7F),
      depth_(static_cast<size_t>(std::clamp(depth, 0, kMaxAudioRedundancy))) {}

std::span<const uint8_t> RedundantEncoder::Encode(uint32_t timestamp,
                                                  std::span<const uint8_t> frame) {
  out_.clear();
  for (const Frame& f : history_) {
    const uint32_t offset = timestamp - f.timestamp;
    if (offset == 0 || offset > kMaxOffset || f.bytes.size() > kMaxBlockLength) continue;
    out_.push_back(static_cast<uint8_t>(0x80 | payload_type_));
    out_.push_back(static_cast<uint8_t>(offset >> 6));
    out_.push_back(static_cast<uint8_t>((offset & 0x3F) << 2 | f.bytes.size() >> 8));
    out_.push_back(static_cast<uint8_t>(f.bytes.size() & 0xFF));
  }
  out_.push_back(payload_type_);
  for (const Frame& f : history_) {
    const uint32_t offset = timestamp - f.timestamp;
    if (offset == 0 || offset > kMaxOffset || f.bytes.size() > kMaxBlockLength) continue;
    out_.insert(out_.end(), f.bytes.begin(), f.bytes.end());
  }
  out_.insert(out_.end(), frame.begin(), frame.end());
  if (depth_ > 0) {
    // Reuses the oldest frame's storage once the history is full: no allocation per packet.
    Frame next;
    if (history_.size() == depth_) {
      next = std::move(history_.front());
      history_.pop_front();
    }
    next.timestamp = timestamp;
    next.bytes.assign(frame.begin(), frame.end());
    history_.push_back(std::move(next));
  }
  return out_;
}

}  // namespace faxgate
