"""Unit names: the registry of usual provincial associations and the gazetteer matched against.

A report names the same member unit many ways (``Hội NCT tỉnh``, ``Hội Người cao tuổi tỉnh
Bắc Giang``, OCR-garbled ``H$i Ngudi cao tudi``). Names are compared on a key — diacritics
folded, abbreviations expanded, ``tỉnh <Province>`` dropped — with rapidfuzz, against the
registry in ``models/unit_registry.json`` plus the document's own member list, so that each
unit lands under one canonical name whatever the document's wording.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import regex
from rapidfuzz import fuzz

from extract.text import fold, nfc

REGISTRY = Path(__file__).resolve().parents[2] / "models" / "unit_registry.json"

# A match at or above this rapidfuzz ratio (0–100) on the keys names the same unit.
MATCH_SCORE = 84

_EDGE_PUNCT = regex.compile(r"^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$")
# OCR's usual ways of garbling the generic word "Hội" (H)i, Hji, H$i, Hgi, H6i …).
_GARBLED_HOI = regex.compile(r"h.{0,2}[il1]")
# Trailing "tỉnh" or "tỉnh Bắc Giang" (capitalised words after it), and decorations around names.
_PROVINCE_TAIL = regex.compile(r"\s+t[iỉìíĩị1l]nh(?:\s+\p{Lu}[\p{L}.]*)*\s*$", regex.IGNORECASE)
# "(trưởng nhóm)" after a group's leader, as OCR may give it: a speck between the words
# ("(trưởng. nhóm"), the closing bracket lost
LEADER_MARK = regex.compile(r"\(\s*tr\S{0,4}ng[\s.,]+nh\S{0,3}m\s*\)?", regex.IGNORECASE)
_EDGE_JUNK = regex.compile(r"^[\W\d_]+|[\s\W_]+$")
# Onset + vowel nucleus + coda of one Vietnamese syllable (folded): anything else is an acronym.
_SYLLABLE = regex.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt]|[iyou])?")


# Words after "tỉnh" that continue a name rather than start a place ("hội cấp tỉnh số I").
_NOT_PLACE = frozenset("so cap va uy".split())


@dataclass
class Registry:
    """The registry file: canonical names with aliases, and abbreviation expansions."""

    units: list[tuple[str, list[str]]]
    abbreviations: dict[str, str]
    generic_words: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def registry() -> Registry:
    """The unit registry, read once."""
    data = json.loads(REGISTRY.read_text(encoding="utf-8"))
    return Registry([(nfc(u["name"]), [nfc(a) for a in u["aliases"]]) for u in data["units"]],
                    {fold(k): fold(v) for k, v in data["abbreviations"].items()},
                    [nfc(w) for w in data["generic_words"]])


def tidy_name(text: str) -> str:
    """A unit name as written, without list decorations, leader mark or trailing ``tỉnh …``."""
    text = LEADER_MARK.sub(" ", nfc(text))
    text = " ".join(text.split())
    text = _EDGE_JUNK.sub("", text)
    text = _PROVINCE_TAIL.sub("", text)
    return _EDGE_JUNK.sub("", text)


def name_key(text: str) -> str:
    """The comparison key of a name: folded, abbreviations expanded, no ``tỉnh`` tail."""
    abbreviations = registry().abbreviations
    tokens = [_EDGE_PUNCT.sub("", t) for t in fold(tidy_name(text)).split()]
    tokens = [abbreviations.get(t, t) for t in tokens if t]
    if tokens and _GARBLED_HOI.fullmatch(tokens[0]):
        tokens[0] = "hoi"
    return " ".join(tokens)


def is_acronym(word: str) -> bool:
    """True for a token that is not one Vietnamese syllable (``UBND``, ``KH&KT``, ``XIII``)."""
    letters = fold(word)
    return bool(letters) and not _SYLLABLE.fullmatch(letters) or bool(
        regex.fullmatch(r"[IVXL]+", word))


def sentence_case(text: str) -> str:
    """An all-capitals heading in sentence case, acronyms and Roman numerals kept.

    ``KHỐI THI ĐUA CÁC TỔ CHỨC HỘI CẤP TỈNH SỐ I`` → ``Khối thi đua các tổ chức hội cấp tỉnh
    số I``; ``HỘI NÔNG DÂN TỈNH BẮC GIANG`` → ``Hội nông dân tỉnh Bắc Giang``. Text that is not
    mostly capitals is returned unchanged.
    """
    letters = [c for c in text if c.isalpha()]
    if not letters or sum(c.isupper() for c in letters) < 0.8 * len(letters):
        return text
    words: list[str] = []
    place = False  # the words after a closing "tỉnh" / "thành phố" name a place
    for i, word in enumerate(text.split()):
        core = regex.sub(r"[^\p{L}&]", "", word)
        if core and is_acronym(core):
            words.append(word)
        elif i == 0 or place:
            words.append(word.capitalize())
        else:
            words.append(word.lower())
        nxt = text.split()[i + 1:i + 2]
        if fold(core) in ("tinh", "pho") and nxt and fold(nxt[0]) not in _NOT_PLACE:
            place = True
    return " ".join(words)


@dataclass
class Gazetteer:
    """Canonical unit names with their keys: the registry plus a document's own member list."""

    entries: list[tuple[str, str]] = field(default_factory=list)  # (key, canonical name)

    @classmethod
    def from_registry(cls) -> "Gazetteer":
        gaz = cls()
        for name, aliases in registry().units:
            for alias in [name, *aliases]:
                gaz.add(alias, name)
        return gaz

    def add(self, alias: str, canonical: str) -> None:
        """Know ``alias`` (and it without its generic first word) as ``canonical``."""
        key = name_key(alias)
        if not key:
            return
        self.entries.append((key, canonical))
        first, _, rest = key.partition(" ")
        if rest and first == "hoi":
            self.entries.append((rest, canonical))

    def match(self, text: str, min_score: float = MATCH_SCORE) -> tuple[str, float] | None:
        """The canonical name ``text`` names, with its score, or None.

        ``text`` may carry words after the name (a heading ``Hội Luật gia tỉnh: …``): each
        entry is also compared with the same number of leading words of ``text``.
        """
        key = name_key(text)
        if not key:
            return None
        words = key.split()
        best: tuple[str, float] | None = None
        for entry_key, canonical in self.entries:
            n = entry_key.count(" ") + 1
            score = fuzz.ratio(key, entry_key)
            for m in (n - 1, n, n + 1):
                if 0 < m < len(words):
                    score = max(score, fuzz.ratio(" ".join(words[:m]), entry_key) - 2)
            if score >= min_score and (best is None or score > best[1]):
                best = (canonical, score)
        return best

    def canonical(self, text: str, min_score: float = MATCH_SCORE) -> str:
        """The canonical name of ``text``, or ``text`` tidied when nothing matches."""
        hit = self.match(text, min_score)
        return hit[0] if hit else sentence_case(tidy_name(text))
