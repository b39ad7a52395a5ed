"""Rebuild every model in ``models/`` from its sources: ``python models/build.py [--only X]``.

The one entry point (``python cli.py train`` runs it): the syllable lexicon first, then the
OCR channel (which needs the lexicon), then the language model (from the corpus folder,
``--corpus DIR``, by default ``../shared/corpus``), then the confidence calibration (which
needs all three), then the table of what Tesseract's word confidences say (from the
calibration's pages). Each step is a script in this folder exposing ``main(argv)``; the sources
are listed in ``models/SOURCES.md``.
"""
from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
STEPS = {"lexicon": "train_lexicon.py", "channel": "train_channel.py", "lm": "train_lm.py",
         "calibration": "train_calibration.py",
         "ocr_confidence": "train_ocr_confidence.py",  # re-reads the calibration's pages
         "words": "train_words.py"}  # words: the parser's word list
TAKES_CORPUS = ("lm", "calibration")  # steps that read the corpus folder


def run_step(name: str, argv: list[str]) -> int:
    """Run one training script's ``main(argv)``; its exit status."""
    spec = importlib.util.spec_from_file_location(f"models_{name}", HERE / STEPS[name])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main(argv) or 0


def main(argv: list[str] | None = None) -> int:
    """Build the chosen models, in dependency order."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--only", action="append", choices=list(STEPS),
                        help="build only this model (repeatable)")
    parser.add_argument("--corpus", help="folder of the corpus's *.txt.xz files "
                                         "(default: ../shared/corpus)")
    args = parser.parse_args(argv)
    for name in STEPS:
        if args.only and name not in args.only:
            continue
        start = time.time()
        print(f"build: {name} …", file=sys.stderr)
        status = run_step(name, ["--corpus", args.corpus]
                          if args.corpus and name in TAKES_CORPUS else [])
        if status:
            return status
        print(f"build: {name} done in {time.time() - start:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    sys.exit(main())
