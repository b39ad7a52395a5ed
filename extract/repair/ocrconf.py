"""What Tesseract's own word confidence says about a ``vie`` OCR word, for the decoder.

The OCR channel gives each misreading its average probability over all the words it was
learned from; a word Tesseract read at 0.97 is wrong far less often than that average, one
it read at 0.4 far more. Bayes' rule turns the difference into a shift of the odds of
every reading other than the word as read: log-odds of "wrong" in the word's confidence
bin less those of the common, confident word, learned on held-out rendered pages read by the
pipeline's own OCR (``models/train_ocr_confidence.py``). Text without OCR confidences
(a text file, a PDF's text layer, an English-model archive) is decoded as before.
"""
from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

from extract.errors import read_model

OCR_CONFIDENCE_FILE = Path(__file__).resolve().parents[2] / "models" / "ocr_confidence.json"
BINS = 20  # confidence bins of equal width


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


@dataclass(frozen=True)
class OcrConfidence:
    """Per confidence bin, the nats added to the channel score of every reading of a word
    that is not the word as read."""

    shifts: tuple[float, ...]

    def shift(self, confidence: float) -> float:
        """The shift for a word read at ``confidence`` (0–1)."""
        return self.shifts[min(max(int(confidence * BINS), 0), BINS - 1)]

    @classmethod
    def fitted(cls, counts: list[list[int]]) -> "OcrConfidence":
        """From [words, wrong] per bin: each bin's share of wrong words (Laplace-smoothed,
        so that a thin bin stays near the rest) against the share in the bin holding most
        words. Nearly every word is read at 0.9 or more, so the channel's average is that
        bin's; and a confident word is left as the channel has it, not made surer, since
        the tone swaps of a worn scan are read confidently ("tính" for tỉnh at 0.96): on
        the samples' office scans a shift below zero there cost more than it saved."""
        common = max(counts, key=lambda c: c[0])
        base = _logit((common[1] + 1) / (common[0] + 2))
        return cls(tuple(round(_logit((w + 1) / (n + 2)) - base, 3) for n, w in counts))

    def to_json(self) -> str:
        """The file form (byte-for-byte reproducible)."""
        return json.dumps({"bins": BINS, "shifts": list(self.shifts)}, indent=1) + "\n"

    @classmethod
    def read(cls, path: Path) -> "OcrConfidence":
        data = json.loads(path.read_text(encoding="utf-8"))
        shifts = tuple(float(x) for x in data["shifts"])
        if data["bins"] != BINS or len(shifts) != BINS:
            raise ValueError(f"{len(shifts)} shifts, not {BINS}")
        return cls(shifts)


@functools.cache
def load() -> OcrConfidence:
    """The table in ``models/``, loaded once per process."""
    return read_model(OCR_CONFIDENCE_FILE, "the OCR confidence table", OcrConfidence.read)
