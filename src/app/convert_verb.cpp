// faxgate convert [--resolution R] [--paper P] [--halftone H] [--cover T] [--field K=V ...]
//                 [--tagline F] [--to fax|pdf|tiff-s|tiff-f|png] [--json] -o OUTPUT INPUT...
//
// Converts documents to fax pages on this machine, without a server: to see what a fax will
// look like, to prepare files, and as the daemon's conversion worker (the daemon runs it as a
// subprocess with limits, so a document that crashes a renderer takes nothing else down).
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/verbs.h"
#include "base/clock.h"
#include "base/files.h"
#include "document/converter.h"
#include "document/cover_templates.h"
#include "document/office_converter.h"
#include "document/received_outputs.h"

namespace faxgate {
namespace {

using Stopwatch = std::chrono::steady_clock;

double SecondsSince(Stopwatch::time_point start) {
  return std::chrono::duration<double>(Stopwatch::now() - start).count();
}

int Fail(const std::string& message) {
  std::cerr << "faxgate convert: " << message << "\n";
  return 1;
}

Result<PageFormat> ParseFormat(const ConvertFlags& f) {
  PageFormat format;
  auto resolution = ParseResolution(f.resolution);
  auto paper = ParsePaper(f.paper);
  auto halftone = ParseHalftone(f.halftone);
  if (!resolution) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("resolution '{}': use standard, fine or superfine", f.resolution));
  }
  if (!paper) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("paper '{}': use a4, letter or b4", f.paper));
  }
  if (!halftone) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("halftone '{}': use cluster, diffusion or threshold", f.halftone));
  }
  format.resolution = *resolution;
  format.paper = *paper;
  format.halftone = *halftone;
  return format;
}

Result<CoverFields> ParseFields(const std::vector<std::string>& assignments) {
  CoverFields c;
  const std::pair<const char*, std::string CoverFields::*> names[] = {
      {"to_name", &CoverFields::to_name},
      {"to_fax", &CoverFields::to_fax},
      {"to_company", &CoverFields::to_company},
      {"from_name", &CoverFields::from_name},
      {"from_company", &CoverFields::from_company},
      {"from_phone", &CoverFields::from_phone},
      {"from_fax", &CoverFields::from_fax},
      {"from_email", &CoverFields::from_email},
      {"title", &CoverFields::title},
      {"subject", &CoverFields::subject},
      {"comments", &CoverFields::comments},
      {"date", &CoverFields::date},
      {"pages", &CoverFields::pages},
  };
  for (const std::string& a : assignments) {
    const size_t eq = a.find('=');
    const std::string key = a.substr(0, eq);
    bool known = false;
    for (const auto& [name, member] : names) {
      if (key == name && eq != std::string::npos) {
        c.*member = a.substr(eq + 1);
        known = true;
      }
    }
    if (!known) {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("--field '{}': use KEY=VALUE with KEY one of to_name, to_fax, "
                                   "to_company, from_name, from_company, from_phone, from_fax, "
                                   "from_email, title, subject, comments, date, pages",
                                   a));
    }
  }
  return c;
}

Result<CoverPage> LoadCover(const ConvertFlags& f) {
  CoverPage cover;
  cover.template_name = f.cover;
  if (const CoverTemplate* builtin = FindBuiltinCoverTemplate(f.cover)) {
    cover.svg = builtin->svg;
  } else {
    auto svg = ReadFile(f.cover);
    if (!svg.ok()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("cover '{}' is neither a built-in template nor a readable "
                                   "SVG file",
                                   f.cover));
    }
    cover.svg = std::move(*svg);
  }
  FG_ASSIGN_OR_RETURN(cover.fields, ParseFields(f.fields));
  return cover;
}

std::filesystem::path MakeWorkDir(const ConvertFlags& f) {
  if (!f.work_dir.empty()) return f.work_dir;
  const char* tmp = std::getenv("TMPDIR");
  return std::filesystem::path(tmp ? tmp : "/tmp") / ("faxgate-convert-" + RandomHex(8));
}

// --to pdf|tiff-s|tiff-f|png: outputs made from a received fax.
int ExportReceived(const ConvertFlags& f) {
  if (f.inputs.size() != 1) return Fail(fmt::format("--to {} takes exactly one TIFF-F", f.to));
  const std::filesystem::path in = f.inputs[0];
  Status s = Status::Ok();
  if (f.to == "pdf") {
    s = WriteFaxPdf(in, f.output);
  } else if (f.to == "tiff-s") {
    s = WriteTiffProfileS(in, f.output);
  } else if (f.to == "tiff-f") {
    s = WriteTiffProfileF(in, f.output);
  } else if (f.to == "png") {
    s = WritePngThumbnail(in, 0, f.thumbnail_width, f.output);
  } else {
    return Fail(fmt::format("--to '{}': use fax, pdf, tiff-s, tiff-f or png", f.to));
  }
  if (!s.ok()) return Fail(s.error().message);
  if (f.json) std::cout << nlohmann::json{{"output", f.output}}.dump() << "\n";
  return 0;
}

}  // namespace

int RunConvert(const ConvertFlags& f) {
  if (f.to != "fax") return ExportReceived(f);
  const Stopwatch::time_point start = Stopwatch::now();
  auto format = ParseFormat(f);
  if (!format.ok()) return Fail(format.error().message);

  std::optional<CoverPage> cover;
  if (!f.cover.empty()) {
    auto loaded = LoadCover(f);
    if (!loaded.ok()) return Fail(loaded.error().message);
    cover = std::move(*loaded);
  }

  ConverterOptions options;
  options.limits.max_pages = f.max_pages;
  options.limits.wall_time = std::chrono::seconds(f.timeout_s);
  options.limits.cpu_seconds = f.timeout_s;
  const std::filesystem::path work = MakeWorkDir(f);
  std::unique_ptr<LibreOfficePool> office;
  LibreOfficeOptions office_options;
  office_options.instances = 1;
  office_options.base_dir = work / "libreoffice";
  office_options.timeout = options.limits.wall_time;
  office = std::make_unique<LibreOfficePool>(office_options);
  options.office = office.get();

  nlohmann::json documents = nlohmann::json::array();
  ComposeRequest compose;
  compose.format = *format;
  compose.cover = cover;
  compose.tag_line_format = f.tag_line;
  compose.tag.local_ident = f.local_ident;
  compose.tag.time = SystemClock().Now();
  std::error_code ec;
  int index = 0;
  Status failure = Status::Ok();
  for (const std::string& input : f.inputs) {
    const Stopwatch::time_point doc_start = Stopwatch::now();
    const size_t i = static_cast<size_t>(index);
    SourceDocument doc{
        input, i < f.names.size() ? f.names[i] : std::filesystem::path(input).filename().string()};
    options.work_dir = work / fmt::format("doc-{}", index);
    const std::filesystem::path pages = work / fmt::format("pages-{}.tif", index++);
    std::filesystem::create_directories(work, ec);
    auto converted = ConvertDocument(doc, *format, options, pages);
    if (!converted.ok()) {
      failure = converted.error();
      break;
    }
    compose.documents.push_back(pages);
    documents.push_back({{"file", doc.display_name},
                         {"type", ToString(converted->type)},
                         {"pages", converted->pages},
                         {"seconds", SecondsSince(doc_start)}});
  }
  Result<int> total = 0;
  if (failure.ok() && !cover && f.tag_line.empty() && compose.documents.size() == 1) {
    // One document and nothing to draw on it: its pages are the fax, as they are.
    std::filesystem::rename(compose.documents[0], f.output, ec);
    if (ec)
      std::filesystem::copy_file(compose.documents[0], f.output,
                                 std::filesystem::copy_options::overwrite_existing, ec);
    total = ec ? Result<int>(MakeError(ErrorCode::kIo,
                                       fmt::format("cannot write {}: {}", f.output, ec.message())))
               : Result<int>(documents[0]["pages"].get<int>());
  } else if (failure.ok()) {
    total = ComposeFax(compose, f.output);
  }
  office.reset();  // stops LibreOffice before its profile is removed
  std::filesystem::remove_all(work, ec);
  if (!failure.ok()) return Fail(failure.error().message);
  if (!total.ok()) return Fail(total.error().message);
  if (f.json) {
    std::cout << nlohmann::json{{"output", f.output},
                                {"pages", *total},
                                {"format", FormatKey(*format)},
                                {"cover_pages", cover ? 1 : 0},
                                {"seconds", SecondsSince(start)},
                                {"documents", documents}}
                     .dump()
              << "\n";
  }
  return 0;
}

}  // namespace faxgate
