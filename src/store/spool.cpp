#include "store/spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

#include "base/files.h"

namespace faxgate {
namespace {

constexpr size_t kHashLength = 64;  // hex SHA-256

bool IsHash(const std::string& s) {
  if (s.size() != kHashLength) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Error IoError(std::string_view doing, const std::filesystem::path& path, int err) {
  return MakeError(ErrorCode::kIo,
                   fmt::format("cannot {} {}: {}", doing, path.string(), std::strerror(err)));
}

// fsync of a file or a directory: a rename is durable once the directory holding the new name
// is synced, and the renamed data once the file itself is.
Status Sync(const std::filesystem::path& path, bool directory) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | (directory ? O_DIRECTORY : 0));
  if (fd < 0) return IoError("open", path, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return IoError("sync", path, err);
  return Status::Ok();
}

// Creates `dir` if missing; a new directory's own name is made durable in its parent.
Status MakeDirectory(const std::filesystem::path& dir) {
  std::error_code ec;
  bool created = std::filesystem::create_directories(dir, ec);
  if (ec) return IoError("create directory", dir, ec.value());
  if (created) return Sync(dir.parent_path(), true);
  return Status::Ok();
}

}  // namespace

Spool::Spool(std::filesystem::path dir) : dir_(std::move(dir)) {}

// Files fan out over 256 subdirectories by the first two hex digits, so that no directory
// grows to hold every document ever sent.
std::filesystem::path Spool::PathOf(const std::string& hash) const {
  // Callers may pass a hash from outside (an API path); anything that is not a hash gets an
  // empty path, which names no file, rather than one that escapes the spool.
  if (!IsHash(hash)) return {};
  return dir_ / hash.substr(0, 2) / hash;
}

bool Spool::Has(const std::string& hash) const {
  std::filesystem::path path = PathOf(hash);
  std::error_code ec;
  return !path.empty() && std::filesystem::is_regular_file(path, ec);
}

std::filesystem::path Spool::ScratchPath(std::string_view suffix) const {
  return NamedScratchPath(RandomHex(16) + std::string(suffix));
}

std::filesystem::path Spool::NamedScratchPath(std::string_view name) const {
  std::filesystem::path scratch = dir_ / "tmp";
  // A failure here shows up as a failure to create the file, which names the path.
  std::error_code ec;
  std::filesystem::create_directories(scratch, ec);
  return scratch / std::string(name);
}

int Spool::SweepScratch() {
  int removed = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_ / "tmp", ec)) {
    if (entry.is_regular_file(ec) && std::filesystem::remove(entry.path(), ec)) ++removed;
  }
  return removed;
}

Result<std::string> Spool::Put(std::string_view bytes) {
  std::string hash = Sha256Hex(bytes);
  if (Has(hash)) return hash;
  std::filesystem::path path = PathOf(hash);
  FG_RETURN_IF_ERROR(MakeDirectory(path.parent_path()));
  FG_RETURN_IF_ERROR(WriteFileAtomic(path, bytes));
  return hash;
}

Result<std::string> Spool::Adopt(const std::filesystem::path& file) {
  // Received faxes are a few megabytes at most, so reading the file whole is fine, and it
  // leaves the bytes at hand should the rename have to become a copy.
  FG_ASSIGN_OR_RETURN(std::string bytes, ReadFile(file));
  std::string hash = Sha256Hex(bytes);
  std::filesystem::path path = PathOf(hash);
  if (Has(hash)) {
    std::error_code ec;
    // Adopting the spool's own copy must not delete it.
    if (std::filesystem::equivalent(file, path, ec)) return hash;
    std::filesystem::remove(file, ec);  // a leftover copy costs space, never correctness
    return hash;
  }
  FG_RETURN_IF_ERROR(MakeDirectory(path.parent_path()));
  // Whoever wrote the file may not have synced it; the spool's promise is whole files only.
  FG_RETURN_IF_ERROR(Sync(file, false));
  if (std::rename(file.c_str(), path.c_str()) != 0) {
    if (errno != EXDEV) return IoError("move into the spool", file, errno);
    // Another file system after all: copy, then drop the original.
    FG_RETURN_IF_ERROR(WriteFileAtomic(path, bytes));
    std::error_code ec;
    std::filesystem::remove(file, ec);
    return hash;
  }
  FG_RETURN_IF_ERROR(Sync(path.parent_path(), true));
  return hash;
}

}  // namespace faxgate
