"""Adapting the OCR channel to one document, from the document itself.

The channel is learned from rendered pages, but a real archive's scanner, paper and type
make confusions of their own, consistently within one document: an English model reading
every capital Đ as P ("Pang", "Pai hoi"), c as e — confusions the rendered pages barely
show. The first decoding pass already gets many of these words right where the LM is sure
("Pang uy" → "Đảng ủy"); those confident readings are counted edit by edit, and an edit
that recurs, in several different syllables, far more often than the channel expects is
made likelier for this document (a Bayesian update with the learned channel as prior). The
lines whose candidates that changes are then decoded again. Unsupervised and per document:
nothing is kept across documents.

Consonants are adapted, and vowels only where they were read as digits or symbols ("Kho1",
"bi¢n"), which no Vietnamese word contains. Vowels carry the tone and shape marks an English
model mangles in many ways at once; raising a letter-for-vowel reading from a first pass
that is itself unsure of vowels turned right words wrong as often as it fixed others (on
the seeds' archive text).
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator

from extract.repair.channel import UNSEEN, ChannelModel, KindModel, align
from extract.repair.lexicon import canonical, skeleton
from extract.repair.lm import ocr_pieces, pieces

KINDS = ("eng",)       # Vietnamese OCR is left to the learned channel: it is right already
MIN_CONFIDENCE = 0.9   # first-pass words trusted as evidence
MIN_SEEN = 5           # an edit must recur at least this often in the document,
MIN_SYLLABLES = 3      # in at least this many different syllables,
MIN_GAIN = math.log(5)  # and come out this much likelier than the channel expects
PRIOR_WEIGHT = 20.0    # pseudo-count of the learned channel in the document's estimate
VOWELS = set("aeiouy")


def trusted_pieces(readings: Iterable[tuple[str, str, float]]) -> Iterator[tuple[str, str]]:
    """(observed piece, repaired piece) of the first-pass readings, given as (OCR word,
    repaired word, confidence), that are at least MIN_CONFIDENCE sure and split into as
    many pieces either way: the evidence a document gives about itself."""
    for observed, repaired, confidence in readings:
        if confidence < MIN_CONFIDENCE:
            continue
        seen, read = ocr_pieces(observed), pieces(repaired)
        if len(seen) == len(read):
            yield from zip(seen, read)


def evidence(readings: Iterable[tuple[str, str, float]],
             model: KindModel) -> tuple[Counter, Counter, dict[tuple[str, str], set[str]]]:
    """Counts of (true char, observed segment) and of true chars over the confident
    readings, given as (OCR word, repaired word, confidence), and the syllables each edit
    was seen in."""
    edits: Counter = Counter()
    chars: Counter = Counter()
    where: dict[tuple[str, str], set[str]] = defaultdict(set)
    for obs, truth in trusted_pieces(readings):
        if not truth[0].isalpha():
            continue
        syllable = canonical(truth.lower())
        _, pairs = align(syllable, canonical(obs.lower()), model.row)
        for char, segment in pairs:
            chars[char] += 1
            edits[char, segment] += 1
            where[char, segment].add(syllable)
    return edits, chars, where


def raised_edits(edits: Counter, chars: Counter, where: dict[tuple[str, str], set[str]],
                 model: KindModel) -> dict[str, dict[str, float]]:
    """True char → {segment: log prob} for the edits this document makes far likelier than
    the learned channel does: consonants, and vowels read as digits or symbols. A letter's
    loss (empty segment) is never raised: it would touch every word."""
    out: dict[str, dict[str, float]] = {}
    for (char, segment), seen in edits.items():
        if (seen < MIN_SEEN or not segment or segment == char
                or skeleton(char) in VOWELS and any(ch.isalpha() for ch in segment)
                or len(where[char, segment]) < MIN_SYLLABLES):
            continue
        prior = model.row(char).get(segment, UNSEEN[min(len(segment), 2)])
        estimate = math.log((seen + PRIOR_WEIGHT * math.exp(prior)) /
                            (chars[char] + PRIOR_WEIGHT))
        if estimate - prior >= MIN_GAIN:
            out.setdefault(char, {})[segment] = estimate
    return out


def adapted_channel(channel: ChannelModel, kind: str,
                    readings: Iterable[tuple[str, str, float]]
                    ) -> tuple[ChannelModel, set[str]] | None:
    """The channel adapted to a document's first-pass ``readings`` and the observed
    segments whose edits were raised; None when the document shows nothing to adapt."""
    model = channel.kinds[kind]
    raised = raised_edits(*evidence(readings, model), model)
    if not raised:
        return None
    return (channel.with_edits(kind, raised),
            {segment for row in raised.values() for segment in row})
