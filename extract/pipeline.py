"""The stages end to end: ``read_document`` (ingest + OCR) and ``extract_record`` (→ records).

Pages that need OCR are read in a process pool, one Tesseract per core; each worker loads
its own page pixels from the file (see ``extract.ingest.PageImage``). Pages come back in
page order whatever order they finish in. ``workers=1`` runs in-process, for callers that
already parallelise over documents (the batch).
"""
from __future__ import annotations

import ctypes
import os
import signal
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from extract import ingest
from extract.errors import EmptyInput
from extract.ocr import OcrResult, ocr_image, resolve_lang
from extract.records import Record, Source
from extract.scratch import scratch
from extract.text import Page

# Seconds a stopped worker has to end after SIGTERM before it is killed.
STOP_SECONDS = 1.0
# Documents with fewer pages to OCR than this get no progress bar (a few seconds of work).
PROGRESS_MIN_PAGES = 3


@dataclass
class ReadDocument:
    """A document's source description and its pages, in order."""

    source: Source
    pages: list[Page]
    tesseract_seconds: float = 0.0  # summed over pages (the benchmark's overhead figure)
    rotated_pages: list[int] = field(default_factory=list)  # numbers of pages turned upright


def ocr_page(job: ingest.PageImage, lang: str) -> OcrResult:
    """Load one page image and OCR it (runs inside a worker process)."""
    return ocr_image(ingest.load_page_image(job), lang, job.number)


PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent exits


def init_worker(parent: int) -> None:
    """Set up a pool's worker process (``parent``: the pool owner's pid). It dies with its
    parent, however that ends (Linux sends it SIGKILL; if the parent is gone already, it
    exits now), and leaves Ctrl-C and SIGTERM to the parent, which stops it.

    Ctrl-C is caught by a handler that does nothing rather than ignored (SIG_IGN): an
    ignored signal stays ignored in the programs a process runs."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)
    signal.signal(signal.SIGINT, _leave_to_parent)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the CLI's handler, inherited by fork


def _leave_to_parent(_signum: int, _frame: object) -> None:
    """A worker's Ctrl-C handler: nothing; the parent stops the pool."""


def _ocr_jobs(jobs: list[ingest.PageImage], lang: str, workers: int | None,
              progress: bool) -> list[OcrResult]:
    """OCR ``jobs`` with up to ``workers`` processes; results in the order of ``jobs``."""
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    bar = None
    if progress and len(jobs) >= PROGRESS_MIN_PAGES:
        from tqdm import tqdm

        bar = tqdm(total=len(jobs), unit="page", desc="ocr", file=sys.stderr, leave=False,
                   mininterval=0)  # one refresh per page: pages take seconds
    results: list[OcrResult | None] = [None] * len(jobs)
    try:
        for index, result in _finished(jobs, lang, workers):
            results[index] = result
            if bar:
                bar.update()
    finally:
        if bar:
            bar.close()
    return results


def _finished(jobs: list[ingest.PageImage], lang: str,
              workers: int) -> Iterator[tuple[int, OcrResult]]:
    """(index, result) of each job as it finishes: in-process for one worker, else from a
    process pool."""
    if workers == 1:
        for index, job in enumerate(jobs):
            yield index, ocr_page(job, lang)
        return
    with ProcessPoolExecutor(workers, initializer=init_worker, initargs=(os.getpid(),)) as pool:
        futures = {pool.submit(ocr_page, job, lang): i for i, job in enumerate(jobs)}
        try:
            for future in as_completed(futures):
                yield futures[future], future.result()
        except BaseException:  # a failed page, ^C or SIGTERM: stop every page now
            stop_pool(pool)
            raise


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the worker processes now: first what they
    started (a batch worker's page workers, which would otherwise finish their page), then
    them: SIGTERM, and SIGKILL for any still alive after STOP_SECONDS."""
    processes = list((pool._processes or {}).values())  # shutdown() forgets them
    pool.shutdown(wait=False, cancel_futures=True)
    for pid in (kid for proc in processes for kid in descendants(proc.pid)):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for proc in processes:
        proc.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for proc in processes:
        proc.join(max(0.0, deadline - time.monotonic()))
        if proc.is_alive():
            proc.kill()
            proc.join()


def descendants(pid: int) -> list[int]:
    """The process ids of ``pid``'s children, theirs, and so on (from Linux's /proc; none
    where it has no such list)."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            kids = [int(kid) for task in os.listdir(f"/proc/{parent}/task")
                    for kid in Path(f"/proc/{parent}/task/{task}/children").read_text().split()]
        except OSError:
            kids = []
        found += kids
        todo += kids
    return found


def read_document(path: Path, lang: str = "vie", workers: int | None = None,
                  progress: bool = True) -> ReadDocument:
    """The text of a PDF, image or text file, page by page, OCR-ing the pages that need it."""
    return read_documents([path], lang, workers, progress)[0]


def read_documents(paths: list[Path], lang: str = "vie", workers: int | None = None,
                   progress: bool = True) -> list[ReadDocument]:
    """Several documents, their pages OCR'd by one pool, so that no core idles while the
    last page of one document is read (a 3-page document alone keeps 2 cores busy only
    two thirds of the time)."""
    opened = [ingest.open_document(Path(path)) for path in paths]
    jobs = [p for doc in opened for p in doc.pages if isinstance(p, ingest.PageImage)]
    results: Iterator[OcrResult] = iter([])
    if jobs:
        with scratch():  # the page images Tesseract reads go there, and go with it
            results = iter(_ocr_jobs(jobs, resolve_lang(lang), workers, progress))
    return [_assemble(doc, results) for doc in opened]


def _assemble(opened: ingest.Ingested, results: Iterator[OcrResult]) -> ReadDocument:
    """A document's pages in order: its ready pages, and the next OCR result for each
    page image."""
    ocr = [next(results) for p in opened.pages if isinstance(p, ingest.PageImage)]
    read = iter(ocr)
    pages = [next(read).page if isinstance(p, ingest.PageImage) else p for p in opened.pages]
    methods = {page.method for page in pages}
    method = methods.pop() if len(methods) == 1 else "mixed"
    source = Source(str(opened.path), opened.sha256, opened.kind, len(pages), method)
    return ReadDocument(source, pages, sum(r.tesseract_seconds for r in ocr),
                        [r.page.number for r in ocr if r.rotated])


def read_repaired(path: Path, lang: str = "vie", workers: int | None = None,
                  progress: bool = True) -> tuple[ReadDocument, list[Page], str]:
    """A document read (ingest + OCR), its pages repaired, and the kind of text the repair
    found (``eng``, ``stripped``, ``vie``); EmptyInput when no page holds any text."""
    from extract.repair import document_kind, repair_pages

    document = read_document(path, lang, workers, progress)
    if not any(line.words for page in document.pages for line in page.lines):
        raise EmptyInput(path, "no text found on any page (blank scan?)")
    kind = document_kind(document.pages, path)
    return document, repair_pages(document.pages, kind), kind


def extract_record(path: Path, lang: str = "vie", workers: int | None = None,
                   progress: bool = True) -> Record:
    """Read a document, repair its text and parse it into the records of docs/records.md."""
    from extract.parse import parse

    document, pages, _kind = read_repaired(path, lang, workers, progress)
    return parse(pages, document.source)
