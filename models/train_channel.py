"""Build ``models/channel.json.gz``: the OCR channel learned from real Tesseract output.

Real Vietnamese text (``models/corpus.py``: law codes, news, domain phrases; never the
samples or seeds) is laid out as A4 pages of ~40 lines, rendered with ``extract/synth.py``
in several fonts, sizes and scan qualities, and OCR'd with Tesseract ``eng`` and ``vie``.
OCR words are aligned to the true syllables (character alignment of the folded page texts,
then one-to-one token pairs), and for each kind the script learns whole-token pairs and,
by two rounds of hard EM, character edits (true char → observed 0–2 chars). Every tenth
page is held out: its line pairs go to ``models/data/pairs/<kind>.jsonl.gz`` for tuning
and for the recall figures (``--evaluate``). OCR output is cached in ``build/channel/`` so
that re-learning does not re-run Tesseract.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import os
import random
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "models"))

import corpus  # noqa: E402
import regex  # noqa: E402
from rapidfuzz.distance import Levenshtein  # noqa: E402

from extract.repair.channel import (CHANNEL_FILE, MAX_SEGMENT, ChannelModel,  # noqa: E402
                                    KindModel, align, heuristic_row)
from extract.repair.lexicon import Lexicon, canonical, skeleton, toneless  # noqa: E402
from extract.text import fold  # noqa: E402
from train_lexicon import gzip_writer  # noqa: E402

OCR_KINDS = ("eng", "vie")
FONTS = ("Liberation Serif", "DejaVu Serif", "Noto Serif", "Liberation Sans", "DejaVu Sans",
         "Tinos", "TeX Gyre Termes")  # the last two: the Times faces offices print in
SIZES = (12, 13, 14)
# synth's scan qualities, plus "inkspread": a thick-ink photocopy (blur, then black and
# white), where marks merge into their letters as in old archive scans ("ữ" → "¥"), and
# "lowres": a soft 150 dpi gray scan, where small letters and marks get lost; "office" is
# synth's tired office scanner (toner spread and dropout: "tỉnh" read "tính").
QUALITIES = ("clean300", "bw200", "jpeg", "blur", "inkspread", "lowres", "office")
LOWRES_DPI = 150
LINES_PER_PAGE = 40
DEV_EVERY = 10  # one page in DEV_EVERY is held out (see is_dev)
TEXT_SOURCES = ("law", "news", "domain", "domain")  # domain phrases twice: few but on genre
UPPER_SHARE = 0.08  # share of lines set in capitals (headings)
BOLD_SHARE = 0.08
EM_ROUNDS = 2
SMOOTHING = 2.0  # pseudo-count given to the backed-off distribution (see smoothed_edits)
MIN_EDIT_PROB = 2e-4
KNOWN_MIN = 3  # observed tokens seen this often get their candidates computed at build time
CACHE_DIR = ROOT / "build" / "channel"
PAIRS_DIR = ROOT / "models" / "data" / "pairs"
_EDGE = regex.compile(r"^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$")
_DETOKENIZE = (regex.compile(r" ([,.;:!?)\]”%])"), regex.compile(r"([(\[“]) "))


def _detokenize(line: str) -> str:
    """Undo the word tokenisation of the news sentences ("quyền , mà" → "quyền, mà")."""
    line = _DETOKENIZE[0].sub(r"\1", line)
    return _DETOKENIZE[1].sub(r"\1", line).replace("_", " ")


def page_texts(pages: int, seed: int = 0, pool: list[str] | None = None) -> list[list[str]]:
    """``pages`` pages of corpus lines (``pool``: by default the channel's sources) wrapped
    to the text width of each page's font."""
    from PIL import ImageFont

    from extract.synth import A4_INCHES, MARGIN_CM, font_file

    if pool is None:
        pool = [_detokenize(s) for src in TEXT_SOURCES for s in corpus.sentences(src)]
    pool = list(pool)
    rng = random.Random(seed)
    rng.shuffle(pool)
    sentences = iter(pool)
    width_pt = (A4_INCHES[0] - 2 * MARGIN_CM / 2.54) * 72 * 0.97
    out: list[list[str]] = []
    for index in range(pages):
        font, size, _ = page_setup(index)
        face = ImageFont.truetype(font_file(font), size * 10)  # 10 px per pt: fine enough
        lines: list[str] = []
        while len(lines) < LINES_PER_PAGE:
            current = ""
            for word in next(sentences).split():
                trial = f"{current} {word}".strip()
                if current and face.getlength(trial) > width_pt * 10:
                    lines.append(current)
                    current = word
                else:
                    current = trial
            if current:
                lines.append(current)
        lines = [ln.upper() if rng.random() < UPPER_SHARE else ln
                 for ln in lines[:LINES_PER_PAGE]]
        out.append(lines)
    return out


def page_setup(index: int) -> tuple[str, int, str]:
    """(font, size in pt, scan quality) of page ``index``: every combination in turn."""
    return (FONTS[(index // len(QUALITIES)) % len(FONTS)],
            SIZES[(index // (len(QUALITIES) * len(FONTS))) % len(SIZES)],
            QUALITIES[index % len(QUALITIES)])


def is_dev(index: int) -> bool:
    """Whether page ``index`` is held out: one in ``DEV_EVERY``, rotating through the
    fonts and scan qualities (a fixed residue would hold out one quality only)."""
    return index % DEV_EVERY == (index // DEV_EVERY) % DEV_EVERY


def scan(image, quality: str, seed: int):
    """The rendered page ``image`` as scanned at ``quality`` (see ``QUALITIES``)."""
    import numpy as np
    from PIL import Image, ImageFilter

    from extract.synth import degrade

    if quality not in ("inkspread", "lowres"):
        return degrade(image, quality, seed)
    rng = random.Random(seed)
    dpi = round(image.info.get("dpi", (300, 300))[0])
    if quality == "inkspread":
        pixels = np.asarray(image.filter(ImageFilter.GaussianBlur(rng.uniform(1.3, 2.0))))
        page = Image.fromarray(np.where(pixels < rng.uniform(185, 210), 0, 255)
                               .astype(np.uint8))
    else:
        soft = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.8, 1.2)))
        page = soft.resize((image.width * LOWRES_DPI // dpi, image.height * LOWRES_DPI // dpi),
                           Image.Resampling.BILINEAR)
        dpi = LOWRES_DPI
    page.info["dpi"] = (dpi, dpi)
    return page


def ocr_lines(image, lang: str) -> list[str]:
    """Tesseract's lines for ``image`` (words joined by spaces, in reading order)."""
    import pytesseract

    data = pytesseract.image_to_data(image, lang=lang,
                                     output_type=pytesseract.Output.DICT)
    lines: dict[tuple[int, int, int], list[str]] = {}
    for i, word in enumerate(data["text"]):
        if word and word.strip():
            key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
            lines.setdefault(key, []).append(word.strip())
    return [" ".join(words) for words in lines.values()]


def _ocr_page(job: tuple[int, list[str]]) -> dict:
    """Render, degrade and OCR one page with every OCR model (runs in a worker)."""
    from extract.synth import render_page

    index, lines = job
    font, size, quality = page_setup(index)
    rng = random.Random(index)
    bold = {i for i in range(len(lines)) if rng.random() < BOLD_SHARE}
    image = scan(render_page(lines, font=font, size_pt=size, bold_lines=bold), quality, index)
    return {"page": index, "font": font, "size": size, "quality": quality, "truth": lines,
            **{kind: ocr_lines(image, kind) for kind in OCR_KINDS}}


def _init_worker() -> None:
    """OCR workers run niced, Tesseract on one thread each (the machine is shared)."""
    os.nice(10)
    os.environ["OMP_THREAD_LIMIT"] = "1"


def setup_digest() -> str:
    """Short digest of what the rendered pages depend on: a changed setup gets a new cache."""
    setup = (FONTS, SIZES, QUALITIES, LINES_PER_PAGE, TEXT_SOURCES, UPPER_SHARE, BOLD_SHARE,
             LOWRES_DPI)
    return hashlib.sha256(repr(setup).encode()).hexdigest()[:10]


def run_ocr(pages: int, jobs: int, cache: Path) -> list[dict]:
    """OCR results of ``pages`` rendered pages, from the cache when it already holds them."""
    if cache.exists():
        with gzip.open(cache, "rt", encoding="utf-8") as fh:
            done = [json.loads(row) for row in fh]
        if len(done) >= pages:
            return done[:pages]
    texts = page_texts(pages)
    results: list[dict] = []
    started = time.time()
    with ProcessPoolExecutor(jobs, initializer=_init_worker) as pool:
        for result in pool.map(_ocr_page, enumerate(texts)):
            results.append(result)
            print(f"\rchannel: OCR page {len(results)}/{pages} "
                  f"({time.time() - started:.0f} s)", end="", file=sys.stderr)
    print(file=sys.stderr)
    cache.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(cache, "wt", encoding="utf-8") as fh:
        for result in results:
            fh.write(json.dumps(result, ensure_ascii=False) + "\n")
    return results


def _tokens(text: str) -> list[tuple[int, int, str]]:
    """(start, end, core) of each whitespace token; core has edge punctuation removed."""
    out = []
    for match in regex.finditer(r"\S+", text):
        out.append((match.start(), match.end(), _EDGE.sub("", match.group())))
    return out


def _owner(text: str, spans: list[tuple[int, int, str]]) -> list[int]:
    """Index of the token each character of ``text`` belongs to (-1 for spaces)."""
    owner = [-1] * len(text)
    for index, (start, end, _) in enumerate(spans):
        for pos in range(start, end):
            owner[pos] = index
    return owner


def token_pairs(truth: str, ocr: str) -> list[tuple[str, str]]:
    """One-to-one (true token, OCR token) cores that a character alignment pairs up.

    The folded texts are aligned (so "của"/"ctia" share c…a); a true token pairs with an
    OCR token when all its aligned characters fall in that token and vice versa; splits
    and merges are left out.
    """
    t_spans, o_spans = _tokens(truth), _tokens(ocr)
    t_owner, o_owner = _owner(truth, t_spans), _owner(ocr, o_spans)
    links: dict[int, set[int]] = defaultdict(set)
    back: dict[int, set[int]] = defaultdict(set)
    for op in Levenshtein.opcodes(fold(truth), fold(ocr)):
        if op.tag in ("equal", "replace") and op.src_end - op.src_start == \
                op.dest_end - op.dest_start:
            for a, b in zip(range(op.src_start, op.src_end), range(op.dest_start, op.dest_end)):
                ta, ob = t_owner[a], o_owner[b]
                if ta >= 0 and ob >= 0:
                    links[ta].add(ob)
                    back[ob].add(ta)
    pairs = []
    for ta, obs in links.items():
        if len(obs) == 1:
            ob = next(iter(obs))
            if back[ob] == {ta} and t_spans[ta][2] and o_spans[ob][2]:
                pairs.append((t_spans[ta][2], o_spans[ob][2]))
    return pairs


def line_pairs(result: dict, kind: str) -> list[tuple[str, str]]:
    """(true line, OCR line) of a page: each OCR line goes to the true line most of it aligns to."""
    truth_lines, ocr = result["truth"], result[kind]
    t_text, o_text = "\n".join(truth_lines), "\n".join(ocr)
    t_line = [i for i, ln in enumerate(truth_lines) for _ in range(len(ln) + 1)]
    o_line = [i for i, ln in enumerate(ocr) for _ in range(len(ln) + 1)]
    votes: list[Counter] = [Counter() for _ in ocr]
    for op in Levenshtein.opcodes(fold(t_text), fold(o_text)):
        if op.tag == "equal":
            for a, b in zip(range(op.src_start, op.src_end), range(op.dest_start, op.dest_end)):
                votes[o_line[b]][t_line[a]] += 1
    grouped: dict[int, list[str]] = defaultdict(list)
    for index, vote in enumerate(votes):
        if vote:
            grouped[vote.most_common(1)[0][0]].append(ocr[index])
    return [(ln, " ".join(grouped.get(i, []))) for i, ln in enumerate(truth_lines)]


def syllable_pairs(pairs: list[tuple[str, str]], lexicon: Lexicon) -> list[tuple[str, str]]:
    """Lowercase (true syllable, observed token) pairs whose truth is a lexicon syllable."""
    out = []
    for truth_line, ocr_line in pairs:
        for truth, obs in token_pairs(truth_line, ocr_line):
            syl = canonical(truth.lower())
            if syl in lexicon:
                out.append((syl, canonical(obs.lower())))
    return out


def smoothed_edits(counts: dict[str, Counter], alphabet: set[str]) -> dict[str, dict[str, float]]:
    """log P(segment | char) for every char of ``alphabet``, backed off hierarchically.

    A char's counts are smoothed towards those of its tone family (all of ậ ấ ầ ẩ ẫ â),
    and the family's towards all chars of the bare letter (a ă â and their tones): an
    edit seen for "ấ" also lends some mass to the rarer "ẫ". Edits less likely than
    ``MIN_EDIT_PROB`` are left out (the model's unseen floor covers them).
    """
    def pooled(key) -> dict[str, Counter]:
        out: dict[str, Counter] = defaultdict(Counter)
        for ch, row in counts.items():
            out[key(ch)].update(row)
        return out

    def mix(row: Counter, prior: dict[str, float]) -> dict[str, float]:
        total = sum(row.values()) + SMOOTHING
        return {seg: (row.get(seg, 0) + SMOOTHING * prior.get(seg, 0.0)) / total
                for seg in sorted(set(row) | set(prior))}

    bare_pool, family_pool = pooled(skeleton), pooled(toneless)
    bare_p = {key: mix(row, {}) for key, row in bare_pool.items()}
    family_p = {key: mix(row, bare_p.get(skeleton(key), {})) for key, row in family_pool.items()}
    edits = {}
    for ch in sorted(alphabet):
        prior = family_p.get(toneless(ch)) or bare_p.get(skeleton(ch), {})
        probs = mix(counts.get(ch, Counter()), prior)
        row = {seg: round(math.log(p), 3) for seg, p in probs.items() if p >= MIN_EDIT_PROB}
        if row:
            edits[ch] = row
    return edits


def learn(pairs: list[tuple[str, str]]) -> KindModel:
    """Whole-token counts and EM-estimated character edits from (truth, observed) pairs."""
    pair_counts = Counter(pairs)
    tokens: dict[str, dict[str, int]] = defaultdict(dict)
    truth_counts: Counter[str] = Counter()
    for (syl, obs), n in pair_counts.items():
        tokens[obs][syl] = n
        truth_counts[syl] += n
    scorer = heuristic_row
    alphabet = {ch for syl in truth_counts for ch in syl} | {
        ch for syl in Lexicon.load().freq for ch in syl}
    model = KindModel({}, dict(tokens), dict(truth_counts))
    for _ in range(EM_ROUNDS):
        edit_counts: dict[str, Counter] = defaultdict(Counter)
        for (syl, obs), n in pair_counts.items():
            if len(obs) > MAX_SEGMENT * len(syl):
                continue
            score, segs = align(syl, obs, scorer)
            if score == -math.inf:
                continue
            for ch, seg in segs:
                edit_counts[ch][seg] += n
        model = KindModel(smoothed_edits(edit_counts, alphabet), model.tokens,
                          model.truth_counts)
        scorer = model.row
    return model


def write_dev(results: list[dict], kind: str) -> Path:
    """The held-out pages' line pairs of ``kind`` as ``models/data/pairs/<kind>.jsonl.gz``."""
    path = PAIRS_DIR / f"{kind}.jsonl.gz"
    with gzip_writer(path) as fh:
        for result in results:
            for truth, ocr in line_pairs(result, kind):
                fh.write(json.dumps({"truth": truth, "ocr": ocr, "font": result["font"],
                                     "size": result["size"], "quality": result["quality"]},
                                    ensure_ascii=False) + "\n")
    return path


def evaluate(kinds: tuple[str, ...] = OCR_KINDS) -> str:
    """Recall of the built channel on the held-out pairs, and distinct tokens per second.

    top-k: share of paired dev tokens whose true syllable is among the first k candidates;
    +freq top-1: the same when candidates are ranked by channel score plus log unigram
    frequency (a stand-in for the language model); unpaired: share of true syllables the
    OCR split or merged (no one-to-one token, so out of the channel's reach).
    """
    channel, lexicon = ChannelModel.load(), Lexicon.load()
    rows = ["kind  pairs   top1   top5  top20  +freq top1  unpaired  tokens/s"]
    for kind in kinds:
        with gzip.open(PAIRS_DIR / f"{kind}.jsonl.gz", "rt", encoding="utf-8") as fh:
            lines = [json.loads(row) for row in fh]
        pairs = syllable_pairs([(d["truth"], d["ocr"]) for d in lines], lexicon)
        n_truth = sum(1 for d in lines for t in d["truth"].split()
                      if canonical(_EDGE.sub("", t).lower()) in lexicon)
        started = time.process_time()
        found = {obs: channel.candidates(obs, kind) for _, obs in pairs}
        elapsed = time.process_time() - started
        ranks, prior_hits = [], 0
        for syl, obs in pairs:
            names = [s for s, _ in found[obs]]
            ranks.append(names.index(syl) if syl in names else len(names) + 1)
            if names:
                best = max(found[obs], key=lambda c: c[1] + math.log(lexicon.frequency(c[0])))
                prior_hits += best[0] == syl
        share = [sum(1 for r in ranks if r < k) / len(ranks) for k in (1, 5, 20)]
        rows.append(f"{kind:4}  {len(pairs):5}  {share[0]:.3f}  {share[1]:.3f}  {share[2]:.3f}"
                    f"       {prior_hits / len(pairs):.3f}     {1 - len(pairs) / n_truth:.3f}"
                    f"  {len(found) / elapsed:8.0f}")
    return "\n".join(rows)


def build(pages: int, jobs: int, out: Path = CHANNEL_FILE) -> None:
    """OCR (or reuse) the pages, write the dev pairs, learn every kind, write the model."""
    results = run_ocr(pages, jobs, CACHE_DIR / f"ocr-{pages}-{setup_digest()}.jsonl.gz")
    train = [r for r in results if not is_dev(r["page"])]
    dev = [r for r in results if is_dev(r["page"])]
    lexicon = Lexicon.load()
    models = {}
    for kind in OCR_KINDS:
        print(f"channel: dev pairs → {write_dev(dev, kind)}", file=sys.stderr)
        pairs = syllable_pairs([p for r in train for p in line_pairs(r, kind)], lexicon)
        models[kind] = learn(pairs)
        print(f"channel: {kind}: {len(pairs)} syllable pairs, {len(models[kind].tokens)} "
              f"observed tokens, {sum(map(len, models[kind].edits.values()))} char edits",
              file=sys.stderr)
    write_model(models, lexicon, pages, out)


def write_model(models: dict[str, KindModel], lexicon: Lexicon, pages: int, out: Path) -> None:
    """Write the learned ``models`` with the candidate lists of their common tokens, as
    ``ChannelModel.compute`` gives them now."""
    channel = ChannelModel(models, lexicon)
    kinds = {}
    for kind, model in models.items():
        common = [obs for obs, row in model.tokens.items() if sum(row.values()) >= KNOWN_MIN]
        kinds[kind] = {"edits": model.edits, "tokens": model.tokens,
                       "truth_counts": model.truth_counts,
                       "known": {obs: [(syl, round(lp, 3)) for syl, lp in
                                       channel.compute(obs, kind)] for obs in common}}
    with gzip_writer(out) as fh:
        json.dump({"pages": pages, "kinds": kinds}, fh, ensure_ascii=False,
                  separators=(",", ":"))
    ChannelModel.load.cache_clear()
    print(f"channel: → {out}", file=sys.stderr)


def refresh_known(out: Path = CHANNEL_FILE) -> None:
    """Recompute the built model's candidate lists of common tokens (after a change to
    how candidates are proposed or scored), keeping everything learned: the same file a
    full build with the same OCR would write, without rendering or OCR."""
    with gzip.open(out, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    models = {kind: KindModel(d["edits"], d["tokens"], d["truth_counts"])
              for kind, d in data["kinds"].items()}
    write_model(models, Lexicon.load(), data["pages"], out)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python models/train_channel.py [--pages N] [--jobs J] [--evaluate]
    [--refresh-known]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pages", type=int, default=420,
                        help="rendered pages (each OCR'd with eng and vie; 1 in 10 held out)")
    parser.add_argument("--jobs", type=int, default=2, help="OCR worker processes")
    parser.add_argument("--evaluate", action="store_true",
                        help="print candidate recall on the held-out pairs (stdout) "
                             "instead of building")
    parser.add_argument("--refresh-known", action="store_true",
                        help="only recompute the built model's precomputed candidate lists")
    args = parser.parse_args(argv)
    if args.evaluate:
        print(evaluate())
    elif args.refresh_known:
        refresh_known()
    else:
        build(args.pages, args.jobs)
        print(evaluate(), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
