"""``cli.py repair FILE|-``: print repaired text, what changed (``--diff``) or per-token JSON.

``--diff`` prints ``-N: before`` / ``+N: after`` for each changed line N and ``?N: word
(confidence), …`` for the words of line N whose repair is doubtful.

Exactly one output line per input line (``--json``: one JSON object per input line), so
every line can be traced back to its source. The detected input kind goes to stderr.

The text streams through: it is read, repaired and written a chunk at a time (CHUNK_LINES
lines, fewer when they are long: CHUNK_CHARS), so memory stays bounded whatever the input's
size and output appears as it goes. The kind is detected on the first chunk; the channel
adapts to each chunk (a long page's chunks are read as separate pages, which costs them only
the context across the cut). A UTF-8 input streams; one in another encoding (UTF-16, an 8-bit
Vietnamese one) is read whole to be recognised, as archive files in them are small.
"""
from __future__ import annotations

import argparse
import codecs
import contextlib
import itertools
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, BinaryIO

from extract.errors import EmptyInput, UnsupportedInput
from extract.ingest import decode_text, open_input
from extract.output import atomic_writer
from extract.repair import FLAG_BELOW, decode_pages, document_kind, numbering
from extract.text import Line, Page, nfc

CHUNK_LINES = 2000  # lines repaired together (a page's context; the channel's adaptation)
# ... or fewer, when they hold this many characters: a chunk's decoding holds some 400 bytes
# per input character at its peak, so this bounds it near 40 MB (1250 lines of a report,
# 430 of long news lines)
CHUNK_CHARS = 100_000
SNIFF_BYTES = 1 << 16  # read to tell a UTF-8 input (streamed) from another encoding
BLOCK_BYTES = 1 << 20


def _texts(source: BinaryIO, name: str) -> Iterator[str]:
    """The input's text in pieces: decoded as it is read when it is UTF-8, else whole
    (``decode_text`` recognises the other encodings). EmptyInput for no text at all."""
    head = source.read(SNIFF_BYTES)
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        first = decoder.decode(head)
        utf8 = not head.startswith((b"\xff\xfe", b"\xfe\xff")) and "\x00" not in first
    except UnicodeDecodeError:
        utf8 = False
    if not utf8:
        yield decode_text(head + source.read(), name)
        return
    seen = bool(first.strip())
    yield first
    for block in iter(lambda: source.read1(BLOCK_BYTES), b""):  # what has come so far
        try:
            text = decoder.decode(block)
        except UnicodeDecodeError:
            raise UnsupportedInput(name, "not valid UTF-8 past its start") from None
        seen = seen or bool(text.strip())
        yield text
    yield decoder.decode(b"", final=True)
    if not seen:
        raise EmptyInput(name, "text file has no text")


def _lines(texts: Iterator[str], ending: dict[str, bool]) -> Iterator[str]:
    """The input's lines without their ``\\n`` (a last line without one too), NFC, CR LF
    and lone CR read as line ends; ``ending["newline"]`` says at the end whether the text
    ended with a line end."""
    rest = ""
    for text in texts:
        rest += text.replace("\r\n", "\n").replace("\r", "\n")
        *whole, rest = rest.split("\n")
        yield from (nfc(line) for line in whole)
    ending["newline"] = rest == ""
    if rest:
        yield nfc(rest)


def _chunks(lines: Iterator[str]) -> Iterator[list[list[str]]]:
    """The input's lines as chunks of pages of line segments: a form feed inside a line
    starts a new page (the segments of one input line are joined again by form feeds on
    output); a chunk ends after CHUNK_LINES lines or CHUNK_CHARS characters, at a line end."""
    pages: list[list[str]] = [[]]
    count = chars = 0
    for line in lines:
        first, *others = line.split("\f")
        pages[-1].append(first)
        for segment in others:
            pages.append([segment])
        count += 1
        chars += len(line)
        if count >= CHUNK_LINES or chars >= CHUNK_CHARS:
            yield pages
            pages, count, chars = [[]], 0, 0
    if count:
        yield pages


class _Writer:
    """Writes the repaired lines in the chosen form, as they come."""

    def __init__(self, out: IO[str], args: argparse.Namespace, kind: str):
        self.out, self.args, self.kind = out, args, kind
        self.number = 0  # input line number: a form feed does not start a new line
        self.page = 1
        self.pending: str | None = None  # the last line, held until we know one follows

    def chunk(self, pages: list[list[str]], decoded: list[list[list]]) -> None:
        for p, (page, page_choices) in enumerate(zip(pages, decoded)):
            if p:
                self.page += 1
            for i, (text, choices) in enumerate(zip(page, page_choices)):
                new_line = not (p and i == 0)
                self.number += new_line
                after = " ".join(c.text for c in choices)
                if self.args.json:
                    self._json(text, after, choices)
                elif self.args.diff:
                    self._diff(text, after, choices)
                elif new_line:
                    self._flush("\n")
                    self.pending = after
                else:  # the same input line, after a form feed
                    self.pending = f"{self.pending or ''}\f{after}"
        self.out.flush()

    def _flush(self, end: str) -> None:
        if self.pending is not None:
            self.out.write(self.pending + end)
            self.pending = None

    def _json(self, before: str, after: str, choices: list) -> None:
        words = before.split()
        self.out.write(json.dumps({
            "line": self.number, "page": self.page, "kind": self.kind, "text": after,
            "tokens": [{"input": w, "text": c.text, "confidence": round(c.confidence, 4),
                        "candidates": [[t, round(q, 4)] for t, q in c.alternatives]}
                       for w, c in zip(words, choices)]}, ensure_ascii=False) + "\n")

    def _diff(self, before: str, after: str, choices: list) -> None:
        before = " ".join(before.split())
        if before != after:
            self.out.write(f"-{self.number}: {before}\n+{self.number}: {after}\n")
        doubtful = [f"{c.text} ({c.confidence:.2f})" for c in choices
                    if c.confidence < FLAG_BELOW]
        if doubtful:
            self.out.write(f"?{self.number}: " + ", ".join(doubtful) + "\n")

    def close(self, trailing_newline: bool) -> None:
        self._flush("\n" if trailing_newline else "")


def run_repair(args: argparse.Namespace) -> int:
    """Repair ``args.file`` and write the result to stdout or ``args.output``, a chunk at
    a time."""
    with contextlib.ExitStack() as stack:
        source = sys.stdin.buffer if args.file == "-" else \
            stack.enter_context(open_input(Path(args.file)))
        ending = {"newline": False}
        chunks = _chunks(_lines(_texts(source, args.file), ending))
        first = next(chunks, [[""]])
        kind = document_kind([Page(1, [Line.from_text(t) for page in first for t in page],
                                   "text")], args.file)
        print(f"repair: input kind {kind}", file=sys.stderr)
        out = stack.enter_context(atomic_writer(Path(args.output))) if args.output \
            else sys.stdout
        writer = _Writer(out, args, kind)
        for chunk in itertools.chain([first], chunks):
            decoded = decode_pages([[Line.from_text(t) for t in page] for page in chunk],
                                   kind, args.json)
            numbering.restore([choices for page in decoded for choices in page])
            writer.chunk(chunk, decoded)
        writer.close(ending["newline"])
    return 0
