"""The compiled search (extract/repair/kernels.pyx) against plain-Python oracles, on the real
LM: its hash tables agree with dicts, its backoff scores with plain backoff over the model's
arrays, and with a beam wide enough the beam search finds the exact best path of a lattice,
as exhaustive search does."""
from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest

from extract.repair import kernels, lm as lm_module
from extract.repair.kernels import CASE_LOWER, LOWER, SHIFT, TITLE, IntTable


@pytest.fixture(scope="module")
def lm():
    return lm_module.load()


def test_int_table_agrees_with_a_dict_present_and_absent_keys():
    rng = random.Random(7)
    mapping = {rng.randrange(1 << 62): rng.uniform(-9, 0) for _ in range(20_000)}
    table = IntTable.of(mapping)
    assert len(table) == len(mapping)
    for key, value in itertools.islice(mapping.items(), 5_000):
        assert table[key] == value and key in table
    absent = [k for k in (rng.randrange(1 << 62) for _ in range(5_000)) if k not in mapping]
    assert all(table.get(k) is None and k not in table for k in absent)
    assert table.get(absent[0], -1.5) == -1.5
    with pytest.raises(KeyError):
        table[absent[0]]


class _Oracle:
    """Plain-Python backoff scoring over the LM's own arrays (dicts, no hash tables)."""

    def __init__(self, lm):
        t = lm.tables
        used = t.slots[t.slots["key"] >= 0]
        used = used[np.argsort(used["key"])]  # sorted: looked up by binary search
        self.keys, self.probs, self.nexts = used["key"], used["prob"], used["next"]
        self.uni, self.last = t.unigrams, t.lasts
        self.bow, self.back = t.states["bow"], t.states["back"]
        self.case2 = lm.case2

    def score(self, state: int, w: int) -> tuple[float, int]:
        backoff = 0.0
        while state >= 0:
            key = (state << SHIFT) | w
            at = int(np.searchsorted(self.keys, key))
            if at < len(self.keys) and self.keys[at] == key:
                return backoff + float(self.probs[at]), int(self.nexts[at])
            backoff += float(self.bow[state])
            state = int(self.back[state])
        return backoff + float(self.uni[w]), w

    def transition(self, state: int, w: int, case: int, weight: float) -> tuple[float, int]:
        p, after = self.score(state, w)
        p *= weight
        if case:
            vw = (int(self.last[state]) << SHIFT) | w
            p += self.case2.get(vw + (CASE_LOWER if case == LOWER else 0), 0.0)
        return p, after


@pytest.fixture(scope="module")
def oracle(lm):
    return _Oracle(lm)


def test_compiled_scores_agree_with_plain_backoff(lm, oracle):
    rng = random.Random(3)
    words = [lm.id(w) for w in ("hoạt", "động", "thi", "đua", "thì", "dưa", "lập", "thành",
                                "tích", "của", "hội", "tỉnh", "<num>", "năm", ",")]
    for _ in range(300):
        state = lm.start
        for w in rng.choices(words, k=rng.randint(1, 8)):
            want = oracle.score(state, w)
            got = lm.tables.log10_prob(state, w)
            assert got[1] == want[1] and got[0] == pytest.approx(want[0], abs=1e-5)
            state = got[1]


def _lattice(lm, rng: random.Random, columns: int):
    """A random lattice over common LM words: per column 1–4 options, best emit first."""
    common = [lm.id(w) for w in ("của", "các", "hội", "hồi", "tỉnh", "tính", "thi", "đua",
                                 "năm", "và", "viên", "viện", "công", "tác", "khen")]
    cols = []
    for _ in range(columns):
        width = rng.randint(1, 4)
        opts = sorted(((rng.uniform(-6, 0), rng.choice(common), rng.choice((0, TITLE, LOWER)))
                       for _ in range(width)), key=lambda o: -o[0])
        cols.append(opts)
    starts = np.array([0] + list(itertools.accumulate(len(c) for c in cols)), dtype=np.int64)
    flat = [o for c in cols for o in c]
    return (cols, starts, np.array([o[0] for o in flat]),
            np.array([o[1] for o in flat], dtype=np.int64),
            np.array([o[2] for o in flat], dtype=np.int64))


def test_wide_beam_finds_the_exact_best_path(lm, oracle):
    rng = random.Random(11)
    weight = math.log(10)
    for _ in range(40):
        cols, starts, emit, word, case = _lattice(lm, rng, rng.randint(1, 6))
        path, _ = kernels.viterbi(lm.tables, starts, emit, word, case, lm.start,
                                  weight, 1.0, 10_000, math.inf)

        def total(choice):
            state = lm.start
            score = 0.0
            for col, j in zip(cols, choice):
                e, w, c = col[j]
                p, state = oracle.transition(state, w, c, weight)
                score += e + p
            return score

        best = max(total(choice) for choice in itertools.product(*(range(len(c)) for c in cols)))
        assert total(path.tolist()) == pytest.approx(best, abs=1e-9)


def test_posteriors_are_distributions_and_a_lone_option_is_certain(lm):
    rng = random.Random(5)
    cols, starts, emit, word, case = _lattice(lm, rng, 8)
    path, _ = kernels.viterbi(lm.tables, starts, emit, word, case, lm.start, math.log(10), 1.0,
                              16, 8.0)
    post = kernels.posteriors(lm.tables, starts, emit, word, case, path, lm.start,
                              math.log(10), 1.0, 8.0, lm.order, len(cols))
    for c, col in enumerate(cols):
        column = post[starts[c]:starts[c + 1]]
        assert column.sum() == pytest.approx(1.0) and (column >= 0).all()
        assert len(col) > 1 or column[0] == 1.0
        assert column[path[c]] > 0
