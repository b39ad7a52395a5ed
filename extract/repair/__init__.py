"""Repair stage: restore correct Vietnamese from garbled, diacritic-stripped or noisy OCR text.

The pipeline calls ``repair_pages`` after OCR and on text input; ``repair_text`` serves the
``repair`` command and the benchmark. Both keep exactly one output line per input line. The
kind of input (``eng``, ``stripped``, ``vie``) is detected once per document; the models
(lexicon, channel, LM) are loaded once per process.
"""
from __future__ import annotations

import functools

from extract.errors import NotVietnamese
from extract.repair import acronyms, adapt, cache, numbering
from extract.repair.decode import Choice, Decoder
from extract.repair.detect import FOREIGN, detect_kind
from extract.repair.lexicon import canonical
from extract.repair.lm import ocr_pieces, pieces
from extract.text import Line, Page, Word

GARBLED = ("eng", "stripped")  # kinds that a PDF text layer is repaired for
# A repaired word less likely right than this is flagged as doubtful, for review. The
# confidences are probabilities, and on text that is 97-99 % right most wrong words are
# still more likely right than not: at 0.5 the flag caught 15 % of the wrong words of the
# held-out pages (fitting half), at 0.9 it catches 68 % (eng) and 66 % (stripped) while
# flagging 5.2 % and 3.1 % of all words.
FLAG_BELOW = 0.9
CANDIDATES = 5  # readings kept beside a doubtful word, for review
SURE = 0.99  # adapt: a first-pass word this confident is not read again
LOOKAHEAD = 3  # words of the next line a line is read with (its last words' context)


@functools.cache
def engine() -> Decoder:
    """The decoder over the built models in ``models/`` (loaded on first use)."""
    from extract.repair import calibration, lm, ocrconf
    from extract.repair.channel import ChannelModel
    from extract.repair.lexicon import Lexicon

    return Decoder(lm.load(), Lexicon.load(), ChannelModel.load(),
                   calibration=calibration.load(), ocr_confidence=ocrconf.load())


def document_kind(pages: list[Page], name: object = "input") -> str:
    """The input kind of a whole document (``eng``, ``stripped`` or ``vie``); NotVietnamese
    for a document that is not in Vietnamese, which repair would only turn into nonsense."""
    kind = detect_kind((line.text for page in pages for line in page.lines), engine().lexicon)
    if kind == FOREIGN:
        raise NotVietnamese(name, "the text is not Vietnamese; nothing to extract")
    return kind


def decode_pages(pages: list[list[Line]], kind: str, alternatives: float = 0.0,
                 decoder: Decoder | None = None, read: list[bool] | None = None
                 ) -> list[list[list[Choice]]]:
    """Choices for every line of every page (the context flows from one line to the next
    within a page), by ``decoder`` (the built models' by default). The channel is then
    adapted to the document (for the kinds ``adapt`` covers) and its confident readings
    become a prior on its doubtful ones (``cache``), and the lines either may change are
    decoded again. ``read``: per page, whether its words' confidences are Tesseract's
    (pages it OCR'd), which the decoder then weighs (``ocrconf``)."""
    decoder = decoder or engine()
    texts = [[[w.text for w in line.words] for line in lines] for lines in pages]
    confs = [[[w.confidence for w in line.words] for line in lines] if ocr else None
             for lines, ocr in zip(pages, read or [False] * len(pages))]
    first = [_decode(decoder, page, kind, alternatives, read_at)
             for page, read_at in zip(texts, confs)]
    readings = [(word, choice.text, choice.confidence)
                for page, decoded in zip(texts, first)
                for words, (choices, _) in zip(page, decoded)
                for word, choice in zip(words, choices)]
    found = adapt.adapted_channel(decoder.channel, kind, readings) \
        if kind in adapt.KINDS else None
    prior = cache.document_prior(readings) if kind in cache.KINDS else cache.Prior()
    if found is None and not prior:
        return [[choices for choices, _ in decoded] for decoded in first]
    channel, segments = found or (decoder.channel, set())
    touched: dict[str, bool] = {}

    def piece_changed(piece: str) -> bool:
        """True when a piece's candidates differ under the adapted channel."""
        if piece not in touched:
            touched[piece] = (any(segment in canonical(piece.lower()) for segment in segments)
                              and channel.candidates(piece, kind)
                              != decoder.channel.candidates(piece, kind))
        return touched[piece]

    def changed(word: str, choice: Choice) -> bool:
        """Whether the second pass may read ``word`` otherwise: its candidates changed, or
        the document's prior prefers another reading than the one chosen."""
        seen, read = ocr_pieces(word), pieces(choice.text)
        if any(piece_changed(piece) for piece in seen):
            return True
        if len(seen) != len(read):
            return bool(prior)
        return cache.contested(
            ((obs, cache.key(truth), [cache.key(o.text or obs)
                                      for o in decoder.options_made(obs, kind)])
             for obs, truth in zip(seen, read) if obs[0].isalpha()), prior)

    second = decoder.adapted(channel, piece_changed, prior)

    out = []
    for lines, decoded, read_at in zip(texts, first, confs):
        # lines holding a word the first pass was unsure of and the second may read
        # differently (a line the first pass is sure of throughout stays as it is)
        touched_lines = [any(c.confidence < SURE and changed(w, c)
                             for w, c in zip(words, choices))
                         for words, (choices, _) in zip(lines, decoded)]
        context = expected = None  # the context now, and the one the first pass had
        page = []
        for i, (words, (choices, after)) in enumerate(zip(lines, decoded)):
            if context != expected or touched_lines[i] or \
                    (i + 1 < len(lines) and touched_lines[i + 1]):
                choices, context = second.decode(words, kind, context, alternatives,
                                                 _following(lines, i),
                                                 _read_at(read_at, i))
            else:
                context = after
            expected = after
            page.append(choices)
        out.append(page)
    return out


def _decode(decoder: Decoder, lines: list[list[str]], kind: str, alternatives: float,
            read_at: list[list[float]] | None) -> list[tuple[list[Choice], int]]:
    """Each line's choices and the context after it, the context flowing down the page."""
    out = []
    context = None
    for i, words in enumerate(lines):
        choices, context = decoder.decode(words, kind, context, alternatives,
                                          _following(lines, i), _read_at(read_at, i))
        out.append((choices, context))
    return out


def _following(lines: list[list[str]], i: int) -> list[str]:
    """The first ``LOOKAHEAD`` words after line ``i`` (none after a page's last line)."""
    return lines[i + 1][:LOOKAHEAD] if i + 1 < len(lines) else []


def _read_at(confs: list[list[float]] | None, i: int) -> list[float] | None:
    """Tesseract's confidences of line ``i``'s words and of the following words."""
    return None if confs is None else [*confs[i], *_following(confs, i)]


def repair_pages(pages: list[Page], kind: str | None = None) -> list[Page]:
    """The pages with every word repaired; same pages, same lines, same words per line.

    A word's confidence becomes min(OCR confidence, repair confidence); it keeps its OCR
    reading and confidence beside (``Word.ocr``, ``Word.ocr_confidence``), and a doubtful
    word (less than FLAG_BELOW likely right) the readings it was chosen among. Pages read from a
    PDF text layer are left alone unless the document looks garbled. ``kind`` overrides
    detection.
    """
    kind = kind or document_kind(pages)
    todo = [page for page in pages if page.method != "text-layer" or kind in GARBLED]
    decoded = dict(zip((id(page) for page in todo),
                       decode_pages([page.lines for page in todo], kind, FLAG_BELOW,
                                    read=[page.method == "ocr" for page in todo])))
    lines = [choices for page in todo for choices in decoded[id(page)]]
    numbering.restore(lines)
    acronyms.mend(lines)
    out = []
    for page in pages:
        if id(page) not in decoded:
            out.append(page)
            continue
        lines = [Line([Word(c.text, min(w.confidence, c.confidence), w.box, w.text,
                            w.confidence, c.confidence, c.alternatives[:CANDIDATES])
                       for w, c in zip(line.words, choices)])
                 for line, choices in zip(page.lines, decoded[id(page)])]
        out.append(Page(page.number, lines, page.method, page.size))
    return out


def text_pages(text: str) -> list[Page]:
    """``text`` as pages (split at form feeds), one Line per input line."""
    return [Page.from_text(i + 1, chunk, "text") for i, chunk in enumerate(text.split("\f"))]


def repair_text(text: str, kind: str | None = None) -> str:
    """``text`` repaired, one output line per input line (form feeds kept)."""
    return "\f".join(page.text for page in repair_pages(text_pages(text), kind))
