"""The Vietnamese syllable lexicon: every valid syllable (lowercase NFC) with its frequency.

Repair proposes only syllables from this set, so it must hold every syllable a report may
use and nothing else: it is built (``models/train_lexicon.py``) from real word lists and
corpus counts, filtered by Vietnamese phonotactics (``is_syllable``). This module is also
the one place where a syllable's tone mark is put in its canonical position
(``canonical``: "hoà" → "hòa", "thuý" → "thúy", the placement modern administrative
documents use) and where a syllable's diacritic-free ``skeleton`` is defined.
"""
from __future__ import annotations

import gzip
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from extract.text import fold

LEXICON_FILE = Path(__file__).resolve().parents[2] / "models" / "lexicon.tsv.gz"

# Combining tone marks: huyền, sắc, hỏi, ngã, nặng.
TONE_MARKS = "\u0300\u0301\u0309\u0303\u0323"
_CHECKED_TONES = "\u0301\u0323"  # the only tones a syllable ending in p, t, c, ch may bear
VOWELS = set("aăâeêioôơuưy")
ONSETS = {"", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng",
          "ngh", "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x"}
CODAS = {"", "c", "ch", "m", "n", "ng", "nh", "p", "t"}
# Vowel clusters (toneless, with their quality marks), by whether a final consonant may,
# must or must not follow. Glide endings (-i, -y, -o, -u) are part of the cluster.
_OPEN_OR_CLOSED = {"a", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "oa", "oe", "uê", "uy"}
_CLOSED_ONLY = {"ă", "â", "iê", "yê", "uô", "ươ", "oă", "uâ", "uyê", "oo"}
_OPEN_ONLY = {"ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "oi", "ôi", "ơi",
              "ui", "ưi", "ưu", "ua", "ưa", "uơ", "oai", "oay", "oao", "oeo", "uây", "uôi",
              "ươi", "ươu", "iêu", "yêu", "uya", "uyu", "uai", "uao", "ueo", "uau", "uay",
              "ya"}
_PALATAL_NUCLEI = {"a", "ê", "i", "y", "oa", "uê", "uy"}  # may precede -ch, -nh
_FRONT = set("ieêy")  # spelling: k, gh, ngh before these; c, g, ng never


def _split_tone(syllable: str) -> tuple[str, str, int]:
    """(toneless NFC text, tone mark or "", index of the toned character or -1)."""
    tone, index, chars = "", -1, []
    for ch in syllable:
        parts = unicodedata.normalize("NFD", ch)
        marks = [m for m in parts if m in TONE_MARKS]
        if marks:
            tone, index = marks[0], len(chars)
            parts = "".join(m for m in parts if m not in TONE_MARKS)
        chars.append(unicodedata.normalize("NFC", parts))
    return "".join(chars), tone, index


def toneless(text: str) -> str:
    """``text`` without its tone mark, quality marks kept: "luật" → "luât"."""
    return _split_tone(text)[0]


def _parts(base: str) -> tuple[str, str, str]:
    """(onset, vowel cluster, coda) of a toneless lowercase syllable.

    In "gì", "gìn" the i is both part of the onset gi and the vowel: the cluster is "i".
    """
    onset = ""
    for cand in ("ngh", "ng", "gh", "gi", "qu", "ch", "kh", "nh", "ph", "th", "tr"):
        if base.startswith(cand):
            onset = cand
            break
    else:
        if base and base[0] not in VOWELS:
            onset = base[0]
    rest = base[len(onset):]
    if onset == "gi" and (not rest or rest[0] not in VOWELS):
        rest = "i" + rest
    i = 0
    while i < len(rest) and rest[i] in VOWELS:
        i += 1
    return onset, rest[:i], rest[i:]


def _tone_position(cluster: str, coda: str) -> int:
    """Index within ``cluster`` of the vowel that carries the tone (traditional placement)."""
    for quality in ("ơ", "ê", "â", "ă", "ô", "ư"):
        pos = cluster.rfind(quality)
        if pos >= 0:
            return pos
    if coda or len(cluster) == 3:
        return len(cluster) - 1 if coda else 1
    return 0


@lru_cache(maxsize=1 << 16)  # called for every token, and tokens recur
def canonical(syllable: str) -> str:
    """``syllable`` with its tone mark on the vowel modern admin documents put it on.

    Old and new placements ("hoà"/"hòa", "thuý"/"thúy", "khoẻ"/"khỏe") become one form; case
    is kept. Text that is not a single Vietnamese syllable is returned unchanged (NFC).
    """
    text = unicodedata.normalize("NFC", syllable)
    base, tone, index = _split_tone(text)
    if not tone:
        return text
    onset, cluster, coda = _parts(base.lower())
    if not cluster or onset not in ONSETS or coda not in CODAS:
        return text
    target = len(base) - len(coda) - len(cluster) + _tone_position(cluster, coda)
    if target == index:
        return text
    chars = list(base)
    chars[target] = unicodedata.normalize("NFC", chars[target] + tone)
    return "".join(chars)


def is_syllable(text: str) -> bool:
    """True when ``text`` (lowercase) is spelled as a Vietnamese syllable can be.

    Checks onset, vowel cluster and coda against the Vietnamese inventory, the k/c, g/gh,
    ng/ngh spelling rules, and that p, t, c, ch codas bear only the sắc or nặng tone; this
    rejects foreign words ("computer", "ascii") and most typos.
    """
    text = unicodedata.normalize("NFC", text)
    if not text or not text.isalpha() or text != text.lower():
        return False
    base, tone, _ = _split_tone(text)
    if sum(1 for m in unicodedata.normalize("NFD", text) if m in TONE_MARKS) > 1:
        return False
    onset, cluster, coda = _parts(base)
    if onset not in ONSETS or coda not in CODAS or not cluster:
        return False
    if cluster in _OPEN_ONLY:
        ok = not coda
    elif cluster in _CLOSED_ONLY:
        ok = bool(coda)
    else:
        ok = cluster in _OPEN_OR_CLOSED
    if not ok:
        return False
    if coda in ("ch", "nh") and cluster not in _PALATAL_NUCLEI:
        return False
    if coda in ("p", "t", "c", "ch") and tone and tone not in _CHECKED_TONES:
        return False
    front = cluster[0] in _FRONT
    if onset in ("gh", "ngh") and not front:  # k may: Kạn, Kon, Đắk (place names)
        return False
    if onset in ("c", "g", "ng") and front:
        return False
    if cluster.startswith("y") and len(cluster) > 1 and onset not in ("", "qu"):
        return False
    return True


# A syllable's skeleton is its diacritic-free lower case, đ → d ("Đảng" → "dang"): the
# project's one folding function, which keeps positions (one character per character).
skeleton = fold


@dataclass(frozen=True)
class Lexicon:
    """Valid syllables with corpus frequencies, indexed by skeleton (most frequent first)."""

    freq: dict[str, int]
    by_skeleton: dict[str, tuple[str, ...]]

    def __contains__(self, syllable: str) -> bool:
        return syllable in self.freq

    def __len__(self) -> int:
        return len(self.freq)

    def frequency(self, syllable: str) -> int:
        """Corpus count (+1) of ``syllable``; 0 when it is not a known syllable."""
        return self.freq.get(syllable, 0)

    def with_skeleton(self, key: str) -> tuple[str, ...]:
        """Syllables whose skeleton is ``key``, most frequent first."""
        return self.by_skeleton.get(key, ())

    @classmethod
    def from_counts(cls, freq: dict[str, int]) -> "Lexicon":
        """The lexicon of ``freq`` (syllable → count) with its skeleton index."""
        groups: dict[str, list[str]] = {}
        for syl in freq:
            groups.setdefault(skeleton(syl), []).append(syl)
        index = {key: tuple(sorted(syls, key=lambda s: (-freq[s], s)))
                 for key, syls in groups.items()}
        return cls(freq, index)

    @staticmethod
    @lru_cache(maxsize=1)
    def load(path: Path = LEXICON_FILE) -> "Lexicon":
        """The built lexicon (``models/lexicon.tsv.gz``: syllable TAB count), loaded once."""
        freq: dict[str, int] = {}
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for row in fh:
                syl, _, count = row.rstrip("\n").partition("\t")
                freq[syl] = int(count)
        return Lexicon.from_counts(freq)
