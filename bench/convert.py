#!/usr/bin/python3
"""Document conversion: `faxgate convert` against Ghostscript, in the same run.

Builds the test corpus (tests/documents/make_corpus.py), then for each case runs, one after the
other, `--runs` times each:
  ours       faxgate convert IN... -o out.tif            (TIFF-F G4, A4 fine, default options)
  reference  gs -q -dNOPAUSE -dBATCH -dSAFER -r204x196 -sPAPERSIZE=a4 -sDEVICE=tiffg4 -o out.tif IN
             for PDF/PS; for Office files LibreOffice cold (`soffice --headless --convert-to pdf`)
             followed by that gs command; "n/a" where no comparable one-command tool is installed
             (images, plain text).
and prints median wall time, pages/s (pages / median wall, start-up included) and peak memory,
then grey reproduction (wedge of photos.pdf: mean absolute error of the 16 steps against the
source, ours with cluster and diffusion halftone, and gs), then warm Office (several Office files
in one `faxgate convert` run; its --json per-document seconds: the first pays LibreOffice's
start, the rest are warm).

Memory, two figures per command:
  max-proc  ru_maxrss from os.wait4() on the command: the kernel reports the largest resident
            set of the process *and of every descendant it waited for* (Linux keeps the
            maximum of the children's maxima, not a sum). A helper that was double-forked away
            (not waited for) is not counted.
  tree      the sum of VmRSS over the command's process tree (found through /proc's parent
            links), sampled every 10 ms; catches pipelines whose processes are resident at the
            same time, may miss a peak shorter than 10 ms.

Usage: bench/convert.py [--runs 5] [--faxgate PATH | --build build-bench] [--markdown]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "tests" / "documents"))
import docpages as dp  # noqa: E402
import make_corpus  # noqa: E402

GS = ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-r204x196", "-sPAPERSIZE=a4", "-sDEVICE=tiffg4"]
IMAGES = ["colour_lzw.tif", "scan_300dpi_g4.tif", "fax_g3_mh.tif", "multipage_mix.tif", "photo.png", "photo.jpg",
          "chart.gif", "picture.bmp"]


def tree_rss_kb(root):
    children = {}
    rss = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(d.name))
            rss[int(d.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
        except (OSError, IndexError, ValueError):
            continue
    total, todo, seen = 0, [root], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def measure(cmd, cwd=None):
    """One run: (wall s, exit status, max-proc RSS KB, sampled tree RSS KB, stdout)."""
    out = tempfile.TemporaryFile()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL, cwd=cwd)
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss_kb(proc.pid))
            done.wait(0.01)
    sampler = threading.Thread(target=sample)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    out.seek(0)
    return wall, proc.returncode, usage.ru_maxrss, peak[0], out.read().decode(errors="replace")


def bench(cmd, runs, pages_of, cwd=None):
    walls, maxrss, tree, last = [], [], [], None
    for _ in range(runs):
        wall, rc, mr, tr, stdout = measure(cmd, cwd)
        if rc != 0:
            return {"error": f"exit {rc}"}
        walls.append(wall)
        maxrss.append(mr)
        tree.append(tr)
        last = stdout
    pages = pages_of(last)
    wall = statistics.median(walls)
    return {"pages": pages, "wall": wall, "pps": pages / wall if pages else 0,
            "maxrss_mb": statistics.median(maxrss) / 1024, "tree_mb": statistics.median(tree) / 1024}


def tiff_pages(path):
    return lambda _stdout: dp.page_count(path)


def json_pages(stdout):
    return json.loads(stdout)["pages"]


def wedge_mae(tif, corpus):
    page = dp.read_bilevel(tif)[corpus["photos"]["page"] - 1]
    pairs = dp.wedge_means(page, corpus["photos"]["wedge"])
    mae, worst = dp.wedge_error(pairs)
    return mae, worst, [round(m) for _, m in pairs]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--faxgate", help="faxgate binary (default: build it in --build)")
    ap.add_argument("--build", default=str(REPO / "build-bench"))
    ap.add_argument("--corpus", help="corpus directory to (re)use (default: a temporary one)")
    ap.add_argument("--markdown", action="store_true", help="print the tables as Markdown for bench/README.md")
    args = ap.parse_args()

    faxgate = args.faxgate
    if not faxgate:
        build = Path(args.build)
        if not (build / "CMakeCache.txt").exists():
            subprocess.run(["cmake", "-S", str(REPO), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release",
                            "-DFAXGATE_TESTS=OFF"], check=True, capture_output=True)
        subprocess.run(["cmake", "--build", str(build), "-j", str(os.cpu_count())], check=True)
        faxgate = str(build / "faxgate")

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        cdir = Path(args.corpus) if args.corpus else work / "corpus"
        t0 = time.time()
        manifest = make_corpus.ensure(cdir)
        print(f"corpus ready in {time.time() - t0:.1f} s ({cdir})", file=sys.stderr)
        c = lambda name: str(cdir / name)  # noqa: E731
        out = str(work / "out.tif")
        ref_out = str(work / "ref.tif")
        lo_profile = (work / "lo-profile").as_uri()

        def ours(*inputs, options=()):
            return [faxgate, "convert", *options, "--json", *map(c, inputs), "-o", out]

        def office_ref(name):
            pdf = str(work / (Path(name).stem + ".pdf"))
            return ["sh", "-c", f'soffice "-env:UserInstallation={lo_profile}" --headless --norestore '
                                f'--convert-to pdf --outdir "{work}" "{c(name)}" >/dev/null 2>&1 && '
                                f'{" ".join(GS)} -o "{ref_out}" "{pdf}"']

        cases = [
            ("text20.pdf (20 p)", ["text20.pdf"], GS + ["-o", ref_out, c("text20.pdf")]),
            ("photos.pdf (5 p)", ["photos.pdf"], GS + ["-o", ref_out, c("photos.pdf")]),
            ("doc.ps (3 p)", ["doc.ps"], GS + ["-o", ref_out, c("doc.ps")]),
            (f"{len(IMAGES)} images (one run)", IMAGES, None),
            ("chinese_gbk.txt", ["chinese_gbk.txt"], None),
            ("mixed_utf8.txt", ["mixed_utf8.txt"], None),
            ("report.docx", ["report.docx"], office_ref("report.docx")),
            ("sheet.xlsx", ["sheet.xlsx"], office_ref("sheet.xlsx")),
        ]
        if shutil.which("soffice"):  # a first LibreOffice start creates the reference profile
            subprocess.run(office_ref("sheet.xlsx"), capture_output=True)
        rows = []
        for label, inputs, ref in cases:
            r = bench(ours(*inputs), args.runs, json_pages)
            rows.append((label, "faxgate", r))
            print(f"  {label}: faxgate done", file=sys.stderr)
            if ref:
                rows.append((label, "reference", bench(ref, args.runs, tiff_pages(ref_out))))
            else:
                rows.append((label, "reference", None))

        # grey reproduction
        grey = []
        for halftone in ("cluster", "diffusion"):
            p = subprocess.run(ours("photos.pdf", options=("--halftone", halftone)), capture_output=True)
            grey.append((f"faxgate --halftone {halftone}",
                         wedge_mae(out, manifest) if p.returncode == 0 else None))
        subprocess.run(GS + ["-o", ref_out, c("photos.pdf")], check=True)
        grey.append(("gs tiffg4 (default halftone)", wedge_mae(ref_out, manifest)))

        # warm Office: several Office files in one run
        office = []
        for i, name in enumerate(["report.docx", "sheet.xlsx", "report.docx", "sheet.xlsx", "report.docx"]):
            dst = work / f"office{i}{Path(name).suffix}"
            shutil.copy(cdir / name, dst)
            office.append(str(dst))
        p = subprocess.run([faxgate, "convert", "--json", *office, "-o", out], capture_output=True, text=True)
        warm = json.loads(p.stdout)["documents"] if p.returncode == 0 else None

    print_tables(rows, grey, warm, args)


def fmt(v, spec):
    return "n/a" if v is None else format(v, spec)


def print_tables(rows, grey, warm, args):
    md = args.markdown
    head = ["case", "tool", "pages", "wall s (median)", "pages/s", "max-proc RSS MB", "tree RSS MB"]
    lines = []
    for label, tool, r in rows:
        if r is None:
            lines.append([label, tool, "n/a", "n/a", "n/a", "n/a", "n/a"])
        elif "error" in r:
            lines.append([label, tool, r["error"], "", "", "", ""])
        else:
            lines.append([label, tool, str(r["pages"]), fmt(r["wall"], ".3f"), fmt(r["pps"], ".1f"),
                          fmt(r["maxrss_mb"], ".1f"), fmt(r["tree_mb"], ".1f")])
    print_table(head, lines, md, f"Conversion, A4 fine, median of {args.runs} runs")
    glines = []
    for label, g in grey:
        if g is None:
            glines.append([label, "failed", "", ""])
        else:
            mae, worst, means = g
            glines.append([label, f"{mae:.1f}", f"{worst:.1f}", " ".join(map(str, means))])
    print_table(["photos.pdf wedge", "MAE", "worst", "16 step means (source 0, 17, ... 255)"], glines, md,
                "Grey reproduction")
    if warm is None:
        print("\nwarm Office: faxgate convert failed")
    else:
        wl = [[str(i + 1), d["file"], str(d["pages"]), f"{d['seconds']:.3f}"] for i, d in enumerate(warm)]
        print_table(["#", "document", "pages", "seconds"], wl, md,
                    "Office files in one `faxgate convert` run (first cold, the rest warm)")


def print_table(head, lines, md, title):
    print()
    print(("**" + title + "**") if md else title)
    print()
    if md:
        print("| " + " | ".join(head) + " |")
        def numeric(i):
            return all(v.replace(".", "", 1).isdigit() or v in ("n/a", "") for v in (line[i] for line in lines))
        print("|" + "|".join("---:" if i >= 2 and numeric(i) else "---" for i in range(len(head))) + "|")
        for line in lines:
            print("| " + " | ".join(line) + " |")
        return
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(head)]
    print("  ".join(h.ljust(w) for h, w in zip(head, widths)))
    for line in lines:
        print("  ".join(v.ljust(w) for v, w in zip(line, widths)))


if __name__ == "__main__":
    main()
