// Documents and received pages as files named by their content hash. A file is written
// atomically (temp file, fsync, rename), so the spool never holds half a document, and the same
// content is stored once.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.h"

namespace faxgate {

class Spool {
 public:
  explicit Spool(std::filesystem::path dir);

  // Stores the bytes and returns their content hash (lowercase hex SHA-256).
  Result<std::string> Put(std::string_view bytes);
  // Moves a finished file (e.g. a received TIFF) into the spool; returns its hash.
  Result<std::string> Adopt(const std::filesystem::path& file);
  std::filesystem::path PathOf(const std::string& hash) const;
  bool Has(const std::string& hash) const;
  // A fresh path in the spool's scratch directory for work in progress (same file system, so
  // Adopt is a rename).
  std::filesystem::path ScratchPath(std::string_view suffix) const;
  // The scratch path with exactly this name, for work that must be found again after a crash
  // (a reception in progress). REQUIRES: name is a plain file name.
  std::filesystem::path NamedScratchPath(std::string_view name) const;
  // Removes everything left in the scratch directory (work a crash interrupted). Call at start,
  // after recovery has adopted what it wants to keep. Returns how many files were removed.
  int SweepScratch();

 private:
  std::filesystem::path dir_;
};

}  // namespace faxgate
