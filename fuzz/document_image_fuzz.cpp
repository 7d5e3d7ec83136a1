// Fuzz target for image files from strangers: whatever the bytes, ReadImagePages returns an
// error or images within the limits, never crashes, and never decodes more than it may.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "document/image_input.h"

namespace {

// Leptonica and libtiff read files, so the input goes to a temporary one first.
class TempFile {
 public:
  TempFile(const uint8_t* data, size_t size) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "document_image_fuzz.XXXXXX").string();
    int fd = ::mkstemp(pattern.data());
    if (fd < 0) std::abort();
    path_ = pattern;
    for (size_t done = 0; done < size;) {
      ssize_t n = ::write(fd, data + done, size - done);
      if (n <= 0) std::abort();
      done += static_cast<size_t>(n);
    }
    ::close(fd);
  }
  ~TempFile() { ::unlink(path_.c_str()); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  TempFile file(data, size);
  faxgate::ConversionLimits limits;
  limits.max_image_pixels = 1'000'000;
  limits.max_pages = 4;
  int pages = 0;
  auto status =
      faxgate::ReadImagePages(file.path(), "input", limits, [&](faxgate::GreyImage&& image) {
        ++pages;
        const auto pixels = static_cast<int64_t>(image.width) * image.height;
        if (image.width <= 0 || image.height <= 0 || pixels > limits.max_image_pixels ||
            image.pixels.size() != static_cast<size_t>(pixels)) {
          std::abort();
        }
        return faxgate::Status::Ok();
      });
  if (pages > limits.max_pages) std::abort();
  (void)status;
  return 0;
}
