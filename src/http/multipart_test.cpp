#include "http/multipart.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "http/header_value.h"

namespace faxgate::http {
namespace {

using ::testing::HasSubstr;
using namespace std::string_literals;

constexpr std::string_view kType = "multipart/form-data; boundary=XyZ";

// Bodies are written with '\n' for readability and sent with CRLF, as on the wire.
std::string Crlf(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n')
      out += "\r\n";
    else
      out.push_back(c);
  }
  return out;
}

std::string ErrorOf(std::string_view body, std::string_view type = kType) {
  auto parts = ParseMultipart(body, type);
  EXPECT_FALSE(parts.ok());
  return parts.ok() ? "" : parts.error().message;
}

TEST(MultipartTest, FieldsAndFilesAsABrowserSendsThem) {
  auto parts = ParseMultipart(Crlf("--XyZ\n"
                                   "Content-Disposition: form-data; name=\"to\"\n"
                                   "\n"
                                   "+86-755-83235170\n"
                                   "--XyZ\n"
                                   "content-disposition: form-data; name=\"file\"; "
                                   "filename=\"a b.pdf\"\n"
                                   "Content-Type: application/pdf\n"
                                   "\n"
                                   "%PDF-1.4\n"
                                   "--XyZ--\n"),
                              kType);
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0], (FormPart{"to", "", "", "+86-755-83235170"}));
  EXPECT_EQ((*parts)[1], (FormPart{"file", "a b.pdf", "application/pdf", "%PDF-1.4"}));
}

TEST(MultipartTest, QuotedBoundaryWithSpecialCharacters) {
  std::string body = Crlf("--a:b=c d\nContent-Disposition: form-data; name=x\n\n1\n--a:b=c d--");
  auto parts = ParseMultipart(body, "Multipart/Form-Data; charset=utf-8; boundary=\"a:b=c d\"");
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].name, "x");
  EXPECT_EQ((*parts)[0].data, "1");
}

TEST(MultipartTest, Rfc5987FilenameWinsOverThePlainOne) {
  auto parts = ParseMultipart(Crlf("--XyZ\n"
                                   "Content-Disposition: form-data; name=\"f\"; "
                                   "filename=\"EUR rates.txt\"; "
                                   "filename*=UTF-8''%E2%82%AC%20rates.txt\n"
                                   "\n"
                                   "x\n"
                                   "--XyZ--"),
                              kType);
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  EXPECT_EQ((*parts)[0].filename, "\xE2\x82\xAC rates.txt");
}

TEST(MultipartTest, Latin1ExtendedFilenameBecomesUtf8) {
  EXPECT_EQ(*DecodeExtValue("iso-8859-1'de'Gr%FC%DFe.pdf"),
            "Gr\xC3\xBC\xC3\x9F"
            "e.pdf");
  EXPECT_FALSE(DecodeExtValue("koi8-r''x").ok());
  EXPECT_FALSE(DecodeExtValue("no-quotes").ok());
}

TEST(MultipartTest, PreambleAndEpilogueAreIgnored) {
  auto parts = ParseMultipart(Crlf("This is a preamble mentioning --XyZ mid-line.\n"
                                   "--XyZ\n"
                                   "Content-Disposition: form-data; name=\"a\"\n"
                                   "\n"
                                   "1\n"
                                   "--XyZ--\n"
                                   "epilogue\n--XyZ\nmore"),
                              kType);
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].data, "1");
}

TEST(MultipartTest, DataMayContainCrlfAndBoundaryLookalikes) {
  std::string data = "line1\r\n--XyZZ\r\n--XyZ is not alone\r\n\0\r\n"s;
  std::string body = "--XyZ\r\nContent-Disposition: form-data; name=\"bin\"\r\n\r\n" + data +
                     "\r\n--XyZ  \r\n" +  // transport padding after a boundary is allowed
                     "Content-Disposition: form-data; name=\"empty\"\r\n\r\n\r\n--XyZ--";
  auto parts = ParseMultipart(body, kType);
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].data, data);
  EXPECT_EQ((*parts)[1].data, "");
}

// Found by http_multipart_fuzz: a blank folded line gave the value a trailing space that
// BuildMultipart could not reproduce.
TEST(MultipartTest, FoldedHeaderLinesJoinWithoutStrayWhitespace) {
  auto parts = ParseMultipart(Crlf("--XyZ\n"
                                   "Content-Disposition: form-data; name=\"file\";\n"
                                   "  filename=\"a.tif\"\n"
                                   "Content-Type: image/tiff\n"
                                   " \n"
                                   "\n"
                                   "II*\n"
                                   "--XyZ--\n"),
                              kType);
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0], (FormPart{"file", "a.tif", "image/tiff", "II*"}));
}

TEST(MultipartTest, MissingFinalBoundaryIsAnError) {
  EXPECT_THAT(ErrorOf(Crlf("--XyZ\nContent-Disposition: form-data; name=\"a\"\n\n12345")),
              HasSubstr("part 1 is not closed by a boundary"));
  EXPECT_THAT(ErrorOf(Crlf("--XyZ\nContent-Disposition: form-data; name=\"a\"\n\n1\n--XyZ\n")),
              HasSubstr("part 2 is not closed"));
}

TEST(MultipartTest, PartWithoutContentDispositionIsAnError) {
  EXPECT_THAT(ErrorOf(Crlf("--XyZ\nContent-Type: text/plain\n\nhi\n--XyZ--")),
              HasSubstr("part 1 has no Content-Disposition"));
  EXPECT_THAT(ErrorOf(Crlf("--XyZ\n\nhi\n--XyZ--")), HasSubstr("no Content-Disposition"));
  EXPECT_THAT(ErrorOf(Crlf("--XyZ\nContent-Disposition: form-data\n\nhi\n--XyZ--")),
              HasSubstr("no name"));
  EXPECT_THAT(ErrorOf(Crlf("--XyZ\nContent-Disposition: attachment; name=a\n\nhi\n--XyZ--")),
              HasSubstr("not form-data"));
}

TEST(MultipartTest, ContentTypeProblemsAreNamed) {
  EXPECT_THAT(ErrorOf("", "application/json"), HasSubstr("expected Content-Type multipart"));
  EXPECT_THAT(ErrorOf("", "multipart/form-data"), HasSubstr("no boundary parameter"));
  EXPECT_THAT(ErrorOf("", "multipart/form-data; boundary=\"open"), HasSubstr("closing quote"));
  EXPECT_THAT(ErrorOf("", "multipart/form-data; boundary=" + std::string(71, 'b')),
              HasSubstr("longer than 70"));
  EXPECT_THAT(ErrorOf("no delimiter here"), HasSubstr("no boundary line"));
}

TEST(MultipartTest, TooManyPartsIsAnError) {
  std::string body;
  for (size_t i = 0; i <= kMaxFormParts; ++i) {
    body += "--XyZ\r\nContent-Disposition: form-data; name=p\r\n\r\nx\r\n";
  }
  body += "--XyZ--";
  EXPECT_THAT(ErrorOf(body), HasSubstr("more than 1000 parts"));
}

TEST(MultipartTest, BuildThenParseRoundTripsAwkwardNamesAndBytes) {
  std::vector<FormPart> parts = {
      {"field", "", "", "plain value"},
      {"q\"uo\\te", "C:\\dir\\\"x\".tif", "image/tiff", std::string("II*\0\r\n--", 8)},
      {"doc", "\xE2\x82\xAC\r\nnew.pdf", "application/pdf", "\r\n\r\n"},
      {"empty", "e.txt", "", ""},
  };
  std::string boundary = NewBoundary(parts);
  auto parsed = ParseMultipart(BuildMultipart(parts, boundary), MultipartContentType(boundary));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, parts);
}

TEST(HeaderValueTest, ParsesParametersAndQuotedStrings) {
  auto v = ParseHeaderValue("Form-Data ; NAME=\"a\\\"b;c\" ;; x=1 ;");
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(v->value, "form-data");
  EXPECT_EQ(v->Param("name"), "a\"b;c");
  EXPECT_EQ(v->Param("x"), "1");
  EXPECT_FALSE(v->Param("y").has_value());
  EXPECT_FALSE(ParseHeaderValue("form-data; name").ok());
  EXPECT_FALSE(ParseHeaderValue("form-data; name=\"a\" junk").ok());
}

}  // namespace
}  // namespace faxgate::http
