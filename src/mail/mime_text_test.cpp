// HTML and text/enriched bodies made into the plain text a fax page or cover shows.
#include "mail/mime_text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace faxgate::mail {
namespace {

TEST(MimeTextTest, HtmlLayoutBecomesLineBreaks) {
  EXPECT_EQ(HtmlToText("<div>one</div><div>two<br>three</div><ul><li>a</li><li>b</li></ul>"),
            "one\ntwo\nthree\n- a\n- b\n");
  EXPECT_EQ(HtmlToText("<table><tr><td>Pages</td><td>2</td></tr><tr><td>To</td><td>8008</td>"
                       "</tr></table>"),
            "Pages 2\nTo 8008\n");
  EXPECT_EQ(HtmlToText("a<br><br><br><br>b"), "a\n\nb\n");  // at most one empty line
  EXPECT_EQ(HtmlToText("<pre>  keep\n    this</pre>after"), "  keep\n    this\nafter\n");
}

TEST(MimeTextTest, HtmlHiddenPartsCommentsAndBrokenTags) {
  EXPECT_EQ(HtmlToText("<!DOCTYPE html><html><head><meta charset=utf-8><title>T</title>"
                       "<script>var a = '<p>';</script></head><body><!-- hidden <p> -->"
                       "<p title=\"a>b\">shown</p></body></html>"),
            "shown\n");
  EXPECT_EQ(HtmlToText("1 < 2 and 3 > 2"), "1 < 2 and 3 > 2\n");
  EXPECT_EQ(HtmlToText("<style>unclosed"), "unclosed\n");  // unclosed: only the tag goes
  EXPECT_EQ(HtmlToText("text <a href=\"x"), "text\n");     // a tag cut off ends the text
}

TEST(MimeTextTest, HtmlEntities) {
  EXPECT_EQ(HtmlToText("&lt;&amp;&gt;&quot;&apos;&copy;&euro;&hellip;"), "<&>\"'©€…\n");
  EXPECT_EQ(HtmlToText("&#20256;&#x771F;&#X771f;"), "传真真\n");
  EXPECT_EQ(HtmlToText("&#0;&#xD800;&#1114112;"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\n");
  EXPECT_EQ(HtmlToText("AT&T &unknown; &amp"), "AT&T &unknown; &amp\n");
}

TEST(MimeTextTest, EnrichedText) {
  EXPECT_EQ(EnrichedToText("<bold>a</bold>\nb\n\n\nc"), "a b\n\nc\n");
  EXPECT_EQ(EnrichedToText("x <<y> <param>hidden</param>z"), "x <y> z\n");
  EXPECT_EQ(EnrichedToText("<nofill>1\n2\n</nofill>3"), "1\n2\n3\n");
}

}  // namespace
}  // namespace faxgate::mail
