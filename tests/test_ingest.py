"""Ingest on real files made here: text files, text-layer PDFs (plain, Tesseract-made,
legacy TCVN3/VNI fonts), and every kind of bad input, each raising its own error."""
from __future__ import annotations

import base64
import binascii
import io
import struct
import unicodedata
import zipfile
import zlib
from pathlib import Path

import img2pdf
import pikepdf
import pytest
import pytesseract
from PIL import Image

from extract import legacy
from extract.errors import (CorruptInput, EmptyInput, EncryptedInput, InputTooLarge,
                            MissingInput, UnsupportedInput)
from extract.ingest import RENDER_MAX_SIDE, PageImage, load_page_image, open_document
from extract.ocr import ocr_image

TCVN3_LINES = ["Céng hßa x· héi chñ nghÜa ViÖt Nam", "§éc lËp - Tù do - H¹nh phóc",
               "Ph\xad¬ng h\xadíng"]
VNI_LINES = ["Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", "Ñoäc laäp - Töï do - Haïnh phuùc",
             "Phöông höôùng"]
UNICODE_LINES = ["Cộng hòa xã hội chủ nghĩa Việt Nam", "Độc lập - Tự do - Hạnh phúc",
                 "Phương hướng"]


def text_pdf(path: Path, pages: list[list[str]]) -> Path:
    """A PDF whose pages show ``pages`` in Helvetica, WinAnsi strings, no ToUnicode map."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica,
        Encoding=pikepdf.Name.WinAnsiEncoding))
    for lines in pages:
        ops = [b"BT /F1 12 Tf 14 TL 72 760 Td"]
        for line in lines:
            raw = line.encode("cp1252").replace(b"\\", b"\\\\")
            ops.append(b"(" + raw.replace(b"(", b"\\(").replace(b")", b"\\)") + b") ' ")
        ops.append(b"ET")
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842],
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
            Contents=pdf.make_stream(b"\n".join(ops)))
        pdf.pages.append(pikepdf.Page(page))
    pdf.save(path)
    return path


def scan_pdf(path: Path, image: Image.Image) -> Path:
    """An image-only PDF of one page."""
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(300, 300))
    path.write_bytes(img2pdf.convert(buffer.getvalue()))
    return path


def test_text_file_passes_through_split_on_form_feeds(tmp_path):
    decomposed = unicodedata.normalize("NFD", "Hội Nông dân tỉnh\n1.245 chi hội")
    path = tmp_path / "report.ocr"  # any extension: the content decides
    path.write_text(decomposed + "\fTrang hai\f", encoding="utf-8")
    doc = open_document(path)
    assert doc.kind == "text"
    assert [p.number for p in doc.pages] == [1, 2]
    assert doc.pages[0].text == "Hội Nông dân tỉnh\n1.245 chi hội"  # NFC
    assert doc.pages[1].text == "Trang hai"
    assert all(p.method == "text" for p in doc.pages)
    assert {w.confidence for p in doc.pages for line in p.lines for w in line.words} == {1.0}


def test_pdf_text_layer_is_used_instead_of_ocr(tmp_path):
    path = text_pdf(tmp_path / "typed.pdf", [["Report of the provincial bloc", "Second line 2021"]])
    doc = open_document(path)
    assert doc.kind == "pdf" and doc.legacy_encoding is None
    assert doc.pages[0].method == "text-layer"
    assert doc.pages[0].text.splitlines() == ["Report of the provincial bloc", "Second line 2021"]


def test_soft_hyphens_of_a_unicode_text_layer_are_dropped(tmp_path):
    path = text_pdf(tmp_path / "typed.pdf", [["Provincial emu\xadlation bloc report 2021"]])
    assert open_document(path).pages[0].text == "Provincial emulation bloc report 2021"


def test_tesseract_pdf_text_layer_is_read(tmp_path, page_image):
    image = tmp_path / "page.png"
    page_image.save(image, dpi=(300, 300))
    data = pytesseract.image_to_pdf_or_hocr(str(image), lang="vie", extension="pdf")
    path = tmp_path / "searchable.pdf"
    path.write_bytes(data)
    doc = open_document(path)
    assert doc.pages[0].method == "text-layer"
    assert "41.560 hội viên" in doc.pages[0].text


def test_foreign_ocr_layer_over_a_scan_is_read_again(tmp_path, page_image):
    image = tmp_path / "page.png"
    page_image.save(image, dpi=(300, 300))
    english = pytesseract.image_to_pdf_or_hocr(str(image), lang="eng", extension="pdf")
    (tmp_path / "archive.pdf").write_bytes(english)
    doc = open_document(tmp_path / "archive.pdf")
    assert doc.pages == [PageImage(str(tmp_path / "archive.pdf"), "pdf", 0, 1)]


def test_a_scan_whose_resolution_was_lost_is_read_not_refused(tmp_path, page_image):
    """Tesseract takes an image without a resolution as 70 dpi: its PDF of an A4 scan has
    a page 35 inches wide, which rendered at 300 dpi would be 160 Mpx and trip the bomb
    guard. The page is read, rendered no larger than A3 at 300 dpi, its words OCR'd."""
    image = tmp_path / "page.png"
    page_image.save(image)  # no dpi recorded
    english = pytesseract.image_to_pdf_or_hocr(str(image), lang="eng", extension="pdf")
    (tmp_path / "archive.pdf").write_bytes(english)
    [page] = open_document(tmp_path / "archive.pdf").pages
    with pikepdf.open(tmp_path / "archive.pdf") as pdf:
        width_pt = float(pdf.pages[0].mediabox[2])
    assert width_pt > 2 * 842  # larger than any paper
    pixels = load_page_image(page)
    assert max(pixels.size) <= RENDER_MAX_SIDE and pixels.width >= page_image.width
    assert "41.560 hội viên" in ocr_image(pixels).page.text
    huge = pikepdf.new()
    huge.add_blank_page(page_size=(14400, 14400))  # 200 in square: 3.6 Gpx at 300 dpi
    huge.save(tmp_path / "huge.pdf")
    [page] = open_document(tmp_path / "huge.pdf").pages
    assert load_page_image(page).size == (RENDER_MAX_SIDE, RENDER_MAX_SIDE)


def test_vietnamese_share_tells_vietnamese_from_a_foreign_ocr():
    assert legacy.vietnamese_share("\n".join(UNICODE_LINES)) > 0.5
    assert legacy.vietnamese_share("Cong hoa xa hoi chu nghia Viét Nam, Béc Giang") == 0


def test_scanned_pdf_pages_are_left_for_ocr(tmp_path, page_image):
    doc = open_document(scan_pdf(tmp_path / "scan.pdf", page_image))
    assert doc.pages == [PageImage(str(tmp_path / "scan.pdf"), "pdf", 0, 1)]


@pytest.mark.parametrize("lines, encoding", [(TCVN3_LINES, "tcvn3"), (VNI_LINES, "vni")])
def test_legacy_font_text_layer_is_converted(tmp_path, lines, encoding):
    doc = open_document(text_pdf(tmp_path / "legacy.pdf", [lines]))
    assert doc.legacy_encoding == encoding
    assert doc.pages[0].text.splitlines() == UNICODE_LINES


@pytest.mark.parametrize("lines, encoding", [(TCVN3_LINES, "tcvn3"), (VNI_LINES, "vni")])
def test_legacy_detection_and_conversion(lines, encoding):
    text = "\n".join(lines)
    assert legacy.detect(text) == encoding
    assert legacy.to_unicode(text, encoding) == "\n".join(UNICODE_LINES)


def test_unicode_and_ascii_text_is_not_legacy():
    assert legacy.detect("\n".join(UNICODE_LINES)) is None
    assert legacy.detect("Tong ket phong trao thi dua nam 2020, Hoi Nong dan tinh") is None
    assert legacy.detect("Über die Straße gehen zwölf Männer à la française") is None


def _bomb_png(path: Path, side: int = 20000) -> Path:
    """A tiny PNG file whose header claims side×side pixels (a decompression bomb)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    row = b"\x00" + b"\xff" * (side // 8)
    body = zlib.compress(row * 64, 9)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body)
                     + chunk(b"IEND", b""))
    return path


def deflated_zeros(size: int) -> bytes:
    """``size`` zero bytes, deflated a MiB at a time (never all in memory)."""
    deflate = zlib.compressobj(6)
    block = b"\x00" * 2**20
    whole, rest = divmod(size, len(block))
    return b"".join(deflate.compress(block) for _ in range(whole)) + deflate.compress(
        block[:rest]) + deflate.flush()


def image_bomb_pdf(path: Path, side: int = 30000, rows: int | None = None) -> Path:
    """A small PDF whose one page draws a side×side 1-bit image of zeros, Flate: with all
    its ``rows`` (default: all of them, a 110 KB file), or just one (1 KB), as the header
    is what matters."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pixels = deflated_zeros((side + 7) // 8 * (side if rows is None else rows))
    image = pdf.make_stream(pixels, Type=pikepdf.Name.XObject,
                            Subtype=pikepdf.Name.Image, Width=side, Height=side,
                            ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=1,
                            Filter=pikepdf.Name.FlateDecode)
    pdf.pages[0].Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    pdf.pages[0].Contents = pdf.make_stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q")
    pdf.save(path)
    return path


def inflate_bomb_pdf(path: Path, mib: int = 80) -> Path:
    """A small PDF whose page content stream inflates to ``mib`` MiB of zeros (80 MiB:
    an 80 KB file, more than the 64 MiB limit)."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.pages[0].Contents = pdf.make_stream(deflated_zeros(mib * 2**20),
                                            Filter=pikepdf.Name.FlateDecode)
    pdf.save(path)
    return path


def looping_pdf(path: Path) -> Path:
    """A PDF whose page tree lists itself among its own kids (via a middle node)."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pages = pdf.Root.Pages
    middle = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Pages, Count=1,
                                                  Kids=pikepdf.Array([pages]), Parent=pages))
    pages.Kids = pikepdf.Array([middle, pages.Kids[0]])
    pages.Count = 2
    pdf.save(path)
    return path


def truncated_png(path: Path, image: Image.Image) -> Path:
    """A PNG cut short in the middle of its pixel data (the header still reads)."""
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    return path


def bad_inputs(tmp_path: Path, page_image: Image.Image) -> dict[str, tuple[Path, type]]:
    """Every kind of bad input, written to ``tmp_path``, with the error it must raise."""
    scan = scan_pdf(tmp_path / "good.pdf", page_image)
    data = scan.read_bytes()
    (tmp_path / "empty.pdf").write_bytes(b"")
    (tmp_path / "blank.txt").write_text(" \n\f\n", encoding="utf-8")
    pikepdf.new().save(tmp_path / "zero.pdf")
    (tmp_path / "truncated.pdf").write_bytes(data[: len(data) // 2])
    with pikepdf.open(scan) as pdf:
        pdf.save(tmp_path / "locked.pdf",
                 encryption=pikepdf.Encryption(owner="owner", user="secret"))
    (tmp_path / "noise.pdf").write_bytes(bytes(range(256)) * 40)  # binary, named .pdf
    with zipfile.ZipFile(tmp_path / "archive.txt", "w") as archive:  # a zip named .txt
        archive.writestr("a.txt", "nội dung")
    (tmp_path / "utf16.txt").write_bytes("Hội viên".encode("utf-16-le"))  # no BOM: binary
    return {
        "missing": (tmp_path / "absent.pdf", MissingInput),
        "directory": (tmp_path, MissingInput),
        "empty file": (tmp_path / "empty.pdf", EmptyInput),
        "blank text": (tmp_path / "blank.txt", EmptyInput),
        "zero pages": (tmp_path / "zero.pdf", EmptyInput),
        "truncated": (tmp_path / "truncated.pdf", CorruptInput),
        "encrypted": (tmp_path / "locked.pdf", EncryptedInput),
        "random bytes": (tmp_path / "noise.pdf", UnsupportedInput),
        "zip": (tmp_path / "archive.txt", UnsupportedInput),
        "utf-16 text": (tmp_path / "utf16.txt", UnsupportedInput),
        "bomb png": (_bomb_png(tmp_path / "bomb.png"), InputTooLarge),
        "pdf image bomb": (image_bomb_pdf(tmp_path / "image-bomb.pdf", rows=1), InputTooLarge),
        "pdf inflate bomb": (inflate_bomb_pdf(tmp_path / "inflate-bomb.pdf"), InputTooLarge),
        "pdf page tree loop": (looping_pdf(tmp_path / "loop.pdf"), CorruptInput),
    }


BAD_INPUTS = ["missing", "directory", "empty file", "blank text", "zero pages", "truncated",
              "encrypted", "random bytes", "zip", "utf-16 text", "bomb png",
              "pdf image bomb", "pdf inflate bomb", "pdf page tree loop"]


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_raises_its_error(tmp_path, page_image, case):
    path, error = bad_inputs(tmp_path, page_image)[case]
    with pytest.raises(error) as caught:
        open_document(path)
    assert type(caught.value) is error
    assert "\n" not in str(caught.value)


def test_pdf_limits_are_checked_before_anything_is_decoded(tmp_path, monkeypatch):
    import resource

    from extract import ingest

    bombs = [image_bomb_pdf(tmp_path / "image.pdf"), inflate_bomb_pdf(tmp_path / "flate.pdf",
                                                                      mib=512)]
    start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for bomb in bombs:
        with pytest.raises(InputTooLarge, match="decompression bomb guard"):
            open_document(bomb)
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start) / 1024
    assert grown_mib < 50  # the image would be 900 Mpx, the stream 512 MiB
    assert "its page tree contains itself" in str(
        pytest.raises(CorruptInput, open_document, looping_pdf(tmp_path / "loop.pdf")).value)
    text_pdf(tmp_path / "three.pdf", [["one"], ["two"], ["three"]])
    monkeypatch.setattr(ingest, "MAX_PAGES", 2)
    with pytest.raises(InputTooLarge, match="3 pages, more than 2"):
        open_document(tmp_path / "three.pdf")


def lzw_zeros(cycles: int) -> bytes:
    """PDF LZW (EarlyChange 1) for runs of zero bytes, the way a bomb is made: every code
    one byte longer than the last, ``cycles`` times a full table (about 7.4 MB each, from
    5.5 KB), each begun by a clear code as encoders do, then the end code."""
    codes = ([256, 0, *range(258, 4096)] * cycles) + [257]
    out, acc, bits, width, next_code, fresh = bytearray(), 0, 0, 9, 258, True
    for code in codes:
        acc, bits = ((acc << width) | code) & 0xFFFFFF, bits + width
        while bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
        if code == 256:
            width, next_code, fresh = 9, 258, True
            continue
        if not fresh:
            next_code += 1
        fresh = False
        if next_code + 1 >= 1 << width and width < 12:
            width += 1
    if bits:
        out.append((acc << (8 - bits)) & 0xFF)
    return bytes(out)


def stream_pdf(path: Path, data: bytes, filters: list[str]) -> Path:
    """A one-page PDF whose content stream is ``data`` under ``filters`` (as written)."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    stream = pdf.make_stream(b"")
    stream.write(data, filter=pikepdf.Array([pikepdf.Name(f) for f in filters]))
    pdf.pages[0].Contents = stream
    pdf.save(path)
    return path


def test_stream_sizes_are_counted_as_the_real_decoders_decode():
    from pdfminer.lzw import lzwdecode
    from pdfminer.runlength import rldecode

    from extract.streams import decoded_size

    lzw = lzw_zeros(2)
    assert lzwdecode(lzw) == b"\x00" * decoded_size(lzw, ["/LZWDecode"], [1], 2**30)
    assert decoded_size(lzw, ["/LZW"], [1], 10**6) <= 10**6 + 4096  # stops past the limit
    runs = bytes([129, 7, 3, 1, 2, 3, 4, 200, 9, 128])
    assert len(rldecode(runs)) == 128 + 4 + 57
    assert decoded_size(runs[:-1] * 1000, ["/RunLengthDecode"], [1], 100_000) > 100_000
    assert decoded_size(runs * 1000, ["/RunLengthDecode"], [1], 10_000) == 189  # 128 ends it
    deflated = zlib.compress(b"x" * 5000)
    chain = base64.a85encode(deflated) + b"~>"
    assert decoded_size(chain, ["/ASCII85Decode", "/FlateDecode"], [1, 1], 10**6) == 5000
    assert decoded_size(binascii.hexlify(deflated) + b">", ["/AHx", "/Fl"], [1, 1],
                        10**6) == 5000


@pytest.mark.parametrize("kind", ["lzw", "run length", "ascii85 then flate"])
def test_every_expanding_filter_is_bounded(tmp_path, monkeypatch, kind):
    from extract import ingest

    monkeypatch.setattr(ingest, "MAX_STREAM_BYTES", 8 * 2**20)
    data, filters = {
        "lzw": (lzw_zeros(2), ["/LZWDecode"]),  # 11 KB that decode to 14.7 MB
        "run length": (bytes([129, 0]) * 80_000, ["/RunLengthDecode"]),  # 10 MB
        "ascii85 then flate": (base64.a85encode(deflated_zeros(10 * 2**20)) + b"~>",
                               ["/ASCII85Decode", "/FlateDecode"]),
    }[kind]
    with pytest.raises(InputTooLarge, match="decodes to more than 8 MiB"):
        open_document(stream_pdf(tmp_path / "bomb.pdf", data, filters))
    monkeypatch.setattr(ingest, "MAX_STREAM_BYTES", 16 * 2**20)
    fine = open_document(stream_pdf(tmp_path / "fine.pdf", data, filters))  # within it: read
    assert len(fine.pages) == 1


def test_a_truncated_png_is_corrupt_when_its_pixels_are_read(tmp_path, page_image):
    from extract.ingest import load_page_image

    doc = open_document(truncated_png(tmp_path / "cut.png", page_image))
    with pytest.raises(CorruptInput, match="unreadable image"):
        load_page_image(doc.pages[0])


REPORT_LINES = ("Báo cáo tổng kết phong trào thi đua của Hội Nông dân tỉnh năm 2020\n"
                "Hội viên được khen thưởng, các chi hội hoàn thành xuất sắc nhiệm vụ\n")
_TONES = "\u0300\u0301\u0303\u0309\u0323"


def _windows_1258(text: str) -> bytes:
    """``text`` as Windows-1258 writes it: shaped letters precomposed, tones combining."""
    import unicodedata

    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
            out += (base + "".join(c for c in parts if c in _TONES)).encode("cp1258")
    return bytes(out)


def _tcvn3(text: str) -> bytes:
    """``text`` in the TCVN3 (ABC) font codes, as such files hold it."""
    from extract import legacy

    codes = {letter: code for code, letter in zip(legacy._TCVN3_CODES, legacy._TCVN3_LETTERS)}
    return "".join(codes.get(c, c) for c in text).encode("cp1252")


@pytest.mark.parametrize("encode", [
    lambda t: t.encode("utf-8"), lambda t: t.encode("utf-8-sig"), lambda t: t.encode("utf-16"),
    lambda t: t.encode("utf-16-be").join([b"\xfe\xff", b""]), _windows_1258, _tcvn3],
    ids=["utf-8", "utf-8 bom", "utf-16 le bom", "utf-16 be bom", "windows-1258", "tcvn3"])
def test_text_files_in_vietnamese_encodings_are_read_as_unicode(tmp_path, encode):
    path = tmp_path / "report.txt"
    path.write_bytes(encode(REPORT_LINES))
    doc = open_document(path)
    assert doc.kind == "text"
    assert "\n".join(line.text for line in doc.pages[0].lines) == REPORT_LINES.strip("\n")


def test_an_eight_bit_file_that_is_not_vietnamese_names_the_encodings_it_tried(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("Le café est très bon, déjà vu à Noël\n".encode("cp1252"))
    with pytest.raises(UnsupportedInput) as caught:
        open_document(path)
    assert "UTF-8, UTF-16 with a byte-order mark, Windows-1258, TCVN3 or VNI" in str(caught.value)
