"""The text model shared by every stage: pages of lines of words, each word with a confidence.

OCR fills it from Tesseract's word boxes, ingest from a text layer or a text file, repair
rewrites the words (keeping one line out per line in) and parse reads it. Keeping the
per-word confidence lets a figure's confidence carry the OCR and repair evidence behind it.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field


@dataclass
class Word:
    """One whitespace-delimited token with a confidence in [0, 1] and, from OCR, its box on
    the page image as ingest gave it (before levelling or turning)."""

    text: str
    confidence: float = 1.0
    box: tuple[int, int, int, int] | None = None  # left, top, width, height in pixels
    ocr: str | None = None  # after repair: the word as read, and the reader's confidence
    ocr_confidence: float | None = None
    repair_confidence: float | None = None  # after repair: how likely its reading is right
    # after repair, for a doubtful word: the readings it was chosen among, with posteriors
    candidates: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class Line:
    """One line of text, in reading order."""

    words: list[Word] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @classmethod
    def from_text(cls, text: str, confidence: float = 1.0) -> "Line":
        return cls([Word(t, confidence) for t in nfc(text).split()])


@dataclass
class Page:
    """One page: 1-based number, its lines, and how its text was obtained."""

    number: int
    lines: list[Line] = field(default_factory=list)
    method: str = "ocr"  # "ocr" | "text-layer" | "text"
    size: tuple[int, int] | None = None  # OCR: the page image's pixels the boxes are in

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @classmethod
    def from_text(cls, number: int, text: str, method: str, confidence: float = 1.0) -> "Page":
        return cls(number, [Line.from_text(t, confidence) for t in text.split("\n")], method)


def nfc(text: str) -> str:
    """Unicode NFC: the one normal form text is kept in everywhere."""
    return unicodedata.normalize("NFC", text)


def union_box(boxes: list[tuple[int, int, int, int]]) -> tuple[int, int, int, int]:
    """The smallest box (left, top, width, height) holding ``boxes``."""
    left, top = min(b[0] for b in boxes), min(b[1] for b in boxes)
    return (left, top, max(b[0] + b[2] for b in boxes) - left,
            max(b[1] + b[3] for b in boxes) - top)


# What OCR reads a digit as on a poor scan: 1 as I, l, i (marked or not), a bar, a
# bracket, "!" or "¡"; 0 as O or a slashed Ø; 8 as § (a thinned 8). Callers decide where
# a token is a number.
DIGIT_LOOKALIKES = str.maketrans("IlÌÍiíì|!¡][OoØø§", "11111111111100008")


def fold(text: str) -> str:
    """Lower-case ``text`` with its diacritics removed (đ → d), one character per character.

    Lets keyword and name matching survive OCR that drops or garbles Vietnamese marks; because
    every NFC character folds to exactly one character, offsets found in the folded text are
    offsets in the original.
    """
    out = []
    for ch in nfc(text):
        base = unicodedata.normalize("NFD", ch)[0]
        out.append("d" if base in "đĐ" else base.lower() if len(base.lower()) == 1 else base)
    return "".join(out)


def strip_diacritics(text: str) -> str:
    """``text`` without any Vietnamese mark (đ → d), as old systems and some archives hold it."""
    text = text.replace("đ", "d").replace("Đ", "D")
    bare = "".join(ch for ch in unicodedata.normalize("NFD", text)
                   if not unicodedata.combining(ch))
    return nfc(bare)
