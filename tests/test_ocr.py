"""OCR through the real Tesseract on pages rendered here: scanned PDF, mixed PDF, PNG, JPEG,
multi-page TIFF, rotated pages, page order with several workers, model names."""
from __future__ import annotations

import io

import img2pdf
import pikepdf
import pytest
import pytesseract
from conftest import PAGE_LINES, SECOND_PAGE_LINES
from PIL import Image

from extract.errors import UnknownModel
from extract.metrics import syllable_accuracy
from extract.ocr import ocr_image, resolve_lang
from extract.pipeline import read_document
from extract.preprocess import deskew, skew_angle
from extract.synth import render_page
from extract.text import Line, Word, fold

TRUTH = "\n".join(PAGE_LINES)
SECOND_TRUTH = "\n".join(SECOND_PAGE_LINES)


def reads(truth: str, text: str) -> bool:
    """True when ``text`` is a good OCR of ``truth``: every letter right but for the few
    tone-mark confusions of Tesseract's ``vie`` model (thi/thị) that repair fixes later."""
    return (syllable_accuracy(truth, text) >= 0.9
            and syllable_accuracy(fold(truth), fold(text)) >= 0.98)


def _pdf_bytes(*images: Image.Image) -> bytes:
    """An image-only PDF with one page per image (PNG inside, 300 dpi)."""
    pages = []
    for image in images:
        buffer = io.BytesIO()
        image.save(buffer, "PNG", dpi=(300, 300))
        pages.append(buffer.getvalue())
    return img2pdf.convert(pages)


def test_scanned_pdf_is_ocrd_with_confidences_boxes_and_lines(tmp_path, page_image):
    path = tmp_path / "scan.pdf"
    path.write_bytes(_pdf_bytes(page_image))
    doc = read_document(path, workers=1, progress=False)
    assert (doc.source.kind, doc.source.method, doc.source.pages) == ("pdf", "ocr", 1)
    page = doc.pages[0]
    assert reads(TRUTH, page.text)
    assert len(page.lines) == len(PAGE_LINES)  # Tesseract's lines, one per printed line
    words = [w for line in page.lines for w in line.words]
    assert all(0 < w.confidence <= 1 for w in words)
    assert any(w.confidence < 1 for w in words)
    width, height = page_image.size
    assert all(w.box and 0 <= w.box[0] < width and 0 <= w.box[1] < height for w in words)
    tops = [line.words[0].box[1] for line in page.lines]
    assert tops == sorted(tops)  # reading order
    assert doc.tesseract_seconds > 0


def test_mixed_pdf_is_read_page_by_page(tmp_path, page_image, second_page_image):
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(_pdf_bytes(page_image))
    image = tmp_path / "second.png"
    second_page_image.save(image, dpi=(300, 300))
    searchable = tmp_path / "searchable.pdf"
    searchable.write_bytes(pytesseract.image_to_pdf_or_hocr(str(image), lang="vie",
                                                            extension="pdf"))
    merged = pikepdf.new()
    for part in (scan, searchable):
        with pikepdf.open(part) as pdf:
            merged.pages.extend(pdf.pages)
    merged.save(tmp_path / "mixed.pdf")
    doc = read_document(tmp_path / "mixed.pdf", workers=1, progress=False)
    assert doc.source.method == "mixed"
    assert [p.method for p in doc.pages] == ["ocr", "text-layer"]
    assert reads(TRUTH, doc.pages[0].text)
    assert reads(SECOND_TRUTH, doc.pages[1].text)


@pytest.mark.parametrize("fmt, suffix", [("PNG", ".png"), ("JPEG", ".jpg")])
def test_image_files(tmp_path, page_image, fmt, suffix):
    path = tmp_path / f"page{suffix}"
    page_image.convert("RGB").save(path, fmt, dpi=(300, 300))
    doc = read_document(path, workers=1, progress=False)
    assert (doc.source.kind, doc.source.method, doc.source.pages) == ("image", "ocr", 1)
    assert reads(TRUTH, doc.pages[0].text)


def test_transparent_png_and_exif_turned_jpeg(tmp_path, page_image):
    ink = page_image.point(lambda v: 255 - v)  # text opaque, paper fully transparent
    transparent = Image.new("RGBA", page_image.size, (0, 0, 0, 0))
    transparent.putalpha(ink)
    transparent.save(tmp_path / "clear.png", dpi=(300, 300))
    turned = page_image.rotate(90, expand=True)  # stored sideways, EXIF says turn it back
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    turned.save(tmp_path / "phone.jpg", dpi=(300, 300), exif=exif)
    for name in ("clear.png", "phone.jpg"):
        doc = read_document(tmp_path / name, workers=1, progress=False)
        assert reads(TRUTH, doc.pages[0].text), name
        assert doc.rotated_pages == [], name  # EXIF turned it, OSD had nothing to do


def test_multipage_tiff_keeps_page_order_with_two_workers(tmp_path, page_image,
                                                          second_page_image):
    path = tmp_path / "pages.tif"
    frames = [im.convert("1") for im in (second_page_image, page_image, second_page_image)]
    frames[0].save(path, "TIFF", save_all=True, append_images=frames[1:], dpi=(300, 300),
                   compression="packbits")
    doc = read_document(path, workers=2, progress=False)
    assert [p.number for p in doc.pages] == [1, 2, 3]
    truths = [SECOND_TRUTH, TRUTH, SECOND_TRUTH]
    assert all(reads(t, p.text) for t, p in zip(truths, doc.pages))


@pytest.mark.parametrize("angle", [90, 180])
def test_rotated_page_is_turned_upright_and_its_boxes_land_on_the_scan(page_image, angle):
    upright = ocr_image(page_image, "vie").page
    turned = page_image.rotate(angle, expand=True, fillcolor=255)
    result = ocr_image(turned, "vie")
    assert reads(TRUTH, result.page.text)
    assert result.rotated in (angle, 360 - angle)
    assert result.page.size == turned.size
    # the boxes are on the page as scanned (sideways or upside down): turning them with
    # the page gives the upright reading's boxes
    width, height = page_image.size
    back = {90: lambda x, y, w, h: (width - y - h, x, h, w),
            180: lambda x, y, w, h: (width - x - w, height - y - h, w, h)}[angle]
    first = result.page.lines[0].words
    expected = [w.box for w in upright.lines[0].words]
    assert len(first) == len(expected)
    for word, box in zip(first, expected):
        assert back(*word.box) == pytest.approx(box, abs=6)


@pytest.mark.parametrize("angle", [-3.0, 2.5])
def test_skewed_page_is_levelled(page_image, angle):
    skewed = page_image.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=255)
    assert skew_angle(skewed) == pytest.approx(-angle, abs=0.2)
    result = ocr_image(skewed, "vie")
    assert result.skew == pytest.approx(-angle, abs=0.2)
    assert reads(TRUTH, result.page.text)


def test_level_page_is_left_alone(page_image):
    assert deskew(page_image) == (page_image, 0.0)


def test_upright_page_is_not_turned(page_image):
    result = ocr_image(page_image, "vie")
    assert result.rotated == 0
    assert reads(TRUTH, result.page.text)


def test_the_engine_in_this_process_reads_as_the_tesseract_command(tmp_path, page_image):
    """The same words, boxes and confidences as the ``tesseract`` command (pytesseract) on
    the same image, by the machine's own Tesseract; the model is loaded once."""
    from extract import tesseract

    path = tmp_path / "page.pgm"  # no resolution stated: both estimate it
    page_image.save(path)
    command = pytesseract.image_to_data(str(path), lang="vie",
                                        output_type=pytesseract.Output.DICT)
    inside, seconds = tesseract.read_data(page_image, "vie")
    assert seconds > 0
    for column in ("text", "left", "top", "width", "height", "block_num", "line_num"):
        assert inside[column] == command[column], column
    # (pytesseract cuts the confidences to whole percents; the engine keeps their fractions)
    assert [int(c) for c in inside["conf"]] == [int(float(c)) for c in command["conf"]]
    assert reads(TRUTH, " ".join(inside["text"]))
    assert tesseract._engine("vie") is tesseract._engine("vie")
    assert pytesseract.get_tesseract_version().base_version.startswith(
        __import__("tesserocr").tesseract_version().split()[1])


def test_no_tesseract_on_the_machine_is_one_error_line(tmp_path, page_image):
    """Without the ``tesseract`` program the CLI says the machine is not set up (exit 11)."""
    import subprocess
    import sys
    from pathlib import Path

    page_image.save(tmp_path / "page.png")
    proc = subprocess.run([sys.executable, "cli.py", "ocr", "-q", str(tmp_path / "page.png")],
                          cwd=Path(__file__).resolve().parent.parent, capture_output=True,
                          text=True, env={"PATH": str(tmp_path), "TMPDIR": str(tmp_path)})
    assert proc.returncode == 11, proc.stderr
    assert proc.stderr.startswith("error: cannot run Tesseract") and \
        proc.stderr.rstrip().endswith("run bash setup.sh") and proc.stderr.count("\n") == 1


def test_model_names():
    assert resolve_lang("vie") == "vie"
    assert resolve_lang("script/Vietnamese+eng") in ("script/Vietnamese+eng", "Vietnamese+eng")
    with pytest.raises(UnknownModel):
        resolve_lang("vie+klingon")


def test_bench_table_on_a_scanned_sample(tmp_path, page_image):
    from extract.bench import ocr as bench

    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "report.txt").write_text(
        PAGE_LINES[0] + "\n" + "\t".join(PAGE_LINES[1:3]) + "\n" + PAGE_LINES[3] + "\n",
        encoding="utf-8")
    (tmp_path / "scans" / "clean300").mkdir(parents=True)
    (tmp_path / "scans" / "clean300" / "report.pdf").write_bytes(_pdf_bytes(page_image))
    (tmp_path / "scans" / "clean300" / "no_truth.pdf").write_bytes(_pdf_bytes(page_image))
    table = bench.run(tmp_path, quick=True)
    rows = [line.split() for line in table.splitlines()]
    accuracy = next(row for row in rows if row[:3] == ["report", "clean300", "vie"])
    assert accuracy[3] == "1" and 90 <= float(accuracy[4]) <= 100
    speed = next(row for row in rows if row[:2] == ["clean300", "1"])
    assert float(speed[2]) > 0 and float(speed[3]) > 0 and speed[4].endswith("×")
    assert not any("no_truth" in line for line in table.splitlines())
    assert "no scanned samples" in bench.run(tmp_path / "texts", quick=True)


def test_an_unsure_number_is_read_again_from_its_crop():
    """A word holding a digit that Tesseract was unsure of is read again from its crop
    alone (real Tesseract, on a rendered page): a misreading becomes the number printed;
    a sure word, a word without digits and a heading's full stop are left alone."""
    from extract.ocr import REREAD_BELOW, _read_lines, _second_reading

    image = render_page(["Hội có 215 hội viên và 1.380 người tham gia.", "2. Kết quả"],
                        size_pt=13)
    page, _ = _read_lines(image, "vie", 1)
    words = {w.text: w for line in page.lines for w in line.words}
    assert {"215", "1.380", "hội", "2."} <= set(words), words
    words["215"].text, words["215"].confidence = "2!5", 0.4  # as a faded patch reads it
    words["hội"].text, words["hội"].confidence = "hồi", 0.3  # no digit: not read again
    words["2."].confidence = 0.5  # a tight crop could lose its full stop
    sure = words["1.380"]
    sure.text = "1.38O"  # sure, though wrong: Tesseract's word, kept
    assert sure.confidence >= REREAD_BELOW
    assert _second_reading(image, page, "vie") > 0
    assert (words["215"].text, words["hội"].text, sure.text) == ("215", "hồi", "1.38O")
    assert words["215"].confidence > 0.5 and words["2."].text == "2."


def test_a_one_broken_off_its_number_is_joined_again():
    """A worn scan breaks a 1's stem off its number and Tesseract reads it as a mark of
    its own: the mark, as tall as the digits, is joined to them (real Tesseract reads the
    page; the broken readings are made from its own boxes). A mark that is taller (a
    table's rule) or a join that would not make a number stays as read; so does a 1 a
    column away from a number."""
    from extract.ocr import _join_broken_ones, _read_lines

    image = render_page(["Hội có 318.900 hội viên và 18.000 lượt người, năm 2021."], size_pt=13)
    page, _ = _read_lines(image, "vie", 1)
    [line] = page.lines
    words = {w.text: w for w in line.words}
    assert {"318.900", "18.000", "2021."} <= set(words), words

    def broken(word: Word, pieces: list[str], mark_height: float = 1.0) -> list[Word]:
        left, top, width, height = word.box
        step = width // len("".join(pieces))
        out, x = [], left
        for text in pieces:
            h = int(height * mark_height) if text == "|" else height
            out.append(Word(text, 0.6, (x, top, step * len(text), h)))
            x += step * len(text) + 2
        return out

    def read_as(splits: dict[str, list[Word]]) -> str:
        page.lines[0] = Line([new for w in line.words for new in splits.get(w.text, [w])])
        _join_broken_ones(page)
        return page.lines[0].text

    big, small, year = words["318.900"], words["18.000"], words["2021."]
    assert read_as({"318.900": broken(big, ["3", "|", "8.900"]),
                    "18.000": broken(small, ["l", "18.000"]),
                    "2021.": broken(year, ["l", "2021."])}) == \
        "Hội có 318.900 hội viên và 118.000 lượt người, năm l 2021."
    assert read_as({"318.900": broken(big, ["3", "|", "8.900"], mark_height=2.5)}) == \
        line.text.replace("318.900", "3 | 8.900")
    # a 1 read as a word of its own a word space before its grouped number is joined to
    # it; a column away (a table's row number) it stays apart
    assert read_as({"18.000": broken(small, ["1", "8.000"])}) == line.text
    one, rest = broken(small, ["1", "8.000"])
    far = Word(rest.text, rest.confidence, (rest.box[0] + 3 * rest.box[3], *rest.box[1:]))
    assert read_as({"18.000": [one, far]}) == line.text.replace("18.000", "1 8.000")


def test_specks_read_as_letters_are_dropped_and_nothing_else(monkeypatch):
    """A tired copier's toner specks that Tesseract reads as letters ("ˆ", "t") are
    dropped from its reading (real Tesseract on generated office scans); no word the page
    prints is, and a speck-high full stop or a long word with a speck's box stays."""
    from extract import ocr, synth
    from extract.ocr import _drop_specks

    lines = PAGE_LINES + SECOND_PAGE_LINES
    truth = {fold(w.strip(".,;:")) for line in lines for w in line.split()}
    page = synth.render_page(lines, font="Tinos", size_pt=12)
    dropped: list[str] = []

    def spy(line: Line) -> None:
        before = list(line.words)
        _drop_specks(line)
        dropped.extend(w.text for w in before if w not in line.words)

    monkeypatch.setattr(ocr, "_drop_specks", spy)
    for seed in range(8):
        scan = synth.degrade(page, "office", seed=seed)
        band = scan.crop((0, 0, scan.width, round(scan.height * 0.3))).convert("L")
        ocr._read_lines(band, "vie", 1)
    assert dropped and not {fold(w.strip(".,;:")) for w in dropped} & truth, dropped

    line = Line([Word("Hội", 0.9, (0, 0, 60, 40)), Word("a", 0.6, (70, 30, 3, 3)),
                 Word(".", 0.5, (80, 36, 4, 4)), Word(".CỘNG", 0.8, (90, 36, 150, 4)),
                 Word("viên", 0.9, (250, 10, 80, 30))])
    _drop_specks(line)
    assert line.text == "Hội . .CỘNG viên"
