#include "service/document_preparer.h"

#include <cstdlib>
#include <map>
#include <system_error>

#include <fmt/format.h>
#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include "base/files.h"
#include "base/log.h"
#include "base/thread_priority.h"
#include "base/time_format.h"
#include "document/converter.h"
#include "document/office_converter.h"
#include "document/subprocess.h"

namespace faxgate {
namespace {

// Our own binary built with AddressSanitizer reserves terabytes of address space, so an
// RLIMIT_AS would stop it at once; it then relies on the time and CPU limits alone.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitizedBuild = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitizedBuild = true;
#else
constexpr bool kSanitizedBuild = false;
#endif
#else
constexpr bool kSanitizedBuild = false;
#endif

Result<PageFormat> FormatOf(const Job& job) {
  auto resolution = ParseResolution(job.resolution);
  auto paper = ParsePaper(job.paper);
  auto halftone = ParseHalftone(job.halftone);
  if (!resolution || !paper || !halftone) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("job {} has an unknown page format '{}/{}/{}'", job.id,
                                 job.resolution, job.paper, job.halftone));
  }
  return PageFormat{*paper, *resolution, *halftone};
}

// Runs `faxgate convert` with the given arguments under the conversion limits; its one line
// of stderr is the reason when it fails.
Status RunWorker(const PreparerOptions& o, const std::filesystem::path& work_dir,
                 std::vector<std::string> args) {
  SubprocessSpec spec;
  spec.argv = {o.worker.string(), "convert"};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.argv.push_back("--max-pages");
  spec.argv.push_back(std::to_string(o.limits.max_pages));
  spec.argv.push_back("--timeout");
  spec.argv.push_back(std::to_string(o.limits.wall_time.count() / 1000));
  spec.work_dir = work_dir;
  // A sanitizer build's worker reports the way the server was told to (suppressions, abort).
  for (const char* var : {"ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS"}) {
    if (const char* value = std::getenv(var)) spec.env.emplace_back(var, value);
  }
  spec.limit_memory = !kSanitizedBuild;
  spec.memory_bytes = o.limits.memory_bytes;
  // The worker's renderers have their own limits; the worker as a whole gets room for a few.
  spec.cpu_seconds = o.limits.cpu_seconds * 3;
  spec.file_bytes = o.limits.file_bytes;
  spec.wall_time = o.limits.wall_time * 3;
  FG_ASSIGN_OR_RETURN(SubprocessResult r, RunSubprocess(spec));
  if (r.ok()) return Status::Ok();
  std::string reason = r.FirstErrorLine();
  const std::string prefix = "faxgate convert: ";
  if (reason.rfind(prefix, 0) == 0) reason.erase(0, prefix.size());
  if (reason.empty() || r.outcome != SubprocessResult::Outcome::kExited) {
    reason = fmt::format("the document converter {}", r.Describe());
  }
  return MakeError(ErrorCode::kInvalidArgument, reason);
}

}  // namespace

DocumentPreparer::DocumentPreparer(boost::asio::io_context& control, Store& store, Spool& spool,
                                   SettingsService& settings, CoverTemplateService& covers,
                                   QueueDriver& queue, const Clock& clock, PreparerOptions options)
    : control_(control),
      store_(store),
      spool_(spool),
      settings_(settings),
      covers_(covers),
      queue_(queue),
      clock_(clock),
      options_(std::move(options)),
      pool_(static_cast<size_t>(std::max(1, options_.threads))) {
  LibreOfficeOptions lo;
  lo.instances = std::max(1, options_.office_instances);
  lo.base_dir = options_.work_root / "libreoffice";
  lo.timeout = options_.limits.wall_time;
  lo.memory_bytes = options_.limits.memory_bytes;
  office_ = std::make_unique<LibreOfficePool>(lo);
}

DocumentPreparer::~DocumentPreparer() { Stop(); }

void DocumentPreparer::Stop() {
  stopping_ = true;
  pool_.join();
  office_.reset();
}

void DocumentPreparer::Prepare(std::vector<Job> jobs) {
  if (jobs.empty() || stopping_) return;
  boost::asio::post(pool_, [this, jobs = std::move(jobs)]() mutable { Run(std::move(jobs)); });
}

Status DocumentPreparer::Recover() {
  JobFilter f;
  f.states = {JobState::kPreparing};
  f.limit = 1000000;
  FG_ASSIGN_OR_RETURN(std::vector<Job> jobs, store_.ListJobs(f));
  std::map<GroupId, std::vector<Job>> groups;
  for (Job& j : jobs) groups[j.group_id].push_back(std::move(j));
  for (auto& [group, members] : groups) {
    log::Get("job")->info(
        "submission {}: {} job(s) were converting when faxgate stopped; "
        "converting again",
        group, members.size());
    Prepare(std::move(members));
  }
  return Status::Ok();
}

void DocumentPreparer::Run(std::vector<Job> jobs) {
  // Composing a thousand jobs' pages is seconds of CPU; calls in progress come first.
  RunBelowNormalPriority();
  auto documents = ConvertDocuments(jobs.front());
  for (const Job& job : jobs) {
    if (stopping_) return;
    if (!documents.ok()) {
      Finish(job.id, documents.error());
      continue;
    }
    Finish(job.id, Compose(job, *documents));
  }
}

Result<std::vector<Document>> DocumentPreparer::ConvertDocuments(const Job& first) {
  FG_ASSIGN_OR_RETURN(PageFormat format, FormatOf(first));
  const std::string key = FormatKey(format);
  FG_ASSIGN_OR_RETURN(std::vector<Document> docs, store_.ListDocuments(first.group_id));
  for (Document& d : docs) {
    if (stopping_) return MakeError(ErrorCode::kUnavailable, "faxgate is stopping");
    if (!d.converted_hash.empty()) continue;  // done before a restart
    FG_ASSIGN_OR_RETURN(std::optional<Conversion> cached,
                        store_.FindConversion(d.content_hash, key));
    if (cached && spool_.Has(cached->tiff_hash)) {
      d.converted_hash = cached->tiff_hash;
      d.pages = cached->pages;
      FG_RETURN_IF_ERROR(store_.UpdateDocument(d));
      continue;
    }
    const std::filesystem::path work = options_.work_root / ("convert-" + RandomHex(8));
    std::error_code ec;
    std::filesystem::create_directories(work, ec);
    const std::filesystem::path out = spool_.ScratchPath(".pages.tif");
    Result<ConvertedDocument> done = MakeError(ErrorCode::kInternal, "not converted");
    const auto started = std::chrono::steady_clock::now();
    if (options_.worker.empty()) {
      ConverterOptions co{options_.limits, work / "in-process", office_.get()};
      done = ConvertDocument({spool_.PathOf(d.content_hash), d.file_name}, format, co, out);
    } else {
      // Office and HTML documents are first made PDF here, where LibreOffice stays warm.
      std::filesystem::path input = spool_.PathOf(d.content_hash);
      Status pre = Status::Ok();
      const DocumentType type = ParseDocumentType(d.type);
      if (NeedsOffice(type)) {
        auto pdf = ConvertOfficeToPdf(*office_, {input, d.file_name}, type, options_.limits,
                                      work / "office");
        if (pdf.ok()) input = *pdf;
        pre = pdf.ok() ? Status::Ok() : Status(pdf.error());
      }
      if (pre.ok()) {
        pre = RunWorker(
            options_, work,
            {"--resolution", std::string(ToString(format.resolution)), "--paper",
             std::string(ToString(format.paper)), "--halftone",
             std::string(ToString(format.halftone)), "--work-dir", (work / "worker").string(),
             "--name", d.file_name, "-o", out.string(), input.string()});
      }
      if (pre.ok()) {
        auto info = InspectTiff(out, d.file_name);
        if (info.ok()) {
          done = ConvertedDocument{ParseDocumentType(d.type), static_cast<int>(info->pages.size())};
        } else {
          done = info.error();
        }
      } else {
        // The worker's message names the copy it was given; the user knows the file by name.
        done = pre.error();
      }
    }
    std::filesystem::remove_all(work, ec);
    if (!done.ok()) {
      std::filesystem::remove(out, ec);
      log::Get("document")->warn("{}: {}", d.file_name, done.error().message);
      return done.error();
    }
    FG_ASSIGN_OR_RETURN(d.converted_hash, spool_.Adopt(out));
    d.pages = done->pages;
    FG_RETURN_IF_ERROR(store_.UpdateDocument(d));
    FG_RETURN_IF_ERROR(
        store_.PutConversion({d.content_hash, key, d.type, d.converted_hash, d.pages}));
    log::Get("document")
        ->info("{}: {} became {} fax pages ({}) in {} ms", d.file_name, d.type, d.pages, key,
               std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - started)
                   .count());
  }
  return docs;
}

Result<std::pair<std::string, int>> DocumentPreparer::Compose(const Job& job,
                                                              const std::vector<Document>& docs) {
  FG_ASSIGN_OR_RETURN(PageFormat format, FormatOf(job));
  const SystemSettings s = settings_.Get();
  FG_ASSIGN_OR_RETURN(User owner, store_.GetUser(job.owner_id));
  ComposeRequest request;
  request.format = format;
  for (const Document& d : docs) request.documents.push_back(spool_.PathOf(d.converted_hash));
  if (!job.cover.empty()) {
    FG_ASSIGN_OR_RETURN(CoverTemplateView t, covers_.Get(job.cover));
    CoverPage cover;
    cover.template_name = job.cover;
    cover.svg = t.record.svg;
    CoverFields& c = cover.fields;
    c.to_name = job.recipient_name;
    c.to_company = job.recipient_company;
    c.to_fax = job.number.display;
    c.from_name = owner.full_name.empty() ? owner.name : owner.full_name;
    c.from_company = owner.company;
    c.from_phone = owner.phone;
    c.from_fax = owner.fax_number.empty() ? s.fax_number : owner.fax_number;
    c.from_email = owner.email;
    c.subject = job.subject;
    c.title = job.subject;
    c.comments = job.cover_comments;
    c.date = FormatLocalDateTime(clock_.Now());
    request.cover = std::move(cover);
  }
  request.tag_line_format = s.tag_line;
  request.tag.local_ident = s.local_ident;
  request.tag.fax_number = owner.fax_number.empty() ? s.fax_number : owner.fax_number;
  request.tag.sender = owner.full_name.empty() ? owner.name : owner.full_name;
  request.tag.recipient = job.recipient_name.empty() ? job.number.display : job.recipient_name;
  request.tag.job_id = std::to_string(job.id);
  request.tag.group_id = std::to_string(job.group_id);
  request.tag.destination = job.number.display;
  request.tag.to_company = job.recipient_company;
  request.tag.from_company = owner.company;
  request.tag.mail_address = owner.email;
  request.tag.subject = job.subject;
  request.tag.from_voice = owner.phone;
  request.tag.time = clock_.Now();

  const std::filesystem::path out = spool_.ScratchPath(".fax.tif");
  // Composing reads only our own files (converted pages, a checked template), in process.
  auto pages = ComposeFax(request, out);
  if (!pages.ok()) {
    std::error_code ec;
    std::filesystem::remove(out, ec);
    return pages.error();
  }
  FG_ASSIGN_OR_RETURN(std::string hash, spool_.Adopt(out));
  return std::make_pair(hash, *pages);
}

void DocumentPreparer::Finish(JobId id, Result<std::pair<std::string, int>> result) {
  // Job states change on the control thread only, where the scheduler and cancel run.
  boost::asio::post(control_, [this, id, result = std::move(result)]() {
    if (stopping_) return;
    auto job = store_.GetJob(id);
    if (!job.ok() || job->state != JobState::kPreparing) return;  // cancelled meanwhile
    const TimePoint now = clock_.Now();
    if (!result.ok()) {
      job->state = JobState::kFailed;
      job->last_failure = FailureKind::kDocument;
      job->status_text = result.error().message;
      job->finished_at = now;
      if (Status s = store_.UpdateJob(*job); !s.ok())
        log::Get("job")->error("job {}: {}", id, s.error().message);
      log::Get("job")->warn("job {} to {} failed: {}", id, job->number.display, job->status_text);
      (void)store_.AppendEvent(
          {0, now, "warn", "job", fmt::format("job {}", id), job->status_text});
      return;
    }
    job->document = result->first;
    job->pages_total = result->second;
    const bool later = job->send_at > now;
    job->state = later ? JobState::kScheduled : JobState::kQueued;
    job->status_text = later ? "Waiting for the send time" : "Queued";
    if (Status s = store_.UpdateJob(*job); !s.ok()) {
      log::Get("job")->error("job {}: {}", id, s.error().message);
      return;
    }
    log::Get("job")->info("job {}: {} pages ready for {}", id, job->pages_total,
                          job->number.display);
    queue_.Submitted({*job});
  });
}

}  // namespace faxgate
