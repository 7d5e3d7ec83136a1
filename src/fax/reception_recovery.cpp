// RecoverReceivedPages: the journal's pages through a PageWriter into a new file, renamed over
// the old one.
#include "fax/reception_recovery.h"

#include <fmt/format.h>

#include <span>
#include <system_error>

#include "base/files.h"
#include "fax/background_writer_threads.h"
#include "fax/fax_logging.h"
#include "fax/page_journal.h"
#include "fax/page_writer.h"
#include "fax/tiff_document.h"

namespace faxgate {

Status RecoverReceivedPages(const std::filesystem::path& tiff, std::string_view display_name) {
  const std::filesystem::path journal = PageJournalPath(tiff);
  std::error_code ec;
  if (!std::filesystem::exists(journal, ec)) return Status::Ok();
  FG_ASSIGN_OR_RETURN(std::string bytes, ReadFile(journal));
  std::vector<ReceivedPage> pages =
      ParsePageJournal(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  auto in_tiff = InspectTiff(tiff, display_name);
  const size_t kept = in_tiff.ok() ? in_tiff->pages.size() : 0;
  if (pages.size() > kept) {
    // Written whole or not at all: a second crash in the middle leaves the journal to retry.
    std::filesystem::path rebuilt = tiff;
    rebuilt += ".recovered";
    auto writer =
        PageWriter::Create(rebuilt, std::string(display_name), PageWriter::Journal::kNone);
    for (const ReceivedPage& page : pages) {
      if (page.decoded_rows >= 0) {
        writer->AddDecodedPage(page.info, page.bytes, page.decoded_rows);
      } else {
        writer->AddCompressed(page.bytes);
        writer->EndCompressedPage(page.info);
      }
    }
    writer->Close();
    WaitForBackgroundWork();
    if (!writer->done() || writer->pages_written() <= static_cast<int>(kept)) {
      std::filesystem::remove(rebuilt, ec);
      T30Log().warn("{}: the {} pages confirmed before the crash could not be rewritten; {} kept",
                    display_name, pages.size(), kept);
    } else {
      std::filesystem::rename(rebuilt, tiff, ec);
      if (ec) {
        std::filesystem::remove(rebuilt, ec);
        return MakeError(ErrorCode::kIo, fmt::format("{}: cannot replace {}: {}", display_name,
                                                     tiff.string(), ec.message()));
      }
      T30Log().info("{}: {} pages confirmed before the crash recovered ({} had been written)",
                    display_name, writer->pages_written(), kept);
    }
  }
  std::filesystem::remove(journal, ec);
  return Status::Ok();
}

}  // namespace faxgate
