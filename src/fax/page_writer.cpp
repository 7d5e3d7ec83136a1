// PageWriter: received pages queued on the session's thread, decoded and written to the TIFF by
// spandsp's own T.4 receiver on a background thread, one page at a time and in order.
#define SPANDSP_EXPOSE_INTERNAL_STRUCTURES
#include "fax/page_writer.h"

#include <spandsp.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include "fax/background_writer_threads.h"
#include "fax/fax_logging.h"

namespace faxgate {
namespace {

const char* OrNull(const std::string& text) { return text.empty() ? nullptr : text.c_str(); }

class PageWriterImpl final : public PageWriter,
                             public std::enable_shared_from_this<PageWriterImpl> {
 public:
  PageWriterImpl(std::filesystem::path file, std::string log_tag, Journal journal)
      : file_(std::move(file)), log_tag_(std::move(log_tag)) {
    if (journal == Journal::kKeep) journal_.emplace(PageJournalPath(file_));
  }

  ~PageWriterImpl() override {
    // Only reached when no background job holds this writer any more; a writer that was never
    // closed (an owner that went away mid-page) still closes its file.
    if (t4_ != nullptr) t4_rx_free(t4_);
  }

  void AddCompressed(std::span<const uint8_t> bytes) override {
    compressed_.insert(compressed_.end(), bytes.begin(), bytes.end());
  }

  void EndCompressedPage(const ReceivedPageInfo& info) override {
    ReceivedPage page;
    page.info = info;
    page.bytes = std::move(compressed_);
    compressed_.clear();
    Enqueue(std::move(page));
  }

  void AddDecodedPage(const ReceivedPageInfo& info, std::span<const uint8_t> rows,
                      int length) override {
    ReceivedPage page;
    page.info = info;
    page.bytes.assign(rows.begin(), rows.end());
    page.decoded_rows = length;
    Enqueue(std::move(page));
  }

  void Close() override {
    std::lock_guard lock(mu_);
    if (closing_) return;
    closing_ = true;
    StartDrainLocked();
  }

  bool done() const override { return done_.load(std::memory_order_acquire); }
  int pages_written() const override { return pages_written_.load(std::memory_order_acquire); }
  int first_bad_page() const override { return first_bad_page_.load(std::memory_order_acquire); }

 private:
  void Enqueue(ReceivedPage page) {
    std::lock_guard lock(mu_);
    if (closing_) {
      T30Log().warn("{} a page arrived after the reception ended; it is dropped", log_tag_);
      return;
    }
    const int number = ++pages_queued_;
    std::string error;
    if (journal_ && !journal_->Append(page, &error)) {
      T30Log().warn("{} page {} could not be saved for recovery after a crash: {}", log_tag_,
                    number, error);
    }
    queue_.push_back(std::move(page));
    StartDrainLocked();
  }

  void StartDrainLocked() {
    if (draining_) return;
    draining_ = true;
    RunInBackground([self = shared_from_this()] { self->Drain(); });
  }

  // Background: write what is queued; close the file once the session said no more pages.
  void Drain() {
    for (;;) {
      ReceivedPage page;
      {
        std::lock_guard lock(mu_);
        if (queue_.empty()) {
          if (closing_ && !done()) {
            FinishFile();
            // The TIFF holds every page now.
            if (journal_) journal_->Remove();
            done_.store(true, std::memory_order_release);
          }
          draining_ = false;
          return;
        }
        page = std::move(queue_.front());
        queue_.pop_front();
      }
      Write(page);
    }
  }

  void Write(ReceivedPage& page) {
    const int number = ++pages_handed_in_;
    if (!OpenFile()) return MarkBad(number, "the file cannot be created");
    const ReceivedPageInfo& info = page.info;
    // spandsp keeps these pointers until the page's TIFF directory is written (end_page).
    t4_rx_set_far_ident(t4_, OrNull(info.far_ident));
    t4_rx_set_sub_address(t4_, OrNull(info.sub_address));
    t4_rx_set_dcs(t4_, OrNull(info.dcs));
    t4_rx_set_vendor(t4_, OrNull(info.vendor));
    t4_rx_set_model(t4_, OrNull(info.model));
    t4_rx_set_image_width(t4_, info.width);
    t4_rx_set_x_resolution(t4_, info.x_resolution);
    t4_rx_set_y_resolution(t4_, info.y_resolution);
    const bool compressed = page.decoded_rows < 0;
    // Rows need no decoding; 1-D coding keeps end_page from flushing the T.6 decoder.
    t4_rx_set_rx_encoding(t4_, compressed ? info.encoding : T4_COMPRESSION_ITU_T4_1D);
    if (t4_rx_start_page(t4_) != 0) return MarkBad(number, "the page cannot be started");
    t4_->page_start_time = static_cast<time_t>(info.start_time);
    if (compressed) {
      t4_rx_put_chunk(t4_, page.bytes.data(), static_cast<int>(page.bytes.size()));
    } else if (!CopyRows(page)) {
      return MarkBad(number, "out of memory");
    }
    int failed = t4_rx_end_page(t4_);
    t4_rx_set_far_ident(t4_, nullptr);
    t4_rx_set_sub_address(t4_, nullptr);
    t4_rx_set_dcs(t4_, nullptr);
    t4_rx_set_vendor(t4_, nullptr);
    t4_rx_set_model(t4_, nullptr);
    if (failed != 0) return MarkBad(number, "its image data holds no rows");
    pages_written_.store(t4_->current_page, std::memory_order_release);
    T30Log().debug("{} page {} written ({} rows)", log_tag_, number, t4_->image_length);
  }

  bool OpenFile() {
    if (t4_ != nullptr) return true;
    if (open_failed_) return false;
    // Received pages are stored as G4 whatever the line coding was.
    t4_ = t4_rx_init(nullptr, file_.c_str(), T4_COMPRESSION_ITU_T6);
    open_failed_ = t4_ == nullptr;
    if (open_failed_) T30Log().warn("{} cannot create {}", log_tag_, file_.string());
    return !open_failed_;
  }

  // Puts decoded rows where spandsp's decoder would have left them.
  bool CopyRows(const ReceivedPage& page) {
    const size_t size = page.bytes.size();
    if (static_cast<int>(size) > t4_->image_buffer_size) {
      // spandsp owns and frees this buffer (free()); it must come from malloc.
      auto* grown = static_cast<uint8_t*>(std::realloc(t4_->image_buffer, size));
      if (grown == nullptr) return false;
      t4_->image_buffer = grown;
      t4_->image_buffer_size = static_cast<int>(size);
    }
    if (size > 0) std::memcpy(t4_->image_buffer, page.bytes.data(), size);
    t4_->image_length = page.decoded_rows;
    t4_->image_size = static_cast<int>(size);
    return true;
  }

  void MarkBad(int number, const char* why) {
    T30Log().warn("{} page {} was received but not kept: {}", log_tag_, number, why);
    int none = 0;
    first_bad_page_.compare_exchange_strong(none, number, std::memory_order_acq_rel);
  }

  void FinishFile() {
    if (t4_ == nullptr) return;
    // Sets the page count in every directory and closes the file (removes it if no page).
    t4_rx_free(t4_);
    t4_ = nullptr;
  }

  const std::filesystem::path file_;
  const std::string log_tag_;
  std::vector<uint8_t> compressed_;  // session thread: the ECM page being received

  std::mutex mu_;
  std::optional<PageJournal> journal_;  // under mu_
  int pages_queued_ = 0;
  std::deque<ReceivedPage> queue_;
  bool draining_ = false;
  bool closing_ = false;

  // Background thread only (one Drain at a time).
  t4_rx_state_t* t4_ = nullptr;
  bool open_failed_ = false;
  int pages_handed_in_ = 0;

  std::atomic<bool> done_{false};
  std::atomic<int> pages_written_{0};
  std::atomic<int> first_bad_page_{0};
};

}  // namespace

std::shared_ptr<PageWriter> PageWriter::Create(std::filesystem::path file, std::string log_tag,
                                               Journal journal) {
  return std::make_shared<PageWriterImpl>(std::move(file), std::move(log_tag), journal);
}

}  // namespace faxgate
