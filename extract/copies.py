"""Copies of one report: the same report scanned twice, as a text-layer PDF and as a phone
photo, or OCR'd by two tools, is one report, and the database counts it once.

Two documents are the same report when their headers agree (issuer, number and date all
read and equal) or when their texts are nearly the same: the Jaccard similarity of their
sets of three-syllable shingles (folded: without case or marks, which OCR garbles
differently in each copy), estimated by MinHash (datasketch), is at least SAME_REPORT.
Measured on the samples in five forms (four scan qualities and English-model archive OCR):
copies of one report score 0.86-1.00, different reports at most 0.14.
"""
from __future__ import annotations

import regex
from datasketch import MinHash

from extract.records import Record
from extract.text import fold

PERMUTATIONS = 128
SHINGLE = 3  # syllables
SAME_REPORT = 0.5
# A text this short gets no fingerprint (two short notes share too many shingles by chance):
# only its header can make it a copy.
MIN_SYLLABLES = 50
_SYLLABLE = regex.compile(r"[\p{L}\p{N}]+")


def fingerprint(record: Record) -> str | None:
    """The MinHash signature of a record's text, as hex (stored with the document); None
    for a text of fewer than MIN_SYLLABLES syllables."""
    tokens = _SYLLABLE.findall(fold("\n".join(page.text for page in record.pages)))
    if len(tokens) < MIN_SYLLABLES:
        return None
    sketch = MinHash(num_perm=PERMUTATIONS)
    sketch.update_batch([" ".join(tokens[i:i + SHINGLE]).encode()
                         for i in range(len(tokens) - SHINGLE + 1)])
    return sketch.hashvalues.astype(">u4").tobytes().hex()


def similarity(a: str, b: str) -> float:
    """Estimated Jaccard similarity of two documents' texts, from their fingerprints."""
    if len(a) != len(b):
        return 0.0
    x, y = bytes.fromhex(a), bytes.fromhex(b)
    same = sum(x[i:i + 4] == y[i:i + 4] for i in range(0, len(x), 4))
    return same / (len(x) // 4)


def same_report(a: tuple[str | None, str | None, object, str | None],
                b: tuple[str | None, str | None, object, str | None]) -> bool:
    """Whether two documents, each as (issuer, number, date, fingerprint), are copies of
    one report."""
    if all(a[:3]) and all(b[:3]) and a[:3] == b[:3]:
        return True
    return bool(a[3] and b[3]) and similarity(a[3], b[3]) >= SAME_REPORT


def mean_confidence(record: Record) -> float:
    """How well a copy was read: the mean probability that its words are right, as the
    repair calibrated it (comparable between a scan and a text OCR'd long ago, whose own
    OCR confidences are lost); 1 without words."""
    confidences = [w.confidence if w.repair_confidence is None else w.repair_confidence
                   for page in record.pages for w in page.words]
    return sum(confidences) / len(confidences) if confidences else 1.0
