#include "store/store_test_util.h"

#include "base/files.h"

namespace faxgate::testing {

ScratchDir::ScratchDir()
    : path_(std::filesystem::temp_directory_path() / ("faxgate-store-test-" + RandomHex(8))) {
  std::filesystem::create_directories(path_);
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

TimePoint At(int minutes) {
  return FromUnixMillis(1'800'000'000'000) + std::chrono::minutes(minutes);
}

User SampleUser(const std::string& name, const std::string& fax_number) {
  User u;
  u.name = name;
  u.full_name = "Full " + name;
  u.password_hash = "$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA";
  u.role = Role::kDomainAdmin;
  u.fax_number = fax_number;
  u.email = name + "@example.com";
  u.other_emails = {name + ".b@example.com", name + ".a@example.com"};
  u.rights = CallRights{false, true, true};  // every right flipped from its default
  u.notify_on_success = true;
  u.must_change_password = true;
  u.disabled = true;
  u.created_at = At(-600) + std::chrono::milliseconds(7);
  u.company = "深圳 Acme";
  u.phone = "+86 755 8323 5100";
  u.cover = "business";
  u.fax_by_email = false;
  u.language = "zh-CN";
  return u;
}

Job SampleJob(const std::string& canonical_number) {
  Job job;
  job.number = PhoneNumber{"0755-" + canonical_number, "+86755" + canonical_number,
                           "0" + canonical_number,     "801",
                           CallClass::kDomestic,       "+86 755 " + canonical_number + " ext. 801"};
  job.recipient_name = "Acme Purchasing";
  job.recipient_company = "Acme 有限公司";
  job.subject = "Order 4711";
  job.resolution = "superfine";
  job.paper = "b4";
  job.halftone = "diffusion";
  job.cover = "chinese-business";
  job.cover_comments = "Please sign page 2.\n请签字。";
  job.priority = 42;
  job.state = JobState::kRetrying;
  job.submitted_at = At(0) + std::chrono::milliseconds(1);
  job.send_at = At(1) + std::chrono::milliseconds(2);
  job.kill_at = At(180) + std::chrono::milliseconds(3);
  job.next_try_at = At(5) + std::chrono::milliseconds(4);
  job.max_dials = 9;
  job.max_tries = 4;
  job.dials = 2;
  job.tries = 1;
  job.pages_total = 7;
  job.pages_sent = 3;
  job.document = std::string(64, 'd');
  job.status_text = "Busy signal detected";
  job.last_failure = FailureKind::kBusy;
  job.finished_at = At(60) + std::chrono::milliseconds(5);
  return job;
}

Attempt SampleAttempt(JobId job) {
  Attempt a;
  a.job_id = job;
  a.number = 2;
  a.dial_string = "075583235170";
  a.trunk = "pbx-1";
  a.call_id = "a84b4c76e66710@10.0.0.1";
  a.started_at = At(3);
  a.result = FailureKind::kHungUp;
  a.result_code = 53;
  a.reason = "Hang-up on page 4";
  a.first_page = 3;
  a.pages_sent = 1;
  a.bit_rate = 14400;
  a.compression = "MMR";
  a.ecm = true;
  a.resolution = "fine";
  a.remote_ident = "+86 755 8323 5170";
  a.duration_ms = 61'234;
  return a;
}

InboundFax SampleInbound(std::optional<UserId> owner) {
  InboundFax f;
  f.owner_id = owner;
  f.called_number = "8001";
  f.caller_number = "075583235170";
  f.remote_ident = "ACME HQ";
  f.trunk = "pbx-2";
  f.call_id = "b12@10.0.0.2";
  f.state = InboundState::kReceived;
  f.pages = 4;
  f.document = std::string(64, 'e');
  f.file_size = 123'456;
  f.started_at = At(10);
  f.ended_at = At(12);
  f.duration_ms = 120'001;
  f.bit_rate = 9600;
  f.compression = "MR";
  f.ecm = true;
  f.resolution = "superfine";
  f.result_code = 17;
  f.reason = "OK";
  return f;
}

#define FG_EXPECT_FIELD(field) EXPECT_EQ(want.field, got.field) << #field

void ExpectSameJob(const Job& want, const Job& got) {
  FG_EXPECT_FIELD(id);
  FG_EXPECT_FIELD(group_id);
  FG_EXPECT_FIELD(owner_id);
  FG_EXPECT_FIELD(owner_name);
  FG_EXPECT_FIELD(number.input);
  FG_EXPECT_FIELD(number.canonical);
  FG_EXPECT_FIELD(number.dial_string);
  FG_EXPECT_FIELD(number.extension);
  FG_EXPECT_FIELD(number.call_class);
  FG_EXPECT_FIELD(number.display);
  FG_EXPECT_FIELD(recipient_name);
  FG_EXPECT_FIELD(subject);
  FG_EXPECT_FIELD(recipient_company);
  FG_EXPECT_FIELD(resolution);
  FG_EXPECT_FIELD(paper);
  FG_EXPECT_FIELD(halftone);
  FG_EXPECT_FIELD(cover);
  FG_EXPECT_FIELD(cover_comments);
  FG_EXPECT_FIELD(priority);
  FG_EXPECT_FIELD(state);
  FG_EXPECT_FIELD(submitted_at);
  FG_EXPECT_FIELD(send_at);
  FG_EXPECT_FIELD(kill_at);
  FG_EXPECT_FIELD(next_try_at);
  FG_EXPECT_FIELD(max_dials);
  FG_EXPECT_FIELD(max_tries);
  FG_EXPECT_FIELD(dials);
  FG_EXPECT_FIELD(tries);
  FG_EXPECT_FIELD(pages_total);
  FG_EXPECT_FIELD(pages_sent);
  FG_EXPECT_FIELD(document);
  FG_EXPECT_FIELD(status_text);
  FG_EXPECT_FIELD(last_failure);
  FG_EXPECT_FIELD(finished_at);
}

void ExpectSameAttempt(const Attempt& want, const Attempt& got) {
  FG_EXPECT_FIELD(id);
  FG_EXPECT_FIELD(job_id);
  FG_EXPECT_FIELD(number);
  FG_EXPECT_FIELD(dial_string);
  FG_EXPECT_FIELD(trunk);
  FG_EXPECT_FIELD(call_id);
  FG_EXPECT_FIELD(started_at);
  FG_EXPECT_FIELD(ended_at);
  FG_EXPECT_FIELD(result);
  FG_EXPECT_FIELD(result_code);
  FG_EXPECT_FIELD(reason);
  FG_EXPECT_FIELD(first_page);
  FG_EXPECT_FIELD(pages_sent);
  FG_EXPECT_FIELD(bit_rate);
  FG_EXPECT_FIELD(compression);
  FG_EXPECT_FIELD(ecm);
  FG_EXPECT_FIELD(resolution);
  FG_EXPECT_FIELD(remote_ident);
  FG_EXPECT_FIELD(duration_ms);
}

void ExpectSameInbound(const InboundFax& want, const InboundFax& got) {
  FG_EXPECT_FIELD(id);
  FG_EXPECT_FIELD(owner_id);
  FG_EXPECT_FIELD(owner_name);
  FG_EXPECT_FIELD(called_number);
  FG_EXPECT_FIELD(caller_number);
  FG_EXPECT_FIELD(remote_ident);
  FG_EXPECT_FIELD(trunk);
  FG_EXPECT_FIELD(call_id);
  FG_EXPECT_FIELD(state);
  FG_EXPECT_FIELD(pages);
  FG_EXPECT_FIELD(document);
  FG_EXPECT_FIELD(file_size);
  FG_EXPECT_FIELD(started_at);
  FG_EXPECT_FIELD(ended_at);
  FG_EXPECT_FIELD(duration_ms);
  FG_EXPECT_FIELD(bit_rate);
  FG_EXPECT_FIELD(compression);
  FG_EXPECT_FIELD(ecm);
  FG_EXPECT_FIELD(resolution);
  FG_EXPECT_FIELD(result_code);
  FG_EXPECT_FIELD(reason);
}

void ExpectSameUser(const User& want, const User& got) {
  FG_EXPECT_FIELD(id);
  FG_EXPECT_FIELD(name);
  FG_EXPECT_FIELD(full_name);
  FG_EXPECT_FIELD(password_hash);
  FG_EXPECT_FIELD(role);
  FG_EXPECT_FIELD(fax_number);
  FG_EXPECT_FIELD(email);
  FG_EXPECT_FIELD(company);
  FG_EXPECT_FIELD(phone);
  FG_EXPECT_FIELD(cover);
  FG_EXPECT_FIELD(other_emails);
  FG_EXPECT_FIELD(rights.local);
  FG_EXPECT_FIELD(rights.domestic);
  FG_EXPECT_FIELD(rights.international);
  FG_EXPECT_FIELD(notify_on_success);
  FG_EXPECT_FIELD(fax_by_email);
  FG_EXPECT_FIELD(language);
  FG_EXPECT_FIELD(must_change_password);
  FG_EXPECT_FIELD(disabled);
  FG_EXPECT_FIELD(created_at);
}

#undef FG_EXPECT_FIELD

}  // namespace faxgate::testing
