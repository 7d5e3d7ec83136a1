// Shared by the store's tests: a scratch directory per test, fully populated entities, and
// field-by-field comparisons that name the field that differs.
#pragma once

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "store/store.h"

namespace faxgate::testing {

// A fresh directory, removed with everything in it when the object goes.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// 2027-01-15 08:00:00 UTC plus `minutes`; tests speak in minutes from there.
TimePoint At(int minutes);

// A user named `name` with fax number `fax_number`, every other field set to a non-default.
User SampleUser(const std::string& name, const std::string& fax_number);
// A job with every field set to a value that differs from its default and from the others, so
// that a column mix-up cannot round-trip unnoticed.
Job SampleJob(const std::string& canonical_number);
Attempt SampleAttempt(JobId job);
InboundFax SampleInbound(std::optional<UserId> owner);

void ExpectSameJob(const Job& want, const Job& got);
void ExpectSameAttempt(const Attempt& want, const Attempt& got);
void ExpectSameInbound(const InboundFax& want, const InboundFax& got);
void ExpectSameUser(const User& want, const User& got);

// Unwraps a result in a test, failing with its message.
template <typename T>
T Must(Result<T> result) {
  EXPECT_TRUE(result.ok()) << result.error().message;
  if (!result.ok()) throw std::runtime_error(result.error().message);
  return std::move(result).value();
}

inline void Must(Status status) { ASSERT_TRUE(status.ok()) << status.error().message; }

}  // namespace faxgate::testing
