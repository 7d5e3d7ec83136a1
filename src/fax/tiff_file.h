// Private to the fax module: libtiff handles that report instead of printing. libtiff's global
// handlers would write to stderr (or to the log, after InstallFaxLogging) and lose the link to
// the file; here the first error of each file is kept so that the message we return can say
// what libtiff found.
#pragma once

#include <tiffio.h>

#include <cstdarg>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"

namespace faxgate {

class TiffFile {
 public:
  // Opens `path` for reading. A missing file is kNotFound, anything libtiff refuses is
  // kInvalidArgument; both messages start with `display_name`.
  static Result<std::unique_ptr<TiffFile>> OpenForReading(const std::filesystem::path& path,
                                                          std::string_view display_name);
  // A new, empty TIFF held in memory; Finish() hands back the bytes.
  static Result<std::unique_ptr<TiffFile>> CreateInMemory();

  TiffFile(const TiffFile&) = delete;
  TiffFile& operator=(const TiffFile&) = delete;
  ~TiffFile();

  TIFF* tiff() const { return tiff_; }
  // The first error libtiff reported since the last call, or "".
  std::string TakeError();
  // In-memory files only: closes the TIFF and returns its bytes.
  Result<std::string> Finish();

 private:
  struct MemoryStream;

  TiffFile();
  static int OnError(TIFF* tiff, void* user_data, const char* module, const char* fmt,
                     va_list args);
  static int OnWarning(TIFF* tiff, void* user_data, const char* module, const char* fmt,
                       va_list args);
  TIFFOpenOptions* MakeOptions();

  TIFF* tiff_ = nullptr;
  std::string error_;
  std::unique_ptr<MemoryStream> memory_;
};

// Resolution of the current directory in dots per inch, whatever its ResolutionUnit; 0 when
// absent or unitless (no physical size can be derived).
struct TiffResolution {
  double x_dpi = 0;
  double y_dpi = 0;
};
TiffResolution ReadResolution(TIFF* tiff);

}  // namespace faxgate
