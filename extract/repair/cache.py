"""A document's own confident readings as a prior on its doubtful ones.

A report repeats itself: "thi đua", "khen thưởng", "khối", "tỉnh" come back on every page,
garbled the same few ways by one scanner and one OCR engine. Where the first decoding pass
is sure of a reading (the LM had context enough: "phong trào thi đua"), the same reading
is likelier where the context is thinner ("Chương trình thi dua khối"). This is the cache
component of adaptive language models (Kuhn and De Mori's cache LM; in OCR post-correction,
document-level adaptation), on two levels, each a bonus (≤ 0, in nats) on the options of
the second pass:

- per observed token, the readings the first pass trusted for that very token ("dua" read
  "đua"), weight ``WEIGHT``;
- per syllable, how often the first pass trusted it anywhere in the document, whatever
  garble it came from ("khối" from "khéi", "kh6i", "KHOI"), weight ``SYLLABLE_WEIGHT``.

The LM still decides where its evidence is strong ("tình hình" stays though the document's
"tinh" is mostly "tỉnh"). Per document: nothing is kept across documents. The weights and
thresholds were chosen on held-out rendered pages and the samples (``bench --only repair``),
never on the seeds.
"""
from __future__ import annotations

import functools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from extract.repair.adapt import trusted_pieces
from extract.repair.lexicon import canonical

KINDS = ("eng", "stripped", "vie")  # the input kinds the prior is used for
MIN_SEEN = 2  # a token needs this many trusted readings to have a prior of its own
WEIGHT = 0.5  # nats per log count ratio, for a token's own readings
SYLLABLE_WEIGHT = 0.4  # and for the syllables of the whole document
# A reading the prior puts this far (nats) below the best one it knows for that piece is
# contested: its line is read again. Closer, the prior could hardly overturn the first
# pass's choice, and reading every line again would double the time.
CONTESTED = 0.5


@functools.lru_cache(maxsize=1 << 16)
def key(piece: str) -> str:
    """How a piece (or a reading of it) is counted: lower case, one tone-mark spelling."""
    return canonical(piece.lower())


@dataclass
class Prior:
    """What one document's first pass trusted."""

    tokens: dict[str, dict[str, float]] = field(default_factory=dict)  # token → reading →
    #   bonus; "" holds the bonus of every other reading
    syllables: Counter = field(default_factory=Counter)  # reading → times trusted

    def __bool__(self) -> bool:
        return bool(self.tokens or self.syllables)

    def bonuses(self, piece: str, readings: list[str]) -> list[float]:
        """The bonus of each of ``readings`` (keys) of ``piece``, both levels summed."""
        out = [0.0] * len(readings)
        own = self.tokens.get(key(piece))
        if own:
            other = own[""]
            out = [own.get(r, other) for r in readings]
        if SYLLABLE_WEIGHT > 0 and self.syllables:
            counts = [self.syllables.get(r, 0) for r in readings]
            top = max(counts) + 1
            if top > 1:
                out = [b + SYLLABLE_WEIGHT * math.log((c + 1) / top)
                       for b, c in zip(out, counts)]
        return out


def document_prior(readings: Iterable[tuple[str, str, float]]) -> Prior:
    """The prior of one document from its first pass's ``readings`` (OCR word, repaired
    word, confidence; those ``adapt.trusted_pieces`` trusts): each token's trusted readings
    relative to its commonest one, and the trusted syllables counted."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for obs, truth in trusted_pieces(readings):
        if obs[0].isalpha():
            counts[key(obs)][key(truth)] += 1
    prior = Prior()
    for token, found in counts.items():
        if SYLLABLE_WEIGHT > 0:
            prior.syllables.update(found)
        if WEIGHT <= 0 or sum(found.values()) < MIN_SEEN:
            continue
        top = max(found.values()) + 1
        bonus = {reading: WEIGHT * math.log((n + 1) / top) for reading, n in found.items()}
        bonus[""] = WEIGHT * math.log(1 / top)
        prior.tokens[token] = bonus
    return prior


def contested(pairs: Iterable[tuple[str, str, list[str]]], prior: Prior) -> bool:
    """Whether ``prior`` favours, for some piece, another of its readings over the one
    chosen by at least CONTESTED; ``pairs`` are (piece, chosen reading key, keys of every
    reading it had). Where the prior agrees with the first pass, a second cannot differ."""
    for piece, chosen, readings in pairs:
        if chosen not in readings:
            continue
        bonus = prior.bonuses(piece, readings)
        if max(bonus) - bonus[readings.index(chosen)] >= CONTESTED:
            return True
    return False
