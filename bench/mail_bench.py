#!/usr/bin/env python3
"""Mail throughput: faxgate's OffRamp listener and OnRamp sender beside Postfix, in one run.

  offramp    smtp-source (Postfix's load generator) sends N mails, each with a 100 KB PDF
             attachment, over 20 parallel SMTP sessions to faxgate's listener
             (FAX=8001@faxgate.test). faxgate answers 250 only after the mail's jobs are
             committed (fsync'd SQLite + spool). Reference: the same command and file against
             Postfix's smtpd delivering to a discard transport.
  onramp     N received faxes are mailed (TIFF-S attachment) while no relay is configured, so
             the mails wait in the queue; then the relay is set and the time until Postfix has
             taken every mail is measured. Reference: smtp-source with a message of the same
             size over the same number of sessions (8, faxgate's mails in flight) to the same
             Postfix.

Usage: bench/mail_bench.py [--mails 500] [--faxes 200] [--build build-bench] [--markdown]
Needs postfix and dovecot (scripts/setup); starts them with scripts/mailenv on port base 26500.
"""
import argparse
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
import conftest  # noqa: E402
from conftest import Daemon  # noqa: E402

PORT_BASE = 26500  # below the ephemeral port range, so no outgoing connection holds one
SMTP_SOURCE = "/usr/sbin/smtp-source"


def sh(*args, env=None, check=True):
    p = subprocess.run([str(a) for a in args], env=env, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))}: {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p


def noise_pdf(size=100 * 1024):
    """A valid one-page PDF of at least `size` bytes: random grey noise (PIL stores it as JPEG,
    which shrinks noise a little, so the picture grows until the file is big enough)."""
    from PIL import Image
    side = int(size ** 0.5)
    rnd = random.Random(7)
    while True:
        img = Image.frombytes("L", (side, side),
                              bytes(rnd.getrandbits(8) for _ in range(side * side)))
        out = io.BytesIO()
        img.save(out, "PDF", resolution=100.0)
        if len(out.getvalue()) >= size:
            return out.getvalue()
        side = int(side * 1.1)


def mail_file(path, sender, pdf):
    msg = MIMEMultipart()
    msg["From"] = sender
    msg["To"] = "fax"
    msg["Subject"] = "bench"
    msg.attach(MIMEText("Please fax this.", "plain"))
    msg.attach(MIMEApplication(pdf, "pdf", Name="bench.pdf"))
    path.write_bytes(msg.as_bytes())  # no Message-ID: every copy is a new mail
    return path.stat().st_size


def smtp_source(port, sessions, count, sender, rcpt, file=None, length=None):
    args = [SMTP_SOURCE, "-s", sessions, "-m", count, "-f", sender, "-t", rcpt]
    args += ["-F", file] if file else ["-l", length]
    t0 = time.monotonic()
    sh(*args, f"127.0.0.1:{port}")
    return time.monotonic() - t0


def mailenv(script, root):
    env = dict(os.environ, MAILENV_ROOT=str(root), MAILENV_PORT_BASE=str(PORT_BASE))
    sh(REPO / "scripts" / "mailenv" / script, env=env)


def add_discard_transport(root):
    etc = root / "postfix" / "etc"
    sh("postconf", "-c", etc, "-e", "transport_maps = inline:{ discard.test=discard: }",
       "relay_domains = discard.test")
    sh("postfix", "-c", etc, "reload")
    time.sleep(1)


def start_faxgate(build, work, extra=""):
    conftest.FAXGATE = str(build / "faxgate")
    d = Daemon(work, '[log]\nlevel = "warn"\n' + extra + '[mail]\n'
                     'smtp_listen = "127.0.0.1:0"\nhostname = "faxgate.test"\n'
                     'fax_domains = ["faxgate.test"]\nretry_s = 1\n')
    d.start()
    r = d.patch("/api/v1/users/demo", json={"email": "alice@fax.test", "fax_by_email": True})
    assert r.status_code == 200, r.text
    return d


def count_jobs(d):
    total, cursor = 0, None
    while True:
        q = "/api/v1/faxes?direction=outbound&limit=200" + (f"&cursor={cursor}" if cursor else "")
        page = d.get(q).json()
        total += len(page["faxes"])
        cursor = page.get("next_cursor")
        if not cursor:
            return total


def bench_offramp(build, work, mails):
    f = work / "offramp.eml"
    size = mail_file(f, "alice@fax.test", noise_pdf())
    ref_s = smtp_source(PORT_BASE + 25, 20, mails, "alice@fax.test", "x@discard.test", file=f)
    # The loopback line answers busy, so the jobs wait for their retry: the figure is the
    # listener's (parse, check, store, commit), not the fax calls'. The same PDF is converted
    # once (conversions are cached by content).
    d = start_faxgate(build, work / "offramp", '[loopback]\nbusy = ["8001"]\n')
    try:
        fg_s = smtp_source(d.smtp_port, 20, mails, "alice@fax.test", "FAX=8001@faxgate.test",
                           file=f)
        jobs = count_jobs(d)
    finally:
        d.stop()
    return {"mails": mails, "bytes": size, "ref_s": ref_s, "fg_s": fg_s, "jobs": jobs}


def queued_mail_bytes(d):
    sizes = [p.stat().st_size for p in (d.data_dir / "spool").rglob("*")
             if p.is_file() and b"X-Faxgate-Job" in p.read_bytes()[:8192]]
    return int(sum(sizes) / len(sizes)) if sizes else 0


def bench_onramp(build, work, faxes):
    d = start_faxgate(build, work / "onramp", '[loopback]\npace = "fast"\n')
    try:
        r = d.patch("/api/v1/users/demo", json={"email": "x@discard.test"})
        assert r.status_code == 200, r.text
        doc = work / "page.tif"
        sh(REPO / "scripts" / "make-sample-tiff", doc, "1", "fine")
        for i in d.send(["8001"] * faxes, [doc]):
            d.wait_final(i, timeout=900)
        deadline = time.time() + 120
        while len(d.get("/api/v1/mail/queue").json()["mails"]) < faxes and time.time() < deadline:
            time.sleep(0.5)
        queued = len(d.get("/api/v1/mail/queue").json()["mails"])
        msg_bytes = queued_mail_bytes(d)
        t0 = time.monotonic()
        r = d.put("/api/v1/mail/servers/relay", json={"protocol": "smtp", "host": "127.0.0.1",
                                                       "port": PORT_BASE + 25, "tls": "none"})
        assert r.status_code == 200, r.text
        while d.get("/api/v1/mail/queue").json()["mails"]:
            time.sleep(0.05)
        fg_s = time.monotonic() - t0
    finally:
        d.stop()
    ref_s = smtp_source(PORT_BASE + 25, 8, queued, "fax@fax.test", "x@discard.test",
                        length=msg_bytes)
    return {"mails": queued, "bytes": msg_bytes, "ref_s": ref_s, "fg_s": fg_s}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mails", type=int, default=500)
    ap.add_argument("--faxes", type=int, default=200)
    ap.add_argument("--build", default="build-bench")
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    build = (REPO / a.build).resolve()
    if not (build / "faxgate").exists():
        sh("cmake", "-S", REPO, "-B", build, "-DCMAKE_BUILD_TYPE=Release", "-DFAXGATE_TESTS=OFF")
        sh("cmake", "--build", build, "-j", os.cpu_count(), "--target", "faxgate")
    work = Path(tempfile.mkdtemp(prefix="faxgate-mailbench-"))
    root = Path("/tmp") / f"faxgate-mailbench-env-{os.getpid()}"
    mailenv("setup", root)
    mailenv("start", root)
    try:
        add_discard_transport(root)
        off = bench_offramp(build, work, a.mails)
        on = bench_onramp(build, work, a.faxes)
    finally:
        mailenv("stop", root)
    rows = [
        ("OffRamp: mails accepted/s, 100 KB PDF, 20 sessions", f"{off['mails'] / off['ref_s']:.1f}",
         f"{off['mails'] / off['fg_s']:.1f}", f"{off['mails']} mails of {off['bytes']} B; "
         f"faxgate committed {off['jobs']} jobs"),
        ("OnRamp: mails delivered to Postfix/s, 8 sessions", f"{on['mails'] / on['ref_s']:.1f}",
         f"{on['mails'] / on['fg_s']:.1f}", f"{on['mails']} mails of about {on['bytes']} B"),
    ]
    if a.markdown:
        print("| measure | Postfix (smtp-source → smtpd → discard) | faxgate | notes |")
        print("|---|---|---|---|")
        for r in rows:
            print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} |")
    else:
        print(json.dumps({"offramp": off, "onramp": on}, indent=2))


if __name__ == "__main__":
    main()
