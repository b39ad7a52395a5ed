#!/usr/bin/env python3
"""Renders the sample texts into scanned PDFs and their "archive OCR" text.

For every samples/texts/<id>.txt this writes samples/scans/<quality>/<id>.pdf for the
qualities clean300, bw200, jpeg and office (extract/synth.py; office pages are typeset in a
Times-like face at 11-13 pt, as offices print), and samples/archive/<id>.txt: what
Tesseract's English model reads from the clean300 pages (pages joined by a form feed), which
garbles Vietnamese the way the real archive OCR does. Deterministic; an output newer than
its inputs (the text, this script, extract/synth.py) is left alone unless --force.
bw200 and office scans and archive texts are committed; clean300 and jpeg scans (about 0.8 and 0.2 MB a
page) are not, and setup.sh renders them (--only clean300 --only jpeg, a few seconds).
Run: .venv/bin/python samples/make_scans.py [--force] [--only WHAT ...] [ID ...]
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from extract import synth  # noqa: E402
from extract.text import nfc  # noqa: E402

QUALITIES = ("clean300", "bw200", "jpeg", "office")
# office scans are of pages printed as offices print them: a Times-like face at 11-13 pt,
# one per sample (seeded), whatever the sample's own typeface
OFFICE_FONTS = ("Tinos", "Liberation Serif", "TeX Gyre Termes")
OFFICE_SIZES = (13.0, 12.0, 11.0)
DEFAULT_FONT = ("Liberation Serif", 13.0)
FONTS = {  # a few samples in other typefaces, sized so that their lines fit as on paper
    "thaibinh_2022_hoi_ccb": ("DejaVu Serif", 11.0),
    "lamdong_2017_khoi_hqc": ("Noto Serif", 11.5),
}
HEADING = re.compile(r"^(Phần thứ |[IVX]+\. |\d+(\.\d+)*\. )")


def text_pages(path: Path) -> list[list[str]]:
    """The lines of each page of a sample text (pages end with a newline, split by \\f)."""
    raw = nfc(path.read_text(encoding="utf-8"))
    return [page.removesuffix("\n").split("\n") for page in raw.split("\f")]


def typeset(lines: list[str], first_page: bool) -> tuple[list[str], set[int], set[int]]:
    """A page as a typist sets it: the lines to render, and which are bold and centred.

    The header block (first page, above "Số:") is bold and stays in its two columns, a
    line without a TAB there belonging to the left column; the title block from "BÁO
    CÁO" to the next blank line is bold and centred; headings are bold, "Phần thứ …" and
    its title line centred. Only the look changes: the text is the ground truth as is.
    """
    shown, bold, centred = list(lines), set(), set()
    in_header, in_title = first_page, False
    for index, line in enumerate(lines):
        if in_header:
            if line.startswith("Số"):
                in_header = False
            else:
                bold.add(index)
                if line and "\t" not in line:
                    shown[index] = line + "\t"
                continue
        if first_page and line == "BÁO CÁO":
            in_title = True
        if in_title:
            if not line:
                in_title = False
                continue
            bold.add(index)
            centred.add(index)
        elif HEADING.match(line):
            bold.add(index)
            if line.startswith("Phần thứ"):
                centred.update({index, index + 1})
                bold.add(index + 1)
    return shown, bold, centred


def page_seed(sample: str, page: int) -> int:
    """A fixed seed per sample page, so that every run makes the same scans."""
    return zlib.crc32(f"{sample}:{page}".encode())


def stale(output: Path, inputs: list[Path], force: bool) -> bool:
    """Whether ``output`` must be (re)made: missing, older than an input, or forced."""
    if force or not output.exists():
        return True
    return output.stat().st_mtime < max(p.stat().st_mtime for p in inputs)


def archive_ocr(images: list) -> str:
    """Tesseract ``eng`` text of the pages, joined by a form feed (as archive OCR is)."""
    import pytesseract

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    return "\f".join(nfc(pytesseract.image_to_string(image, lang="eng")).rstrip("\n\f") + "\n"
                     for image in images)


def render(text: Path, font: str, size: float) -> list:
    """The clean 300 dpi pages of a sample text, typeset in ``font`` at ``size`` pt."""
    pages = []
    for number, lines in enumerate(text_pages(text), 1):
        shown, bold, centred = typeset(lines, number == 1)
        pages.append(synth.render_page(shown, font=font, size_pt=size, bold_lines=bold,
                                       centred_lines=centred))
    return pages


def office_pages(sample: str, text: Path) -> list:
    """The sample printed as an office prints it: a Times-like face and a size from
    OFFICE_FONTS and OFFICE_SIZES picked by the sample's seed (a smaller size when its
    pages do not fit at that one)."""
    seed = page_seed(sample, 0)
    font = OFFICE_FONTS[seed % len(OFFICE_FONTS)]
    sizes = OFFICE_SIZES[(seed // len(OFFICE_FONTS)) % len(OFFICE_SIZES):]
    for size in sizes:
        try:
            return render(text, font, size)
        except ValueError:  # too many lines for a page at this size
            continue
    raise ValueError(f"{sample}: its pages do not fit at {sizes[-1]} pt")


def make(sample: str, force: bool, wanted: set[str]) -> None:
    """The wanted scans (qualities, "archive") of one sample."""
    text = ROOT / "texts" / f"{sample}.txt"
    inputs = [text, Path(__file__).resolve(), Path(synth.__file__).resolve()]
    outputs = {q: ROOT / "scans" / q / f"{sample}.pdf" for q in QUALITIES if q in wanted}
    archive = ROOT / "archive" / f"{sample}.txt"
    todo = [q for q, out in outputs.items() if stale(out, inputs, force)]
    need_archive = "archive" in wanted and stale(archive, inputs, force)
    if not todo and not need_archive:
        print(f"{sample}: up to date", file=sys.stderr)
        return
    printed = {"office": office_pages(sample, text)} if "office" in todo else {}
    if set(todo) - {"office"} or need_archive:
        font, size = FONTS.get(sample, DEFAULT_FONT)
        printed["own"] = render(text, font, size)
    for quality in sorted(set(todo) | ({"clean300"} if need_archive else set())):
        pages = printed["office" if quality == "office" else "own"]
        scans = [synth.degrade(page, quality, page_seed(sample, n))
                 for n, page in enumerate(pages, 1)]
        if quality in todo:
            outputs[quality].parent.mkdir(parents=True, exist_ok=True)
            synth.pages_to_pdf(scans, outputs[quality], quality)
            size_kb = outputs[quality].stat().st_size // 1024
            print(f"{sample}: {quality} {len(scans)} pages, {size_kb} kB", file=sys.stderr)
        if quality == "clean300" and need_archive:
            archive.parent.mkdir(parents=True, exist_ok=True)
            archive.write_text(archive_ocr(scans), encoding="utf-8")
            print(f"{sample}: archive OCR written", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("samples", nargs="*", help="sample ids (default: all texts)")
    parser.add_argument("--force", action="store_true", help="remake even if up to date")
    parser.add_argument("--only", action="append", choices=[*QUALITIES, "archive"],
                        help="make only these outputs (repeatable; default: all)")
    args = parser.parse_args(argv)
    wanted = set(args.only or [*QUALITIES, "archive"])
    for sample in args.samples or sorted(p.stem for p in (ROOT / "texts").glob("*.txt")):
        make(sample, args.force, wanted)
    return 0


if __name__ == "__main__":
    sys.exit(main())
