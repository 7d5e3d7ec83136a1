#!/usr/bin/python3
"""Writes the document-conversion test corpus into OUTDIR, with OUTDIR/manifest.json.

Usage: tests/documents/make_corpus.py OUTDIR [--force]

Everything is made on this machine, deterministically (fixed seeds, fixed text), with
Ghostscript (PostScript -> PDF), PIL (images, TIFFs), libtiff's tiffcp (the G3 MH page),
LibreOffice (report.docx from HTML, sheet.xlsx from CSV) and PDF/TIFF/zip bytes written here.
A second run with the same script is a no-op: OUTDIR/.corpus-stamp holds the script's hash.

manifest.json maps each file name to:
  kind       pdf, ps, tiff, png, jpeg, gif, bmp, text, html, docx, xlsx, bin
  pages      expected fax pages at A4 fine, or null where the layout decides (then min_pages)
  hostile    true for files a converter must refuse (or, with "outcome": "either", may survive)
  outcome    "ok", "fail" (exit 1 / job failed) or "either" (fail, or succeed with `pages`)
  hint_words words a good error message might contain (loose: only the file name is required)
and, under "photos", the wedge layout (PDF points from the page's top-left) with each step's
source mean grey, also written to photos.json.
"""
import hashlib
import io
import json
import math
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import zlib
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

VERSION = 1
A4_PT = (595.0, 842.0)
URW = Path("/usr/share/fonts/type1/urw-base35")
DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
DEJAVU_SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
DEJAVU_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
LICENSES = ["/usr/share/common-licenses/GPL-3", "/usr/share/common-licenses/GPL-2",
            "/usr/share/common-licenses/LGPL-2.1"]
GS = ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER"]


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, **kw)
    if p.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({p.returncode}): {p.stderr.decode(errors='replace')[-2000:]}")
    return p


# --------------------------------------------------------------------------- text sources
def english_paragraphs():
    """Real prose: the GPL/LGPL texts Debian ships; a generated fallback if they are missing."""
    paras = []
    for name in LICENSES:
        try:
            text = Path(name).read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        for block in text.split("\n\n"):
            words = block.split()
            if words:
                paras.append(" ".join(words).replace("\ufffd", "?"))
    if len(paras) < 50:
        rnd = random.Random(7)
        vocab = ("the fax server converts every document into pages of black and white dots at "
                 "two hundred and four dots per inch before the call is placed and the receiving "
                 "machine prints them line by line").split()
        paras = [" ".join(rnd.choice(vocab) for _ in range(rnd.randint(30, 90))).capitalize() + "."
                 for _ in range(400)]
    return paras


def afm_widths(font_file):
    """Glyph widths (1/1000 em) by character from an URW .afm file, for ASCII text."""
    names = {" ": "space", "!": "exclam", '"': "quotedbl", "#": "numbersign", "$": "dollar",
             "%": "percent", "&": "ampersand", "'": "quoteright", "(": "parenleft", ")": "parenright",
             "*": "asterisk", "+": "plus", ",": "comma", "-": "hyphen", ".": "period", "/": "slash",
             ":": "colon", ";": "semicolon", "<": "less", "=": "equal", ">": "greater", "?": "question",
             "@": "at", "[": "bracketleft", "\\": "backslash", "]": "bracketright", "^": "asciicircum",
             "_": "underscore", "`": "quoteleft", "{": "braceleft", "|": "bar", "}": "braceright",
             "~": "asciitilde", "0": "zero", "1": "one", "2": "two", "3": "three", "4": "four",
             "5": "five", "6": "six", "7": "seven", "8": "eight", "9": "nine"}
    by_name = {}
    try:
        for line in (URW / font_file).read_text(errors="replace").splitlines():
            if line.startswith("C "):
                parts = dict(p.strip().split(" ", 1) for p in line.split(";") if p.strip().count(" "))
                by_name[parts.get("N", "").strip()] = int(float(parts.get("WX", "500")))
    except OSError:
        pass
    widths = {}
    for code in range(32, 127):
        ch = chr(code)
        widths[ch] = by_name.get(names.get(ch, ch), 500)
    return widths


def wrap(text, widths, size, max_width):
    lines, line, w = [], [], 0.0
    space = widths[" "] * size / 1000
    for word in text.split():
        ww = sum(widths.get(c, 500) for c in word) * size / 1000
        if line and w + space + ww > max_width:
            lines.append(" ".join(line))
            line, w = [], 0.0
        w = w + space + ww if line else ww
        line.append(word)
    if line:
        lines.append(" ".join(line))
    return lines


def ps_str(s):
    s = "".join(c if 32 <= ord(c) < 127 else "?" for c in s)
    return "(" + s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


# --------------------------------------------------------------------------- text20.pdf / doc.ps
def text20_ps(pages=20):
    """20 A4 pages of Times text; page 1 ends in 7 pt small print; page 10 is a 40-row table.
    Nothing is drawn in the top 50 pt (the tag-line band stays empty)."""
    roman = afm_widths("NimbusRoman-Regular.afm")
    paras = english_paragraphs()
    size, lead, left, width = 10.5, 13.0, 72.0, 451.0
    top, bottom = A4_PT[1] - 96, 80.0
    body = []
    for p in paras:
        body.extend(wrap(p, roman, size, width))
        body.append("")
    small = wrap(" ".join(paras[3:6]), roman, 7, width)[:9]
    out = ["%!PS-Adobe-3.0", f"%%Pages: {pages}", "%%DocumentMedia: A4 595 842 0 () ()", "%%EndComments",
           "<< /PageSize [595 842] >> setpagedevice",
           "/B { /Times-Roman findfont 10.5 scalefont setfont } def",
           "/H { /Helvetica-Bold findfont 16 scalefont setfont } def",
           "/S { /Times-Roman findfont 7 scalefont setfont } def",
           "/T { /Helvetica findfont 8 scalefont setfont } def",
           "/F { /Helvetica findfont 8 scalefont setfont } def"]
    i = 0
    for page in range(1, pages + 1):
        out.append(f"%%Page: {page} {page}")
        out.append(f"F 72 790 moveto (faxgate document corpus - text20) show 460 790 moveto (Page {page} of {pages}) show")
        out.append("0.5 setlinewidth 72 784 moveto 523 784 lineto stroke")
        y = top
        if page == 1:
            out.append(f"H 72 {y} moveto (Licence texts, set for a fax test) show")
            y -= 28
        if page == 10:
            out.append(f"H 72 {y} moveto (Table 1. Forty rows of figures) show")
            y -= 22
            out.append("T 0.4 setlinewidth")
            cols = [72, 110, 230, 330, 420, 523]
            for r in range(41):
                yy = y - r * 15
                out.append(f"72 {yy + 11} moveto 523 {yy + 11} lineto stroke")
                cells = (["No.", "Customer", "Fax number", "Pages", "Amount"] if r == 0 else
                         [str(r), f"Customer {r:02d}", f"+1 604 555 {7000 + r * 37:04d}", str(r % 9 + 1),
                          f"{(r * 7919) % 100000 / 100:.2f}"])
                for c, text in enumerate(cells):
                    out.append(f"{cols[c] + 3} {yy} moveto {ps_str(text)} show")
            yy = y - 41 * 15
            out.append(f"72 {yy + 11} moveto 523 {yy + 11} lineto stroke")
            for x in cols:
                out.append(f"{x} {y + 11} moveto {x} {yy + 11} lineto stroke")
            y = yy - 10
        out.append("B")
        limit = bottom + (80 if page == 1 else 0)
        while y > limit:
            line = body[i % len(body)]
            i += 1
            if line:
                out.append(f"{left} {y:.1f} moveto {ps_str(line)} show")
            y -= lead
        if page == 1:
            out.append("S")
            yy = bottom + 66
            for line in small:
                out.append(f"{left} {yy:.1f} moveto {ps_str(line)} show")
                yy -= 8
        out.append("F 280 50 moveto (- " + str(page) + " -) show showpage")
    out.append("%%EOF")
    return "\n".join(out) + "\n"


def doc_ps():
    """3 pages of PostScript: text, grey fills, a circle, a hand-drawn chart."""
    paras = english_paragraphs()[10:40]
    roman = afm_widths("NimbusRoman-Regular.afm")
    out = ["%!PS-Adobe-3.0", "%%Pages: 3", "%%EndComments", "<< /PageSize [595 842] >> setpagedevice"]
    k = 0
    for page in range(1, 4):
        out.append(f"%%Page: {page} {page}")
        out.append(f"/Helvetica-Bold findfont 20 scalefont setfont 72 740 moveto (PostScript page {page}) show")
        out.append(f"{0.2 * page:.1f} setgray 72 600 200 100 rectfill 0 setgray")
        out.append("2 setlinewidth 420 650 60 0 360 arc stroke")
        out.append("1 setlinewidth 300 600 moveto 330 680 lineto 360 620 lineto 390 700 lineto 420 610 lineto stroke")
        out.append("/Times-Roman findfont 11 scalefont setfont")
        y = 570
        for line in wrap(" ".join(paras[k:k + 6]), roman, 11, 451)[:30]:
            out.append(f"72 {y} moveto {ps_str(line)} show")
            y -= 14
        k += 6
        out.append("showpage")
    out.append("%%EOF")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- synthetic photos
def gradients_photo(size=(1200, 800)):
    w, h = size
    lin = Image.linear_gradient("L").resize((w, h))
    rad = Image.radial_gradient("L").resize((w, h))
    horiz = lin.rotate(90, expand=True).resize((w, h))
    return Image.merge("RGB", (horiz, lin, Image.eval(rad, lambda v: 255 - v))).filter(ImageFilter.GaussianBlur(1))


def scene_photo(size=(1600, 1000), seed=3):
    """A rendered landscape: sky gradient, sun, mountains, lake, trees, a house, blurred."""
    w, h = size
    rnd = random.Random(seed)
    sky = Image.linear_gradient("L").resize((w, h))
    img = Image.merge("RGB", (sky.point(lambda v: 90 + v // 3), sky.point(lambda v: 140 + v // 4),
                              sky.point(lambda v: 235 - v // 6)))
    d = ImageDraw.Draw(img)
    d.ellipse([w * 0.72, h * 0.08, w * 0.84, h * 0.27], fill=(255, 236, 170))
    for layer, (base, col) in enumerate(((0.55, (120, 130, 150)), (0.62, (80, 105, 90)))):
        pts = [(0, h)]
        x = 0
        while x <= w:
            pts.append((x, h * (base - 0.18 * rnd.random())))
            x += w / 14
        pts.append((w, h))
        d.polygon(pts, fill=col)
    d.rectangle([0, h * 0.72, w, h], fill=(60, 110, 160))
    for i in range(40):
        x, y = rnd.uniform(0, w), h * rnd.uniform(0.6, 0.7)
        s = rnd.uniform(20, 50)
        d.polygon([(x, y - s * 2), (x - s * 0.6, y), (x + s * 0.6, y)], fill=(30, 70 + rnd.randint(0, 40), 35))
    d.rectangle([w * 0.2, h * 0.55, w * 0.32, h * 0.7], fill=(200, 180, 150))
    d.polygon([(w * 0.19, h * 0.55), (w * 0.26, h * 0.47), (w * 0.33, h * 0.55)], fill=(150, 40, 30))
    d.rectangle([w * 0.245, h * 0.62, w * 0.27, h * 0.7], fill=(90, 60, 40))
    img = img.filter(ImageFilter.GaussianBlur(2))
    noise = Image.frombytes("L", (w // 4, h // 4), rnd.randbytes((w // 4) * (h // 4))).resize((w, h))
    return Image.blend(img, Image.merge("RGB", (noise, noise, noise)), 0.08)


def texture_photo(size=(1000, 1000), seed=5):
    w, h = size
    rnd = random.Random(seed)
    layers = []
    for cells in (6, 24, 96, 384):
        small = Image.frombytes("L", (cells, cells), rnd.randbytes(cells * cells))
        layers.append(small.resize((w, h), Image.BICUBIC))
    img = layers[0]
    for i, layer in enumerate(layers[1:], 1):
        img = Image.blend(img, layer, 0.5 / i)
    return img


def portrait_photo(size=(700, 900), seed=9):
    """Smooth grey shapes on a vignette: a stand-in for a face photo (soft skin tones)."""
    w, h = size
    img = Image.radial_gradient("L").resize((w, h)).point(lambda v: 40 + v * 3 // 4)
    d = ImageDraw.Draw(img)
    d.ellipse([w * 0.25, h * 0.15, w * 0.75, h * 0.75], fill=190)
    d.ellipse([w * 0.35, h * 0.35, w * 0.45, h * 0.42], fill=60)
    d.ellipse([w * 0.55, h * 0.35, w * 0.65, h * 0.42], fill=60)
    d.arc([w * 0.38, h * 0.5, w * 0.62, h * 0.62], 20, 160, fill=90, width=8)
    d.rectangle([w * 0.2, h * 0.8, w * 0.8, h], fill=110)
    return img.filter(ImageFilter.GaussianBlur(12))


def jpeg_bytes(img, quality=90):
    b = io.BytesIO()
    img.save(b, "JPEG", quality=quality, optimize=False)
    return b.getvalue()


# --------------------------------------------------------------------------- PDF writer
class Pdf:
    """Just enough of a PDF writer: numbered objects, streams, a correct xref table."""

    def __init__(self):
        self.objs = []

    def add(self, body):
        self.objs.append(body if isinstance(body, bytes) else body.encode("latin-1"))
        return len(self.objs)

    def reserve(self):
        self.objs.append(None)
        return len(self.objs)

    def set(self, num, body):
        self.objs[num - 1] = body if isinstance(body, bytes) else body.encode("latin-1")

    @staticmethod
    def stream(dict_body, data, compress=True):
        if compress:
            data = zlib.compress(data, 6)
            dict_body += " /Filter /FlateDecode"
        return b"<< " + dict_body.encode() + b" /Length " + str(len(data)).encode() + b" >>\nstream\n" + data + b"\nendstream"

    def bytes(self, root):
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for i, body in enumerate(self.objs, 1):
            offsets.append(len(out))
            out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
        xref = len(out)
        out += f"xref\n0 {len(self.objs) + 1}\n0000000000 65535 f \n".encode()
        for off in offsets:
            out += f"{off:010d} 00000 n \n".encode()
        out += f"trailer\n<< /Size {len(self.objs) + 1} /Root {root} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
        return bytes(out)


def pdf_text(x, y_top, size, text, font="F1"):
    return f"BT /{font} {size} Tf {x:.2f} {A4_PT[1] - y_top:.2f} Td {ps_str(text)} Tj ET\n"


def pdf_image_op(name, x, y_top, w, h):
    return f"q {w:.3f} 0 0 {h:.3f} {x:.3f} {A4_PT[1] - y_top - h:.3f} cm /{name} Do Q\n"


def image_xobject(pdf, img, jpeg=False):
    cs = {"L": "/DeviceGray", "RGB": "/DeviceRGB"}[img.mode]
    head = f"/Type /XObject /Subtype /Image /Width {img.width} /Height {img.height} /ColorSpace {cs} /BitsPerComponent 8"
    if jpeg:
        data = jpeg_bytes(img)
        return pdf.add(Pdf.stream(head + " /Filter /DCTDecode", data, compress=False))
    return pdf.add(Pdf.stream(head, img.tobytes()))


def photos_pdf():
    """5 A4 pages of embedded images with captions; page 4 carries the 16-step wedge and a ramp.
    Returns (pdf bytes, wedge/ramp layout)."""
    pdf = Pdf()
    pages_id = pdf.reserve()
    font = pdf.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    page_specs = []

    grad = gradients_photo()
    im1 = image_xobject(pdf, grad)
    page_specs.append(({"Im1": im1}, pdf_text(72, 60, 14, "Photo page 1: smooth colour gradients (Flate RGB)")
                       + pdf_image_op("Im1", 72, 90, 451, 451 * 800 / 1200)
                       + pdf_text(72, 420, 10, "Gradients must halftone without banding or contours.")))

    tex = texture_photo()
    im2 = image_xobject(pdf, tex, jpeg=True)
    page_specs.append(({"Im2": im2}, pdf_text(72, 60, 14, "Photo page 2: textured noise (JPEG grey)")
                       + pdf_image_op("Im2", 72, 90, 451, 451)
                       + pdf_text(72, 560, 10, "Fractal value noise at four scales.")))

    scene = scene_photo()
    im3 = image_xobject(pdf, scene, jpeg=True)
    page_specs.append(({"Im3": im3}, pdf_text(72, 60, 14, "Photo page 3: a rendered landscape (JPEG colour)")
                       + pdf_image_op("Im3", 40, 90, 515, 515 * 1000 / 1600)
                       + pdf_text(72, 440, 10, "Sky, sun, mountains, trees, a house and a lake.")))

    # Page 4: the wedge (one image, 16 equal steps) and the continuous ramp.
    steps = [round(i * 255 / 15) for i in range(16)]
    step_px, wedge_h_px = 100, 100
    wedge = Image.new("L", (16 * step_px, wedge_h_px))
    for i, v in enumerate(steps):
        wedge.paste(v, (i * step_px, 0, (i + 1) * step_px, wedge_h_px))
    ramp = Image.linear_gradient("L").rotate(90, expand=True).resize((1024, 64))
    im4 = image_xobject(pdf, wedge)
    im5 = image_xobject(pdf, ramp)
    wx, wy, ww, wh = 57.5, 150.0, 480.0, 90.0
    rx, ry, rw, rh = 57.5, 330.0, 480.0, 60.0
    ops = (pdf_text(72, 60, 14, "Photo page 4: 16-step grey wedge and a continuous ramp")
           + pdf_text(57.5, 140, 8, "0 17 34 51 68 85 102 119 136 153 170 187 204 221 238 255")
           + pdf_image_op("Im4", wx, wy, ww, wh) + pdf_image_op("Im5", rx, ry, rw, rh)
           + pdf_text(57.5, 410, 10, "Each wedge step is a flat DeviceGray area; the ramp runs 0 to 255."))
    page_specs.append(({"Im4": im4, "Im5": im5}, ops))
    sw = ww / 16
    layout = {
        "page": 4,
        "page_size_pt": list(A4_PT),
        "wedge": [{"step": i, "source_mean": float(v),
                   "box_pt": [wx + i * sw, wy, wx + (i + 1) * sw, wy + wh]} for i, v in enumerate(steps)],
        "ramp_box_pt": [rx, ry, rx + rw, ry + rh],
        "note": "box_pt = [x0, y0, x1, y1] in PDF points from the page's top-left corner",
    }

    port = portrait_photo()
    im6 = image_xobject(pdf, port)
    small = scene.resize((400, 250))
    im7 = image_xobject(pdf, small, jpeg=True)
    roman = afm_widths("NimbusSans-Regular.afm")
    text_ops = ""
    y = 560
    for line in wrap(" ".join(english_paragraphs()[40:44]), roman, 10, 451)[:12]:
        text_ops += pdf_text(72, y, 10, line)
        y += 13
    page_specs.append(({"Im6": im6, "Im7": im7}, pdf_text(72, 60, 14, "Photo page 5: portrait, thumbnail and text")
                       + pdf_image_op("Im6", 72, 90, 210, 270) + pdf_image_op("Im7", 310, 90, 213, 133)
                       + text_ops))

    kids = []
    for xobjs, ops in page_specs:
        content = pdf.add(Pdf.stream("", ops.encode("latin-1")))
        xo = " ".join(f"/{k} {v} 0 R" for k, v in xobjs.items())
        kids.append(pdf.add(f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 595 842] "
                            f"/Resources << /Font << /F1 {font} 0 R >> /XObject << {xo} >> >> /Contents {content} 0 R >>"))
    pdf.set(pages_id, f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>")
    root = pdf.add(f"<< /Type /Catalog /Pages {pages_id} 0 R >>")
    return pdf.bytes(root), layout


def bomb_pdf(pages=20000, side=14400):
    """Tiny PDF: one page object referenced `pages` times by a flat page tree, each 200 x 200 in."""
    pdf = Pdf()
    pages_id = pdf.reserve()
    font = pdf.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    content = pdf.add(Pdf.stream("", b"BT /F1 400 Tf 100 100 Td (bomb) Tj ET 0 0 14400 14400 re S"))
    page = pdf.add(f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {side} {side}] "
                   f"/Resources << /Font << /F1 {font} 0 R >> >> /Contents {content} 0 R >>")
    pdf.set(pages_id, f"<< /Type /Pages /Kids [{' '.join([f'{page} 0 R'] * pages)}] /Count {pages} >>")
    root = pdf.add(f"<< /Type /Catalog /Pages {pages_id} 0 R >>")
    return pdf.bytes(root)


# --------------------------------------------------------------------------- TIFF bytes
def huge_tiff(width=100000, length=100000):
    """A 200-byte TIFF claiming width x length 8-bit grey pixels in one tiny PackBits strip."""
    strip = b"\x81\x00" * 16  # PackBits: 128 zeros, repeated; far short of the claimed size
    entries = [(256, 4, 1, width), (257, 4, 1, length), (258, 3, 1, 8), (259, 3, 1, 32773),
               (262, 3, 1, 1), (273, 4, 1, 0), (277, 3, 1, 1), (278, 4, 1, length), (279, 4, 1, len(strip))]
    ifd_offset = 8
    ifd_size = 2 + 12 * len(entries) + 4
    data_offset = ifd_offset + ifd_size
    out = bytearray(b"II*\x00" + struct.pack("<I", ifd_offset))
    out += struct.pack("<H", len(entries))
    for tag, typ, count, value in entries:
        if tag == 273:
            value = data_offset
        out += struct.pack("<HHII", tag, typ, count, value) if typ == 4 else struct.pack("<HHIHH", tag, typ, count, value, 0)
    out += struct.pack("<I", 0)
    out += strip
    return bytes(out)


# --------------------------------------------------------------------------- zip bomb
def zip_bomb_docx(path, unpacked=1100 << 20):
    """A docx-shaped zip whose word/document.xml inflates to `unpacked` bytes (>1 GiB) of spaces.

    Deflate output after Z_FULL_FLUSH does not depend on earlier input, so one compressed 1 MiB
    chunk of spaces is computed once and written over and over; nothing large is held in memory.
    """
    head = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w='
            b'"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>')
    tail = b"</w:t></w:r></w:p></w:body></w:document>"
    chunk = b" " * (1 << 20)
    n_chunks = (unpacked - len(head) - len(tail)) // len(chunk)
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    c_head = co.compress(head) + co.flush(zlib.Z_FULL_FLUSH)
    c_chunk = co.compress(chunk) + co.flush(zlib.Z_FULL_FLUSH)
    c_chunk2 = co.compress(chunk) + co.flush(zlib.Z_FULL_FLUSH)
    assert c_chunk == c_chunk2, "deflate output after a full flush should repeat"
    c_tail = co.compress(tail) + co.flush(zlib.Z_FINISH)
    crc = zlib.crc32(head)
    for _ in range(n_chunks):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc) & 0xFFFFFFFF
    size = len(head) + n_chunks * len(chunk) + len(tail)
    csize = len(c_head) + n_chunks * len(c_chunk) + len(c_tail)

    small = {
        "[Content_Types].xml": b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                               b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                               b'<Default Extension="xml" ContentType="application/xml"/>'
                               b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        "_rels/.rels": b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                       b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
    }
    central = bytearray()
    dos_time, dos_date = 0, (2026 - 1980) << 9 | 1 << 5 | 1
    with open(path, "wb") as f:
        def local(name, method, crc_, csz, usz):
            off = f.tell()
            nb = name.encode()
            f.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, dos_time, dos_date, crc_, csz, usz, len(nb), 0) + nb)
            central.extend(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, dos_time, dos_date,
                                       crc_, csz, usz, len(nb), 0, 0, 0, 0, 0, off) + nb)
        for name, data in small.items():
            comp = zlib.compressobj(9, zlib.DEFLATED, -15)
            cdata = comp.compress(data) + comp.flush()
            local(name, 8, zlib.crc32(data) & 0xFFFFFFFF, len(cdata), len(data))
            f.write(cdata)
        local("word/document.xml", 8, crc, csize, size)
        f.write(c_head)
        for _ in range(n_chunks):
            f.write(c_chunk)
        f.write(c_tail)
        cd_off = f.tell()
        f.write(central)
        f.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(small) + 1, len(small) + 1, len(central), cd_off, 0))
    return size


# --------------------------------------------------------------------------- text files
GBK_LETTER = """尊敬的张经理：
您好！感谢贵公司长期以来对我们传真服务的信任与支持。
根据双方上月签订的合作协议，我方已于本周完成新传真服务器的安装与调试工作。
新系统支持将文字文件、表格、图片以及办公文档自动转换为标准传真页面，并可同时处理多路通话。
在试运行期间，系统共发送传真一千二百余份，成功率达到百分之九十九以上。
如遇线路繁忙，系统会按照预先设定的时间间隔自动重拨，无需人工干预。
收到的传真将自动保存为电子文件，并通过电子邮件转发给相关负责人。
为保证传真内容清晰可读，建议使用十号以上字体，并避免使用浅色背景。
若贵公司需要调整封面页的格式，请将公司名称、地址和联系电话发送给我们。
我们将在三个工作日内完成修改，并安排技术人员进行现场培训。
附件为本月的传真发送统计表及下季度的服务报价，请查收。
如有任何疑问，欢迎随时与我们联系，联系电话：零二一 五五五 八八八八。
此致
敬礼！
华东通信技术有限公司　客户服务部　李明
二〇二六年十一月二十二日"""


def chinese_gbk_text(repeats=20):
    lines = []
    n = 0
    for r in range(repeats):
        lines.append(f"第{r + 1}份　传真测试函件")
        for line in GBK_LETTER.splitlines():
            n += 1
            lines.append(f"{n:04d}　{line}")
        lines.append("")
    return "\n".join(lines) + "\n"


MIXED_LINES = [
    "Mixed scripts in one UTF-8 file, one language per line:",
    "English: The quick brown fox jumps over the lazy dog.",
    "Français : Voix ambiguë d'un cœur qui, au zéphyr, préfère les jattes de kiwis.",
    "Deutsch: Zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich.",
    "Español: El veloz murciélago hindú comía feliz cardillo y kiwi.",
    "Polski: Pchnąć w tę łódź jeża lub ośm skrzyń fig.",
    "Ελληνικά: Ξεσκεπάζω την ψυχοφθόρα βδελυγμία.",
    "Русский: Съешь же ещё этих мягких французских булок, да выпей чаю.",
    "Українська: Чуєш їх, доцю, га? Кумедна ж ти, прощайся без ґольфів!",
    "中文（简体）：这是一份测试传真，请确认收到后回复。",
    "中文（繁體）：這是一份測試傳真，請確認收到後回覆。",
    "日本語：いろはにほへと ちりぬるを わかよたれそ つねならむ。ファクスを送信しました。",
    "한국어: 다람쥐 헌 쳇바퀴에 타고파. 팩스를 보냈습니다.",
    "Tiếng Việt: Tôi có thể ăn thủy tinh mà không hại gì.",
    "Symbols: © ® ™ € £ ¥ § ¶ ± × ÷ → ← ↑ ↓ • … “quotes” ‘single’",
]


def table_zh_html():
    rows = [("张三", "上海市浦东新区", "021-5555-0101", 3, "已发送"),
            ("李四", "北京市海淀区", "010-5555-0202", 5, "已发送"),
            ("王五", "广州市天河区", "020-5555-0303", 1, "重拨中"),
            ("赵六", "深圳市南山区", "0755-5555-0404", 12, "失败：占线"),
            ("孙七", "杭州市西湖区", "0571-5555-0505", 2, "已发送"),
            ("周八", "成都市武侯区", "028-5555-0606", 7, "排队中"),
            ("吴九", "南京市鼓楼区", "025-5555-0707", 4, "已发送"),
            ("郑十", "武汉市江汉区", "027-5555-0808", 9, "已发送")]
    trs = "\n".join(f"<tr><td>{i + 1}</td><td>{a}</td><td>{b}</td><td>{c}</td><td>{d}</td><td>{e}</td></tr>"
                    for i, (a, b, c, d, e) in enumerate(rows))
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>传真发送记录</title>
<style>body {{ font-family: sans-serif; font-size: 12pt; }} table {{ border-collapse: collapse; }}
td, th {{ border: 1px solid black; padding: 4px 8px; }} th {{ background: #ddd; }}</style></head>
<body><h1>传真发送记录表</h1>
<p>以下为二〇二六年十一月的传真发送记录，共八条。</p>
<table><tr><th>序号</th><th>收件人</th><th>地址</th><th>传真号码</th><th>页数</th><th>状态</th></tr>
{trs}
</table>
<p>制表：客户服务部</p></body></html>
"""


def report_html(photo_jpeg):
    import base64
    paras = english_paragraphs()[60:90]
    b64 = base64.b64encode(photo_jpeg).decode()
    body = ["<h1>Quarterly fax report</h1>"]
    body += [f"<p>{p}</p>" for p in paras[0:4]]
    body.append(f'<p><img src="data:image/jpeg;base64,{b64}" width="480" height="300" alt="landscape"></p>')
    body.append('<h1 style="page-break-before: always">Traffic by customer</h1>')
    body.append('<table border="1" cellpadding="4"><tr><th>Customer</th><th>Faxes</th><th>Pages</th><th>Failed</th></tr>')
    for i in range(15):
        body.append(f"<tr><td>Customer {i + 1:02d}</td><td>{(i * 37) % 90 + 10}</td><td>{(i * 113) % 400 + 20}</td><td>{i % 4}</td></tr>")
    body.append("</table>")
    body += [f"<p>{p}</p>" for p in paras[4:6]]
    body.append('<h1 style="page-break-before: always">Notes</h1>')
    body.append('<p lang="zh-CN">本季度传真服务运行稳定，发送成功率为百分之九十九点二。下季度计划增加两条线路。</p>')
    body += [f"<p>{p}</p>" for p in paras[6:8]]
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Quarterly fax report</title></head>'
            '<body style="font-family: serif; font-size: 11pt">' + "\n".join(body) + "</body></html>\n")


def sheet_csv(rows=120):
    rnd = random.Random(11)
    names = ["Acme Ltd", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "华东通信"]
    out = ["Invoice,Date,Customer,Fax number,Pages,Amount"]
    for i in range(rows):
        out.append(f"{10000 + i},2026-{1 + i % 12:02d}-{1 + i % 28:02d},{rnd.choice(names)},"
                   f"+1 604 555 {rnd.randint(1000, 9999)},{rnd.randint(1, 30)},{rnd.randint(100, 99999) / 100:.2f}")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- images
def text_lines_image(size, dpi, lines, font_path=DEJAVU, pt=11, margin_in=1.0, mode="1"):
    img = Image.new("L", size, 255)
    d = ImageDraw.Draw(img)
    fx, fy = dpi
    font = ImageFont.truetype(font_path, round(pt * fy / 72))
    y = margin_in * fy
    for line in lines:
        d.text((margin_in * fx, y), line, font=font, fill=0)
        y += pt * 1.35 * fy / 72
        if y > size[1] - margin_in * fy:
            break
    return img if mode == "L" else img.convert("1", dither=Image.NONE)


def make_images(out, scene):
    paras = english_paragraphs()
    serif = afm_widths("NimbusSans-Regular.afm")
    lines = []
    for p in paras[100:130]:
        lines.extend(wrap(p, serif, 11, 451))

    # colour LZW TIFF, 150 dpi, A4-ish, photo plus caption
    c = Image.new("RGB", (1240, 1754), (255, 255, 255))
    c.paste(scene.resize((1060, 662)), (90, 150))
    d = ImageDraw.Draw(c)
    f = ImageFont.truetype(DEJAVU_BOLD, 40)
    d.text((90, 60), "Colour LZW TIFF, 150 dpi", font=f, fill=(20, 40, 160))
    f2 = ImageFont.truetype(DEJAVU_SERIF, 24)
    y = 860
    for line in lines[:28]:
        d.text((90, y), line, font=f2, fill=(30, 30, 30))
        y += 32
    c.save(out / "colour_lzw.tif", compression="tiff_lzw", dpi=(150, 150))

    # 300 dpi G4 scan-like page with dust specks
    scan = text_lines_image((2480, 3508), (300, 300), ["SCANNED LETTER - 300 dpi bilevel, Group 4"] + lines[28:100],
                            font_path=DEJAVU_SERIF, pt=11, mode="L")
    rnd = random.Random(21)
    dd = ImageDraw.Draw(scan)
    for _ in range(400):
        x, y = rnd.randrange(2480), rnd.randrange(3508)
        r = rnd.choice((1, 1, 2, 3))
        dd.ellipse([x, y, x + r, y + r], fill=0)
    scan = scan.rotate(0.4, resample=Image.BICUBIC, fillcolor=255).convert("1", dither=Image.NONE)
    scan.save(out / "scan_300dpi_g4.tif", compression="group4", dpi=(300, 300))

    # G3 MH (1-D) fax page at 204 x 196, made by tiffcp from an uncompressed page
    fax = text_lines_image((1728, 2292), (204, 196), ["FAX PAGE - Group 3 MH, 204 x 196"] + lines[100:160], pt=10)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.tif"
        fax.save(raw, dpi=(204, 196))
        run(["tiffcp", "-c", "g3:1d", "-f", "lsb2msb", "-r", "9999", str(raw), str(out / "fax_g3_mh.tif")])

    # multi-page TIFF: grey, colour, palette
    grey = texture_photo((900, 1200), seed=31)
    ImageDraw.Draw(grey).text((40, 40), "Page 1: grey", font=ImageFont.truetype(DEJAVU_BOLD, 48), fill=0)
    colour = scene.resize((1200, 800))
    ImageDraw.Draw(colour).text((40, 40), "Page 2: colour", font=ImageFont.truetype(DEJAVU_BOLD, 48), fill=(255, 255, 255))
    pal = chart_image((1000, 700)).convert("P", palette=Image.ADAPTIVE, colors=16)
    grey.save(out / "multipage_mix.tif", save_all=True, append_images=[colour, pal], compression="tiff_lzw", dpi=(150, 150))

    scene.resize((1200, 750)).save(out / "photo.png", optimize=False)
    scene.save(out / "photo.jpg", quality=88)
    chart_image((800, 600)).convert("P", palette=Image.ADAPTIVE, colors=32).save(out / "chart.gif")
    b = scene.resize((1000, 625)).copy()
    ImageDraw.Draw(b).text((30, 30), "24-bit BMP", font=ImageFont.truetype(DEJAVU_BOLD, 40), fill=(255, 255, 0))
    b.save(out / "picture.bmp")


def chart_image(size):
    w, h = size
    img = Image.new("RGB", size, (255, 255, 255))
    d = ImageDraw.Draw(img)
    f = ImageFont.truetype(DEJAVU, max(12, h // 30))
    d.text((w * 0.05, h * 0.03), "Faxes per month", font=f, fill=(0, 0, 0))
    d.line([(w * 0.1, h * 0.9), (w * 0.95, h * 0.9)], fill=(0, 0, 0), width=3)
    d.line([(w * 0.1, h * 0.1), (w * 0.1, h * 0.9)], fill=(0, 0, 0), width=3)
    colours = [(200, 30, 30), (30, 150, 30), (30, 30, 200), (230, 180, 0)]
    for i in range(12):
        v = (math.sin(i / 2.0) + 1.3) / 2.4
        x0 = w * (0.13 + i * 0.068)
        d.rectangle([x0, h * 0.9 - v * h * 0.75, x0 + w * 0.05, h * 0.9], fill=colours[i % 4])
    return img


# --------------------------------------------------------------------------- LibreOffice
def soffice_steps(steps, profile, timeout=120):
    """Runs `soffice --headless` once per step, each in its own process group (killed whole on
    a time-out, so no soffice.bin is left behind). Returns the output of every step."""
    log = []
    for args in steps:
        cmd = ["soffice", f"-env:UserInstallation={Path(profile).resolve().as_uri()}", "--headless",
               "--norestore", *args]
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            text, _ = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            text, _ = p.communicate()
            log.append(f"{' '.join(cmd)}: timed out after {timeout} s")
            break
        log.append(f"{' '.join(cmd)} -> {p.returncode}: {text.decode(errors='replace')}")
        if p.returncode != 0:
            break
    return log


def pdf_pages(path):
    p = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True)
    for line in p.stdout.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return None


# --------------------------------------------------------------------------- main
def script_stamp():
    return f"v{VERSION} " + hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def build(out):
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    work = out / "src"  # intermediate sources (PostScript, HTML, CSV) and reference PDFs
    work.mkdir(exist_ok=True)
    m = {}

    def entry(name, kind, pages, hostile=False, outcome="ok", hint=(), **extra):
        m[name] = {"kind": kind, "pages": pages, "hostile": hostile, "outcome": outcome,
                   "hint_words": list(hint), **extra}

    # Office sources go to LibreOffice first, in the background, while the rest is made.
    scene = scene_photo()
    (work / "report.html").write_text(report_html(jpeg_bytes(scene.resize((640, 400)), 85)), encoding="utf-8")
    (work / "sheet.csv").write_text(sheet_csv(), encoding="utf-8")
    profile = work / "lo-profile"
    lo_steps = [
        ["--infilter=HTML (StarWriter)", "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out),
         str(work / "report.html")],
        ["--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir", str(out), str(work / "sheet.csv")],
        ["--convert-to", "pdf", "--outdir", str(work), str(out / "report.docx"), str(out / "sheet.xlsx")],
    ]
    lo_log = []
    lo = threading.Thread(target=lambda: lo_log.extend(soffice_steps(lo_steps, profile)))
    lo.start()

    # PDF and PostScript
    (work / "text20.ps").write_text(text20_ps(), encoding="ascii")
    run(GS + ["-sDEVICE=pdfwrite", "-dOmitInfoDate", "-dOmitID", "-dOmitXMP", "-dCompatibilityLevel=1.5",
              "-o", str(out / "text20.pdf"), str(work / "text20.ps")])
    entry("text20.pdf", "pdf", 20, text_pages=list(range(1, 21)), small_print_page=1, table_page=10,
          top_margin_pt=50)
    data, layout = photos_pdf()
    (out / "photos.pdf").write_bytes(data)
    (out / "photos.json").write_text(json.dumps(layout, indent=1))
    entry("photos.pdf", "pdf", 5, wedge=layout)
    (out / "doc.ps").write_text(doc_ps(), encoding="ascii")
    entry("doc.ps", "ps", 3)

    make_images(out, scene)
    entry("colour_lzw.tif", "tiff", 1)
    entry("scan_300dpi_g4.tif", "tiff", 1, bilevel=True)
    entry("fax_g3_mh.tif", "tiff", 1, bilevel=True)
    entry("multipage_mix.tif", "tiff", 3)
    entry("photo.png", "png", 1)
    entry("photo.jpg", "jpeg", 1)
    entry("chart.gif", "gif", 1)
    entry("picture.bmp", "bmp", 1)

    (out / "chinese_gbk.txt").write_bytes(chinese_gbk_text().encode("gbk"))
    entry("chinese_gbk.txt", "text", None, min_pages=2, encoding="gbk")
    (out / "mixed_utf8.txt").write_text("\n".join(MIXED_LINES) + "\n", encoding="utf-8")
    entry("mixed_utf8.txt", "text", 1, encoding="utf-8")
    (out / "table_zh.html").write_text(table_zh_html(), encoding="utf-8")
    entry("table_zh.html", "html", 1)

    # Hostile files
    whole = (out / "text20.pdf").read_bytes()
    (out / "truncated.pdf").write_bytes(whole[:len(whole) // 2])
    entry("truncated.pdf", "pdf", None, True, "fail", ("truncated", "damaged", "cannot", "read"))
    (out / "bomb.pdf").write_bytes(bomb_pdf())
    entry("bomb.pdf", "pdf", None, True, "fail", ("pages", "too many", "limit", "large"))
    (out / "bigpage.pdf").write_bytes(bomb_pdf(pages=1))
    entry("bigpage.pdf", "pdf", 1, True, "either", ("large", "size", "limit"))
    (out / "huge.tif").write_bytes(huge_tiff())
    entry("huge.tif", "tiff", None, True, "fail", ("large", "pixels", "limit", "size"))
    (out / "loop.ps").write_bytes(b"%!PS\n% never ends\n{ 1 pop } loop\nshowpage\n")
    entry("loop.ps", "ps", None, True, "fail", ("time", "timed out", "limit", "seconds"))
    unpacked = zip_bomb_docx(out / "zipbomb.docx")
    entry("zipbomb.docx", "docx", None, True, "fail", ("large", "unpack", "limit", "size"), unpacked_bytes=unpacked)
    (out / "random.bin").write_bytes(random.Random(99).randbytes(65536))
    entry("random.bin", "bin", None, True, "fail", ("unknown", "type", "format", "not supported"))

    lo.join()
    if not (work / "report.pdf").exists() or not (work / "sheet.pdf").exists():
        raise RuntimeError("LibreOffice failed:\n" + "\n".join(lo_log))
    shutil.rmtree(profile, ignore_errors=True)
    entry("report.docx", "docx", pdf_pages(work / "report.pdf"), reference_pdf="src/report.pdf")
    entry("sheet.xlsx", "xlsx", pdf_pages(work / "sheet.pdf"), reference_pdf="src/sheet.pdf")

    manifest = {"version": VERSION, "stamp": script_stamp(), "files": dict(sorted(m.items())), "photos": layout}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    (out / ".corpus-stamp").write_text(script_stamp())
    return manifest


def ensure(out, force=False):
    """Builds the corpus in `out` unless it is already there with this script's stamp."""
    out = Path(out)
    stamp = out / ".corpus-stamp"
    if not force and stamp.exists() and stamp.read_text() == script_stamp():
        try:
            manifest = json.loads((out / "manifest.json").read_text())
            if all((out / n).exists() for n in manifest["files"]):
                return manifest
        except (OSError, ValueError, KeyError):
            pass
    return build(out)


def main():
    if len(sys.argv) < 2 or sys.argv[1].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    manifest = ensure(sys.argv[1], force="--force" in sys.argv)
    for name, e in manifest["files"].items():
        print(f"{name:<22} {e['kind']:<5} pages={e['pages']} {'hostile ' + e['outcome'] if e['hostile'] else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
