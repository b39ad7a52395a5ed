"""Accuracy measures used by the benchmark and the tests: syllable accuracy and CER.

Syllable accuracy is the share of reference syllables that an alignment of the two syllable
sequences (Levenshtein over whole syllables) finds unchanged in the hypothesis; CER is the
character edit distance over the reference length, whitespace collapsed. Both compare NFC
text, case-sensitively: a wrong case is a wrong syllable.
"""
from __future__ import annotations

import regex
from rapidfuzz.distance import Levenshtein

from extract.text import nfc

_SYLLABLE = regex.compile(r"[\p{L}\p{N}]+")


def syllables(text: str) -> list[str]:
    """The syllable tokens of ``text``: runs of letters and digits, punctuation dropped."""
    return _SYLLABLE.findall(nfc(text))


def syllable_accuracy(reference: str, hypothesis: str) -> float:
    """Share of the reference's syllables found unchanged, in order, in the hypothesis."""
    ref, hyp = syllables(reference), syllables(hypothesis)
    if not ref:
        return 1.0 if not hyp else 0.0
    distance_ops = Levenshtein.editops(ref, hyp)
    touched = sum(1 for op in distance_ops if op.tag in ("replace", "delete"))
    return (len(ref) - touched) / len(ref)


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate: edit distance / reference length, whitespace collapsed."""
    ref = " ".join(nfc(reference).split())
    hyp = " ".join(nfc(hypothesis).split())
    if not ref:
        return 0.0 if not hyp else 1.0
    return Levenshtein.distance(ref, hyp) / len(ref)
