"""Looks at fax pages made by the document converter: geometry, encoding, ink, crispness, grey.

Pure Python plus libtiff's command-line tools (tiffinfo, tiffcp, via tiffpages.read_pages); no
numpy. A decoded bilevel page is a `Page`: its rows are Python integers, one bit per pixel,
1 = black, the leftmost pixel in the highest bit (column x is bit `width - 1 - x`). Whole-row
integer operations (shifts, and/or, int.bit_count) make neighbourhood tests over a
1728 x 2292 page take milliseconds.

Geometry of a fax page, as faxgate's src/document/page_format.cpp defines it: 204 dpi across,
98/196/391 lines per inch down, 1728 pixels wide (2048 for B4), full-page height
round(paper height in inches x lpi). Content narrower than the scan line is centred on it.
"""
import re
import subprocess
from dataclasses import dataclass

from tiffpages import read_pages

LPI = {"standard": 98, "fine": 196, "superfine": 391}
PAPER_IN = {"a4": (210 / 25.4, 297 / 25.4), "letter": (8.5, 11.0), "b4": (250 / 25.4, 353 / 25.4)}
XDPI = 204


def expected_width(paper="a4"):
    return 2048 if paper == "b4" else 1728


def expected_height(paper="a4", resolution="fine"):
    """Rows of a full page, rounded like page_format.cpp (std::lround)."""
    return int(PAPER_IN[paper][1] * LPI[resolution] + 0.5)


# --------------------------------------------------------------------------- tiffinfo
@dataclass
class PageInfo:
    width: int
    height: int
    xres: float
    yres: float
    compression: str   # "g4", "g3" (see g3_2d), "none", "lzw", ... (tiffinfo's scheme, shortened)
    g3_2d: bool        # Group 3 Options bit 0: 2-D coding (MR); False = MH
    fill_order: str    # "lsb-to-msb", "msb-to-lsb" or "" when the tag is absent
    photometric: str   # "min-is-white", "min-is-black", ...
    bits: int
    samples: int


_COMPRESSION = {"CCITT Group 4": "g4", "CCITT Group 3": "g3", "None": "none", "LZW": "lzw",
                "PackBits": "packbits", "JPEG": "jpeg", "AdobeDeflate": "deflate", "Deflate": "deflate"}


def tiff_info(path):
    """One PageInfo per directory, parsed from `tiffinfo` output."""
    p = subprocess.run(["tiffinfo", str(path)], capture_output=True, text=True)
    if p.returncode != 0 and "TIFF Directory" not in p.stdout:
        raise ValueError(f"tiffinfo {path}: {p.stderr.strip()}")
    pages = []
    for block in re.split(r"^TIFF Directory at offset.*$", p.stdout, flags=re.M)[1:]:
        def field(pattern, default=""):
            m = re.search(pattern, block, flags=re.M)
            return m.group(1).strip() if m else default
        wh = re.search(r"Image Width: (\d+) Image Length: (\d+)", block)
        res = re.search(r"Resolution: ([\d.]+), ([\d.]+)(.*)", block)
        xres, yres = (float(res.group(1)), float(res.group(2))) if res else (0.0, 0.0)
        if res and "pixels/cm" in res.group(3):
            xres, yres = xres * 2.54, yres * 2.54
        scheme = field(r"Compression Scheme: (.*)$")
        g3 = field(r"Group 3 Options: \((\d+)", "0")
        pages.append(PageInfo(
            width=int(wh.group(1)), height=int(wh.group(2)), xres=xres, yres=yres,
            compression=_COMPRESSION.get(scheme, scheme.lower()), g3_2d=bool(int(g3) & 1),
            fill_order=field(r"FillOrder: (.*)$"), photometric=field(r"Photometric Interpretation: (.*)$"),
            bits=int(field(r"Bits/Sample: (\d+)", "1")), samples=int(field(r"Samples/Pixel: (\d+)", "1"))))
    return pages


def page_count(path):
    return len(tiff_info(path))


# --------------------------------------------------------------------------- decoding
@dataclass
class Page:
    width: int
    height: int
    rows: list  # ints, 1 = black, column x = bit (width - 1 - x)

    def black(self):
        return sum(r.bit_count() for r in self.rows)


def _page_from_packed(width, height, data):
    stride = (width + 7) // 8
    pad = stride * 8 - width
    mask = (1 << width) - 1
    rows = [(int.from_bytes(data[y * stride:(y + 1) * stride], "big") >> pad) & mask for y in range(height)]
    return Page(width, height, rows)


def read_bilevel(path):
    """Every page of a bilevel TIFF (any compression) as Pages."""
    return [_page_from_packed(w, h, data) for w, h, data in read_pages(path)]


def read_pbm(path):
    """A raw PBM (P4, as `pdftoppm -mono` writes: 1 = black) as a Page."""
    with open(path, "rb") as f:
        data = f.read()
    fields, pos = [], 2
    assert data[:2] == b"P4", f"{path} is not a raw PBM"
    while len(fields) < 2:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(int(data[pos:end]))
        pos = end
    pos += 1
    width, height = fields
    return _page_from_packed(width, height, data[pos:])


def from_grey_image(img, threshold=128):
    """A PIL image (any mode) as a Page, black where grey < threshold."""
    g = img.convert("L").point(lambda v: 255 if v < threshold else 0).convert("1")
    return _page_from_packed(g.width, g.height, g.tobytes())


# --------------------------------------------------------------------------- measures
def _span(page, x0, x1):
    """(shift, mask) that select columns x0..x1-1 of a row."""
    x0, x1 = max(0, x0), min(page.width, x1)
    if x1 <= x0:
        return 0, 0
    return page.width - x1, (1 << (x1 - x0)) - 1


def black_in(page, box):
    """Black pixels in box = (x0, y0, x1, y1), pixel coordinates, end exclusive."""
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    shift, mask = _span(page, x0, x1)
    return sum(((r >> shift) & mask).bit_count() for r in page.rows[max(0, y0):min(page.height, y1)])


def ink(page, box=None):
    """Fraction of black pixels, over the page or a box."""
    box = box or (0, 0, page.width, page.height)
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    area = max(0, min(page.width, x1) - max(0, x0)) * max(0, min(page.height, y1) - max(0, y0))
    return black_in(page, box) / area if area else 0.0


def mean_grey(page, box):
    """Mean reflectance of a box in 0..255 terms (255 = all white): 255 x (1 - ink)."""
    return 255.0 * (1.0 - ink(page, box))


def block_means(page, block=16):
    """Box-filtered page: a list of rows of mean reflectance (0..255) of block x block cells."""
    out = []
    for by in range(0, page.height - block + 1, block):
        line = []
        for bx in range(0, page.width - block + 1, block):
            line.append(mean_grey(page, (bx, by, bx + block, by + block)))
        out.append(line)
    return out


def isolated_pixels(page):
    """(isolated black, isolated white): pixels none of whose 8 neighbours share their colour.

    Page borders count as white for the black test and are ignored for the white test."""
    w, mask = page.width, (1 << page.width) - 1
    rows = page.rows
    zero = 0
    lone_black = lone_white = 0
    for y, r in enumerate(rows):
        up = rows[y - 1] if y > 0 else zero
        down = rows[y + 1] if y + 1 < len(rows) else zero
        if r:
            n = up | down | (up << 1) | (up >> 1) | (down << 1) | (down >> 1) | (r << 1) | (r >> 1)
            lone_black += (r & ~n & mask).bit_count()
        if y == 0 or y + 1 == len(rows) or not (r or up or down):
            continue
        # A white pixel is isolated when all 8 neighbours are black: AND of the shifted rows.
        inner = (1 << (w - 1)) - 2  # columns 1..w-2 (bits 1..w-2)
        all_black = up & down & (up << 1) & (up >> 1) & (down << 1) & (down >> 1) & (r << 1) & (r >> 1)
        lone_white += (~r & all_black & inner & mask).bit_count()
    return lone_black, lone_white


def speckle(page):
    """The crispness metric: isolated pixels per black pixel.

    An isolated pixel is a black pixel none of whose 8 neighbours is black, or a white pixel all
    of whose 8 neighbours are black. Text rendered without anti-aliasing (or anti-aliased and
    thresholded) is made of solid strokes, so it has essentially none. Dithering an anti-aliased
    raster (error diffusion or an ordered/clustered screen) turns the grey edge pixels into
    loose dots beside the strokes and holes inside them, which is what makes fax text look
    fuzzy and compress worse. Normalised by the ink, the figure does not depend on how much text
    a page holds. Halftoned photos score high too: use it on text pages only.

    Measured on text20.pdf body pages at 204 x 196 (make_corpus): gs tiffg4 0.00000 on all 20
    pages; MuPDF without AA, thresholded or Floyd-Steinberg: 0.00000; MuPDF AA + threshold
    0.00001 (0.00046 on page 1, whose 7 pt small print loses thin strokes); MuPDF AA + FS
    0.0007-0.0009; MuPDF AA + 8x8 45-degree clustered dot 0.0007; poppler AA + FS 0.0012;
    poppler AA + 4x4 Bayer 0.0064. A limit of 0.0003 on body pages separates the two groups.
    Returns 0.0 for a blank page."""
    black = page.black()
    if black == 0:
        return 0.0
    b, w = isolated_pixels(page)
    return (b + w) / black


def band_ink(page, first_row, last_row):
    """Fraction of black pixels in rows first_row..last_row-1 (e.g. a tag-line band)."""
    return ink(page, (0, first_row, page.width, last_row))


def diff(a, b):
    """(differing pixels, bounding box (x0, y0, x1, y1) or None) of two same-size pages."""
    if (a.width, a.height) != (b.width, b.height):
        raise ValueError(f"sizes differ: {a.width}x{a.height} vs {b.width}x{b.height}")
    count, ys, x_lo, x_hi = 0, [], a.width, -1
    for y, (ra, rb) in enumerate(zip(a.rows, b.rows)):
        d = ra ^ rb
        if d:
            count += d.bit_count()
            ys.append(y)
            x_hi = max(x_hi, a.width - 1 - ((d & -d).bit_length() - 1))  # lowest bit = rightmost
            x_lo = min(x_lo, a.width - d.bit_length())                    # highest bit = leftmost
    if not count:
        return 0, None
    return count, (x_lo, ys[0], x_hi + 1, ys[-1] + 1)


def content_box(page):
    """Bounding box (x0, y0, x1, y1) of all black pixels, or None for a blank page."""
    ys = [y for y, r in enumerate(page.rows) if r]
    if not ys:
        return None
    acc = 0
    for y in ys:
        acc |= page.rows[y]
    x0 = page.width - acc.bit_length()
    x1 = page.width - ((acc & -acc).bit_length() - 1)
    return x0, ys[0], x1, ys[-1] + 1


# --------------------------------------------------------------------------- PDF -> page mapping
def pt_to_px(page, box_pt, paper="a4", xdpi=XDPI, ydpi=196):
    """A box in PDF points from the paper's top-left → pixel box on a fax page of this paper,
    with the paper centred on the scan line (page.width may exceed the paper's width)."""
    paper_px = PAPER_IN[paper][0] * xdpi
    off = (page.width - paper_px) / 2.0
    x0, y0, x1, y1 = box_pt
    return (off + x0 * xdpi / 72, y0 * ydpi / 72, off + x1 * xdpi / 72, y1 * ydpi / 72)


def shrink(box, keep=0.6):
    """The central `keep` fraction of a box (to stay clear of edges and small misplacements)."""
    x0, y0, x1, y1 = box
    dx, dy = (x1 - x0) * (1 - keep) / 2, (y1 - y0) * (1 - keep) / 2
    return (x0 + dx, y0 + dy, x1 - dx, y1 - dy)


def wedge_means(page, wedge, paper="a4", ydpi=196, keep=0.6):
    """[(source mean, measured mean reflectance)] for each wedge step of make_corpus's layout."""
    return [(step["source_mean"], mean_grey(page, shrink(pt_to_px(page, step["box_pt"], paper, ydpi=ydpi), keep)))
            for step in wedge]


def wedge_error(pairs):
    """(mean absolute error, worst absolute error) of measured vs source wedge means."""
    errs = [abs(m - s) for s, m in pairs]
    return sum(errs) / len(errs), max(errs)
