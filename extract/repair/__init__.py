"""Repair stage: restore correct Vietnamese from garbled, diacritic-stripped or noisy OCR text.

The pipeline calls ``repair_pages`` after OCR and on text input; ``repair_text`` serves the
``repair`` command and the benchmark. Both keep exactly one output line per input line. The
kind of input (``eng``, ``stripped``, ``vie``) is detected once per document; the models
(lexicon, channel, LM) are loaded once per process.
"""
from __future__ import annotations

import functools
from collections.abc import Iterator

from extract.repair.decode import Choice, Decoder
from extract.errors import NotVietnamese
from extract.repair.detect import FOREIGN, detect_kind
from extract.text import Line, Page, Word

GARBLED = ("eng", "stripped")  # kinds that a PDF text layer is repaired for
FLAG_BELOW = 0.5  # a repaired word with a lower confidence is flagged as doubtful


@functools.cache
def engine() -> Decoder:
    """The decoder over the built models in ``models/`` (loaded on first use)."""
    from extract.repair import lm
    from extract.repair.channel import ChannelModel
    from extract.repair.lexicon import Lexicon

    return Decoder(lm.load(), Lexicon.load(), ChannelModel.load())


def document_kind(pages: list[Page], name: object = "input") -> str:
    """The input kind of a whole document (``eng``, ``stripped`` or ``vie``); NotVietnamese
    for a document that is not in Vietnamese, which repair would only turn into nonsense."""
    kind = detect_kind((line.text for page in pages for line in page.lines), engine().lexicon)
    if kind == FOREIGN:
        raise NotVietnamese(name, "the text is not Vietnamese; nothing to extract")
    return kind


def decode_lines(lines: list[Line], kind: str,
                 alternatives: bool = False) -> Iterator[list[Choice]]:
    """Choices for each line in turn, the context flowing from one line to the next."""
    decoder = engine()
    context = None
    for line in lines:
        choices, context = decoder.decode([w.text for w in line.words], kind, context,
                                          alternatives)
        yield choices


def repair_pages(pages: list[Page], kind: str | None = None) -> list[Page]:
    """The pages with every word repaired; same pages, same lines, same words per line.

    A word's confidence becomes min(OCR confidence, repair confidence). Pages read from a
    PDF text layer are left alone unless the document looks garbled. ``kind`` overrides
    detection.
    """
    kind = kind or document_kind(pages)
    out = []
    for page in pages:
        if page.method == "text-layer" and kind not in GARBLED:
            out.append(page)
            continue
        lines = []
        for line, choices in zip(page.lines, decode_lines(page.lines, kind)):
            lines.append(Line([Word(c.text, min(w.confidence, c.confidence), w.box)
                               for w, c in zip(line.words, choices)]))
        out.append(Page(page.number, lines, page.method))
    return out


def text_pages(text: str) -> list[Page]:
    """``text`` as pages (split at form feeds), one Line per input line."""
    return [Page.from_text(i + 1, chunk, "text") for i, chunk in enumerate(text.split("\f"))]


def repair_text(text: str, kind: str | None = None) -> str:
    """``text`` repaired, one output line per input line (form feeds kept)."""
    return "\f".join(page.text for page in repair_pages(text_pages(text), kind))
