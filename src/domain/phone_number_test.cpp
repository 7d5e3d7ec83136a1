#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "domain/phone_number.h"

namespace faxgate {
namespace {

using enum CallClass;

// Shenzhen, China: the plan the requirements' examples are written for.
DialPlan China() { return DialPlan{}; }

// Vancouver, North America: a one-digit country code whose long-distance prefix is "1" too.
DialPlan Nanp() {
  return DialPlan{.country_code = "1",
                  .area_code = "604",
                  .long_distance_prefix = "1",
                  .international_prefix = "011",
                  .extension_separator = 'E'};
}

// Hong Kong: no area codes and no long-distance prefix.
DialPlan HongKong() {
  return DialPlan{.country_code = "852",
                  .area_code = "",
                  .long_distance_prefix = "",
                  .international_prefix = "001",
                  .extension_separator = 'E'};
}

struct Row {
  std::string input;
  std::string canonical;
  std::string dial;
  std::string extension;
  CallClass call_class;
  std::string display;
};

void ExpectParsed(const DialPlan& plan, const std::vector<Row>& rows) {
  for (const Row& row : rows) {
    SCOPED_TRACE("input: " + row.input);
    auto n = ParsePhoneNumber(row.input, plan);
    ASSERT_TRUE(n.ok()) << n.error().message;
    EXPECT_EQ(n->input, row.input);
    EXPECT_EQ(n->canonical, row.canonical);
    EXPECT_EQ(n->dial_string, row.dial);
    EXPECT_EQ(n->extension, row.extension);
    EXPECT_EQ(ToString(n->call_class), ToString(row.call_class));
    EXPECT_EQ(n->display, row.display);
  }
}

TEST(PhoneNumberTest, ExtensionFollowsTheSeparator) {
  const std::vector<Row> rows = {
      {"64802994E801", "+8675564802994", "64802994", "801", kLocal, "+86 755 64802994 ext. 801"},
      {"64802994e801", "+8675564802994", "64802994", "801", kLocal, "+86 755 64802994 ext. 801"},
      {"64802994 E 8-0-1", "+8675564802994", "64802994", "801", kLocal,
       "+86 755 64802994 ext. 801"},
      {"86-755-83235170E12", "+8675583235170", "83235170", "12", kLocal,
       "+86 755 83235170 ext. 12"},
      {"+1 604 555 7977 E 55*#", "+16045557977", "0016045557977", "55*#", kInternational,
       "+1 6045557977 ext. 55*#"},
      {"83235170E1234567890", "+8675583235170", "83235170", "1234567890", kLocal,
       "+86 755 83235170 ext. 1234567890"},
  };
  ExpectParsed(China(), rows);
}

TEST(PhoneNumberTest, ExtensionMayBeWrittenAsTheDisplayFormDoes) {
  const std::vector<Row> rows = {
      {"+86 755 83235170 ext. 801", "+8675583235170", "83235170", "801", kLocal,
       "+86 755 83235170 ext. 801"},
      {"83235170 Ext 9", "+8675583235170", "83235170", "9", kLocal, "+86 755 83235170 ext. 9"},
  };
  ExpectParsed(China(), rows);
}

TEST(PhoneNumberTest, PlusNumbersAreE164) {
  const std::vector<Row> rows = {
      {"+1 604 555 7977", "+16045557977", "0016045557977", "", kInternational, "+1 6045557977"},
      {"(+1) 604-555-7977", "+16045557977", "0016045557977", "", kInternational, "+1 6045557977"},
      {"+7 495 123 4567", "+74951234567", "0074951234567", "", kInternational, "+7 4951234567"},
      {"+358 9 123456", "+3589123456", "003589123456", "", kInternational, "+358 9123456"},
      {"+852-9999-9999", "+85299999999", "0085299999999", "", kInternational, "+852 99999999"},
      {"+44 (0)20 7946 0000", "+442079460000", "00442079460000", "", kInternational,
       "+44 2079460000"},
  };
  ExpectParsed(China(), rows);
}

TEST(PhoneNumberTest, PlusNumbersInTheLocalCountryAreDialledNationally) {
  const std::vector<Row> rows = {
      {"+86 755 8323 5170", "+8675583235170", "83235170", "", kLocal, "+86 755 83235170"},
      {"+86 (0)755 83235170", "+8675583235170", "83235170", "", kLocal, "+86 755 83235170"},
      {"+86 0755 83235170", "+8675583235170", "83235170", "", kLocal, "+86 755 83235170"},
      {"+86 10 1234 5678", "+861012345678", "01012345678", "", kDomestic, "+86 1012345678"},
  };
  ExpectParsed(China(), rows);
}

TEST(PhoneNumberTest, CountryAreaNumber) {
  const std::vector<Row> rows = {
      {"86-755-83235170", "+8675583235170", "83235170", "", kLocal, "+86 755 83235170"},
      {"86-0755-83235170", "+8675583235170", "83235170", "", kLocal, "+86 755 83235170"},
      {"0086-755-83235170", "+8675583235170", "83235170", "", kLocal, "+86 755 83235170"},
      {"86-10-12345678", "+861012345678", "01012345678", "", kDomestic, "+86 10 12345678"},
      {"1-604-5557977", "+16045557977", "0016045557977", "", kInternational, "+1 604 5557977"},
      {"44-(0)20-79460000", "+442079460000", "00442079460000", "", kInternational,
       "+44 20 79460000"},
  };
  ExpectParsed(China(), rows);
}

TEST(PhoneNumberTest, AreaZeroMeansNoAreaCode) {
  const std::vector<Row> rows = {
      {"852-0-999999", "+852999999", "00852999999", "", kInternational, "+852 999999"},
      {"852-(0)-999999", "+852999999", "00852999999", "", kInternational, "+852 999999"},
      // In the local country the national number is judged as if written "+86 ...".
      {"86-0-13812345678", "+8613812345678", "013812345678", "", kDomestic, "+86 13812345678"},
      {"86-0-75583235170", "+8675583235170", "83235170", "", kLocal, "+86 755 83235170"},
      {"0-13812345678", "+8613812345678", "013812345678", "", kDomestic, "+86 13812345678"},
  };
  ExpectParsed(China(), rows);
}

TEST(PhoneNumberTest, InternalNumbers) {
  const std::vector<Row> rows = {
      {"0-0-123", "123", "123", "", kInternal, "internal 123"},
      {"0 - 0 - 8001", "8001", "8001", "", kInternal, "internal 8001"},
      {"0-0-1", "1", "1", "", kInternal, "internal 1"},
  };
  ExpectParsed(China(), rows);
}

TEST(PhoneNumberTest, AreaNumber) {
  const std::vector<Row> rows = {
      {"755-83235170", "+8675583235170", "83235170", "", kLocal, "+86 755 83235170"},
      {"0755-83235170", "+8675583235170", "83235170", "", kLocal, "+86 755 83235170"},
      {"10-12345678", "+861012345678", "01012345678", "", kDomestic, "+86 10 12345678"},
      {"010-12345678", "+861012345678", "01012345678", "", kDomestic, "+86 10 12345678"},
  };
  ExpectParsed(China(), rows);
}

TEST(PhoneNumberTest, OneGroupOfDigits) {
  const std::vector<Row> rows = {
      {"83235170", "+8675583235170", "83235170", "", kLocal, "+86 755 83235170"},
      {"8323 5170", "+8675583235170", "83235170", "", kLocal, "+86 755 83235170"},
      {"8323.5170", "+8675583235170", "83235170", "", kLocal, "+86 755 83235170"},
      {"8001", "+867558001", "8001", "", kLocal, "+86 755 8001"},
      {"075583235170", "+8675583235170", "83235170", "", kLocal, "+86 755 83235170"},
      {"(0755) 8323 5170", "+8675583235170", "83235170", "", kLocal, "+86 755 83235170"},
      {"01012345678", "+861012345678", "01012345678", "", kDomestic, "+86 1012345678"},
      {"0016045557977", "+16045557977", "0016045557977", "", kInternational, "+1 6045557977"},
      {"001 604 555 7977", "+16045557977", "0016045557977", "", kInternational, "+1 6045557977"},
      {"0086 755 83235170", "+8675583235170", "83235170", "", kLocal, "+86 755 83235170"},
      {"0086 10 12345678", "+861012345678", "01012345678", "", kDomestic, "+86 1012345678"},
  };
  ExpectParsed(China(), rows);
}

TEST(PhoneNumberTest, NorthAmericanPlan) {
  const std::vector<Row> rows = {
      {"555 7977", "+16045557977", "5557977", "", kLocal, "+1 604 5557977"},
      {"5557977E12", "+16045557977", "5557977", "12", kLocal, "+1 604 5557977 ext. 12"},
      {"16045557977", "+16045557977", "5557977", "", kLocal, "+1 604 5557977"},
      {"+1 604 555 7977", "+16045557977", "5557977", "", kLocal, "+1 604 5557977"},
      {"212-5551234", "+12125551234", "12125551234", "", kDomestic, "+1 212 5551234"},
      {"1-212-5551234", "+12125551234", "12125551234", "", kDomestic, "+1 212 5551234"},
      {"12125551234", "+12125551234", "12125551234", "", kDomestic, "+1 2125551234"},
      {"+1 (212) 555-1234", "+12125551234", "12125551234", "", kDomestic, "+1 2125551234"},
      {"011 44 20 7946 0000", "+442079460000", "011442079460000", "", kInternational,
       "+44 2079460000"},
      {"+86 755 83235170", "+8675583235170", "0118675583235170", "", kInternational,
       "+86 75583235170"},
      {"86-755-83235170", "+8675583235170", "0118675583235170", "", kInternational,
       "+86 755 83235170"},
      {"0-0-123", "123", "123", "", kInternal, "internal 123"},
  };
  ExpectParsed(Nanp(), rows);
}

TEST(PhoneNumberTest, PlanWithoutAreaCodes) {
  const std::vector<Row> rows = {
      {"9999 9999", "+85299999999", "99999999", "", kLocal, "+852 99999999"},
      {"+852 9999 9999", "+85299999999", "99999999", "", kLocal, "+852 99999999"},
      {"001 86 755 83235170", "+8675583235170", "0018675583235170", "", kInternational,
       "+86 75583235170"},
      {"86-755-83235170", "+8675583235170", "0018675583235170", "", kInternational,
       "+86 755 83235170"},
  };
  ExpectParsed(HongKong(), rows);
}

// A displayed number (outbox, address book) pasted back in names the same call.
TEST(PhoneNumberTest, DisplayFormParsesBackToTheSameCall) {
  for (const DialPlan& plan : {China(), Nanp(), HongKong()}) {
    for (std::string input : {"64802994E801", "86-10-12345678", "852-0-999999", "0755-83235170",
                              "+1 604 555 7977 E 9#", "01012345678", "44-(0)20-79460000"}) {
      SCOPED_TRACE(plan.country_code + ": " + input);
      auto first = ParsePhoneNumber(input, plan);
      ASSERT_TRUE(first.ok()) << first.error().message;
      auto again = ParsePhoneNumber(first->display, plan);
      ASSERT_TRUE(again.ok()) << again.error().message;
      EXPECT_EQ(again->canonical, first->canonical);
      EXPECT_EQ(again->dial_string, first->dial_string);
      EXPECT_EQ(again->extension, first->extension);
      EXPECT_EQ(again->call_class, first->call_class);
    }
  }
}

struct Refusal {
  std::string input;
  std::string why;  // a part of the message after the quoted input
};

void ExpectRefused(const DialPlan& plan, const std::vector<Refusal>& rows) {
  for (const Refusal& row : rows) {
    SCOPED_TRACE("input: " + row.input);
    auto n = ParsePhoneNumber(row.input, plan);
    ASSERT_FALSE(n.ok()) << "parsed as " << n->canonical << ", dial " << n->dial_string;
    EXPECT_EQ(n.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(n.error().message.rfind("\"" + row.input + "\" is not a fax number: ", 0), 0u)
        << n.error().message;
    EXPECT_NE(n.error().message.find(row.why), std::string::npos) << n.error().message;
  }
}

TEST(PhoneNumberTest, RefusesWhatIsNotANumber) {
  EXPECT_EQ(ParsePhoneNumber("12a45", China()).error().message,
            "\"12a45\" is not a fax number: only digits, spaces, dashes, '+' and the extension "
            "separator 'E' may be used");
  const std::vector<Refusal> rows = {
      {"", "it is empty"},
      {"   ", "it is empty"},
      {"()", "it has no digits"},
      {"8323/5170", "only digits, spaces, dashes, '+' and the extension separator 'E'"},
      {"83235170, 83235180", "only digits"},
      {"+1 604 +555", "more than one '+'"},
      {"604+5557977", "a '+' may only stand at the start"},
      {"1-2-3-4", "it has 4 parts separated by dashes"},
      {"86--123", "a dash must stand between two groups of digits"},
      {"-83235170", "a dash must stand between"},
      {"83235170-", "a dash must stand between"},
  };
  ExpectRefused(China(), rows);
}

TEST(PhoneNumberTest, RefusesNumbersOfTheWrongLength) {
  const std::vector<Refusal> rows = {
      {"12", "the subscriber number '12' is shorter than 3 digits"},
      {"755-12", "'12' is shorter than 3 digits"},
      {"+44 12", "'12' is shorter than 3 digits"},
      {"+86 755 12", "'12' is shorter than 3 digits"},
      {"+1234 5678 9012 3456", "it has 16 digits after '+'; a phone number has at most 15"},
      {"86-755-123456789012", "it has 17 digits with the country code"},
      {"1234567890123456789012345678901234567890", "it has 40 digits"},
  };
  ExpectRefused(China(), rows);
}

TEST(PhoneNumberTest, RefusesBadCountryCodes) {
  const std::vector<Refusal> rows = {
      {"+", "no country code follows '+'"},
      {"+0 123 456", "no country code starts with 0"},
      {"+85", "85 is not a whole country code"},
      {"+86", "no number follows the country code 86"},
      {"00", "no country code follows the international prefix 00"},
      {"12-755-83235170", "12 is not a country code"},
      {"8612-755-83235170", "8612 is not a country code"},
      {"0-5-123", "country code 0 is only for internal numbers"},
      {"0-0-12a", "only digits"},
      {"0-0-1*2", "only digits"},
  };
  ExpectRefused(China(), rows);
}

TEST(PhoneNumberTest, RefusesBadExtensions) {
  const std::vector<Refusal> rows = {
      {"64802994E", "nothing follows the extension separator 'E'"},
      {"64802994E  ", "nothing follows the extension separator 'E'"},
      {"64802994E80E1", "more than one extension separator 'E'"},
      {"64802994 ext 80E1", "more than one extension separator 'E'"},
      {"64802994E8/1", "may only contain digits, '*' and '#'"},
      {"64802994E12345678901", "the extension has 11 characters; at most 10"},
      {"E801", "no number comes before the extension separator 'E'"},
      {"0-0-123E5", "an internal number cannot have an extension"},
  };
  ExpectRefused(China(), rows);
}

// A number the exchange would read as a different call than its class says would let a user
// with local rights call abroad.
TEST(PhoneNumberTest, RefusesNumbersThatWouldDialAnotherCall) {
  const std::vector<Refusal> china = {
      {"755-00852999", "00852999 starts with the international prefix 00"},
      {"755-0201234567", "0201234567 starts with the long-distance prefix 0"},
      {"00852-999999", "starts with the long-distance prefix 0"},
      {"86-00755-83235170", "starts with the long-distance prefix 0"},
      {"+86 00 852 999999", "starts with the long-distance prefix 0"},
  };
  ExpectRefused(China(), china);
  const std::vector<Refusal> nanp = {
      {"604-011442079", "starts with the international prefix 011"},
      {"1604-1555123", "starts with the long-distance prefix 1"},
      {"11604555123", "starts with the long-distance prefix 1"},
  };
  ExpectRefused(Nanp(), nanp);
}

TEST(PhoneNumberTest, MessagesShowOnlyPrintableText) {
  auto control = ParsePhoneNumber(std::string("8323\x01") + "5170", China());
  ASSERT_FALSE(control.ok());
  EXPECT_NE(control.error().message.find("\"8323\\x015170\""), std::string::npos)
      << control.error().message;

  auto broken_utf8 = ParsePhoneNumber("8323\xff\xfe", China());
  ASSERT_FALSE(broken_utf8.ok());
  EXPECT_NE(broken_utf8.error().message.find("\"8323\\xFF\\xFE\""), std::string::npos)
      << broken_utf8.error().message;

  auto cjk = ParsePhoneNumber("电话 83235170", China());
  ASSERT_FALSE(cjk.ok());
  EXPECT_NE(cjk.error().message.find("\"电话 83235170\""), std::string::npos);

  auto long_text = ParsePhoneNumber(std::string(1000, 'x'), China());
  ASSERT_FALSE(long_text.ok());
  EXPECT_NE(long_text.error().message.find("\"" + std::string(40, 'x') + "...\""),
            std::string::npos);
  EXPECT_LT(long_text.error().message.size(), 200u);
}

TEST(PhoneNumberTest, SeparatorIsConfigurable) {
  DialPlan plan = China();
  plan.extension_separator = '#';
  const std::vector<Row> rows = {
      {"64802994#801", "+8675564802994", "64802994", "801", kLocal, "+86 755 64802994 ext. 801"},
      {"64802994 ext. 801", "+8675564802994", "64802994", "801", kLocal,
       "+86 755 64802994 ext. 801"},
  };
  ExpectParsed(plan, rows);
  ExpectRefused(plan, {{"64802994E801", "the extension separator '#' may be used"}});
}

PhoneNumber Parsed(std::string_view input) {
  auto n = ParsePhoneNumber(input, China());
  EXPECT_TRUE(n.ok()) << n.error().message;
  return n.ok() ? *n : PhoneNumber{};
}

TEST(CallRightsTest, DefaultRightsStopInternationalCalls) {
  CallRights rights;
  EXPECT_TRUE(CheckCallRights(Parsed("83235170"), rights).ok());
  EXPECT_TRUE(CheckCallRights(Parsed("010-12345678"), rights).ok());
  Status s = CheckCallRights(Parsed("+1 604 555 7977"), rights);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(s.error().message,
            "you may not send faxes to +1 6045557977: international numbers are not allowed for "
            "your account");
}

TEST(CallRightsTest, EachClassNeedsItsRight) {
  CallRights none{.local = false, .domestic = false, .international = false};
  EXPECT_TRUE(CheckCallRights(Parsed("0-0-123"), none).ok());
  Status local = CheckCallRights(Parsed("83235170E8"), none);
  ASSERT_FALSE(local.ok());
  EXPECT_EQ(local.error().message,
            "you may not send faxes to +86 755 83235170 ext. 8: local numbers are not allowed for "
            "your account");
  Status domestic = CheckCallRights(Parsed("010-12345678"), none);
  ASSERT_FALSE(domestic.ok());
  EXPECT_NE(domestic.error().message.find("+86 10 12345678: domestic numbers"), std::string::npos);

  CallRights all{.local = true, .domestic = true, .international = true};
  EXPECT_TRUE(CheckCallRights(Parsed("852-0-999999"), all).ok());
}

}  // namespace
}  // namespace faxgate
