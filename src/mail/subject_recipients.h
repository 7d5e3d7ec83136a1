// The shared mailbox's subject grammar (REQUIREMENTS S5, AOFAX; GOTONE's password suffix):
//   86-755-83235170/Name; 755-83235170/Name; 83235170; 852-0-999999; 0-0-123
//   86-755-83235170|AF90000098/Name1|Name2
// separated by ';' (also '；', ',' and '，'), optionally ending with ":password".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace faxgate::mail {

struct SubjectRecipient {
  std::string number;  // as written, for the dial plan ("86-755-83235170", "64802994E801")
  std::string name;
  std::string account;      // internal account after '|' ("AF90000098")
  std::string second_name;  // "Name2" of the extended form
};

struct ParsedSubject {
  std::vector<SubjectRecipient> recipients;
  std::optional<std::string> password;
};

// The password is the text after the last ':' of the subject (names cannot hold ':'). Errors
// say what is wrong and where: "recipient 2 (\"abc\") has no fax number".
Result<ParsedSubject> ParseSubjectRecipients(std::string_view subject_utf8);
// The subject with the password replaced by "****", for logs and replies.
std::string RedactSubjectPassword(std::string_view subject_utf8);
// Compares secrets in time that does not depend on where they differ.
bool SecretEquals(std::string_view a, std::string_view b);

}  // namespace faxgate::mail
