"""A document's own confident readings as a prior on how it reads the same token elsewhere.

A report repeats itself: "thi đua", "khen thưởng", "tỉnh" come back on every page, garbled
the same few ways by one scanner and one OCR engine. Where the first decoding pass is sure
of a token's reading (the LM had context enough: "phong trào thi đua"), the same token is
most likely read the same way where the context is thinner ("Chương trình thi dua khối").
This is the cache component of adaptive language models (Kuhn and De Mori's cache LM; in
OCR post-correction, document-level adaptation), put on the options of a token rather than
on the LM: per observed token, the readings the first pass trusted, counted, become a bonus
in the second pass, with weight ``WEIGHT`` against the channel and the LM. The LM still
decides where its evidence is strong ("tình hình" stays though the document's "tinh" is
mostly "tỉnh"). Per document: nothing is kept across documents.
"""
from __future__ import annotations

import functools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable

from extract.repair.lexicon import canonical
from extract.repair.lm import pieces

KINDS = ("eng", "stripped", "vie")  # the input kinds the prior is used for
MIN_CONFIDENCE = 0.9  # first-pass words trusted as evidence
MIN_SEEN = 2  # a token needs this many trusted readings to have a prior
# Weight (nats per log count ratio) of the document's readings; chosen on held-out
# rendered pages and the samples (``bench --only repair``), never on the seeds.
WEIGHT = 0.5
# A reading the prior puts this far (nats) below the document's commonest one is contested:
# its line is read again. Closer, the prior could hardly overturn the first pass's choice,
# and reading every line again would double the time.
CONTESTED = 0.5


@functools.lru_cache(maxsize=1 << 16)
def key(piece: str) -> str:
    """How a piece (or a reading of it) is counted: lower case, one tone-mark spelling."""
    return canonical(piece.lower())


Prior = dict[str, dict[str, float]]  # token key → {reading key: bonus}; "" for the others


def document_prior(readings: Iterable[tuple[str, str, float]]) -> Prior:
    """Per observed token, a bonus (≤ 0, in nats) for each reading the first pass gave it
    confidently, relative to its commonest such reading; ``""`` holds the bonus of every
    other reading. ``readings`` are (OCR word, repaired word, confidence)."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for observed, repaired, confidence in readings:
        if confidence < MIN_CONFIDENCE:
            continue
        seen, read = pieces(observed), pieces(repaired)
        if len(seen) != len(read):
            continue
        for obs, truth in zip(seen, read):
            if obs[0].isalpha():
                counts[key(obs)][key(truth)] += 1
    prior: Prior = {}
    weight = WEIGHT
    for token, found in counts.items():
        if weight <= 0 or sum(found.values()) < MIN_SEEN:
            continue
        top = max(found.values()) + 1
        bonus = {reading: weight * math.log((n + 1) / top) for reading, n in found.items()}
        bonus[""] = weight * math.log(1 / top)
        prior[token] = bonus
    return prior


def contested(observed: str, repaired: str, prior: Prior) -> bool:
    """Whether ``prior`` favours another reading of some piece of ``observed`` than the one
    in ``repaired`` (a second pass could change it; where the prior agrees, it cannot)."""
    seen, read = pieces(observed), pieces(repaired)
    if len(seen) != len(read):
        return any(key(piece) in prior for piece in seen)
    return any(prior[key(obs)].get(key(truth), prior[key(obs)][""]) < -CONTESTED
               for obs, truth in zip(seen, read) if key(obs) in prior)
