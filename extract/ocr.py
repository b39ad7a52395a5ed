"""OCR one page image with Tesseract into the shared Page/Line/Word model.

Words keep Tesseract's confidence (0–1) and box; lines follow Tesseract's own
block/paragraph/line structure (its TSV output), in its reading order; boxes are in
the pixels of the page as read (levelled and turned upright). A page scanned
upside down or sideways is found by Tesseract's orientation detection (OSD), consulted
only when the first reading is poor, so that upright pages cost one Tesseract reading.
Tesseract runs in this process on one thread (``extract.tesseract``): parallelism comes
from OCR-ing pages in separate processes, which scales better.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np
import regex
from PIL import Image, ImageOps

from extract import tesseract
from extract.errors import UnknownModel
from extract.preprocess import deskew, level_matrix, map_boxes, turn_matrix
from extract.text import DIGIT_LOOKALIKES, Line, Page, Word, nfc, union_box

DEFAULT_LANG = "vie"
# A first reading whose mean word confidence is below this may be of a rotated page.
ROTATION_SUSPECT_CONFIDENCE = 0.75
# OSD's orientation confidence below this is noise (it guesses on sparse pages).
MIN_OSD_CONFIDENCE = 2.0
# A word holding a digit that Tesseract read less surely than this is read again from its
# crop alone (a faded patch of toner makes "215" read "2!5" beside it); the second reading
# is kept when it is a number too and at least REREAD_MARGIN surer.
REREAD_BELOW = 0.8
REREAD_MARGIN = 0.1
_DIGIT = regex.compile(r"\d")
_NUMBER = regex.compile(r"[\d.,%/:–-]*\d[\d.,%/:–-]*")
# A 1 whose stem a worn scan broke off its number reads as a mark of its own ("l 18.000",
# "3 | 8.900", "} I8"): a word that is only such a mark, as tall as the digits beside it (a
# table's rule is taller, a speck shorter), is joined to them. No word is one of these
# marks alone; "I" is left out, being a Roman numeral ("Nhóm I").
_BROKEN_ONE = regex.compile(r"[l|}\]\[¡!]")
_DIGIT_HEIGHT = (0.75, 1.33)  # a mark's height over its number's: the same line of digits
# A 1 that Tesseract set apart from the rest of its number, a word space after it, before
# a number whose thousands are grouped ("1 3.682" for 13.682): no sentence puts two numbers
# side by side, and a table's row number stands a column away (more than the 1's height).
_PARTED_ONE = regex.compile(r"\d{1,2}[.,]\d{3}(?:[.,]\d{3})*[.,:;]?")
# A number whose thousands are grouped (1-3 digits, then groups of 3), or ungrouped digits
_WELL_FORMED = regex.compile(r"\d{1,3}(?:[.,]\d{3})+(?:,\d+)?|\d{1,4}")
# A "word" of one or two letters or digits this much shorter than its line's words is toner
# speckle Tesseract read as letters ("t", "h", "ˆ"): no letter or digit is under the
# x-height, about half a word's height (a full stop or a dash may be; they are left be).
# Longer words stay whatever their box: Tesseract sometimes gives one the height of a
# speck that starts it (".CỘNG", 4 pixels high).
SPECK_HEIGHT = 0.3
SPECK_LETTERS = 2
_ALNUM = regex.compile(r"[\p{L}\p{N}]")


@dataclass
class OcrResult:
    """A page read by Tesseract and the seconds the Tesseract runs took."""

    page: Page
    tesseract_seconds: float
    rotated: int = 0  # degrees the page was turned (clockwise) before its final reading
    skew: float = 0.0  # degrees it was then levelled by (counter-clockwise)


def resolve_lang(lang: str) -> str:
    """``lang`` as Tesseract on this machine names it, or UnknownModel.

    Debian installs the script model ``script/Vietnamese`` as plain ``Vietnamese``, so a
    ``script/`` prefix is dropped when only the bare name exists.
    """
    models = tesseract.installed_models()
    resolved = []
    for part in lang.split("+"):
        if part not in models and part.startswith("script/") and part[7:] in models:
            part = part[7:]
        if part not in models:
            raise UnknownModel(part, "no such Tesseract model installed (installed: "
                                     f"{', '.join(sorted(models))})")
        resolved.append(part)
    return "+".join(resolved)


def _read_lines(image: Image.Image, lang: str, number: int) -> tuple[Page, float]:
    """One Tesseract reading of ``image``: the page's lines and the seconds it took."""
    data, seconds = tesseract.read_data(image, lang)
    lines: dict[tuple[int, int, int], Line] = {}
    for i, text in enumerate(data["text"]):
        text = nfc(text.strip())
        confidence = data["conf"][i]
        if not text or confidence < 0:
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        box = (data["left"][i], data["top"][i], data["width"][i], data["height"][i])
        lines.setdefault(key, Line()).words.append(Word(text, confidence / 100, box))
    for line in lines.values():
        _drop_specks(line)
    return Page(number, [line for line in lines.values() if line.words], "ocr"), seconds


def _drop_specks(line: Line) -> None:
    """Drop the words of ``line`` that are specks read as letters (``SPECK_HEIGHT``),
    measured against the median height of its words of two letters or more."""
    letters = [len(_ALNUM.findall(w.text)) for w in line.words]
    heights = sorted(w.box[3] for w, n in zip(line.words, letters) if n > 1)
    if not heights:
        return
    floor = SPECK_HEIGHT * heights[len(heights) // 2]
    line.words = [w for w, n in zip(line.words, letters)
                  if w.box[3] >= floor or not 0 < n <= SPECK_LETTERS]


def mean_confidence(page: Page) -> float:
    """Mean word confidence of a page (0 when it has no words)."""
    words = [w.confidence for line in page.lines for w in line.words]
    return sum(words) / len(words) if words else 0.0


def ocr_image(image: Image.Image, lang: str = DEFAULT_LANG, number: int = 1) -> OcrResult:
    """Read one page image, levelled first (``extract.preprocess.deskew``) and turned
    upright when OSD is confident it is rotated; word boxes are given back in ``image``'s
    own pixels, so that they land on the page as scanned."""
    level, skew = deskew(image)
    page, seconds = _read_lines(level, lang, number)
    result = OcrResult(page, seconds, 0, skew)
    if mean_confidence(page) < ROTATION_SUSPECT_CONFIDENCE:
        rotate, confidence, osd_seconds = tesseract.orientation(level)
        result.tesseract_seconds += osd_seconds
        if rotate != 0 and confidence >= MIN_OSD_CONFIDENCE:
            upright, upright_skew = deskew(image.rotate(-rotate, expand=True, fillcolor=255))
            turned, turned_seconds = _read_lines(upright, lang, number)
            result.tesseract_seconds += turned_seconds
            if mean_confidence(turned) > mean_confidence(page):
                result = OcrResult(turned, result.tesseract_seconds, rotate, upright_skew)
    read = level if result.rotated == 0 else upright
    result.tesseract_seconds += _second_reading(read, result.page, lang)
    _join_broken_ones(result.page)
    _boxes_on_source(result, image.size)
    return result


def _second_reading(image: Image.Image, page: Page, lang: str) -> float:
    """Read again, from their crops of ``image`` (the image ``page`` was read from), the
    words holding a digit that Tesseract was unsure of, all in one Tesseract reading of the
    crops stacked one above the other; a word takes its
    second reading when that is a number and surer by REREAD_MARGIN. Returns the seconds
    Tesseract took."""
    doubtful = [w for line in page.lines for w in line.words
                if w.box and w.confidence < REREAD_BELOW and _DIGIT.search(w.text)]
    if not doubtful:
        return 0.0
    gray = image.convert("L")
    crops, tops, y = [], [], 0
    for word in doubtful:
        left, top, width, height = word.box
        pad = max(2, height // 4)
        crop = ImageOps.expand(gray.crop((left - pad, top - pad, left + width + pad,
                                          top + height + pad)), border=height, fill=255)
        crops.append(crop)
        tops.append(y)
        y += crop.height
    sheet = Image.new("L", (max(c.width for c in crops), y), 255)
    for crop, top in zip(crops, tops):
        sheet.paste(crop, (0, top))
    data, seconds = tesseract.read_data(sheet, lang, tesseract.SINGLE_BLOCK)
    found: dict[int, list[tuple[str, float]]] = {}
    for i, text in enumerate(data["text"]):
        text, confidence = nfc(text.strip()), data["conf"][i]
        if text and confidence >= 0:
            middle = data["top"][i] + data["height"][i] / 2
            k = bisect.bisect_right(tops, middle) - 1  # the crop it lies in
            found.setdefault(k, []).append((text, confidence / 100))
    for k, word in enumerate(doubtful):
        readings = found.get(k, [])
        if len(readings) == 1 and _NUMBER.fullmatch(readings[0][0]) and \
                readings[0][1] >= word.confidence + REREAD_MARGIN and \
                readings[0][0][-1:].isdigit() <= word.text[-1:].isdigit():
            # (a heading's "2." must not lose its full stop to a crop cut tight)
            word.text, word.confidence = readings[0]
    return seconds


def _join_broken_ones(page: Page) -> None:
    """Join each mark that is a broken-off 1 (``_BROKEN_ONE``) to the number after it, and
    to a number of 1-3 digits before it when the three read as one ("3 | 8.900" is
    318.900); only where the joined number is well formed. A 1 set apart from its grouped
    number by a word space (``_PARTED_ONE``) is joined to it too."""
    for line in page.lines:
        words = line.words
        k = 0
        while k + 1 < len(words):
            mark, right = words[k], words[k + 1]
            boxed = mark.box is not None and right.box is not None
            runs: list[list[Word]] = []
            if boxed and mark.text == "1" and _PARTED_ONE.fullmatch(right.text) \
                    and right.box[0] - mark.box[0] - mark.box[2] <= mark.box[3]:
                runs = [[mark, right]]
            elif boxed and _BROKEN_ONE.fullmatch(mark.text) and _DIGIT.search(right.text) \
                    and _DIGIT.match(right.text.translate(DIGIT_LOOKALIKES)) \
                    and _DIGIT_HEIGHT[0] <= mark.box[3] / right.box[3] <= _DIGIT_HEIGHT[1]:
                left = words[k - 1] if k else None
                runs = ([[left, mark, right]] if left is not None and left.box and
                        left.text.isdigit() and len(left.text) <= 3 else []) + [[mark, right]]
            for run in runs:
                text = "".join("1" if w is mark else w.text for w in run)
                if _WELL_FORMED.fullmatch(_bare(text.translate(DIGIT_LOOKALIKES))):
                    at = k - len(run) + 2
                    words[at:k + 2] = [Word(text, min(w.confidence for w in run),
                                            union_box([w.box for w in run]))]
                    k = at
                    break
            k += 1


def _bare(text: str) -> str:
    """``text`` without the punctuation that may end a number in a sentence ("18.000,")."""
    return text.rstrip(".,;:)")


def _boxes_on_source(result: OcrResult, size: tuple[int, int]) -> None:
    """Map the word boxes of ``result`` (in the pixels of the image Tesseract read: turned,
    then levelled) back to the source image of ``size``."""
    turned = (size[1], size[0]) if result.rotated % 180 else size
    forward = level_matrix(turned, result.skew) @ turn_matrix(size, result.rotated)
    map_boxes(result.page, np.linalg.inv(forward), size)
