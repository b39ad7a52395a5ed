"""Searchable PDFs: every page as it looks, under an invisible layer of the repaired words.

What OCRmyPDF does, with the text our repair gives: each OCR'd page's words go out as hOCR
(``extract.hocr``), OCRmyPDF's own hOCR renderer (fpdf2, a glyphless font with a Unicode
map) draws them as invisible text at their boxes, and pikepdf lays that text page over the
original page as a form XObject. The page's own content (its scan) is not touched, so page
images stay byte-identical; an old invisible text layer (an English-model OCR) is removed
first, with OCRmyPDF's ``strip_invisible_text`` (its ``--redo-ocr``). Pages whose own text
layer reads as Vietnamese are kept as they are. Images (PNG, JPEG, TIFF) become PDF pages
losslessly through img2pdf. The result is PDF/A-2b when pikepdf's validator passes it
(OCRmyPDF's speculative conversion, without Ghostscript), else a plain PDF, said on stderr.
"""
from __future__ import annotations

import io
import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

from extract import hocr
from extract.errors import CorruptInput, UnsupportedInput
from extract.text import Page


def searchable_pdf(path: Path, kind: str, pages: list[Page],
                   say: Callable[[str], None] = lambda _message: None) -> bytes:
    """The bytes of a searchable PDF of the document at ``path`` (``kind`` pdf or image)
    whose repaired ``pages`` are given in order; ``say`` receives the messages for the
    user (pages kept, PDF/A or not)."""
    import pikepdf

    if kind == "text":
        raise UnsupportedInput(path, "a text file has no page images to make a PDF of")
    pdf = pikepdf.open(path) if kind == "pdf" else pikepdf.open(io.BytesIO(_image_pdf(path)))
    if len(pdf.pages) != len(pages):
        raise CorruptInput(path, f"has {len(pdf.pages)} pages, {len(pages)} were read")
    layered = [(index, page) for index, page in enumerate(pages)
               if page.method == "ocr" and page.size]
    kept = [page.number for page in pages if page.method == "text-layer"]
    if kept:
        say(f"pages {_ranges(kept)}: their own text layer reads as Vietnamese; kept")
    if layered:
        text_pdf = pikepdf.open(io.BytesIO(_text_layer([page for _index, page in layered])))
        for (index, _page), text_page in zip(layered, text_pdf.pages):
            target = pdf.pages[index]
            if kind == "pdf":
                _strip_invisible_text(pdf, target)
            # QPDF places the layer (drawn as the page is displayed: what OCR read) turned
            # against the page's /Rotate, so that it lies on the page as displayed
            target.add_overlay(text_page, pikepdf.Rectangle(target.mediabox))
    return _save(pdf, say)


def _image_pdf(path: Path) -> bytes:
    """An image file (every frame of a TIFF) as PDF pages, its pixels embedded as they are
    (JPEG and PNG data are copied, not decoded and encoded again)."""
    import img2pdf

    try:
        return img2pdf.convert(str(path), rotation=img2pdf.Rotation.ifvalid)
    except img2pdf.AlphaChannelError:  # a transparent PNG: flattened on white, as OCR saw it
        from PIL import Image

        with Image.open(path) as image:
            paper = Image.new("RGBA", image.size, "white")
            paper.alpha_composite(image.convert("RGBA"))
            buffer = io.BytesIO()
            paper.convert("RGB").save(buffer, "PNG", dpi=image.info.get("dpi", (300, 300)))
        return img2pdf.convert(buffer.getvalue())


def _text_layer(pages: list[Page]) -> bytes:
    """A PDF of invisible text, one page per ``pages`` item, each as large as its image
    at 72 dpi (it is scaled onto the real page)."""
    from ocrmypdf.font import MultiFontManager
    from ocrmypdf.fpdf_renderer.renderer import Fpdf2MultiPageRenderer
    from ocrmypdf.hocrtransform import HocrParser

    logging.getLogger("ocrmypdf").setLevel(logging.ERROR)  # its per-line notes are noise here
    logging.getLogger("fpdf").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="pdf-") as tmp:
        trees = []
        for index, page in enumerate(pages):
            source = Path(tmp) / f"page{index}.hocr"
            source.write_text(hocr.document([page], f"page {page.number}"), encoding="utf-8")
            trees.append((index, HocrParser(source).parse(), 72.0))
        out = Path(tmp) / "text.pdf"
        Fpdf2MultiPageRenderer(trees, MultiFontManager()).render(out)
        return out.read_bytes()


def _strip_invisible_text(pdf, page) -> None:  # noqa: ANN001 - pikepdf Pdf and Page
    """Remove the page's invisible text (an older OCR's layer); visible text stays."""
    from ocrmypdf._graft import strip_invisible_text  # OCRmyPDF's --redo-ocr step

    strip_invisible_text(pdf, page)


def _save(pdf, say: Callable[[str], None]) -> bytes:  # noqa: ANN001 - a pikepdf Pdf
    """The document's bytes as PDF/A-2b when pikepdf's validator passes it, else as a
    plain PDF (streams as they are: no image is recompressed)."""
    from pikepdf.pdfa import Flavour, PdfaError, save

    buffer = io.BytesIO()
    try:
        save(pdf, buffer, Flavour.PDFA_2B)
        say("PDF/A-2b (validated)")
    except PdfaError as err:
        reasons = "; ".join(f.message for f in err.report.findings[:3]) or "not validated"
        say(f"not PDF/A: {reasons}")
        buffer = io.BytesIO()
        pdf.save(buffer)
    return buffer.getvalue()


def _ranges(numbers: list[int]) -> str:
    """``[1, 2, 3, 5]`` as ``1-3, 5``."""
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)
