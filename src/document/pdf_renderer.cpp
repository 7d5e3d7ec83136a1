#include "document/pdf_renderer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "base/log.h"
#include "document/document_type.h"
#include "document/pgm_stream.h"
#include "document/subprocess.h"

namespace faxgate {
namespace {

using Clock = std::chrono::steady_clock;

// One page as `mutool pages` describes it.
struct PdfPage {
  int number = 0;
  double width_pt = 0;  // after /Rotate
  double height_pt = 0;
};

// How one page is drawn: output size in pixels and whether mutool turns it (-R 90).
struct PagePlan {
  int width = 0;
  int height = 0;
  bool rotate = false;
  bool operator==(const PagePlan&) const = default;
};

SubprocessSpec RendererSpec(std::vector<std::string> argv, const ConversionLimits& limits,
                            const std::filesystem::path& work_dir, Clock::time_point deadline) {
  SubprocessSpec spec;
  spec.argv = std::move(argv);
  spec.work_dir = work_dir;
  spec.memory_bytes = limits.memory_bytes;
  spec.cpu_seconds = limits.cpu_seconds;
  spec.file_bytes = limits.file_bytes;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  spec.wall_time = std::max(left, std::chrono::milliseconds(1));
  return spec;
}

// "NAME: the PDF renderer took longer than 60 s and was stopped", or for a plain failure
// "NAME: cannot be read as PDF (mutool: <first error line>)".
Error RendererError(std::string_view name, std::string_view renderer, std::string_view format,
                    std::string_view tool, const SubprocessResult& r) {
  std::string n(name);
  if (r.outcome != SubprocessResult::Outcome::kExited) {
    return MakeError(ErrorCode::kInvalidArgument,
                     n + ": the " + std::string(renderer) + " " + r.Describe());
  }
  std::string line = r.FirstErrorLine();
  if (line.empty()) line = r.Describe();
  return MakeError(ErrorCode::kInvalidArgument, n + ": cannot be read as " + std::string(format) +
                                                    " (" + std::string(tool) + ": " + line + ")");
}

Error TooManyPages(std::string_view name, std::string count, int max_pages) {
  return MakeError(ErrorCode::kInvalidArgument,
                   std::string(name) + " has " + count + " pages; faxgate sends at most " +
                       std::to_string(max_pages) + " pages per document");
}

std::optional<double> Attribute(std::string_view line, std::string_view attribute) {
  std::string key = " " + std::string(attribute) + "=\"";
  size_t at = line.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  std::string value(line.substr(at + key.size(), 32));
  try {
    return std::stod(value);
  } catch (...) {
    return std::nullopt;
  }
}

struct Box {
  double l = 0, b = 0, r = 0, t = 0;
  bool valid = false;
};

Box ParseBox(std::string_view line) {
  auto l = Attribute(line, "l"), b = Attribute(line, "b"), r = Attribute(line, "r"),
       t = Attribute(line, "t");
  if (!l || !b || !r || !t) return Box{};
  return Box{std::min(*l, *r), std::min(*b, *t), std::max(*l, *r), std::max(*b, *t), true};
}

// Parses the XML-ish listing of `mutool pages`: <page pagenum="N">, <MediaBox l b r t />,
// optional <CropBox .../>, <Rotate v="90" />, </page>. MuPDF draws the crop box clipped to
// the media box.
std::vector<PdfPage> ParsePageList(std::string_view text) {
  std::vector<PdfPage> pages;
  Box media, crop;
  int rotate = 0, number = 0;
  auto finish = [&] {
    if (!media.valid) return;
    Box box = media;
    if (crop.valid) {
      box = Box{std::max(box.l, crop.l), std::max(box.b, crop.b), std::min(box.r, crop.r),
                std::min(box.t, crop.t), true};
      if (box.r <= box.l || box.t <= box.b) box = media;
    }
    double w = box.r - box.l, h = box.t - box.b;
    if (((rotate % 360) + 360) % 180 == 90) std::swap(w, h);
    pages.push_back(PdfPage{number, w, h});
  };
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.find("<page ") != std::string_view::npos) {
      media = Box{};
      crop = Box{};
      rotate = 0;
      number = static_cast<int>(Attribute(line, "pagenum").value_or(pages.size() + 1));
    } else if (line.find("<MediaBox") != std::string_view::npos) {
      media = ParseBox(line);
    } else if (line.find("<CropBox") != std::string_view::npos) {
      crop = ParseBox(line);
    } else if (line.find("<Rotate") != std::string_view::npos) {
      rotate = static_cast<int>(Attribute(line, "v").value_or(0));
    } else if (line.find("</page>") != std::string_view::npos) {
      finish();
      media = Box{};
    }
  }
  return pages;
}

PagePlan PlanPage(const PdfPage& page, const PageFormat& f) {
  double w_in = std::max(page.width_pt, 1.0) / 72.0;
  double h_in = std::max(page.height_pt, 1.0) / 72.0;
  PagePlan plan;
  if (w_in > h_in) {
    plan.rotate = true;
    std::swap(w_in, h_in);
  }
  double scale = 1.0;
  const double max_w_in = f.paper_width_in();
  const double max_h_in = f.paper_height_in() * kMaxFaxPagesPerPdfPage;
  if (w_in > max_w_in) scale = max_w_in / w_in;
  if (h_in * scale > max_h_in) scale = max_h_in / h_in;
  plan.width = std::max(1, static_cast<int>(std::lround(w_in * scale * f.x_dpi())));
  plan.height = std::max(1, static_cast<int>(std::lround(h_in * scale * f.y_dpi())));
  return plan;
}

Result<std::vector<PdfPage>> ListPdfPages(const std::filesystem::path& pdf, std::string_view name,
                                          const ConversionLimits& limits,
                                          const std::filesystem::path& work_dir,
                                          Clock::time_point deadline) {
  auto spec = RendererSpec({"mutool", "pages", pdf.string()}, limits, work_dir, deadline);
  FG_ASSIGN_OR_RETURN(auto process, Subprocess::Start(spec));
  process->SetDeadline(deadline, limits.wall_time);
  SubprocessResult r = process->Wait();
  std::vector<PdfPage> pages = ParsePageList(r.stdout_text);
  if (r.stderr_tail.find("cannot authenticate password") != std::string::npos) {
    return MakeError(ErrorCode::kInvalidArgument, PasswordProtectedMessage(name, "encrypted PDF"));
  }
  if (!r.ok() || pages.empty()) {
    if (r.ok()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       std::string(name) + ": cannot be read as PDF (it has no pages)");
    }
    return RendererError(name, "PDF renderer", "PDF", "mutool", r);
  }
  return pages;
}

// Reads a renderer's PGM stream into `parser` until it ends, then checks how it ended.
Status Pump(Subprocess& process, PgmStreamParser& parser, std::string_view name,
            std::string_view renderer, std::string_view format, std::string_view tool) {
  std::vector<char> buffer(1 << 16);
  for (;;) {
    auto n = process.ReadStdout(buffer.data(), buffer.size());
    if (!n.ok() || *n == 0) break;
    Status fed = parser.Feed(std::string_view(buffer.data(), *n));
    if (!fed.ok()) {
      process.Kill();
      process.Wait();
      return fed;
    }
  }
  SubprocessResult r = process.Wait();
  if (!r.ok()) return RendererError(name, renderer, format, tool, r);
  Status finished = parser.Finish();
  if (!finished.ok()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(name) + ": " + finished.error().message);
  }
  return Status::Ok();
}

Status DrawPages(const std::filesystem::path& pdf, std::string_view name, int first, int last,
                 const PagePlan& plan, const PageFormat& f, const ConversionLimits& limits,
                 const std::filesystem::path& work_dir, Clock::time_point deadline,
                 const GreySink& sink) {
  std::vector<std::string> argv = {"mutool",
                                   "draw",
                                   "-q",
                                   "-A",
                                   "0",
                                   "-c",
                                   "gray",
                                   "-F",
                                   "pgm",
                                   "-o",
                                   "-",
                                   "-w",
                                   std::to_string(plan.width),
                                   "-h",
                                   std::to_string(plan.height),
                                   "-f"};
  if (plan.rotate) {
    argv.push_back("-R");
    argv.push_back("90");
  }
  argv.push_back(pdf.string());
  argv.push_back(first == last ? std::to_string(first)
                               : std::to_string(first) + "-" + std::to_string(last));
  auto spec = RendererSpec(std::move(argv), limits, work_dir, deadline);
  FG_ASSIGN_OR_RETURN(auto process, Subprocess::Start(spec));
  process->SetDeadline(deadline, limits.wall_time);
  PgmStreamOptions options;
  options.x_dpi = f.x_dpi();
  options.y_dpi = f.y_dpi();
  int drawn = 0;
  PgmStreamParser parser(options, [&](GreyImage&& image) {
    ++drawn;
    image.bilevel = false;
    return sink(std::move(image));
  });
  FG_RETURN_IF_ERROR(Pump(*process, parser, name, "PDF renderer", "PDF", "mutool"));
  if (drawn != last - first + 1) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(name) + ": cannot be read as PDF (pages " + std::to_string(first) +
                         "-" + std::to_string(last) + " gave " + std::to_string(drawn) +
                         " images)");
  }
  return Status::Ok();
}

bool IsEps(const std::filesystem::path& ps) {
  std::ifstream in(ps, std::ios::binary);
  std::string head(256, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  if (head.rfind("\xC5\xD0\xD3\xC6", 0) == 0) return true;
  std::string first_line = head.substr(0, head.find_first_of("\r\n"));
  return first_line.find("EPSF") != std::string::npos;
}

std::string Points(double inches) { return std::to_string(inches * 72.0); }

}  // namespace

Status RenderPdf(const std::filesystem::path& pdf, std::string_view display_name,
                 const PageFormat& f, const ConversionLimits& limits,
                 const std::filesystem::path& work_dir, const GreySink& sink) {
  const Clock::time_point deadline = Clock::now() + limits.wall_time;
  FG_ASSIGN_OR_RETURN(auto pages, ListPdfPages(pdf, display_name, limits, work_dir, deadline));
  if (static_cast<int>(pages.size()) > limits.max_pages) {
    return TooManyPages(display_name, std::to_string(pages.size()), limits.max_pages);
  }
  log::Get("document")->debug("{}: {} PDF pages", display_name, pages.size());
  // One mutool run per stretch of consecutive pages drawn the same way.
  size_t i = 0;
  while (i < pages.size()) {
    PagePlan plan = PlanPage(pages[i], f);
    size_t j = i + 1;
    while (j < pages.size() && pages[j].number == pages[j - 1].number + 1 &&
           PlanPage(pages[j], f) == plan) {
      ++j;
    }
    FG_RETURN_IF_ERROR(DrawPages(pdf, display_name, pages[i].number, pages[j - 1].number, plan, f,
                                 limits, work_dir, deadline, sink));
    i = j;
  }
  return Status::Ok();
}

Status RenderPostScript(const std::filesystem::path& ps, std::string_view display_name,
                        const PageFormat& f, const ConversionLimits& limits,
                        const std::filesystem::path& work_dir, const GreySink& sink) {
  const Clock::time_point deadline = Clock::now() + limits.wall_time;
  const int y_dpi = static_cast<int>(std::lround(f.y_dpi()));
  std::vector<std::string> argv = {
      "gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-dNOINTERPOLATE",
      // The program's own output (print, ==) goes to stderr, never into the page stream.
      "-sstdout=%stderr", "-sDEVICE=pgmraw", "-r204x" + std::to_string(y_dpi), "-dTextAlphaBits=1",
      "-dGraphicsAlphaBits=1", "-dDEVICEWIDTHPOINTS=" + Points(f.paper_width_in()),
      "-dDEVICEHEIGHTPOINTS=" + Points(f.paper_height_in()), "-dFIXEDMEDIA",
      IsEps(ps) ? "-dEPSFitPage" : "-dPSFitPage", "-o", "-", ps.string()};
  auto spec = RendererSpec(std::move(argv), limits, work_dir, deadline);
  FG_ASSIGN_OR_RETURN(auto process, Subprocess::Start(spec));
  process->SetDeadline(deadline, limits.wall_time);
  PgmStreamOptions options;
  options.x_dpi = f.x_dpi();
  options.y_dpi = f.y_dpi();
  int pages = 0;
  PgmStreamParser parser(options, [&](GreyImage&& image) -> Status {
    if (++pages > limits.max_pages) {
      return TooManyPages(display_name, "more than " + std::to_string(limits.max_pages),
                          limits.max_pages);
    }
    image.bilevel = false;
    return sink(std::move(image));
  });
  FG_RETURN_IF_ERROR(
      Pump(*process, parser, display_name, "PostScript renderer", "PostScript", "gs"));
  if (pages == 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(display_name) + ": the PostScript document has no pages");
  }
  return Status::Ok();
}

}  // namespace faxgate
