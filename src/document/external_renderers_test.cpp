// Chromium and LibreOffice: slow, heavy external programs, so their tests live here and can be
// filtered out (--gtest_filter=-External*).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/files.h"
#include "document/html_renderer.h"
#include "document/office_converter.h"
#include "document/pdf_renderer.h"

namespace faxgate {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

class ExternalRendererTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("faxgate-external-" + RandomHex(6));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path Write(const std::string& name, const std::string& bytes) {
    auto path = dir_ / name;
    EXPECT_TRUE(WriteFileAtomic(path, bytes).ok());
    return path;
  }

  int PdfPages(const std::filesystem::path& pdf) {
    int pages = 0;
    ConversionLimits limits;
    Status s = RenderPdf(pdf, "out.pdf", PageFormat{}, limits, dir_, [&](GreyImage&& image) {
      EXPECT_GT(image.width, 1000);
      ++pages;
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.error().message;
    return pages;
  }

  // 1 if a process has `pattern` (starting with '/') in its command line, else 0. The
  // bracket keeps the shell running pgrep from matching itself.
  static int CountProcesses(const std::string& pattern) {
    std::string command = "pgrep -f -- '[/]" + pattern.substr(1) + "' > /dev/null 2>&1";
    return std::system(command.c_str()) == 0 ? 1 : 0;
  }

  std::filesystem::path dir_;
};

constexpr char kReportHtml[] =
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Report</title></head><body>"
    "<h1>Quarterly report</h1><p lang=\"zh-CN\">这是一份传真测试文件，包含中文句子。</p>"
    "<table border=\"1\"><tr><th>Item</th><th>Amount</th></tr>"
    "<tr><td>Paper</td><td>12</td></tr><tr><td>Toner</td><td>3</td></tr></table>"
    "<img src=\"http://127.0.0.1:1/tracker.png\"><iframe src=\"file:///etc/hostname\"></iframe>"
    "</body></html>";

TEST_F(ExternalRendererTest, HtmlWithChineseAndATablePrintsToA4Pdf) {
  auto html = Write("report.html", kReportHtml);
  ConversionLimits limits;
  auto started = Clock::now();
  auto pdf = HtmlToPdf(html, "report.html", PageFormat{}, limits, dir_);
  ASSERT_TRUE(pdf.ok()) << pdf.error().message;
  std::printf("[ timing ] chromium: HTML to PDF in %.2f s\n", SecondsSince(started));
  EXPECT_GE(PdfPages(*pdf), 1);
  auto text = dir_ / "text.txt";
  std::string command = "pdftotext " + pdf->string() + " " + text.string();
  ASSERT_EQ(std::system(command.c_str()), 0);
  auto words = ReadFile(text);
  ASSERT_TRUE(words.ok());
  EXPECT_THAT(*words, HasSubstr("这是一份传真测试文件"));
  EXPECT_THAT(*words, HasSubstr("Toner"));
  auto info = dir_ / "info.txt";
  command = "pdfinfo " + pdf->string() + " > " + info.string();
  ASSERT_EQ(std::system(command.c_str()), 0);
  EXPECT_THAT(*ReadFile(info), HasSubstr("(A4)"));
}

TEST_F(ExternalRendererTest, HtmlPreparationKeepsTheDoctypeFirst) {
  std::string out = PrepareHtmlForPrinting("\xEF\xBB\xBF<!DOCTYPE html><p>x", PageFormat{});
  EXPECT_EQ(out.rfind("\xEF\xBB\xBF<!DOCTYPE html><meta http-equiv=\"Content-Security-Policy\"", 0),
            0u);
  EXPECT_THAT(out, HasSubstr("@page { size: 210.0mm 297.0mm"));
  EXPECT_EQ(PrepareHtmlForPrinting("<p>x", PageFormat{}).rfind("<meta", 0), 0u);
}

TEST_F(ExternalRendererTest, HtmlRendererIsStoppedAtTheWallTime) {
  auto html = Write("slow.html", kReportHtml);
  ConversionLimits limits;
  limits.wall_time = 1ms;
  auto pdf = HtmlToPdf(html, "slow.html", PageFormat{}, limits, dir_);
  ASSERT_FALSE(pdf.ok());
  EXPECT_EQ(pdf.error().message,
            "slow.html: the HTML renderer took longer than 1 s and was stopped");
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(CountProcesses("user-data-dir=" + (dir_ / "chromium").string()), 0);
}

class LibreOfficeTest : public ExternalRendererTest {
 protected:
  // A document made by LibreOffice itself, cold, from HTML or CSV.
  std::filesystem::path Make(const std::string& source_name, const std::string& source,
                             const std::string& convert_to) {
    auto in = Write(source_name, source);
    std::string command = "cd " + dir_.string() +
                          " && soffice --headless -env:UserInstallation=file://" +
                          (dir_ / "cold-profile").string() + " --convert-to '" + convert_to + "' " +
                          in.string() + " > /dev/null 2>&1";
    EXPECT_EQ(std::system(command.c_str()), 0);
    std::string extension = convert_to.substr(0, convert_to.find(':'));
    return in.parent_path() / (in.stem().string() + "." + extension);
  }

  LibreOfficeOptions Options() {
    LibreOfficeOptions options;
    options.base_dir = dir_ / "pool";
    options.timeout = 60s;
    return options;
  }
};

TEST_F(LibreOfficeTest, WarmPoolConvertsDocxAndXlsxAndLeavesNoProcesses) {
  auto docx = Make("report.html", kReportHtml, "docx:MS Word 2007 XML");
  auto xlsx =
      Make("sales.csv", "Region,Q1,Q2\nNorth,10,12\nSouth,7,9\n", "xlsx:Calc MS Excel 2007 XML");
  ASSERT_TRUE(std::filesystem::exists(docx));
  ASSERT_TRUE(std::filesystem::exists(xlsx));
  auto out = dir_ / "out";
  std::filesystem::create_directories(out);
  {
    LibreOfficePool pool(Options());
    auto started = Clock::now();
    auto first = pool.ConvertToPdf(docx, "report.docx", out);
    ASSERT_TRUE(first.ok()) << first.error().message;
    std::printf("[ timing ] LibreOffice: first docx (includes start-up) %.2f s\n",
                SecondsSince(started));
    EXPECT_GE(PdfPages(*first), 1);
    for (const auto& [file, name] : {std::pair{docx, "report.docx"}, {xlsx, "sales.xlsx"}}) {
      for (int i = 0; i < 3; ++i) {
        started = Clock::now();
        auto pdf = pool.ConvertToPdf(file, name, out);
        ASSERT_TRUE(pdf.ok()) << pdf.error().message;
        std::printf("[ timing ] LibreOffice warm: %s %.3f s\n", name, SecondsSince(started));
        EXPECT_GT(std::filesystem::file_size(*pdf), 0u);
      }
    }
    EXPECT_EQ(CountProcesses((dir_ / "pool").string()), 1);
  }
  EXPECT_EQ(CountProcesses((dir_ / "pool").string()), 0) << "orphaned LibreOffice processes";
}

TEST_F(LibreOfficeTest, GarbageFailsAndTheInstanceKeepsWorking) {
  auto docx = Make("report.html", kReportHtml, "docx:MS Word 2007 XML");
  auto garbage = Write("broken.docx", std::string("PK\3\4 this is not a zip at all", 30));
  auto out = dir_ / "out";
  std::filesystem::create_directories(out);
  LibreOfficePool pool(Options());
  auto bad = pool.ConvertToPdf(garbage, "broken.docx", out);
  if (!bad.ok()) {
    EXPECT_THAT(bad.error().message, HasSubstr("broken.docx: LibreOffice"));
  }
  auto good = pool.ConvertToPdf(docx, "report.docx", out);
  EXPECT_TRUE(good.ok()) << good.error().message;
}

TEST_F(LibreOfficeTest, TimeoutStopsTheInstanceAndTheNextJobGetsAFreshOne) {
  auto docx = Make("report.html", kReportHtml, "docx:MS Word 2007 XML");
  auto out = dir_ / "out";
  std::filesystem::create_directories(out);
  LibreOfficeOptions options = Options();
  options.timeout = 60s;
  LibreOfficePool pool(options);
  ASSERT_TRUE(pool.ConvertToPdf(docx, "warm-up.docx", out).ok());  // start outside the timeout

  LibreOfficeOptions tight = Options();
  tight.base_dir = dir_ / "tight";
  tight.timeout = 1ms;
  LibreOfficePool slow(tight);
  // Start-up has its own allowance; the 1 ms applies to the conversion itself.
  auto timed_out = slow.ConvertToPdf(docx, "report.docx", out);
  ASSERT_FALSE(timed_out.ok());
  EXPECT_EQ(timed_out.error().message,
            "report.docx: LibreOffice took longer than 1 s and was stopped");
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(CountProcesses((dir_ / "tight").string()), 0);
  EXPECT_TRUE(pool.ConvertToPdf(docx, "again.docx", out).ok());
}

TEST_F(LibreOfficeTest, ConcurrentJobsShareTwoInstances) {
  auto docx = Make("report.html", kReportHtml, "docx:MS Word 2007 XML");
  LibreOfficeOptions options = Options();
  options.instances = 2;
  LibreOfficePool pool(options);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      auto out = dir_ / ("out" + std::to_string(i));
      std::filesystem::create_directories(out);
      if (pool.ConvertToPdf(docx, "report.docx", out).ok()) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 4);
}

}  // namespace
}  // namespace faxgate
