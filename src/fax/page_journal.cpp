// The page journal's file: entries appended one per page, each length-prefixed and closed by a
// marker, in this machine's byte order (the file never leaves it).
#include "fax/page_journal.h"

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace faxgate {
namespace {

constexpr uint32_t kEntryStart = 0x4a504746;  // "FGPJ"
constexpr uint32_t kEntryEnd = 0x454e4f44;    // "DONE"
// Bounds a damaged file cannot get past: identities are 20-odd characters, pages are at most
// A3 wide, and a page's bytes are far below this.
constexpr uint32_t kMaxText = 1024;
constexpr int kMaxWidth = 8192;
constexpr int kMaxRows = 1 << 16;

class EntryWriter {
 public:
  template <typename T>
  void Put(T value) {
    const auto* p = reinterpret_cast<const uint8_t*>(&value);
    bytes_.insert(bytes_.end(), p, p + sizeof value);
  }
  void PutText(const std::string& text) {
    Put(static_cast<uint32_t>(std::min<size_t>(text.size(), kMaxText)));
    bytes_.insert(bytes_.end(), text.begin(),
                  text.begin() + std::min<size_t>(text.size(), kMaxText));
  }
  std::vector<uint8_t>& bytes() { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

class EntryReader {
 public:
  explicit EntryReader(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  template <typename T>
  bool Get(T* value) {
    if (bytes_.size() - at_ < sizeof(T)) return false;
    std::memcpy(value, bytes_.data() + at_, sizeof(T));
    at_ += sizeof(T);
    return true;
  }
  bool GetText(std::string* text) {
    uint32_t size = 0;
    if (!Get(&size) || size > kMaxText || bytes_.size() - at_ < size) return false;
    text->assign(reinterpret_cast<const char*>(bytes_.data() + at_), size);
    at_ += size;
    return true;
  }
  bool GetBytes(std::vector<uint8_t>* out) {
    uint64_t size = 0;
    if (!Get(&size) || bytes_.size() - at_ < size) return false;
    out->assign(bytes_.begin() + static_cast<ptrdiff_t>(at_),
                bytes_.begin() + static_cast<ptrdiff_t>(at_ + size));
    at_ += static_cast<size_t>(size);
    return true;
  }
  bool at_end() const { return at_ == bytes_.size(); }

 private:
  std::span<const uint8_t> bytes_;
  size_t at_ = 0;
};

bool ReadEntry(EntryReader& in, ReceivedPage* page) {
  uint32_t start = 0, end = 0;
  int32_t rows = 0, encoding = 0, width = 0, x_resolution = 0, y_resolution = 0;
  int64_t start_time = 0;
  ReceivedPageInfo& info = page->info;
  if (!in.Get(&start) || start != kEntryStart) return false;
  if (!in.Get(&rows) || !in.Get(&encoding) || !in.Get(&width) || !in.Get(&x_resolution) ||
      !in.Get(&y_resolution) || !in.Get(&start_time)) {
    return false;
  }
  if (!in.GetText(&info.far_ident) || !in.GetText(&info.sub_address) || !in.GetText(&info.dcs) ||
      !in.GetText(&info.vendor) || !in.GetText(&info.model)) {
    return false;
  }
  if (!in.GetBytes(&page->bytes) || !in.Get(&end) || end != kEntryEnd) return false;
  if (width <= 0 || width > kMaxWidth || rows < -1 || rows > kMaxRows) return false;
  // Rows are handed to spandsp's encoder as they are: their size must be what they claim.
  if (rows >= 0 && page->bytes.size() != static_cast<size_t>(rows) * ((width + 7) / 8)) {
    return false;
  }
  page->decoded_rows = rows;
  info.encoding = encoding;
  info.width = width;
  info.x_resolution = x_resolution;
  info.y_resolution = y_resolution;
  info.start_time = start_time;
  return true;
}

// One writev() for the whole entry in the usual case: this runs on a media worker's tick.
bool WriteAll(int fd, std::span<iovec> parts, std::string* error) {
  while (!parts.empty()) {
    ssize_t n = ::writev(fd, parts.data(), static_cast<int>(parts.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *error = n < 0 ? std::strerror(errno) : "nothing written";
      return false;
    }
    auto written = static_cast<size_t>(n);
    while (!parts.empty() && written >= parts.front().iov_len) {
      written -= parts.front().iov_len;
      parts = parts.subspan(1);
    }
    if (!parts.empty()) {
      parts.front().iov_base = static_cast<uint8_t*>(parts.front().iov_base) + written;
      parts.front().iov_len -= written;
    }
  }
  return true;
}

}  // namespace

std::filesystem::path PageJournalPath(const std::filesystem::path& tiff) {
  std::filesystem::path journal = tiff;
  journal += ".pages";
  return journal;
}

PageJournal::~PageJournal() {
  if (fd_ >= 0) ::close(fd_);
}

bool PageJournal::Append(const ReceivedPage& page, std::string* error) {
  if (broken_) {
    *error = "an earlier page could not be written whole";
    return false;
  }
  if (fd_ < 0) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      *error = std::strerror(errno);
      return false;
    }
  }
  const ReceivedPageInfo& info = page.info;
  EntryWriter head;
  head.Put(kEntryStart);
  head.Put(static_cast<int32_t>(page.decoded_rows));
  head.Put(static_cast<int32_t>(info.encoding));
  head.Put(static_cast<int32_t>(info.width));
  head.Put(static_cast<int32_t>(info.x_resolution));
  head.Put(static_cast<int32_t>(info.y_resolution));
  head.Put(static_cast<int64_t>(info.start_time));
  for (const std::string* text :
       {&info.far_ident, &info.sub_address, &info.dcs, &info.vendor, &info.model}) {
    head.PutText(*text);
  }
  head.Put(static_cast<uint64_t>(page.bytes.size()));
  uint32_t end = kEntryEnd;
  std::vector<uint8_t>& head_bytes = head.bytes();
  iovec parts[] = {{head_bytes.data(), head_bytes.size()},
                   {const_cast<uint8_t*>(page.bytes.data()), page.bytes.size()},
                   {&end, sizeof end}};
  if (WriteAll(fd_, parts, error)) {
    size_ += static_cast<off_t>(head_bytes.size() + page.bytes.size() + sizeof end);
    return true;
  }
  // A torn entry would hide the pages appended after it from ParsePageJournal.
  if (::ftruncate(fd_, size_) != 0) broken_ = true;
  return false;
}

void PageJournal::Remove() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
}

std::vector<ReceivedPage> ParsePageJournal(std::span<const uint8_t> bytes) {
  std::vector<ReceivedPage> pages;
  EntryReader in(bytes);
  while (!in.at_end()) {
    ReceivedPage page;
    if (!ReadEntry(in, &page)) break;
    pages.push_back(std::move(page));
  }
  return pages;
}

}  // namespace faxgate
