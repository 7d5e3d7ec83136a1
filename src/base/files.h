// File helpers with the durability the spool needs: a file is either whole or absent.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.h"

namespace faxgate {

// Writes to a temporary file beside `path`, fsyncs it, renames it over `path`, fsyncs the
// directory. A crash leaves the old file or the new one, never a half-written one.
Status WriteFileAtomic(const std::filesystem::path& path, std::string_view bytes);
Result<std::string> ReadFile(const std::filesystem::path& path);
// Lowercase hex SHA-256 of the bytes (content addresses in the spool).
std::string Sha256Hex(std::string_view bytes);
// Random bytes from the OS as lowercase hex (tokens, passwords, temp names).
std::string RandomHex(size_t bytes);

}  // namespace faxgate
