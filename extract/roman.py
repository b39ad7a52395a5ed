"""Roman part numbers (I., II., III. …) as reports number their parts, and as OCR misreads
them: shared by repair (which puts a numeral's lost stroke back) and parse (which reads the
parts)."""
from __future__ import annotations

# OCR reads I as l, 1 or L (parts never run to L, 50) and II as H.
NOISY_DIGITS = str.maketrans({"l": "I", "1": "I", "L": "I", "|": "I", "H": "II"})
# Where only a numeral can stand (a bloc's "số I"), a T is an I too: the English model's
# channel (models/channel.json.gz) reads i as t more often than as l.
NUMERAL_LOOKALIKES = NOISY_DIGITS | str.maketrans({"T": "I"})
_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50}


def roman_value(numeral: str) -> int | None:
    """The value of a Roman numeral ``I``…``XXXIX`` (strictly formed), else None."""
    if not numeral or any(c not in _VALUES for c in numeral):
        return None
    total = 0
    for i, c in enumerate(numeral):
        v = _VALUES[c]
        nxt = _VALUES[numeral[i + 1]] if i + 1 < len(numeral) else 0
        total += -v if v < nxt else v
    return total if to_roman(total) == numeral else None


def to_roman(n: int) -> str:
    """``n`` (1–49) as a Roman numeral."""
    out = ""
    for value, numeral in ((40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += numeral
            n -= value
    return out


def is_capitals(text: str) -> bool:
    """True when at least 80 % of the letters of ``text`` are capitals."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)
