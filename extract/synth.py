"""Scan synthesiser: renders known text as scan-like page images and PDFs.

The samples, the OCR benchmark and the tests need page images whose exact text is known.
``render_page`` lays text out on an A4 page line by line (the line structure is the ground
truth, so lines are never wrapped), ``degrade`` turns a clean page into one of the scan
qualities met in archives, and ``pages_to_pdf`` writes pages as a small image-only PDF.
Everything is deterministic given the seed.
"""
from __future__ import annotations

import io
import subprocess
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from extract.text import nfc

A4_INCHES = (8.27, 11.69)
MARGIN_CM = 2.0
LINE_SPACING = 1.3
LEFT_COLUMN = 0.4  # share of the text width taken by the left column of a TAB line

QUALITIES = ("clean300", "bw200", "jpeg", "blur", "office")
QUALITY_DPI = {"clean300": 300, "bw200": 200, "jpeg": 200, "blur": 300, "office": 200}
# "office": what a tired office copier-scanner makes of an ordinary printed page. Each page
# draws its own settings from these ranges (seeded), so the scans differ as a pile does.
OFFICE_SKEW = 1.0  # degrees either way
OFFICE_SHIFT_MM = 6.0  # the page lies off-centre on the glass by up to this, either way
OFFICE_BLUR = (0.55, 0.9)  # gaussian sigma at 200 dpi, before the threshold
OFFICE_THRESHOLD = (130, 170)  # global threshold: high spreads toner, low drops it out
OFFICE_DROPOUT = (0.10, 0.25)  # how much ink the faded patches lose (0-1)
OFFICE_DUST = 0.0006  # share of the page under dust specks
OFFICE_HOLES = 0.002  # share of ink pixels lost as pinholes
CLEAN_JPEG_QUALITY = 85
ARCHIVE_JPEG_QUALITY = 30

# Precomposed Vietnamese letters (Ạ…ỹ) and Ơ ơ Ư ư Đ đ, as a fontconfig charset.
VIETNAMESE_CHARSET = "1ea0-1ef9 1a0 1a1 1af 1b0 110 111"


def _fc(*args: str) -> str:
    """Output of one fontconfig command."""
    try:
        return subprocess.run(list(args), check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as err:
        raise RuntimeError(f"{args[0]} failed: {err}") from err


@lru_cache(maxsize=None)
def font_file(name: str, bold: bool = False) -> str:
    """Path of the font file fontconfig picks for ``name`` (bold face when asked).

    Raises RuntimeError when that file lacks Vietnamese letters: a page rendered with it
    would show empty boxes where the text has diacritics.
    """
    pattern = f"{name}:bold" if bold else name
    path = _fc("fc-match", "-f", "%{file}", pattern).strip()
    covering = _fc("fc-list", "-f", "%{file}\n", f"{name}:charset={VIETNAMESE_CHARSET}")
    if not path or path not in covering.splitlines():
        raise RuntimeError(f"font {pattern!r} ({path or 'not found'}) has no Vietnamese "
                           "letters; install fonts-liberation2, fonts-dejavu or fonts-noto")
    return path


@lru_cache(maxsize=None)
def _font(name: str, bold: bool, size_px: int) -> ImageFont.FreeTypeFont:
    """The loaded font at a pixel size (cached: a page loads each face once)."""
    return ImageFont.truetype(font_file(name, bold), size_px)


def _text_strip(text: str, font: ImageFont.FreeTypeFont, height: int,
                max_width: int) -> Image.Image:
    """One run of text on a white strip, squeezed horizontally when wider than max_width."""
    width = max(1, int(np.ceil(font.getlength(text))))
    strip = Image.new("L", (width, height), 255)
    ascent, _ = font.getmetrics()
    baseline = int(height * 0.8)
    ImageDraw.Draw(strip).text((0, baseline - ascent), text, font=font, fill=0)
    if width > max_width:
        strip = strip.resize((max_width, height), Image.Resampling.LANCZOS)
    return strip


def render_page(lines: list[str], *, font: str = "Liberation Serif", size_pt: float = 13,
                dpi: int = 300, bold_lines: set[int] | None = None,
                centred_lines: set[int] | None = None) -> Image.Image:
    """An A4 grayscale page showing ``lines`` top to bottom, one text line per entry.

    A line holding a TAB is a two-column header line: the text before the TAB is centred in
    the left 40 % of the text width, the text after it in the right 60 %. ``bold_lines`` and
    ``centred_lines`` hold 0-based indices of the lines set in bold or centred (a title).
    Lines too wide are squeezed, never wrapped.
    """
    bold_lines, centred_lines = bold_lines or set(), centred_lines or set()
    page_w, page_h = (round(side * dpi) for side in A4_INCHES)
    margin = round(MARGIN_CM / 2.54 * dpi)
    size_px = round(size_pt * dpi / 72)
    step = round(size_px * LINE_SPACING)
    text_w = page_w - 2 * margin
    page = Image.new("L", (page_w, page_h), 255)
    for index, raw in enumerate(lines):
        top = margin + index * step
        if top + step > page_h - margin // 2:
            raise ValueError(f"{len(lines)} lines do not fit on one page at {size_pt} pt")
        face = _font(font, index in bold_lines, size_px)
        text = nfc(raw)
        if "\t" in text:
            left, right = (part.strip() for part in text.split("\t", 1))
            left_w = round(text_w * LEFT_COLUMN)
            for part, x0, col_w in ((left, margin, left_w),
                                    (right, margin + left_w, text_w - left_w)):
                if part:
                    strip = _text_strip(part, face, step, col_w)
                    page.paste(strip, (x0 + (col_w - strip.width) // 2, top))
        elif text.strip():
            stripped = text.strip()
            strip = _text_strip(stripped, face, step, text_w)
            indent = (text_w - strip.width) // 2 if index in centred_lines else 0
            page.paste(strip, (margin + indent, top))
    page.info["dpi"] = (dpi, dpi)
    return page


def _speckle(pixels: np.ndarray, rng: np.random.Generator, share: float) -> np.ndarray:
    """Salt-and-pepper noise: ``share`` of the pixels set black or white at random."""
    mask = rng.random(pixels.shape) < share
    pixels = pixels.copy()
    pixels[mask] = np.where(rng.random(int(mask.sum())) < 0.5, 0, 255)
    return pixels


def _at_dpi(image: Image.Image, dpi: int) -> Image.Image:
    """``image`` resampled from its own resolution to ``dpi``."""
    source = round(image.info.get("dpi", (300, 300))[0])
    if source == dpi:
        return image.copy()
    size = (round(image.width * dpi / source), round(image.height * dpi / source))
    return image.resize(size, Image.Resampling.LANCZOS)


def degrade(image: Image.Image, quality: str, seed: int) -> Image.Image:
    """A scan of the clean page ``image`` at one of ``QUALITIES``, reproducible from ``seed``.

    clean300: gray 300 dpi with faint specks; bw200: the common office scan (200 dpi, skew
    within ±1.5°, blur, salt-and-pepper, black and white); jpeg: gray 200 dpi, slight blur,
    JPEG quality 30 (the compressed bytes are kept in ``info["jpeg_bytes"]``); blur: gray
    300 dpi, gaussian blur radius 1.2; office: a tired office scanner's 200 dpi black and
    white (``_office``). The result's ``info["dpi"]`` is its real resolution.
    """
    if quality not in QUALITY_DPI:
        raise ValueError(f"unknown scan quality {quality!r}; one of {', '.join(QUALITIES)}")
    rng = np.random.default_rng(seed)
    dpi = QUALITY_DPI[quality]
    page = _at_dpi(image.convert("L"), dpi)
    if quality == "clean300":
        page = Image.fromarray(_speckle(np.asarray(page), rng, 0.00002))
    elif quality == "bw200":
        angle = float(rng.uniform(-1.5, 1.5))
        page = page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
        page = page.filter(ImageFilter.GaussianBlur(0.6))
        pixels = _speckle(np.asarray(page), rng, 0.0004)
        page = Image.fromarray(np.where(pixels < 150, 0, 255).astype(np.uint8)).convert("1")
    elif quality == "jpeg":
        page = page.filter(ImageFilter.GaussianBlur(0.5))
        buffer = io.BytesIO()
        page.save(buffer, "JPEG", quality=ARCHIVE_JPEG_QUALITY, dpi=(dpi, dpi))
        data = buffer.getvalue()
        page = Image.open(io.BytesIO(data))
        page.load()
        page.info["jpeg_bytes"] = data
    elif quality == "office":
        page = _office(image.convert("L"), rng)
    else:  # blur
        page = page.filter(ImageFilter.GaussianBlur(1.2))
    page.info["dpi"] = (dpi, dpi)
    return page


def _office(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A 200 dpi black-and-white office scan of the clean page ``image``: off-centre and a
    little askew on the glass, toner that spreads or drops out (a smooth field of faded
    patches, then blur and one global threshold, as the scanner's), dust and pinholes."""
    dpi = QUALITY_DPI["office"]
    source = round(image.info.get("dpi", (300, 300))[0])
    shift = [round(rng.uniform(-OFFICE_SHIFT_MM, OFFICE_SHIFT_MM) / 25.4 * source)
             for _ in range(2)]
    page = image.rotate(float(rng.uniform(-OFFICE_SKEW, OFFICE_SKEW)),
                        resample=Image.Resampling.BICUBIC, translate=shift, fillcolor=255)
    page = _at_dpi(page, dpi)
    ink = 1.0 - np.asarray(page, dtype=np.float32) / 255.0
    # faded patches: coarse noise, smoothed to blotches a few millimetres across
    coarse = rng.random((max(2, page.height // 40), max(2, page.width // 40)))
    field = np.asarray(Image.fromarray((coarse * 255).astype(np.uint8)).resize(
        page.size, Image.Resampling.BICUBIC), dtype=np.float32) / 255.0
    ink *= 1.0 - rng.uniform(*OFFICE_DROPOUT) * field
    gray = Image.fromarray(((1.0 - ink) * 255).clip(0, 255).astype(np.uint8))
    pixels = np.asarray(gray.filter(ImageFilter.GaussianBlur(rng.uniform(*OFFICE_BLUR))))
    black = pixels < rng.uniform(*OFFICE_THRESHOLD)
    black &= rng.random(black.shape) >= OFFICE_HOLES
    dust = rng.random(black.shape) < OFFICE_DUST / 4
    black |= dust | np.roll(dust, 1, 0) | np.roll(dust, 1, 1) | np.roll(dust, (1, 1), (0, 1))
    return Image.fromarray(np.where(black, 0, 255).astype(np.uint8)).convert("1")


def _page_bytes(image: Image.Image, quality: str) -> bytes:
    """One page encoded for the PDF: CCITT G4 TIFF for black and white (bw200, office),
    gray JPEG otherwise."""
    dpi = QUALITY_DPI[quality]
    buffer = io.BytesIO()
    if quality in ("bw200", "office"):
        image.convert("1").save(buffer, "TIFF", compression="group4", dpi=(dpi, dpi))
    elif quality == "jpeg" and "jpeg_bytes" in image.info:
        return image.info["jpeg_bytes"]
    else:
        level = ARCHIVE_JPEG_QUALITY if quality == "jpeg" else CLEAN_JPEG_QUALITY
        image.convert("L").save(buffer, "JPEG", quality=level, optimize=True, dpi=(dpi, dpi))
    return buffer.getvalue()


def pages_to_pdf(images: list[Image.Image], path: Path | str, quality: str) -> None:
    """Write ``images`` (pages made by ``degrade`` at ``quality``) as one image-only PDF."""
    import img2pdf

    if quality not in QUALITY_DPI:
        raise ValueError(f"unknown scan quality {quality!r}; one of {', '.join(QUALITIES)}")
    if not images:
        raise ValueError("a PDF needs at least one page")
    # The internal engine writes a content-derived /ID; the pikepdf one a random ID under
    # pikepdf >= 10 (img2pdf compares version strings), which breaks reproducibility.
    data = img2pdf.convert([_page_bytes(image, quality) for image in images], nodate=True,
                           engine=img2pdf.Engine.internal)
    Path(path).write_bytes(data)
