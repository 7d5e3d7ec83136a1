#include "mail/mime_test_support.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace faxgate::mail::testing {

std::string Testdata(const std::string& name) {
  const char* source = std::getenv("FAXGATE_SOURCE_DIR");
  const std::filesystem::path path =
      (source ? std::filesystem::path(source) : std::filesystem::current_path()) /
      "src/mail/testdata" / name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path << " (set FAXGATE_SOURCE_DIR)";
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> FileNames(const ParsedMail& mail) {
  std::vector<std::string> out;
  for (const MailAttachment& a : mail.attachments) out.push_back(a.file_name);
  return out;
}

std::string Crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

WireCheck CheckWire(const std::string& wire, bool seven_bit) {
  WireCheck check;
  size_t start = 0;
  for (size_t i = 0; i < wire.size(); ++i) {
    const auto c = static_cast<unsigned char>(wire[i]);
    if (seven_bit && c >= 0x80) check.problems.push_back(fmt::format("8-bit octet at {}", i));
    if (c == '\n' && (i == 0 || wire[i - 1] != '\r'))
      check.problems.push_back(fmt::format("bare LF at {}", i));
    if (c == '\r' && (i + 1 >= wire.size() || wire[i + 1] != '\n'))
      check.problems.push_back(fmt::format("bare CR at {}", i));
    if (c == '\n') {
      const size_t end = i > 0 && wire[i - 1] == '\r' ? i - 1 : i;
      check.lines.push_back(wire.substr(start, end - start));
      if (end - start > 998)
        check.problems.push_back(
            fmt::format("line {} has {} octets", check.lines.size(), end - start));
      start = i + 1;
    }
  }
  if (start < wire.size()) check.problems.push_back("no CRLF at the end");
  return check;
}

}  // namespace faxgate::mail::testing
