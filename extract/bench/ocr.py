"""OCR table of ``cli.py bench``: accuracy per sample, scan quality and model; speed.

Accuracy: each scanned sample ``samples/scans/<quality>/<id>.pdf`` is read whole and
compared with its ground truth ``samples/texts/<id>.txt`` (TABs, which lay out the
two-column header, count as a space), before any repair: syllable accuracy and CER from
``extract.metrics``. Speed, with the default model: pages per minute over whole documents
with 1 worker and with 2, the speed-up, the pipeline's own overhead (wall time not
spent inside Tesseract: opening, rendering, bookkeeping) as a share of Tesseract's time,
and the CPU of ``cli.py ocr --workers 1`` (a fresh process per document, everything
counted) over that of the ``tesseract`` command alone reading the same page images (those
the pipeline hands Tesseract, levelled, written as PGM files), one process per page.
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from extract import ingest
from extract.bench.samples import truth_text
from extract.metrics import cer, syllable_accuracy
from extract.ocr import DEFAULT_LANG
from extract.pipeline import read_documents
from extract.preprocess import deskew
from extract.tesseract import TESSERACT_CMD

CLI = Path(__file__).resolve().parents[2] / "cli.py"

MODELS = ("vie", "script/Vietnamese", "vie+eng")


@dataclass
class Scan:
    """One scanned sample: its quality, id, PDF and ground-truth text."""

    quality: str
    ident: str
    pdf: Path
    truth: str


def scans(samples: Path) -> list[Scan]:
    """Every scanned sample that has its ground truth, ordered by quality then id."""
    found = []
    for pdf in sorted(samples.glob("scans/*/*.pdf")):
        truth = samples / "texts" / f"{pdf.stem}.txt"
        if truth.exists():
            found.append(Scan(pdf.parent.name, pdf.stem, pdf, truth_text(truth)))
    return found


@dataclass
class Timing:
    """Pages read, wall seconds and Tesseract seconds of one or more whole documents."""

    pages: int = 0
    wall: float = 0.0
    tesseract: float = 0.0

    @property
    def pages_per_minute(self) -> float:
        return 60 * self.pages / self.wall if self.wall else 0.0

    @property
    def overhead(self) -> float:
        """Wall time outside Tesseract as a share of Tesseract's time (one worker only)."""
        return (self.wall - self.tesseract) / self.tesseract if self.tesseract else 0.0


def _read(group: list[Scan], lang: str, workers: int) -> tuple[list[tuple[str, int]], Timing]:
    """OCR whole documents with one pool: per document its text (pages joined by newlines)
    and page count, and the timing of the whole run."""
    started = time.perf_counter()
    documents = read_documents([scan.pdf for scan in group], lang=lang, workers=workers,
                               progress=False)
    timing = Timing(sum(len(d.pages) for d in documents), time.perf_counter() - started,
                    sum(d.tesseract_seconds for d in documents))
    return [("\n".join(p.text for p in d.pages), len(d.pages)) for d in documents], timing


def run(samples: Path, quick: bool) -> str:
    """The OCR table as text."""
    found = scans(samples)
    if not found:
        return (f"OCR: no scanned samples with ground truth under {samples}/scans "
                "(expected scans/<quality>/<id>.pdf and texts/<id>.txt)")
    models = (DEFAULT_LANG,) if quick else MODELS
    groups: dict[str, list[Scan]] = defaultdict(list)
    for scan in found[:1] if quick else found:
        groups[scan.quality].append(scan)
    rows = [("sample", "quality", "model", "pages", "syll.acc %", "CER %")]
    means = [("quality", "model", "pages", "syll.acc %", "CER %")]
    speed = [("quality", "pages", "pages/min 1 worker", "pages/min 2 workers", "speed-up",
              "overhead %", "CPU / tesseract command")]
    for quality, group in sorted(groups.items()):
        for model in models:
            print(f"bench ocr: {quality} {model} (2 workers)", file=sys.stderr)
            read, two = _read(group, model, 2)
            for scan, (text, pages) in zip(group, read):
                rows.append((scan.ident, quality, model, str(pages),
                             f"{100 * syllable_accuracy(scan.truth, text):.2f}",
                             f"{100 * cer(scan.truth, text):.2f}"))
            truth = "\n".join(scan.truth for scan in group)
            text = "\n".join(text for text, _ in read)
            means.append((quality, model, str(two.pages),
                          f"{100 * syllable_accuracy(truth, text):.2f}",
                          f"{100 * cer(truth, text):.2f}"))
            if model == DEFAULT_LANG:
                print(f"bench ocr: {quality} {model} (1 worker)", file=sys.stderr)
                _, one = _read(group, model, 1)
                speed.append((quality, str(one.pages), f"{one.pages_per_minute:.1f}",
                              f"{two.pages_per_minute:.1f}",
                              f"{two.pages_per_minute / one.pages_per_minute:.2f}×",
                              f"{100 * one.overhead:.1f}",
                              "-" if quick else f"{against_command(group):.3f}"))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return "\n".join([
        "OCR accuracy before repair, per sample and model", "", *_table(rows), "",
        "OCR accuracy before repair, all samples of a quality together", "", *_table(means), "",
        f"OCR speed, whole documents, model {DEFAULT_LANG}; overhead = wall time outside "
        f"Tesseract / Tesseract time (1 worker); load average {load} on {os.cpu_count()} cores",
        "", *_table(speed)])


def _child_cpu(command: list[str]) -> float:
    """CPU seconds (user + system) that ``command`` takes, run to its end."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=dict(os.environ, OMP_THREAD_LIMIT="1"))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def against_command(group: list[Scan]) -> float:
    """CPU of ``cli.py ocr --workers 1`` over the ``tesseract`` command's on the same page
    images, summed over the documents of ``group``."""
    ours = theirs = 0.0
    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as tmp:
        for scan in group:
            for k, page in enumerate(ingest.open_document(scan.pdf).pages):
                path = Path(tmp) / f"{scan.ident}-{k}.pgm"
                deskew(ingest.load_page_image(page))[0].save(path)
                theirs += _child_cpu([TESSERACT_CMD, str(path), "-", "-l", DEFAULT_LANG,
                                      "tsv"])
            ours += _child_cpu([sys.executable, str(CLI), "ocr", "-q", "--workers", "1",
                                str(scan.pdf)])
    return ours / theirs if theirs else 0.0


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    """Rows as aligned text columns: words to the left, figures to the right."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    numeric = [all(row[i][:1].isdigit() for row in rows[1:]) for i in range(len(widths))]
    return ["  ".join(cell.rjust(w) if numeric[i] else cell.ljust(w)
                      for i, (cell, w) in enumerate(zip(row, widths))) for row in rows]
