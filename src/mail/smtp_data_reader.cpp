#include "mail/smtp_data_reader.h"

namespace faxgate::mail {

void SmtpDataReader::Append(std::string_view text) {
  size_ += static_cast<int64_t>(text.size());
  if (too_big_) return;
  if (size_ > max_bytes_) {
    too_big_ = true;
    std::string().swap(message_);  // give the memory back at once
    return;
  }
  message_.append(text);
}

size_t SmtpDataReader::Consume(std::string_view bytes) {
  size_t i = 0;
  while (i < bytes.size() && state_ != State::kDone) {
    const char c = bytes[i];
    switch (state_) {
      case State::kLineStart:
        if (c == '.') {
          state_ = State::kDot;  // the dot is dropped: stuffing, or the end
          ++i;
          continue;
        }
        state_ = State::kText;
        continue;  // the same byte, as text
      case State::kDot:
        if (c == '\r') {
          state_ = State::kDotCr;
        } else if (c == '\n') {
          state_ = State::kDone;  // ".\n": bare-LF clients end this way
        } else {
          state_ = State::kText;
          continue;
        }
        ++i;
        continue;
      case State::kDotCr:
        if (c == '\n') {
          state_ = State::kDone;
          ++i;
          continue;
        }
        Append("\r");  // ".\rx": a stray CR, kept as text
        state_ = State::kText;
        continue;
      case State::kText: {
        // The bulk of the message: copy up to the next line end in one go.
        const size_t end = bytes.find_first_of("\r\n", i);
        const size_t stop = end == std::string_view::npos ? bytes.size() : end;
        Append(bytes.substr(i, stop - i));
        i = stop;
        if (i == bytes.size()) break;
        if (bytes[i] == '\n') {
          Append("\r\n");
          state_ = State::kLineStart;
        } else {
          state_ = State::kCr;
        }
        ++i;
        continue;
      }
      case State::kCr:
        if (c == '\n') {
          Append("\r\n");
          state_ = State::kLineStart;
          ++i;
          continue;
        }
        Append("\r");  // a bare CR inside a line is text
        state_ = State::kText;
        continue;
      case State::kDone:
        break;
    }
  }
  return i;
}

}  // namespace faxgate::mail
