// The text a mail client would show for an HTML or text/enriched body, for mail that has no
// text/plain part: it becomes a fax cover comment or a text page, so layout is kept only as
// line breaks.
#pragma once

#include <string>
#include <string_view>

namespace faxgate::mail {

// Tags dropped (with the content of <head>, <style>, <script>); white space collapsed as a
// browser does except in <pre>; <br> and block elements (<p>, <div>, <tr>, <li>, <h1>...) as line
// breaks; entities (&nbsp; &amp; &#20256; &#x4F20; ...) decoded. UTF-8 in, UTF-8 out.
std::string HtmlToText(std::string_view html);

// RFC 1896: formatting commands dropped with <param> contents, "<<" as "<", a single line break
// as a space and n line breaks as n-1, except inside <nofill>.
std::string EnrichedToText(std::string_view enriched);

}  // namespace faxgate::mail
