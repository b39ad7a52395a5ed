"""Searchable-PDF table of ``cli.py bench``: what ``cli.py pdf`` costs beside ``cli.py
extract``, and whether its text layer reads as well as extract's pages.

Each bw200 sample scan is run through both commands as a user runs them (a fresh process,
one worker, so that both pay the same start-up and model loading); the cost is the CPU
seconds of each process (user + system, from ``wait4``) and its wall time, the two runs
measured back to back in the same conditions. The text layer is read back with pdfplumber
and scored against the sample's ground truth beside extract's repaired page text.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from extract.bench.ocr import _table, scans
from extract.metrics import syllable_accuracy

QUALITY = "bw200"
CLI = Path(__file__).resolve().parents[2] / "cli.py"


def _timed(*args: str) -> tuple[float, float]:
    """Run ``cli.py ARGS`` (one worker, quiet); (CPU seconds, wall seconds)."""
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, str(CLI), *args, "--workers", "1", "-q"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    error = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"cli.py {' '.join(args)} failed: {error.strip()}")
    return usage.ru_utime + usage.ru_stime, wall


def _layer_text(path: Path) -> str:
    """The PDF's text layer as pdfplumber reads it, pages joined by newlines."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def run(samples: Path, quick: bool) -> str:
    """The searchable-PDF table as text."""
    found = [scan for scan in scans(samples) if scan.quality == QUALITY]
    if not found:
        return f"PDF: no {QUALITY} sample scans with ground truth under {samples}/scans"
    rows = [("sample", "pages", "extract CPU s", "pdf CPU s", "CPU ratio", "wall ratio",
             "extract syll.acc %", "layer syll.acc %")]
    totals = [0.0, 0.0, 0.0, 0.0]
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as tmp:
        for scan in found[:1] if quick else found:
            print(f"bench pdf: {scan.ident}", file=sys.stderr)
            record, layer = Path(tmp) / "record.json", Path(tmp) / "out.pdf"
            extract_cpu, extract_wall = _timed("extract", str(scan.pdf), "-o", str(record))
            pdf_cpu, pdf_wall = _timed("pdf", str(scan.pdf), "-o", str(layer))
            data = json.loads(record.read_text(encoding="utf-8"))
            repaired = "\n".join(page["text"] for page in data["pages"])
            for i, value in enumerate((extract_cpu, pdf_cpu, extract_wall, pdf_wall)):
                totals[i] += value
            rows.append((scan.ident, str(data["source"]["pages"]), f"{extract_cpu:.2f}",
                         f"{pdf_cpu:.2f}", f"{pdf_cpu / extract_cpu:.3f}",
                         f"{pdf_wall / extract_wall:.3f}",
                         f"{100 * syllable_accuracy(scan.truth, repaired):.2f}",
                         f"{100 * syllable_accuracy(scan.truth, _layer_text(layer)):.2f}"))
    rows.append(("all", "", f"{totals[0]:.2f}", f"{totals[1]:.2f}",
                 f"{totals[1] / totals[0]:.3f}", f"{totals[3] / totals[2]:.3f}", "", ""))
    return "\n".join([
        f"Searchable PDF (cli.py pdf) against cli.py extract, {QUALITY} scans, one worker, "
        "each a fresh process; layer = the PDF's text layer read back by pdfplumber", "",
        *_table(rows)])
