"""Train the syllable 4-gram language model (``models/lm.lz4``) with KenLM.

1. Every source of ``models/corpus.py`` the LM learns from (the large corpus of
   ``../shared/corpus``, the genre lines of ``models/domain.txt``, the word lists and place
   names) is cut into LM tokens (``lm.lm_tokens``: lower case, one tone placement, numbers
   as ``<num>``), training and held-out text apart, in two processes.
2. Words seen fewer than ``MIN_COUNT`` times (and not in the syllable lexicon or a trusted
   source) become one rare-word token, the model's ``<unk>``.
3. KenLM's ``lmplz`` estimates an interpolated modified Kneser-Ney model of order ``ORDER``
   from the sources, each repeated ``weight`` times: the genre's few lines count more than
   the news and encyclopedia. The weights are chosen by perplexity on the held-out genre
   text (``--choose``; held-out admin prose and domain lines, never samples or seeds).
4. The ARPA output becomes the compiled search's tables (``kernels.NgramLm``) with the
   capital-after-word figures counted in step 1, written byte for byte reproducibly.

KenLM's tools are built from the PyPI sdist of ``kenlm`` on first use (``build/kenlm``;
needs CMake and Boost's dev packages: ``bash setup.sh --train``). Why KenLM for estimation
and our own tables for the search: ``lmplz`` counts 65 M tokens on disk in minutes (a Python
counter would need tens of GB), while the search probes the model hundreds of times per
line from compiled code, where a call through the ``kenlm`` Python module per probe would
cost more than the whole search does now.
"""
from __future__ import annotations

import argparse
import math
import os
import pickle
import shutil
import subprocess
import sys
import tarfile
import time
from collections import Counter
from multiprocessing import Pool
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extract.repair.kernels import NODE_DTYPE, IntTable, NgramLm, hash_slots  # noqa: E402
from extract.repair.lexicon import Lexicon, canonical  # noqa: E402
from extract.repair.lm import (CASE_LOWER, MODEL_PATH, SHIFT, UNK,  # noqa: E402
                               LanguageModel, key2, lm_token, pieces)
from extract.text import nfc  # noqa: E402

sys.path.insert(0, str(ROOT / "models"))
import corpus  # noqa: E402

ORDER = 4
PRUNE = (0, 2, 3, 4)  # lmplz --prune: drop bigrams seen twice or less, trigrams 3, 4-grams 4
MIN_COUNT = 3  # a word seen less often than this (and not trusted) is a rare word
RARE = "<rare>"  # the rare-word token in lmplz's input (<unk> is reserved by KenLM)
BUILD = ROOT / "build" / "lm"
KENLM_VERSION = "0.3.0"
TRUSTED = ("domain", "words", "places")  # every word of these is kept
# How many times each source's text counts (step 3). Chosen with --choose (SOURCES.md).
WEIGHTS = {"legal_phapluat8": 2, "legal_vlc2023": 2, "legal_vlc2021_extra": 2,
           "admin_reports": 10, "news_vntc": 1, "wiki_vi": 1, "domain": 30, "words": 1,
           "places": 1}
CANDIDATES = (  # weightings --choose compares: (legal, admin, domain)
    (1, 5, 20), (2, 10, 30), (4, 20, 60))
# Capital-after-word figures: kept when the pair was seen this often (weighted) and differs
# from the word's own figure by this many nats; smoothed towards it by this pseudo-count.
CASE_MIN_COUNT = 10
CASE_MIN_DIFFERENCE = 0.5
CASE_PRIOR = 2.0
PARTS = 2  # tokenising processes per source


def _lines(source: str, corpus_dir: Path, held_out: bool):
    """The lines of one LM source, training or held-out part."""
    if source in corpus.CORPUS_FILES:
        return corpus.corpus_documents(source, corpus_dir, held_out)
    if source == "domain":
        return corpus.domain_lines(held_out)
    return iter(()) if held_out else corpus.sentences(source)


def _tokenize(job: tuple[str, int, str, bool]) -> tuple[str, bool, Counter, Counter, Counter]:
    """One process's share of a source: LM tokens written one line a line, and counts of
    words, of words inside sentences (by previous token) and of those written Title-case."""
    source, part, corpus_dir, held_out = job
    freq: Counter = Counter()
    cased: Counter = Counter()
    capital: Counter = Counter()
    out = BUILD / f"{source}.{'held' if held_out else 'train'}.{part}.tok"
    with out.open("w", encoding="utf-8") as fh:
        for i, line in enumerate(_lines(source, Path(corpus_dir), held_out)):
            if i % PARTS != part:
                continue
            toks = []
            previous = "."
            for piece in pieces(nfc(line)):
                tok = lm_token(canonical(piece))
                if (source != "words" and piece[0].isalpha()
                        and previous not in ".:;!?\"“(" and not piece.isupper()):
                    pair = (lm_token(canonical(previous)), tok)
                    cased[pair] += 1
                    if piece[0].isupper():
                        capital[pair] += 1
                toks.append(tok)
                previous = piece
            if toks:
                freq.update(toks)
                fh.write(" ".join(toks) + "\n")
    return source, held_out, freq, cased, capital


def tokenize_all(corpus_dir: Path) -> tuple[dict[str, Counter], Counter, Counter]:
    """Step 1 for every source: per-source word counts (training part) and the case counts."""
    missing = [s for s in corpus.CORPUS_FILES if not (corpus_dir / f"{s}.txt.xz").exists()]
    if missing:
        raise SystemExit(f"error: {corpus_dir}: corpus file(s) not found: "
                         f"{', '.join(f'{s}.txt.xz' for s in missing)} (use --corpus DIR)")
    BUILD.mkdir(parents=True, exist_ok=True)
    jobs = [(s, p, str(corpus_dir), h) for s in WEIGHTS for h in (False, True)
            for p in range(PARTS)]
    freqs: dict[str, Counter] = {s: Counter() for s in WEIGHTS}
    cased: dict[str, Counter] = {s: Counter() for s in WEIGHTS}
    capital: dict[str, Counter] = {s: Counter() for s in WEIGHTS}
    with Pool(min(PARTS, os.cpu_count() or 1)) as pool:
        for source, held_out, f, c, t in pool.imap_unordered(_tokenize, jobs):
            if not held_out:
                freqs[source].update(f)
                cased[source].update(c)
                capital[source].update(t)
            print(f"train_lm: tokenised {source} ({'held out' if held_out else 'training'})",
                  file=sys.stderr)
    return freqs, cased, capital


def vocabulary(freqs: dict[str, Counter]) -> set[str]:
    """Step 2: the words the model keeps by name."""
    lexicon = Lexicon.load()
    total: Counter = Counter()
    for f in freqs.values():
        total.update(f)
    keep = {t for t, c in total.items() if c >= MIN_COUNT or t in lexicon}
    for source in TRUSTED:
        keep.update(freqs[source])
    return keep


def _mapped(source: str, split: str, keep: set[str]) -> Path:
    """The tokens of a source's split with rare words as ``RARE``, one file."""
    out = BUILD / f"{source}.{split}.txt"
    with out.open("w", encoding="utf-8") as fh:
        for part in range(PARTS):
            with (BUILD / f"{source}.{split}.{part}.tok").open(encoding="utf-8") as src:
                for row in src:
                    fh.write(" ".join(t if t in keep else RARE for t in row.split()) + "\n")
    return out


def kenlm_tool(name: str) -> Path:
    """The path of a KenLM binary (``lmplz``, ``query``), built from the PyPI sdist into
    ``build/kenlm`` when it is not on PATH."""
    found = shutil.which(name)
    if found:
        return Path(found)
    home = ROOT / "build" / "kenlm"
    binary = home / f"kenlm-{KENLM_VERSION}" / "build" / "bin" / name
    if binary.exists():
        return binary
    for tool in ("cmake", "make", "g++"):
        if not shutil.which(tool):
            raise SystemExit(f"error: {tool} is needed to build KenLM: bash setup.sh --train")
    home.mkdir(parents=True, exist_ok=True)
    print(f"train_lm: building KenLM {KENLM_VERSION} in {home} …", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                    f"kenlm=={KENLM_VERSION}", "-d", str(home)], check=True)
    with tarfile.open(home / f"kenlm-{KENLM_VERSION}.tar.gz") as tar:
        tar.extractall(home, filter="data")
    build = binary.parent.parent
    build.mkdir(exist_ok=True)
    subprocess.run(["cmake", "..", "-DCMAKE_BUILD_TYPE=Release"], cwd=build, check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run(["make", f"-j{os.cpu_count() or 1}", "lmplz", "query"], cwd=build,
                   check=True, stdout=subprocess.DEVNULL)
    return binary


def estimate(weights: dict[str, int], files: dict[str, Path], arpa: Path) -> None:
    """Step 3: ``lmplz`` over the sources, each repeated ``weights[source]`` times."""
    tmp = BUILD / "tmp"
    tmp.mkdir(exist_ok=True)
    cmd = [str(kenlm_tool("lmplz")), "-o", str(ORDER), "--prune", *map(str, PRUNE),
           "-S", "30%", "-T", str(tmp), "--discount_fallback", "--arpa", str(arpa)]
    with subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE) as proc:
        for source, path in files.items():
            for _ in range(weights[source]):
                with path.open("rb") as fh:
                    shutil.copyfileobj(fh, proc.stdin, 1 << 20)
        proc.stdin.close()
        log = proc.stderr.read().decode("utf-8", "replace")
    if proc.returncode:
        raise SystemExit(f"error: lmplz failed:\n{log[-2000:]}")


def read_arpa(arpa: Path) -> tuple[list[str], list[dict[tuple[int, ...], tuple[float, float]]]]:
    """The words and, per order, {ids: (log10 prob, log10 backoff)} of an ARPA file; the
    rare-word token is renamed ``<unk>`` (KenLM's own ``<unk>``, never seen, ``<unseen>``)."""
    grams: list[dict[tuple[int, ...], tuple[float, float]]] = []
    words: list[str] = []
    ids: dict[str, int] = {}
    order = 0
    with arpa.open(encoding="utf-8") as fh:
        for row in fh:
            row = row.rstrip("\n")
            if row.startswith("\\") and row.endswith("-grams:"):
                order = int(row[1:row.index("-")])
                grams.append({})
                continue
            if not order or not row or row.startswith("\\"):
                continue
            parts = row.split("\t")
            toks = parts[1].split(" ")
            if order == 1:
                name = {RARE: UNK, UNK: "<unseen>"}.get(toks[0], toks[0])
                ids[toks[0]] = len(words)
                words.append(name)
            key = tuple(ids[t] for t in toks)
            grams[order - 1][key] = (float(parts[0]),
                                     float(parts[2]) if len(parts) > 2 else 0.0)
    return words, grams


def tables(words: list[str], grams: list[dict[tuple[int, ...], tuple[float, float]]],
           case2: IntTable) -> NgramLm:
    """Step 4: the search's tables of an ARPA model, in a deterministic order (words as the
    ARPA lists them, contexts by order then ids)."""
    vocab = len(words)
    node: dict[tuple[int, ...], int] = {(w,): w for w in range(vocab)}
    uni = np.empty(vocab, dtype=np.float32)
    bows = [0.0] * vocab
    for (w,), (p, b) in grams[0].items():
        uni[w], bows[w] = p, b
    for order in range(2, len(grams)):
        for gram in sorted(grams[order - 1]):
            node[gram] = len(bows)
            bows.append(grams[order - 1][gram][1])

    def longest(gram: tuple[int, ...]) -> int:
        """The node of the longest suffix of ``gram`` that is a context."""
        while gram not in node:
            gram = gram[1:]
        return node[gram]

    back = np.full(len(bows), -1, dtype=np.int32)
    last = np.empty(len(bows), dtype=np.int32)
    last[:vocab] = np.arange(vocab)
    for gram, n in node.items():
        if n >= vocab:
            back[n] = longest(gram[1:])
            last[n] = gram[-1]
    keys, probs, nexts = [], [], []
    for order in range(2, len(grams) + 1):
        for gram in sorted(grams[order - 1]):
            keys.append((node[gram[:-1]] << SHIFT) | gram[-1])
            probs.append(grams[order - 1][gram][0])
            nexts.append(longest(gram[-(len(grams) - 1):]))
    print(f"train_lm: {vocab} words, {len(bows)} states, {len(keys)} n-grams of order ≥ 2",
          file=sys.stderr)
    slots = hash_slots(np.array(keys, dtype=np.int64), np.array(probs, dtype=np.float32),
                       np.array(nexts, dtype=np.int32))
    states = np.empty(len(bows), dtype=NODE_DTYPE)
    states["bow"], states["back"] = bows, back
    return NgramLm(slots, states, uni, last, case2)


def case_figures(words: list[str], cased: dict[str, Counter], capital: dict[str, Counter],
                 weights: dict[str, int]) -> tuple[list[float], IntTable]:
    """log P(capital | word) inside sentences, and where it differs after a given word the
    natural-log difference (``LanguageModel.case2``), from weighted counts."""
    ids = {w: i for i, w in enumerate(words)}
    n1: Counter = Counter()
    c1: Counter = Counter()
    n2: Counter = Counter()
    c2: Counter = Counter()
    for source in cased:
        w = weights[source]
        for pair, n in cased[source].items():
            n1[pair[1]] += w * n
            n2[pair] += w * n
        for pair, n in capital[source].items():
            c1[pair[1]] += w * n
            c2[pair] += w * n
    # smoothed towards 1 in 10 so that a word seen rarely says little
    title = [math.log((c1[w] + 0.2) / (n1[w] + 2.0)) for w in words]
    out: dict[int, float] = {}
    for (before, tok), n in sorted(n2.items()):
        v, w = ids.get(before), ids.get(tok)
        if n < CASE_MIN_COUNT or v is None or w is None:
            continue
        p_word = math.exp(title[w])
        p = (c2[(before, tok)] + CASE_PRIOR * p_word) / (n + CASE_PRIOR)
        up, low = math.log(p) - title[w], math.log1p(-p) - math.log1p(-p_word)
        if max(abs(up), abs(low)) >= CASE_MIN_DIFFERENCE:
            out[key2(v, w)] = up
            out[key2(v, w) + CASE_LOWER] = low
    print(f"train_lm: {len(out) // 2} capital-after-word figures", file=sys.stderr)
    return title, IntTable.of(out)


def perplexity(model: LanguageModel, path: Path) -> tuple[float, int]:
    """Perplexity of ``model`` on a file of token lines (each from the start state), and
    the number of tokens scored."""
    total, n = 0.0, 0
    with path.open(encoding="utf-8") as fh:
        for row in fh:
            toks = [UNK if t == RARE else t for t in row.split()]
            total += model.log10_prob(toks)
            n += len(toks)
    return 10 ** (-total / max(n, 1)), n


def build(weights: dict[str, int], files: dict[str, Path], cased, capital,
          name: str) -> LanguageModel:
    """Steps 3 and 4 for one weighting."""
    arpa = BUILD / f"{name}.arpa"
    start = time.time()
    estimate(weights, files, arpa)
    print(f"train_lm: lmplz {name} in {time.time() - start:.0f} s", file=sys.stderr)
    words, grams = read_arpa(arpa)
    title, case2 = case_figures(words, cased, capital, weights)
    return LanguageModel(ORDER, words, tables(words, grams, case2), title, case2)


def main(argv: list[str] | None = None) -> int:
    """Build ``models/lm.lz4`` (or, with ``--choose``, compare the candidate weightings)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("-o", "--output", type=Path, default=MODEL_PATH)
    ap.add_argument("--corpus", type=Path, default=corpus.CORPUS_DIR,
                    help="folder of the corpus's *.txt.xz files (default: %(default)s)")
    ap.add_argument("--choose", action="store_true",
                    help="print held-out perplexity of each candidate weighting; write nothing")
    ap.add_argument("--reuse", action="store_true", help="reuse step 1's files in build/lm")
    args = ap.parse_args(argv)
    start = time.time()
    counts = BUILD / "counts.pickle"
    if args.reuse and counts.exists():
        with counts.open("rb") as fh:
            freqs, cased, capital = pickle.load(fh)
    else:
        freqs, cased, capital = tokenize_all(args.corpus)
        with counts.open("wb") as fh:
            pickle.dump((freqs, cased, capital), fh)
    keep = vocabulary(freqs)
    files = {s: _mapped(s, "train", keep) for s in WEIGHTS}
    held = {s: _mapped(s, "held", keep) for s in ("admin_reports", "domain", "legal_vlc2023",
                                                  "news_vntc")}
    print(f"train_lm: vocabulary {len(keep)}; tokens ready in {time.time() - start:.0f} s",
          file=sys.stderr)
    weightings = [WEIGHTS]
    if args.choose:
        weightings = []
        for legal, admin, domain in CANDIDATES:
            w = dict(WEIGHTS)
            w.update({s: legal for s in w if s.startswith("legal")}, admin_reports=admin,
                     domain=domain)
            weightings.append(w)
    for i, weights in enumerate(weightings):
        model = build(weights, files, cased, capital, f"lm{i}")
        figures = ", ".join(f"{s} {perplexity(model, p)[0]:.1f}" for s, p in held.items())
        print(f"train_lm: weights {weights}: held-out perplexity {figures}", file=sys.stderr)
    if not args.choose:
        model.save(args.output)
        print(f"train_lm: wrote {args.output} ({args.output.stat().st_size / 1e6:.1f} MB) "
              f"in {time.time() - start:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
