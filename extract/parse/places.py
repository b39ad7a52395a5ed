"""Vietnamese place names, to read an OCR-garbled place in a header as the place it is.

``models/places.txt`` (built by ``models/train_words.py``) lists provinces before and after
the 2025 merger and the former districts and towns, without their generic word. A place the
header writes close to one of them ("Béic Giang") is written as that name ("Bắc Giang").
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

import regex
from rapidfuzz import fuzz, process

from extract.text import fold

PLACES_FILE = Path(__file__).resolve().parents[2] / "models" / "places.txt"
# The generic word a place may carry before its name ("Thành phố Huế", "TP. Vinh").
_GENERIC = regex.compile(r"^(?:thành phố|thị xã|thị trấn|tp\.?|tx\.?)\s*", regex.I)
MIN_SCORE = 80  # rapidfuzz ratio on folded names: a letter or two misread


@cache
def _places() -> dict[str, list[str]]:
    """Folded name → the listed names that fold to it."""
    if not PLACES_FILE.exists():
        raise FileNotFoundError(f"{PLACES_FILE} missing: run python models/train_words.py")
    out: dict[str, list[str]] = {}
    for name in PLACES_FILE.read_text(encoding="utf-8").split("\n"):
        if name:
            out.setdefault(fold(name), []).append(name)
    return out


def known_place(place: str) -> str:
    """``place`` written as the listed place it is closest to, when one is close, else as is.

    A listed place, or one that two listed names fit equally well, is kept as written, so
    that real names are never rewritten into their neighbours.
    """
    generic = _GENERIC.match(place)
    if generic and generic.end() < len(place):
        return place[:generic.end()] + known_place(place[generic.end():])
    places = _places()
    key = fold(place)
    if place in places.get(key, ()):
        return place
    if key in places:
        return places[key][0] if len(places[key]) == 1 else place
    best = process.extract(key, places.keys(), scorer=fuzz.ratio, limit=2)
    if (not best or best[0][1] < MIN_SCORE or len(places[best[0][0]]) > 1
            or (len(best) > 1 and best[1][1] == best[0][1])):
        return place
    return places[best[0][0]][0]


# "tỉnh" as OCR or repair may leave it before a place: tính, tinh, tĩnh, tình …
_PROVINCE_WORD = regex.compile(r"\b(?i:t[iìíỉĩị]nh)\b")
MAX_PLACE_WORDS = 5  # "Bà Rịa - Vũng Tàu"


def leading_place(text: str) -> str | None:
    """The listed place ``text`` opens with, as ``text`` writes it (the longest of up to
    MAX_PLACE_WORDS words: "Quảng Ngãi ở" → "Quảng Ngãi"), or None."""
    words = text.split()
    for n in range(min(MAX_PLACE_WORDS, len(words)), 0, -1):
        if fold(" ".join(words[:n])).strip(" .,;:") in _places():
            return " ".join(words[:n])
    return None


def province_word(text: str) -> str:
    """``text`` with each misread "tỉnh" before a listed place written right ("Hội Cựu
    chiến binh tính Thái Bình" → "… tỉnh Thái Bình"), in the case it was written in: a
    province's name after it makes it the word for province, whatever its marks say."""
    out = text
    for m in _PROVINCE_WORD.finditer(text):
        after = text[m.end():].split()
        if m[0].lower() != "tỉnh" and leading_place(" ".join(after)):
            word = m[0]
            right = "TỈNH" if word.isupper() else "Tỉnh" if word[0].isupper() else "tỉnh"
            out = out[:m.start()] + right + out[m.end():]
    return out
