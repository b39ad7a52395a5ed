"""Bench table ``batch``: throughput of ``cli.py batch`` on the samples with 1 and 2 worker
processes, and the speed-up of 2 over 1 (the issue asks for at least 1.8).

Each run converts the same files into a fresh SQLite database in a temporary folder, so
nothing is skipped and the database writes are part of the time. The machine's load average
is printed with the table: a busy machine makes the speed-up look worse than it is.
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from extract.batch import collect, convert
from extract.store import Store

# The inputs of the README's main job, relative to the samples folder.
SOURCES = ("scans/bw200", "seeds")
QUICK_FILES = 4


def sample_files(samples: Path, quick: bool) -> list[Path]:
    """The main job's input files; in quick mode the smallest few."""
    folders = [str(samples / s) for s in SOURCES if (samples / s).is_dir()]
    files = collect(folders) if folders else []
    if quick:
        files = sorted(files, key=lambda p: p.stat().st_size)[:QUICK_FILES]
    return files


def _timed_run(files: list[Path], workers: int) -> tuple[float, int, int, int]:
    """(seconds, documents done, pages, failed) of one batch into a fresh database."""
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        with Store(str(Path(tmp) / "bench.db")) as store:
            start = time.monotonic()
            tally = convert(files, store, workers=workers, progress=False)
            return time.monotonic() - start, tally.done, tally.pages, tally.failed


def run(samples: Path, quick: bool) -> str:
    """The throughput table, as text."""
    files = sample_files(samples, quick)
    if not files:
        return f"batch: no sample documents under {samples} ({', '.join(SOURCES)})"
    rows = []
    base = None
    for workers in (1, 2):
        seconds, done, pages, failed = _timed_run(files, workers)
        base = base or seconds
        rows.append(f"{workers:>7}  {done:>9}  {failed:>6}  {pages:>5}  {seconds:>8.1f}  "
                    f"{pages / seconds:>7.3f}  {base / seconds:>8.2f}")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    head = (f"batch throughput: {len(files)} files from {', '.join(SOURCES)} "
            f"({os.cpu_count()} cores, load average {load})\n"
            f"{'workers':>7}  {'documents':>9}  {'failed':>6}  {'pages':>5}  {'seconds':>8}  "
            f"{'pages/s':>7}  {'speed-up':>8}")
    return head + "\n" + "\n".join(rows)
