"""Covers and tag lines against reference renderings kept in tests/documents/reference/.

The references are PNG thumbnails that a person looked at and approved (correct Chinese glyphs,
nothing clipped, crisp text). A rendering may differ slightly from its reference (font or
library updates move a glyph by a pixel), so the comparison allows a small mean difference and
no large local one. To accept new renderings after a deliberate change, run with
FAXGATE_UPDATE_REFERENCES=1, look at the PNGs, and commit them.
"""
import os
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

import conftest

REFERENCE = Path(__file__).resolve().parent / "documents" / "reference"
UPDATE = os.environ.get("FAXGATE_UPDATE_REFERENCES") == "1"

FIELDS = [
    "to_name=张伟 Zhang Wei", "to_company=深圳市示例贸易有限公司", "to_fax=+86 755 8323 5170",
    "from_name=Li Na 李娜", "from_company=ACME Trading", "from_phone=+86 755 8323 5100",
    "from_fax=+86 755 8323 5101", "from_email=li.na@example.com", "title=Quotation 报价单",
    "subject=Quotation 报价单", "comments=请查收附件中的报价单。\nPlease sign page 2 and fax it back.",
    "date=2026-11-22 10:00",
]


def render(tmp_path, name, *options, inputs=None):
    src = tmp_path / "body.txt"
    src.write_text("Body page 正文\n", encoding="utf-8")
    tif, png = tmp_path / f"{name}.tif", tmp_path / f"{name}.png"
    subprocess.run([conftest.FAXGATE, "convert", *options, *(inputs or [str(src)]), "-o", str(tif)],
                   check=True, capture_output=True, timeout=120)
    subprocess.run([conftest.FAXGATE, "convert", "--to", "png", "--thumbnail-width", "600",
                    str(tif), "-o", str(png)], check=True, capture_output=True, timeout=60)
    return png


def compare(png, name):
    ref = REFERENCE / f"{name}.png"
    if UPDATE:
        REFERENCE.mkdir(parents=True, exist_ok=True)
        ref.write_bytes(png.read_bytes())
        pytest.skip(f"reference {ref.name} written; look at it before committing")
    assert ref.exists(), f"no reference {ref}; run with FAXGATE_UPDATE_REFERENCES=1 and look at it"
    got, want = Image.open(png).convert("L"), Image.open(ref).convert("L")
    assert got.size == want.size
    diff = ImageChops.difference(got, want)
    mean = ImageStat.Stat(diff).mean[0]
    # The worst 20x20 block: a missing word or a wrong glyph shows here even when the page
    # mean barely moves.
    worst = max(ImageStat.Stat(diff.crop((x, y, x + 20, y + 20))).mean[0]
                for x in range(0, got.width - 19, 20) for y in range(0, got.height - 19, 20))
    assert mean < 2.0 and worst < 40, f"{name}: mean difference {mean:.2f}, worst block {worst:.1f}"


@pytest.mark.parametrize("template", ["plain", "business", "chinese-business"])
def test_cover_matches_its_reference(tmp_path, template):
    options = ["--cover", template]
    for f in FIELDS:
        options += ["--field", f]
    compare(render(tmp_path, f"cover-{template}", *options), f"cover-{template}")


def test_tag_line_matches_its_reference(tmp_path):
    png = render(tmp_path, "tagline", "--tagline", "From %%l|传真 %%n|Page %%P of %%T",
                 "--local-ident", "ACME 深圳")
    compare(png, "tagline")


def test_a_different_name_is_caught(tmp_path):
    """The comparison is strict enough to see a changed recipient name."""
    options = ["--cover", "chinese-business"]
    for f in FIELDS:
        options += ["--field", "to_name=王芳 Wang Fang" if f.startswith("to_name=") else f]
    png = render(tmp_path, "cover-other", *options)
    if UPDATE:
        pytest.skip("references being written")
    with pytest.raises(AssertionError):
        compare(png, "cover-chinese-business")
