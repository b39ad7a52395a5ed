"""``cli.py bench``: accuracy and speed of each stage on the bundled samples.

One module per table (``ocr``, ``repair``, ``extract``, ``pdf``, ``batch``), each exposing
``run(samples: Path, quick: bool) -> str`` that returns its table as text. Tables go to
stdout (they are the data of this command), progress to stderr.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

TABLES = ("ocr", "repair", "extract", "pdf", "batch")


def run_bench(args: argparse.Namespace) -> int:
    samples = Path(args.samples)
    for name in args.only or TABLES:
        module = importlib.import_module(f"extract.bench.{name}")
        print(f"bench: {name} …", file=sys.stderr)
        sys.stdout.write(module.run(samples, quick=args.quick).rstrip("\n") + "\n\n")
        sys.stdout.flush()
    return 0
