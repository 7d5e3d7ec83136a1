#include "store/spool.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/files.h"
#include "store/store_test_util.h"

namespace faxgate {
namespace {

using ::faxgate::testing::Must;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using namespace std::string_literals;

class SpoolTest : public ::testing::Test {
 protected:
  // Every file under the spool, relative to it: what a crash or a bug would leave behind.
  std::vector<std::string> Files() const {
    std::vector<std::string> files;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_.path())) {
      if (entry.is_regular_file()) {
        files.push_back(std::filesystem::relative(entry.path(), dir_.path()).string());
      }
    }
    std::sort(files.begin(), files.end());
    return files;
  }

  std::filesystem::path WriteScratch(const std::string& bytes) {
    std::filesystem::path path = spool_.ScratchPath(".tif");
    Must(WriteFileAtomic(path, bytes));
    return path;
  }

  static std::string Fanned(const std::string& hash) { return hash.substr(0, 2) + "/" + hash; }

  testing::ScratchDir dir_;
  Spool spool_{dir_.path()};
};

TEST_F(SpoolTest, PutStoresTheBytesUnderTheirHash) {
  std::string hash = Must(spool_.Put("II*\0page"s));

  EXPECT_EQ(hash, Sha256Hex("II*\0page"s));
  EXPECT_TRUE(spool_.Has(hash));
  EXPECT_EQ(spool_.PathOf(hash), dir_.path() / hash.substr(0, 2) / hash);
  EXPECT_EQ(Must(ReadFile(spool_.PathOf(hash))), "II*\0page"s);
  EXPECT_THAT(Files(), ElementsAre(Fanned(hash)));  // and no temporary file beside it
}

TEST_F(SpoolTest, SameContentIsStoredOnce) {
  std::string first = Must(spool_.Put("same"));
  std::string second = Must(spool_.Put("same"));
  std::string other = Must(spool_.Put("other"));

  EXPECT_EQ(first, second);
  EXPECT_NE(first, other);
  EXPECT_EQ(Files().size(), 2u);
}

TEST_F(SpoolTest, AdoptMovesAFinishedFileIntoPlace) {
  std::filesystem::path received = WriteScratch("received tiff");

  std::string hash = Must(spool_.Adopt(received));

  EXPECT_EQ(hash, Sha256Hex("received tiff"));
  EXPECT_FALSE(std::filesystem::exists(received));
  EXPECT_EQ(Must(ReadFile(spool_.PathOf(hash))), "received tiff");
  EXPECT_THAT(Files(), ElementsAre(Fanned(hash)));
}

TEST_F(SpoolTest, AdoptOfKnownContentDropsTheCopy) {
  std::string hash = Must(spool_.Put("received tiff"));
  std::filesystem::path again = WriteScratch("received tiff");

  EXPECT_EQ(Must(spool_.Adopt(again)), hash);

  EXPECT_FALSE(std::filesystem::exists(again));
  EXPECT_THAT(Files(), ElementsAre(Fanned(hash)));
}

TEST_F(SpoolTest, AdoptingTheSpoolsOwnCopyKeepsIt) {
  std::string hash = Must(spool_.Put("kept"));

  EXPECT_EQ(Must(spool_.Adopt(spool_.PathOf(hash))), hash);

  EXPECT_TRUE(spool_.Has(hash));
}

TEST_F(SpoolTest, AdoptOfAMissingFileFails) {
  Result<std::string> hash = spool_.Adopt(dir_.path() / "tmp" / "nothing.tif");
  EXPECT_FALSE(hash.ok());
  EXPECT_THAT(Files(), IsEmpty());
}

TEST_F(SpoolTest, ScratchPathsAreFreshAndInTheScratchDirectory) {
  std::filesystem::path a = spool_.ScratchPath(".tif");
  std::filesystem::path b = spool_.ScratchPath(".tif");

  EXPECT_NE(a, b);
  EXPECT_EQ(a.parent_path(), dir_.path() / "tmp");
  EXPECT_EQ(a.extension(), ".tif");
  EXPECT_TRUE(std::filesystem::is_directory(a.parent_path()));
  EXPECT_FALSE(std::filesystem::exists(a));
}

TEST_F(SpoolTest, SweepRemovesScratchFilesAndKeepsDocuments) {
  auto hash = spool_.Put("kept");
  ASSERT_TRUE(hash.ok());
  WriteScratch("left by a crash");
  Must(WriteFileAtomic(spool_.NamedScratchPath("rx-7.tif"), "half a fax"));

  EXPECT_EQ(spool_.SweepScratch(), 2);
  EXPECT_EQ(Files(), std::vector<std::string>{Fanned(*hash)});
  EXPECT_EQ(spool_.SweepScratch(), 0);
}

TEST_F(SpoolTest, AnythingButAHashNamesNoFile) {
  Must(spool_.Put("x"));

  EXPECT_FALSE(spool_.Has(std::string(64, '0')));
  EXPECT_FALSE(spool_.Has("../../etc/passwd"));
  EXPECT_TRUE(spool_.PathOf("../../etc/passwd").empty());
  EXPECT_TRUE(spool_.PathOf(std::string(64, 'A')).empty());  // hashes are lowercase
}

}  // namespace
}  // namespace faxgate
