"""Ingest: open a PDF, image or text file and say, page by page, where its text comes from.

A page either already has text (a text file, or a PDF page with a real text layer; legacy
TCVN3/VNI layers are converted; an earlier OCR layer over a scan is kept only when it reads
as Vietnamese) or must be OCR'd, in which case it is described by a
``PageImage`` (file, kind, page index) so that an OCR worker process loads the pixels
itself: shipping file names instead of bitmaps keeps the pool's overhead low.
Every way an input can be wrong ends in one ``extract.errors.InputError``.
"""
from __future__ import annotations

import hashlib
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import regex
from PIL import Image, ImageOps, ImageSequence

from extract import legacy
from extract.errors import (CorruptInput, EmptyInput, EncryptedInput, InputTooLarge,
                            MissingInput, UnsupportedInput)
from extract.streams import decoded_size
from extract.text import Page, nfc

if TYPE_CHECKING:  # imported where used: a text file needs no PDF library
    from pypdfium2 import PdfPage

DPI = 300
# A PDF page is rendered with its long side at most this many pixels: A3's long side at DPI,
# the largest paper a report is printed on. A page the PDF says is larger is a scan whose
# resolution was lost and taken as 72 dpi or less (a 2480-pixel-wide A4 scan becomes a
# page 35 inches wide): rendered at DPI it would be 160 Mpx of nothing but magnification.
RENDER_MAX_SIDE = round(16.6 * DPI)
# Largest page image rendered or loaded, in pixels: PIL's own decompression-bomb limit
# (about 89 Mpx; an A0 sheet at 300 dpi would be 140 Mpx, an A3 one 17 Mpx).
MAX_PIXELS = Image.MAX_IMAGE_PIXELS
# A PDF is measured with pikepdf (which reads its structure and decodes nothing) before
# PDFium or pdfminer read it, so that a small file cannot make them allocate gigabytes:
# at most MAX_PAGES pages; every image at most MAX_PIXELS pixels; every stream decoding
# (through its whole filter chain, see ``streams``) to at most MAX_STREAM_BYTES, or an image's to at most 8 bytes a pixel (four
# 16-bit components) plus a MiB.
MAX_PAGES = 2000
MAX_STREAM_BYTES = 64 * 2**20
# A text layer counts as real when it has at least this many letters …
MIN_TEXT_LETTERS = 20
# … and at most this share of its characters are placeholders for glyphs without Unicode.
MAX_UNMAPPED_SHARE = 0.05
# A text layer over a scanned page is an earlier OCR; it is kept only when it reads as
# Vietnamese (legacy.vietnamese_share at least this; Vietnamese prose is over 0.5), else the
# page is OCR'd again: an OCR made with another language's model is mostly garbage.
MIN_VIETNAMESE_SHARE = 0.2
# An image covering this share of the page makes it a scanned page.
SCAN_COVER = 0.9
_UNMAPPED = regex.compile(r"\(cid:\d+\)|[\uFFFD\p{Co}]")
_LETTER = regex.compile(r"\p{L}")
IMAGE_FORMATS = {"PNG", "JPEG", "TIFF", "BMP", "GIF", "WEBP", "PPM", "JPEG2000"}


@dataclass(frozen=True)
class PageImage:
    """A page to OCR: the file it is in, ``pdf`` or ``image``, 0-based index, 1-based number."""

    path: str
    kind: str
    index: int
    number: int


@dataclass
class Ingested:
    """An opened document: its kind, file digest, and per page a ready Page or a PageImage."""

    path: Path
    kind: str  # "pdf" | "image" | "text"
    sha256: str
    pages: list[Page | PageImage] = field(default_factory=list)
    legacy_encoding: str | None = None  # "tcvn3" | "vni" when a text layer was converted


def open_document(path: Path) -> Ingested:
    """Open ``path`` by sniffing its content (never its extension) and list its pages."""
    data = read_bytes(path)
    if not data:
        raise EmptyInput(path, "empty file")
    digest = hashlib.sha256(data).hexdigest()
    if b"%PDF-" in data[:1024]:
        return _open_pdf(path, digest)
    if _looks_like_image(data):
        return _open_image(path, digest)
    if _as_text(data) is None:
        raise UnsupportedInput(path, "not a PDF, an image (PNG, JPEG, TIFF) or a text file "
                                     f"({TEXT_ENCODINGS})")
    return _open_text(path, digest, decode_text(data, path))


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or MissingInput with the reason it cannot be read."""
    with open_input(path) as fh:
        return fh.read()


def open_input(path: Path) -> BinaryIO:
    """The file opened for reading (bytes), or MissingInput with the reason it cannot be."""
    try:
        fh = path.open("rb")
        if path.is_dir():  # opening a directory succeeds on some systems
            fh.close()
            raise IsADirectoryError
        return fh
    except FileNotFoundError:
        raise MissingInput(path, "no such file") from None
    except IsADirectoryError:
        raise MissingInput(path, "is a directory, not a file") from None
    except PermissionError:
        raise MissingInput(path, "permission denied") from None
    except OSError as err:
        raise MissingInput(path, f"cannot read: {err.strerror or err}") from None


_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM",
                b"GIF87a", b"GIF89a", b"\x00\x00\x00\x0cjP  ")


def _looks_like_image(data: bytes) -> bool:
    """True when the bytes start like an image format PIL reads."""
    return data.startswith(_IMAGE_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


_BINARY = regex.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
TEXT_ENCODINGS = "UTF-8, UTF-16 with a byte-order mark, Windows-1258, TCVN3 or VNI"


def _as_text(data: bytes) -> str | None:
    """The bytes as text, or None when they are not text in a known encoding: UTF-8 (with
    or without a BOM), UTF-16 with a BOM, or an 8-bit Vietnamese encoding that reads as
    Vietnamese once decoded (Windows-1258; TCVN3 and VNI fonts' codes, read as Windows-1252
    and converted by ``legacy``). Not NFC yet."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return None
        return None if _BINARY.search(text) else text
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _eight_bit(data)
    return None if _BINARY.search(text) else text


def _eight_bit(data: bytes) -> str | None:
    """Text in an 8-bit Vietnamese encoding, as Unicode; None when it is none of them.
    Windows-1258 first (its tone marks are combining characters, so it reads as Vietnamese
    only when it is), then the TCVN3 and VNI font codes."""
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError:
        text = None
    if text is not None and not _BINARY.search(text) and \
            legacy.vietnamese_share(nfc(text)) >= 0.3:
        return text
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    found = None if _BINARY.search(text) else legacy.detect(text)
    return legacy.to_unicode(text, found) if found else None


def decode_text(data: bytes, name: object) -> str:
    """The bytes of a text file as NFC text with ``\n`` line ends; UnsupportedInput when
    they are not text in one of ``TEXT_ENCODINGS``, EmptyInput when there is no text."""
    text = _as_text(data)
    if text is None:
        raise UnsupportedInput(name, f"not a text file in {TEXT_ENCODINGS}")
    text = nfc(text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise EmptyInput(name, "text file has no text")
    return text


def _open_text(path: Path, digest: str, text: str) -> Ingested:
    """A text file (already OCR'd text): pages split on form feeds, confidence 1."""
    chunks = text.split("\f")
    if chunks and not chunks[-1].strip():  # a trailing form feed ends the last page
        chunks.pop()
    pages = [Page.from_text(n, chunk.strip("\n"), "text") for n, chunk in enumerate(chunks, 1)]
    return Ingested(path, "text", digest, list(pages))


def open_image(path: str | Path) -> Image.Image:
    """Open an image with the decompression-bomb guard on (InputTooLarge, never a warning)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(path)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise InputTooLarge(path, f"image larger than {MAX_PIXELS} pixels "
                                      "(decompression bomb guard)") from None
        except (OSError, SyntaxError, ValueError) as err:
            raise CorruptInput(path, f"unreadable image: {err}") from None
    if image.format not in IMAGE_FORMATS:
        raise UnsupportedInput(path, f"unsupported image format {image.format}")
    return image


def _open_image(path: Path, digest: str) -> Ingested:
    """An image file; each frame of a multi-page TIFF is a page."""
    with open_image(path) as image:
        try:
            frames = getattr(image, "n_frames", 1)
            for frame in ImageSequence.Iterator(image):
                _check_pixels(path, frame.width * frame.height)
        except (OSError, EOFError, SyntaxError) as err:
            raise CorruptInput(path, f"unreadable image: {err}") from None
    if frames < 1:
        raise EmptyInput(path, "image has no frames")
    return Ingested(path, "image", digest,
                    [PageImage(str(path), "image", i, i + 1) for i in range(frames)])


def _check_pixels(path: Path | str, pixels: float) -> None:
    """InputTooLarge when one page image would exceed MAX_PIXELS."""
    if pixels > MAX_PIXELS:
        raise InputTooLarge(path, f"page image would have {int(pixels)} pixels, more than "
                                  f"{MAX_PIXELS} (decompression bomb guard)")


def _open_pdf(path: Path, digest: str) -> Ingested:
    """A PDF: text-layer pages as text, the others as page images to OCR (read with
    pdfplumber only when pdfium finds any text at all)."""
    import pypdfium2 as pdfium

    _check_pdf(path)
    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as err:
        if "password" in str(err).lower():
            raise EncryptedInput(path, "encrypted PDF (needs a password)") from None
        _raise_empty_or_corrupt(path)
    with document:
        count = len(document)
        # pdfium counts a page's characters quickly; a scan with none needs no pdfminer
        any_text = any(_char_count(document[i]) for i in range(count))
    if count == 0:
        raise EmptyInput(path, "PDF has no pages")
    layers: list[str | None] = []
    scanned: list[bool] = []
    try:
        if any_text:
            import pdfplumber

            _keep_soft_hyphen()
            with pdfplumber.open(path) as pdf:
                layers = [_text_layer(page) for page in pdf.pages]
                scanned = [_is_scanned(page) for page in pdf.pages]
    except Exception:  # noqa: BLE001 - pdfminer fails in many ways; pdfium read the file
        print(f"warning: {path}: text layer unreadable, OCR-ing every page", file=sys.stderr)
        layers, scanned = [], []
    layers += [None] * (count - len(layers))  # pages pdfminer missed are OCR'd
    scanned += [True] * (count - len(scanned))
    encoding = legacy.detect("\n".join(t for t in layers if t))
    if encoding:
        print(f"note: {path}: text layer in the legacy {encoding.upper()} font encoding, "
              "converted to Unicode", file=sys.stderr)
    pages: list[Page | PageImage] = []
    for index, layer in enumerate(layers[:count]):
        if layer is not None:
            layer = (legacy.to_unicode(layer, encoding) if encoding
                     else nfc(layer.replace(SOFT_HYPHEN, "")))
            if scanned[index] and legacy.vietnamese_share(layer) < MIN_VIETNAMESE_SHARE:
                layer = None
        if layer is None:  # rendered at most RENDER_MAX_SIDE square: within MAX_PIXELS
            pages.append(PageImage(str(path), "pdf", index, index + 1))
        else:
            pages.append(Page.from_text(index + 1, layer, "text-layer"))
    return Ingested(path, "pdf", digest, pages, encoding)


def _char_count(page: PdfPage) -> int:
    """How many characters pdfium finds on a page (0 on a bare scan)."""
    textpage = page.get_textpage()
    try:
        return textpage.count_chars()
    finally:
        textpage.close()
        page.close()


def _check_pdf(path: Path) -> None:
    """Refuse, before anything decodes it, a PDF that is encrypted, corrupt (a page tree
    that contains itself included), empty or too large for the limits above."""
    import pikepdf

    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        raise EncryptedInput(path, "encrypted PDF (needs a password)") from None
    except pikepdf.PdfError as err:
        raise CorruptInput(path, f"corrupt PDF ({_pike_reason(path, err)})") from None
    with pdf:
        try:
            count = len(pdf.pages)
        except pikepdf.PdfError as err:
            raise CorruptInput(path, f"corrupt PDF ({_pike_reason(path, err)})") from None
        if count > MAX_PAGES:
            raise InputTooLarge(path, f"PDF has {count} pages, more than {MAX_PAGES}; "
                                      "split it")
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                _check_stream(path, obj)


def _pike_reason(path: Path, err: Exception) -> str:
    """qpdf's message without the file name it starts with, a page-tree loop in words."""
    reason = str(err).removeprefix(f"{path}: ").removeprefix(f"{path} ")
    return "its page tree contains itself" if "loop detected" in reason.lower() else reason


def _check_stream(path: Path, stream) -> None:  # noqa: ANN001 - a pikepdf.Stream
    """InputTooLarge when a PDF stream is an image of more than MAX_PIXELS or decodes
    beyond its bound (see MAX_STREAM_BYTES); ``streams`` counts the decoded size without
    holding it, so measuring a bomb allocates a MiB or so."""
    import pikepdf

    limit = MAX_STREAM_BYTES
    if stream.get("/Subtype") == pikepdf.Name.Image:
        try:
            width, height = int(stream.get("/Width", 0)), int(stream.get("/Height", 0))
        except (TypeError, ValueError):
            return  # not numbers: PDFium will not draw it
        if width * height > MAX_PIXELS:
            raise InputTooLarge(path, f"PDF image of {width}×{height} pixels, more than "
                                      f"{MAX_PIXELS} (decompression bomb guard)")
        limit = 8 * width * height + 2**20
    filters = stream.get("/Filter")
    if filters is None:
        return
    filters = list(filters) if isinstance(filters, pikepdf.Array) else [filters]
    parms = stream.get("/DecodeParms")
    parms = list(parms) if isinstance(parms, pikepdf.Array) else [parms] * len(filters)
    try:
        names = [str(name) for name in filters]
        early = [int(p.get("/EarlyChange", 1)) if isinstance(p, pikepdf.Dictionary) else 1
                 for p in parms + [None] * (len(names) - len(parms))]
        raw = stream.read_raw_bytes()
    except (pikepdf.PdfError, TypeError, ValueError):
        return  # unreadable: PDFium and pdfminer skip it too
    if decoded_size(raw, names, early, limit) > limit:
        raise InputTooLarge(path, f"a PDF stream (object {stream.objgen[0]}) decodes to "
                                  f"more than {limit // 2**20} MiB (decompression bomb guard)")


SOFT_HYPHEN = "\u00ad"


def _keep_soft_hyphen() -> None:
    """Make pdfminer read WinAnsi code 0xAD as the soft hyphen (as cp1252 has it), not as a
    space: TCVN3 fonts draw ư there, and a space would split the word for good. Plain
    Unicode text layers drop the (invisible) soft hyphens afterwards."""
    from pdfminer.encodingdb import EncodingDB

    EncodingDB.win2unicode[0xAD] = SOFT_HYPHEN


def _raise_empty_or_corrupt(path: Path) -> None:
    """After PDFium refused the file: EmptyInput for a sound PDF without pages, else corrupt."""
    import pikepdf

    try:
        with pikepdf.open(path) as pdf:
            if len(pdf.pages) == 0:
                raise EmptyInput(path, "PDF has no pages")
    except pikepdf.PasswordError:
        raise EncryptedInput(path, "encrypted PDF (needs a password)") from None
    except pikepdf.PdfError as err:
        reason = str(err).removeprefix(f"{path}: ")
        raise CorruptInput(path, f"corrupt PDF ({reason})") from None
    raise CorruptInput(path, "corrupt PDF: PDFium cannot read it")


def _text_layer(page) -> str | None:  # noqa: ANN001 - a pdfplumber Page
    """The page's own text when it has real text (enough letters, mapped to Unicode)."""
    text = page.extract_text() or ""
    letters = len(_LETTER.findall(text))
    if letters < MIN_TEXT_LETTERS:
        return None
    unmapped = sum(len(m) for m in _UNMAPPED.findall(text))
    if unmapped > MAX_UNMAPPED_SHARE * len(text):
        return None
    return text


def _is_scanned(page) -> bool:  # noqa: ANN001 - a pdfplumber Page
    """True when an image covers (nearly) the whole page: a scan, whatever text lies on it."""
    area = float(page.width * page.height)
    return any(float(image["width"] * image["height"]) >= SCAN_COVER * area
               for image in page.images)


def load_page_image(page: PageImage) -> Image.Image:
    """The pixels of one page as 8-bit gray: a PDF page's scan at its own resolution when
    it is good enough (see ``_embedded_scan``), else the page rendered at DPI; or one
    frame of an image file."""
    if page.kind == "pdf":
        import pypdfium2 as pdfium

        with pdfium.PdfDocument(page.path) as document:
            pdf_page = document[page.index]
            image = _embedded_scan(pdf_page) or pdf_page.render(
                scale=render_scale(*pdf_page.get_size()), grayscale=True).to_pil()
    else:
        image = _image_frame(page)
    return image.convert("L") if image.mode != "L" else image


def render_scale(width_pt: float, height_pt: float) -> float:
    """Pixels per PDF point a page of this size is rendered at: DPI, or less for a page
    larger than any paper (``RENDER_MAX_SIDE``)."""
    return min(DPI / 72, RENDER_MAX_SIDE / max(width_pt, height_pt, 1.0))


def _image_frame(page: PageImage) -> Image.Image:
    """One frame of an image file, upright, on white; CorruptInput when its pixel data is
    damaged (a truncated file's header still reads, its pixels do not)."""
    with open_image(page.path) as source:
        try:
            source.seek(page.index)
            image = ImageOps.exif_transpose(source)  # phone photos store their turn in EXIF
        except (OSError, EOFError, SyntaxError, ValueError) as err:
            raise CorruptInput(page.path, f"unreadable image: {err}") from None
        if image.has_transparency_data:  # transparent means paper, not black
            paper = Image.new("RGBA", image.size, "white")
            paper.alpha_composite(image.convert("RGBA"))
            image = paper
    return image


# A page's scan is OCR'd at its own resolution when it has this many dpi or more (a 300
# dpi scan: resampling would only blur it; clean 300 dpi gray 99.3 % native against 99.2 %
# rendered). A 200 dpi scan, black and white or gray, is rendered smoothly at DPI instead:
# its syllables read about as well either way (after repair bw200 99.76 % both, office
# 97.90 % rendered against 97.83 % native, jpeg 99.80 % native), but the headings and
# numbers the parser needs read better rendered (extraction F1 on the samples' office
# scans 0.87 against 0.84 on average, bw200 sections 57/57 against 55/57), which is worth
# the 40 % more Tesseract time.
NATIVE_MIN_DPI = 250


def _embedded_scan(page) -> Image.Image | None:  # noqa: ANN001 - a pypdfium2 PdfPage
    """The page's one image, decoded at its own resolution, when the page is nothing but
    an upright scan covering it that is sharp enough for OCR as it is; else None."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    objects = list(page.get_objects(max_depth=1))
    if len(objects) != 1 or objects[0].type != pdfium_c.FPDF_PAGEOBJ_IMAGE:
        return None
    scan = objects[0]
    matrix = scan.get_matrix()
    width_pt, height_pt = page.get_size()
    if (page.get_rotation() or matrix.b or matrix.c or matrix.a < 0.95 * width_pt
            or matrix.d < 0.95 * height_pt):
        return None
    width_px, _ = scan.get_px_size()
    dpi = round(width_px / (matrix.a / 72), 1)  # a 200 dpi scan computes as 199.9999999
    if dpi < NATIVE_MIN_DPI:
        return None
    try:
        image = scan.get_bitmap(render=False).to_pil()
    except (pdfium.PdfiumError, ValueError):
        return None  # an image PDFium can draw but not hand over: render the page instead
    image.info["dpi"] = (round(dpi), round(dpi))
    return image
