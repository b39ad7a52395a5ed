"""Vietnamese word boundaries for the parser: which runs of syllables make one word.

Vietnamese writes a space between syllables, not between words, so "đơn vị trực thuộc" is
two words of two syllables each. The parser cuts measures at word boundaries and judges
whether a measure reads as Vietnamese at all, both from the multi-syllable word list
``models/words.txt.gz`` (built by ``models/train_words.py`` from Viet74K and pyvi's list).
"""
from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

import regex

from extract.repair.lexicon import canonical

WORDS_FILE = Path(__file__).resolve().parents[2] / "models" / "words.txt.gz"
MAX_WORD_SYLLABLES = 4  # longest word looked up when segmenting
# An acronym written in capitals (NCT, HTX, USD, TNXP) reads as a word of its own.
_ACRONYM = regex.compile(r"\p{Lu}{2,7}")


@cache
def _lexicon() -> tuple[frozenset[str], frozenset[str]]:
    """The multi-syllable words, and every syllable they are made of."""
    if not WORDS_FILE.exists():
        raise FileNotFoundError(f"{WORDS_FILE} missing: run python models/train_words.py")
    with gzip.open(WORDS_FILE, "rt", encoding="utf-8") as fh:
        words = frozenset(line.rstrip("\n") for line in fh if line.strip())
    return words, frozenset(s for w in words for s in w.split())


def _key(syllables: list[str]) -> str:
    return " ".join(canonical(s.lower()) for s in syllables)


def is_word(syllables: list[str]) -> bool:
    """True when the syllables together are one listed word (case and tone placement aside)."""
    return len(syllables) > 1 and _key(syllables) in _lexicon()[0]


def segment(syllables: list[str]) -> list[list[str]]:
    """The syllables grouped into words, greedily taking the longest listed word first."""
    out, i = [], 0
    while i < len(syllables):
        size = next((n for n in range(min(MAX_WORD_SYLLABLES, len(syllables) - i), 1, -1)
                     if is_word(syllables[i:i + n])), 1)
        out.append(syllables[i:i + size])
        i += size
    return out


def is_plausible(syllable: str) -> bool:
    """True when ``syllable`` reads as Vietnamese (a syllable of a listed word) or an acronym."""
    return bool(_ACRONYM.fullmatch(syllable)) or canonical(syllable.lower()) in _lexicon()[1]


def unglued(token: str) -> str:
    """``token`` as its syllables when it is several run together ("hộiviên": hội viên),
    the fewest that all read as Vietnamese; else ``token`` as it is. A scan's tight table
    cells lose the spaces between words."""
    if is_plausible(token) or len(token) > 4 * MAX_WORD_SYLLABLES * 2:
        return token
    best: list[list[str] | None] = [[]] + [None] * len(token)  # best split of token[:i]
    for end in range(1, len(token) + 1):
        for start in range(max(0, end - 7), end):  # a syllable has at most 7 letters
            head = best[start]
            if head is not None and is_plausible(token[start:end]) and \
                    (best[end] is None or len(head) + 1 < len(best[end])):
                best[end] = head + [token[start:end]]
    return " ".join(best[-1]) if best[-1] and len(best[-1]) > 1 else token
