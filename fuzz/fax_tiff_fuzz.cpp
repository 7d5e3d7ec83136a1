// Fuzz target for TIFFs from strangers (uploads, received faxes): whatever the bytes,
// InspectTiff, CheckSendable and ReadBitmaps return an error or a result, never crash, and
// never allocate without bound.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "fax/tiff_document.h"

namespace {

// libtiff reads files, so the input goes to a temporary one first.
class TempFile {
 public:
  TempFile(const uint8_t* data, size_t size) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "fax_tiff_fuzz.XXXXXX").string();
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
  auto info = faxgate::InspectTiff(file.path(), "input.tif");
  if (!info.ok()) return 0;
  if (!faxgate::CheckSendable(*info, "input.tif").ok()) return 0;
  auto pages = faxgate::ReadBitmaps(file.path());
  if (pages.ok() && pages->size() != info->pages.size()) std::abort();
  return 0;
}
