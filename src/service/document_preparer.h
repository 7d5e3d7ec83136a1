// Turns the documents of new submissions into the fax each job sends, off the control thread
// (DESIGN "Threads": document conversion runs on the blocking pool).
//
// For a submission: every document is converted once to fax pages in the submission's page
// format (and remembered by content hash, so the same file sent again is not converted again);
// then, for each job, the cover page and the documents' pages are composed with the tag line
// into the one TIFF-F the line sends. A job whose document cannot be converted fails with the
// converter's reason and is never dialled.
//
// Renderers run in a `faxgate convert` subprocess with time, CPU, memory and file-size limits,
// so a hostile document fails its own job and nothing else. Office files go through a warm
// LibreOffice pool first.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "base/clock.h"
#include "document/limits.h"
#include "domain/job.h"
#include "service/cover_template_service.h"
#include "service/queue_driver.h"
#include "service/settings_service.h"
#include "store/spool.h"
#include "store/store.h"

namespace faxgate {

class LibreOfficePool;

struct PreparerOptions {
  // The faxgate binary to run as `faxgate convert`; empty: convert in this process (tests).
  std::filesystem::path worker;
  std::filesystem::path work_root;  // scratch directories, one per conversion
  int threads = 2;
  int office_instances = 1;
  ConversionLimits limits;
};

class DocumentPreparer {
 public:
  DocumentPreparer(boost::asio::io_context& control, Store& store, Spool& spool,
                   SettingsService& settings, CoverTemplateService& covers, QueueDriver& queue,
                   const Clock& clock, PreparerOptions options);
  ~DocumentPreparer();

  // Jobs just created in state preparing, all of one submission.
  void Prepare(std::vector<Job> jobs);
  // Start-up: prepares again every job a stop or crash left in state preparing.
  Status Recover();
  // Waits for conversions in progress to end; their results are dropped (Recover redoes them).
  void Stop();

 private:
  struct Outcome;
  void Run(std::vector<Job> jobs);
  Result<std::vector<Document>> ConvertDocuments(const Job& first);
  Result<std::pair<std::string, int>> Compose(const Job& job, const std::vector<Document>& docs);
  void Finish(JobId id, Result<std::pair<std::string, int>> result);

  boost::asio::io_context& control_;
  Store& store_;
  Spool& spool_;
  SettingsService& settings_;
  CoverTemplateService& covers_;
  QueueDriver& queue_;
  const Clock& clock_;
  PreparerOptions options_;
  std::unique_ptr<LibreOfficePool> office_;
  std::atomic<bool> stopping_{false};
  boost::asio::thread_pool pool_;
};

}  // namespace faxgate
