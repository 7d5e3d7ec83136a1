// RFC 3461 xtext as our client sends it and reads it back.
#include "mail/xtext.h"

#include <gtest/gtest.h>

namespace faxgate::mail {
namespace {

TEST(XtextTest, PrintableAsciiStaysAsItIs) {
  EXPECT_EQ(EncodeXtext("job-4711"), "job-4711");
  EXPECT_EQ(EncodeXtext("alice@fax.test"), "alice@fax.test");
  EXPECT_EQ(EncodeXtext("!~\"<>;"), "!~\"<>;");
}

TEST(XtextTest, PlusEqualsSpaceAndControlBytesBecomeUpperCaseHex) {
  EXPECT_EQ(EncodeXtext("job+4711 =x"), "job+2B4711+20+3Dx");
  EXPECT_EQ(EncodeXtext("a\r\nb\tc"), "a+0D+0Ab+09c");
  EXPECT_EQ(EncodeXtext(std::string("a\0b", 3)), "a+00b");
  EXPECT_EQ(EncodeXtext("\x7f"), "+7F");
}

TEST(XtextTest, EightBitBytesAreEncodedOneByOne) {
  EXPECT_EQ(EncodeXtext("传"), "+E4+BC+A0");  // UTF-8 E4 BC A0
  EXPECT_EQ(EncodeXtext("\xff"), "+FF");
}

TEST(XtextTest, DecodeUndoesEncodeForEveryByte) {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  const std::string encoded = EncodeXtext(all);
  for (char c : encoded) {
    EXPECT_TRUE(c >= '!' && c <= '~' && c != '=') << static_cast<int>(c);
  }
  auto decoded = DecodeXtext(encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, all);
}

TEST(XtextTest, DecodeReadsHexPairs) {
  EXPECT_EQ(DecodeXtext("job+2B4711+20+3Dx").value(), "job+4711 =x");
  EXPECT_EQ(DecodeXtext("").value(), "");
}

TEST(XtextTest, DecodeRefusesWhatNoEncoderWrites) {
  EXPECT_FALSE(DecodeXtext("a+2b").ok());  // lower-case hex
  EXPECT_FALSE(DecodeXtext("a+2").ok());   // cut short
  EXPECT_FALSE(DecodeXtext("+").ok());
  EXPECT_FALSE(DecodeXtext("a=b").ok());   // '=' must be +3D
  EXPECT_FALSE(DecodeXtext("a b").ok());   // space must be +20
  EXPECT_FALSE(DecodeXtext("\xe4").ok());
  EXPECT_NE(DecodeXtext("ab+G0").error().message.find("position 3"), std::string::npos);
}

}  // namespace
}  // namespace faxgate::mail
