"""Build ``models/calibration.json``: repair's word posteriors mapped to the probability of
being right.

1. Held-out text (``corpus.py``'s held-out documents of the administrative, legal and news
   files and the held-out domain lines: text the language model never saw, never the
   samples or the seeds) is laid out as pages, rendered in the channel's fonts, sizes and
   scan qualities and read by the real Tesseract ``eng`` and ``vie``
   (``train_channel._ocr_page``). The pages are kept in
   ``models/data/calibration/pages.jsonl.gz`` so the bench and a refit need neither the
   corpus nor Tesseract; ``--render`` makes them again.
2. Each page is repaired as a document with raw posteriors, for the three input kinds
   (``eng`` and ``vie`` OCR, and the truth stripped of its marks), and its words labelled
   right or wrong against the truth (``extract.bench.confidence``).
3. On the even pages, a logistic regression per kind maps the decoder's evidence (the
   posterior, and the signs of a reading no candidate covered: ``calibration.Evidence``)
   to the probability of being right (scikit-learn's ``LogisticRegression``); the odd
   pages measure the result (``cli.py bench --only repair`` prints the same tables).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "models"))

import corpus  # noqa: E402
from train_channel import _detokenize, _init_worker, _ocr_page, page_texts  # noqa: E402
from train_lexicon import gzip_writer  # noqa: E402

from extract.bench.confidence import KINDS, PAGES_FILE, ScoredWord, read_pages, reliability, \
    words_of  # noqa: E402
from extract.repair import lm  # noqa: E402
from extract.repair.calibration import CALIBRATION_FILE, IDENTITY, Calibration  # noqa: E402
from extract.repair.channel import ChannelModel  # noqa: E402
from extract.repair.decode import Decoder  # noqa: E402
from extract.repair.lexicon import Lexicon  # noqa: E402

PAGES = 48
TEXT = ("admin_reports", "legal_phapluat8", "legal_vlc2023", "news_vntc")
PER_SOURCE = 400  # held-out lines taken from each corpus file
SEED = 2024


def held_out_text(corpus_dir: Path) -> list[str]:
    """Lines of held-out text from each source, in a fixed order."""
    pool = list(corpus.domain_lines(held_out=True))
    for stem in TEXT:
        lines = [ln for ln in corpus.corpus_documents(stem, corpus_dir, held_out=True)
                 if 30 <= len(ln) <= 600]
        random.Random(SEED).shuffle(lines)
        pool += lines[:PER_SOURCE]
    return [_detokenize(line) for line in pool]


def render(corpus_dir: Path, jobs: int) -> None:
    """Step 1: lay out, render and OCR the held-out pages into ``PAGES_FILE``."""
    texts = page_texts(PAGES, seed=SEED, pool=held_out_text(corpus_dir))
    PAGES_FILE.parent.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(jobs, initializer=_init_worker) as pool, \
            gzip_writer(PAGES_FILE) as fh:
        for done, result in enumerate(pool.map(_ocr_page, enumerate(texts)), 1):
            fh.write(json.dumps({k: result[k] for k in ("page", "font", "size", "quality",
                                                         "truth", "eng", "vie")},
                                ensure_ascii=False) + "\n")
            print(f"\rcalibration: page {done}/{PAGES}", end="", file=sys.stderr)
    print(file=sys.stderr)


def fit(words: list[ScoredWord]) -> Calibration:
    """Step 3: a logistic model per kind (scikit-learn, lightly regularised)."""
    from sklearn.linear_model import LogisticRegression

    models = {}
    for kind in KINDS:
        inside = [w for w in words if w.kind == kind]
        labels = [int(w.right) for w in inside]
        if len(set(labels)) < 2:
            continue
        fitted = LogisticRegression(C=1.0, max_iter=1000).fit(
            [w.evidence.vector() for w in inside], labels)
        models[kind] = (float(fitted.intercept_[0]),
                        tuple(float(x) for x in fitted.coef_[0]))
    return Calibration(models)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python models/train_calibration.py [--render] [--corpus DIR]``."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--render", action="store_true",
                    help="render and OCR the held-out pages again (needs the corpus)")
    ap.add_argument("--corpus", type=Path, default=corpus.CORPUS_DIR)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args(argv)
    if args.render or not PAGES_FILE.exists():
        render(args.corpus, args.jobs)
    pages = read_pages()
    models = (lm.load(), Lexicon.load(), ChannelModel.load())
    raw = Decoder(*models, calibration=IDENTITY)
    fitting = [p for p in pages if p["page"] % 2 == 0]
    words = [w for kind in KINDS for w in words_of(fitting, kind, raw)]
    calibration = fit(words)
    CALIBRATION_FILE.write_text(calibration.to_json(), encoding="utf-8")
    print(f"calibration: {len(words)} words fitted → {CALIBRATION_FILE}", file=sys.stderr)
    measuring = [p for p in pages if p["page"] % 2 == 1]
    fitted = Decoder(*models, calibration=calibration)
    for kind in KINDS:
        print(reliability(words_of(measuring, kind, raw), f"{kind}, raw posteriors"),
              file=sys.stderr)
        print(reliability(words_of(measuring, kind, fitted), f"{kind}, calibrated"),
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
