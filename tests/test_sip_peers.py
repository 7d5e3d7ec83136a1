"""faxgate against other SIP implementations, all on 127.0.0.1: SIPp as the far end of outbound
calls (486 busy, 404, no answer), SIPp as a digest-challenging registrar, SIPp replaying a recorded
T.38 sender, malformed and hostile SIP and an INVITE flood while a fax is being received, a fax
resumed after the receiver hung up mid-page, and kamailio's dispatcher in front of two faxgate
nodes. Every test starts its own peers (sipp, kamailio, faxgate) on free ports and stops them by
PID. Scenarios are in tests/sip/scenarios/peers_*.xml, the proxy's configuration in
tests/sip/kamailio/."""
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from conftest import free_port, REPO
from tiffpages import read_pages

SCENARIOS = REPO / "tests" / "sip" / "scenarios"
KAMAILIO_CFG = REPO / "tests" / "sip" / "kamailio" / "kamailio.cfg"
# The shared material sits beside the repository (../shared), as in a clean checkout.
SHARED = Path(os.environ.get("FAXGATE_SHARED", REPO.parent / "shared"))
SENDFAX_PCAP = SHARED / "interop" / "asterisk-sendfax.pcap"
SIPP = shutil.which("sipp") or "/usr/bin/sipp"
KAMAILIO = shutil.which("kamailio") or "/usr/sbin/kamailio"

needs_sipp = pytest.mark.skipif(not os.path.exists(SIPP), reason="sipp (sip-tester) is not installed")
needs_kamailio = pytest.mark.skipif(not os.path.exists(KAMAILIO), reason="kamailio is not installed")

CRASH_MARKERS = ("AddressSanitizer", "LeakSanitizer", "runtime error:", "Segmentation fault",
                 "terminate called", "Assertion", "core dumped", "SIGSEGV", "SIGABRT")


# --- ports and processes -------------------------------------------------------------------------


def udp_bound(port):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def wait_until(what, predicate, timeout=30, interval=0.1):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


class Peer:
    """An external program (sipp, kamailio) with its output in a file, stopped by PID."""

    def __init__(self, name, args, out_dir):
        self.name = name
        self.args = [str(a) for a in args]
        self.out_path = Path(out_dir) / f"{name}.out"
        self.out = open(self.out_path, "wb")
        self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=self.out,
                                     stderr=subprocess.STDOUT, cwd=out_dir)

    def text(self):
        self.out.flush()
        return self.out_path.read_text(errors="replace")

    def wait(self, timeout):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{self.name} did not finish within {timeout} s:\n{self.text()[-3000:]}")

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.out.close()


class Sipp(Peer):
    def __init__(self, out_dir, name, scenario, port, calls, remote=None, service=None, rate=None,
                 limit=None, timeout_s=90, extra=()):
        self.port = port
        self.errors = Path(out_dir) / f"{name}.errors.log"
        self.messages = Path(out_dir) / f"{name}.messages.log"
        args = [SIPP, "-sf", scenario]
        if remote:
            args.append(remote)
        args += ["-i", "127.0.0.1", "-p", port, "-mp", free_port(), "-m", calls, "-nostdin",
                 "-timeout", f"{timeout_s}s", "-timeout_error",
                 "-trace_err", "-error_file", self.errors,
                 "-trace_msg", "-message_file", self.messages]
        if service:
            args += ["-s", service]
        if rate:
            args += ["-r", rate]
        if limit:
            args += ["-l", limit]
        super().__init__(name, args + list(extra), out_dir)

    def wait_listening(self, timeout=15):
        wait_until(f"{self.name} to listen on {self.port}",
                   lambda: udp_bound(self.port) or self.proc.poll() is not None, timeout)
        assert self.proc.poll() is None, f"{self.name} exited: {self.text()[-2000:]}"
        return self

    def report(self):
        errors = self.errors.read_text(errors="replace")[-3000:] if self.errors.exists() else ""
        return f"sipp exit {self.proc.returncode}\n{self.text()[-3000:]}\nerrors:\n{errors}"


@pytest.fixture
def peers(tmp_path):
    started = []

    class Factory:
        def sipp(self, *args, **kw):
            p = Sipp(tmp_path, *args, **kw)
            started.append(p)
            return p

        def kamailio(self, port, dispatcher_list):
            rundir = tmp_path / "kamailio-run"
            rundir.mkdir(exist_ok=True)
            p = Peer("kamailio", [KAMAILIO, "-f", KAMAILIO_CFG, "-DD", "-E", "-m", "64", "-M", "8",
                                  "-l", f"udp:127.0.0.1:{port}", "-Y", rundir,
                                  "-A", f'DISPATCHER_LIST="{dispatcher_list}"'], tmp_path)
            started.append(p)
            wait_until("kamailio to listen", lambda: udp_bound(port) or p.proc.poll() is not None, 30)
            assert p.proc.poll() is None, p.text()[-3000:]
            return p

    yield Factory()
    for p in reversed(started):
        p.stop()


# --- faxgate configuration and job helpers ------------------------------------------------------
SANITIZER_ERRORS = ("ERROR: AddressSanitizer", "runtime error:", "terminate called",
                    "Segmentation fault")


@pytest.fixture
def make_daemon(make_daemon):
    """conftest's make_daemon, and at the end every daemon is stopped and its log (which has its
    stderr) must show no sanitizer error or crash, during the test or while shutting down."""
    made = []

    def make(*args, **kw):
        d = make_daemon(*args, **kw)
        made.append(d)
        return d

    yield make
    for d in made:
        d.stop()
    for d in made:
        log = d.log_text()
        for marker in SANITIZER_ERRORS:
            assert marker not in log, f"{marker!r} in {d.log_path}:\n{log[-6000:]}"


def node_config(sip_port, proxy_port, media_base, trunk="", settings="", name="far"):
    trunk_lines = trunk if "answer_timeout_s" in trunk else trunk + "\nanswer_timeout_s = 20"
    return f"""
[sip]
listen = "127.0.0.1:{sip_port}"
[media]
ports = "{media_base}-{media_base + 199}"
{settings}
[[trunk]]
name = "{name}"
proxy = "127.0.0.1:{proxy_port}"
{trunk_lines}
"""


def make_doc(tmp_path_factory, pages):
    out = tmp_path_factory.mktemp(f"peerdocs{pages}") / f"{pages}-pages.tif"
    subprocess.run([str(REPO / "scripts" / "make-sample-tiff"), str(out), str(pages), "fine"],
                   check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def one_page(tmp_path_factory):
    return make_doc(tmp_path_factory, 1)


@pytest.fixture(scope="module")
def three_pages(tmp_path_factory):
    return make_doc(tmp_path_factory, 3)


def finished_attempts(f):
    return [a for a in f.get("attempts", []) if a["result"] != "in_progress"]


def wait_attempts(d, job, n, timeout=120):
    def done():
        f = d.fax(job)
        return f if len(finished_attempts(f)) >= n or f["status"] in ("succeeded", "failed",
                                                                         "cancelled") else None
    try:
        return wait_until(f"{n} finished attempts of job {job}", done, timeout, 0.2)
    except AssertionError:
        raise AssertionError(f"{d.fax(job)}\n{d.log_text()[-4000:]}")


def cancel(d, job):
    if d.fax(job)["status"] not in ("succeeded", "failed", "cancelled"):
        d.post(f"/api/v1/faxes/{job}/cancel")


def line(d, trunk):
    r = d.get("/api/v1/lines")
    assert r.status_code == 200, r.text
    (entry,) = [x for x in r.json()["lines"] if x["trunk"] == trunk]
    return entry


def assert_no_crash(d):
    log = d.log_text()
    for marker in CRASH_MARKERS:
        assert marker not in log, f"{marker!r} in the daemon's log:\n{log[-4000:]}"
    assert d.proc is not None and d.proc.poll() is None, f"the daemon exited:\n{log[-4000:]}"


# --- outbound calls answered by SIPp ------------------------------------------------------------
@needs_sipp
def test_busy_486_is_retried_after_the_busy_interval(make_daemon, peers, one_page):
    sp = free_port()
    sipp = peers.sipp("busy", SCENARIOS / "peers_uas_486.xml", sp, 2).wait_listening()
    d = make_daemon(node_config(free_port(), sp, 24000), name="a")
    assert d.patch("/api/v1/settings", json={"retry_busy_s": "1"}).status_code == 200
    (job,) = d.send(["8001"], [one_page])
    f = wait_attempts(d, job, 2)
    cancel(d, job)
    assert sipp.wait(60) == 0, sipp.report()
    first, second = finished_attempts(f)[:2]
    assert first["result"] == "busy", f
    assert "486" in first["reason"] and "busy" in first["reason"].lower(), first
    assert first["trunk"] == "far"
    assert second["result"] == "busy", f
    assert f["dials"] >= 2 and f["tries"] == 0, f
    assert "INVITE sip:8001@127.0.0.1" in sipp.messages.read_text(errors="replace")


@needs_sipp
def test_404_fails_without_retry(make_daemon, peers, one_page):
    sp = free_port()
    sipp = peers.sipp("notfound", SCENARIOS / "peers_uas_404.xml", sp, 1).wait_listening()
    d = make_daemon(node_config(free_port(), sp, 24200), name="a")
    assert d.patch("/api/v1/settings", json={"retry_interval_s": "1", "retry_busy_s": "1"}
                   ).status_code == 200
    (job,) = d.send(["8001"], [one_page])
    f = d.wait_final(job, timeout=60)
    assert sipp.wait(60) == 0, sipp.report()
    assert f["status"] == "failed", f
    assert len(f["attempts"]) == 1 and f["dials"] == 1, f
    (a,) = f["attempts"]
    assert a["result"] == "bad_number", a
    assert "does not exist" in a["reason"] and "404" in a["reason"], a
    assert f["last_failure"] == "bad_number"
    time.sleep(2)  # and no attempt follows
    assert len(d.fax(job)["attempts"]) == 1


@needs_sipp
def test_no_answer_is_cancelled_after_answer_timeout(make_daemon, peers, one_page):
    sp = free_port()
    sipp = peers.sipp("noanswer", SCENARIOS / "peers_uas_ring_no_answer.xml", sp, 1).wait_listening()
    d = make_daemon(node_config(free_port(), sp, 24400, "answer_timeout_s = 5"), name="a")
    started = time.time()
    (job,) = d.send(["8001"], [one_page])
    f = wait_attempts(d, job, 1, timeout=90)
    elapsed = time.time() - started
    # SIPp's call succeeds only if the CANCEL came, was answered 200/487 and the 487 was ACKed.
    assert sipp.wait(60) == 0, sipp.report()
    cancel(d, job)
    a = finished_attempts(f)[0]
    assert a["result"] == "no_answer", f
    assert "did not answer within 5 s" in a["reason"], a
    assert elapsed >= 4.5, elapsed
    messages = sipp.messages.read_text(errors="replace")
    assert re.search(r"^CANCEL sip:8001@127\.0\.0\.1", messages, re.M), messages[-3000:]


# --- a call dropped mid-page and resumed ---------------------------------------------------------
def test_bye_mid_page_resumes_on_retry(make_daemon, three_pages, tmp_path):
    pa, pb = free_port(), free_port()
    a = make_daemon(node_config(pa, pb, 24600, "t38 = false", name="to-b"), name="a")
    b = make_daemon(node_config(pb, pa, 24800, "t38 = false", name="to-a"), name="b")
    assert a.patch("/api/v1/settings", json={"retry_interval_s": "1"}).status_code == 200
    (job,) = a.send(["8001"], [three_pages])
    wait_until("the first page to be confirmed", lambda: a.fax(job)["pages_sent"] >= 1
               or a.fax(job)["status"] in ("succeeded", "failed"), 240, 0.2)
    assert a.fax(job)["status"] == "sending", (a.fax(job), a.log_text()[-3000:])
    time.sleep(4)  # into page 2
    b.stop()  # SIGTERM: B hangs up its calls with BYE
    b.start()
    f = a.wait_final(job, timeout=400)
    assert f["status"] == "succeeded", (f, a.log_text()[-4000:], b.log_text()[-4000:])
    first, *rest = f["attempts"]
    assert first["result"] == "hung_up", f
    assert first["pages_sent"] in (1, 2), f
    assert rest and rest[0]["first_page"] == first["pages_sent"] + 1, f
    assert sum(x["pages_sent"] for x in f["attempts"]) == 3 and f["pages_sent"] == 3, f
    assert "hung up" in first["reason"].lower() or "bye" in first["reason"].lower(), first

    sent = tmp_path / "sent.tif"
    a.cli("recv", "get", str(job), "-o", str(sent))
    got_pages = []
    for fax in sorted(b.inbound(), key=lambda x: x["id"]):
        if fax["pages"] == 0:
            continue
        path = tmp_path / f"got-{fax['id']}.tif"
        b.cli("recv", "get", str(fax["id"]), "-o", str(path))
        got_pages += read_pages(path)
    assert got_pages == read_pages(sent)


# --- registration ---------------------------------------------------------------------------------
def registrar_trunk(password):
    return (f'register = true\nuser = "faxuser"\npassword = "{password}"\n'
            'register_expires_s = 60')


@needs_sipp
def test_digest_registrar_accepts_the_trunk(make_daemon, peers):
    sp = free_port()
    sipp = peers.sipp("registrar", SCENARIOS / "peers_uas_register_digest.xml", sp, 1).wait_listening()
    d = make_daemon(node_config(free_port(), sp, 25000, registrar_trunk("s3cret"), name="carrier"))
    entry = wait_until("the trunk to register", lambda: (lambda l: l if l["state"] != "registering"
                                                         else None)(line(d, "carrier")), 30)
    assert entry["state"] == "up", (entry, d.log_text()[-3000:], sipp.report())
    assert sipp.wait(30) == 0, sipp.report()
    stat = d.cli("stat").stdout
    assert re.search(r"^Line carrier .*: Running", stat, re.M), stat
    messages = sipp.messages.read_text(errors="replace")
    first, second = re.findall(r"^REGISTER sip:.*?(?=^-{20})", messages, re.M | re.S)[:2]
    assert "Authorization:" not in first and re.search(r"^Expires: 60\r?$", first, re.M), first
    assert re.search(r'^Authorization: Digest .*username="faxuser".*qop=auth', second, re.M), second
    assert "registered as faxuser" in d.log_text()


@needs_sipp
def test_digest_registrar_refuses_a_wrong_password(make_daemon, peers):
    sp = free_port()
    sipp = peers.sipp("registrar", SCENARIOS / "peers_uas_register_digest.xml", sp, 1).wait_listening()
    d = make_daemon(node_config(free_port(), sp, 25200, registrar_trunk("wrong"), name="carrier"))
    entry = wait_until("the registration to fail", lambda: (lambda l: l if l["state"] == "down"
                                                            else None)(line(d, "carrier")), 30)
    assert "403" in entry["detail"], entry
    assert sipp.wait(30) == 0, sipp.report()
    stat = d.cli("stat").stdout
    assert re.search(r"^Line carrier .*: Down: .*403", stat, re.M), stat


# --- a recorded T.38 sender ------------------------------------------------------------------------
@needs_sipp
@pytest.mark.skipif(not SENDFAX_PCAP.exists(), reason=f"{SENDFAX_PCAP} is missing")
@pytest.mark.parametrize("max_datagram", [200, 72])
def test_replayed_t38_sender_is_received(make_daemon, peers, tmp_path, max_datagram):
    scenario = tmp_path / "peers_uac_t38_pcapplay.xml"
    text = (SCENARIOS / "peers_uac_t38_pcapplay.xml").read_text()
    assert "../../../../shared/interop/asterisk-sendfax.pcap" in text
    assert "a=T38FaxMaxDatagram:200" in text
    text = text.replace("a=T38FaxMaxDatagram:200", f"a=T38FaxMaxDatagram:{max_datagram}")
    scenario.write_text(text.replace("../../../../shared/interop/asterisk-sendfax.pcap",
                                     str(SENDFAX_PCAP.resolve())))
    sp, pb = free_port(), free_port()
    b = make_daemon(node_config(pb, sp, 25400, 't38_reinvite = "never"', name="gateway"), name="b")
    sipp = peers.sipp("sendfax", scenario, sp, 1, remote=f"127.0.0.1:{pb}", service="8001")
    assert sipp.wait(120) == 0, sipp.report()
    faxes = wait_until("the received fax", lambda: [x for x in b.inbound()
                                                     if x["status"] not in ("receiving",)], 60)
    assert len(faxes) == 1, faxes
    fax = faxes[0]
    assert fax["status"] == "received", (fax, b.log_text()[-4000:])
    assert fax["pages"] == 1, fax
    assert fax["called_number"] == "8001" and fax["trunk"] == "gateway", fax
    assert "the far end switched the call to T.38" in b.log_text()
    got = tmp_path / "got.tif"
    b.cli("recv", "get", str(fax["id"]), "-o", str(got))
    pages = read_pages(got)
    assert len(pages) == 1 and pages[0][0] == 1728, [(w, h) for w, h, _ in pages]


# --- re-INVITE glare --------------------------------------------------------------------------------
@needs_sipp
def test_t38_reinvite_refused_491_is_retried_and_the_call_switches(make_daemon, peers):
    """491 Request Pending to our T.38 re-INVITE (the peer's own re-INVITE crossed ours) is not a
    refusal: faxgate asks again after RFC 3261's wait, and the second answer switches the call."""
    sp, pb = free_port(), free_port()
    b = make_daemon(node_config(pb, sp, 25600, 't38 = true\nt38_reinvite = "receiver"',
                                name="gateway"), name="b")
    sipp = peers.sipp("glare", SCENARIOS / "peers_uac_t38_491_then_200.xml", sp, 1,
                      remote=f"127.0.0.1:{pb}", service="8001")
    assert sipp.wait(60) == 0, sipp.report()
    wait_until("the call to end", lambda: "ended after" in b.log_text(), 30)
    log = b.log_text()
    assert log.count("to switch to T.38") == 2, log[-4000:]
    assert "switched to T.38" in log, log[-4000:]
    assert "refused T.38" not in log, log[-4000:]
    faxes = b.inbound()
    assert len(faxes) == 1 and faxes[0]["trunk"] == "gateway", faxes
    assert_no_crash(b)


# --- malformed and hostile SIP --------------------------------------------------------------------
class RawSip:
    """A UDP socket on 127.0.0.1 that sends hand-made SIP to one daemon."""

    def __init__(self, port):
        self.dest = ("127.0.0.1", port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]

    def close(self):
        self.sock.close()

    def request(self, method, uri, body="", extra="", call_id=None, cseq=1, to_tag="", branch=None):
        call_id = call_id or uuid.uuid4().hex
        branch = branch or "z9hG4bK" + uuid.uuid4().hex
        headers = (f"{method} {uri} SIP/2.0\r\n"
                   f"Via: SIP/2.0/UDP 127.0.0.1:{self.port};branch={branch};rport\r\n"
                   f"From: <sip:tester@127.0.0.1:{self.port}>;tag=t{call_id[:8]}\r\n"
                   f"To: <{uri}>{to_tag}\r\n"
                   f"Call-ID: {call_id}\r\n"
                   f"CSeq: {cseq} {method}\r\n"
                   f"Contact: <sip:tester@127.0.0.1:{self.port}>\r\n"
                   f"Max-Forwards: 70\r\n{extra}"
                   f"Content-Length: {len(body.encode())}\r\n\r\n")
        return headers + body, call_id, branch

    def send(self, data):
        self.sock.sendto(data if isinstance(data, bytes) else data.encode(), self.dest)

    def responses(self, wait=2.0, until_final=True):
        """Responses that arrive within `wait` seconds (stops early at a final one)."""
        out = []
        deadline = time.time() + wait
        while time.time() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.time()))
            try:
                data, _ = self.sock.recvfrom(70000)
            except (socket.timeout, BlockingIOError):
                break
            text = data.decode(errors="replace")
            out.append(text)
            m = re.match(r"SIP/2\.0 (\d{3})", text)
            if until_final and m and int(m.group(1)) >= 200:
                break
        return out


def status_of(response):
    m = re.match(r"SIP/2\.0 (\d{3})", response)
    return int(m.group(1)) if m else None


def header(response, name):
    m = re.search(rf"^{name}:\s*(.*?)\r?$", response, re.M | re.I)
    return m.group(1) if m else None


def hostile_sequence(raw, port):
    """Sends the malformed and hostile messages; returns what each got, for the assertions."""
    uri = f"sip:8001@127.0.0.1:{port}"
    got = {}

    raw.send(os.urandom(900))
    raw.send(b"\x00\xff" * 300)
    got["random"] = raw.responses(1.0, until_final=False)

    broken = (f"INVITE {uri} SIP/2.0\r\n"
              f"Via: SIP/2.0/UDP 127.0.0.1:{raw.port};branch=z9hG4bKbroken1\r\n"
              "From: <sip:tester@127.0.0.1>;tag=1\r\n"
              f"To: <sip:8001@127.0.0.1\r\n"
              "Call-ID: \r\n"
              "CSeq: abc INVITE\r\n"
              "Contact: <<<>>>\r\n"
              "Max-Forwards: -5\r\n"
              "Content-Length: 99999\r\n\r\nv=0\r\n")
    raw.send(broken)
    raw.send(f"INVITE {uri} SIP/2.0\r\nVia: garbage\r\n\r\n")
    raw.send("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKnothing\r\n"
             "Call-ID: none\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n")
    got["broken"] = raw.responses(1.5, until_final=False)

    # An INVITE with a valid G.711 offer buried in 60 KB of attributes.
    junk = "".join(f"a=x-junk{i}:{'z' * 48}\r\n" for i in range(1000))
    sdp = ("v=0\r\no=tester 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
           f"m=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n{junk}")
    msg, call_id, branch = raw.request("INVITE", uri, sdp, "Content-Type: application/sdp\r\n")
    assert 60000 <= len(msg) < 65000
    raw.send(msg)
    big = raw.responses(5.0)
    got["huge"] = big
    finals = [r for r in big if (status_of(r) or 0) >= 200]
    if finals and status_of(finals[-1]) < 300:  # taken: ACK and hang up
        to = header(finals[-1], "To")
        tag = to[to.index(">") + 1:] if to and ">" in to else ""
        ack, _, _ = raw.request("ACK", uri, call_id=call_id, cseq=1, to_tag=tag)
        raw.send(ack)
        bye, _, _ = raw.request("BYE", uri, call_id=call_id, cseq=2, to_tag=tag)
        raw.send(bye)
        raw.responses(3.0)
    elif finals:
        to = header(finals[-1], "To")
        tag = to[to.index(">") + 1:] if to and ">" in to else ""
        ack, _, _ = raw.request("ACK", uri, call_id=call_id, cseq=1, to_tag=tag, branch=branch)
        raw.send(ack)

    foo, _, _ = raw.request("FOO", f"sip:x@127.0.0.1:{port}")
    raw.send(foo)
    got["unknown"] = raw.responses(3.0)

    options, _, _ = raw.request("OPTIONS", f"sip:127.0.0.1:{port}", extra="Accept: application/sdp\r\n")
    raw.send(options)
    got["options"] = raw.responses(3.0)
    return got


@needs_sipp
def test_hostile_sip_and_an_invite_flood_leave_a_fax_in_progress_unharmed(make_daemon, peers,
                                                                          one_page, tmp_path):
    pa, pb = free_port(), free_port()
    a = make_daemon(node_config(pa, pb, 25600, name="to-b"), name="a")
    b = make_daemon(node_config(pb, pa, 25800, name="to-a"), name="b")

    raw = RawSip(pb)
    try:
        # Before any call: the answers must be right.
        got = hostile_sequence(raw, pb)
        for r in got["random"] + got["broken"]:
            assert status_of(r) == 400, r  # a Bad Request, or nothing at all
        huge = [status_of(r) for r in got["huge"] if (status_of(r) or 0) >= 200]
        assert not huge or huge[-1] in (200, 400, 413, 488, 513), got["huge"]
        unknown = [status_of(r) for r in got["unknown"]]
        assert unknown and unknown[-1] in (405, 501), got["unknown"]
        if unknown[-1] == 405:
            assert header(got["unknown"][-1], "Allow"), got["unknown"][-1]
        options = [status_of(r) for r in got["options"]]
        assert options and options[-1] == 200, got["options"]
        assert line(b, "to-a")["state"] == "up"

        # Again, and an INVITE flood, while A sends B a fax.
        (job,) = a.send(["8001"], [one_page])
        wait_until("B to answer A's call", lambda: "incoming from" in b.log_text()
                   and a.fax(job)["status"] == "sending", 60, 0.1)
        flood = peers.sipp("flood", SCENARIOS / "peers_uac_flood_404.xml", free_port(), 300,
                           remote=f"127.0.0.1:{pb}", service="9999", rate=50, limit=100,
                           timeout_s=120)
        hostile_sequence(raw, pb)
        rc = flood.wait(150)
        assert rc == 0, flood.report()
        assert b.get("/api/v1/lines").status_code == 200
        f = a.wait_final(job, timeout=300)
    finally:
        raw.close()
    assert f["status"] == "succeeded", (f, a.log_text()[-4000:], b.log_text()[-4000:])
    assert len(f["attempts"]) == 1, f
    received = b.inbound("received")
    assert len(received) == 1, received
    got_path, sent_path = tmp_path / "got.tif", tmp_path / "sent.tif"
    b.cli("recv", "get", str(received[0]["id"]), "-o", str(got_path))
    a.cli("recv", "get", str(job), "-o", str(sent_path))
    assert read_pages(got_path) == read_pages(sent_path)
    # B still serves: HTTP, and SIP (OPTIONS).
    assert b.get("/api/v1/lines").status_code == 200
    raw = RawSip(pb)
    try:
        options, _, _ = raw.request("OPTIONS", f"sip:127.0.0.1:{pb}")
        raw.send(options)
        assert [status_of(r) for r in raw.responses(3.0)][-1:] == [200]
    finally:
        raw.close()
    assert_no_crash(b)
    assert_no_crash(a)


# --- kamailio's dispatcher in front of two nodes ---------------------------------------------------
@needs_sipp
@needs_kamailio
def test_kamailio_dispatcher_spreads_calls_and_routes_reinvites(make_daemon, peers, tmp_path):
    kp, p1, p2 = free_port(), free_port(), free_port()
    nodes = {}
    for i, (port, media) in enumerate(((p1, 26000), (p2, 26200)), 1):
        nodes[port] = make_daemon(node_config(port, kp, media, 't38_reinvite = "never"', name="lb"),
                                  name=f"node{i}")
    dispatcher_list = tmp_path / "dispatcher.list"
    dispatcher_list.write_text("# setid destination flags priority attrs\n"
                               f"1 sip:127.0.0.1:{p1} 0 0\n1 sip:127.0.0.1:{p2} 0 0\n")
    kamailio = peers.kamailio(kp, dispatcher_list)
    sipp = peers.sipp("uac", SCENARIOS / "peers_uac_proxy_t38_reinvite.xml", free_port(), 4,
                      remote=f"127.0.0.1:{kp}", service="8001", rate=1, timeout_s=90)
    assert sipp.wait(120) == 0, sipp.report() + "\n" + kamailio.text()[-3000:]

    kam_log = kamailio.text()
    routed = dict(re.findall(r"new INVITE (\S+) -> fax node sip:127\.0\.0\.1:(\d+)", kam_log))
    assert len(routed) == 4, kam_log[-4000:]
    for port, node in nodes.items():
        faxes = wait_until(f"2 finished inbound faxes on node {port}",
                           lambda: (lambda xs: xs if len(xs) >= 2 and all(
                               x["status"] != "receiving" for x in xs) else None)(node.inbound()),
                           60, 0.2)
        assert len(faxes) == 2, faxes
        mine = {ci for ci, p in routed.items() if int(p) == port}
        assert {x["call_id"] for x in faxes} == mine, (faxes, routed)
        assert all(x["called_number"] == "8001" and x["trunk"] == "lb" for x in faxes), faxes
        log = node.log_text()
        switched = [l for l in log.splitlines() if "the far end switched the call to T.38" in l]
        assert len(switched) == 2, log[-4000:]
        assert_no_crash(node)
    # Each re-INVITE was relayed along the Record-Route to the node holding the call.
    reinvites = re.findall(r"in-dialog INVITE \((\S+)\) -> (\S+) du=", kam_log)
    assert len(reinvites) == 4, kam_log[-4000:]
    for ci, ruri in reinvites:
        assert f"127.0.0.1:{routed[ci]}" in ruri, (ci, ruri, routed)
