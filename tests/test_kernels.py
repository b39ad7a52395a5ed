"""The compiled search (extract/repair/kernels.pyx) against plain-Python oracles, on the real
LM: its hash tables agree with dicts, and with a beam wide enough the beam search finds the
exact best path of a lattice, as exhaustive search does."""
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


def _transition(lm, u: int, v: int, w: int, case: int, weight: float) -> float:
    """Oracle: weighted Kneser-Ney backoff score, plus the capital-after-word figure."""
    p = lm.tri.get((((u << SHIFT) | v) << SHIFT) | w)
    if p is None:
        p = lm.bi.get((v << SHIFT) | w)
        if p is None:
            p = lm.bow1[v] + lm.uni[w]
        p += lm.bow2.get((u << SHIFT) | v, 0.0)
    p *= weight
    if case:
        p += lm.case2.get(((v << SHIFT) | w) + (CASE_LOWER if case == LOWER else 0), 0.0)
    return p


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


def test_wide_beam_finds_the_exact_best_path(lm):
    rng = random.Random(11)
    weight = math.log(10)
    start = lm.id(lm_module.BOS)
    for _ in range(40):
        cols, starts, emit, word, case = _lattice(lm, rng, rng.randint(1, 6))
        path = kernels.viterbi(lm.tables, starts, emit, word, case, (start << SHIFT) | start,
                               weight, 1.0, 10_000, math.inf)

        def total(choice):
            u = v = start
            score = 0.0
            for col, j in zip(cols, choice):
                e, w, c = col[j]
                score += e + _transition(lm, u, v, w, c, weight)
                u, v = v, w
            return score

        best = max(total(choice) for choice in itertools.product(*(range(len(c)) for c in cols)))
        assert total(path.tolist()) == pytest.approx(best, abs=1e-9)


def test_posteriors_are_distributions_and_a_lone_option_is_certain(lm):
    rng = random.Random(5)
    start = lm.id(lm_module.BOS)
    cols, starts, emit, word, case = _lattice(lm, rng, 8)
    packed = (start << SHIFT) | start
    path = kernels.viterbi(lm.tables, starts, emit, word, case, packed, math.log(10), 1.0, 16, 8.0)
    post = kernels.posteriors(lm.tables, starts, emit, word, case, path, packed, math.log(10),
                              1.0, 8.0)
    for c, col in enumerate(cols):
        column = post[starts[c]:starts[c + 1]]
        assert column.sum() == pytest.approx(1.0) and (column >= 0).all()
        assert len(col) > 1 or column[0] == 1.0
        assert column[path[c]] > 0
