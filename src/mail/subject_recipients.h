// The shared mailbox's subject grammar (REQUIREMENTS S5, AOFAX; GOTONE's password suffix):
//
//   subject   = [recipient *(sep recipient)] [":" password]
//   recipient = number ["|" account] ["/" name ["|" second-name]]
//   sep       = ";" / "," (and the full-width "；" "，" a Chinese input method types)
//
//   86-755-83235170/Name; 755-83235170/Name; 83235170; 852-0-999999; 0-0-123; 64802994E801
//   86-755-83235170|AF90000098/Name1|Name2
//   86-755-83235170/张三; 83235180/李四:secret
//
// The full-width "：" "／" "｜" count as their ASCII forms, and full-width digits, '－' and
// '＋' in a number as ASCII ones. Whitespace (also U+3000) around every part is dropped;
// empty recipients ("a;;b", a trailing ';') are skipped.
//
// The password rule: recipients never contain ':', so the first ':' ends the recipient list
// and everything after it, trimmed, is the password. The password may contain ':' but no
// whitespace, ';' or ',': text like that after a ':' means the ':' sat inside the list (a name
// like "Acme: Sales"), and the subject is refused rather than some recipients silently lost.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace faxgate::mail {

struct SubjectRecipient {
  // As written, trimmed, for the dial plan (domain/phone_number.h): "86-755-83235170",
  // "83235170", "852-0-999999", "0-0-123", "64802994E801". Holds digits and at most one
  // extension marker ('E' or "ext"), otherwise only " -+.()*#".
  std::string number;
  std::string name;         // after '/', UTF-8; may be empty
  std::string account;      // internal account after '|' ("AF90000098"): letters, digits, -_.
  std::string second_name;  // "Name2" of the extended form
};

struct ParsedSubject {
  std::vector<SubjectRecipient> recipients;  // 1 to 100
  std::optional<std::string> password;       // never logged or echoed: see RedactSubjectPassword
};

// Errors say what is wrong and where, in plain words, and never quote the password:
// "the subject names no recipients", "recipient 2 (\"/Bob\") has no fax number",
// "recipient 1: \"86-75x\" is not a fax number ('x' cannot be part of one)".
Result<ParsedSubject> ParseSubjectRecipients(std::string_view subject_utf8);

// The subject with everything after its first ':' replaced by "****", for logs and replies.
// Works on any text, also one ParseSubjectRecipients refuses.
std::string RedactSubjectPassword(std::string_view subject_utf8);

// Compares secrets in a time that depends neither on their contents nor on where they differ.
bool SecretEquals(std::string_view a, std::string_view b);

}  // namespace faxgate::mail
