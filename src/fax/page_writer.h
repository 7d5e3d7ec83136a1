// Private to the fax module: writes a receiving session's pages into its TIFF file on
// background threads, so that decoding a page and writing it never runs on the media tick.
//
// spandsp 0.0.6 decodes an ECM page only when its last block is confirmed, and writes the TIFF
// in the same call: 5-6 ms per fine page on the thread that fed it the packet (reference
// spandsp.md gotcha 11). With hundreds of calls on one media worker whose pages end together,
// that stalled the worker for seconds and cost calls their MCF. The hooks in t4_rx_hooks.cpp
// hand the page here instead: an ECM page as the compressed bytes, a non-ECM page (decoded as it
// arrived, to judge its quality) as image rows. Pages are written in arrival order by one
// background thread at a time, at low priority, with spandsp's own T.4 decoder and TIFF writer.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "fax/page_journal.h"

namespace faxgate {

class PageWriter {
 public:
  enum class Journal {
    kKeep,  // each page handed in is in PageJournalPath(file) before the call returns
    kNone,  // the pages come from a journal already (recovery)
  };
  // Pages go to `file` (created with the first page, G4). Nothing is written until a page ends.
  static std::shared_ptr<PageWriter> Create(std::filesystem::path file, std::string log_tag,
                                            Journal journal = Journal::kKeep);
  virtual ~PageWriter() = default;

  // Called on the session's thread, in order. A page is in the journal when the call returns
  // (a failure to write it there is logged; the page is still written to the TIFF).
  // An ECM page: its image bytes as they will be decoded, block after block.
  virtual void AddCompressed(std::span<const uint8_t> bytes) = 0;
  virtual void EndCompressedPage(const ReceivedPageInfo& info) = 0;
  // A page already decoded: `rows` is `length` rows of (width + 7) / 8 bytes.
  virtual void AddDecodedPage(const ReceivedPageInfo& info, std::span<const uint8_t> rows,
                              int length) = 0;
  // No more pages: the file is closed once the pages handed in are written, and then the journal
  // is removed.
  virtual void Close() = 0;

  // Thread-safe.
  // True once Close() was called and every page handed in is written and the file closed.
  virtual bool done() const = 0;
  // Pages in the file; with done(), the final count.
  virtual int pages_written() const = 0;
  // 1-based number of the first page that could not be decoded or written, or 0.
  virtual int first_bad_page() const = 0;
};

}  // namespace faxgate
