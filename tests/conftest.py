"""Starts real faxgate daemons for the end-to-end tests and talks to them."""
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parent.parent
FAXGATE = os.environ.get("FAXGATE_BIN", str(REPO / "build-asan" / "faxgate"))


_taken_ports = set()


def free_port():
    """A port free on 127.0.0.1 for UDP and TCP (faxgate's SIP listens on both) that no other peer
    of this test run was given. It comes from the kernel's ephemeral range."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port in _taken_ports or port + 2 in _taken_ports or port >= 65000:
            continue
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
                t.bind(("127.0.0.1", port))
        except OSError:
            continue
        _taken_ports.update((port, port + 2))
        return port


class Daemon:
    """One `faxgate serve` on a free port with its own data directory, stopped by PID."""

    def __init__(self, data_dir, config=""):
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.config_path = self.data_dir / "faxgate.toml"
        # Every daemon of a test run takes its own SMTP port (the demo's 2525 would collide).
        if "[mail]" not in config:
            config += '\n[mail]\nsmtp_listen = "127.0.0.1:0"\n'
        self.config_path.write_text(config)
        self.proc = None
        self.url = None
        self.token = None
        self.log_path = self.data_dir / "daemon.log"

    def start(self, timeout=60):
        (self.data_dir / "server.json").unlink(missing_ok=True)
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [FAXGATE, "serve", "-c", str(self.config_path), "--data-dir", str(self.data_dir),
             "--listen", "127.0.0.1:0"],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + timeout
        info = self.data_dir / "server.json"
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"faxgate exited with {self.proc.returncode}:\n{self.log_text()}")
            if info.exists():
                try:
                    server_info = json.loads(info.read_text())
                    self.url = server_info["url"]
                    self.smtp_port = server_info.get("smtp_port")
                    break
                except (ValueError, KeyError):
                    pass
            time.sleep(0.05)
        else:
            raise RuntimeError("faxgate did not start:\n" + self.log_text())
        self.token = (self.data_dir / "admin.token").read_text().strip()
        return self

    def log_text(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def kill9(self):
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.proc = None

    # --- REST helpers -------------------------------------------------------------------
    def headers(self, token=None):
        return {"Authorization": f"Bearer {token or self.token}"}

    def get(self, path, **kw):
        return requests.get(self.url + path, headers=self.headers(kw.pop("token", None)), timeout=30, **kw)

    def post(self, path, **kw):
        return requests.post(self.url + path, headers=self.headers(kw.pop("token", None)), timeout=60, **kw)

    def put(self, path, **kw):
        return requests.put(self.url + path, headers=self.headers(kw.pop("token", None)), timeout=30, **kw)

    def patch(self, path, **kw):
        return requests.patch(self.url + path, headers=self.headers(kw.pop("token", None)), timeout=30, **kw)

    def send(self, numbers, files, **fields):
        data = [("to", n) for n in numbers] + [(k, str(v)) for k, v in fields.items()]
        parts = [("file", (Path(f).name, Path(f).read_bytes(), "image/tiff")) for f in files]
        r = self.post("/api/v1/faxes", data=data, files=parts)
        assert r.status_code == 202, r.text
        return [f["id"] for f in r.json()["faxes"]]

    def fax(self, fax_id):
        r = self.get(f"/api/v1/faxes/{fax_id}")
        assert r.status_code == 200, r.text
        return r.json()

    def wait_final(self, fax_id, timeout=240):
        deadline = time.time() + timeout
        while time.time() < deadline:
            f = self.fax(fax_id)
            if f["status"] in ("succeeded", "failed", "cancelled"):
                return f
            time.sleep(0.2)
        raise AssertionError(f"fax {fax_id} did not finish: {self.fax(fax_id)}\n{self.log_text()[-3000:]}")

    def inbound(self, status=None):
        q = "?direction=inbound&limit=500" + (f"&status={status}" if status else "")
        r = self.get("/api/v1/faxes" + q)
        assert r.status_code == 200, r.text
        return r.json()["faxes"]

    def cli(self, *args, check=True):
        env = dict(os.environ, FAXGATE_URL=self.url, FAXGATE_TOKEN=self.token)
        p = subprocess.run([FAXGATE, *args], env=env, capture_output=True, text=True, timeout=300)
        if check:
            assert p.returncode == 0, f"faxgate {' '.join(args)} -> {p.returncode}\n{p.stdout}\n{p.stderr}"
        return p


@pytest.fixture
def make_daemon(tmp_path):
    started = []

    def make(config="", name="node"):
        d = Daemon(tmp_path / name, config)
        started.append(d)
        return d.start()

    yield make
    for d in started:
        d.stop()


FAST = '[loopback]\npace = "fast"\n'


@pytest.fixture
def daemon(make_daemon):
    return make_daemon(FAST)


@pytest.fixture(scope="session")
def sample(tmp_path_factory):
    """A 3-page fine-resolution text document, made by the repo's script."""
    out = tmp_path_factory.mktemp("docs") / "three-pages.tif"
    subprocess.run([str(REPO / "scripts" / "make-sample-tiff"), str(out), "3", "fine"], check=True,
                   capture_output=True)
    return out


def pytest_configure(config):
    config.addinivalue_line("markers", "daemon: the test starts `faxgate serve`")
