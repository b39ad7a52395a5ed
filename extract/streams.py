"""How many bytes a PDF stream decodes to, counted without holding what it decodes to.

A small PDF can carry a stream that expands to gigabytes (a decompression bomb): Flate up
to about 1000 times, LZW up to about 2700 times, RunLength 64 times. PDFium and pdfminer
would decode such a stream whole, so ``ingest`` measures every stream here first, through
its whole filter chain: Flate is inflated a MiB at a time into nothing; LZW and RunLength
are counted from their codes (the lengths of the strings the codes stand for, never the
strings); ASCIIHex and ASCII85, which only shrink, are decoded. A stage that is not the
last is decoded for the next one only when it fits in the limit. Image codecs (DCT, JPX,
JBIG2, CCITT) are bounded by their pixel count, which ``ingest`` checks, and end the count.
"""
from __future__ import annotations

import base64
import binascii
import zlib

_CHUNK = 2**20
FLATE = frozenset({"/FlateDecode", "/Fl"})
LZW = frozenset({"/LZWDecode", "/LZW"})
RUN_LENGTH = frozenset({"/RunLengthDecode", "/RL"})
ASCII_HEX = frozenset({"/ASCIIHexDecode", "/AHx"})
ASCII_85 = frozenset({"/ASCII85Decode", "/A85"})
# RunLength's largest expansion: two bytes (a length and a byte) for 128 copies.
_RUN_LENGTH_RATIO = 64


def decoded_size(data: bytes, filters: list[str], early_change: list[int], limit: int) -> int:
    """How many bytes ``data`` decodes to through ``filters`` (PDF filter names, in order;
    ``early_change`` is LZW's /EarlyChange per filter), counting no further than just past
    ``limit``. Returns the size of the last stage counted: a stream that stops in an image
    codec, or whose data are damaged, counts what decoded before."""
    size = len(data)
    for i, name in enumerate(filters):
        keep = i < len(filters) - 1  # a later stage needs these bytes
        if name in FLATE:
            size, out = _inflate(data, limit, keep)
        elif name in LZW:
            size, out = _lzw_size(data, limit, early_change[i]), None
        elif name in RUN_LENGTH:
            size, out = _run_length_size(data, limit), None
        elif name in ASCII_HEX:
            out = _ascii_hex(data)
            size = len(out)
        elif name in ASCII_85:
            out = _ascii_85(data)
            size = len(out)
        else:
            return size  # an image codec: bounded by its pixels
        if size > limit or not keep:
            return size
        if out is None:  # counted, not decoded: decode it for the next stage
            out = _decode_counted(name, data)
        data = out
    return size


def _inflate(data: bytes, limit: int, keep: bool) -> tuple[int, bytes | None]:
    """zlib ``data``'s inflated size (counted to just past ``limit``), and the bytes when
    ``keep`` and they fit."""
    inflater = zlib.decompressobj()
    size = 0
    parts: list[bytes] = []
    try:
        while size <= limit and not inflater.eof:
            chunk = inflater.decompress(data, _CHUNK)
            data = inflater.unconsumed_tail
            if not chunk and not data:
                break  # input used up (a stream without its end)
            size += len(chunk)
            if keep and size <= limit:
                parts.append(chunk)
    except zlib.error:
        pass
    return size, b"".join(parts) if keep else None


def _lzw_size(data: bytes, limit: int, early_change: int = 1) -> int:
    """The size LZW ``data`` (PDF's variant: 9- to 12-bit codes, 256 clears, 257 ends)
    decodes to, from the lengths of its table's strings alone."""
    lengths = [1] * 256 + [0, 0] + [0] * (4096 - 258)
    next_code, width, prev = 258, 9, -1
    size = acc = bits = 0
    for byte in data:
        acc = ((acc << 8) | byte) & 0xFFFFFF
        bits += 8
        while bits >= width:
            bits -= width
            code = (acc >> bits) & ((1 << width) - 1)
            if code == 256:
                next_code, width, prev = 258, 9, -1
                continue
            if code == 257:
                return size
            if prev < 0:
                if code > 255:
                    return size  # damaged: no string yet for that code
                out = 1
            else:
                if code < next_code:
                    out = lengths[code]
                elif code == next_code:
                    out = lengths[prev] + 1
                else:
                    return size  # damaged
                if next_code < 4096:
                    lengths[next_code] = lengths[prev] + 1
                    next_code += 1
            size += out
            if size > limit:
                return size
            prev = code
            if next_code + early_change >= (1 << width) and width < 12:
                width += 1
    return size


def _run_length_size(data: bytes, limit: int) -> int:
    """The size RunLength ``data`` decodes to, or a bound of it within ``limit``."""
    if len(data) * _RUN_LENGTH_RATIO <= limit:
        return len(data) * _RUN_LENGTH_RATIO  # cannot pass the limit: no need to count
    size = i = 0
    while i < len(data) and size <= limit:
        n = data[i]
        if n == 128:
            break
        if n < 128:
            size += n + 1
            i += n + 2
        else:
            size += 257 - n
            i += 2
    return size


def _ascii_hex(data: bytes) -> bytes:
    """ASCIIHexDecode: hex digits, white space ignored, ``>`` ends, an odd last digit
    padded with 0."""
    digits = bytes(b for b in data.split(b">", 1)[0] if b not in b" \t\r\n\f\0")
    if len(digits) % 2:
        digits += b"0"
    try:
        return binascii.unhexlify(digits)
    except binascii.Error:
        return b""


def _ascii_85(data: bytes) -> bytes:
    """ASCII85Decode, ``~>`` ending it."""
    body = data.split(b"~>", 1)[0].removeprefix(b"<~")
    try:
        return base64.a85decode(body, ignorechars=b" \t\r\n\f\0")
    except ValueError:
        return b""


def _decode_counted(name: str, data: bytes) -> bytes:
    """Decode an LZW or RunLength stage already counted as within the limit, for the next
    stage of its chain (pdfminer's decoders, which the text layer's reader uses anyway)."""
    if name in LZW:
        from pdfminer.lzw import lzwdecode

        return lzwdecode(data)
    from pdfminer.runlength import rldecode

    return rldecode(data)
