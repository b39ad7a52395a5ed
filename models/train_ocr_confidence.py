"""Build ``models/ocr_confidence.json``: how often a word Tesseract ``vie`` read is wrong, by
the confidence Tesseract gave it.

The OCR channel (``train_channel.py``) says how likely each misreading is on average; a
word's own Tesseract confidence says more: on the rendered pages a word read at 0.95 or more
is wrong a few times in a hundred, one read below 0.5 most of the time. The decoder turns
the table into a shift of the odds of every reading other than the word as read
(``extract.repair.ocrconf``).

The pages are the calibration's held-out pages (``models/data/calibration/pages.jsonl.gz``:
text neither the language model nor the channel saw, never the samples or the seeds),
rendered again in their fonts, sizes and scan qualities and read by the pipeline's own OCR
(``extract.ocr.ocr_image``: deskew, the second reading of doubtful numbers), so that the
confidences are the ones ``cli.py extract`` meets. Each OCR word is labelled right or wrong
by a minimum-edit alignment of its syllables with the true words.
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

from train_channel import BOLD_SHARE, _init_worker, scan  # noqa: E402

from extract.bench.confidence import read_pages, syllable_key, wrong_positions  # noqa: E402
from extract.repair.ocrconf import BINS, OCR_CONFIDENCE_FILE, OcrConfidence  # noqa: E402


def _read_page(page: dict) -> list[tuple[float, bool]]:
    """(Tesseract confidence, read right) of every word of one re-rendered page."""
    from extract.ocr import ocr_image
    from extract.synth import render_page

    index, lines = int(page["page"]), page["truth"]
    rng = random.Random(index)
    bold = {i for i in range(len(lines)) if rng.random() < BOLD_SHARE}
    image = scan(render_page(lines, font=page["font"], size_pt=int(page["size"]),
                             bold_lines=bold), page["quality"], index)
    words = [w for line in ocr_image(image, "vie").page.lines for w in line.words
             if syllable_key(w.text)]
    wrong = wrong_positions([w for line in lines for w in line.split()],
                            [w.text for w in words])
    return [(w.confidence, k not in wrong) for k, w in enumerate(words)]


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python models/train_ocr_confidence.py [--jobs N]``."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args(argv)
    pages = read_pages()
    counts = [[0, 0] for _ in range(BINS)]  # [words, wrong] per confidence bin
    with ProcessPoolExecutor(args.jobs, initializer=_init_worker) as pool:
        for done, words in enumerate(pool.map(_read_page, pages), 1):
            for confidence, right in words:
                cell = counts[min(int(confidence * BINS), BINS - 1)]
                cell[0] += 1
                cell[1] += not right
            print(f"\rocr confidence: page {done}/{len(pages)}", end="", file=sys.stderr)
    print(file=sys.stderr)
    table = OcrConfidence.fitted(counts)
    OCR_CONFIDENCE_FILE.write_text(table.to_json(), encoding="utf-8")
    for b, (n, wrong) in enumerate(counts):
        print(f"{b / BINS:.2f}–{(b + 1) / BINS:.2f}: {n:6d} words, {wrong:5d} wrong, "
              f"shift {table.shifts[b]:+.2f}", file=sys.stderr)
    print(f"ocr confidence → {OCR_CONFIDENCE_FILE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
