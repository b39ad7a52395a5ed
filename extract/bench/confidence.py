"""How far repair's word confidences can be trusted: reliability by confidence decile,
expected calibration error, and what the doubtful flag (``repair.FLAG_BELOW``) catches.

The words are those of held-out pages (``models/data/calibration/pages.jsonl.gz``: text that
no model was trained on, rendered and read by the real Tesseract ``eng`` and ``vie``, plus
the same text with its diacritics stripped). Each page is repaired as a document and its
words aligned to the truth; a word is right when its syllables, lower-cased, are the true
ones. Even pages fit the calibration (``models/train_calibration.py``), odd pages measure it.
"""
from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from extract.metrics import syllable_accuracy, syllables
from extract.repair import FLAG_BELOW, decode_pages, document_kind, text_pages
from extract.repair.calibration import Evidence
from extract.repair.decode import Choice, Decoder
from extract.repair.lexicon import canonical
from extract.text import strip_diacritics

PAGES_FILE = Path(__file__).resolve().parents[2] / "models" / "data" / "calibration" / \
    "pages.jsonl.gz"
KINDS = ("eng", "stripped", "vie")


@dataclass(frozen=True)
class ScoredWord:
    """One repaired word of a held-out page: what calibration and its measures need."""

    kind: str
    page: int
    evidence: Evidence
    confidence: float
    right: bool
    text: str  # the word as repaired


def read_pages(path: Path = PAGES_FILE) -> list[dict]:
    """The held-out pages: ``page``, ``truth`` lines and the ``eng`` and ``vie`` OCR lines."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(row) for row in fh]


def syllable_key(word: str) -> str:
    """What a word must match to be right: its syllables, lower case, tones placed one way
    ("hoá" and "hóa" are the same syllable)."""
    return " ".join(canonical(s) for s in syllables(word.lower()))


def page_input(page: dict, kind: str) -> list[str]:
    """The text repair gets for a page: its OCR lines, or the truth stripped of marks."""
    if kind == "stripped":
        return [strip_diacritics(line) for line in page["truth"]]
    return page[kind]


def wrong_positions(truth: list[str], read: list[str]) -> set[int]:
    """The positions in ``read`` of the words that are wrong against the words ``truth``, by
    a minimum-edit alignment of their syllables (words of punctuation alone: none in
    ``read``, left out of ``truth``)."""
    keys = [syllable_key(w) for w in truth]
    return {op.dest_pos for op in Levenshtein.editops([k for k in keys if k],
                                                      [syllable_key(w) for w in read])
            if op.tag in ("replace", "insert")}


def _labelled(kind: str, page: int, read: list[Choice], truth: list[str]) -> list[ScoredWord]:
    """The repaired words ``read`` (punctuation alone left out) labelled against the true
    words (``wrong_positions``)."""
    read = [c for c in read if syllable_key(c.text)]
    wrong = wrong_positions(truth, [c.text for c in read])
    return [ScoredWord(kind, page, c.evidence, c.confidence, j not in wrong, c.text)
            for j, c in enumerate(read)]


def words_of(pages: list[dict], kind: str, decoder: Decoder | None = None) -> list[ScoredWord]:
    """Every repaired word of ``pages`` read as ``kind``, labelled right or wrong."""
    out = []
    for page in pages:
        lines = text_pages("\n".join(page_input(page, kind)))[0].lines
        decoded = decode_pages([lines], kind, decoder=decoder)[0]
        out += _labelled(kind, page["page"], [c for choices in decoded for c in choices],
                         [w for line in page["truth"] for w in line.split()])
    return out


def seed_words(text: str, gold: list[tuple[int, str]]) -> list[ScoredWord]:
    """The repaired words of the gold lines of a real archive text (repaired whole, as the
    ``repair`` command does), labelled line by line against the gold text."""
    pages = text_pages(text.replace("\f", "\n"))  # one page: lines as the file numbers them
    kind = document_kind(pages)
    decoded = [line for page in decode_pages([p.lines for p in pages], kind) for line in page]
    return [w for i, truth in gold if i < len(decoded)
            for w in _labelled(kind, 0, decoded[i], truth.split())]


def _deciles(words: list[ScoredWord]) -> list[tuple[int, int, float, float]]:
    """(decile, words, mean confidence, share right) of each non-empty confidence decile."""
    out = []
    for b in range(10):
        inside = [w for w in words if min(int(w.confidence * 10), 9) == b]
        if inside:
            out.append((b, len(inside), sum(w.confidence for w in inside) / len(inside),
                        sum(w.right for w in inside) / len(inside)))
    return out


def measures(words: list[ScoredWord], flag: float = FLAG_BELOW) -> dict[str, float]:
    """Accuracy, expected calibration error (10 equal-width bins), and a doubtful flag's
    (confidence < ``flag``) share of wrong words caught and of all words flagged."""
    n = len(words) or 1
    wrong = [w for w in words if not w.right]
    return {"words": len(words), "accuracy": 1 - len(wrong) / n,
            "ece": sum(k / n * abs(mean - right) for _, k, mean, right in _deciles(words)),
            "caught": sum(w.confidence < flag for w in wrong) / (len(wrong) or 1),
            "flagged": sum(w.confidence < flag for w in words) / n,
            "sure_wrong": sum(w.confidence >= 0.9 for w in wrong)}


def reliability(words: list[ScoredWord], title: str) -> str:
    """A reliability table by confidence decile, and the summary measures (the flag at
    ``FLAG_BELOW``, and at 0.5 for comparison)."""
    rows = [title, f"{'confidence':<12}{'words':>8}{'mean conf':>11}{'right':>9}"]
    rows += [f"{b / 10:.1f}–{(b + 1) / 10:.1f}{k:>10}{mean:>11.3f}{right:>9.3f}"
             for b, k, mean, right in _deciles(words)]
    m, half = measures(words), measures(words, 0.5)
    rows.append(f"ECE {m['ece']:.3f}; flag < {FLAG_BELOW} catches {m['caught'] * 100:.1f} % of "
                f"{sum(not w.right for w in words)} wrong words, flags {m['flagged'] * 100:.1f} "
                f"% of {m['words']} (< 0.5: {half['caught'] * 100:.1f} %, "
                f"{half['flagged'] * 100:.1f} %); {m['sure_wrong']} wrong words at ≥ 0.9")
    return "\n".join(rows)


def accuracy(pages: list[dict], kind: str, words: list[ScoredWord]) -> str:
    """Syllable accuracy of the held-out ``pages`` as ``kind`` input, before and after
    repair (``words``: their repaired words), pooled over the pages."""
    truth = "\n".join(line for page in pages for line in page["truth"])
    raw = "\n".join(line for page in pages for line in page_input(page, kind))
    repaired = " ".join(w.text for w in words)
    return (f"syllable accuracy {100 * syllable_accuracy(truth, raw):.2f} % as input, "
            f"{100 * syllable_accuracy(truth, repaired):.2f} % repaired")


def run(seed: tuple[str, list[tuple[int, str]]] | None = None) -> str:
    """The reliability tables of every kind on the measuring (odd) pages, with their
    accuracy before and after repair (text that is neither the samples nor the seeds), and
    of a real archive text (``seed``: its text and gold lines) where one is given."""
    pages = [p for p in read_pages() if p["page"] % 2 == 1]
    blocks = []
    for kind in KINDS:
        words = words_of(pages, kind)
        blocks.append(reliability(words, f"Confidence — {kind}, {len(pages)} held-out pages; "
                                         + accuracy(pages, kind, words)))
    if seed is not None:
        blocks.append(reliability(seed_words(*seed),
                                  "Confidence — real archive OCR, seed 000 (measured only)"))
    return "\n\n".join(blocks)
