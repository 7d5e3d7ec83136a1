// The IMAP syntax under MailboxClient and ImapIdleWatcher: responses cut from a byte stream as
// it arrives (literals whole), FETCH data, quoting, and folder names in modified UTF-7.
#include "mail/imap_syntax.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace faxgate::mail {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Feeds `bytes` in pieces of `step` and collects every response.
std::vector<std::string> Split(std::string_view bytes, size_t step, size_t max = 1 << 20) {
  ImapResponseSplitter splitter(max);
  std::vector<std::string> out;
  for (size_t i = 0; i < bytes.size(); i += step) {
    splitter.Append(bytes.substr(i, step));
    while (true) {
      auto next = splitter.Next();
      EXPECT_TRUE(next.ok());
      if (!next.ok() || !*next) break;
      out.push_back(**next);
    }
  }
  return out;
}

TEST(MailboxImapSyntaxTest, ResponsesAreCutWhateverPiecesTheyArriveIn) {
  const std::string wire =
      "* 2 EXISTS\r\n"
      "* 1 FETCH (UID 7 BODY[] {15}\r\nline 1\r\nA1 OK\r\n)\r\n"
      "+ idling\n"  // a bare LF is taken too
      "a3 OK done\r\n";
  for (size_t step : {1, 2, 5, 1000}) {
    EXPECT_THAT(Split(wire, step),
                ElementsAre("* 2 EXISTS", "* 1 FETCH (UID 7 BODY[] {15}\r\nline 1\r\nA1 OK\r\n)",
                            "+ idling", "a3 OK done"))
        << "in pieces of " << step;
  }
}

TEST(MailboxImapSyntaxTest, UnfinishedResponseIsPendingNotReturned) {
  ImapResponseSplitter splitter(1000);
  splitter.Append("* 1 FETCH (BODY[] {10}\r\nonly5");
  auto next = splitter.Next();
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->has_value());
  EXPECT_GT(splitter.pending(), 0u);
}

TEST(MailboxImapSyntaxTest, OversizedResponsesAndLiteralsAreErrors) {
  ImapResponseSplitter line(16);
  line.Append("* OK this line is far too long for the limit");
  EXPECT_FALSE(line.Next().ok());
  ImapResponseSplitter literal(100);
  literal.Append("* 1 FETCH (BODY[] {4294967295}\r\n");
  EXPECT_FALSE(literal.Next().ok());
}

TEST(MailboxImapSyntaxTest, ResponsesAreParsedIntoTheirParts) {
  auto tagged = ParseImapResponse("A003 NO [AUTHENTICATIONFAILED] Authentication failed.");
  ASSERT_TRUE(tagged.ok());
  EXPECT_EQ(tagged->kind, ImapResponse::Kind::kTagged);
  EXPECT_EQ(tagged->tag, "A003");
  EXPECT_EQ(tagged->name, "NO");
  EXPECT_EQ(tagged->code, "AUTHENTICATIONFAILED");
  EXPECT_EQ(tagged->text, "Authentication failed.");

  auto exists = ParseImapResponse("* 23 exists");
  ASSERT_TRUE(exists.ok());
  EXPECT_EQ(exists->kind, ImapResponse::Kind::kUntagged);
  EXPECT_EQ(exists->number, 23u);
  EXPECT_EQ(exists->name, "EXISTS");

  auto greeting = ParseImapResponse("* OK [CAPABILITY IMAP4rev1 IDLE] Dovecot ready.");
  ASSERT_TRUE(greeting.ok());
  EXPECT_EQ(greeting->code, "CAPABILITY IMAP4rev1 IDLE");

  auto more = ParseImapResponse("+ idling");
  ASSERT_TRUE(more.ok());
  EXPECT_EQ(more->kind, ImapResponse::Kind::kContinuation);
  EXPECT_EQ(more->text, "idling");

  for (const char* bad :
       {"", "*", "* ", "* 99999999999 EXISTS", "A1 EXISTS", "A1", "* OK [open", "* 3"}) {
    EXPECT_FALSE(ParseImapResponse(bad).ok()) << bad;
  }
}

TEST(MailboxImapSyntaxTest, CapabilitiesAreMatchedWithoutCase) {
  auto caps = ParseCapabilities("IMAP4rev1  SASL-IR idle AUTH=PLAIN");
  EXPECT_THAT(caps, ElementsAre("IMAP4REV1", "SASL-IR", "IDLE", "AUTH=PLAIN"));
  EXPECT_TRUE(HasCapability(caps, "Idle"));
  EXPECT_FALSE(HasCapability(caps, "UIDPLUS"));
}

TEST(MailboxImapSyntaxTest, FetchDataGivesUidSizeFlagsAndBody) {
  auto f = ParseFetch(
      "(UID 4711 RFC822.SIZE 601 FLAGS (\\Seen $Forwarded \\Deleted) "
      "ENVELOPE (\"Sun, 22 Nov\" \"a (b) \\\"c\\\"\" NIL ((NIL NIL \"x\" \"y\"))) "
      "BODY[] {12}\r\nab)c\r\n\"{3}\r\n)");
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->uid, 4711u);
  EXPECT_EQ(f->size, 601u);
  EXPECT_THAT(f->flags, ElementsAre("\\Seen", "$Forwarded", "\\Deleted"));
  EXPECT_TRUE(f->HasFlag("\\deleted"));
  ASSERT_TRUE(f->body);
  EXPECT_EQ(*f->body, "ab)c\r\n\"{3}\r\n");

  auto quoted = ParseFetch("(BODY[] \"short \\\"one\\\"\" UID 1)");
  ASSERT_TRUE(quoted.ok());
  EXPECT_EQ(*quoted->body, "short \"one\"");
  auto empty = ParseFetch("(FLAGS ())");
  ASSERT_TRUE(empty.ok());
  EXPECT_THAT(empty->flags, IsEmpty());
  EXPECT_FALSE(empty->uid);
}

TEST(MailboxImapSyntaxTest, BrokenFetchDataIsAnError) {
  for (const char* bad : {"", "UID 1", "(UID x)", "(UID 1", "(BODY[] {5}\r\nabc)", "(FLAGS (\\Seen",
                          "(X-UNKNOWN", "(BODY[] {2}abc)"}) {
    EXPECT_FALSE(ParseFetch(bad).ok()) << bad;
  }
  // Nesting deeper than any real BODYSTRUCTURE is refused, not recursed into without end.
  EXPECT_FALSE(ParseFetch("(X " + std::string(100000, '(')).ok());
}

TEST(MailboxImapSyntaxTest, QuotedStringsEscapeAndRefuseLineBreaks) {
  EXPECT_EQ(ImapQuoted("a \"b\" \\c"), "\"a \\\"b\\\" \\\\c\"");
  EXPECT_FALSE(ImapQuoted("pass\r\nA1 LOGOUT"));
  EXPECT_FALSE(ImapQuoted("p\xc3\xa4ss"));
}

TEST(MailboxImapSyntaxTest, FolderNamesGoOutInModifiedUtf7) {
  EXPECT_EQ(*EncodeMailboxName("INBOX"), "INBOX");
  EXPECT_EQ(*EncodeMailboxName("传真"), "&TyB3Hw-");
  // RFC 3501 5.1.3's own example.
  EXPECT_EQ(*EncodeMailboxName("~peter/mail/台北/日本語"), "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
  EXPECT_EQ(*EncodeMailboxName("Tom & Jerry"), "Tom &- Jerry");
  EXPECT_EQ(*EncodeMailboxName("\xF0\x9F\x93\xA0"), "&2D3c4A-");  // U+1F4E0, a surrogate pair
  EXPECT_FALSE(EncodeMailboxName("\xC0\xAF").ok());               // overlong "/"
  EXPECT_FALSE(EncodeMailboxName("\xE4\xBC").ok());               // cut short
}

}  // namespace
}  // namespace faxgate::mail
