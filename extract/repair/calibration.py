"""Word confidences that mean what they say: the probability that a repaired word is right.

The decoder's posterior of a word against its alternatives is a score, not a probability:
it trusts the channel and the LM as if they were exact, and it cannot doubt a reading when
no candidate covered the truth, which is where most confident errors come from (a garbled
token kept as written, a digit standing for a letter, a reading far from what the OCR
shows). So a word's confidence is a logistic model over the decoder's ``Evidence`` (the
posterior and those signs), one per input kind, fitted by ``models/train_calibration.py`` on
text held out from every model, rendered and read by the real Tesseract.
"""
from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from extract.errors import read_model

CALIBRATION_FILE = Path(__file__).resolve().parents[2] / "models" / "calibration.json"
FEATURES = ("logit", "changed", "kept_unknown", "digit_mix", "channel_gap")


class Evidence(NamedTuple):
    """What the decoder knows about its reading of one word (a named tuple: one is made
    for every word repaired)."""

    posterior: float  # lowest posterior of the chosen reading among the word's pieces
    changed: bool  # repair wrote something else than the input
    kept_unknown: bool  # a piece kept as written that is no Vietnamese syllable
    digit_mix: bool  # the input word mixes letters and digits ("16p", "v6")
    channel_gap: float  # nats the chosen reading's channel score lies below the best one

    def vector(self) -> tuple[float, ...]:
        """The features, in ``FEATURES`` order."""
        p = min(max(self.posterior, 1e-4), 1 - 1e-4)
        return (math.log(p / (1 - p)), float(self.changed), float(self.kept_unknown),
                float(self.digit_mix), max(self.channel_gap, -20.0))


@dataclass(frozen=True)
class Calibration:
    """Per input kind, the logistic model's intercept and weights (``FEATURES`` order)."""

    models: dict[str, tuple[float, tuple[float, ...]]]

    def __call__(self, kind: str, evidence: Evidence) -> float:
        """The probability that the word is right (the raw posterior for a kind the file
        has no model for)."""
        found = self.models.get(kind)
        if found is None:
            return evidence.posterior
        bias, (a, b, c, d, e) = found
        logit, changed, kept, mixed, gap = evidence.vector()
        z = bias + a * logit + b * changed + c * kept + d * mixed + e * gap
        return 1.0 / (1.0 + math.exp(-z)) if z > -50 else 0.0

    def to_json(self) -> str:
        """The file form: sorted keys, values rounded (byte-for-byte reproducible)."""
        return json.dumps({"features": list(FEATURES),
                           "kinds": {k: {"intercept": round(b, 5),
                                         "weights": [round(w, 5) for w in ws]}
                                     for k, (b, ws) in sorted(self.models.items())}},
                          indent=1, sort_keys=True) + "\n"

    @classmethod
    def read(cls, path: Path) -> "Calibration":
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["features"] != list(FEATURES):
            raise ValueError(f"features {data['features']} are not {list(FEATURES)}")
        return cls({k: (float(m["intercept"]), tuple(float(w) for w in m["weights"]))
                    for k, m in data["kinds"].items()})


IDENTITY = Calibration({})  # raw posteriors, for fitting


@functools.cache
def load() -> Calibration:
    """The calibration in ``models/``, loaded once per process."""
    return read_model(CALIBRATION_FILE, "the confidence calibration", Calibration.read)
