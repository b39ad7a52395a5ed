"""``cli.py pdf`` and hOCR on real scans through the real Tesseract: the searchable PDF's
text layer reads as the repaired text (pdfplumber and pdftotext), page images and page
count are the input's, the input is untouched, an old English-model layer is replaced and a
good Vietnamese one kept, PDF/A-2b validates; the hOCR reads back with OCRmyPDF's parser."""
from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import sys
from pathlib import Path

import img2pdf
import pdfplumber
import pikepdf
import pytest
from conftest import PAGE_LINES, SECOND_PAGE_LINES
from PIL import Image

from extract.metrics import syllable_accuracy
from extract.pipeline import read_repaired

ROOT = Path(__file__).resolve().parents[1]
TRUTH = "\n".join(PAGE_LINES)


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], capture_output=True,
                          text=True, cwd=ROOT, env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"})


def layer_text(path: Path) -> list[str]:
    """Each page's text layer as pdfplumber reads it."""
    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def page_images(path: Path) -> list[list[bytes]]:
    """Each page's images, decoded to raw pixels."""
    with pikepdf.open(path) as pdf:
        return [[pikepdf.PdfImage(image).read_bytes() for image in page.get_images().values()]
                for page in pdf.pages]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def scan(tmp_path_factory, page_image, second_page_image) -> Path:
    """A two-page image-only PDF (PNG inside, as scanners and img2pdf make them)."""
    pages = []
    for image in (page_image, second_page_image):
        buffer = io.BytesIO()
        image.save(buffer, "PNG", dpi=(300, 300))
        pages.append(buffer.getvalue())
    path = tmp_path_factory.mktemp("scan") / "scan.pdf"
    path.write_bytes(img2pdf.convert(pages))
    return path


@pytest.fixture(scope="module")
def searchable(scan, tmp_path_factory) -> tuple[Path, Path, subprocess.CompletedProcess, str]:
    """``cli.py pdf`` of the scan, with hOCR; the input's sha256 before."""
    before = sha256(scan)
    out = tmp_path_factory.mktemp("out")
    result = run_cli("pdf", str(scan), "-o", str(out / "out.pdf"), "--hocr",
                     str(out / "out.hocr"), "--workers", "1")
    return out / "out.pdf", out / "out.hocr", result, before


def test_text_layer_reads_as_the_repaired_text(scan, searchable):
    out, _hocr, result, _before = searchable
    assert result.returncode == 0, result.stderr
    _document, pages, _kind = read_repaired(scan, workers=1, progress=False)
    layers = layer_text(out)
    assert len(layers) == 2
    for page, layer in zip(pages, layers):
        assert layer.split() == page.text.split()  # every word, in order, as repaired
    assert syllable_accuracy(TRUTH, layers[0]) >= 0.97
    assert "Hội Liên hiệp Phụ nữ" in layers[0]  # NFC Vietnamese, copyable


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdftotext_reads_the_same_words(searchable):
    out = searchable[0]
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert text.split() == "\n".join(layer_text(out)).split()


def test_pages_and_images_are_the_inputs_and_input_is_untouched(scan, searchable):
    out, _hocr, _result, before = searchable
    assert sha256(scan) == before
    assert page_images(out) == page_images(scan)
    with pikepdf.open(scan) as a, pikepdf.open(out) as b:
        assert [p.mediabox for p in a.pages] == [p.mediabox for p in b.pages]


def test_output_is_validated_pdfa(searchable):
    out, _hocr, result, _before = searchable
    from pikepdf.pdfa import Flavour, validate_written

    assert "PDF/A-2b" in result.stderr
    assert validate_written(out, Flavour.PDFA_2B).verdict == "pass"


def test_hocr_reads_back_with_boxes_and_both_confidences(searchable):
    from ocrmypdf.hocrtransform import HocrParser

    _out, hocr, _result, _before = searchable
    page = HocrParser(hocr).parse()
    words = [w for line in page.lines for w in line.children]
    assert " ".join(w.text for w in words).split()[:4] == PAGE_LINES[0].split()[:4]
    assert all(w.bbox and w.bbox.width > 0 and 0 <= w.confidence <= 1 for w in words)
    text = hocr.read_text(encoding="utf-8")
    assert "x_ocr_wconf" in text and "x_wconf" in text


def test_english_model_text_layer_is_replaced(tmp_path, page_image):
    """An archive PDF whose invisible layer is Tesseract ``eng`` OCR ("Hoi Lién hiép …")."""
    image = tmp_path / "page.png"
    page_image.save(image, dpi=(300, 300))
    subprocess.run(["tesseract", str(image), str(tmp_path / "eng"), "-l", "eng", "pdf"],
                   check=True, capture_output=True, env={"OMP_THREAD_LIMIT": "1"})
    old = tmp_path / "eng.pdf"
    assert "Hội" not in layer_text(old)[0]  # the English model lost the marks
    result = run_cli("pdf", str(old), "-o", str(tmp_path / "new.pdf"), "--workers", "1")
    assert result.returncode == 0, result.stderr
    new = layer_text(tmp_path / "new.pdf")[0]
    assert syllable_accuracy(TRUTH, new) >= 0.97
    assert len(new.split()) == len(TRUTH.split())  # the old layer's words are gone
    assert page_images(tmp_path / "new.pdf") == page_images(old)


def test_good_vietnamese_text_layer_is_kept(tmp_path, searchable):
    out = searchable[0]
    result = run_cli("pdf", str(out), "-o", str(tmp_path / "again.pdf"))
    assert result.returncode == 0, result.stderr
    assert "text layer reads as Vietnamese; kept" in result.stderr
    assert layer_text(tmp_path / "again.pdf") == layer_text(out)


def test_image_input_becomes_a_pdf_page_with_its_own_pixels(tmp_path, second_page_image):
    png = tmp_path / "page.png"
    second_page_image.save(png, dpi=(300, 300))
    result = run_cli("pdf", str(png), "-o", str(tmp_path / "page.pdf"))
    assert result.returncode == 0, result.stderr
    with pikepdf.open(tmp_path / "page.pdf") as pdf:
        (image,) = pdf.pages[0].get_images().values()
        assert pikepdf.PdfImage(image).as_pil_image().tobytes() == \
            Image.open(png).convert("L").tobytes()
    layer = layer_text(tmp_path / "page.pdf")[0]
    assert syllable_accuracy("\n".join(SECOND_PAGE_LINES), layer) >= 0.95


def test_page_with_a_rotate_key_gets_its_layer_where_the_words_are(tmp_path, page_image):
    """A scan stored sideways in a page displayed upright by /Rotate 90: the layer must
    follow the page as displayed (pdfplumber reads the words in order)."""
    buffer = io.BytesIO()
    page_image.rotate(90, expand=True).save(buffer, "PNG", dpi=(300, 300))
    sideways = tmp_path / "sideways.pdf"
    sideways.write_bytes(img2pdf.convert(buffer.getvalue()))
    with pikepdf.open(sideways, allow_overwriting_input=True) as pdf:
        pdf.pages[0].obj.Rotate = 90  # shown turned a quarter clockwise: upright
        pdf.save(sideways)
    result = run_cli("pdf", str(sideways), "-o", str(tmp_path / "out.pdf"), "--workers", "1")
    assert result.returncode == 0, result.stderr
    assert syllable_accuracy(TRUTH, layer_text(tmp_path / "out.pdf")[0]) >= 0.97


def test_refusals_are_one_line_before_any_work(tmp_path, scan):
    text = tmp_path / "report.txt"
    text.write_text("Báo cáo tổng kết công tác thi đua khen thưởng năm 2021 của hội\n",
                    encoding="utf-8")
    result = run_cli("pdf", str(text), "-o", str(tmp_path / "x.pdf"))
    assert result.returncode == 4
    assert result.stderr.strip().count("\n") == 0 and "no page images" in result.stderr
    result = run_cli("pdf", str(scan), "-o", str(tmp_path / "missing" / "x.pdf"))
    assert result.returncode == 2 and "does not exist" in result.stderr
    before = sha256(scan)
    result = run_cli("pdf", str(scan), "-o", str(scan))
    assert result.returncode == 2 and sha256(scan) == before
    assert not (tmp_path / "x.pdf").exists()
