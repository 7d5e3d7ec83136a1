// Private to the SMTP server: the message text after DATA (RFC 5321 4.1.1.4, 4.5.2), read from
// whatever pieces the network delivers. Undoes dot-stuffing, turns bare LF into CRLF and finds
// the lone "." that ends it. Lines longer than RFC 5321's 1000 octets are taken as they come:
// real clients send them, and the whole message is bounded by the size limit anyway.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace faxgate::mail {

class SmtpDataReader {
 public:
  // A message larger than `max_bytes` (counted after unstuffing, with CRLF line ends) is read to
  // its end but not kept.
  explicit SmtpDataReader(int64_t max_bytes) : max_bytes_(max_bytes) {}

  // Takes bytes; returns how many it used. Fewer than given only when the end of the message is
  // among them: what follows is the next command.
  size_t Consume(std::string_view bytes);

  bool done() const { return state_ == State::kDone; }
  bool too_big() const { return too_big_; }
  // The octets the message has, counted also when too big.
  int64_t size() const { return size_; }
  // The message with CRLF line ends, once done() and not too_big().
  std::string TakeMessage() { return std::move(message_); }

 private:
  enum class State {
    kLineStart,  // at the start of a line
    kDot,        // the line started with '.'
    kDotCr,      // the line is ".\r"
    kText,       // inside a line
    kCr,         // inside a line, after '\r'
    kDone,
  };
  void Append(std::string_view text);

  int64_t max_bytes_;
  int64_t size_ = 0;
  bool too_big_ = false;
  State state_ = State::kLineStart;
  std::string message_;
};

}  // namespace faxgate::mail
