// The faxgate command: `serve` runs the daemon; every other verb is a client of its REST API.
#include <CLI/CLI.hpp>

#include "app/serve.h"
#include "app/verbs.h"

namespace {

void AddClientFlags(CLI::App* cmd, faxgate::ClientFlags* f) {
  cmd->add_option("--server", f->server,
                  "faxgate URL (default: from ./var/server.json, FAXGATE_URL)");
  cmd->add_option("--token", f->token, "API token (default: FAXGATE_TOKEN or ./var/admin.token)");
  cmd->add_option("--data-dir", f->data_dir, "demo data directory to find the server and token in");
  cmd->add_flag("--json", f->json, "print JSON instead of columns");
}

void AddUserFlags(CLI::App* cmd, faxgate::UserFlags* f) {
  cmd->add_option("--password", f->password, "password (at least 8 characters)");
  cmd->add_option("--role", f->role, "sysadmin, domainadmin or user");
  cmd->add_option("--fax-number", f->fax_number, "personal fax number (DID)");
  cmd->add_option("--email", f->email, "primary email");
  cmd->add_option("--full-name", f->full_name, "full name");
  cmd->add_option("--international", f->international,
                  "1: may send international faxes, 0: may not");
  cmd->add_option("--disabled", f->disabled, "1: account disabled, 0: enabled");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"faxgate: a network fax server (SIP/T.38, REST, email, HylaFAX clients)"};
  app.require_subcommand(1);
  int rc = 0;

  faxgate::ServeOptions serve;
  auto* serve_cmd = app.add_subcommand("serve", "run the fax server (with no config: the demo)");
  serve_cmd->add_option("-c,--config", serve.config_file, "faxgate.toml to read");
  serve_cmd->add_option("--data-dir", serve.data_dir, "data directory (default ./var)");
  serve_cmd->add_option("--listen", serve.listen, "HTTP address, e.g. 127.0.0.1:8080");
  serve_cmd->callback([&] { rc = faxgate::RunServe(serve); });

  faxgate::ClientFlags client;
  faxgate::SendFlags send;
  auto* send_cmd = app.add_subcommand("send", "send files as a fax to one or more numbers");
  send_cmd->add_option("-d,--dial", send.numbers, "fax number (repeat for several)")
      ->required()
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  send_cmd->add_option("-s,--subject", send.subject, "subject");
  send_cmd->add_option("-R,--recipient", send.recipient_name, "recipient name");
  send_cmd->add_option("-a,--at", send.send_at, "send at: 2026-11-22T18:00:00Z or +30m");
  send_cmd->add_option("-P,--priority", send.priority, "0 (first) .. 255 (last), default 127");
  send_cmd->add_option("-t,--tries", send.max_tries, "maximum tries");
  send_cmd->add_option("--resolution", send.resolution, "standard | fine | superfine");
  send_cmd->add_option("--paper", send.paper, "a4 | letter | b4");
  send_cmd->add_option("--halftone", send.halftone, "cluster | diffusion | threshold");
  send_cmd->add_option("-C,--cover", send.cover, "cover page template, or none");
  send_cmd->add_option("-c,--comments", send.comments, "comments for the cover page");
  send_cmd->add_flag("--wait", send.wait, "wait until every job has ended; fail if any failed");
  send_cmd->add_option("files", send.files, "documents to send, in order (any supported type)")
      ->required();
  AddClientFlags(send_cmd, &client);
  send_cmd->callback([&] { rc = faxgate::RunSend(client, send); });

  faxgate::StatFlags stat;
  auto* stat_cmd =
      app.add_subcommand("stat", "server status, send queue, done queue, received faxes");
  stat_cmd->add_flag("-s", stat.queue, "the send queue");
  stat_cmd->add_flag("-d", stat.done, "faxes that are done (sent, failed, cancelled)");
  stat_cmd->add_flag("-r", stat.received, "received faxes");
  AddClientFlags(stat_cmd, &client);
  stat_cmd->callback([&] { rc = faxgate::RunStat(client, stat); });

  std::vector<std::string> rm_ids;
  auto* rm_cmd = app.add_subcommand("rm", "cancel fax jobs (hangs up a call in progress)");
  rm_cmd->add_option("jobs", rm_ids, "job ids")->required();
  AddClientFlags(rm_cmd, &client);
  rm_cmd->callback([&] { rc = faxgate::RunRemove(client, rm_ids); });

  faxgate::ConvertFlags convert;
  auto* convert_cmd = app.add_subcommand(
      "convert", "convert documents to fax pages (TIFF-F), or a fax to PDF/TIFF-S/PNG, locally");
  convert_cmd->add_option("inputs", convert.inputs, "documents, in order")->required();
  convert_cmd->add_option("-o,--output", convert.output, "file to write")->required();
  convert_cmd->add_option("--resolution", convert.resolution, "standard | fine | superfine");
  convert_cmd->add_option("--paper", convert.paper, "a4 | letter | b4");
  convert_cmd->add_option("--halftone", convert.halftone,
                          "cluster (default, small pages) | diffusion (photo detail) | threshold");
  convert_cmd->add_option("--cover", convert.cover,
                          "cover page first: plain | business | chinese-business | FILE.svg");
  convert_cmd->add_option("--field", convert.fields, "cover field KEY=VALUE (repeat)")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  convert_cmd->add_option("--tagline", convert.tag_line,
                          "tag line on every page, e.g. 'From %%l|%c|Page %%P of %%T'");
  convert_cmd->add_option("--local-ident", convert.local_ident, "%%l in the tag line");
  convert_cmd->add_option("--to", convert.to,
                          "fax (default) | pdf | tiff-s | tiff-f | png (the last four take one "
                          "fax TIFF)");
  convert_cmd->add_option("--thumbnail-width", convert.thumbnail_width, "png width in pixels");
  convert_cmd->add_option("--max-pages", convert.max_pages, "pages one document may make");
  convert_cmd->add_option("--timeout", convert.timeout_s, "seconds one renderer may run");
  convert_cmd
      ->add_option("--name", convert.names,
                   "the name messages use for each input, in order (default: file name)")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  convert_cmd->add_option("--work-dir", convert.work_dir, "scratch directory (removed after)");
  convert_cmd->add_flag("--json", convert.json, "print a JSON summary");
  convert_cmd->callback([&] { rc = faxgate::RunConvert(convert); });

  auto* recv_cmd = app.add_subcommand("recv", "received faxes");
  recv_cmd->require_subcommand(1);
  std::string recv_id, recv_out, recv_format;
  auto* get_cmd = recv_cmd->add_subcommand("get", "save a fax's pages to a file");
  get_cmd->add_option("id", recv_id, "fax id")->required();
  get_cmd->add_option("-o,--output", recv_out, "file to write")->required();
  get_cmd->add_option("--format", recv_format, "tiff (default; pdf from the file name)");
  AddClientFlags(get_cmd, &client);
  get_cmd->callback([&] { rc = faxgate::RunRecvGet(client, recv_id, recv_out, recv_format); });

  auto* user_cmd = app.add_subcommand("user", "manage users");
  user_cmd->require_subcommand(1);
  faxgate::UserFlags user;
  auto* add_cmd = user_cmd->add_subcommand("add", "create a user");
  add_cmd->add_option("name", user.name, "user name")->required();
  AddUserFlags(add_cmd, &user);
  AddClientFlags(add_cmd, &client);
  add_cmd->callback([&] { rc = faxgate::RunUserAdd(client, user); });
  auto* list_cmd = user_cmd->add_subcommand("list", "list users");
  AddClientFlags(list_cmd, &client);
  list_cmd->callback([&] { rc = faxgate::RunUserList(client); });
  auto* set_cmd = user_cmd->add_subcommand("set", "change a user");
  set_cmd->add_option("name", user.name, "user name")->required();
  AddUserFlags(set_cmd, &user);
  AddClientFlags(set_cmd, &client);
  set_cmd->callback([&] { rc = faxgate::RunUserSet(client, user); });

  auto* token_cmd = app.add_subcommand("token", "API tokens");
  token_cmd->require_subcommand(1);
  std::string token_user, token_name = "api";
  auto* create_cmd = token_cmd->add_subcommand("create", "create an API token (printed once)");
  create_cmd->add_option("--user", token_user, "for this user (admins only; default: yourself)");
  create_cmd->add_option("--name", token_name, "what the token is for");
  AddClientFlags(create_cmd, &client);
  create_cmd->callback([&] { rc = faxgate::RunTokenCreate(client, token_user, token_name); });

  CLI11_PARSE(app, argc, argv);
  return rc;
}
