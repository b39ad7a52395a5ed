"""Which of the three kinds of input a document is: ``eng``, ``stripped`` or ``vie``.

The channel and the decoder behave very differently per kind (an English model's output is
rewritten freely, Vietnamese OCR only on strong evidence), so the kind is decided once per
document from the share of its words that carry Vietnamese marks, that are valid accented
syllables, and that contain characters no Vietnamese word has.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import regex

from extract.repair.lexicon import Lexicon, canonical
from extract.repair.lm import pieces
from extract.text import fold

_VIETNAMESE_LETTER = regex.compile(r"[a-zà-ỹđ]", regex.IGNORECASE)
_FOREIGN = regex.compile(r"[fjwz\d¥¢§©®£€]|[^\p{Latin}\p{N}]", regex.IGNORECASE)
_VIET_ONLY = set("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")

# Thresholds on the shares below (see ``Profile``); measured on rendered and OCR'd text.
MIN_MARKED = 0.05  # fewer words with a Vietnamese mark than this: diacritics were stripped
MIN_VALID = 0.85   # at least this many valid syllables (and few foreign marks): Vietnamese OCR
MAX_FOREIGN = 0.03
# Even English-model OCR of Vietnamese keeps ~75 % of words on a Vietnamese syllable's
# skeleton; English or French prose has ~15–20 %. Judged only on enough words.
MIN_SKELETAL = 0.45
MIN_WORDS_TO_JUDGE = 30
# A short text is judged too, more cautiously: with 6 words, Vietnamese OCR (~75 %
# skeletal) falls to 30 % about once in 200 texts, English (~20 %) mostly does.
MIN_SKELETAL_SHORT = 0.3
MIN_WORDS_SHORT = 6
FOREIGN = "foreign"  # the kind of a text that is not Vietnamese at all


@dataclass(frozen=True)
class Profile:
    """Shares of a document's word pieces (abbreviations and stray symbols not counted)."""

    words: int
    marked: float   # contain a letter only Vietnamese uses (ă, ơ, đ, tone marks …)
    valid: float    # are a syllable of the lexicon, as written
    foreign: float  # contain a character no Vietnamese syllable has (f, ¥, a digit …)
    skeletal: float  # stripped of marks, spell a Vietnamese syllable (ignores OCR damage)


def profile(lines: Iterable[str], lexicon: Lexicon) -> Profile:
    """Measure the word pieces of ``lines``."""
    seen: dict[str, tuple[int, int, int, int] | None] = {}  # piece → its shares, or None
    words = marked = valid = foreign = skeletal = 0
    for line in lines:
        for piece in pieces(line):
            if piece not in seen:  # a report repeats its words: measure each once
                seen[piece] = _measure(piece, lexicon)
            found = seen[piece]
            if found is None:
                continue
            words += 1
            marked += found[0]
            valid += found[1]
            foreign += found[2]
            skeletal += found[3]
    n = max(words, 1)
    return Profile(words, marked / n, valid / n, foreign / n, skeletal / n)


def _measure(piece: str, lexicon: Lexicon) -> tuple[int, int, int, int] | None:
    """(marked, valid, foreign, skeletal) of one piece, as 0 or 1; None when it does not
    count (no letter, a lone non-Vietnamese letter, an abbreviation)."""
    if not any(ch.isalpha() for ch in piece):
        return None
    low = piece.lower()
    if len(low) == 1 and not _VIETNAMESE_LETTER.match(low):
        return None
    is_valid = canonical(low) in lexicon
    if piece.isupper() and len(low) > 1 and not is_valid:
        return None  # an abbreviation (UBND, HĐND …) says nothing about the kind
    skeletal = is_valid or bool(lexicon.with_skeleton(fold(low)))
    return (int(any(ch in _VIET_ONLY for ch in low)), int(is_valid),
            int(bool(_FOREIGN.search(low))), int(skeletal))


def detect_kind(lines: Iterable[str], lexicon: Lexicon) -> str:
    """``"eng"``, ``"stripped"`` or ``"vie"`` for a document's lines; ``"foreign"`` when
    enough of it is read to tell that it is not Vietnamese."""
    p = profile(lines, lexicon)
    long_enough = p.words >= MIN_WORDS_TO_JUDGE
    if (long_enough and p.skeletal < MIN_SKELETAL) or \
            (not long_enough and p.words >= MIN_WORDS_SHORT and p.skeletal < MIN_SKELETAL_SHORT):
        return FOREIGN
    if p.words and p.marked < MIN_MARKED:
        return "stripped"
    if p.valid >= MIN_VALID and p.foreign <= MAX_FOREIGN:
        return "vie"
    return "eng" if p.words else "vie"
