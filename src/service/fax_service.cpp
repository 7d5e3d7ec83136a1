#include "service/fax_service.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/files.h"
#include "base/log.h"
#include "document/document_type.h"
#include "document/page_format.h"
#include "document/received_outputs.h"
#include "fax/tiff_document.h"

namespace faxgate {
namespace {

constexpr size_t kMaxRecipients = 500;
constexpr size_t kMaxFiles = 20;

std::vector<std::string> SplitNumbers(const std::vector<std::string>& to) {
  std::vector<std::string> out;
  for (const std::string& field : to) {
    size_t start = 0;
    while (start <= field.size()) {
      size_t end = field.find_first_of(",;\n", start);
      if (end == std::string::npos) end = field.size();
      std::string part = field.substr(start, end - start);
      part.erase(0, part.find_first_not_of(" \t\r"));
      part.erase(part.find_last_not_of(" \t\r") + 1);
      if (!part.empty()) out.push_back(part);
      start = end + 1;
    }
  }
  return out;
}

// Fills a store filter (JobFilter or InboundFilter) from the query. State names of the other
// direction are skipped when both directions are listed and refused when only this one is.
// Returns false when the query's states leave nothing of this direction to list.
template <typename Filter, typename State>
Result<bool> FillFilter(const FaxQuery& q, std::optional<UserId> owner, int limit,
                        std::optional<State> (*parse)(std::string_view), std::string_view what,
                        Filter* f) {
  for (const std::string& name : q.states) {
    std::optional<State> state = parse(name);
    if (!state && q.direction) {
      return MakeError(ErrorCode::kInvalidArgument, fmt::format("'{}' is not {}", name, what));
    }
    if (state) f->states.push_back(*state);
  }
  f->owner_id = owner;
  f->since = q.since;
  f->until = q.until;
  f->before_id = q.before_id;
  f->limit = limit + 1;  // one more than asked tells whether a next page exists
  return q.states.empty() || !f->states.empty();
}

}  // namespace

bool FaxService::MayView(const User& viewer, std::optional<UserId> owner) const {
  return IsAdmin(viewer.role) || (owner && *owner == viewer.id);
}

Result<std::vector<PhoneNumber>> FaxService::ParseRecipients(const User& sender,
                                                             const std::vector<std::string>& to) {
  std::vector<std::string> numbers = SplitNumbers(to);
  if (numbers.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "no recipient: give at least one fax number in 'to'");
  }
  if (numbers.size() > kMaxRecipients) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("{} recipients is more than the {} one submission may have",
                                 numbers.size(), kMaxRecipients));
  }
  const DialPlan plan = settings_.Get().dial_plan();
  std::vector<PhoneNumber> out;
  for (const std::string& n : numbers) {
    FG_ASSIGN_OR_RETURN(PhoneNumber p, ParsePhoneNumber(n, plan));
    FG_RETURN_IF_ERROR(CheckCallRights(p, sender.rights));
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<Document>> FaxService::StoreDocuments(const std::vector<UploadedFile>& files) {
  if (files.empty())
    return MakeError(ErrorCode::kInvalidArgument, "no document: attach at least one file");
  if (files.size() > kMaxFiles) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        fmt::format("{} files is more than the {} one fax may have", files.size(), kMaxFiles));
  }
  const int64_t max_bytes = settings_.Get().max_attachment_bytes;
  // Every file is checked before any is stored, so a refused submission leaves nothing behind.
  std::vector<Document> documents;
  for (const UploadedFile& f : files) {
    const std::string name = f.name.empty() ? "document" : f.name;
    if (static_cast<int64_t>(f.bytes.size()) > max_bytes) {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("{} is {} bytes; the largest file accepted is {} bytes", name,
                                   f.bytes.size(), max_bytes));
    }
    if (f.bytes.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, fmt::format("{} is empty", name));
    }
    FG_ASSIGN_OR_RETURN(DetectedType type, DetectDocumentType(f.bytes, name));
    Document d;
    d.ordinal = static_cast<int>(documents.size());
    d.file_name = name;
    d.type = std::string(ToString(type.type));
    documents.push_back(d);
  }
  for (size_t i = 0; i < files.size(); ++i) {
    const std::filesystem::path scratch = spool_.ScratchPath(".upload");
    FG_RETURN_IF_ERROR(WriteFileAtomic(scratch, files[i].bytes));
    FG_ASSIGN_OR_RETURN(documents[i].content_hash, spool_.Adopt(scratch));
  }
  return documents;
}

Result<std::vector<Job>> FaxService::Send(const User& sender, const SendRequest& r) {
  const SystemSettings s = settings_.Get();
  const TimePoint now = clock_.Now();
  FG_ASSIGN_OR_RETURN(std::vector<PhoneNumber> numbers, ParseRecipients(sender, r.to));
  const int priority = r.priority.value_or(127);
  if (priority < 0 || priority > 255) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        fmt::format("priority {} is out of range: use 0 (first) to 255 (last)", priority));
  }
  const int max_tries = r.max_tries.value_or(s.max_tries);
  if (max_tries < 1 || max_tries > 100) {
    return MakeError(ErrorCode::kInvalidArgument, "max_tries must be from 1 to 100");
  }
  const int max_dials = std::max(r.max_dials.value_or(s.max_dials), max_tries);
  const TimePoint send_at = std::max(r.send_at.value_or(now), now);
  const TimePoint kill_at = r.kill_at.value_or(send_at + std::chrono::seconds(s.kill_time_s));
  if (kill_at <= send_at) {
    return MakeError(ErrorCode::kInvalidArgument, "the kill time must be after the send time");
  }
  const std::string resolution = r.resolution.value_or(s.default_resolution);
  const std::string paper = r.paper.value_or(s.default_paper);
  const std::string halftone = r.halftone.value_or(s.halftone);
  if (!ParseResolution(resolution)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("resolution '{}': use standard, fine or superfine", resolution));
  }
  if (!ParsePaper(paper)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("paper '{}': use a4, letter or b4", paper));
  }
  if (!ParseHalftone(halftone)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("halftone '{}': use cluster, diffusion or threshold", halftone));
  }
  std::string cover = r.cover.value_or(sender.cover);
  if (cover == "none") cover.clear();
  if (!cover.empty()) {
    auto found = covers_.Get(cover);
    if (!found.ok()) return found.error();
  }
  FG_ASSIGN_OR_RETURN(std::vector<Document> documents, StoreDocuments(r.files));

  NewSubmission sub;
  sub.owner_id = sender.id;
  sub.documents = std::move(documents);
  sub.origin = r.origin;
  for (size_t i = 0; i < numbers.size(); ++i) {
    const PhoneNumber& n = numbers[i];
    Job j;
    j.owner_id = sender.id;
    j.number = n;
    j.recipient_name = i < r.recipient_names.size() && !r.recipient_names[i].empty()
                           ? r.recipient_names[i]
                           : r.recipient_name;
    j.recipient_company = r.recipient_company;
    j.subject = r.subject;
    j.resolution = resolution;
    j.paper = paper;
    j.halftone = halftone;
    j.cover = cover;
    j.cover_comments = r.cover_comments;
    j.priority = priority;
    j.state = JobState::kPreparing;
    j.submitted_at = now;
    j.send_at = send_at;
    j.kill_at = kill_at;
    j.max_tries = max_tries;
    j.max_dials = max_dials;
    j.status_text = "Converting the documents to fax pages";
    sub.jobs.push_back(std::move(j));
  }
  FG_ASSIGN_OR_RETURN(std::vector<Job> jobs, store_.CreateSubmission(sub));
  for (const Job& j : jobs) {
    log::Get("job")->info("job {}: {} submitted {} document(s) to {} (priority {})", j.id,
                          sender.name, sub.documents.size(), j.number.display, j.priority);
  }
  preparer_.Prepare(jobs);
  return jobs;
}

Result<FaxView> FaxService::Get(const User& viewer, int64_t id) {
  FaxView v;
  if (auto job = store_.GetJob(id); job.ok()) {
    if (!MayView(viewer, job->owner_id))
      return MakeError(ErrorCode::kNotFound, fmt::format("no fax {}", id));
    v.direction = Direction::kOutbound;
    v.job = *job;
    FG_ASSIGN_OR_RETURN(v.attempts, store_.ListAttempts(id));
    FG_ASSIGN_OR_RETURN(v.documents, store_.ListDocuments(job->group_id));
    return v;
  }
  auto fax = store_.GetInbound(id);
  if (!fax.ok() || !MayView(viewer, fax->owner_id)) {
    return MakeError(ErrorCode::kNotFound, fmt::format("no fax {}", id));
  }
  v.direction = Direction::kInbound;
  v.inbound = *fax;
  return v;
}

Result<FaxPage> FaxService::List(const User& viewer, const FaxQuery& q) {
  std::optional<UserId> owner;
  if (!IsAdmin(viewer.role)) {
    owner = viewer.id;
  } else if (q.user) {
    FG_ASSIGN_OR_RETURN(User u, store_.FindUserByName(*q.user));
    owner = u.id;
  }
  const int limit = std::clamp(q.limit, 1, 500);
  FaxPage page;
  if (!q.direction || *q.direction == Direction::kOutbound) {
    JobFilter f;
    FG_ASSIGN_OR_RETURN(bool wanted, FillFilter(q, owner, limit, ParseJobState,
                                                "a job state: use scheduled, queued, sending, "
                                                "retrying, succeeded, failed or cancelled",
                                                &f));
    if (wanted) {
      FG_ASSIGN_OR_RETURN(auto jobs, store_.ListJobs(f));
      for (Job& j : jobs) {
        FaxView v;
        v.direction = Direction::kOutbound;
        v.job = std::move(j);
        page.items.push_back(std::move(v));
      }
    }
  }
  if (!q.direction || *q.direction == Direction::kInbound) {
    InboundFilter f;
    FG_ASSIGN_OR_RETURN(bool wanted, FillFilter(q, owner, limit, ParseInboundState,
                                                "a received-fax state: use receiving, received "
                                                "or failed",
                                                &f));
    if (wanted) {
      FG_ASSIGN_OR_RETURN(auto faxes, store_.ListInbound(f));
      for (InboundFax& x : faxes) {
        FaxView v;
        v.direction = Direction::kInbound;
        v.inbound = std::move(x);
        page.items.push_back(std::move(v));
      }
    }
  }
  std::sort(page.items.begin(), page.items.end(),
            [](const FaxView& a, const FaxView& b) { return a.id() > b.id(); });
  if (static_cast<int>(page.items.size()) > limit) {
    page.items.resize(limit);
    page.next_cursor = page.items.back().id();
  }
  return page;
}

Status FaxService::Cancel(const User& viewer, int64_t id) {
  auto job = store_.GetJob(id);
  if (!job.ok() || !MayView(viewer, job->owner_id)) {
    return MakeError(ErrorCode::kNotFound, fmt::format("no outgoing fax {}", id));
  }
  return queue_.Cancel(id, viewer.name);
}

Result<std::filesystem::path> FaxService::TiffPath(const User& viewer, int64_t id) {
  FG_ASSIGN_OR_RETURN(FaxView v, Get(viewer, id));
  const std::string& hash =
      v.direction == Direction::kOutbound ? v.job.document : v.inbound.document;
  if (hash.empty() || !spool_.Has(hash)) {
    return MakeError(ErrorCode::kNotFound, fmt::format("fax {} has no pages yet", id));
  }
  return spool_.PathOf(hash);
}

Result<FaxFile> FaxService::File(const User& viewer, int64_t id, std::string_view format,
                                 int width) {
  FG_ASSIGN_OR_RETURN(std::filesystem::path tiff, TiffPath(viewer, id));
  FaxFile file;
  if (format == "tiff") {
    FG_ASSIGN_OR_RETURN(file.bytes, ReadFile(tiff));
    file.content_type = "image/tiff";
    file.file_name = fmt::format("fax-{}.tif", id);
    return file;
  }
  const std::filesystem::path out = spool_.ScratchPath(".export");
  Status made = Status::Ok();
  if (format == "pdf") {
    made = WriteFaxPdf(tiff, out);
    file.content_type = "application/pdf";
    file.file_name = fmt::format("fax-{}.pdf", id);
  } else if (format == "tiff-s" || format == "tiff-f") {
    made = format == "tiff-s" ? WriteTiffProfileS(tiff, out) : WriteTiffProfileF(tiff, out);
    file.content_type = "image/tiff";
    file.file_name = fmt::format("fax-{}.tif", id);
  } else if (format == "png") {
    if (width < 16 || width > 2432) {
      return MakeError(ErrorCode::kInvalidArgument, "width must be 16 to 2432 pixels");
    }
    made = WritePngThumbnail(tiff, 0, width, out);
    file.content_type = "image/png";
    file.file_name = fmt::format("fax-{}.png", id);
  } else {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("format '{}': use tiff, pdf, tiff-s, tiff-f or png", format));
  }
  auto bytes = made.ok() ? ReadFile(out) : Result<std::string>(made.error());
  std::error_code ec;
  std::filesystem::remove(out, ec);
  FG_ASSIGN_OR_RETURN(file.bytes, std::move(bytes));
  return file;
}

}  // namespace faxgate
