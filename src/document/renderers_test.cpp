// PDF and PostScript rendering through mutool and gs, and the PGM stream between them and us.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/files.h"
#include "document/pdf_renderer.h"
#include "document/pgm_stream.h"

namespace faxgate {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

// ---------------------------------------------------------------------------------------------
// PgmStreamParser

struct Collected {
  std::vector<GreyImage> pages;
  GreySink Sink() {
    return [this](GreyImage&& image) {
      pages.push_back(std::move(image));
      return Status::Ok();
    };
  }
};

std::string Pgm(int w, int h, int maxval, const std::string& pixels,
                const std::string& comment = "") {
  return "P5\n" + comment + std::to_string(w) + " " + std::to_string(h) + "\n" +
         std::to_string(maxval) + "\n" + pixels;
}

TEST(PgmStreamTest, SplitsAStreamIntoPagesWhateverTheChunking) {
  std::string stream = Pgm(3, 2, 255, std::string("\x00\x10\x20\x30\x40\xff", 6)) +
                       Pgm(2, 1, 255, "ab", "# made by gs\n");
  for (size_t chunk : {size_t{1}, size_t{2}, size_t{7}, stream.size()}) {
    Collected out;
    PgmStreamParser parser({.x_dpi = 204, .y_dpi = 196}, out.Sink());
    for (size_t i = 0; i < stream.size(); i += chunk) {
      ASSERT_TRUE(parser.Feed(std::string_view(stream).substr(i, chunk)).ok());
    }
    ASSERT_TRUE(parser.Finish().ok());
    ASSERT_EQ(out.pages.size(), 2u);
    EXPECT_EQ(out.pages[0].width, 3);
    EXPECT_EQ(out.pages[0].height, 2);
    EXPECT_EQ(out.pages[0].pixels, (std::vector<uint8_t>{0, 0x10, 0x20, 0x30, 0x40, 0xff}));
    EXPECT_EQ(out.pages[0].y_dpi, 196);
    EXPECT_EQ(out.pages[1].pixels, (std::vector<uint8_t>{'a', 'b'}));
  }
}

TEST(PgmStreamTest, ScalesOtherMaxvals) {
  Collected out;
  PgmStreamParser parser({}, out.Sink());
  ASSERT_TRUE(parser.Feed(Pgm(2, 1, 15, std::string("\x0f\x00", 2))).ok());
  ASSERT_TRUE(parser.Feed(Pgm(2, 1, 65535, std::string("\xff\xff\x80\x00", 4))).ok());
  ASSERT_TRUE(parser.Finish().ok());
  ASSERT_EQ(out.pages.size(), 2u);
  EXPECT_EQ(out.pages[0].pixels, (std::vector<uint8_t>{255, 0}));
  EXPECT_EQ(out.pages[1].pixels, (std::vector<uint8_t>{255, 127}));
}

TEST(PgmStreamTest, RefusesHostileHeadersBeforeAllocating) {
  Collected out;
  PgmStreamParser huge({}, out.Sink());
  EXPECT_THAT(huge.Feed("P5 100000 100000 255\n").error().message, HasSubstr("larger than"));
  PgmStreamParser wrong({}, out.Sink());
  EXPECT_FALSE(wrong.Feed("P6 1 1 255\nabc").ok());
  PgmStreamParser maxval({}, out.Sink());
  EXPECT_FALSE(maxval.Feed("P5 1 1 0\n").ok());
  PgmStreamParser truncated({}, out.Sink());
  ASSERT_TRUE(truncated.Feed("P5 10 10 255\nabc").ok());
  EXPECT_THAT(truncated.Finish().error().message, HasSubstr("middle of page 1"));
}

TEST(PgmStreamTest, SinkErrorStopsTheStream) {
  PgmStreamParser parser(
      {}, [](GreyImage&&) { return Status(MakeError(ErrorCode::kInvalidArgument, "enough")); });
  EXPECT_EQ(parser.Feed(Pgm(1, 1, 255, "x") + Pgm(1, 1, 255, "y")).error().message, "enough");
}

// ---------------------------------------------------------------------------------------------
// RenderPdf and RenderPostScript

class RendererTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("faxgate-render-" + RandomHex(6));
    std::filesystem::create_directories(dir_);
    limits_.wall_time = 30s;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path Write(const std::string& name, const std::string& bytes) {
    auto path = dir_ / name;
    EXPECT_TRUE(WriteFileAtomic(path, bytes).ok());
    return path;
  }

  // A PDF made by Ghostscript's pdfwrite from a PostScript program.
  std::filesystem::path MakePdf(const std::string& name, const std::string& postscript,
                                const std::string& extra_args = "") {
    auto ps = Write(name + ".ps", postscript);
    auto pdf = dir_ / name;
    std::string command = "gs -q -dSAFER -dBATCH -dNOPAUSE -sDEVICE=pdfwrite " + extra_args +
                          " -o " + pdf.string() + " " + ps.string();
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    return pdf;
  }

  // Page 1: A4 portrait with text and a grey box; page 2: A4 landscape with text.
  static std::string TwoPageProgram() {
    return "%!PS\n"
           "<< /PageSize [595 842] >> setpagedevice\n"
           "/Helvetica findfont 24 scalefont setfont\n"
           "72 700 moveto (Hello fax) show\n"
           "0.5 setgray 72 400 200 100 rectfill showpage\n"
           "<< /PageSize [842 595] >> setpagedevice\n"
           "0 setgray /Helvetica findfont 24 scalefont setfont\n"
           "72 500 moveto (Landscape page) show showpage\n";
  }

  static std::string TextPages(int pages) {
    std::string ps =
        "%!PS\n<< /PageSize [595 842] >> setpagedevice\n"
        "/Times-Roman findfont 11 scalefont setfont\n";
    for (int p = 0; p < pages; ++p) {
      for (int line = 0; line < 60; ++line) {
        ps += "60 " + std::to_string(780 - line * 12) + " moveto (Page " + std::to_string(p + 1) +
              " line: the quick brown fox jumps over the lazy dog 0123456789) show\n";
      }
      ps += "showpage\n";
    }
    return ps;
  }

  Status Render(const std::filesystem::path& pdf, const PageFormat& f) {
    pages_.clear();
    return RenderPdf(pdf, "doc.pdf", f, limits_, dir_, [this](GreyImage&& image) {
      pages_.push_back(std::move(image));
      return Status::Ok();
    });
  }

  static int DarkPixels(const GreyImage& image) {
    int n = 0;
    for (uint8_t p : image.pixels) n += p < 128;
    return n;
  }

  std::filesystem::path dir_;
  ConversionLimits limits_;
  std::vector<GreyImage> pages_;
};

TEST_F(RendererTest, PdfPagesComeAtTrueScaleForEveryResolution) {
  auto pdf = MakePdf("two.pdf", TwoPageProgram());
  for (Resolution res : {Resolution::kStandard, Resolution::kFine, Resolution::kSuperfine}) {
    PageFormat f;
    f.resolution = res;
    ASSERT_TRUE(Render(pdf, f).ok());
    ASSERT_EQ(pages_.size(), 2u);
    for (const GreyImage& page : pages_) {
      EXPECT_EQ(page.width, std::lround(595 / 72.0 * 204));
      EXPECT_EQ(page.height, std::lround(842 / 72.0 * f.y_dpi()));
      EXPECT_EQ(page.x_dpi, 204);
      EXPECT_EQ(page.y_dpi, f.y_dpi());
      EXPECT_FALSE(page.bilevel);
      EXPECT_EQ(page.pixels.size(), static_cast<size_t>(page.width) * page.height);
      EXPECT_GT(DarkPixels(page), 100);
    }
  }
}

TEST_F(RendererTest, AntiAliasingIsOffSoTextIsPureBlackAndWhite) {
  auto pdf = MakePdf("text.pdf", TextPages(1));
  ASSERT_TRUE(Render(pdf, PageFormat{}).ok());
  ASSERT_EQ(pages_.size(), 1u);
  for (uint8_t p : pages_[0].pixels) ASSERT_TRUE(p == 0 || p == 255) << int{p};
}

TEST_F(RendererTest, LandscapePageIsTurnedToFillAPortraitFaxPage) {
  auto pdf = MakePdf("two.pdf", TwoPageProgram());
  ASSERT_TRUE(Render(pdf, PageFormat{}).ok());
  ASSERT_EQ(pages_.size(), 2u);
  // The text line on the landscape page runs down the fax page: its dark pixels span many
  // more rows than columns.
  const GreyImage& page = pages_[1];
  int min_x = page.width, max_x = 0, min_y = page.height, max_y = 0;
  for (int y = 0; y < page.height; ++y) {
    for (int x = 0; x < page.width; ++x) {
      if (page.at(x, y) < 128) {
        min_x = std::min(min_x, x), max_x = std::max(max_x, x);
        min_y = std::min(min_y, y), max_y = std::max(max_y, y);
      }
    }
  }
  EXPECT_GT(max_y - min_y, 3 * (max_x - min_x));
}

TEST_F(RendererTest, PdfBombPageIsShrunkNotAllocated) {
  auto pdf = MakePdf("bomb.pdf",
                     "%!PS\n<< /PageSize [14400 14400] >> setpagedevice\n"
                     "0 0 moveto 14400 14400 lineto 100 setlinewidth stroke showpage\n");
  PageFormat f;
  ASSERT_TRUE(Render(pdf, f).ok());
  ASSERT_EQ(pages_.size(), 1u);
  EXPECT_LE(pages_[0].width, std::lround(f.paper_width_in() * 204));
  EXPECT_LE(pages_[0].height, kMaxFaxPagesPerPdfPage * f.height_rows());
  // A very tall page keeps its width but is capped at kMaxFaxPagesPerPdfPage fax pages.
  auto tall = MakePdf("tall.pdf",
                      "%!PS\n<< /PageSize [595 14400] >> setpagedevice\n"
                      "0 0 moveto 595 14400 lineto stroke showpage\n");
  ASSERT_TRUE(Render(tall, f).ok());
  EXPECT_LE(pages_[0].height, kMaxFaxPagesPerPdfPage * f.height_rows() + 1);
  EXPECT_GE(pages_[0].height, kMaxFaxPagesPerPdfPage * f.height_rows() - 1);
}

TEST_F(RendererTest, TooManyPagesIsRefusedBeforeRendering) {
  auto pdf = MakePdf("three.pdf", TextPages(3));
  limits_.max_pages = 2;
  Status s = Render(pdf, PageFormat{});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "doc.pdf has 3 pages; faxgate sends at most 2 pages per document");
  EXPECT_TRUE(pages_.empty());
}

TEST_F(RendererTest, UnreadablePdfNamesTheFileAndMutoolsReason) {
  auto garbage = Write("garbage.pdf", "%PDF-1.4\nthis is not really a PDF\n");
  Status s = Render(garbage, PageFormat{});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("doc.pdf: cannot be read as PDF (mutool: "));
}

TEST_F(RendererTest, TruncatedPdfRendersWhatMutoolRecoversOrFailsCleanly) {
  auto pdf = MakePdf("text.pdf", TextPages(3));
  auto bytes = ReadFile(pdf);
  ASSERT_TRUE(bytes.ok());
  auto cut = Write("cut.pdf", bytes->substr(0, bytes->size() * 2 / 3));
  Status s = Render(cut, PageFormat{});
  if (!s.ok()) {
    EXPECT_THAT(s.error().message, HasSubstr("doc.pdf: cannot be read as PDF"));
  } else {
    EXPECT_GE(pages_.size(), 1u);
  }
}

TEST_F(RendererTest, PdfNeedingAPasswordSaysSo) {
  auto locked = MakePdf("locked.pdf", TextPages(1),
                        "-sOwnerPassword=owner -sUserPassword=user -dEncryptionR=3 "
                        "-dKeyLength=128");
  Status s = Render(locked, PageFormat{});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message,
            "doc.pdf is password-protected (encrypted PDF); remove the password and send it "
            "again");
  // Only an owner password (printing restricted): renders like any PDF.
  auto restricted = MakePdf("restricted.pdf", TextPages(1),
                            "-sOwnerPassword=owner -dEncryptionR=3 -dKeyLength=128");
  EXPECT_TRUE(Render(restricted, PageFormat{}).ok());
  EXPECT_EQ(pages_.size(), 1u);
}

TEST_F(RendererTest, TwentyTextPagesRenderQuickly) {
  auto pdf = MakePdf("text20.pdf", TextPages(20));
  auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(Render(pdf, PageFormat{}).ok());
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(pages_.size(), 20u);
  std::printf("[ timing ] mutool: 20 text pages at 204x196 in %.3f s (%.0f pages/s)\n", seconds,
              20 / seconds);
}

TEST_F(RendererTest, PostScriptPagesFillThePaper) {
  auto ps = Write("two.ps", TwoPageProgram());
  for (Paper paper : {Paper::kA4, Paper::kLetter}) {
    PageFormat f;
    f.paper = paper;
    pages_.clear();
    Status s = RenderPostScript(ps, "doc.ps", f, limits_, dir_, [this](GreyImage&& image) {
      pages_.push_back(std::move(image));
      return Status::Ok();
    });
    ASSERT_TRUE(s.ok()) << s.error().message;
    ASSERT_EQ(pages_.size(), 2u);
    for (const GreyImage& page : pages_) {
      EXPECT_NEAR(page.width, f.paper_width_in() * 204, 2);
      EXPECT_NEAR(page.height, f.paper_height_in() * f.y_dpi(), 2);
      EXPECT_EQ(page.y_dpi, f.y_dpi());
      EXPECT_GT(DarkPixels(page), 100);
    }
  }
}

TEST_F(RendererTest, EndlessPostScriptIsStoppedAtTheWallTimeLimit) {
  auto ps = Write("loop.ps", "%!PS\n{} loop\n");
  limits_.wall_time = 3s;
  auto started = std::chrono::steady_clock::now();
  Status s = RenderPostScript(ps, "loop.ps", PageFormat{}, limits_, dir_,
                              [](GreyImage&&) { return Status::Ok(); });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message,
            "loop.ps: the PostScript renderer took longer than 3 s and was stopped");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST_F(RendererTest, EndlessPostScriptIsStoppedAtTheCpuLimit) {
  auto ps = Write("loop.ps", "%!PS\n{} loop\n");
  limits_.cpu_seconds = 1;
  Status s = RenderPostScript(ps, "loop.ps", PageFormat{}, limits_, dir_,
                              [](GreyImage&&) { return Status::Ok(); });
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("loop.ps: the PostScript renderer exceeded its CPU"));
}

TEST_F(RendererTest, PostScriptPageCountIsLimitedWhileStreaming) {
  auto ps = Write("many.ps", "%!PS\n1 1 50 { pop showpage } for\n");
  limits_.max_pages = 3;
  int seen = 0;
  Status s = RenderPostScript(ps, "many.ps", PageFormat{}, limits_, dir_, [&](GreyImage&&) {
    ++seen;
    return Status::Ok();
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message,
            "many.ps has more than 3 pages; faxgate sends at most 3 pages per document");
  EXPECT_EQ(seen, 3);
}

TEST_F(RendererTest, BrokenPostScriptNamesGhostscriptsError) {
  auto ps = Write("bad.ps", "%!PS\nthisoperatordoesnotexist\n");
  Status s = RenderPostScript(ps, "bad.ps", PageFormat{}, limits_, dir_,
                              [](GreyImage&&) { return Status::Ok(); });
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("bad.ps: cannot be read as PostScript (gs: "));
}

}  // namespace
}  // namespace faxgate
