"""Reads the pixels of every page of a bilevel TIFF, to compare sent and received faxes.

libtiff's tiffcp decodes whatever compression the file has into plain rows; this module then
walks the uncompressed file's directories itself, so the comparison depends on no imaging
library.
"""
import os
import struct
import subprocess
import tempfile

_TAG_WIDTH, _TAG_LENGTH, _TAG_PHOTOMETRIC = 256, 257, 262
_TAG_STRIP_OFFSETS, _TAG_STRIP_COUNTS = 273, 279
_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 16: 8}


def _values(data, endian, typ, count, value_or_offset_bytes):
    size = _TYPE_SIZES.get(typ, 1) * count
    raw = value_or_offset_bytes if size <= 4 else None
    if raw is None:
        (offset,) = struct.unpack(endian + "I", value_or_offset_bytes)
        raw = data[offset:offset + size]
    fmt = {1: "B", 3: "H", 4: "I"}.get(typ)
    if fmt is None:
        return []
    return list(struct.unpack(endian + fmt * count, raw[:_TYPE_SIZES[typ] * count]))


def read_pages(path):
    """Returns [(width, height, rows_bytes)] with 1 = black, MSB first."""
    with tempfile.TemporaryDirectory() as tmp:
        plain = os.path.join(tmp, "plain.tif")
        subprocess.run(["tiffcp", "-c", "none", "-f", "msb2lsb", "-s", "-r", "1000000", str(path), plain],
                       check=True, capture_output=True)
        with open(plain, "rb") as f:
            data = f.read()
    endian = "<" if data[:2] == b"II" else ">"
    (offset,) = struct.unpack(endian + "I", data[4:8])
    pages = []
    while offset:
        (count,) = struct.unpack(endian + "H", data[offset:offset + 2])
        tags = {}
        for i in range(count):
            entry = data[offset + 2 + 12 * i: offset + 14 + 12 * i]
            tag, typ, n = struct.unpack(endian + "HHI", entry[:8])
            tags[tag] = _values(data, endian, typ, n, entry[8:12])
        (offset,) = struct.unpack(endian + "I", data[offset + 2 + 12 * count: offset + 6 + 12 * count])
        width, height = tags[_TAG_WIDTH][0], tags[_TAG_LENGTH][0]
        pixels = b"".join(data[o:o + n] for o, n in zip(tags[_TAG_STRIP_OFFSETS], tags[_TAG_STRIP_COUNTS]))
        if tags.get(_TAG_PHOTOMETRIC, [0])[0] == 1:  # MinIsBlack: make 1 = black
            pixels = bytes(255 - b for b in pixels)
        pages.append((width, height, pixels))
    return pages


def below_tag_line(pages, rows=28):
    """The pages without their top `rows` rows, where faxgate draws the tag line (28 at fine)."""
    out = []
    for width, height, data in pages:
        stride = (width + 7) // 8
        out.append((width, height - rows, data[rows * stride:]))
    return out
