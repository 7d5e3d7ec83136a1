#include "document/office_converter.h"

#include <unistd.h>

#include <cstdio>
#include <optional>
#include <system_error>

#include "base/files.h"
#include "base/log.h"
#include "document/subprocess.h"

namespace faxgate {
namespace {

// The bridge script: libreoffice_bridge.py is written to be a C++ raw string literal too.
constexpr char kBridgeScript[] =
#include "document/libreoffice_bridge.py"
    ;

constexpr auto kStartupTimeout = std::chrono::seconds(90);
constexpr auto kShutdownGrace = std::chrono::seconds(5);

using Clock = std::chrono::steady_clock;

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
          out += buffer;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

void AppendUtf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | cp >> 6);
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | cp >> 12);
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// The string value of "key" in one flat JSON object written by Python's json.dumps.
std::optional<std::string> JsonField(std::string_view json, std::string_view key) {
  std::string pattern = "\"" + std::string(key) + "\": \"";
  size_t at = json.find(pattern);
  if (at == std::string_view::npos) return std::nullopt;
  std::string out;
  for (size_t i = at + pattern.size(); i < json.size(); ++i) {
    char c = json[i];
    if (c == '"') return out;
    if (c != '\\' || i + 1 >= json.size()) {
      out += c;
      continue;
    }
    char e = json[++i];
    switch (e) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'u':
        if (i + 4 < json.size()) {
          AppendUtf8(out, static_cast<unsigned>(
                              std::stoul(std::string(json.substr(i + 1, 4)), nullptr, 16)));
          i += 4;
        }
        break;
      default:
        out += e;
    }
  }
  return std::nullopt;
}

bool JsonTrue(std::string_view json, std::string_view key) {
  return json.find("\"" + std::string(key) + "\": true") != std::string_view::npos;
}

std::string Seconds(std::chrono::milliseconds ms) {
  return std::to_string((ms.count() + 999) / 1000);
}

}  // namespace

LibreOfficePool::LibreOfficePool(LibreOfficeOptions options) : options_(std::move(options)) {
  script_ = options_.base_dir / "libreoffice_bridge.py";
  for (int i = 0; i < std::max(1, options_.instances); ++i) {
    auto instance = std::make_unique<Instance>();
    instance->index = i;
    instances_.push_back(std::move(instance));
  }
}

LibreOfficePool::~LibreOfficePool() {
  std::unique_lock lock(mu_);
  // Closing stdin asks each bridge to terminate its soffice; all shut down in parallel.
  for (auto& instance : instances_) {
    if (instance->bridge) {
      instance->bridge->CloseStdin();
      instance->bridge->SetDeadline(Clock::now() + kShutdownGrace, kShutdownGrace);
    }
  }
  for (auto& instance : instances_) Stop(*instance);
}

LibreOfficePool::Instance& LibreOfficePool::Acquire() {
  std::unique_lock lock(mu_);
  for (;;) {
    for (auto& instance : instances_) {
      if (!instance->busy) {
        instance->busy = true;
        return *instance;
      }
    }
    free_.wait(lock);
  }
}

void LibreOfficePool::Release(Instance& instance) {
  {
    std::lock_guard lock(mu_);
    instance.busy = false;
  }
  free_.notify_one();
}

void LibreOfficePool::Stop(Instance& instance) {
  if (!instance.bridge) return;
  instance.bridge->Wait();  // until it exits or its deadline; kills the whole group
  instance.bridge.reset();
}

Status LibreOfficePool::EnsureStarted(Instance& instance) {
  if (instance.bridge) return Status::Ok();
  std::error_code ec;
  const auto dir = options_.base_dir / ("instance-" + std::to_string(instance.index));
  std::filesystem::create_directories(dir / "profile", ec);
  if (ec) {
    return MakeError(ErrorCode::kIo, "cannot create " + dir.string() + ": " + ec.message());
  }
  if (!std::filesystem::exists(script_)) {
    FG_RETURN_IF_ERROR(WriteFileAtomic(script_, kBridgeScript));
  }
  SubprocessSpec spec;
  spec.argv = {options_.python, script_.string(), options_.soffice,
               std::filesystem::absolute(dir / "profile").string(),
               "faxgate-lo-" + std::to_string(getpid()) + "-" + std::to_string(instance.index) +
                   "-" + RandomHex(4)};
  spec.work_dir = dir;
  spec.stdin_pipe = true;
  spec.limit_memory = true;
  spec.memory_bytes = options_.memory_bytes;
  spec.cpu_seconds = 0;  // long-lived: the per-job timeout bounds the work instead
  spec.file_bytes = options_.file_bytes;
  spec.max_open_files = 1024;
  FG_ASSIGN_OR_RETURN(auto bridge, Subprocess::Start(spec));
  bridge->SetDeadline(Clock::now() + kStartupTimeout,
                      std::chrono::duration_cast<std::chrono::milliseconds>(kStartupTimeout));
  auto ready = bridge->ReadLine();
  if (!ready.ok() || !JsonTrue(*ready, "ready")) {
    std::string why =
        ready.ok() ? JsonField(*ready, "error").value_or(*ready) : bridge->Wait().stderr_tail;
    bridge->Kill();
    bridge->Wait();
    return MakeError(ErrorCode::kUnavailable, "LibreOffice could not be started: " + why);
  }
  bridge->SetDeadline(std::nullopt, options_.timeout);
  log::Get("document")
      ->info("LibreOffice instance {} started (pid {})", instance.index, bridge->pid());
  instance.bridge = std::move(bridge);
  return Status::Ok();
}

Result<std::filesystem::path> LibreOfficePool::Convert(Instance& instance,
                                                       const std::filesystem::path& input,
                                                       std::string_view display_name,
                                                       const std::filesystem::path& out_dir) {
  std::string name(display_name);
  FG_RETURN_IF_ERROR(EnsureStarted(instance));
  const auto output = std::filesystem::absolute(out_dir / input.stem()).string() + ".pdf";
  std::error_code ec;
  std::filesystem::remove(output, ec);
  std::string request = "{\"in\": " + JsonString(std::filesystem::absolute(input).string()) +
                        ", \"out\": " + JsonString(output) + "}\n";
  Subprocess& bridge = *instance.bridge;
  bridge.SetDeadline(Clock::now() + options_.timeout, options_.timeout);
  Status sent = bridge.WriteStdin(request);
  auto answer = sent.ok() ? bridge.ReadLine() : Result<std::string>(sent.error());
  if (!answer.ok()) {
    SubprocessResult r = bridge.Wait();
    instance.bridge.reset();
    if (r.outcome == SubprocessResult::Outcome::kTimedOut) {
      return MakeError(ErrorCode::kInvalidArgument, name + ": LibreOffice took longer than " +
                                                        Seconds(options_.timeout) +
                                                        " s and was stopped");
    }
    log::Get("document")
        ->warn("LibreOffice instance {} failed: {}; {}", instance.index, r.Describe(),
               r.stderr_tail);
    return MakeError(ErrorCode::kInvalidArgument,
                     name + ": LibreOffice stopped while converting it (" + r.Describe() + ")");
  }
  bridge.SetDeadline(std::nullopt, options_.timeout);
  if (!JsonTrue(*answer, "ok")) {
    if (JsonTrue(*answer, "fatal")) Stop(instance);
    return MakeError(ErrorCode::kInvalidArgument,
                     name + ": LibreOffice cannot open it (" +
                         JsonField(*answer, "error").value_or("unknown error") + ")");
  }
  // LibreOffice reports success for some garbage; only a real PDF counts.
  auto size = std::filesystem::file_size(output, ec);
  if (ec || size == 0) {
    return MakeError(ErrorCode::kInvalidArgument, name + ": LibreOffice produced no PDF");
  }
  return std::filesystem::path(output);
}

Result<std::filesystem::path> LibreOfficePool::ConvertToPdf(const std::filesystem::path& input,
                                                            std::string_view display_name,
                                                            const std::filesystem::path& out_dir) {
  Instance& instance = Acquire();
  auto result = Convert(instance, input, display_name, out_dir);
  Release(instance);
  return result;
}

}  // namespace faxgate
