"""The scan synthesiser (extract/synth.py) and the samples it made, checked with real tools.

Pages are rendered with real fonts, read back by the real Tesseract and written to real PDFs
that are reopened with pikepdf; the committed samples are checked against their texts.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pikepdf
import pytesseract
import pytest
from PIL import Image

from extract import synth
from extract.metrics import syllable_accuracy
from extract.records import Record

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
SAMPLES = Path(__file__).resolve().parent.parent / "samples"
LINES = [
    "Hội Người cao tuổi tỉnh có 480 hội cơ sở với 389.650 hội viên, chiếm 94,2%.",
    "Quỹ khuyến học các cấp đạt gần 47 tỷ đồng; trao thưởng cho trên 2.000 lượt người.",
    "Tổng kết phong trào thi đua, công tác khen thưởng năm 2019 của Khối thi đua.",
]


def ink_box(image: Image.Image) -> tuple[int, int, int, int]:
    """Left, top, right, bottom of the dark pixels of a page."""
    dark = np.asarray(image.convert("L")) < 128
    rows, cols = np.flatnonzero(dark.any(axis=1)), np.flatnonzero(dark.any(axis=0))
    return cols[0], rows[0], cols[-1], rows[-1]


def top_band(image: Image.Image, lines: int, size_pt: float = 13, dpi: int = 300) -> Image.Image:
    """The top of a page holding its first ``lines`` lines (OCR of less paper is quicker)."""
    margin = round(synth.MARGIN_CM / 2.54 * dpi)
    step = round(size_pt * dpi / 72 * synth.LINE_SPACING)
    return image.crop((0, 0, image.width, margin + (lines + 1) * step))


def test_vietnamese_lines_read_back_by_tesseract_vie():
    page = synth.render_page(LINES)
    assert page.mode == "L" and page.size == (2481, 3507)
    text = pytesseract.image_to_string(top_band(page, len(LINES)), lang="vie")
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == len(LINES)
    assert syllable_accuracy("\n".join(LINES), text) >= 0.95


def test_diacritics_are_drawn_not_boxes():
    """Stacked marks (ệ, ộ, ữ) must change the glyph: a font without them draws one box."""
    face = synth._font("Liberation Serif", False, 54)
    masks = {ch: bytes(face.getmask(ch)) for ch in "eệoộuữ"}
    assert len(set(masks.values())) == 6


def test_bw200_is_black_and_white_at_200_dpi_and_skewed_by_seed():
    page = synth.render_page(LINES)
    first = synth.degrade(page, "bw200", seed=1)
    assert first.mode == "1"
    assert first.info["dpi"] == (200, 200)
    assert first.size == (round(page.width * 2 / 3), round(page.height * 2 / 3))
    again = synth.degrade(page, "bw200", seed=1)
    assert first.tobytes() == again.tobytes()
    assert synth.degrade(page, "bw200", seed=2).tobytes() != first.tobytes()


def test_office_is_a_tired_black_and_white_200_dpi_scan_that_tesseract_still_reads():
    page = synth.render_page(LINES, font="Tinos", size_pt=12)
    scans = [synth.degrade(page, "office", seed=n) for n in range(3)]
    assert all(s.mode == "1" and s.info["dpi"] == (200, 200) for s in scans)
    assert scans[0].tobytes() == synth.degrade(page, "office", seed=0).tobytes()
    # off-centre on the glass: the ink starts at another place on each scan
    assert len({ink_box(s)[:2] for s in scans}) == 3
    # dust on the glass: specks where the page has no text
    blank = np.asarray(scans[0].convert("L"))[scans[0].height // 2:] < 128
    assert 0 < blank.mean() < 0.002
    band = [s.crop((0, 0, s.width, round(s.height * 0.22))) for s in scans]
    accuracy = [syllable_accuracy("\n".join(LINES), pytesseract.image_to_string(b, lang="vie"))
                for b in band]
    assert min(accuracy) >= 0.75 and max(accuracy) < 1.0  # hard, not hopeless


@pytest.mark.parametrize("quality", ["clean300", "jpeg", "blur"])
def test_gray_qualities_keep_their_resolution(quality):
    page = synth.render_page(LINES[:1])
    scan = synth.degrade(page, quality, seed=3)
    dpi = synth.QUALITY_DPI[quality]
    assert scan.mode == "L" and scan.info["dpi"] == (dpi, dpi)
    assert scan.width == round(page.width * dpi / 300)
    if quality == "blur":  # blurred: fewer pure black pixels than the clean page
        assert (np.asarray(scan) < 40).sum() < (np.asarray(page) < 40).sum() * 0.8


@pytest.mark.parametrize("quality,filters", [("bw200", "/CCITTFaxDecode"),
                                             ("office", "/CCITTFaxDecode"),
                                             ("clean300", "/DCTDecode"),
                                             ("jpeg", "/DCTDecode")])
def test_pdf_has_every_page_at_its_real_dpi(tmp_path, quality, filters):
    pages = [synth.degrade(synth.render_page([line]), quality, seed=n)
             for n, line in enumerate(LINES)]
    out = tmp_path / f"{quality}.pdf"
    synth.pages_to_pdf(pages, out, quality)
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == len(LINES)
        for page in pdf.pages:
            (image,) = page.get_images().values()
            assert filters in str(image.get("/Filter"))
            width_pt = float(page.mediabox[2]) - float(page.mediabox[0])
            assert round(image.Width / (width_pt / 72)) == synth.QUALITY_DPI[quality]
    again = tmp_path / "again.pdf"
    synth.pages_to_pdf(pages, again, quality)
    assert out.read_bytes() == again.read_bytes()


def test_tab_line_is_two_columns():
    page = synth.render_page(["UBND TỈNH NGHỆ AN\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
                             bold_lines={0})
    data = pytesseract.image_to_data(top_band(page, 1), lang="vie",
                                     output_type=pytesseract.Output.DICT)
    boxes = {word: (left, left + width) for word, left, width
             in zip(data["text"], data["left"], data["width"]) if word.strip()}
    text_left = round(synth.MARGIN_CM / 2.54 * 300)
    split = text_left + round((page.width - 2 * text_left) * synth.LEFT_COLUMN)
    assert boxes["UBND"][0] < boxes["AN"][1] < split < boxes["CỘNG"][0] < boxes["NAM"][1]
    left_centre = (boxes["UBND"][0] + boxes["AN"][1]) / 2
    assert abs(left_centre - (text_left + split) / 2) < 30


def test_long_line_is_squeezed_into_the_margins_not_wrapped():
    long_line = " ".join(["Liên hiệp các hội Khoa học và Kỹ thuật tỉnh"] * 4)
    page = synth.render_page([long_line])
    left, top, right, bottom = ink_box(page)
    margin = round(synth.MARGIN_CM / 2.54 * 300)
    assert left >= margin - 2 and right <= page.width - margin + 2
    assert right - left > (page.width - 2 * margin) * 0.95
    assert bottom - top < 13 * 300 / 72 * synth.LINE_SPACING  # one line high


def test_too_many_lines_for_a_page_is_an_error():
    with pytest.raises(ValueError, match="do not fit"):
        synth.render_page(["dòng"] * 60)


def test_unknown_quality_is_an_error():
    with pytest.raises(ValueError, match="unknown scan quality"):
        synth.degrade(synth.render_page(["a"]), "fax", seed=0)


SAMPLE_IDS = sorted(p.stem for p in (SAMPLES / "texts").glob("*.txt"))


def test_there_are_samples_of_both_kinds():
    kinds = {json.loads((SAMPLES / "truth" / f"{s}.json").read_text())["bloc"]["name"] is None
             for s in SAMPLE_IDS}
    assert len(SAMPLE_IDS) >= 4 and kinds == {True, False}


@pytest.mark.parametrize("sample", SAMPLE_IDS)
def test_truth_matches_its_text(sample):
    data = json.loads((SAMPLES / "truth" / f"{sample}.json").read_text(encoding="utf-8"))
    record = Record.from_dict(data)
    raw = (SAMPLES / "texts" / f"{sample}.txt").read_text(encoding="utf-8")
    pages = [p.removesuffix("\n").replace("\t", " ") for p in raw.split("\f")]
    assert [p.text for p in record.pages] == pages
    assert record.source.pages == len(pages) and 2 <= len(pages) <= 4
    lines = [page.split("\n") for page in pages]
    for section in record.sections:
        assert section.number in lines[section.page - 1][section.line - 1]
    figures = record.figures + [f for unit in record.units for f in unit.figures]
    assert len(figures) >= 40
    for figure in figures:
        assert figure.text in lines[figure.page - 1][figure.line - 1]


@pytest.mark.parametrize("sample", SAMPLE_IDS)
def test_committed_scan_and_archive_have_every_page(sample):
    with pikepdf.open(SAMPLES / "scans" / "bw200" / f"{sample}.pdf") as pdf:
        pages = len(pdf.pages)
    with pikepdf.open(SAMPLES / "scans" / "office" / f"{sample}.pdf") as pdf:
        assert len(pdf.pages) == pages
    raw = (SAMPLES / "texts" / f"{sample}.txt").read_text(encoding="utf-8")
    assert pages == raw.count("\f") + 1
    archive = (SAMPLES / "archive" / f"{sample}.txt").read_text(encoding="utf-8")
    assert archive.count("\f") + 1 == pages
    # English-model OCR loses the diacritics: the archive text must not read like the truth
    assert syllable_accuracy(raw, archive) < 0.7


def load_make_scans():
    """samples/make_scans.py as a module (samples/ is not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_scans", SAMPLES / "make_scans.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sample_pages_are_typeset_like_a_report():
    make_scans = load_make_scans()
    pages = make_scans.text_pages(SAMPLES / "texts" / "lamdong_2017_khoi_hqc.txt")
    shown, bold, centred = make_scans.typeset(pages[0], first_page=True)
    number_line = next(i for i, line in enumerate(pages[0]) if line.startswith("Số"))
    assert set(range(number_line)) - {i for i, l in enumerate(pages[0]) if not l} <= bold
    assert all("\t" in shown[i] for i in range(number_line) if pages[0][i])
    assert number_line not in bold
    title = pages[0].index("BÁO CÁO")
    assert {title, title + 1} <= centred & bold
    part = pages[0].index("Phần thứ nhất")
    assert {part, part + 1} <= centred and part + 2 in bold and part + 2 not in centred
    body = next(i for i, line in enumerate(pages[0]) if line.startswith("Khối thi đua"))
    assert body not in bold and shown[body] == pages[0][body]
