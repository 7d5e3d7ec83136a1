"""The mail face against real mail servers: Postfix (relay, and the sender's MTA) and Dovecot
(the users' mailboxes and the shared fax mailbox), started from scripts/mailenv on loopback and
stopped by PID. What is checked is what a user sees: the mail in the Maildir with a valid TIFF,
the fax in the inbox, the reply that says what was wrong, nothing lost and nothing twice."""
import email
import email.policy
import os
import shutil
import signal
import socket
import subprocess
import time
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

import pytest

from conftest import FAST, REPO

MAILENV = REPO / "scripts" / "mailenv"
# Below Linux's ephemeral range (32768-60999): a fixed port there can be taken at any moment by
# some program's outgoing connection or a port-0 listener. The pid spreads parallel runs.
PORT_BASE = 24000 + (os.getpid() % 40) * 150

pytestmark = pytest.mark.skipif(shutil.which("postfix") is None and not Path("/usr/sbin/postfix").exists(),
                                reason="postfix is not installed (scripts/setup installs it)")


class MailEnv:
    def __init__(self, root, base):
        self.root = Path(root)
        self.base = base
        self.env = dict(os.environ, MAILENV_ROOT=str(self.root), MAILENV_PORT_BASE=str(base))
        self.smtp = base + 25
        self.imap = base + 143
        self.pop3 = base + 110

    def run(self, script):
        p = subprocess.run([str(MAILENV / script)], env=self.env, capture_output=True, text=True,
                           timeout=120)
        assert p.returncode == 0, f"mailenv {script}: {p.stdout}\n{p.stderr}"

    def maildir(self, user):
        return self.root / "vmail" / "fax.test" / user / "Maildir"

    def messages(self, user):
        out = []
        for sub in ("new", "cur"):
            d = self.maildir(user) / sub
            if d.exists():
                out += [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
                        for p in sorted(d.iterdir())]
        return out

    def wait_messages(self, user, count, timeout=60, what=""):
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = self.messages(user)
            if len(got) >= count:
                return got
            time.sleep(0.3)
        raise AssertionError(f"{user}@fax.test has {len(self.messages(user))} mails, expected "
                             f"{count} {what}\n{self.log_tail()}")

    def log_tail(self):
        log = self.root / "postfix" / "maillog"
        return log.read_text(errors="replace")[-3000:] if log.exists() else ""

    def postfix_pid(self):
        return int((self.root / "postfix" / "spool" / "pid" / "master.pid").read_text().strip())

    def submit(self, msg, sender, to):
        """Hands a message to Postfix (the sender's MTA), which delivers to Dovecot."""
        import smtplib
        with smtplib.SMTP("127.0.0.1", self.smtp, timeout=30) as s:
            s.sendmail(sender, [to], msg.as_bytes() if hasattr(msg, "as_bytes") else msg)


@pytest.fixture(scope="module")
def mailenv(tmp_path_factory):
    root = Path("/tmp") / f"faxgate-mailtest-{os.getpid()}"
    env = MailEnv(root, PORT_BASE)
    env.run("setup")
    env.run("start")
    yield env
    env.run("stop")
    shutil.rmtree(root, ignore_errors=True)


def wait_port(port, up, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as s:
            ok = s.connect_ex(("127.0.0.1", port)) == 0
        if ok == up:
            return
        time.sleep(0.1)
    raise AssertionError(f"port {port} did not go {'up' if up else 'down'}")


MAIL_CONFIG = FAST + '''
[mail]
smtp_listen = "127.0.0.1:0"
hostname = "faxgate.test"
fax_domains = ["faxgate.test"]
retry_s = 2
trusted_authserv_ids = ["mx.fax.test"]
'''


def setup_daemon(make_daemon, mailenv, config=MAIL_CONFIG, demo_email="alice@fax.test"):
    d = make_daemon(config)
    r = d.put("/api/v1/mail/servers/relay", json={
        "protocol": "smtp", "host": "127.0.0.1", "port": mailenv.smtp, "tls": "starttls",
        "verify_certificate": False})
    assert r.status_code == 200, r.text
    r = d.patch("/api/v1/users/demo", json={"email": demo_email, "fax_by_email": True})
    assert r.status_code == 200, r.text
    return d


def add_mailbox(d, mailenv, protocol="imap"):
    r = d.put("/api/v1/mail/servers/shared", json={
        "protocol": protocol, "host": "127.0.0.1",
        "port": mailenv.imap if protocol == "imap" else mailenv.pop3, "tls": "starttls",
        "verify_certificate": False, "user": "poller@fax.test", "password": "pollerpass"})
    assert r.status_code == 200, r.text


def wait_jobs(d, count, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        jobs = d.get("/api/v1/faxes?direction=outbound&limit=100").json()["faxes"]
        if len(jobs) >= count and all(j["status"] in ("succeeded", "failed") for j in jobs):
            return jobs
        time.sleep(0.3)
    raise AssertionError(f"jobs: {d.get('/api/v1/faxes?direction=outbound').text}\n"
                         f"{d.log_text()[-3000:]}")


def tiff_pages(path):
    out = subprocess.run(["tiffinfo", str(path)], capture_output=True, text=True).stdout
    return out


def pdf_bytes():
    return subprocess.run(["gs", "-q", "-sDEVICE=pdfwrite", "-o", "-", "-c",
                           "/Helvetica findfont 24 scalefont setfont 72 700 moveto (Mail to fax) show showpage"],
                          capture_output=True, check=True).stdout


def test_received_fax_arrives_in_the_mailbox_as_tiff_profile_s(make_daemon, mailenv, sample,
                                                                tmp_path):
    d = setup_daemon(make_daemon, mailenv, demo_email="fax@fax.test")
    before = len(mailenv.messages("fax"))
    d.cli("send", "-d", "8001", "--wait", str(sample))

    msg = mailenv.wait_messages("fax", before + 1, what="(the received fax)")[-1]
    assert "Fax" in msg["Subject"] and "8001" in msg["Subject"]
    assert msg["X-Faxgate-Job"].startswith("fg-onramp-")
    tiffs = [p for p in msg.iter_attachments() if p.get_content_type() == "image/tiff"]
    assert len(tiffs) == 1
    assert tiffs[0].get_param("application") == "faxbw"
    tif = tmp_path / "mailed.tif"
    tif.write_bytes(tiffs[0].get_content())
    info = tiff_pages(tif)
    assert info.count("TIFF Directory") == 3           # every page
    assert "CCITT Group 3" in info and "Image Width: 1728" in info
    text = [p for p in msg.walk() if p.get_content_type() == "text/plain"][0].get_content()
    assert "8001" in text and "3" in text

    fax_id = d.inbound("received")[0]["id"]
    mails = d.get(f"/api/v1/faxes/{fax_id}/mails").json()["mails"]
    assert mails and mails[0]["state"] == "sent" and mails[0]["recipients"][0]["address"] == "fax@fax.test"


def test_mail_to_fax_number_is_faxed_and_the_sender_gets_the_result(make_daemon, mailenv):
    d = setup_daemon(make_daemon, mailenv)
    before = len(mailenv.messages("alice"))
    pdf = pdf_bytes()
    p = subprocess.run(["swaks", "--server", f"127.0.0.1:{d.smtp_port}", "--from", "alice@fax.test",
                        "--to", "FAX=8001@faxgate.test", "--h-Subject", "Quotation",
                        "--body", "Please sign and return.", "--attach-type", "application/pdf",
                        "--attach-name", "quote.pdf", "--attach", "-"],
                       input=pdf, capture_output=True, timeout=60)
    out = p.stdout.decode(errors="replace")
    assert p.returncode == 0, out
    assert "250 2.0.0 accepted as fax job" in out

    jobs = wait_jobs(d, 1)
    assert jobs[0]["status"] == "succeeded", jobs
    assert any(f["called_number"] == "8001" for f in d.inbound("received"))

    # alice is demo's address, so she gets two mails: the fax demo received, and the result.
    mails = mailenv.wait_messages("alice", before + 2, what="(received fax and result mail)")
    results = [m for m in mails[before:] if m["Subject"].startswith("Fax sent")]
    assert len(results) == 1, [m["Subject"] for m in mails[before:]]
    result = results[0]
    assert result["In-Reply-To"]
    body = [p for p in result.walk() if p.get_content_type() == "text/plain"][0].get_content()
    assert "8001" in body
    # The first page is shown in the HTML version (mail_result_thumbnail is on by default).
    assert result.get_content_type() == "multipart/alternative"
    related = [p for p in result.walk() if p.get_content_type() == "multipart/related"]
    assert len(related) == 1
    html = [p for p in related[0].walk() if p.get_content_type() == "text/html"][0].get_content()
    png = [p for p in related[0].walk() if p.get_content_type() == "image/png"][0]
    cid = png["Content-ID"].strip("<> ")
    assert f'src="cid:{cid}"' in html and "8001" in html
    assert png.get_content_disposition() == "inline"
    assert png.get_payload(decode=True).startswith(b"\x89PNG")


def test_mail_asking_for_a_read_receipt_gets_processed_once_the_fax_is_sent(make_daemon, mailenv):
    d = setup_daemon(make_daemon, mailenv)
    before = len(mailenv.messages("alice"))
    p = subprocess.run(["swaks", "--server", f"127.0.0.1:{d.smtp_port}", "--from", "alice@fax.test",
                        "--to", "FAX=8001@faxgate.test", "--h-Subject", "Receipt please",
                        "--add-header", "Disposition-Notification-To: alice@fax.test",
                        "--h-Message-Id", "<mdn-e2e-1@fax.test>",
                        "--body", "Please fax this page."],
                       capture_output=True, timeout=60)
    assert p.returncode == 0, p.stdout.decode(errors="replace")
    jobs = wait_jobs(d, 1)
    assert jobs[0]["status"] == "succeeded", jobs

    # alice gets demo's received fax, the result mail and the read receipt.
    mails = mailenv.wait_messages("alice", before + 3, what="(received fax, result, receipt)")
    reports = [m for m in mails[before:] if m.get_content_type() == "multipart/report"]
    assert len(reports) == 1, [m["Subject"] for m in mails[before:]]
    mdn = reports[0]
    assert mdn.get_param("report-type") == "disposition-notification"
    assert mdn["In-Reply-To"].strip() == "<mdn-e2e-1@fax.test>"
    assert mdn["Return-Path"].strip() == "<>"
    fields = [part for part in mdn.walk()
              if part.get_content_type() == "message/disposition-notification"]
    assert len(fields) == 1
    text = fields[0].as_string()
    assert "automatic-action/MDN-sent-automatically; processed" in text, text
    assert "Original-Message-ID: <mdn-e2e-1@fax.test>" in text, text


def test_mail_from_an_unknown_sender_is_refused_at_smtp(make_daemon, mailenv):
    d = setup_daemon(make_daemon, mailenv)
    p = subprocess.run(["swaks", "--server", f"127.0.0.1:{d.smtp_port}", "--from", "mallory@evil.test",
                        "--to", "FAX=8001@faxgate.test", "--body", "hi"],
                       capture_output=True, timeout=60)
    out = p.stdout.decode(errors="replace")
    assert "550 5.7.1" in out and "not registered" in out
    assert d.get("/api/v1/faxes?direction=outbound").json()["faxes"] == []


def gb2312_mail(sender, subject, message_id=None):
    msg = MIMEMultipart()
    msg["From"] = sender
    msg["To"] = "poller@fax.test"
    msg["Subject"] = Header(subject, "gb2312").encode()
    msg["Message-ID"] = message_id or email.utils.make_msgid(domain="fax.test")
    msg["Date"] = email.utils.formatdate()
    msg.attach(MIMEText("请查收。", "plain", "gb2312"))
    att = MIMEApplication(pdf_bytes(), "pdf")
    att.add_header("Content-Disposition", "attachment", filename=("gb2312", "", "报价.pdf"))
    msg.attach(att)
    return msg


def test_shared_mailbox_subject_with_two_chinese_recipients_sends_both(make_daemon, mailenv):
    d = setup_daemon(make_daemon, mailenv)
    mailenv.submit(gb2312_mail("alice@fax.test", "8001/张三; 8000/李四"), "alice@fax.test",
                   "poller@fax.test")
    add_mailbox(d, mailenv)

    jobs = wait_jobs(d, 2)
    assert len(jobs) == 2
    names = sorted(j.get("recipient_name", "") for j in jobs)
    assert names == ["张三", "李四"], jobs
    assert all(j["status"] == "succeeded" for j in jobs)
    # The message was taken out of the shared mailbox once its jobs were committed.
    deadline = time.time() + 30
    while time.time() < deadline and mailenv.messages("poller"):
        time.sleep(0.3)
    assert mailenv.messages("poller") == []


def test_forged_sender_and_wrong_password_are_answered_with_the_reason(make_daemon, mailenv):
    d = setup_daemon(make_daemon, mailenv)
    r = d.patch("/api/v1/settings", json={"mail_password_auth": "true"})
    assert r.status_code == 200, r.text
    fax_before = len(mailenv.messages("fax"))
    alice_before = len(mailenv.messages("alice"))
    mailenv.submit(gb2312_mail("fax@fax.test", "8001/张三"), "fax@fax.test", "poller@fax.test")
    mailenv.submit(gb2312_mail("alice@fax.test", "8001/张三:wrong-password"), "alice@fax.test",
                   "poller@fax.test")
    add_mailbox(d, mailenv)

    forged = mailenv.wait_messages("fax", fax_before + 1, what="(reply to the forged sender)")[-1]
    text = [p for p in forged.walk() if p.get_content_type() == "text/plain"][0].get_content()
    assert "not registered" in text
    wrong = mailenv.wait_messages("alice", alice_before + 1, what="(reply about the password)")[-1]
    text = [p for p in wrong.walk() if p.get_content_type() == "text/plain"][0].get_content()
    assert "password" in text and "wrong-password" not in text
    assert d.get("/api/v1/faxes?direction=outbound").json()["faxes"] == []


def test_shared_mailbox_takes_spf_only_from_the_trusted_servers_authentication_results(
        make_daemon, mailenv):
    d = setup_daemon(make_daemon, mailenv)
    r = d.patch("/api/v1/settings", json={"mail_require_spf": "true"})
    assert r.status_code == 200, r.text
    alice_before = len(mailenv.messages("alice"))
    # What mx.fax.test (the mailbox's own server) would have written on top of each mail.
    passed = gb2312_mail("alice@fax.test", "8001/张三")
    passed["Authentication-Results"] = "mx.fax.test; spf=pass smtp.mailfrom=alice@fax.test"
    # A sender cannot help itself by writing a header in another server's name.
    failed = gb2312_mail("alice@fax.test", "8000/李四")
    failed["Authentication-Results"] = "mx.fax.test; spf=softfail smtp.mailfrom=alice@fax.test"
    failed.add_header("Authentication-Results", "evil.example; spf=pass smtp.mailfrom=alice@fax.test")
    mailenv.submit(passed, "alice@fax.test", "poller@fax.test")
    mailenv.submit(failed, "alice@fax.test", "poller@fax.test")
    add_mailbox(d, mailenv)

    jobs = wait_jobs(d, 1)
    assert [j.get("recipient_name") for j in jobs] == ["张三"], jobs
    replies = mailenv.wait_messages("alice", alice_before + 2, what="(SPF refusal and result)")
    texts = [[p for p in m.walk() if p.get_content_type() == "text/plain"][0].get_content()
             for m in replies[alice_before:]]
    assert any("did not pass SPF (spf=softfail for fax.test at mx.fax.test)" in t for t in texts), texts
    time.sleep(2)
    assert len(d.get("/api/v1/faxes?direction=outbound").json()["faxes"]) == 1


def test_relay_down_for_a_minute_then_every_queued_mail_is_delivered(make_daemon, mailenv, sample):
    d = setup_daemon(make_daemon, mailenv, demo_email="demo@fax.test")
    before = len(mailenv.messages("demo"))
    pid = mailenv.postfix_pid()
    os.kill(pid, signal.SIGTERM)
    wait_port(mailenv.smtp, up=False)
    down_at = time.monotonic()
    try:
        for _ in range(3):
            d.cli("send", "-d", "8001", "--wait", str(sample))
        # The relay stays down for a minute; several tries fail meanwhile (retry_s = 2, doubling).
        time.sleep(max(0.0, 60 - (time.monotonic() - down_at)))
        queue = d.get("/api/v1/mail/queue").json()["mails"]
        assert len(queue) == 3 and all(m["state"] == "queued" for m in queue), queue
        assert all("127.0.0.1" in m["last_result"] for m in queue), queue
        assert all(m["attempts"] >= 3 for m in queue), queue
    finally:
        subprocess.run(["postfix", "-c", str(mailenv.root / "postfix" / "etc"), "start"],
                       check=True, capture_output=True)
        wait_port(mailenv.smtp, up=True)
    mailenv.wait_messages("demo", before + 3, timeout=90, what="(all three queued mails)")


def test_a_mail_fetched_again_after_a_crash_makes_no_second_fax(make_daemon, mailenv):
    d = setup_daemon(make_daemon, mailenv)
    msg = gb2312_mail("alice@fax.test", "8001/张三", message_id="<crash-test-1@fax.test>")
    mailenv.submit(msg, "alice@fax.test", "poller@fax.test")
    add_mailbox(d, mailenv)
    wait_jobs(d, 1)
    # kill -9 and restart; then the same mail shows up in the mailbox again, as it would after a
    # crash between commit and delete.
    d.kill9()
    mailenv.submit(msg, "alice@fax.test", "poller@fax.test")
    d.start()
    deadline = time.time() + 30
    while time.time() < deadline and mailenv.messages("poller"):
        d.post("/api/v1/mail/poll")
        time.sleep(0.5)
    assert mailenv.messages("poller") == []
    jobs = d.get("/api/v1/faxes?direction=outbound").json()["faxes"]
    assert len(jobs) == 1, jobs


def test_imap_idle_takes_a_new_mail_at_once(make_daemon, mailenv):
    d = setup_daemon(make_daemon, mailenv)
    r = d.patch("/api/v1/settings", json={"mail_check_interval_s": "600"})
    assert r.status_code == 200, r.text
    add_mailbox(d, mailenv)  # empty mailbox: the first poll finds nothing, IDLE starts
    time.sleep(3)
    mailenv.submit(gb2312_mail("alice@fax.test", "8001/张三"), "alice@fax.test", "poller@fax.test")
    # The next timed poll is ten minutes away: only IDLE's push can make the job this soon.
    jobs = wait_jobs(d, 1, timeout=60)
    assert jobs[0]["recipient_name"] == "张三"


def test_pop3_mailbox_is_polled_and_emptied(make_daemon, mailenv):
    d = setup_daemon(make_daemon, mailenv)
    mailenv.submit(gb2312_mail("alice@fax.test", "8001/张三; 8000/李四"), "alice@fax.test",
                   "poller@fax.test")
    add_mailbox(d, mailenv, protocol="pop3")
    jobs = wait_jobs(d, 2)
    assert all(j["status"] == "succeeded" for j in jobs)
    deadline = time.time() + 30
    while time.time() < deadline and mailenv.messages("poller"):
        time.sleep(0.3)
    assert mailenv.messages("poller") == []
