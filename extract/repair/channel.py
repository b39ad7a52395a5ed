"""The OCR channel: which true syllables could have produced an observed token, and how likely.

``ChannelModel.candidates(token, kind)`` gives the true syllables (lowercase) with
log P(observed token | syllable), best first, for three kinds of text: ``eng`` (OCR'd by
Tesseract's English model: wrong base letters, digits for letters, lost marks), ``stripped``
(diacritics removed) and ``vie`` (Vietnamese OCR: residual tone and letter confusions).
Nothing here is written by hand: ``models/train_channel.py`` renders real Vietnamese text
as scans, OCRs them with the real Tesseract and learns, per kind, (1) whole-token pairs
(của → ctia) and (2) character edits (each true character → the 0–2 characters seen for
it: "ủ" → "ti", "ố" → "6", "đ" → "p"), so unseen tokens get candidates too.
"""
from __future__ import annotations

import gzip
import json
import math
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

import extract.repair.kernels as kernels
from extract.repair.lexicon import TONE_MARKS, Lexicon, canonical, skeleton, toneless

CHANNEL_FILE = Path(__file__).resolve().parents[2] / "models" / "channel.json.gz"
KINDS = ("eng", "stripped", "vie")
# Kinds whose unseen tone swaps take the learned ones' median (_tone_swap_floor): the
# Vietnamese model reads marks and confuses one for another; an English model's garbles
# of marks are another matter, learned as they come.
TONE_SWAP_KINDS = ("vie",)
_VOWELS = frozenset("aăâeêioôơuưy")
MAX_SEGMENT = 2  # a true character shows as at most this many observed characters
MAX_CANDIDATES = 20
MAX_CHANGES = {"eng": 3, "vie": 1}  # learned edits applied to propose skeletons
FUZZY_DISTANCE = {"eng": 2, "vie": 1}  # rapidfuzz fallback over skeletons, when few found
# ... and always, for confusions real scans show that the rendered pages did not teach
NEAR_DISTANCE = {"eng": 1, "vie": 0}
PROPOSAL_MIN_PROB = 0.002  # an edit proposes skeletons only when at least this likely
PROPOSALS_PER_SEGMENT = 6
MAX_SKELETONS = 6  # skeletons proposed by learned edits, fewest edits first
SCORE_WINDOW = 12.0  # candidates further than this (in log prob) below the best are dropped
TOKEN_WEIGHT = 3.0  # pseudo-count: how fast whole-token evidence outweighs char edits
CACHE_LIMIT = 50_000  # candidate lists kept for the tokens met (some 15-50 MB)

# Log probs for an edit never seen in training (by length of the observed segment), and the
# bonus when the unseen segment is the bare letter (the mark lost).
UNSEEN = (-9.0, -10.0, -13.0)
UNSEEN_BARE = -4.0


def heuristic_row(truth: str) -> dict[str, float]:
    """Emissions of true char ``truth`` before anything is learned: itself, else bare.

    Used for the first alignment of training pairs only.
    """
    return {skeleton(truth): -1.0, truth: 0.0}


@dataclass
class KindModel:
    """What was learned for one kind of text."""

    edits: dict[str, dict[str, float]]  # true char → {observed segment: log prob}
    tokens: dict[str, dict[str, int]]  # observed token → {true syllable: count}
    truth_counts: dict[str, int]  # true syllable → times seen in training pairs
    # observed token → its candidate list, computed at build time for the tokens seen
    # most often in training (saves the first look-up of the commonest tokens)
    known: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    # log prob of a vowel read with another tone when the renders never showed that pair
    # (None: no such floor); see ``ChannelModel.__init__``
    tone_swap: float | None = None
    _rows: dict[str, dict[str, float]] = field(default_factory=dict, repr=False)

    def row(self, truth: str) -> dict[str, float]:
        """log P(segment | true char) for the learned segments, the bare letter always in,
        and every other tone of a vowel at ``tone_swap`` at least."""
        found = self._rows.get(truth)
        if found is None:
            found = dict(self.edits.get(truth, {}))
            bare = skeleton(truth)
            found[bare] = max(found.get(bare, UNSEEN_BARE), UNSEEN_BARE)
            if self.tone_swap is not None:
                for other in tone_variants(truth):
                    found.setdefault(other, self.tone_swap)
            self._rows[truth] = found
        return found


def tone_variants(char: str) -> list[str]:
    """The other tones of a vowel ("á" → a, à, ả, ã, ạ); [] for any other character."""
    base = toneless(char)
    if len(char) != 1 or base not in _VOWELS:
        return []
    return [v for v in (base, *(unicodedata.normalize("NFC", base + m) for m in TONE_MARKS))
            if v != char]


def _tone_swap_floor(model: KindModel) -> float | None:
    """The median log prob of the tone swaps the renders showed: what a vowel's tone swap
    that its own renders did not show is taken to be. Tone marks are one family of
    confusions for the Vietnamese model, so a rare vowel's unseen swap is not rarer than the
    family's typical one, only less sampled. None when no swap was learned."""
    found = sorted(lp for char, row in model.edits.items() if len(char) == 1
                   for seg, lp in row.items() if seg in tone_variants(char))
    return found[len(found) // 2] if found else None


def align(truth: str, obs: str, row_of: Callable[[str], dict[str, float]],
          pairs: bool = True) -> tuple[float, list[tuple[str, str]]]:
    """Best segmentation of ``obs`` into one 0–2 char segment per char of ``truth``.

    Returns (log prob, [(true char, observed segment), …]; empty when ``pairs`` is false);
    ``row_of(char)`` gives the log probs of the segments a char is seen as (others get
    ``UNSEEN`` by length). Viterbi over a small grid, compiled (``kernels.align``): it
    scores every candidate of every new token.
    """
    return kernels.align(truth, obs, row_of, UNSEEN, MAX_SEGMENT, pairs)


class ChannelModel:
    """The learned channel for every kind, over the lexicon's syllables."""

    def __init__(self, kinds: dict[str, KindModel], lexicon: Lexicon):
        for kind in TONE_SWAP_KINDS:
            if kind in kinds:
                kinds[kind].tone_swap = _tone_swap_floor(kinds[kind])
        self.kinds = kinds
        self.lexicon = lexicon
        self._skeletons = list(lexicon.by_skeleton)
        self._prefixes = {key[:i] for key in self._skeletons for i in range(len(key) + 1)}
        self._inverse = {kind: self._inverse_edits(model) for kind, model in kinds.items()}
        self._log_freq = {syl: math.log(n) for syl, n in lexicon.freq.items() if n > 0}
        self._cache: dict[tuple[str, str], list[tuple[str, float]]] = {}  # by raw token
        self._computed: dict[tuple[str, str], list[tuple[str, float]]] = {}  # by obs

    @staticmethod
    def _inverse_edits(model: KindModel) -> dict[str, tuple[str, ...]]:
        """Observed segment → the bare letters it likely stands for (most likely first)."""
        found: dict[str, dict[str, float]] = {}
        for truth, row in model.edits.items():
            bare = skeleton(truth)
            for seg, lp in row.items():
                if seg and seg != bare and lp >= math.log(PROPOSAL_MIN_PROB):
                    slot = found.setdefault(seg, {})
                    slot[bare] = max(slot.get(bare, -math.inf), lp)
        return {seg: tuple(sorted(row, key=lambda bare: (-row[bare], bare))
                           [:PROPOSALS_PER_SEGMENT])
                for seg, row in found.items()}

    @staticmethod
    @lru_cache(maxsize=1)
    def load(path: Path = CHANNEL_FILE) -> "ChannelModel":
        """The built channel (``models/channel.json.gz``) over ``Lexicon.load()``, once."""
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            data = json.load(fh)
        kinds = {kind: KindModel(d["edits"], d["tokens"], d["truth_counts"],
                                 {obs: [tuple(c) for c in cands]
                                  for obs, cands in d["known"].items()})
                 for kind, d in data["kinds"].items()}
        return ChannelModel(kinds, Lexicon.load())

    def with_edits(self, kind: str, raised: dict[str, dict[str, float]]) -> "ChannelModel":
        """A copy whose ``kind`` has the edits in ``raised`` (true char → {observed segment:
        log prob}) at the given log probs; the rest is shared. Candidate lists computed at
        build time for tokens containing a raised segment are dropped, as now out of date."""
        model = self.kinds[kind]
        edits = {char: dict(row) for char, row in model.edits.items()}
        for char, row in raised.items():
            edits.setdefault(char, {}).update(row)
        segments = {segment for row in raised.values() for segment in row}
        known = {obs: cands for obs, cands in model.known.items()
                 if not any(segment in obs for segment in segments)}
        kinds = dict(self.kinds)
        kinds[kind] = KindModel(edits, model.tokens, model.truth_counts, known)
        return ChannelModel(kinds, self.lexicon)

    def candidates(self, token: str, kind: str) -> list[tuple[str, float]]:
        """True syllables that may have produced ``token``, with log P(token | syllable).

        ``token`` is one OCR token without surrounding punctuation, any case; the answer is
        best first, at most ``MAX_CANDIDATES`` long (all same-skeleton syllables, with 0.0,
        for ``stripped``), and empty when nothing in the lexicon is close.
        """
        if kind not in KINDS:
            raise ValueError(f"unknown text kind {kind!r}; one of {', '.join(KINDS)}")
        key = (token, kind)
        hit = self._cache.get(key)
        if hit is None:
            if len(self._cache) > CACHE_LIMIT:  # a long run of new text: memory stays bounded
                self._cache.clear()
                self._computed.clear()
            obs = canonical(token.lower())
            model = self.kinds.get(kind)
            hit = model.known.get(obs) if model else None
            if hit is None:  # "Của", "CỦA" and "của" share one computation
                hit = self._computed.get((obs, kind))
                if hit is None:
                    hit = self._computed[obs, kind] = self.compute(obs, kind)
            self._cache[key] = hit
        return hit

    def compute(self, obs: str, kind: str) -> list[tuple[str, float]]:
        """The candidates of lowercase, tone-canonical ``obs`` (no caches involved)."""
        if not obs:
            return []
        if kind == "stripped":
            return [(syl, 0.0) for syl in self.lexicon.with_skeleton(skeleton(obs))]
        model = self.kinds[kind]
        pool: set[str] = set(model.tokens.get(obs, ()))
        for key in self._proposals(obs, kind):
            pool.update(self.lexicon.with_skeleton(key))
        few = len(pool) < MAX_CANDIDATES // 2
        distance = FUZZY_DISTANCE[kind] if few else NEAR_DISTANCE[kind]
        if distance:
            for key, _, _ in process.extract(skeleton(obs), self._skeletons,
                                             scorer=Levenshtein.distance, limit=10,
                                             score_cutoff=distance):
                pool.update(self.lexicon.with_skeleton(key))
        scored = [(syl, self._score(model, syl, obs)) for syl in pool]
        if not scored:
            return []
        floor = max(lp for _, lp in scored) - SCORE_WINDOW
        log_freq = self._log_freq
        # Which syllables make the list is decided by channel score and frequency together
        # (a rare same-skeleton syllable must not push out a common one); the list is then
        # ordered by channel score alone, the quantity it reports.
        ranked = sorted((-(lp + log_freq[syl]), syl, lp) for syl, lp in scored if lp >= floor)
        kept = [(syl, lp) for _, syl, lp in ranked[:MAX_CANDIDATES]]
        kept.sort(key=lambda item: (-item[1], -log_freq[item[0]], item[0]))
        return kept

    def _proposals(self, obs: str, kind: str) -> list[str]:
        """Lexicon skeletons reachable from ``obs`` by the fewest learned edits.

        Skeletons needing more than one edit beyond the best are dropped, and at most
        ``MAX_SKELETONS`` are kept: each brings its whole group of accented syllables.
        """
        inverse, prefixes, limit = self._inverse[kind], self._prefixes, MAX_CHANGES[kind]
        index = self.lexicon.by_skeleton
        bare = skeleton(obs)
        found: dict[str, int] = {}

        def walk(i: int, prefix: str, changes: int) -> None:
            if prefix not in prefixes:
                return
            if i == len(obs):
                if prefix in index and changes < found.get(prefix, limit + 1):
                    found[prefix] = changes
                return
            walk(i + 1, prefix + bare[i], changes)
            if changes < limit:
                for k in range(1, MAX_SEGMENT + 1):
                    if i + k <= len(obs):
                        for letters in inverse.get(obs[i:i + k], ()):
                            walk(i + k, prefix + letters, changes + 1)

        walk(0, "", 0)
        if not found:
            return []
        fewest = min(found.values())
        keys = sorted((key for key, n in found.items() if n <= fewest + 1), key=found.get)
        return keys[:MAX_SKELETONS]

    @staticmethod
    def _score(model: KindModel, syllable: str, obs: str) -> float:
        """log P(obs | syllable): char edits, mixed with whole-token evidence when seen."""
        by_edits, _ = align(syllable, obs, model.row, pairs=False)
        seen = model.tokens.get(obs, {}).get(syllable, 0)
        if not seen:
            return by_edits
        total = model.truth_counts[syllable]
        weight = total / (total + TOKEN_WEIGHT)
        mixed = weight * seen / total + (1 - weight) * math.exp(by_edits)
        return math.log(mixed)
