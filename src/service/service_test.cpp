#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include <chrono>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "base/files.h"
#include "fax/tiff_document.h"
#include "service/fax_service.h"
#include "service/inbound_service.h"
#include "service/password.h"
#include "service/user_service.h"

namespace faxgate {
namespace {

using ::testing::HasSubstr;

struct NoLines : Dialer {
  bool HasFreeLine() const override { return false; }
  Status Dial(const DialRequest&) override { return Status::Ok(); }
  void HangUp(JobId) override {}
};

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("fg-svc-" + RandomHex(6));
    std::filesystem::create_directories(dir_);
    store_ = std::move(OpenSqliteStore(dir_ / "db").value());
    spool_ = std::make_unique<Spool>(dir_ / "spool");
    settings_ = std::make_unique<SettingsService>(*store_);
    ASSERT_TRUE(settings_->Load().ok());
    users_ = std::make_unique<UserService>(*store_, clock_);
    scheduler_ = std::make_unique<Scheduler>(*store_, *spool_, lines_, clock_,
                                             [this] { return settings_->Get(); });
    driver_ = std::make_unique<QueueDriver>(io_, *scheduler_, clock_);
    covers_ = std::make_unique<CoverTemplateService>(*store_, *spool_);
    PreparerOptions prep;  // no worker binary: conversions run in this process
    prep.work_root = dir_ / "work";
    prep.threads = 1;
    preparer_ = std::make_unique<DocumentPreparer>(io_, *store_, *spool_, *settings_, *covers_,
                                                   *driver_, clock_, prep);
    faxes_ = std::make_unique<FaxService>(*store_, *spool_, *driver_, *settings_, *preparer_,
                                          *covers_, clock_);
    demo_ = users_->EnsureDemoAccounts().value();
    admin_ = store_->FindUserByName("admin").value();
    demo_user_ = store_->FindUserByName("demo").value();
  }
  void TearDown() override {
    preparer_->Stop();
    std::filesystem::remove_all(dir_);
  }

  // Runs the control loop until the job has left state preparing (conversion runs on the
  // preparer's own thread and reports back through the loop).
  Job Prepared(JobId id) {
    for (int i = 0; i < 6000; ++i) {
      io_.poll();
      io_.restart();
      Job j = store_->GetJob(id).value();
      if (j.state != JobState::kPreparing) return j;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "job " << id << " is still preparing after a minute";
    return store_->GetJob(id).value();
  }

  std::string FaxTiff(int width = 1728) {
    Bitmap b;
    b.width = width;
    b.height = 200;
    b.stride = (width + 7) / 8;
    b.x_dpi = 204;
    b.y_dpi = 98;
    b.bits.assign(static_cast<size_t>(b.stride) * b.height, 0);
    b.bits[50 * b.stride + 10] = 0xff;
    auto path = dir_ / ("p" + RandomHex(3) + ".tif");
    EXPECT_TRUE(WriteFaxTiff(path, {b, b}).ok());
    return ReadFile(path).value();
  }

  SendRequest Request(std::string to, std::string bytes) {
    SendRequest r;
    r.to = {std::move(to)};
    r.files = {{"page.tif", std::move(bytes)}};
    return r;
  }

  std::filesystem::path dir_;
  boost::asio::io_context io_;
  FakeClock clock_;
  NoLines lines_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Spool> spool_;
  std::unique_ptr<SettingsService> settings_;
  std::unique_ptr<UserService> users_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<QueueDriver> driver_;
  std::unique_ptr<CoverTemplateService> covers_;
  std::unique_ptr<DocumentPreparer> preparer_;
  std::unique_ptr<FaxService> faxes_;
  DemoAccounts demo_;
  User admin_, demo_user_;
};

TEST_F(ServiceTest, DemoAccountsAreCreatedOnce) {
  EXPECT_TRUE(demo_.created);
  EXPECT_EQ(admin_.fax_number, "8000");
  EXPECT_EQ(demo_user_.fax_number, "8001");
  EXPECT_EQ(admin_.role, Role::kSysAdmin);
  EXPECT_TRUE(users_->AuthenticatePassword("demo", demo_.demo_password).ok());
  EXPECT_FALSE(users_->AuthenticatePassword("demo", "wrong-password").ok());
  EXPECT_EQ(users_->AuthenticateToken(demo_.admin_token)->name, "admin");
  EXPECT_FALSE(users_->EnsureDemoAccounts()->created);
}

TEST_F(ServiceTest, PasswordsAreArgon2id) {
  auto h = HashPassword("correct horse");
  ASSERT_TRUE(h.ok());
  EXPECT_THAT(*h, HasSubstr("$argon2id$"));
  EXPECT_TRUE(VerifyPassword("correct horse", *h));
  EXPECT_FALSE(VerifyPassword("correct horsE", *h));
}

TEST_F(ServiceTest, OnlyAdminsCreateUsers) {
  NewUser n;
  n.name = "bob";
  auto denied = users_->Create(demo_user_, n);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
  auto ok = users_->Create(admin_, n);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->password.size(), 16u);
  n.fax_number = "8001";
  n.name = "carol";
  auto dup = users_->Create(admin_, n);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);
}

TEST_F(ServiceTest, SendCreatesOneJobPerNumber) {
  auto jobs = faxes_->Send(demo_user_, Request("8001, 86-755-83235170; 83235180", FaxTiff()));
  ASSERT_TRUE(jobs.ok()) << jobs.error().message;
  ASSERT_EQ(jobs->size(), 3u);
  EXPECT_EQ((*jobs)[1].number.canonical, "+8675583235170");
  EXPECT_EQ((*jobs)[0].group_id, (*jobs)[2].group_id);
  EXPECT_EQ((*jobs)[0].state, JobState::kPreparing);
  for (const Job& j : *jobs) {
    Job ready = Prepared(j.id);
    EXPECT_EQ(ready.state, JobState::kQueued);
    EXPECT_EQ(ready.pages_total, 2);  // the default tag line adds no page
    EXPECT_FALSE(ready.document.empty());
  }
  auto view = faxes_->Get(demo_user_, (*jobs)[0].id);
  ASSERT_TRUE(view.ok());
  ASSERT_EQ(view->documents.size(), 1u);
  EXPECT_EQ(view->documents[0].file_name, "page.tif");
  EXPECT_EQ(view->documents[0].type, "tiff");
  EXPECT_EQ(view->documents[0].pages, 2);
}

TEST_F(ServiceTest, ACoverPageComesFirstAndCountsAsAPage) {
  SendRequest r = Request("83235170", FaxTiff());
  r.cover = "business";
  r.recipient_name = "Zhang Wei";
  r.cover_comments = "Please sign.";
  auto jobs = faxes_->Send(demo_user_, r);
  ASSERT_TRUE(jobs.ok()) << jobs.error().message;
  Job ready = Prepared((*jobs)[0].id);
  EXPECT_EQ(ready.state, JobState::kQueued) << ready.status_text;
  EXPECT_EQ(ready.pages_total, 3);
  EXPECT_EQ(ready.cover, "business");
  auto unknown = faxes_->Send(demo_user_, [&] {
    SendRequest u = Request("83235170", FaxTiff());
    u.cover = "no-such-cover";
    return u;
  }());
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.error().message, HasSubstr("no-such-cover"));
}

TEST_F(ServiceTest, CancelWhileConvertingStaysCancelled) {
  auto jobs = faxes_->Send(demo_user_, Request("83235170", FaxTiff()));
  ASSERT_TRUE(jobs.ok());
  ASSERT_TRUE(faxes_->Cancel(demo_user_, (*jobs)[0].id).ok());
  preparer_->Stop();  // whatever it finished is dropped or refused
  io_.poll();
  EXPECT_EQ(store_->GetJob((*jobs)[0].id)->state, JobState::kCancelled);
}

TEST_F(ServiceTest, BadNumberIsRefusedAndNothingIsStored) {
  auto r = faxes_->Send(demo_user_, Request("8001, 12ab", FaxTiff()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(r.error().message, HasSubstr("12ab"));
  EXPECT_TRUE(store_->ListJobs({}).value().empty());
}

TEST_F(ServiceTest, InternationalNeedsTheRight) {
  auto r = faxes_->Send(demo_user_, Request("+1 604 555 7977", FaxTiff()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
  EXPECT_TRUE(faxes_->Send(admin_, Request("+1 604 555 7977", FaxTiff())).ok());
}

TEST_F(ServiceTest, UnknownFileTypesAreRefusedByNameAndNothingIsStored) {
  std::string elf =
      "\x7f"
      "ELF";
  elf += std::string(200, '\0');
  auto r = faxes_->Send(demo_user_, Request("8001", elf));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(r.error().message, HasSubstr("page.tif"));
  EXPECT_TRUE(store_->ListJobs({}).value().empty());
  int files = 0;
  if (std::filesystem::exists(dir_ / "spool")) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir_ / "spool"))
      files += e.is_regular_file();
  }
  EXPECT_EQ(files, 0);
}

TEST_F(ServiceTest, ADocumentThatCannotBeConvertedFailsItsJobWithoutDialling) {
  auto jobs = faxes_->Send(demo_user_, Request("83235170", "%PDF-1.4\nnot really a PDF\n"));
  ASSERT_TRUE(jobs.ok()) << jobs.error().message;
  Job failed = Prepared((*jobs)[0].id);
  EXPECT_EQ(failed.state, JobState::kFailed);
  EXPECT_EQ(failed.last_failure, FailureKind::kDocument);
  EXPECT_THAT(failed.status_text, HasSubstr("page.tif"));
  EXPECT_EQ(failed.dials, 0);
}

TEST_F(ServiceTest, ATiffOfAnotherWidthIsScaledToTheFaxLine) {
  auto jobs = faxes_->Send(demo_user_, Request("83235170", FaxTiff(1700)));
  ASSERT_TRUE(jobs.ok()) << jobs.error().message;
  Job ready = Prepared((*jobs)[0].id);
  ASSERT_EQ(ready.state, JobState::kQueued) << ready.status_text;
  auto info = InspectTiff(spool_->PathOf(ready.document), "fax");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->pages[0].width, 1728);
}

TEST_F(ServiceTest, UsersSeeOnlyTheirOwnFaxes) {
  auto jobs = faxes_->Send(admin_, Request("8001", FaxTiff()));
  ASSERT_TRUE(jobs.ok());
  EXPECT_EQ(faxes_->Get(demo_user_, (*jobs)[0].id).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(faxes_->List(demo_user_, {})->items.empty());
  EXPECT_EQ(faxes_->List(admin_, {})->items.size(), 1u);
  EXPECT_EQ(faxes_->Cancel(demo_user_, (*jobs)[0].id).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(faxes_->Cancel(admin_, (*jobs)[0].id).ok());
  EXPECT_EQ(store_->GetJob((*jobs)[0].id)->state, JobState::kCancelled);
}

TEST_F(ServiceTest, InboundRoutesByDid) {
  InboundService inbound(*store_, *spool_, *settings_, clock_);
  auto ticket = inbound.OnIncomingCall({"loopback", "c1", "8001", "8000"});
  ASSERT_TRUE(ticket.ok());
  EXPECT_EQ(store_->GetInbound(ticket->id)->owner_id, demo_user_.id);
  auto refused = inbound.OnIncomingCall({"loopback", "c2", "8123", ""});
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.error().message, HasSubstr("8123"));
  ASSERT_TRUE(settings_->Put({{"unknown_did", "admin"}}).ok());
  auto fallback = inbound.OnIncomingCall({"loopback", "c3", "8123", ""});
  ASSERT_TRUE(fallback.ok());
  EXPECT_EQ(store_->GetInbound(fallback->id)->owner_id, admin_.id);
}

TEST_F(ServiceTest, PagesOfAReceptionCutByACrashAreKept) {
  InboundService inbound(*store_, *spool_, *settings_, clock_);
  auto ticket = inbound.OnIncomingCall({"loopback", "c1", "8001", "8000"});
  ASSERT_TRUE(ticket.ok());
  // The process dies with two pages written; a new process recovers.
  ASSERT_TRUE(WriteFileAtomic(ticket->receive_path, FaxTiff()).ok());
  InboundService after_restart(*store_, *spool_, *settings_, clock_);
  ASSERT_TRUE(after_restart.Recover().ok());
  InboundFax fax = store_->GetInbound(ticket->id).value();
  EXPECT_EQ(fax.state, InboundState::kFailed);
  EXPECT_EQ(fax.pages, 2);
  EXPECT_THAT(fax.reason, HasSubstr("2 pages were kept"));
  EXPECT_TRUE(faxes_->TiffPath(demo_user_, fax.id).ok());
}

TEST_F(ServiceTest, ListPagesWithACursor) {
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(faxes_->Send(demo_user_, Request("8001", FaxTiff())).ok());
  FaxQuery q;
  q.limit = 2;
  auto p1 = faxes_->List(demo_user_, q).value();
  ASSERT_EQ(p1.items.size(), 2u);
  ASSERT_TRUE(p1.next_cursor.has_value());
  q.before_id = p1.next_cursor;
  auto p2 = faxes_->List(demo_user_, q).value();
  ASSERT_EQ(p2.items.size(), 2u);
  EXPECT_LT(p2.items[0].id(), p1.items[1].id());
}

}  // namespace
}  // namespace faxgate
