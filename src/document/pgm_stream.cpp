#include "document/pgm_stream.h"

#include <cstring>

#include <algorithm>
#include <utility>

namespace faxgate {
namespace {

constexpr size_t kMaxHeaderBytes = 4096;  // comments included
constexpr size_t kInitialReserve = 16 << 20;

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

}  // namespace

PgmStreamParser::PgmStreamParser(PgmStreamOptions options, GreySink sink)
    : options_(options), sink_(std::move(sink)) {}

Status PgmStreamParser::Fail(std::string message) {
  error_ = MakeError(ErrorCode::kInvalidArgument, "renderer output: " + std::move(message));
  return error_;
}

Status PgmStreamParser::Feed(std::string_view bytes) {
  if (!error_.ok()) return error_;
  while (!bytes.empty()) {
    switch (state_) {
      case State::kMagic: {
        char c = bytes.front();
        bytes.remove_prefix(1);
        if (magic_.empty() && IsSpace(c)) continue;  // between pages
        magic_.push_back(c);
        if (magic_.size() < 2) continue;
        if (magic_ != "P5") return Fail("not a binary PGM page (expected P5)");
        magic_.clear();
        state_ = State::kHeader;
        token_.clear();
        tokens_done_ = 0;
        in_comment_ = false;
        header_bytes_ = 0;
        break;
      }
      case State::kHeader: {
        char c = bytes.front();
        bytes.remove_prefix(1);
        FG_RETURN_IF_ERROR(ParseHeaderByte(c));
        break;
      }
      case State::kPixels:
        FG_RETURN_IF_ERROR(AppendPixels(bytes));
        break;
    }
  }
  return Status::Ok();
}

Status PgmStreamParser::ParseHeaderByte(char c) {
  if (++header_bytes_ > kMaxHeaderBytes) return Fail("PGM header too long");
  if (in_comment_) {
    if (c == '\n' || c == '\r') in_comment_ = false;
    return Status::Ok();
  }
  if (c == '#' && token_.empty()) {
    in_comment_ = true;
    return Status::Ok();
  }
  if (!IsSpace(c)) {
    if (c < '0' || c > '9') return Fail("bad character in PGM header");
    if (token_.size() >= 9) return Fail("number in PGM header too large");
    token_.push_back(c);
    return Status::Ok();
  }
  if (token_.empty()) return Status::Ok();
  values_[tokens_done_++] = std::stoll(token_);
  token_.clear();
  // After maxval exactly one whitespace byte (this one) precedes the raster.
  if (tokens_done_ == 3) return StartPage();
  return Status::Ok();
}

Status PgmStreamParser::StartPage() {
  int64_t width = values_[0], height = values_[1], maxval = values_[2];
  if (width < 1 || height < 1) return Fail("PGM page with zero size");
  if (width > options_.max_width || height > options_.max_height ||
      width * height > options_.max_pixels) {
    return Fail("page of " + std::to_string(width) + "x" + std::to_string(height) +
                " pixels is larger than the limit");
  }
  if (maxval < 1 || maxval > 65535) return Fail("PGM maxval out of range");
  bytes_per_sample_ = maxval > 255 ? 2 : 1;
  raster_bytes_ = static_cast<uint64_t>(width * height) * bytes_per_sample_;
  received_bytes_ = 0;
  page_ = GreyImage{};
  page_.width = static_cast<int>(width);
  page_.height = static_cast<int>(height);
  page_.x_dpi = options_.x_dpi;
  page_.y_dpi = options_.y_dpi;
  // Reserve only a bounded amount: a hostile header alone must not cost its claimed size.
  page_.pixels.reserve(std::min<size_t>(static_cast<size_t>(width * height), kInitialReserve));
  state_ = State::kPixels;
  return Status::Ok();
}

Status PgmStreamParser::AppendPixels(std::string_view& bytes) {
  uint64_t want = raster_bytes_ - received_bytes_;
  size_t take = static_cast<size_t>(std::min<uint64_t>(want, bytes.size()));
  std::string_view chunk = bytes.substr(0, take);
  bytes.remove_prefix(take);
  const int64_t maxval = values_[2];
  if (bytes_per_sample_ == 1) {
    if (maxval == 255) {
      // A block copy: inserting char iterators into a uint8_t vector goes byte by byte.
      const size_t old_size = page_.pixels.size();
      page_.pixels.resize(old_size + chunk.size());
      std::memcpy(page_.pixels.data() + old_size, chunk.data(), chunk.size());
    } else {
      for (unsigned char v : chunk) {
        page_.pixels.push_back(static_cast<uint8_t>(std::min<int64_t>(v, maxval) * 255 / maxval));
      }
    }
  } else {
    for (size_t i = 0; i < chunk.size(); ++i) {
      uint64_t offset = received_bytes_ + i;
      auto byte = static_cast<uint8_t>(chunk[i]);
      if (offset % 2 == 0) {
        pending_high_ = byte;
      } else {
        int64_t v = std::min<int64_t>((int64_t{pending_high_} << 8) | byte, maxval);
        page_.pixels.push_back(static_cast<uint8_t>(v * 255 / maxval));
      }
    }
  }
  received_bytes_ += take;
  if (received_bytes_ == raster_bytes_) return EmitPage();
  return Status::Ok();
}

Status PgmStreamParser::EmitPage() {
  state_ = State::kMagic;
  ++pages_;
  Status s = sink_(std::move(page_));
  page_ = GreyImage{};
  if (!s.ok()) error_ = s;
  return s;
}

Status PgmStreamParser::Finish() {
  if (!error_.ok()) return error_;
  if (state_ != State::kMagic || !magic_.empty()) {
    return Fail("the page stream ended in the middle of page " + std::to_string(pages_ + 1));
  }
  return Status::Ok();
}

}  // namespace faxgate
