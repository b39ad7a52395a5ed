#!/usr/bin/env python3
"""Command line: scanned Vietnamese reports → text → repaired text → records → database.

Thin by design: parse arguments, call ``extract``, print. stdout carries data only;
progress and messages go to stderr. A user error is one line on stderr and a non-zero exit.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from extract.errors import (DOCUMENT_CODES, EXIT_CODES_HELP, EXIT_INTERRUPTED, EXIT_USAGE,
                            NOT_SET_UP, DatabaseError, EngineError, InputError, ModelError,
                            Terminated, exit_codes_help, shown)
from extract.output import output_problem, write_atomically


def _write(text: str, out: str | None) -> None:
    if out:
        write_atomically(Path(out), text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def cmd_ocr(args: argparse.Namespace) -> int:
    from extract.pipeline import read_document

    doc = read_document(Path(args.input), lang=args.lang, workers=args.workers,
                        progress=not args.quiet)
    if args.verbose:
        _say(args)(_read_summary(doc))
    _write("\f".join(page.text for page in doc.pages) + "\n", args.output)
    return 0


def cmd_repair(args: argparse.Namespace) -> int:
    from extract.repair.cli import run_repair

    return run_repair(args)


def _say(args: argparse.Namespace) -> Callable[[str], None]:
    """A function that prints a message for the user on stderr (silent with -q)."""
    return (lambda _m: None) if args.quiet else (
        lambda message: print(f"{args.command}: {message}", file=sys.stderr))


def _read_summary(document) -> str:  # noqa: ANN001 - a pipeline.ReadDocument
    """One line on how a document was read: pages, method, Tesseract time, pages turned."""
    turned = (f", pages turned upright: {document.rotated_pages}"
              if document.rotated_pages else "")
    pages = document.source.pages
    return (f"{pages} page{'' if pages == 1 else 's'} ({document.source.method}), "
            f"Tesseract {document.tesseract_seconds:.1f} s{turned}")


def _read_repaired(args: argparse.Namespace):  # noqa: ANN202 - pipeline.read_repaired's
    """Read and repair ``args.input``; with -v, say what was read and how it was repaired."""
    import time

    from extract.pipeline import read_repaired

    start = time.monotonic()
    document, pages, kind = read_repaired(Path(args.input), lang=args.lang,
                                          workers=args.workers, progress=not args.quiet)
    if args.verbose:
        from extract.repair import FLAG_BELOW

        words = [w for page in pages for line in page.lines for w in line.words]
        changed = sum(w.ocr is not None and w.ocr != w.text for w in words)
        doubtful = sum(w.confidence < FLAG_BELOW for w in words)
        say = _say(args)
        say(_read_summary(document))
        say(f"text kind {kind}: {len(words)} words, {changed} repaired, {doubtful} doubtful "
            f"(confidence < {FLAG_BELOW}); {time.monotonic() - start:.1f} s")
    return document, pages


def cmd_extract(args: argparse.Namespace) -> int:
    from extract.parse import parse

    document, pages = _read_repaired(args)
    if args.hocr:
        from extract import hocr

        write_atomically(Path(args.hocr), hocr.document(pages, Path(args.input).name))
    _write(parse(pages, document.source).to_json() + "\n", args.output)
    return 0


def cmd_pdf(args: argparse.Namespace) -> int:
    from extract.searchable import searchable_pdf

    document, pages = _read_repaired(args)
    write_atomically(Path(args.output), searchable_pdf(
        Path(args.input), document.source.kind, pages, _say(args)))
    if args.hocr:
        from extract import hocr

        write_atomically(Path(args.hocr), hocr.document(pages, Path(args.input).name))
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    from extract.batch import run_batch

    return run_batch(args)


def cmd_export(args: argparse.Namespace) -> int:
    from extract.store import run_export

    return run_export(args)


def cmd_units(args: argparse.Namespace) -> int:
    from extract.store import run_units

    return run_units(args)


def cmd_review(args: argparse.Namespace) -> int:
    from extract.review import run_review

    return run_review(args)


def cmd_bench(args: argparse.Namespace) -> int:
    from extract.bench import run_bench

    return run_bench(args)


def cmd_train(args: argparse.Namespace) -> int:
    import runpy

    sys.argv = ["models/build.py", *(f"--only={name}" for name in args.only or ()),
                *(["--corpus", args.corpus] if args.corpus else [])]
    runpy.run_path(str(Path(__file__).parent / "models" / "build.py"), run_name="__main__")
    return 0


# Commands whose result goes to standard output unless -o is given.
DATA_COMMANDS = ("ocr", "repair", "extract", "export", "units")


def _workers(text: str) -> int:
    """``--workers``: a whole number of processes, at least 1 (argparse: exit 2 otherwise)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


class _Version(argparse.Action):
    """``--version``: the installed project's version (``pip install -e .`` records it),
    looked up only when asked (importlib.metadata costs every other run 35 ms)."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_args: object) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("vn-report-extract")
        except PackageNotFoundError:
            found = "not installed (run bash setup.sh)"
        print(f"{parser.prog} {found}")
        parser.exit()


def _common(p: argparse.ArgumentParser, verbose: bool = True) -> None:
    p.add_argument("--lang", default="vie", help="Tesseract model(s) for OCR (default: vie)")
    p.add_argument("--workers", type=_workers, default=None,
                   help="processes for OCR (default: all cores)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar, no messages")
    if verbose:
        p.add_argument("-v", "--verbose", action="store_true",
                       help="say how the document was read and repaired (pages, text kind, "
                            "words changed and doubtful)")


def build_parser() -> argparse.ArgumentParser:
    fmt = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        description=__doc__, epilog=EXIT_CODES_HELP, formatter_class=fmt)
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    one = exit_codes_help(DOCUMENT_CODES)
    p = sub.add_parser("ocr", help="print the text of a PDF, image or text file",
                       description="Print the text of INPUT: pages separated by a form feed, "
                                   "lines kept. No repair.", epilog=one,
                       formatter_class=fmt)
    p.add_argument("input", help="PDF, image (PNG, JPEG, TIFF) or text file")
    p.add_argument("-o", "--output", help="write to this file instead of stdout")
    _common(p)
    p.set_defaults(func=cmd_ocr)

    p = sub.add_parser("repair", help="repair garbled or diacritic-stripped Vietnamese text",
                       description="Print FILE repaired: exactly one output line per input "
                                   "line.", epilog=one, formatter_class=fmt)
    p.add_argument("file", help="text file, or - for standard input")
    p.add_argument("--diff", action="store_true", help="show only what changed")
    p.add_argument("--json", action="store_true",
                   help="per-token candidates and confidences as JSON lines")
    p.add_argument("-o", "--output", help="write to this file instead of stdout")
    p.set_defaults(func=cmd_repair)

    p = sub.add_parser("extract", help="records of one document as JSON (docs/records.md)",
                       description="Run ingest → OCR → repair → parse on INPUT and print "
                                   "its records as one JSON document.", epilog=one,
                       formatter_class=fmt)
    p.add_argument("input", help="PDF, image or OCR text file")
    p.add_argument("-o", "--output", help="write the JSON to this file")
    p.add_argument("--hocr", metavar="FILE",
                   help="also write the repaired words as hOCR (boxes, both confidences)")
    _common(p)
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("pdf", help="a searchable PDF: the pages as they are, repaired text",
                       description="Write OUTPUT: every page of INPUT (a scanned PDF, with or "
                                   "without an old text layer, or an image) as it looks, "
                                   "with an invisible layer of the repaired Vietnamese "
                                   "words at their places, so that search and copy give "
                                   "correct text. An old garbled layer is replaced, a good "
                                   "Vietnamese one kept; page images are not recompressed; "
                                   "PDF/A-2b when it validates.", epilog=one,
                       formatter_class=fmt)
    p.add_argument("input", help="PDF or image (PNG, JPEG, multi-page TIFF)")
    p.add_argument("-o", "--output", required=True, help="the searchable PDF to write")
    p.add_argument("--hocr", metavar="FILE", help="also write the repaired words as hOCR")
    _common(p)
    p.set_defaults(func=cmd_pdf)

    p = sub.add_parser("batch", help="convert many documents into the bloc database",
                       description="Extract every PDF, image and text file under PATH "
                                   "(folders recursively, globs) into the database; resumable.",
                       epilog=exit_codes_help((0, 1, 2, 3, 10, 11, 130, 143)), formatter_class=fmt)
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--db", default="bloc.db", help="SQLite file or SQLAlchemy URL")
    p.add_argument("--scheduler", help="Dask scheduler address: tls://host:8786 (with --tls), "
                                       "or tcp://127.0.0.1:8786 on this machine")
    p.add_argument("--tls", metavar="DIR",
                   help="folder with the cluster's cluster.pem and cluster.key (README)")
    p.add_argument("--retry-failed", action="store_true",
                   help="extract again the documents that failed in an earlier run")
    p.add_argument("--pdf-dir", metavar="DIR",
                   help="also write a searchable PDF of each scanned document into DIR "
                        "(named NAME-SHA8.pdf: its file name and the start of its sha256)")
    _common(p, verbose=False)
    p.set_defaults(func=cmd_batch)

    database = exit_codes_help((0, 2, 10, 130, 143))
    p = sub.add_parser("export", help="figures from the database, one row per figure",
                       epilog=database, formatter_class=fmt)
    p.add_argument("--db", default="bloc.db", help="SQLite file or SQLAlchemy URL")
    p.add_argument("--format", choices=["csv", "json", "jsonl", "xlsx"], default="csv",
                   help="csv (UTF-8 with a BOM), json, jsonl, or xlsx (with -o: a sheet of "
                        "figures and one of documents, typed cells)")
    p.add_argument("--year", type=int)
    p.add_argument("--unit", help="canonical unit name (fuzzy matched)")
    p.add_argument("-o", "--output", help="write to this file instead of stdout")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("units", help="canonical units with document and figure counts",
                       epilog=database, formatter_class=fmt)
    p.add_argument("--db", default="bloc.db", help="SQLite file or SQLAlchemy URL")
    p.set_defaults(func=cmd_units)

    p = sub.add_parser("review", help="check and correct the database in the browser",
                       description="Serve a local web application over the database: the "
                                   "documents, each page's scan beside its repaired text "
                                   "with doubtful words marked, corrections of words and "
                                   "figures (applied by export), the bloc's figures over "
                                   "the years.", epilog=database, formatter_class=fmt)
    p.add_argument("--db", default="bloc.db", help="SQLite file or SQLAlchemy URL")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this computer only)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0: any free)")
    p.set_defaults(func=cmd_review)

    p = sub.add_parser("bench", help="accuracy and speed on the bundled samples",
                       epilog=exit_codes_help((0, 2, 11, 130, 143)), formatter_class=fmt)
    p.add_argument("--samples", default=str(Path(__file__).parent / "samples"))
    p.add_argument("--only", action="append",
                   choices=["ocr", "repair", "extract", "pdf", "batch"],
                   help="run only these tables (repeatable)")
    p.add_argument("--quick", action="store_true", help="fewer samples and models")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("train", help="rebuild the models in models/ from their sources",
                       description="Same as python models/build.py [--only MODEL].")
    p.add_argument("--only", action="append",
                   choices=["lexicon", "channel", "lm", "calibration", "ocr_confidence", "words"],
                   help="rebuild only this model (repeatable)")
    p.add_argument("--corpus", help="folder of the training corpus's *.txt.xz files "
                                    "(default: ../shared/corpus)")
    p.set_defaults(func=cmd_train)
    return parser


def _stop(signum: int, _frame: object) -> None:
    """Ctrl-C or SIGTERM: raise KeyboardInterrupt (Terminated for SIGTERM) once; the ones
    after are ignored, so that the cleanup the first started (workers stopped, summary
    printed, temporary files removed) is never cut short by a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        return _run(args)
    finally:
        for sig, handler in previous.items():
            if signal.getsignal(sig) is _stop:  # after a signal the next ones stay ignored
                signal.signal(sig, handler)


def _run(args: argparse.Namespace) -> int:
    """Run the command; a user error becomes one ``error:`` line and its exit code."""
    if sys.stdout is None and not getattr(args, "output", None) and args.command in DATA_COMMANDS:
        print("error: standard output is closed; give -o FILE", file=sys.stderr)
        return EXIT_USAGE
    if getattr(args, "file", None) == "-" and sys.stdin is None:
        print("error: -: standard input is closed", file=sys.stderr)
        return EXIT_USAGE
    cores = len(os.sched_getaffinity(0))
    if getattr(args, "workers", None) and args.workers > cores:
        if not args.quiet:
            print(f"{args.command}: --workers {args.workers} is more than the {cores} cores here; "
                  f"using {cores}", file=sys.stderr)
        args.workers = cores
    outputs = [] if args.command == "export" else [  # export also guards its database
        out for out in (getattr(args, "output", None), getattr(args, "hocr", None)) if out]
    source = getattr(args, "input", None) or getattr(args, "file", None)
    for output in outputs:
        problem = output_problem(Path(output), *([Path(source)] if source not in
                                                  (None, "-") else []))
        if problem:
            print(f"error: {shown(output)}: {problem}", file=sys.stderr)
            return EXIT_USAGE
    try:
        return args.func(args)
    except (InputError, DatabaseError, ModelError, EngineError) as err:
        print(f"error: {shown(str(err))}", file=sys.stderr)
        return err.exit_code
    except ModuleNotFoundError as err:
        if err.name != "extract.repair.kernels":
            raise
        print("error: the repair stage's compiled search is not built; run bash setup.sh "
              "(or pip install -e .) in the checkout", file=sys.stderr)
        return NOT_SET_UP
    except KeyboardInterrupt as err:  # Ctrl-C, or SIGTERM (Terminated)
        print("interrupted", file=sys.stderr)
        return getattr(err, "exit_code", EXIT_INTERRUPTED)
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
