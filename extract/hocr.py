"""hOCR: the repaired words of a document with their boxes and both confidences.

hOCR (https://kba.github.io/hocr-spec/1.2/) is the HTML that OCR tools exchange word boxes
in; OCRmyPDF, gImageReader and hocr-tools read it. Each ``ocrx_word`` carries the repaired
word as its text, ``x_wconf`` its repaired confidence (0–100) and, beside it,
``x_ocr_wconf`` and ``data-ocr`` the OCR engine's own confidence and reading, so that a
reviewer sees what the scan said and what the repair made of it. Pages whose text came
without boxes (a text layer, a text file) have lines and words but no ``bbox``.
"""
from __future__ import annotations

from html import escape

from extract.text import Line, Page, Word

CAPABILITIES = "ocr_page ocr_carea ocr_par ocr_line ocrx_word ocrp_wconf"


def document(pages: list[Page], title: str) -> str:
    """The hOCR document of ``pages`` (one ``ocr_page`` each, in order)."""
    body = "\n".join(page_div(page, index) for index, page in enumerate(pages))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"\n'
        '    "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="vi" lang="vi">\n<head>\n'
        f'<title>{escape(title)}</title>\n'
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8"/>\n'
        '<meta name="ocr-system" content="vn-report-extract (Tesseract, repaired)"/>\n'
        f'<meta name="ocr-capabilities" content="{CAPABILITIES}"/>\n'
        f'</head>\n<body>\n{body}\n</body>\n</html>\n')


def page_div(page: Page, index: int) -> str:
    """One page as an ``ocr_page`` div; ``index`` is its 0-based place in the document.
    Its lines are held by one text area and paragraph (the repair keeps lines, not
    Tesseract's paragraphs), as hOCR readers expect lines inside paragraphs."""
    title = [f"ppageno {index}"]
    if page.size:
        title.insert(0, f"bbox 0 0 {page.size[0]} {page.size[1]}")
    lines = "\n".join(_line(line, page.number, n)
                      for n, line in enumerate(page.lines, 1) if line.words)
    return (f"<div class='ocr_page' id='page_{page.number}' title='{'; '.join(title)}'>\n"
            f"<div class='ocr_carea' id='block_{page.number}'>"
            f"<p class='ocr_par' id='par_{page.number}' lang='vie'>\n{lines}\n</p></div>\n</div>")


def _line(line: Line, page: int, number: int) -> str:
    """An ``ocr_line`` span: its box is the union of its words' boxes."""
    boxes = [w.box for w in line.words if w.box]
    title = ""
    if boxes:
        left = min(b[0] for b in boxes)
        top = min(b[1] for b in boxes)
        right = max(b[0] + b[2] for b in boxes)
        bottom = max(b[1] + b[3] for b in boxes)
        title = f" title='bbox {left} {top} {right} {bottom}'"
    words = " ".join(_word(word, f"word_{page}_{number}_{i}")
                     for i, word in enumerate(line.words, 1))
    return f"<span class='ocr_line' id='line_{page}_{number}'{title}>{words}</span>"


def _word(word: Word, ident: str) -> str:
    """An ``ocrx_word`` span with its box and confidences (and its OCR reading when the
    repair changed it)."""
    title = []
    if word.box:
        left, top, width, height = word.box
        title.append(f"bbox {left} {top} {left + width} {top + height}")
    title.append(f"x_wconf {round(word.confidence * 100)}")
    if word.ocr_confidence is not None:
        title.append(f"x_ocr_wconf {round(word.ocr_confidence * 100)}")
    reading = (f" data-ocr='{escape(word.ocr, quote=True)}'"
               if word.ocr is not None and word.ocr != word.text else "")
    return (f"<span class='ocrx_word' id='{ident}' title='{'; '.join(title)}'{reading}>"
            f"{escape(word.text, quote=False)}</span>")
