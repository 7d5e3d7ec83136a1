#include "fax/tiff_file.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

#include "fax/fax_logging.h"

namespace faxgate {
namespace {

// libtiff refuses any single allocation above this. A bilevel A3 page at 400 lines per inch
// decodes to under 10 MB; hostile files claim far more.
constexpr tmsize_t kMaxSingleAllocation = 64 * 1024 * 1024;

std::string Format(const char* module, const char* fmt, va_list args) {
  char text[512];
  std::vsnprintf(text, sizeof text, fmt, args);
  if (module == nullptr || *module == '\0') return text;
  return fmt::format("{}: {}", module, text);
}

}  // namespace

// A growable byte buffer behind libtiff's client I/O, so that a TIFF can be built in memory
// and then stored with WriteFileAtomic.
struct TiffFile::MemoryStream {
  std::string bytes;
  size_t pos = 0;

  static tmsize_t Read(thandle_t h, void* buf, tmsize_t size) {
    auto* s = static_cast<MemoryStream*>(h);
    size_t n =
        std::min(static_cast<size_t>(size), s->bytes.size() - std::min(s->pos, s->bytes.size()));
    if (n > 0) std::memcpy(buf, s->bytes.data() + s->pos, n);
    s->pos += n;
    return static_cast<tmsize_t>(n);
  }
  static tmsize_t Write(thandle_t h, void* buf, tmsize_t size) {
    auto* s = static_cast<MemoryStream*>(h);
    size_t n = static_cast<size_t>(size);
    if (s->pos + n > s->bytes.size()) s->bytes.resize(s->pos + n);
    std::memcpy(s->bytes.data() + s->pos, buf, n);
    s->pos += n;
    return size;
  }
  static toff_t Seek(thandle_t h, toff_t offset, int whence) {
    auto* s = static_cast<MemoryStream*>(h);
    toff_t base = whence == SEEK_CUR ? s->pos : whence == SEEK_END ? s->bytes.size() : 0;
    s->pos = static_cast<size_t>(base + offset);
    return s->pos;
  }
  static int Close(thandle_t) { return 0; }
  static toff_t Size(thandle_t h) { return static_cast<MemoryStream*>(h)->bytes.size(); }
  static int Map(thandle_t, void**, toff_t*) { return 0; }
  static void Unmap(thandle_t, void*, toff_t) {}
};

TiffFile::TiffFile() = default;

TiffFile::~TiffFile() {
  if (tiff_ != nullptr) TIFFClose(tiff_);
}

int TiffFile::OnError(TIFF*, void* user_data, const char* module, const char* fmt, va_list args) {
  auto* self = static_cast<TiffFile*>(user_data);
  if (self->error_.empty()) self->error_ = Format(module, fmt, args);
  return 1;  // handled: libtiff's global handler stays quiet
}

int TiffFile::OnWarning(TIFF*, void*, const char* module, const char* fmt, va_list args) {
  // Warnings are about tags nobody needs (spandsp writes a few private ones); keep them out
  // of the way but available.
  if (SpandspLog().should_log(spdlog::level::trace)) {
    SpandspLog().trace("libtiff: {}", Format(module, fmt, args));
  }
  return 1;
}

TIFFOpenOptions* TiffFile::MakeOptions() {
  TIFFOpenOptions* options = TIFFOpenOptionsAlloc();
  TIFFOpenOptionsSetMaxSingleMemAlloc(options, kMaxSingleAllocation);
  TIFFOpenOptionsSetErrorHandlerExtR(options, &TiffFile::OnError, this);
  TIFFOpenOptionsSetWarningHandlerExtR(options, &TiffFile::OnWarning, this);
  return options;
}

Result<std::unique_ptr<TiffFile>> TiffFile::OpenForReading(const std::filesystem::path& path,
                                                           std::string_view display_name) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    if (std::filesystem::exists(path, ec)) {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("{} is not a regular file", display_name));
    }
    return MakeError(ErrorCode::kNotFound, fmt::format("{} does not exist", display_name));
  }
  std::unique_ptr<TiffFile> file(new TiffFile());
  TIFFOpenOptions* options = file->MakeOptions();
  // "m": read with ordinary I/O rather than mmap, so a file truncated under us is an error
  // from read(), not a SIGBUS.
  file->tiff_ = TIFFOpenExt(path.c_str(), "rm", options);
  TIFFOpenOptionsFree(options);
  if (file->tiff_ == nullptr) {
    std::string why = file->TakeError();
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("{} is not a TIFF file that can be read ({})", display_name,
                                 why.empty() ? "libtiff could not open it" : "libtiff: " + why));
  }
  return file;
}

Result<std::unique_ptr<TiffFile>> TiffFile::CreateInMemory() {
  std::unique_ptr<TiffFile> file(new TiffFile());
  file->memory_ = std::make_unique<MemoryStream>();
  TIFFOpenOptions* options = file->MakeOptions();
  file->tiff_ =
      TIFFClientOpenExt("memory", "w", file->memory_.get(), &MemoryStream::Read,
                        &MemoryStream::Write, &MemoryStream::Seek, &MemoryStream::Close,
                        &MemoryStream::Size, &MemoryStream::Map, &MemoryStream::Unmap, options);
  TIFFOpenOptionsFree(options);
  if (file->tiff_ == nullptr) {
    return MakeError(ErrorCode::kInternal, "cannot start a TIFF in memory: " + file->TakeError());
  }
  return file;
}

std::string TiffFile::TakeError() {
  std::string error;
  error.swap(error_);
  return error;
}

Result<std::string> TiffFile::Finish() {
  if (memory_ == nullptr || tiff_ == nullptr) {
    return MakeError(ErrorCode::kInternal, "TiffFile::Finish on a file not built in memory");
  }
  TIFFClose(tiff_);  // flushes the last directory into memory_
  tiff_ = nullptr;
  if (std::string error = TakeError(); !error.empty()) {
    return MakeError(ErrorCode::kInternal, "libtiff failed to write a TIFF: " + error);
  }
  return std::move(memory_->bytes);
}

TiffResolution ReadResolution(TIFF* tiff) {
  float x = 0;
  float y = 0;
  uint16_t unit = RESUNIT_INCH;
  TIFFGetField(tiff, TIFFTAG_XRESOLUTION, &x);
  TIFFGetField(tiff, TIFFTAG_YRESOLUTION, &y);
  TIFFGetFieldDefaulted(tiff, TIFFTAG_RESOLUTIONUNIT, &unit);
  double scale = unit == RESUNIT_INCH ? 1.0 : unit == RESUNIT_CENTIMETER ? 2.54 : 0.0;
  // NaN and negative values come only from hostile files; treat them as absent.
  auto usable = [scale](float v) { return v > 0 && v < 1e6 ? v * scale : 0.0; };
  return TiffResolution{usable(x), usable(y)};
}

}  // namespace faxgate
