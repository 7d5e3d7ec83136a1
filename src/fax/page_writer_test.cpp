// PageWriter: pages handed in on one thread come out whole, in order, in the TIFF.
#include "fax/page_writer.h"

#include <gtest/gtest.h>
#include <spandsp.h>
#include <tiffio.h>

#include <chrono>
#include <thread>

#include "base/files.h"
#include "fax/fax_test_support.h"
#include "fax/page_journal.h"
#include "fax/reception_recovery.h"
#include "fax/t4_rx_hooks.h"
#include "fax/tiff_document.h"

namespace faxgate {
namespace {

using fax_test::MakeTestDocument;
using fax_test::PageResolution;
using fax_test::TempDir;

// The G4 data of each page as the wire carries it (TIFF-F's LSB-first fill order is the line's
// bit order).
std::vector<std::vector<uint8_t>> CompressedPages(const std::filesystem::path& tiff) {
  std::vector<std::vector<uint8_t>> pages;
  TIFF* file = TIFFOpen(tiff.c_str(), "r");
  if (file == nullptr) return pages;
  do {
    std::vector<uint8_t> bytes(static_cast<size_t>(TIFFRawStripSize(file, 0)));
    tmsize_t got = TIFFReadRawStrip(file, 0, bytes.data(), static_cast<tmsize_t>(bytes.size()));
    bytes.resize(got > 0 ? static_cast<size_t>(got) : 0);
    pages.push_back(std::move(bytes));
  } while (TIFFReadDirectory(file));
  TIFFClose(file);
  return pages;
}

ReceivedPageInfo FinePage(int encoding) {
  ReceivedPageInfo info;
  info.encoding = encoding;
  info.width = 1728;
  info.x_resolution = T4_X_RESOLUTION_R8;
  info.y_resolution = T4_Y_RESOLUTION_FINE;
  info.far_ident = "+86 10 5555 0100";
  return info;
}

// ECM blocks arrive as frames of up to 256 bytes.
void AddInFrames(PageWriter& writer, const std::vector<uint8_t>& bytes) {
  for (size_t at = 0; at < bytes.size(); at += 256) {
    size_t n = std::min<size_t>(256, bytes.size() - at);
    writer.AddCompressed({bytes.data() + at, n});
  }
}

// Background threads write; the test waits for them (a generous bound, not a timing check).
bool WaitDone(const PageWriter& writer) {
  for (int i = 0; i < 3000 && !writer.done(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return writer.done();
}

std::vector<uint8_t> FileBytes(const std::filesystem::path& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return {};
  return std::vector<uint8_t>(text->begin(), text->end());
}

void PutFileBytes(const std::filesystem::path& path, const std::vector<uint8_t>& bytes) {
  std::string text(bytes.begin(), bytes.end());
  ASSERT_TRUE(WriteFileAtomic(path, text).ok());
}

class PageWriterTest : public ::testing::Test {
 protected:
  TempDir dir_;
};

TEST_F(PageWriterTest, TheHooksReachSpandspInThisProcess) {
  // Without them every received page would be decoded on the media thread again.
  EXPECT_TRUE(PageRoutingAvailable());
}

TEST_F(PageWriterTest, EcmPagesAreDecodedAndWrittenInOrder) {
  std::vector<Bitmap> pages = MakeTestDocument(PageResolution::kFine, 3);
  ASSERT_TRUE(WriteFaxTiff(dir_ / "sent.tif", pages).ok());
  auto compressed = CompressedPages(dir_ / "sent.tif");
  ASSERT_EQ(compressed.size(), 3u);

  auto writer = PageWriter::Create(dir_ / "received.tif", "test");
  for (const auto& page : compressed) {
    AddInFrames(*writer, page);
    writer->EndCompressedPage(FinePage(T4_COMPRESSION_ITU_T6));
  }
  writer->Close();
  ASSERT_TRUE(WaitDone(*writer));

  EXPECT_EQ(writer->pages_written(), 3);
  EXPECT_EQ(writer->first_bad_page(), 0);
  auto received = ReadBitmaps(dir_ / "received.tif");
  ASSERT_TRUE(received.ok()) << received.error().message;
  EXPECT_TRUE(*received == pages);
}

TEST_F(PageWriterTest, DecodedRowsAreWrittenAsTheyCame) {
  std::vector<Bitmap> pages = MakeTestDocument(PageResolution::kFine, 2, 7);
  auto writer = PageWriter::Create(dir_ / "received.tif", "test");
  for (const Bitmap& page : pages) {
    ASSERT_EQ(page.stride, 216);
    writer->AddDecodedPage(FinePage(T4_COMPRESSION_ITU_T4_1D), page.bits, page.height);
  }
  writer->Close();
  ASSERT_TRUE(WaitDone(*writer));

  EXPECT_EQ(writer->pages_written(), 2);
  auto received = ReadBitmaps(dir_ / "received.tif");
  ASSERT_TRUE(received.ok()) << received.error().message;
  EXPECT_TRUE(*received == pages);
}

TEST_F(PageWriterTest, APageWithoutImageDataIsReportedAndTheOthersKept) {
  std::vector<Bitmap> pages = MakeTestDocument(PageResolution::kFine, 1);
  ASSERT_TRUE(WriteFaxTiff(dir_ / "sent.tif", pages).ok());
  auto compressed = CompressedPages(dir_ / "sent.tif");
  ASSERT_EQ(compressed.size(), 1u);

  auto writer = PageWriter::Create(dir_ / "received.tif", "test");
  // Zero bits are no T.6 code at all: nothing decodes.
  AddInFrames(*writer, std::vector<uint8_t>(2048, 0));
  writer->EndCompressedPage(FinePage(T4_COMPRESSION_ITU_T6));
  AddInFrames(*writer, compressed[0]);
  writer->EndCompressedPage(FinePage(T4_COMPRESSION_ITU_T6));
  writer->Close();
  ASSERT_TRUE(WaitDone(*writer));

  EXPECT_EQ(writer->first_bad_page(), 1);
  EXPECT_EQ(writer->pages_written(), 1);
  auto received = ReadBitmaps(dir_ / "received.tif");
  ASSERT_TRUE(received.ok()) << received.error().message;
  EXPECT_TRUE(*received == pages);
}

TEST_F(PageWriterTest, NoPagesLeaveNoFile) {
  auto writer = PageWriter::Create(dir_ / "received.tif", "test");
  writer->Close();
  ASSERT_TRUE(WaitDone(*writer));
  EXPECT_EQ(writer->pages_written(), 0);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "received.tif"));
}

// The sender is told a page arrived as soon as the hook returns; from then on the page must
// survive a kill of the process, whatever the background threads have done with it.
TEST_F(PageWriterTest, EveryPageHandedInIsInTheJournalUntilTheFileIsClosed) {
  std::vector<Bitmap> pages = MakeTestDocument(PageResolution::kFine, 3);
  ASSERT_TRUE(WriteFaxTiff(dir_ / "sent.tif", pages).ok());
  auto compressed = CompressedPages(dir_ / "sent.tif");
  ASSERT_EQ(compressed.size(), 3u);

  const auto tiff = dir_ / "received.tif";
  auto writer = PageWriter::Create(tiff, "test");
  for (size_t i = 0; i < compressed.size(); ++i) {
    AddInFrames(*writer, compressed[i]);
    writer->EndCompressedPage(FinePage(T4_COMPRESSION_ITU_T6));
    auto journaled = ParsePageJournal(FileBytes(PageJournalPath(tiff)));
    ASSERT_EQ(journaled.size(), i + 1);
    EXPECT_EQ(journaled[i].bytes, compressed[i]);
    EXPECT_EQ(journaled[i].decoded_rows, -1);
    EXPECT_EQ(journaled[i].info.far_ident, "+86 10 5555 0100");
  }
  writer->Close();
  ASSERT_TRUE(WaitDone(*writer));
  EXPECT_EQ(writer->pages_written(), 3);
  EXPECT_FALSE(std::filesystem::exists(PageJournalPath(tiff)));
}

// A crash after three pages were confirmed, with one of them written: the journal holds all
// three and a torn fourth (the process died while appending it, before it was confirmed).
TEST_F(PageWriterTest, ACutReceptionIsRebuiltFromItsJournal) {
  std::vector<Bitmap> pages = MakeTestDocument(PageResolution::kFine, 3, 11);
  ASSERT_TRUE(WriteFaxTiff(dir_ / "sent.tif", pages).ok());
  auto compressed = CompressedPages(dir_ / "sent.tif");
  ASSERT_EQ(compressed.size(), 3u);

  const auto tiff = dir_ / "received.tif";
  auto writer = PageWriter::Create(tiff, "test");
  AddInFrames(*writer, compressed[0]);
  writer->EndCompressedPage(FinePage(T4_COMPRESSION_ITU_T6));
  writer->AddDecodedPage(FinePage(T4_COMPRESSION_ITU_T4_1D), pages[1].bits, pages[1].height);
  AddInFrames(*writer, compressed[2]);
  writer->EndCompressedPage(FinePage(T4_COMPRESSION_ITU_T6));
  std::vector<uint8_t> journal = FileBytes(PageJournalPath(tiff));
  const size_t whole = journal.size();
  journal.insert(journal.end(), journal.begin(), journal.begin() + 100);
  writer->Close();
  ASSERT_TRUE(WaitDone(*writer));

  std::vector<Bitmap> first_only(pages.begin(), pages.begin() + 1);
  ASSERT_TRUE(WriteFaxTiff(tiff, first_only).ok());
  PutFileBytes(PageJournalPath(tiff), journal);
  ASSERT_EQ(ParsePageJournal(journal).size(), 3u) << whole;

  ASSERT_TRUE(RecoverReceivedPages(tiff, "fax 7").ok());
  auto received = ReadBitmaps(tiff);
  ASSERT_TRUE(received.ok()) << received.error().message;
  EXPECT_TRUE(*received == pages);
  EXPECT_FALSE(std::filesystem::exists(PageJournalPath(tiff)));
}

TEST_F(PageWriterTest, RecoveryLeavesAReceptionWithoutAJournalAsItIs) {
  std::vector<Bitmap> pages = MakeTestDocument(PageResolution::kFine, 2);
  const auto tiff = dir_ / "received.tif";
  ASSERT_TRUE(WriteFaxTiff(tiff, pages).ok());
  const auto before = FileBytes(tiff);
  ASSERT_TRUE(RecoverReceivedPages(tiff, "fax 8").ok());
  EXPECT_EQ(FileBytes(tiff), before);
  ASSERT_TRUE(RecoverReceivedPages(dir_ / "never-received.tif", "fax 9").ok());
  EXPECT_FALSE(std::filesystem::exists(dir_ / "never-received.tif"));
}

TEST(PageJournalTest, AnEntryDamagedInTheMiddleEndsTheJournalThere) {
  TempDir dir;
  ReceivedPage page;
  page.info.width = 16;
  page.decoded_rows = 2;
  page.bytes = {1, 2, 3, 4};
  {
    PageJournal journal(dir / "j");
    std::string error;
    ASSERT_TRUE(journal.Append(page, &error)) << error;
    ASSERT_TRUE(journal.Append(page, &error)) << error;
    ASSERT_TRUE(journal.Append(page, &error)) << error;
  }
  std::vector<uint8_t> bytes = FileBytes(dir / "j");
  ASSERT_EQ(ParsePageJournal(bytes).size(), 3u);
  const size_t entry = bytes.size() / 3;
  bytes[entry + 34] ^= 0xff;  // the second entry's first text length: far too long now
  auto pages = ParsePageJournal(bytes);
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_EQ(pages[0].bytes, page.bytes);
}

}  // namespace
}  // namespace faxgate
