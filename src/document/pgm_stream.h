// Incremental parser of a stream of binary PGM (P5) pages, the format renderers write to a pipe
// (`mutool draw -F pgm -o -`, `gs -sDEVICE=pgmraw -o -`). Bytes arrive in chunks of any size; each
// complete page is handed to the sink at once, so a long document is never held whole.
//
// The stream comes from a renderer working on a stranger's document: the header is checked
// against size limits before anything is allocated, and pixel memory grows only as pixel bytes
// actually arrive.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "document/grey_image.h"

namespace faxgate {

struct PgmStreamOptions {
  int max_width = 20'000;
  int max_height = 60'000;
  int64_t max_pixels = 150'000'000;  // of one page
  // Copied into every GreyImage.
  double x_dpi = 0;
  double y_dpi = 0;
};

class PgmStreamParser {
 public:
  PgmStreamParser(PgmStreamOptions options, GreySink sink);

  // Consumes the next bytes of the stream. An error (bad header, page too large, or the
  // sink's own error) is final: later calls return it again.
  Status Feed(std::string_view bytes);
  // The stream has ended: an error if it stopped inside a page.
  Status Finish();
  int pages() const { return pages_; }

 private:
  enum class State { kMagic, kHeader, kPixels };
  Status ParseHeaderByte(char c);
  Status StartPage();
  Status AppendPixels(std::string_view& bytes);
  Status EmitPage();
  Status Fail(std::string message);

  PgmStreamOptions options_;
  GreySink sink_;
  State state_ = State::kMagic;
  std::string magic_;
  // Header after "P5": width, height, maxval, separated by whitespace and # comments.
  std::string token_;
  int tokens_done_ = 0;
  int64_t values_[3] = {0, 0, 0};
  bool in_comment_ = false;
  size_t header_bytes_ = 0;
  int bytes_per_sample_ = 1;
  uint64_t raster_bytes_ = 0;  // of the current page
  uint64_t received_bytes_ = 0;
  uint8_t pending_high_ = 0;  // first byte of a 16-bit sample split across chunks
  GreyImage page_;
  int pages_ = 0;
  Status error_;
};

}  // namespace faxgate
