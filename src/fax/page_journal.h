// Private to the fax module: the pages a reception has confirmed, kept in an append-only file
// beside its TIFF until the TIFF holds them.
//
// A PageWriter writes pages on background threads, but spandsp confirms a page (MCF) as soon as
// it ends, and the sender then never sends it again: a crash with pages still queued would lose
// pages the sender was told had arrived. So the writer appends each page to this journal on the
// session's thread before the confirmation goes out (one write() of the page's bytes, which the
// kernel keeps through a kill of the process), and removes the journal once the TIFF is closed.
// After a crash, RecoverReceivedPages (reception_recovery.h) rebuilds the TIFF from it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace faxgate {

// What the TIFF records of a page besides its image.
struct ReceivedPageInfo {
  int encoding = 0;  // T4_COMPRESSION_ITU_* of the bytes (ECM pages)
  int width = 0;     // pixels
  int x_resolution = 0;
  int y_resolution = 0;
  int64_t start_time = 0;  // time_t when the page began
  std::string far_ident, sub_address, dcs, vendor, model;
};

// One page as the session handed it over.
struct ReceivedPage {
  ReceivedPageInfo info;
  std::vector<uint8_t> bytes;  // the compressed image (ECM), or rows of (width + 7) / 8 bytes
  int decoded_rows = -1;       // -1: `bytes` is compressed
};

// The journal of the reception written to `tiff`.
std::filesystem::path PageJournalPath(const std::filesystem::path& tiff);

class PageJournal {
 public:
  explicit PageJournal(std::filesystem::path path) : path_(std::move(path)) {}
  ~PageJournal();
  PageJournal(const PageJournal&) = delete;
  PageJournal& operator=(const PageJournal&) = delete;

  // Appends `page` (creating the file with the first one). False, with `error` set, when it
  // could not be written whole.
  bool Append(const ReceivedPage& page, std::string* error);
  // Closes and deletes the file.
  void Remove();

 private:
  const std::filesystem::path path_;
  int fd_ = -1;
  off_t size_ = 0;       // the whole entries written; a failed append is cut back to this
  bool broken_ = false;  // it could not be: nothing more is appended
};

// The whole pages in a journal's bytes, in order. A torn last entry (the process died in the
// middle of appending it, before the page was confirmed) and anything after a damaged entry
// are left out.
std::vector<ReceivedPage> ParsePageJournal(std::span<const uint8_t> bytes);

}  // namespace faxgate
