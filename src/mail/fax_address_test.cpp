// OffRamp recipients (RFC 3192 and what fax products accept): the number the dial plan gets,
// the sub-address, the options, and the refusals a sender reads in the SMTP reply.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mail/fax_address.h"

namespace faxgate::mail {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::StartsWith;

FaxAddress Parsed(std::string_view local) {
  auto a = ParseFaxLocalPart(local);
  EXPECT_TRUE(a.ok()) << local << ": " << a.error().message;
  return a.ok() ? *a : FaxAddress{};
}

std::string NumberOf(std::string_view local) { return Parsed(local).number; }

TEST(FaxAddressParserTest, Rfc3192AddressWithAnInternationalNumber) {
  const FaxAddress a = Parsed("FAX=+1-555-1234");
  EXPECT_EQ(a.number, "+1-555-1234");
  EXPECT_EQ(a.sub_address, "");
  EXPECT_THAT(a.options, IsEmpty());
}

TEST(FaxAddressParserTest, SelectorInAnyCaseAndDotsWrittenAsDashes) {
  EXPECT_EQ(NumberOf("fax=+86.755.83235170"), "+86-755-83235170");
  EXPECT_EQ(NumberOf("Fax=9.555.8354"), "9-555-8354");
  EXPECT_EQ(NumberOf("FAX=9--555..8354-"), "9-555-8354");
}

TEST(FaxAddressParserTest, Rfc2304SlashesAroundTheAddressAreOptional) {
  EXPECT_EQ(NumberOf("/FAX=123/"), "123");
  const FaxAddress a = Parsed("/FAX=9-555-8354/T33S=6789/");
  EXPECT_EQ(a.number, "9-555-8354");
  EXPECT_EQ(a.sub_address, "6789");
}

TEST(FaxAddressParserTest, PlainNumberAtAFaxDomainIsDialledAsWritten) {
  EXPECT_EQ(NumberOf("8001"), "8001");
  EXPECT_EQ(NumberOf("+8675583235170"), "+8675583235170");
  EXPECT_EQ(NumberOf("111-222-3333"), "111-222-3333");  // FaxFinder: a local number, no '+'
}

TEST(FaxAddressParserTest, SpacesOfAQuotedLocalPartAreDropped) {
  EXPECT_EQ(NumberOf("FAX=+1 555 1234"), "+15551234");
  EXPECT_EQ(NumberOf("FAX=+86 755-8323 5170"), "+86755-83235170");
}

TEST(FaxAddressParserTest, ExtensionsPausesAndKeypadSymbolsSurvive) {
  EXPECT_EQ(NumberOf("64802994E801"), "64802994E801");
  EXPECT_EQ(NumberOf("fax=64802994e801"), "64802994E801");
  EXPECT_EQ(NumberOf("FAX=64802994-E801"), "64802994E801");
  EXPECT_EQ(NumberOf("FAX=9p5551234"), "9P5551234");
  EXPECT_EQ(NumberOf("FAX=*21#5551234"), "*21#5551234");
  EXPECT_EQ(NumberOf("FAX=5551234E80#"), "5551234E80#");
}

TEST(FaxAddressParserTest, FortyDigitsIsTheLongestNumber) {
  EXPECT_EQ(NumberOf("FAX=" + std::string(40, '7')), std::string(40, '7'));
  EXPECT_EQ(NumberOf("FAX=" + std::string(35, '7') + "E12345"), std::string(35, '7') + "E12345");
}

TEST(FaxAddressParserTest, SubAddressAndFaxFinderOptions) {
  const FaxAddress a = Parsed(
      "FAX=111-222-3333/T33S=12/COVER-PAGE-ENABLED=true/receipt=failure/ATTN=John_Doe/"
      "FAX-PRIORITY=5/INLINE-COMMENTS=false");
  EXPECT_EQ(a.number, "111-222-3333");
  EXPECT_EQ(a.sub_address, "12");
  EXPECT_THAT(a.options, ElementsAre(Pair("ATTN", "John_Doe"), Pair("COVER-PAGE-ENABLED", "true"),
                                     Pair("FAX-PRIORITY", "5"), Pair("INLINE-COMMENTS", "false"),
                                     Pair("RECEIPT", "failure")));
}

TEST(FaxAddressParserTest, EfaxOptionsAfterAPlainNumberKeepTheirValuesAsWritten) {
  const FaxAddress a = Parsed("5551234/to=John_Doe/fr=Acme Ltd/cp=off");
  EXPECT_EQ(a.number, "5551234");
  EXPECT_THAT(a.options,
              ElementsAre(Pair("CP", "off"), Pair("FR", "Acme Ltd"), Pair("TO", "John_Doe")));
}

TEST(FaxAddressParserTest, EmptyOptionBetweenSlashesSaysNothing) {
  EXPECT_EQ(Parsed("FAX=123//T33S=4").sub_address, "4");
}

TEST(FaxAddressParserTest, EveryRefusalSaysWhatIsWrong) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"FAX=", "no fax number after FAX="},
      {"/FAX=/", "no fax number after FAX="},
      {"fax=+--", "no fax number after FAX="},
      {"", "there is no fax number in it"},
      {"alice", "'a' cannot be part of a fax number"},
      {"postmaster", "'o' cannot be part of a fax number"},
      {"peter", "'t' cannot be part of a fax number"},
      {"FAX=555-CALL-NOW", "'C' cannot be part of a fax number"},
      {"FAX=+86-755-传真", "'传' cannot be part of a fax number"},
      {"FAX=" + std::string(41, '1'), "a fax number has at most 40 digits; this one has 41"},
      {"FAX=1+2", "a '+' may only stand at the start of the number"},
      {"FAX=E801", "the extension marker 'E' must follow the number"},
      {"FAX=123E", "no extension digits after 'E'"},
      {"FAX=123E45E6", "after 'E' only the extension's digits may follow, not 'E'"},
      {"FAX=123E4P5", "after 'E' only the extension's digits may follow, not 'P'"},
      {"TEL=+1-555-1234", "\"TEL=\" is not a fax service selector; write FAX=<number>"},
      {"T33S=12/FAX=555", "the fax number must come first"},
      {"FAX=555/T33S=", "no sub-address after /T33S="},
      {"FAX=555/T33S=12a", "the sub-address after /T33S= must be digits"},
      {"FAX=555/T33S=" + std::string(21, '1'), "has more than 20 digits"},
      {"FAX=555/T33S=1/t33s=2", "the option T33S is given twice"},
      {"FAX=555/ATTN", "the option \"ATTN\" after the number is not KEY=VALUE"},
      {"FAX=555/=x", "the option \"=x\" after the number is not KEY=VALUE"},
      {"FAX=555/ATTN=a/attn=b", "the option ATTN is given twice"},
      {"FAX=555/FAX=666", "FAX= may come only once"},
      {"FAX=555/A B=1", "may only hold letters, digits, '-' and '_'"},
      {"FAX=555\r\n", "it has a control character"},
  };
  for (const auto& [local, why] : cases) {
    SCOPED_TRACE(local);
    auto a = ParseFaxLocalPart(local);
    ASSERT_FALSE(a.ok()) << "accepted as " << a->number;
    EXPECT_EQ(a.error().code, ErrorCode::kInvalidArgument);
    EXPECT_THAT(a.error().message, HasSubstr(why));
    if (local.find('\r') == std::string::npos) {
      EXPECT_THAT(a.error().message, StartsWith("\"" + local + "\" is not a fax address: "));
    }
  }
}

}  // namespace
}  // namespace faxgate::mail
