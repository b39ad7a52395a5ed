# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""The decoder's inner loops in compiled code (Cython): LM look-ups, beam Viterbi, posteriors.

Repair must run at well over 10,000 syllables a second on one core, and a pure-Python beam
spends most of its time on dictionary probes for trigram scores (a line of twelve words
asks for hundreds). Here the LM's tables are open-addressing hash tables (``IntTable``)
and the search is C; the Python decoder (``extract.repair.decode``) prepares each line's
options and reads the answer. Built when the project is installed (``setup.py``).

A line's options are passed flat: option ``o`` of column ``c`` is at
``starts[c] <= o < starts[c + 1]``, with its channel score ``emit[o]``, LM id ``word[o]``
and case mark ``case[o]``, best channel score first within each column.
"""
import numpy as np

from libc.math cimport INFINITY, exp
from libc.stdint cimport int32_t, int64_t, uint64_t

SHIFT = 21  # bits per id in a packed key; the vocabulary must stay below 2**21
CASE_LOWER = 1 << (2 * SHIFT)  # added to a packed bigram key: the word is in lower case
TITLE, LOWER = 1, 2  # case marks of an option inside a sentence

cdef int64_t C_SHIFT = 21
cdef int64_t C_MASK = (1 << 21) - 1
cdef int64_t C_CASE_LOWER = 1 << 42
cdef int64_t C_TITLE = 1
cdef int64_t EMPTY = -1  # an unused slot (packed keys are never negative)

cdef packed struct Slot:  # one n-gram of ``NgramLm``
    int64_t key
    float prob
    int32_t next

cdef packed struct Node:  # one state of ``NgramLm``
    float bow
    int32_t back

SLOT_DTYPE = np.dtype([("key", "<i8"), ("prob", "<f4"), ("next", "<i4")])
NODE_DTYPE = np.dtype([("bow", "<f4"), ("back", "<i4")])


cdef inline int64_t _slot(int64_t key, int64_t mask) noexcept nogil:
    """Fibonacci hashing: the high bits of key × 2^64/φ."""
    return <int64_t>(((<uint64_t>key) * 0x9E3779B97F4A7C15ULL) >> 32) & mask


cdef inline bint _better(double score, int64_t key, double other_score,
                         int64_t other_key) noexcept nogil:
    """Ranks beam states: higher score first, then the larger packed key."""
    return score > other_score or (score == other_score and key > other_key)


cdef class IntTable:
    """A read-only map from packed n-gram keys (non-negative ints) to floats, stored as an
    open-addressing hash table (load ≤ 1/2, linear probing) that C code probes."""

    cdef readonly object keys, values  # as given, for saving
    cdef int64_t[::1] slots
    cdef double[::1] stored
    cdef int64_t mask

    def __init__(self, keys, values):
        self.keys = np.ascontiguousarray(keys, dtype=np.int64)
        self.values = np.ascontiguousarray(values, dtype=np.float64)
        cdef int64_t size = 1 << max(4, (2 * max(len(self.keys), 1) - 1).bit_length())
        self.slots = np.full(size, EMPTY, dtype=np.int64)
        self.stored = np.zeros(size, dtype=np.float64)
        self.mask = size - 1
        cdef const int64_t[::1] k = self.keys
        cdef const double[::1] v = self.values
        cdef Py_ssize_t n
        cdef int64_t i
        for n in range(k.shape[0]):
            i = _slot(k[n], self.mask)
            while self.slots[i] != EMPTY and self.slots[i] != k[n]:
                i = (i + 1) & self.mask
            self.slots[i] = k[n]
            self.stored[i] = v[n]

    @classmethod
    def of(cls, mapping):
        """The table of a Python dict."""
        return cls(np.fromiter(mapping.keys(), dtype=np.int64, count=len(mapping)),
                   np.fromiter(mapping.values(), dtype=np.float64, count=len(mapping)))

    cdef inline bint find(self, int64_t key, double* value) noexcept nogil:
        cdef int64_t i = _slot(key, self.mask)
        cdef int64_t k
        while True:
            k = self.slots[i]
            if k == key:
                value[0] = self.stored[i]
                return True
            if k == EMPTY:
                return False
            i = (i + 1) & self.mask

    def get(self, key, default=None):
        cdef double value
        if key < 0 or not self.find(key, &value):
            return default
        return value

    def __getitem__(self, key):
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key):
        return self.get(key) is not None

    def __len__(self):
        return len(self.keys)


def hash_slots(keys, probs, nexts, double load=0.7):
    """The open-addressing table (linear probing, at most ``load`` full) of n-gram entries:
    ``SLOT_DTYPE`` records (key, with -1 for empty; log10 probability; next state), built
    once when the model is trained and stored as it is, so that loading costs no hashing."""
    cdef const int64_t[::1] k = np.ascontiguousarray(keys, dtype=np.int64)
    cdef const float[::1] pr = np.ascontiguousarray(probs, dtype=np.float32)
    cdef const int32_t[::1] nx = np.ascontiguousarray(nexts, dtype=np.int32)
    cdef int64_t size = 16
    while size * load < k.shape[0]:
        size *= 2
    slots = np.zeros(size, dtype=SLOT_DTYPE)
    slots["key"] = EMPTY
    cdef Slot[::1] table = slots
    cdef int64_t mask = size - 1, i
    cdef Py_ssize_t n
    with nogil:
        for n in range(k.shape[0]):
            i = _slot(k[n], mask)
            while table[i].key != EMPTY and table[i].key != k[n]:
                i = (i + 1) & mask
            table[i].key, table[i].prob, table[i].next = k[n], pr[n], nx[n]
    return slots


cdef class NgramLm:
    """The backoff n-gram LM as the search sees it (``extract.repair.lm.LanguageModel``).

    A state is a node: a context (n-gram of order < N) the model holds, nodes ``0 … V-1``
    being the single words. Every n-gram of order ≥ 2 is stored under the packed key
    (node of its context, last word) with its log10 probability and the node that follows
    it (the longest suffix of the n-gram that is itself a context), so scoring a word is one
    probe per backoff step and the beam recombines states exactly where the model cannot
    tell them apart. Per node: its backoff weight, the node of its context shortened by its
    first word (``back``; -1 below the single words) and its last word (for the
    capital-after-word figures, kept in ``case2`` by packed word pair). The n-grams come
    as the table ``hash_slots`` makes."""

    cdef readonly object slots, states, unigrams, lasts  # what the memoryviews read
    cdef const Slot[::1] slot
    cdef const Node[::1] node
    cdef int64_t mask
    cdef const float[::1] uni
    cdef const int32_t[::1] last
    cdef IntTable case2
    cdef readonly int64_t vocabulary, nodes

    def __init__(self, slots, states, uni, last, IntTable case2):
        # An n-gram's key, probability and next state side by side (``SLOT_DTYPE``), and a
        # state's backoff and shorter context (``NODE_DTYPE``): a probe reads one cache
        # line, not three. Arrays are used as given (a loaded model's lie in its file's
        # inflated bytes).
        if slots.dtype != SLOT_DTYPE or states.dtype != NODE_DTYPE:
            raise ValueError("n-gram slots or states of the wrong record type")
        size = len(slots)
        if size & (size - 1) or not len(states) == len(last) >= len(uni):
            raise ValueError("n-gram slots not a power of two, or state arrays disagree")
        self.slots, self.states = slots, states
        self.unigrams = np.ascontiguousarray(uni, dtype=np.float32)
        self.lasts = np.ascontiguousarray(last, dtype=np.int32)
        self.slot, self.node = self.slots, self.states
        self.uni, self.last = self.unigrams, self.lasts
        self.mask = size - 1
        self.case2 = case2
        self.vocabulary = self.unigrams.shape[0]
        self.nodes = self.states.shape[0]

    cdef inline double score(self, int64_t state, int64_t w, int64_t* after) noexcept nogil:
        """log10 P(w | state), and the state after w."""
        cdef double backoff = 0.0
        cdef int64_t key, i, k
        while True:
            key = (state << C_SHIFT) | w
            i = _slot(key, self.mask)
            while True:
                k = self.slot[i].key
                if k == key:
                    after[0] = self.slot[i].next
                    return backoff + self.slot[i].prob
                if k == EMPTY:
                    break
                i = (i + 1) & self.mask
            backoff += self.node[state].bow
            state = self.node[state].back
            if state < 0:
                after[0] = w
                return backoff + self.uni[w]

    cdef inline double transition(self, int64_t state, int64_t w, int64_t case, double weight,
                                  double case_weight, int64_t* after) noexcept nogil:
        """Weighted log score of word ``w`` written in ``case`` in ``state``: the backoff
        log10 probability times ``weight``, plus the capital-after-word figure."""
        cdef double p = self.score(state, w, after) * weight, figure = 0.0
        cdef int64_t vw
        if case != 0:
            vw = (<int64_t>self.last[state] << C_SHIFT) | w
            self.case2.find(vw if case == C_TITLE else vw + C_CASE_LOWER, &figure)
            p += case_weight * figure
        return p

    def log10_prob(self, int64_t state, int64_t w):
        """(log10 P(w | state), the state after w), for tests and evaluation."""
        if not (0 <= state < self.nodes and 0 <= w < self.vocabulary):
            raise IndexError("state or word id out of range")
        cdef int64_t after
        cdef double p = self.score(state, w, &after)
        return p, after

    def sequence(self, int64_t state, const int64_t[::1] words):
        """(total log10 probability of ``words`` from ``state``, the state after them)."""
        cdef double total = 0.0
        cdef Py_ssize_t n
        if not 0 <= state < self.nodes:
            raise IndexError("state out of range")
        for n in range(words.shape[0]):
            if not 0 <= words[n] < self.vocabulary:
                raise IndexError("word id out of range")
        with nogil:
            for n in range(words.shape[0]):
                total += self.score(state, words[n], &state)
        return total, state


def viterbi(NgramLm lm, const int64_t[::1] starts, const double[::1] emit,
            const int64_t[::1] word, const int64_t[::1] case, int64_t start, double weight,
            double case_weight, int beam, double gap):
    """Index (within its column) of the best option of every column, and the LM state after
    the line: a beam search over LM states (``NgramLm`` nodes) from the state ``start``.

    Per column, states are tried best first and options best channel score first; as LM
    scores are ≤ 0, a transition whose state + channel score already falls ``gap`` below
    the best total so far cannot survive, nor can anything after it. Survivors are the
    ``beam`` best within ``gap`` of the best (ties: larger state first).
    """
    cdef Py_ssize_t n = starts.shape[0] - 1
    cdef Py_ssize_t widest = 1, c, s, o, t, a, b, at, best, states, count
    for c in range(n):
        widest = max(widest, starts[c + 1] - starts[c])
    cdef int64_t[::1] state_key = np.empty(beam, dtype=np.int64)
    cdef double[::1] state_score = np.empty(beam, dtype=np.float64)
    cdef Py_ssize_t cap = beam * widest
    cdef int64_t[::1] new_key = np.empty(cap, dtype=np.int64)
    cdef double[::1] new_score = np.empty(cap, dtype=np.float64)
    cdef int64_t[::1] new_from = np.empty(cap, dtype=np.int64)
    cdef int64_t[::1] new_choice = np.empty(cap, dtype=np.int64)
    cdef Py_ssize_t[::1] order = np.empty(beam, dtype=np.intp)
    # where each new state sits in ``new_*``: a small open-addressing index by state
    cdef int64_t index_mask = 15
    while index_mask + 1 < 2 * cap:
        index_mask = 2 * index_mask + 1
    cdef int64_t[::1] index_key = np.full(index_mask + 1, EMPTY, dtype=np.int64)
    cdef Py_ssize_t[::1] index_at = np.empty(index_mask + 1, dtype=np.intp)
    cdef Py_ssize_t[::1] index_of = np.empty(cap, dtype=np.intp)  # slot of each new state
    cdef int64_t h
    cdef int64_t[:, ::1] kept_key = np.empty((n, beam), dtype=np.int64)
    cdef int64_t[:, ::1] kept_from = np.empty((n, beam), dtype=np.int64)
    cdef int64_t[:, ::1] kept_choice = np.empty((n, beam), dtype=np.int64)
    cdef int64_t[::1] kept = np.zeros(n, dtype=np.int64)
    path = np.empty(n, dtype=np.int64)
    cdef int64_t[::1] out = path
    cdef int64_t uv, after, state
    cdef double score, base, total, floor
    with nogil:
        state_key[0] = start
        state_score[0] = 0.0
        states = 1
        for c in range(n):
            a, b = starts[c], starts[c + 1]
            count = 0
            floor = -INFINITY
            for s in range(states):
                uv, score = state_key[s], state_score[s]
                if score + emit[a] < floor:
                    break
                for o in range(a, b):
                    base = score + emit[o]
                    if base < floor:
                        break
                    total = base + lm.transition(uv, word[o], case[o], weight, case_weight,
                                                 &after)
                    h = _slot(after, index_mask)
                    while index_key[h] != EMPTY and index_key[h] != after:
                        h = (h + 1) & index_mask
                    if index_key[h] == EMPTY:
                        at = count
                        count += 1
                        new_key[at] = after
                        index_key[h], index_at[h], index_of[at] = after, at, h
                    else:
                        at = index_at[h]
                        if total <= new_score[at]:
                            continue
                    new_score[at], new_from[at], new_choice[at] = total, uv, o - a
                    if total - gap > floor:
                        floor = total - gap
            # the survivors, best first (ties: larger key first), at most ``beam``:
            # insertion into the sorted ``order`` of the best ones so far
            states = 0
            for t in range(count):
                index_key[index_of[t]] = EMPTY
                if new_score[t] < floor:
                    continue
                if states == beam and not _better(new_score[t], new_key[t],
                                                  new_score[order[beam - 1]],
                                                  new_key[order[beam - 1]]):
                    continue
                at = states if states < beam else beam - 1
                while at > 0 and _better(new_score[t], new_key[t], new_score[order[at - 1]],
                                         new_key[order[at - 1]]):
                    order[at] = order[at - 1]
                    at -= 1
                order[at] = t
                if states < beam:
                    states += 1
            for s in range(states):
                best = order[s]
                state_key[s], state_score[s] = new_key[best], new_score[best]
                kept_key[c, s], kept_from[c, s] = new_key[best], new_from[best]
                kept_choice[c, s] = new_choice[best]
            kept[c] = states
        state = after = state_key[0]
        for c in range(n - 1, -1, -1):
            for s in range(kept[c]):
                if kept_key[c, s] == state:
                    out[c], state = kept_choice[c, s], kept_from[c, s]
                    break
    return path, after


def posteriors(NgramLm lm, const int64_t[::1] starts, const double[::1] emit,
               const int64_t[::1] word, const int64_t[::1] case, const int64_t[::1] path,
               int64_t start, double weight, double case_weight, double margin, int order,
               Py_ssize_t columns):
    """Posterior of every option of the first ``columns`` columns (the rest are context
    only) given the chosen neighbours on both sides (the state before it, and the
    ``order`` - 1 chosen words after it, all that an n-gram of that order lets it touch);
    1 for a column's only option and for the options of context columns. Options whose
    channel score is ``margin`` below their column's best get 0 unless chosen."""
    cdef Py_ssize_t n = starts.shape[0] - 1
    cdef Py_ssize_t m = emit.shape[0], c, o, a, b, k
    cdef int64_t[::1] ids = np.empty(n, dtype=np.int64)  # chosen LM id of each column
    cdef int64_t[::1] cases = np.zeros(n, dtype=np.int64)
    cdef int64_t[::1] before = np.empty(n + 1, dtype=np.int64)  # state before each column
    result = np.ones(m, dtype=np.float64)
    cdef double[::1] out = result
    cdef double[::1] logits = np.empty(m, dtype=np.float64)
    cdef int64_t w, state
    cdef double floor, top, lp, total
    with nogil:
        before[0] = start
        for c in range(n):
            ids[c] = word[starts[c] + path[c]]
            cases[c] = case[starts[c] + path[c]]
            lm.score(before[c], ids[c], &before[c + 1])
        for c in range(min(columns, n)):
            a, b = starts[c], starts[c + 1]
            if b - a < 2:
                continue
            floor = emit[a] - margin
            top = -INFINITY
            for o in range(a, b):
                if emit[o] < floor and o - a != path[c]:
                    logits[o] = -INFINITY
                    continue
                w = word[o]
                lp = emit[o] + lm.transition(before[c], w, case[o], weight, case_weight,
                                             &state)
                for k in range(c + 1, min(n, c + order)):
                    lp += lm.transition(state, ids[k], cases[k], weight, case_weight, &state)
                logits[o] = lp
                if lp > top:
                    top = lp
            total = 0.0
            for o in range(a, b):
                logits[o] = 0.0 if logits[o] == -INFINITY else exp(logits[o] - top)
                total += logits[o]
            for o in range(a, b):
                out[o] = logits[o] / total
    return result


def align(str truth, str obs, row_of, tuple unseen, int max_segment, bint pairs=True):
    """Best segmentation of ``obs`` into one 0–``max_segment`` char segment per char of
    ``truth`` (``extract.repair.channel.align``): its log prob, and the (true char,
    observed segment) pairs unless ``pairs`` is false. ``row_of(char)`` gives a dict of the
    segments' log probs; others get ``unseen[len(segment)]``."""
    cdef Py_ssize_t n = len(truth), m = len(obs), i, j, k, left, width, at
    cdef Py_ssize_t cols = m + 1, cells = (n + 1) * (m + 1)
    cdef double here, score
    cdef double small_best[512]
    cdef Py_ssize_t small_back[512]
    cdef double[::1] large_best
    cdef Py_ssize_t[::1] large_back
    cdef double* best = small_best
    cdef Py_ssize_t* back = small_back
    if cells > 512:  # a long garbage token: the grid goes on the heap
        large_best = np.empty(cells)
        large_back = np.empty(cells, dtype=np.intp)
        best, back = &large_best[0], &large_back[0]
    for at in range(cells):
        best[at] = -INFINITY
        back[at] = 0
    cdef list segs = [[obs[j:j + k] for k in range(min(max_segment, m - j) + 1)]
                      for j in range(m + 1)]
    cdef list here_segs
    cdef dict emit
    cdef double[3] missing = [unseen[0], unseen[1], unseen[2]]
    best[0] = 0.0
    for i in range(n):
        emit = row_of(truth[i])
        left = n - i - 1
        for j in range(min(m, max_segment * i) + 1):
            here = best[i * cols + j]
            if here == -INFINITY:
                continue
            here_segs = segs[j]
            width = len(here_segs)
            for k in range(width):
                if m - j - k > max_segment * left:
                    continue
                value = emit.get(here_segs[k])
                score = here + (missing[k] if value is None else <double>value)
                at = (i + 1) * cols + j + k
                if score > best[at]:
                    best[at] = score
                    back[at] = k
    total = best[n * cols + m]
    if total == -INFINITY or not pairs:
        return total, []
    out = []
    j = m
    for i in range(n, 0, -1):
        k = back[i * cols + j]
        out.append((truth[i - 1], obs[j - k:j]))
        j -= k
    out.reverse()
    return total, out
