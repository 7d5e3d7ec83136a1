#!/usr/bin/env python3
"""N simultaneous fax calls in real time: faxgate's loopback trunk against bare spandsp.

For each N it runs, in one go on this machine:
  reference  bench/spandsp_reference: N pairs of spandsp audio terminals, nothing else;
  faxgate    the real daemon (Release build), N jobs submitted over REST to demo DID 8001, the
             loopback trunk carrying every call through two fax sessions in real time.
and prints success rate, pages received pixel-identical, CPU ms per call-second, 20 ms tick
lateness (median, p99) and peak memory for both.

Usage: bench/loopback_bench.py [--calls 50,100,200] [--build build-bench]
(builds the Release tree first if needed; the document is one standard-resolution page).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from conftest import Daemon  # noqa: E402
from tiffpages import read_pages  # noqa: E402


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def metric(text, name):
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return 0.0


def run_reference(build, n, doc, work):
    out = work / f"ref-{n}"
    out.mkdir(exist_ok=True)
    p = subprocess.run([str(build / "bench" / "spandsp_reference"), "--calls", str(n), "--threads",
                        str(os.cpu_count()), "--doc", str(doc), "--out", str(out)],
                       capture_output=True, text=True)
    r = json.loads(p.stdout)
    want = read_pages(doc)
    r["exact"] = sum(read_pages(f) == want for f in out.glob("ref-rx-*.tif"))
    return r


def run_faxgate(build, n, doc, work):
    os.environ["FAXGATE_BIN"] = str(build / "faxgate")
    import conftest
    conftest.FAXGATE = str(build / "faxgate")
    d = Daemon(work / f"faxgate-{n}", f'[log]\nlevel = "warn"\n[loopback]\npace = "realtime"\nchannels = {n}\n'
               f'[media]\nworkers = {os.cpu_count()}\n')
    d.start()
    try:
        cpu0 = cpu_seconds(d.proc.pid)
        ids = d.send(["8001"] * n, [doc])
        finals = [d.wait_final(i, timeout=900) for i in ids]
        cpu = cpu_seconds(d.proc.pid) - cpu0
        metrics = d.get("/metrics").text
        rss = peak_rss_mb(d.proc.pid)
        call_seconds = sum(a["duration_ms"] for f in finals for a in f["attempts"]) / 1000.0
        want = read_pages(doc)
        exact = 0
        for fax in d.inbound("received"):
            path = work / f"fg-{n}-{fax['id']}.tif"
            path.write_bytes(d.get(f"/api/v1/faxes/{fax['id']}/file").content)
            exact += read_pages(path) == want
        return {
            "calls": n,
            "succeeded": sum(f["status"] == "succeeded" for f in finals),
            "exact": exact,
            "cpu_s": cpu,
            "call_seconds": call_seconds,
            "cpu_ms_per_call_second": cpu * 1000.0 / call_seconds if call_seconds else 0,
            "tick_p50_ms": metric(metrics, 'faxgate_media_tick_lateness_ms{quantile="0.5"}'),
            "tick_p99_ms": metric(metrics, 'faxgate_media_tick_lateness_ms{quantile="0.99"}'),
            "max_rss_mb": rss,
        }
    finally:
        d.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", default="50,100,200")
    ap.add_argument("--build", default=str(REPO / "build-bench"))
    args = ap.parse_args()
    build = Path(args.build)
    if not (build / "CMakeCache.txt").exists():
        subprocess.run(["cmake", "-S", str(REPO), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release",
                        "-DFAXGATE_TESTS=OFF"], check=True, capture_output=True)
    subprocess.run(["cmake", "--build", str(build), "-j", str(os.cpu_count())], check=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        doc = work / "page.tif"
        subprocess.run([str(REPO / "scripts" / "make-sample-tiff"), str(doc), "1", "standard"],
                       check=True, capture_output=True)
        print(f"{'tool':<10} {'calls':>5} {'ok':>5} {'exact':>5} {'CPU ms/call-s':>13} "
              f"{'tick p50':>8} {'tick p99':>8} {'RSS MB':>7}")
        for n in [int(x) for x in args.calls.split(",")]:
            for tool, fn in (("spandsp", run_reference), ("faxgate", run_faxgate)):
                t0 = time.time()
                r = fn(build, n, doc, work)
                print(f"{tool:<10} {n:>5} {r['succeeded']:>5} {r['exact']:>5} "
                      f"{r['cpu_ms_per_call_second']:>13.3f} {r['tick_p50_ms']:>8.2f} "
                      f"{r['tick_p99_ms']:>8.2f} {r['max_rss_mb']:>7.1f}   ({time.time() - t0:.0f} s)",
                      flush=True)


if __name__ == "__main__":
    main()
