"""`faxgate convert` and the daemon turn every kind of document into TIFF-F fax pages.

The corpus (tests/documents/make_corpus.py) is generated once per session; set
FAXGATE_CORPUS_DIR to keep it between sessions (it is rebuilt only when the script changes).
The daemon tests are marked `daemon` (select with -m daemon, skip with -m "not daemon").
"""
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests

import conftest
import docpages as dp
from tiffpages import read_pages

HERE = Path(__file__).resolve().parent
MAKE_CORPUS = HERE / "documents" / "make_corpus.py"

GOOD = ["text20.pdf", "photos.pdf", "doc.ps", "colour_lzw.tif", "scan_300dpi_g4.tif", "fax_g3_mh.tif",
        "multipage_mix.tif", "photo.png", "photo.jpg", "chart.gif", "picture.bmp", "chinese_gbk.txt",
        "mixed_utf8.txt", "table_zh.html", "report.docx", "sheet.xlsx"]
HOSTILE = ["truncated.pdf", "bomb.pdf", "bigpage.pdf", "huge.tif", "loop.ps", "zipbomb.docx", "random.bin"]
HOSTILE_TIMEOUT = 90
# Programs a conversion may start; none may outlive it.
RENDERERS = ("gs", "gsc", "mutool", "soffice", "soffice.bin", "oosplash", "chromium", "chrome",
             "chrome_crashpad", "headless_shell", "pdftoppm", "pdftocairo", "paps", "wkhtmltopdf")


# --------------------------------------------------------------------------- fixtures, helpers
class Corpus:
    def __init__(self, root):
        self.root = Path(root)
        self.manifest = json.loads((self.root / "manifest.json").read_text())
        self.files = self.manifest["files"]
        self.wedge = self.manifest["photos"]["wedge"]

    def __getitem__(self, name):
        return self.root / name


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    root = os.environ.get("FAXGATE_CORPUS_DIR") or str(tmp_path_factory.mktemp("corpus"))
    p = subprocess.run([sys.executable, str(MAKE_CORPUS), root], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, f"make_corpus.py failed:\n{p.stdout}\n{p.stderr}"
    c = Corpus(root)
    assert set(GOOD + HOSTILE) <= set(c.files), "manifest and test lists disagree"
    return c


def run_convert(args, timeout=180, env=None):
    """`faxgate convert ARGS`; returns the CompletedProcess (text mode)."""
    return subprocess.run([conftest.FAXGATE, "convert", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=env)


def convert_ok(inputs, out, *options):
    """Converts with --json, asserts success and a sane summary; returns the summary."""
    p = run_convert([*options, "--json", *inputs, "-o", out])
    names = " ".join(Path(i).name for i in inputs)
    assert p.returncode == 0, f"faxgate convert {' '.join(map(str, options))} {names} -> {p.returncode}\n{p.stderr}"
    summary = json.loads(p.stdout)
    assert Path(summary["output"]).resolve() == Path(out).resolve(), summary
    assert isinstance(summary["seconds"], (int, float)) and summary["seconds"] >= 0
    docs = summary["documents"]
    assert [Path(d["file"]).name for d in docs] == [Path(i).name for i in inputs], summary
    assert sum(d["pages"] for d in docs) + summary["cover_pages"] == summary["pages"], summary
    for d in docs:
        assert isinstance(d["type"], str) and d["type"], summary
    assert Path(out).exists()
    return summary


@pytest.fixture(scope="session")
def fax(corpus, tmp_path_factory):
    """fax(name, *options) -> (summary, path): converted once per session and option set."""
    cache, lock = {}, threading.Lock()
    work = tmp_path_factory.mktemp("converted")

    def get(name, *options):
        key = (name, options)
        with lock:
            if key not in cache:
                out = work / f"{len(cache):03d}-{Path(name).stem}.tif"
                cache[key] = (convert_ok([corpus[name]], out, *options), out)
            return cache[key]
    return get


def check_tiff_f(path, pages=None, paper="a4", resolution="fine", min_pages=1):
    """Every page is TIFF-F: G4, LSB-to-MSB, the paper's width, 204 x lpi, full-page height."""
    info = dp.tiff_info(path)
    if pages is not None:
        assert len(info) == pages, f"{path.name}: {len(info)} pages, expected {pages}"
    assert len(info) >= min_pages
    want = (dp.expected_width(paper), dp.expected_height(paper, resolution), 204.0, float(dp.LPI[resolution]))
    for n, p in enumerate(info, 1):
        assert (p.width, p.height, p.xres, p.yres) == want, f"page {n}: {p}"
        assert p.compression == "g4" and p.bits == 1 and p.samples == 1, f"page {n}: {p}"
        assert p.fill_order == "lsb-to-msb", f"page {n}: {p}"
        assert p.photometric == "min-is-white", f"page {n}: {p}"
    return info


def tagged_env():
    """An environment carrying a unique tag, to find any process a conversion leaves behind."""
    tag = uuid.uuid4().hex
    return tag, dict(os.environ, FAXGATE_TEST_TAG=tag)


def _descendants(root):
    children = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d.name))
    out, todo = set(), [root]
    while todo:
        for c in children.get(todo.pop(), []):
            if c not in out:
                out.add(c)
                todo.append(c)
    return out


def leftover_renderers(tag=None, under=None):
    """[(pid, name)] of renderer processes that carry `tag` in their environment or descend from
    `under`."""
    found = []
    below = _descendants(under) if under else set()
    for d in Path("/proc").iterdir():
        if not d.name.isdigit() or int(d.name) == os.getpid():
            continue
        try:
            name = (d / "comm").read_text().strip()
            if name not in RENDERERS and not name.startswith(("soffice", "chrom")):
                continue
            tagged = tag and f"FAXGATE_TEST_TAG={tag}".encode() in (d / "environ").read_bytes()
        except OSError:
            continue
        if tagged or int(d.name) in below:
            found.append((int(d.name), name))
    return found


def wait_no_leftovers(tag=None, under=None, grace=10, allowed=()):
    """Renderers still running after `grace` seconds, except those whose name starts with one
    of `allowed`."""
    deadline = time.time() + grace
    while True:
        left = [(pid, n) for pid, n in leftover_renderers(tag, under) if not n.startswith(tuple(allowed) or ("\0",))]
        if not left or time.time() > deadline:
            return left
        time.sleep(0.2)


def check_failure_message(p, name):
    """Exit 1 and one stderr line naming the file, with a reason after the name."""
    assert p.returncode == 1, f"{name}: exit {p.returncode}\nstdout: {p.stdout[-500:]}\nstderr: {p.stderr[-2000:]}"
    lines = [line for line in p.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"{name}: stderr should be one line:\n{p.stderr[-2000:]}"
    line = lines[0]
    assert line.startswith("faxgate convert:") and name in line, line
    assert len(line.split(name, 1)[1].strip(" :")) >= 5, f"{name}: no reason given: {line}"


# --------------------------------------------------------------------------- every good input
@pytest.mark.parametrize("name", GOOD)
def test_every_input_becomes_tiff_f(corpus, fax, name):
    entry = corpus.files[name]
    summary, out = fax(name)
    info = check_tiff_f(out, entry["pages"], min_pages=entry.get("min_pages", 1))
    assert summary["pages"] == len(info)
    pages = dp.read_bilevel(out)
    assert dp.ink(pages[0]) > 0.0002, f"{name}: page 1 is blank"
    assert all(dp.ink(p) < 0.9 for p in pages), f"{name}: a page is nearly all black"


def test_types_are_detected_from_content_not_names(corpus, tmp_path):
    renamed = [("text20.pdf", "document"), ("photo.png", "holiday.txt"), ("doc.ps", "letter.pdf"),
               ("chinese_gbk.txt", "notes.docx")]
    inputs = []
    for src, new in renamed:
        shutil.copy(corpus[src], tmp_path / new)
        inputs.append(tmp_path / new)
    summary = convert_ok(inputs, tmp_path / "out.tif")
    assert [d["pages"] for d in summary["documents"]][:3] == [20, 1, 3], summary
    check_tiff_f(tmp_path / "out.tif", summary["pages"])


def test_several_inputs_make_one_fax_in_order(corpus, fax, tmp_path):
    summary = convert_ok([corpus["doc.ps"], corpus["photo.jpg"], corpus["mixed_utf8.txt"]], tmp_path / "all.tif")
    assert [d["pages"] for d in summary["documents"]] == [3, 1, 1]
    check_tiff_f(tmp_path / "all.tif", 5)
    together = dp.read_bilevel(tmp_path / "all.tif")
    assert together[3].rows == dp.read_bilevel(fax("photo.jpg")[1])[0].rows


@pytest.mark.parametrize("paper,resolution", [("a4", "standard"), ("a4", "superfine"), ("letter", "fine"),
                                              ("b4", "fine"), ("letter", "standard")])
def test_paper_and_resolution_geometry(corpus, fax, paper, resolution):
    summary, out = fax("text20.pdf", "--paper", paper, "--resolution", resolution)
    check_tiff_f(out, 20, paper, resolution)
    page = dp.read_bilevel(out)[1]
    box = dp.content_box(page)
    # The text block (72 pt margins, centred paper) sits inside the page, not cut off.
    assert box and box[0] > 0.5 * 204 and box[2] < page.width - 0.5 * 204, box


def test_image_geometry_follows_paper(corpus, fax):
    check_tiff_f(fax("photo.png", "--paper", "b4")[1], 1, "b4")
    check_tiff_f(fax("scan_300dpi_g4.tif", "--resolution", "standard")[1], 1, "a4", "standard")


# --------------------------------------------------------------------------- quality
def test_text_pages_are_crisp(fax):
    _, out = fax("text20.pdf")
    pages = dp.read_bilevel(out)
    for n in (2, 3, 4, 5, 11):
        s = dp.speckle(pages[n - 1])
        assert s < 0.0003, f"page {n}: speckle {s:.5f} (isolated pixels per black pixel)"
        assert 0.02 < dp.ink(pages[n - 1]) < 0.12, f"page {n}: ink {dp.ink(pages[n - 1]):.3f}"
    # The 7 pt small print at the foot of page 1 is there (rows of ink, not dropped strokes).
    small = dp.pt_to_px(pages[0], (72, 686, 523, 764))
    assert dp.ink(pages[0], small) > 0.03, f"small print ink {dp.ink(pages[0], small):.3f}"
    assert dp.speckle(pages[0]) < 0.001


@pytest.mark.parametrize("halftone", ["cluster", "diffusion"])
def test_grey_wedge_keeps_its_tones(corpus, fax, halftone):
    _, out = fax("photos.pdf", "--halftone", halftone)
    check_tiff_f(out, 5)
    page = dp.read_bilevel(out)[corpus.manifest["photos"]["page"] - 1]
    pairs = dp.wedge_means(page, corpus.wedge)
    report = ", ".join(f"{s:.0f}->{m:.0f}" for s, m in pairs)
    assert all(abs(m - s) <= 20 for s, m in pairs), f"{halftone} wedge: {report}"
    measured = [m for _, m in pairs]
    assert all(b >= a - 3 for a, b in zip(measured, measured[1:])), f"{halftone} wedge not monotonic: {report}"


def test_threshold_halftone_makes_photos_bilevel_blobs(corpus, fax):
    _, out = fax("photos.pdf", "--halftone", "threshold")
    page = dp.read_bilevel(out)[corpus.manifest["photos"]["page"] - 1]
    means = [m for _, m in dp.wedge_means(page, corpus.wedge)]
    assert means[0] < 10 and means[-1] > 245
    assert sum(1 for m in means if 10 < m < 245) <= 1, means  # every step solid black or white


def test_chinese_text_renders_the_same_from_gbk_and_utf8(corpus, fax, tmp_path):
    summary, out = fax("chinese_gbk.txt")
    pages = dp.read_bilevel(out)
    assert len(pages) >= 2
    for n, page in enumerate(pages, 1):
        assert dp.ink(page) > 0.003 or n == len(pages), f"page {n} ink {dp.ink(page):.4f}"
    utf8 = tmp_path / "chinese_utf8.txt"
    utf8.write_text(corpus["chinese_gbk.txt"].read_bytes().decode("gbk"), encoding="utf-8")
    convert_ok([utf8], tmp_path / "utf8.tif")
    assert [p.rows for p in dp.read_bilevel(tmp_path / "utf8.tif")] == [p.rows for p in pages], \
        "GBK and UTF-8 copies of the same text should render identically"


# --------------------------------------------------------------------------- cover and tag line
COVER_FIELDS = ["to_fax=+86 21 5555 0101", "to_company=华东通信技术有限公司", "from_name=Li Ming",
                "from_company=faxgate", "from_phone=+1 604 555 7977", "subject=季度报告",
                "comments=请查收。Please find the report attached."]


def test_cover_page_comes_first_and_shows_the_name(fax):
    fields = [a for f in COVER_FIELDS for a in ("--field", f)]
    named_summary, named = fax("text20.pdf", "--cover", "chinese-business", "--field", "to_name=张三", *fields)
    empty_summary, empty = fax("text20.pdf", "--cover", "chinese-business", "--field", "to_name=", *fields)
    check_tiff_f(named, 21)
    check_tiff_f(empty, 21)
    a, b = dp.read_bilevel(named), dp.read_bilevel(empty)
    assert dp.ink(a[0]) > 0.002, "cover page is blank"
    count, box = dp.diff(a[0], b[0])
    assert count > 150, f"the name changed only {count} pixels of the cover"
    area = (box[2] - box[0]) * (box[3] - box[1])
    assert area < 0.25 * a[0].width * a[0].height, f"the name changed the cover all over: {box}"
    assert dp.ink(a[0], box) > dp.ink(b[0], box), "the named cover has no more ink where the name is"
    plain = dp.read_bilevel(fax("text20.pdf")[1])
    assert [p.rows for p in a[1:]] == [p.rows for p in plain], "the cover changed the document's pages"


@pytest.mark.parametrize("cover", ["plain", "business", "chinese-business"])
def test_built_in_covers(fax, cover):
    _, out = fax("mixed_utf8.txt", "--cover", cover, "--field", "to_name=Jane Roe", "--field", "from_name=张三")
    check_tiff_f(out, 2)
    assert dp.ink(dp.read_bilevel(out)[0]) > 0.002


def test_cover_from_an_svg_file(corpus, tmp_path):
    svg = tmp_path / "mycover.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" viewBox="0 0 210 297">'
                   '<rect x="20" y="20" width="60" height="40" fill="black"/></svg>')
    out = tmp_path / "out.tif"
    convert_ok([corpus["mixed_utf8.txt"]], out, "--cover", str(svg))
    check_tiff_f(out, 2)
    cover = dp.read_bilevel(out)[0]
    mm = 72 / 25.4
    inside = dp.shrink(dp.pt_to_px(cover, (20 * mm, 20 * mm, 80 * mm, 60 * mm)), 0.7)
    outside = dp.pt_to_px(cover, (20 * mm, 120 * mm, 190 * mm, 280 * mm))
    assert dp.ink(cover, inside) > 0.95 and dp.ink(cover, outside) < 0.001


def test_tag_line_on_every_page(fax):
    _, tagged = fax("text20.pdf", "--tagline", "From %%l|%c|Page %%P of %%T")
    _, plain = fax("text20.pdf")
    check_tiff_f(tagged, 20)
    band = 30  # rows at fine; text20 draws nothing in its top 50 pt (136 rows)
    for n, (t, p) in enumerate(zip(dp.read_bilevel(tagged), dp.read_bilevel(plain)), 1):
        assert dp.band_ink(p, 0, band) == 0, f"page {n}: ink in the top band without a tag line"
        assert dp.band_ink(t, 0, band) > 0.002, f"page {n}: no tag line in the top {band} rows"


# --------------------------------------------------------------------------- received faxes out
def render_pdf_pages(pdf, outdir, renderer):
    """Renders every page of a PDF at fax resolution (204 x 196) to bilevel Pages."""
    outdir.mkdir(exist_ok=True)
    if renderer == "gs":
        subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-r204x196", "-sDEVICE=pbmraw",
                        "-o", str(outdir / "p%03d.pbm"), str(pdf)], check=True, capture_output=True)
        return [dp.read_pbm(f) for f in sorted(outdir.glob("p*.pbm"))]
    from PIL import Image
    subprocess.run(["mutool", "draw", "-q", "-w", "1728", "-h", "2292", "-f", "-c", "gray",
                    "-o", str(outdir / "m%03d.pgm"), str(pdf)], check=True, capture_output=True)
    return [dp.from_grey_image(Image.open(f)) for f in sorted(outdir.glob("m*.pgm"))]


@pytest.mark.parametrize("renderer", ["gs", "mutool"])
def test_fax_to_pdf_is_pixel_exact(fax, tmp_path, renderer):
    # pdftoppm is not used: at -rx 204 -ry 196 it makes 2293 rows from 841.96 pt and resamples
    # (tens of thousands of pixels differ even for tiff2pdf's output); gs and MuPDF are exact.
    _, tif = fax("text20.pdf")
    pdf = tmp_path / "fax.pdf"
    p = run_convert(["--to", "pdf", tif, "-o", pdf])
    assert p.returncode == 0, p.stderr
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           20" in info
    size = [line for line in info.splitlines() if line.startswith("Page size")][0].split()
    assert abs(float(size[2]) - 1728 / 204 * 72) < 0.5 and abs(float(size[4]) - 2292 / 196 * 72) < 0.5, size
    want = dp.read_bilevel(tif)
    got = render_pdf_pages(pdf, tmp_path / renderer, renderer)
    assert len(got) == 20
    for n, (w, g) in enumerate(zip(want, got), 1):
        assert (g.width, g.height) == (1728, 2292), (n, g.width, g.height)
        assert dp.diff(w, g)[0] == 0, f"page {n}: {dp.diff(w, g)} pixels differ ({renderer})"


def test_fax_to_tiff_s_is_mh_and_same_pixels(fax, tmp_path):
    _, tif = fax("text20.pdf")
    out = tmp_path / "s.tif"
    p = run_convert(["--to", "tiff-s", tif, "-o", out])
    assert p.returncode == 0, p.stderr
    info = dp.tiff_info(out)
    assert len(info) == 20
    for page in info:
        assert page.compression == "g3" and not page.g3_2d, page
        assert page.width == 1728 and page.xres == 204 and page.yres in (98.0, 196.0), page
    assert read_pages(out) == read_pages(tif)


def test_received_g3_fax_to_tiff_f_and_png(corpus, tmp_path):
    src = corpus["fax_g3_mh.tif"]
    out = tmp_path / "f.tif"
    p = run_convert(["--to", "tiff-f", src, "-o", out])
    assert p.returncode == 0, p.stderr
    check_tiff_f(out, 1)
    assert read_pages(out) == read_pages(src)
    png = tmp_path / "thumb.png"
    p = run_convert(["--to", "png", src, "-o", png])
    assert p.returncode == 0, p.stderr
    from PIL import Image
    with Image.open(png) as im:
        assert im.format == "PNG" and 32 <= im.width <= 1728, (im.format, im.size)
        lo, hi = im.convert("L").getextrema()
        assert lo < 128 < hi, "the thumbnail is blank"


# --------------------------------------------------------------------------- hostile input
def test_hostile_files_fail_cleanly_and_leave_nothing_running(corpus, tmp_path):
    tag, env = tagged_env()
    procs = {}
    start = time.time()
    for name in HOSTILE:
        procs[name] = subprocess.Popen([conftest.FAXGATE, "convert", "--json", str(corpus[name]), "-o",
                                        str(tmp_path / f"{name}.tif")],
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    results, slow = {}, []
    for name, proc in procs.items():
        try:
            out, err = proc.communicate(timeout=max(1, HOSTILE_TIMEOUT - (time.time() - start)))
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            slow.append(name)
        results[name] = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    assert not slow, f"still converting after {HOSTILE_TIMEOUT} s: {slow}"
    for name, p in results.items():
        entry = corpus.files[name]
        if entry["outcome"] == "either" and p.returncode == 0:
            check_tiff_f(tmp_path / f"{name}.tif", entry["pages"])
        else:
            check_failure_message(p, name)
    left = wait_no_leftovers(tag)
    assert not left, f"renderer processes left running: {left}"


def test_one_bad_file_fails_the_whole_conversion_by_name(corpus, tmp_path):
    p = run_convert([corpus["text20.pdf"], corpus["random.bin"], "-o", tmp_path / "out.tif"])
    check_failure_message(p, "random.bin")
    assert "text20.pdf" not in p.stderr


def test_missing_input_is_named(tmp_path):
    p = run_convert([tmp_path / "nothere.pdf", "-o", tmp_path / "out.tif"])
    check_failure_message(p, "nothere.pdf")


# --------------------------------------------------------------------------- the daemon
def submit(d, name, data, **fields):
    form = [("to", "8001")] + [(k, str(v)) for k, v in fields.items()]
    return d.post("/api/v1/faxes", data=form, files=[("file", (name, data, "application/octet-stream"))])


@pytest.mark.daemon
def test_daemon_converts_office_chinese_text_and_png(daemon, corpus, fax, tmp_path):
    want = {"report.docx": corpus.files["report.docx"]["pages"], "photo.png": 1,
            "chinese_gbk.txt": fax("chinese_gbk.txt")[0]["pages"]}
    jobs = {}
    for name in want:
        r = submit(daemon, name, corpus[name].read_bytes())
        assert r.status_code == 202, r.text
        (job,) = r.json()["faxes"]
        assert job["status"] in ("preparing", "queued", "sending", "succeeded"), job
        jobs[name] = job["id"]
    finals = {name: daemon.wait_final(i) for name, i in jobs.items()}
    for name, f in finals.items():
        assert f["status"] == "succeeded", f"{name}: {f}"
        assert f["pages"] == want[name] and f["pages_sent"] == want[name], f"{name}: {f}"
    received = daemon.inbound("received")
    assert sorted(r["pages"] for r in received) == sorted(want.values())
    for r in received:
        assert r["owner"] == "demo" and r["called_number"] == "8001"
        got = tmp_path / f"rx-{r['id']}.tif"
        resp = daemon.get(f"/api/v1/faxes/{r['id']}/file")
        assert resp.status_code == 200
        got.write_bytes(resp.content)
        pages = dp.read_bilevel(got)
        assert len(pages) == r["pages"]
        assert all(p.width == 1728 for p in pages) and dp.ink(pages[0]) > 0.001
        pdf = daemon.get(f"/api/v1/faxes/{r['id']}/file?format=pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF"), pdf.text[:200]


@pytest.mark.daemon
def test_daemon_hostile_jobs_fail_while_a_good_job_succeeds(make_daemon, corpus, monkeypatch):
    tag, _ = tagged_env()
    monkeypatch.setenv("FAXGATE_TEST_TAG", tag)
    d = make_daemon(conftest.FAST)
    health = {"fail": [], "slowest": 0.0}
    stop = threading.Event()

    def poll():
        while not stop.is_set():
            t0 = time.time()
            try:
                ok = requests.get(d.url + "/healthz", timeout=10).json() == {"status": "ok"}
            except (requests.RequestException, ValueError) as e:
                ok = False
                health["fail"].append(repr(e))
            health["slowest"] = max(health["slowest"], time.time() - t0)
            if not ok and not health["fail"]:
                health["fail"].append("not ok")
            stop.wait(0.5)

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        names = ["text20.pdf"] + HOSTILE
        with concurrent.futures.ThreadPoolExecutor(len(names)) as ex:
            posts = dict(zip(names, ex.map(lambda n: submit(d, n, corpus[n].read_bytes()), names)))
        jobs = {}
        for name, r in posts.items():
            if r.status_code == 400 and name != "text20.pdf":
                assert name in r.json()["error"]["message"], r.text
                continue
            assert r.status_code == 202, f"{name}: {r.status_code} {r.text}"
            jobs[name] = r.json()["faxes"][0]["id"]
        finals = {name: d.wait_final(i, timeout=300) for name, i in jobs.items()}
    finally:
        stop.set()
        poller.join()
    assert finals["text20.pdf"]["status"] == "succeeded", finals["text20.pdf"]
    assert finals["text20.pdf"]["pages"] == 20
    for name, f in finals.items():
        if name == "text20.pdf" or (corpus.files[name]["outcome"] == "either" and f["status"] == "succeeded"):
            continue
        assert f["status"] == "failed", f"{name}: {f}"
        assert name in f["status_text"] and len(f["status_text"]) > len(name) + 5, f"{name}: {f['status_text']}"
        assert not f["attempts"], f"{name} was dialled: {f['attempts']}"
    assert not health["fail"], health
    assert health["slowest"] < 5, f"/healthz took {health['slowest']:.1f} s during conversions"
    assert requests.get(d.url + "/healthz", timeout=10).json() == {"status": "ok"}
    # No renderer may outlive its job (a warm LibreOffice pool may stay: it is the daemon's own).
    left = wait_no_leftovers(tag, d.proc.pid, allowed=("soffice", "oosplash"))
    assert not left, f"renderer processes left running: {left}"
    d.stop()
    left = wait_no_leftovers(tag)
    assert not left, f"processes left after the daemon stopped: {left}"
