// The client verbs of the `faxgate` command. Each speaks the REST API and returns the process
// exit code (0 success, 1 failure, 2 bad input, 3 server unreachable).
#pragma once

#include <string>
#include <vector>

#include "app/client_context.h"

namespace faxgate {

struct SendFlags {
  std::vector<std::string> numbers;  // -d
  std::vector<std::string> files;
  std::string subject;         // -s
  std::string recipient_name;  // -R
  std::string send_at;         // -a
  int priority = -1;           // -P
  int max_tries = -1;          // -t
  bool wait = false;           // --wait
  std::string resolution;      // -r / --resolution: standard | fine | superfine
  std::string paper;           // --paper
  std::string halftone;        // --halftone
  std::string cover;           // -C / --cover: template name, or "none"
  std::string comments;        // -c / --comments: cover page comments
};
int RunSend(const ClientFlags& client, const SendFlags& flags);

struct StatFlags {
  bool queue = false;     // -s
  bool done = false;      // -d
  bool received = false;  // -r
};
int RunStat(const ClientFlags& client, const StatFlags& flags);

int RunRemove(const ClientFlags& client, const std::vector<std::string>& job_ids);
int RunRecvGet(const ClientFlags& client, const std::string& id, const std::string& output,
               const std::string& format);

struct UserFlags {
  std::string name;
  std::string password;
  std::string role;
  std::string fax_number;
  std::string email;
  std::string full_name;
  int international = -1;  // -1: unchanged
  int disabled = -1;
};
int RunUserAdd(const ClientFlags& client, const UserFlags& flags);
int RunUserList(const ClientFlags& client);
int RunUserSet(const ClientFlags& client, const UserFlags& flags);
int RunTokenCreate(const ClientFlags& client, const std::string& user, const std::string& name);

// `faxgate convert` runs locally, without a server.
struct ConvertFlags {
  std::vector<std::string> inputs;
  std::vector<std::string> names;    // --name: what messages call each input (the user's name)
  std::string output;                // -o
  std::string resolution = "fine";   // standard | fine | superfine
  std::string paper = "a4";          // a4 | letter | b4
  std::string halftone = "cluster";  // cluster | diffusion | threshold
  std::string cover;                 // built-in template name or SVG file; empty: none
  std::vector<std::string> fields;   // cover fields, KEY=VALUE
  std::string tag_line;              // HylaFAX-like format; empty: none
  std::string local_ident;           // %%l in the tag line
  std::string to = "fax";            // fax | pdf | tiff-s | tiff-f | png
  int thumbnail_width = 400;
  int max_pages = 500;
  int timeout_s = 60;
  std::string work_dir;
  bool json = false;
};
int RunConvert(const ConvertFlags& flags);

}  // namespace faxgate
