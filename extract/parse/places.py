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
