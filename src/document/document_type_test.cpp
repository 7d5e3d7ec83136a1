#include "document/document_type.h"

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/files.h"

namespace faxgate {
namespace {

using ::testing::HasSubstr;

std::string Le16(uint16_t v) { return {static_cast<char>(v & 0xFF), static_cast<char>(v >> 8)}; }
std::string Le32(uint32_t v) { return Le16(v & 0xFFFF) + Le16(static_cast<uint16_t>(v >> 16)); }
void Put(std::string& s, size_t at, const std::string& bytes) {
  s.replace(at, bytes.size(), bytes);
}

// A minimal OLE2 compound file (512-byte sectors): sector 0 the FAT, sector 1 the directory
// (root plus up to 3 streams), then each stream padded to 4096 bytes so it lives in regular
// sectors.
std::string MakeOle(const std::map<std::string, std::string>& streams) {
  constexpr uint32_t kEnd = 0xFFFFFFFE, kFree = 0xFFFFFFFF;
  std::string header(512, '\0');
  Put(header, 0, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
  Put(header, 0x18, Le16(0x3E) + Le16(3) + Le16(0xFFFE) + Le16(9) + Le16(6));
  Put(header, 0x2C, Le32(1) + Le32(1));  // one FAT sector; directory starts at sector 1
  Put(header, 0x38, Le32(4096) + Le32(kEnd) + Le32(0) + Le32(kEnd) + Le32(0));
  for (int i = 0; i < 109; ++i) Put(header, 0x4C + 4 * i, Le32(i == 0 ? 0 : kFree));
  std::string fat(512, '\xFF');
  Put(fat, 0, Le32(0xFFFFFFFD) + Le32(kEnd));
  std::string dir(512, '\0');
  auto entry = [&](int index, const std::string& name, uint8_t type, uint32_t start,
                   uint32_t size) {
    std::string e(128, '\0');
    for (size_t i = 0; i < name.size(); ++i) Put(e, 2 * i, Le16(static_cast<uint8_t>(name[i])));
    Put(e, 0x40, Le16(static_cast<uint16_t>(2 * name.size() + 2)));
    e[0x42] = static_cast<char>(type);
    Put(e, 0x44, Le32(kFree) + Le32(kFree) + Le32(kFree));
    Put(e, 0x74, Le32(start) + Le32(size));
    Put(dir, 128 * index, e);
  };
  entry(0, "Root Entry", 5, kEnd, 0);
  std::string data;
  uint32_t sector = 2;
  int index = 1;
  for (const auto& [name, content] : streams) {
    std::string padded = content;
    padded.resize(std::max<size_t>(4096, (content.size() + 511) / 512 * 512), '\0');
    uint32_t count = static_cast<uint32_t>(padded.size() / 512);
    for (uint32_t i = 0; i < count; ++i) {
      Put(fat, 4 * (sector + i), Le32(i + 1 == count ? kEnd : sector + i + 1));
    }
    entry(index++, name, 2, sector, static_cast<uint32_t>(padded.size()));
    data += padded;
    sector += count;
  }
  return header + fat + dir + data;
}

std::string WordFib(bool encrypted) {
  std::string fib(64, '\0');
  Put(fib, 0, Le16(0xA5EC) + Le16(0xC1));
  Put(fib, 0x0A, Le16(encrypted ? 0x0100 : 0));
  return fib;
}

class DocumentTypeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("faxgate-doctype-" + RandomHex(6));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Runs Python code with `out` bound to an output path and returns the file it wrote.
  std::string Python(const std::string& code) {
    auto script = dir_ / "make.py";
    auto out = dir_ / ("out-" + RandomHex(4));
    EXPECT_TRUE(WriteFileAtomic(script, "import zipfile, sys\nout = sys.argv[1]\n" + code).ok());
    std::string command = "/usr/bin/python3 " + script.string() + " " + out.string();
    EXPECT_EQ(std::system(command.c_str()), 0);
    auto bytes = ReadFile(out);
    return bytes.ok() ? *bytes : "";
  }

  std::string Zip(const std::map<std::string, std::string>& entries) {
    std::string code = "with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:\n";
    for (const auto& [name, content] : entries) {
      code += "  z.writestr(" + Quote(name) + ", " + Quote(content) + ")\n";
    }
    return Python(code);
  }

  std::string Gs(const std::string& ps, const std::string& args) {
    auto in = dir_ / "in.ps";
    auto out = dir_ / ("gs-" + RandomHex(4));
    EXPECT_TRUE(WriteFileAtomic(in, ps).ok());
    std::string command =
        "gs -q -dSAFER -dBATCH -dNOPAUSE " + args + " -o " + out.string() + " " + in.string();
    EXPECT_EQ(std::system(command.c_str()), 0);
    auto bytes = ReadFile(out);
    return bytes.ok() ? *bytes : "";
  }

  static std::string Quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("\\'") : std::string(1, c);
    return q + "'";
  }

  static DocumentType Type(std::string_view content) { return ClassifyDocument(content).type; }

  std::filesystem::path dir_;
};

constexpr char kPage[] =
    "%!PS\n/Helvetica findfont 20 scalefont setfont 72 700 moveto (Hi) show showpage\n";

TEST(DocumentTypeNameTest, NamesRoundTrip) {
  for (int i = 0; i <= static_cast<int>(DocumentType::kUnknown); ++i) {
    const auto type = static_cast<DocumentType>(i);
    EXPECT_EQ(ParseDocumentType(ToString(type)), type) << ToString(type);
  }
  EXPECT_EQ(ParseDocumentType("exe"), DocumentType::kUnknown);
}

TEST_F(DocumentTypeTest, PdfAndPostScript) {
  std::string pdf = Gs(kPage, "-sDEVICE=pdfwrite");
  auto detected = DetectDocumentType(pdf, "a.pdf");
  ASSERT_TRUE(detected.ok());
  EXPECT_EQ(detected->type, DocumentType::kPdf);
  EXPECT_FALSE(detected->encrypted);
  EXPECT_EQ(Type("junk before\n%PDF-1.4\n"), DocumentType::kPdf);
  EXPECT_EQ(Type(kPage), DocumentType::kPostScript);
  EXPECT_EQ(Type(Gs(kPage, "-sDEVICE=ps2write")), DocumentType::kPostScript);
  EXPECT_EQ(Type("%!PS-Adobe-3.0 EPSF-3.0\n"), DocumentType::kPostScript);
  EXPECT_EQ(Type(std::string("\xC5\xD0\xD3\xC6\x20\0\0\0", 8)), DocumentType::kPostScript);
  EXPECT_EQ(Type("\x04%!PS\n"), DocumentType::kPostScript);
}

TEST_F(DocumentTypeTest, EncryptedPdfIsMarkedButLeftToTheRenderer) {
  std::string locked = Gs(kPage,
                          "-sDEVICE=pdfwrite -sOwnerPassword=o -sUserPassword=u "
                          "-dEncryptionR=3 -dKeyLength=128");
  auto detected = DetectDocumentType(locked, "locked.pdf");
  ASSERT_TRUE(detected.ok());
  EXPECT_EQ(detected->type, DocumentType::kPdf);
  EXPECT_TRUE(detected->encrypted);
  EXPECT_FALSE(ClassifyDocument("%PDF-1.5\n<< /EncryptMetadata false >>").encrypted);
}

TEST_F(DocumentTypeTest, Images) {
  using std::string;
  EXPECT_EQ(Type(string("II*\0\x08\0\0\0", 8)), DocumentType::kTiff);
  EXPECT_EQ(Type(string("MM\0*\0\0\0\x08", 8)), DocumentType::kTiff);
  EXPECT_EQ(Type(string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16)), DocumentType::kPng);
  EXPECT_EQ(Type(string("\xFF\xD8\xFF\xE0\0\x10JFIF", 10)), DocumentType::kJpeg);
  EXPECT_EQ(Type(string("GIF89a\x01\0\x01\0", 10)), DocumentType::kGif);
  EXPECT_EQ(Type("GIF87a"), DocumentType::kGif);
  std::string bmp = "BM" + Le32(70) + Le32(0) + Le32(54) + Le32(40) + string(50, '\0');
  EXPECT_EQ(Type(bmp), DocumentType::kBmp);
  EXPECT_EQ(Type("BMW is a car brand, not a bitmap"), DocumentType::kText);
  EXPECT_EQ(Type("P5\n2 2\n255\nabcd"), DocumentType::kPnm);
  EXPECT_EQ(Type("P1\n# comment\n1 1\n1\n"), DocumentType::kPnm);
  EXPECT_EQ(Type(string("RIFF\x24\0\0\0WEBPVP8 ", 16)), DocumentType::kWebp);
  EXPECT_EQ(Type("RIFF"), DocumentType::kText);
}

TEST_F(DocumentTypeTest, OfficeZips) {
  std::string types = "<Types/>";
  EXPECT_EQ(Type(Zip({{"[Content_Types].xml", types}, {"word/document.xml", "<w/>"}})),
            DocumentType::kDocx);
  EXPECT_EQ(Type(Zip({{"[Content_Types].xml", types}, {"xl/workbook.xml", "<x/>"}})),
            DocumentType::kXlsx);
  EXPECT_EQ(Type(Zip({{"[Content_Types].xml", types}, {"ppt/presentation.xml", "<p/>"}})),
            DocumentType::kPptx);
  std::string odt = Python(
      "with zipfile.ZipFile(out, 'w') as z:\n"
      "  z.writestr('mimetype', 'application/vnd.oasis.opendocument.text')\n"
      "  z.writestr('content.xml', '<x/>' * 100, zipfile.ZIP_DEFLATED)\n");
  EXPECT_EQ(Type(odt), DocumentType::kOdt);
  // The type is read from the stored mimetype even when the central directory is cut off.
  EXPECT_EQ(Type(odt.substr(0, 120)), DocumentType::kOdt);
  std::string ods = Python(
      "with zipfile.ZipFile(out, 'w') as z:\n"
      "  z.writestr('mimetype', 'application/vnd.oasis.opendocument.spreadsheet')\n");
  EXPECT_EQ(Type(ods), DocumentType::kOds);
  auto plain = DetectDocumentType(Zip({{"photo.jpg", "x"}}), "photos.zip");
  ASSERT_FALSE(plain.ok());
  EXPECT_THAT(plain.error().message, HasSubstr("photos.zip: ZIP archive that is not an Office"));
}

TEST_F(DocumentTypeTest, ZipEntryWithEncryptionFlagIsPasswordProtected) {
  std::string docx = Zip({{"[Content_Types].xml", "<Types/>"}, {"word/document.xml", "<w/>"}});
  for (size_t at = docx.find("PK\1\2"); at != std::string::npos; at = docx.find("PK\1\2", at + 1)) {
    docx[at + 8] |= 1;
  }
  auto detected = DetectDocumentType(docx, "report.docx");
  ASSERT_FALSE(detected.ok());
  EXPECT_EQ(detected.error().message,
            "report.docx is password-protected (Word document); remove the password and send "
            "it again");
}

TEST_F(DocumentTypeTest, OleCompoundFiles) {
  EXPECT_EQ(Type(MakeOle({{"WordDocument", WordFib(false)}, {"1Table", "t"}})),
            DocumentType::kWordBinary);
  EXPECT_EQ(Type(MakeOle({{"Workbook", Le16(0x0809) + Le16(0)}})), DocumentType::kExcelBinary);
  EXPECT_EQ(Type(MakeOle({{"Book", "x"}})), DocumentType::kExcelBinary);
  EXPECT_EQ(Type(MakeOle({{"PowerPoint Document", "x"}, {"Current User", "u"}})),
            DocumentType::kPowerPointBinary);
  auto other = DetectDocumentType(MakeOle({{"Contents", "x"}}), "x.msg");
  EXPECT_FALSE(other.ok());
}

TEST_F(DocumentTypeTest, EncryptedOfficeFilesAreRefusedWithTheirKind) {
  auto word = DetectDocumentType(MakeOle({{"WordDocument", WordFib(true)}}), "a.doc");
  ASSERT_FALSE(word.ok());
  EXPECT_EQ(word.error().message,
            "a.doc is password-protected (encrypted Word document); remove the password and "
            "send it again");
  auto excel = ClassifyDocument(
      MakeOle({{"Workbook", Le16(0x0809) + Le16(4) + "abcd" + Le16(0x002F) + Le16(2) + "xx"}}));
  EXPECT_EQ(excel.type, DocumentType::kExcelBinary);
  EXPECT_TRUE(excel.encrypted);
  auto ooxml = ClassifyDocument(MakeOle({{"EncryptionInfo", "i"}, {"EncryptedPackage", "p"}}));
  EXPECT_TRUE(ooxml.encrypted);
  EXPECT_FALSE(
      DetectDocumentType(MakeOle({{"EncryptionInfo", "i"}, {"EncryptedPackage", "p"}}), "b.docx")
          .ok());
}

TEST_F(DocumentTypeTest, WriteRtfHtmlAndText) {
  EXPECT_EQ(Type(std::string("\x31\xBE\0\0\0\xAB\0\0\0\0", 10) + std::string(118, '\0')),
            DocumentType::kWrite);
  EXPECT_EQ(Type("{\\rtf1\\ansi Hello}"), DocumentType::kRtf);
  EXPECT_EQ(Type("\xEF\xBB\xBF  <!DOCTYPE HTML><html>"), DocumentType::kHtml);
  EXPECT_EQ(Type("\n<HTML><body>x</body></HTML>"), DocumentType::kHtml);
  EXPECT_EQ(Type("<table><tr><td>1</td></tr></table>"), DocumentType::kHtml);
  EXPECT_EQ(Type("<!-- saved --><html>"), DocumentType::kHtml);
  EXPECT_EQ(Type("Dear Sir,\r\nplease find \x1b attached.\n"), DocumentType::kText);
  EXPECT_EQ(Type("你好，世界\n"), DocumentType::kText);
  EXPECT_EQ(Type("\xC4\xE3\xBA\xC3\n"), DocumentType::kText);  // GB18030
  EXPECT_EQ(Type(std::string("\xFF\xFEH\0i\0", 6)), DocumentType::kText);
  EXPECT_EQ(Type(std::string("H\0e\0l\0l\0o\0\n\0", 12)), DocumentType::kText);
  EXPECT_EQ(Type(std::string("\0H\0e\0l\0l\0o\0\n", 12)), DocumentType::kText);
}

TEST_F(DocumentTypeTest, UnknownAndEmptyFilesAreExplained) {
  auto elf = DetectDocumentType(std::string("\x7f"
                                            "ELF\2\1\1\0\0\0\0\0",
                                            12),
                                "virus.exe");
  ASSERT_FALSE(elf.ok());
  EXPECT_EQ(elf.error().message,
            "virus.exe: unknown file type (starts with bytes 7f 45 4c 46 02 01 01 00 …); faxgate "
            "converts PDF, PostScript, images, text, HTML and Office documents");
  auto empty = DetectDocumentType("", "empty.txt");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().message, "empty.txt is empty");
  EXPECT_FALSE(DetectDocumentType(std::string("ab\0\1\2\3cd\5\6\7", 11), "x").ok());
}

TEST_F(DocumentTypeTest, TruncationsOfEveryKindNeverCrash) {
  std::vector<std::string> samples = {
      Gs(kPage, "-sDEVICE=pdfwrite"),
      Zip({{"[Content_Types].xml", "<Types/>"}, {"word/document.xml", "<w/>"}}),
      MakeOle({{"WordDocument", WordFib(true)}, {"Workbook", "x"}}),
  };
  for (const std::string& sample : samples) {
    for (size_t n = 0; n <= sample.size(); n += 7) {
      (void)ClassifyDocument(std::string_view(sample).substr(0, n));
      (void)CheckArchiveLimits(std::string_view(sample).substr(0, n), "x", 1 << 20);
    }
  }
}

TEST_F(DocumentTypeTest, ArchiveLimitsRefuseZipBombs) {
  std::string docx = Zip({{"[Content_Types].xml", "<Types/>"}, {"word/document.xml", "<w/>"}});
  EXPECT_TRUE(CheckArchiveLimits(docx, "ok.docx", int64_t{1} << 30).ok());
  EXPECT_TRUE(CheckArchiveLimits("%PDF-1.4", "not-a-zip.pdf", 1).ok());

  std::string bomb = Python(
      "with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:\n"
      "  z.writestr('[Content_Types].xml', '<Types/>')\n"
      "  z.writestr('word/document.xml', b'\\0' * (20 << 20))\n");
  ASSERT_LT(bomb.size(), 100'000u);
  Status ratio = CheckArchiveLimits(bomb, "bomb.docx", int64_t{1} << 30);
  ASSERT_FALSE(ratio.ok());
  EXPECT_THAT(ratio.error().message,
              HasSubstr("bomb.docx: the file is compressed more than 200:1"));

  Status total = CheckArchiveLimits(bomb, "bomb.docx", 1 << 20);
  ASSERT_FALSE(total.ok());
  EXPECT_EQ(total.error().message,
            "bomb.docx: the file unpacks to more than 1 MB; faxgate refuses it");

  std::string many = Python(
      "with zipfile.ZipFile(out, 'w') as z:\n"
      "  for i in range(10001): z.writestr('p%d' % i, '')\n");
  Status entries = CheckArchiveLimits(many, "many.docx", int64_t{1} << 30);
  ASSERT_FALSE(entries.ok());
  EXPECT_THAT(entries.error().message, HasSubstr("10001 parts"));
}

TEST(DocumentTypeNames, EveryTypeHasAName) {
  EXPECT_EQ(ToString(DocumentType::kWordBinary), "doc");
  EXPECT_EQ(ToString(DocumentType::kWrite), "wri");
  EXPECT_EQ(ToString(DocumentType::kUnknown), "unknown");
}

}  // namespace
}  // namespace faxgate
