"""Train the syllable trigram language model (``models/lm.npz``) from ``models/corpus.py``.

Modified interpolated Kneser-Ney (three discounts per order, for counts 1, 2 and 3+),
written in backoff form so that decoding needs one dict probe per n-gram. The domain lines
are few but are the genre the tool reads, so their counts are weighted up; trigrams seen
only once are pruned to keep the model small and quick to load.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extract.repair.kernels import IntTable  # noqa: E402
from extract.repair.lm import (BOS, CASE_LOWER, MODEL_PATH, NUM, UNK,  # noqa: E402
                               LanguageModel, key2, key3, lm_tokens, title_cased)
from models.corpus import SOURCES, sentences  # noqa: E402

# How many times a line of each source counts; the genre's own phrasing matters most.
WEIGHTS = {"law": 1, "news": 2, "words": 1, "places": 1, "domain": 20}
MIN_TRIGRAM = 2  # keep trigrams seen at least this often (weighted)
# Capital-after-word figures: kept when the pair was seen this often (weighted) and differs
# from the word's own figure by this many nats; smoothed towards it by this pseudo-count.
CASE_MIN_COUNT = 3
CASE_MIN_DIFFERENCE = 0.3
CASE_PRIOR = 2.0


def _discounts(counts: Counter) -> tuple[float, float, float]:
    """Modified Kneser-Ney discounts (D1, D2, D3+) from the count-of-counts of a table."""
    n = [sum(1 for c in counts.values() if c == k) for k in (1, 2, 3, 4)]
    if not all(n):
        return 0.5, 1.0, 1.5
    y = n[0] / (n[0] + 2 * n[1])
    return 1 - 2 * y * n[1] / n[0], 2 - 3 * y * n[2] / n[1], 3 - 4 * y * n[3] / n[2]


def _discount(c: float, d: tuple[float, float, float]) -> float:
    """The discount for a count ``c``."""
    return d[0] if c < 1.5 else d[1] if c < 2.5 else d[2]


def train(weights: dict[str, int], min_trigram: int) -> LanguageModel:
    """Count the corpus and compute the Kneser-Ney model."""
    lines: list[tuple[int, list[str]]] = []
    freq: Counter = Counter()
    capital: Counter = Counter()  # Title-case and total counts of words inside sentences
    cased: Counter = Counter()
    capital2: Counter = Counter()  # the same per (previous token, token)
    cased2: Counter = Counter()
    trusted: set[str] = set()
    for source in SOURCES:
        for line in sentences(source):
            toks = lm_tokens(line)
            if toks:
                lines.append((weights[source], toks))
                freq.update(toks)
                if source != "words":  # word lists capitalise names by convention only
                    for before, tok, upper in title_cased(line):
                        cased[tok] += weights[source]
                        capital[tok] += weights[source] * upper
                        cased2[(before, tok)] += weights[source]
                        capital2[(before, tok)] += weights[source] * upper
                if source != "law":
                    trusted.update(toks)
    # Law text has typos and names: a word seen once there and nowhere else is dropped.
    words = [UNK, BOS, NUM] + sorted(t for t, c in freq.items()
                                    if (c >= 2 or t in trusted) and t not in (UNK, BOS, NUM))
    ids = {w: i for i, w in enumerate(words)}
    unk, bos = ids[UNK], ids[BOS]
    print(f"train_lm: {len(lines)} lines, vocabulary {len(words)}", file=sys.stderr)

    # c3: weighted trigram counts; top: the largest source weight a trigram was seen with.
    # Continuation counts (how many distinct words precede) are weighted by it too, so the
    # genre's own lines shape the lower orders as well, not only the trigrams.
    c3: Counter = Counter()
    top: dict[tuple[int, int, int], int] = {}
    for weight, toks in lines:
        seq = [bos, bos] + [ids.get(t, unk) for t in toks]
        for i in range(2, len(seq)):
            gram = (seq[i - 2], seq[i - 1], seq[i])
            c3[gram] += weight
            if top.get(gram, 0) < weight:
                top[gram] = weight
    d3 = _discounts(c3)

    ctx3: Counter = Counter()
    types3: Counter = Counter()
    cc2: Counter = Counter()
    top2: dict[tuple[int, int], int] = {}
    for (u, v, w), c in c3.items():
        ctx3[(u, v)] += c
        types3[(u, v)] += _discount(c, d3)  # the mass the context's discounts free
        cc2[(v, w)] += top[(u, v, w)]
        if top2.get((v, w), 0) < top[(u, v, w)]:
            top2[(v, w)] = top[(u, v, w)]
    d2 = _discounts(cc2)
    ctx2: Counter = Counter()
    types2: Counter = Counter()
    cc1: Counter = Counter()
    for (v, w), c in cc2.items():
        ctx2[v] += c
        types2[v] += _discount(c, d2)
        cc1[w] += top2[(v, w)]
    total1 = sum(cc1.values())
    vocab = len(words)
    p1 = [(cc1.get(i, 0) + 0.5) / (total1 + 0.5 * vocab) for i in range(vocab)]

    gamma2 = defaultdict(lambda: 1.0)
    for v, c in ctx2.items():
        gamma2[v] = types2[v] / c
    p2: dict[tuple[int, int], float] = {}
    for (v, w), c in cc2.items():
        p2[(v, w)] = max(c - _discount(c, d2), 0.0) / ctx2[v] + gamma2[v] * p1[w]

    gamma3: dict[tuple[int, int], float] = {}
    for uv, c in ctx3.items():
        gamma3[uv] = types3[uv] / c
    tri: dict[int, float] = {}
    for (u, v, w), c in c3.items():
        if c < min_trigram:
            continue
        p = max(c - _discount(c, d3), 0.0) / ctx3[(u, v)] + gamma3[(u, v)] * p2[(v, w)]
        tri[key3(u, v, w)] = math.log10(p)
    bow2 = {key2(u, v): math.log10(g) for (u, v), g in gamma3.items() if g < 1.0}
    bi = {key2(v, w): math.log10(p) for (v, w), p in p2.items()}
    uni = [math.log10(p) for p in p1]
    bow1 = [math.log10(gamma2[i]) for i in range(vocab)]
    print(f"train_lm: D3={d3[0]:.2f}/{d3[1]:.2f}/{d3[2]:.2f} "
          f"D2={d2[0]:.2f}/{d2[1]:.2f}/{d2[2]:.2f}; {len(bi)} bigrams, {len(tri)} trigrams kept "
          f"of {len(c3)}", file=sys.stderr)
    # smoothed towards 1 in 10 so that a word seen rarely says little
    title = [math.log((capital[w] + 0.2) / (cased[w] + 2.0)) for w in words]
    case2 = _case_after(capital2, cased2, ids, title)
    print(f"train_lm: {len(case2)} capital-after-word figures", file=sys.stderr)
    return LanguageModel(words, uni, bow1, IntTable.of(bi), IntTable.of(bow2), IntTable.of(tri),
                         title, IntTable.of(case2))


def _case_after(capital2: Counter, cased2: Counter, ids: dict[str, int],
                title: list[float]) -> dict[int, float]:
    """How much more (or less) likely a word is written with a capital after a given word
    than anywhere: natural-log differences for the Title-case and the lower-case reading,
    kept where seen often enough and large enough to matter (``LanguageModel.case2``)."""
    out: dict[int, float] = {}
    for (before, tok), n in sorted(cased2.items()):
        v, w = ids.get(before), ids.get(tok)
        if n < CASE_MIN_COUNT or v is None or w is None:
            continue
        p_word = math.exp(title[w])
        p = (capital2[(before, tok)] + CASE_PRIOR * p_word) / (n + CASE_PRIOR)
        up, low = math.log(p) - title[w], math.log1p(-p) - math.log1p(-p_word)
        if max(abs(up), abs(low)) >= CASE_MIN_DIFFERENCE:
            out[key2(v, w)] = up
            out[key2(v, w) + CASE_LOWER] = low
    return out


def main(argv: list[str] | None = None) -> int:
    """Build ``models/lm.npz``."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-o", "--output", type=Path, default=MODEL_PATH)
    ap.add_argument("--min-trigram", type=int, default=MIN_TRIGRAM)
    args = ap.parse_args(argv)
    start = time.time()
    model = train(WEIGHTS, args.min_trigram)
    model.save(args.output)
    print(f"train_lm: wrote {args.output} ({args.output.stat().st_size / 1e6:.1f} MB) in "
          f"{time.time() - start:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
