#include "document/html_renderer.h"

#include <cstdio>
#include <system_error>

#include "base/files.h"
#include "document/subprocess.h"

namespace faxgate {
namespace {

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

// Where the injected <meta>/<style> go: after the BOM, leading whitespace and comments, and a
// doctype if there is one. Anything earlier would put the document into quirks mode.
size_t InsertionPoint(std::string_view html) {
  size_t p = 0;
  if (html.substr(0, 3) == "\xEF\xBB\xBF") p = 3;
  for (;;) {
    while (p < html.size() && (html[p] == ' ' || html[p] == '\t' || html[p] == '\r' ||
                               html[p] == '\n' || html[p] == '\f')) {
      ++p;
    }
    std::string_view rest = html.substr(p);
    if (rest.substr(0, 4) == "<!--") {
      size_t end = rest.find("-->");
      if (end == std::string_view::npos) return p;
      p += end + 3;
      continue;
    }
    if (StartsWithNoCase(rest, "<!doctype") || rest.substr(0, 5) == "<?xml") {
      size_t end = rest.find('>');
      if (end == std::string_view::npos) return p;
      p += end + 1;
      continue;
    }
    return p;
  }
}

std::string Millimetres(double inches) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1fmm", inches * 25.4);
  return buffer;
}

}  // namespace

std::string PrepareHtmlForPrinting(std::string_view html, const PageFormat& f) {
  std::string head =
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; img-src data:; font-src data:\">"
      "<style>@page { size: " +
      Millimetres(f.paper_width_in()) + " " + Millimetres(f.paper_height_in()) +
      "; margin: 10mm }</style>";
  size_t at = InsertionPoint(html);
  std::string out;
  out.reserve(html.size() + head.size());
  out.append(html.substr(0, at));
  out.append(head);
  out.append(html.substr(at));
  return out;
}

Result<std::filesystem::path> HtmlToPdf(const std::filesystem::path& html,
                                        std::string_view display_name, const PageFormat& f,
                                        const ConversionLimits& limits,
                                        const std::filesystem::path& work_dir) {
  std::string name(display_name);
  FG_ASSIGN_OR_RETURN(std::string source, ReadFile(html));
  const auto page = work_dir / "print.html";
  const auto pdf = work_dir / "html.pdf";
  const auto profile = work_dir / "chromium";
  FG_RETURN_IF_ERROR(WriteFileAtomic(page, PrepareHtmlForPrinting(source, f)));
  std::error_code ec;
  std::filesystem::create_directories(profile, ec);
  std::filesystem::remove(pdf, ec);

  SubprocessSpec spec;
  spec.argv = {"chromium", "--headless",
               // Tests and the daemon may run as root, where Chromium's sandbox cannot start;
               // the subprocess limits and the CSP above are the confinement instead.
               "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
               "--no-default-browser-check", "--disable-extensions", "--disable-sync",
               "--disable-background-networking", "--disable-component-update",
               "--disable-default-apps", "--mute-audio", "--host-resolver-rules=MAP * ~NOTFOUND",
               "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
               "--user-data-dir=" + profile.string(), "--no-pdf-header-footer",
               "--print-to-pdf=" + pdf.string(), "file://" + page.string()};
  spec.work_dir = work_dir;
  // No RLIMIT_AS: Chromium reserves terabytes of address space for V8 and PartitionAlloc and
  // will not start under any useful RLIMIT_AS. It is bounded by the wall-clock deadline, the
  // per-process CPU limit and the process-group kill instead.
  spec.limit_memory = false;
  spec.cpu_seconds = limits.cpu_seconds;
  spec.file_bytes = limits.file_bytes;
  spec.max_open_files = 4096;
  spec.wall_time = limits.wall_time;
  FG_ASSIGN_OR_RETURN(SubprocessResult r, RunSubprocess(spec));
  if (r.outcome != SubprocessResult::Outcome::kExited) {
    return MakeError(ErrorCode::kInvalidArgument, name + ": the HTML renderer " + r.Describe());
  }
  auto size = std::filesystem::file_size(pdf, ec);
  if (!r.ok() || ec || size == 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     name + ": the HTML renderer failed (chromium " + r.Describe() + ")");
  }
  return pdf;
}

}  // namespace faxgate
