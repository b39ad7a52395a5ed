"""Bench table ``batch``: throughput of ``cli.py batch`` on the samples with 1 and 2 worker
processes, and the speed-up of 2 over 1 (the issue asks for at least 1.8).

Each run converts the same files into a fresh SQLite database in a temporary folder, so
nothing is skipped and the database writes are part of the time. A shared machine can give
this process group less than its cores (other users' load; Linux shares CPU between
sessions, not processes), so the table also shows the machine's ceiling at that moment: the
speed-up of a pure busy loop from 1 to 2 processes. The batch cannot beat it.
"""
from __future__ import annotations

import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from extract.batch import collect, convert
from extract.store import Store

# The inputs of the README's main job, relative to the samples folder.
SOURCES = ("scans/bw200", "seeds")
QUICK_FILES = 4
# The busy loop of the ceiling measurement: tasks and iterations per task.
SPIN_TASKS, SPIN_STEPS = 8, 6_000_000
# Each configuration runs this many times and keeps its fastest run (the one least slowed
# by whatever else the machine was doing); once in quick mode.
REPEATS = 2


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


def _spin(steps: int) -> int:
    """CPU work with no I/O and no shared state."""
    total = 0
    for i in range(steps):
        total += i * i
    return total


def cpu_ceiling() -> float:
    """How much faster 2 processes run a busy loop than 1, on this machine right now."""
    times = []
    for workers in (1, 2):
        with ProcessPoolExecutor(workers) as pool:
            start = time.monotonic()
            list(pool.map(_spin, [SPIN_STEPS] * SPIN_TASKS))
            times.append(time.monotonic() - start)
    return times[0] / times[1]


def run(samples: Path, quick: bool) -> str:
    """The throughput table, as text."""
    files = sample_files(samples, quick)
    if not files:
        return f"batch: no sample documents under {samples} ({', '.join(SOURCES)})"
    before = cpu_ceiling()
    rows = []
    base = None
    for workers in (1, 2):
        runs = [_timed_run(files, workers) for _ in range(1 if quick else REPEATS)]
        seconds, done, pages, failed = min(runs)
        base = base or seconds
        rows.append(f"{workers:>7}  {done:>9}  {failed:>6}  {pages:>5}  {seconds:>8.1f}  "
                    f"{pages / seconds:>7.3f}  {base / seconds:>8.2f}")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    best = "" if quick else f", best of {REPEATS} runs"
    head = (f"batch throughput: {len(files)} files from {', '.join(SOURCES)}{best} "
            f"({os.cpu_count()} cores, load average {load}; the machine's ceiling, a busy loop "
            f"in 2 processes over 1: {before:.2f}x before, {cpu_ceiling():.2f}x after)\n"
            f"{'workers':>7}  {'documents':>9}  {'failed':>6}  {'pages':>5}  {'seconds':>8}  "
            f"{'pages/s':>7}  {'speed-up':>8}")
    return head + "\n" + "\n".join(rows)
