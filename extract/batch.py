"""``cli.py batch``: convert many documents into the bloc database, resumably.

Files are hashed first (cheap) so documents already done are skipped without being read.
The rest run in parallel — one document per process (its pages read in that process), or,
with ``--scheduler``, one document per task on a Dask distributed cluster — and every result
comes back to this process, the database's only writer, which stores each document in one
transaction. A file that cannot be extracted is recorded as failed with its error line and
the batch goes on; rerunning retries failures only with ``--retry-failed``.

A batch holds the database's writer lock (``Store(writer_wait=…)``) from start to end, so a
second batch on the same database waits for it, then refuses. Worker processes die with the
batch however it ends (a death signal the kernel sends when their parent exits, even by
``kill -9``) and keep their temporary files in a scratch folder the batch removes (and the
next batch removes when a killed one could not). Ctrl-C and SIGTERM stop the workers within a
second, keep every document already written, write no partial one and print the summary.
A failure of the database itself (server down) ends the batch with one error line and
records nothing as failed: a plain rerun finishes the job.
"""
from __future__ import annotations

import argparse
import errno
import glob
import hashlib
import json
import os
import signal
import stat
import sys
import tempfile
import time
import uuid
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from extract.errors import (EXIT_FAILED_DOCUMENTS, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE,
                            DatabaseError, InputError, MissingInput, shown)
from extract import scratch
from extract.pipeline import stop_pool
from extract.records import Record
from extract.store import RecordRejected, Store, shown_db

# File types taken from folders (named files and glob matches are always taken: a file
# that is not a document is then recorded as failed, with its reason).
DOCUMENT_SUFFIXES = {".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp",
                     ".jp2", ".txt"}
WORKER_DIED = "the worker process died while extracting it (crash or out of memory)"
# Dask: tasks in flight per worker thread (the next one is already queued when one ends).
DASK_TASKS_PER_THREAD = 2
# How long to keep trying to reach the Dask scheduler before giving up.
DASK_CONNECT_SECONDS = 15
# How long a batch waits for another batch writing to the same database before refusing.
WRITER_WAIT_SECONDS = 60
# How long stopped workers get to exit before they are killed.


@dataclass
class Job:
    """One input file: where it is, its content hash (None if unreadable), its size."""

    path: Path
    sha256: str | None
    size: int
    error: str | None = None  # why it could not be read, when sha256 is None


@dataclass
class Outcome:
    """What a worker sends back for one document: its record or its error line."""

    path: str
    record: Record | None
    error: str | None
    seconds: float
    note: str | None = None  # a warning about a stored document (its searchable PDF)


@dataclass
class Tally:
    """The running totals the summary reports. A document written is counted in one step
    (one entry of ``stored``), so that a signal never leaves it half counted; the one being
    written when a signal came is ``writing`` until counted, for ``settle``."""

    skipped: int = 0
    failed: int = 0
    failed_before: int = 0  # skipped because they failed in an earlier run
    stored: dict[str, tuple[int, int]] = field(default_factory=dict)  # sha256: pages, figures
    writing: tuple[str, int, int] | None = None  # sha256, pages, figures
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # warnings about documents stored
    copies: list[str] = field(default_factory=list)  # documents stored as copies of a report

    @property
    def done(self) -> int:
        return len(self.stored)

    @property
    def pages(self) -> int:
        return sum(pages for pages, _ in self.stored.values())

    @property
    def figures(self) -> int:
        return sum(figures for _, figures in self.stored.values())

    def settle(self, store: Store) -> None:
        """After a signal: count the document whose write had committed when it came (the
        signal arrived between the commit and the count), so that the summary says what
        the database holds."""
        if self.writing is None or self.writing[0] in self.stored:
            return
        sha, pages, figures = self.writing
        try:
            if sha in store.known().done:
                self.stored[sha] = (pages, figures)
        except DatabaseError:
            pass  # the summary then counts what was confirmed; the rerun redoes nothing twice


def collect(paths: list[str]) -> list[Path]:
    """The files that PATH arguments name: folders recursively (document types only),
    globs and files, each once, in the order given (folders sorted). A link that leads
    nowhere is kept as named, so that it is recorded as failed with its reason."""
    found: dict[Path, None] = {}
    for arg in paths:
        path = Path(arg)
        if path.is_dir():
            for sub in _folder_files(path):
                found.setdefault(sub)
        elif path.exists() or path.is_symlink():
            found.setdefault(_absolute(path))
        elif glob.has_magic(arg):
            matches = sorted(glob.glob(arg, recursive=True))
            if not matches:
                raise MissingInput(arg, "no file matches this pattern")
            for match in collect(matches):
                found.setdefault(match)
        else:
            raise MissingInput(arg, "no such file or folder")
    return list(found)


def _absolute(path: Path) -> Path:
    """The file's real path; a link that leads nowhere (dangling, a loop) as itself, made
    absolute, so that its error names what the user has."""
    try:
        return path.resolve(strict=True)
    except (OSError, RuntimeError):  # RuntimeError: pathlib's word for a symlink loop
        return Path(os.path.abspath(path))


def _folder_files(folder: Path) -> list[Path]:
    """The document files under ``folder`` (by suffix), recursively, sorted. Links that
    lead nowhere are taken (to be recorded as failed); a sub-folder that cannot be read
    is one warning line on stderr; linked folders are not followed (no cycles)."""
    def unreadable(err: OSError) -> None:
        print(f"warning: {shown(str(err.filename))}: cannot read this folder "
              f"({err.strerror}); its files are skipped", file=sys.stderr)

    files = []
    for root, _dirs, names in os.walk(folder, onerror=unreadable):
        for name in names:
            if Path(name).suffix.lower() in DOCUMENT_SUFFIXES:
                files.append(_absolute(Path(root) / name))
    return sorted(files)


def _unreadable_reason(path: Path, err: OSError) -> str:
    """Why ``path`` cannot be read, in words: links that lead nowhere named as such."""
    if err.errno == errno.ELOOP:
        return "symbolic link loop (the link leads back to itself)"
    if err.errno == errno.ENOENT and path.is_symlink():
        return f"dangling symbolic link (to {shown(os.readlink(path))}, which does not exist)"
    return f"cannot read: {err.strerror or err}"


def hash_file(path: Path) -> Job:
    """The file's sha256 (the document's identity) and size, or why it cannot be read
    (a FIFO or device is not opened: reading one could block forever)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return Job(path, None, 0, "not a regular file")
        with path.open("rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
        return Job(path, digest, info.st_size)
    except OSError as err:
        return Job(path, None, 0, _unreadable_reason(path, err))


def extract_one(path: str, lang: str, page_workers: int,
                pdf_dir: str | None = None) -> Outcome:
    """Extract one document (runs in a worker), and with ``pdf_dir`` write its searchable
    PDF there; an input error becomes the outcome's error line, and so does an unexpected
    one, so that one bad document never stops a batch."""
    from extract.parse import parse
    from extract.pipeline import read_repaired

    start = time.monotonic()
    try:
        document, pages, _kind = read_repaired(Path(path), lang=lang, workers=page_workers,
                                               progress=False)
        record = parse(pages, document.source)
        note = _searchable(Path(pdf_dir), Path(path), document.source, pages) \
            if pdf_dir else None
        return Outcome(path, record, None, time.monotonic() - start, note)
    except InputError as err:
        return Outcome(path, None, err.message, time.monotonic() - start)
    except Exception as err:  # noqa: BLE001 - recorded with the document, batch goes on
        first = (str(err).strip().splitlines() or [""])[0]
        return Outcome(path, None, f"internal error: {type(err).__name__}: {first}",
                       time.monotonic() - start)


def pdf_name(path: Path, sha256: str) -> str:
    """The file name of a document's searchable PDF in ``--pdf-dir``: its own name and the
    start of its content hash (two reports called ``baocao.pdf`` in two folders differ)."""
    return f"{path.stem}-{sha256[:8]}.pdf"


def _searchable(pdf_dir: Path, path: Path, source, pages: list) -> str | None:  # noqa: ANN001
    """Write the searchable PDF of a scanned document into ``pdf_dir``; a note when it
    could not be written (the document's records are stored all the same), None when
    written or when the document has no pages to make one of (a text file)."""
    if source.kind == "text":
        return None
    from extract.errors import InputError as _InputError
    from extract.output import write_atomically
    from extract.searchable import searchable_pdf

    try:
        write_atomically(pdf_dir / pdf_name(path, source.sha256),
                         searchable_pdf(path, source.kind, pages))
    except _InputError as err:
        return f"searchable PDF not written: {err.message}"
    return None


def extract_bytes(path: str, data: bytes, lang: str, sha256: str) -> str:
    """Extract a document sent as bytes (a Dask task: the worker needs no shared disk),
    once its sha256 shows it arrived whole; the outcome, naming the original path, goes
    back as JSON text: plain data, which the client reads without unpickling anything."""
    if hashlib.sha256(data).hexdigest() != sha256:
        outcome = Outcome(path, None, "the file arrived damaged (its sha256 differs)", 0.0)
    else:
        with tempfile.TemporaryDirectory(prefix="batch-") as tmp:
            local = Path(tmp) / Path(path).name
            local.write_bytes(data)
            outcome = extract_one(str(local), lang, 1)
        outcome.path = path
        if outcome.record is not None:
            outcome.record.source.path = path
    return json.dumps({"path": outcome.path, "error": outcome.error,
                       "seconds": outcome.seconds,
                       "record": outcome.record.to_dict() if outcome.record else None},
                      ensure_ascii=False)


def outcome_from_worker(text: object, job: Job) -> Outcome:
    """The outcome a cluster worker sent for ``job``, checked: JSON of the expected shape,
    a record that reads as the contract's and is of the file that was sent (its sha256);
    anything else fails the document with one line, never runs or trusts it."""
    try:
        data = json.loads(text) if isinstance(text, str) else None
        if not isinstance(data, dict) or set(data) != {"path", "error", "seconds", "record"}:
            raise ValueError("not an outcome")
        record = Record.from_dict(data["record"]) if data["record"] is not None else None
        if record is not None and record.source.sha256 != job.sha256:
            raise ValueError("a record of another file")
        error = data["error"]
        if not (error is None or isinstance(error, str)) or (record is None) == (error is None):
            raise ValueError("neither a record nor an error line")
        seconds = float(data["seconds"])
    except (ValueError, TypeError, KeyError, AttributeError) as err:
        return Outcome(str(job.path), None, f"the cluster worker sent an invalid result ({err})",
                       0.0)
    if record is not None:
        record.source.path = str(job.path)
    return Outcome(str(job.path), record, error and error[:1000], seconds)


def _preload() -> None:
    """Load the pipeline's code and repair models once, in the parent: forked workers then
    share them instead of each loading its own copy. A model that fails to load is left to
    fail each document with its error line."""
    try:
        from extract.pipeline import extract_record  # noqa: F401 - imported to be shared
        from extract.repair import engine

        engine()
    except Exception:  # noqa: BLE001 - reported per document by extract_one
        return


def _worker_init(parent: int, folder: str) -> None:
    """A batch worker: dies with the batch and leaves signals to it (``init_worker``), and
    keeps its temporary files (Tesseract's page images) in the batch's scratch folder."""
    from extract.pipeline import init_worker

    init_worker(parent)
    tempfile.tempdir = folder


def run_local(jobs: list[Job], lang: str, workers: int,
              pdf_dir: str | None = None) -> Iterator[tuple[Job, Outcome]]:
    """Extract ``jobs`` in a process pool of ``workers``, yielding each as it finishes.

    At most ``workers`` documents are in flight, each read with one process; the last one
    may read its pages with ``workers`` processes, to use the cores that the documents still
    running leave free when they end. When a worker process dies (a crash, the
    out-of-memory killer), the documents that were in flight are run again one at a time,
    so that only the one that kills its worker is recorded as failed.
    """
    _preload()
    with scratch.scratch() as folder:
        yield from _run_pools(jobs, lang, workers, folder, pdf_dir)


def _run_pools(jobs: list[Job], lang: str, workers: int, folder: str,
               pdf_dir: str | None) -> Iterator[tuple[Job, Outcome]]:
    """``run_local``'s loop: a pool for the jobs, then a pool of one for each suspect."""
    pending, suspects = deque(jobs), deque()
    while pending or suspects:
        solo = bool(suspects)
        queue = suspects if solo else pending
        size = 1 if solo else min(workers, len(pending))
        pool = ProcessPoolExecutor(size, initializer=_worker_init,
                                   initargs=(os.getpid(), folder))
        running: dict[Future, Job] = {}
        try:
            while queue or running:
                while queue and len(running) < size:
                    job = queue.popleft()
                    # the last document gets the cores the others leave free as they end
                    page_workers = workers if solo or not queue else 1
                    running[pool.submit(extract_one, str(job.path), lang, page_workers,
                                        *([pdf_dir] if pdf_dir else []))] = job
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                broken = False
                for future in finished:
                    job = running.pop(future)
                    try:
                        outcome = future.result()
                    except BrokenProcessPool:
                        broken = True
                        if not solo:
                            suspects.append(job)
                            continue
                        outcome = Outcome(str(job.path), None, WORKER_DIED, 0.0)
                    yield job, outcome
                if broken:  # the pool is dead: what it was running is suspect
                    suspects.extend(running.values())
                    break
        finally:
            stop_pool(pool)


def run_dask(jobs: list[Job], lang: str, scheduler: str,
             security: object = None) -> Iterator[tuple[Job, Outcome]]:
    """Extract ``jobs`` as tasks on the Dask cluster at ``scheduler`` (with ``security``:
    distributed's TLS settings), yielding each as it finishes; files travel as bytes, so
    workers need the project but not the files, and results come back as checked JSON."""
    import logging

    from distributed import Client, as_completed

    # a result refused as not plain data is one failed document here, not Dask's traceback
    logging.getLogger("distributed.protocol").setLevel(logging.CRITICAL + 1)
    client = Client(scheduler, timeout=f"{DASK_CONNECT_SECONDS}s", security=security,
                    deserializers=["msgpack"])  # plain data only: nothing sent is unpickled
    pending = deque(jobs)
    in_flight: dict[str, Job] = {}
    limit = max(1, DASK_TASKS_PER_THREAD * sum(client.nthreads().values()))

    def submit() -> Future:
        job = pending.popleft()
        future = client.submit(extract_bytes, str(job.path), job.path.read_bytes(), lang,
                               job.sha256, key=f"extract-{job.sha256}-{uuid.uuid4().hex[:8]}",
                               pure=False)
        in_flight[future.key] = job
        return future

    queue = as_completed()
    try:
        for _ in range(min(limit, len(pending))):
            queue.add(submit())
        for future in queue:
            job = in_flight.pop(future.key)
            try:
                outcome = outcome_from_worker(future.result(), job)
            except Exception as err:  # noqa: BLE001 - a lost worker fails this document only
                outcome = Outcome(str(job.path), None,
                                  f"cluster task failed: {type(err).__name__}: {err}", 0.0)
            future.release()
            yield job, outcome
            if pending:
                queue.add(submit())
    finally:
        client.cancel(list(queue.futures), force=True)
        queue.clear()
        client.close()


TLS_FILES = ("cluster.pem", "cluster.key")  # made by the README's openssl command


def cluster_security(tls_dir: str | None) -> object:
    """distributed's mutual-TLS settings from ``tls_dir`` (its ``cluster.pem`` is both the
    certificate authority and the certificate of every party, ``cluster.key`` its key: only
    holders of the key can join or talk to the cluster), or None for a cluster on this
    machine reached in the clear."""
    if tls_dir is None:
        return None
    from distributed.security import Security

    pem, key = (str(Path(tls_dir) / name) for name in TLS_FILES)
    return Security(tls_ca_file=pem, require_encryption=True,
                    **{f"tls_{role}_{part}": value for role in ("client", "scheduler", "worker")
                       for part, value in (("cert", pem), ("key", key))})


def scheduler_problem(scheduler: str, tls_dir: str | None) -> str | None:
    """Why ``--scheduler`` (with ``--tls``) cannot be used, or None: a scheduler elsewhere
    must be reached over TLS (tls://, with the cluster's certificate), as file bytes and
    records cross the network; in the clear only one on this machine."""
    from urllib.parse import urlsplit

    parts = urlsplit(scheduler if "://" in scheduler else f"tcp://{scheduler}")
    if parts.scheme == "tls":
        if tls_dir is None:
            return "a tls:// scheduler needs --tls DIR (the cluster's certificate and key)"
        missing = [n for n in TLS_FILES if not (Path(tls_dir) / n).is_file()]
        return f"--tls {tls_dir}: no {', '.join(missing)} there" if missing else None
    if parts.scheme == "tcp" and parts.hostname in ("127.0.0.1", "localhost", "::1"):
        return None
    return ("a scheduler on another machine must be reached over TLS: tls://HOST:PORT with "
            "--tls DIR (README: A Dask cluster)")


def plan(files: list[Path], store: Store, retry_failed: bool,
         tally: Tally) -> tuple[list[Job], list[Job]]:
    """Split the files into (to extract, unreadable) and count the ones skipped: done
    before, failed before (unless ``retry_failed``) or the same content twice."""
    known = store.known()
    todo: list[Job] = []
    unreadable: list[Job] = []
    seen: set[str] = set()
    for job in map(hash_file, files):
        if job.sha256 is None:
            if str(job.path) in known.failed_paths and not retry_failed:
                tally.skipped += 1
                tally.failed_before += 1
            else:
                unreadable.append(job)
        elif job.sha256 in known.done or job.sha256 in seen:
            tally.skipped += 1
        elif job.sha256 in known.failed_sha and not retry_failed:
            tally.skipped += 1
            tally.failed_before += 1
        else:
            seen.add(job.sha256)
            todo.append(job)
    todo.sort(key=lambda j: -j.size)  # largest first: no long document left alone at the end
    return todo, unreadable


def _count(n: int, noun: str) -> str:
    """``n`` and ``noun``, plural when n is not 1."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _duration(seconds: float) -> str:
    """A duration for the summary: ``12.3s`` or ``4m05s``."""
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{seconds:.1f}s"


def summary(tally: Tally, seconds: float, db: str) -> str:
    """The end-of-batch lines for stderr: totals, then each failure with its error."""
    failed = f"{tally.failed} failed"
    if tally.failed_before:
        failed += f" (+{tally.failed_before} failed in an earlier run: --retry-failed)"
    lines = [f"batch: {tally.done} done, {tally.skipped} skipped, {failed}, {tally.pages} pages, "
             f"{tally.figures} figures, {_duration(seconds)} → {shown_db(db)}"]
    lines += [f"failed: {shown(e)}" for e in tally.errors]
    lines += [f"warning: {shown(n)}" for n in tally.notes]
    lines += [f"copy: {shown(c)} (counted once: its best-read copy)" for c in tally.copies]
    return "\n".join(lines)


def _store_outcome(store: Store, job: Job, outcome: Outcome, tally: Tally) -> None:
    """Write one finished document (or its failure) and count it. Only a record the
    database refuses for its content fails the document; a failure of the database itself
    (DatabaseError) ends the batch with nothing recorded, so a rerun retries it."""
    error = outcome.error
    if outcome.note:
        tally.notes.append(f"{job.path}: {outcome.note}")
    if outcome.record is not None:
        record = outcome.record
        counted = (record.source.pages,
                   len(record.figures) + sum(len(u.figures) for u in record.units))
        tally.writing = (job.sha256, *counted)
        try:
            doc_id = store.write_record(record, sha256=job.sha256, path=str(job.path),
                                        seconds=outcome.seconds)
            tally.stored[job.sha256] = counted
            others = store.copies_of(doc_id)
            if others:
                tally.copies.append(f"{job.path} is the same report as {', '.join(others)}")
            return
        except RecordRejected as err:
            error = f"cannot store its records: {err}"
    if store.write_failure(str(job.path), job.sha256, error or "unknown error",
                           seconds=outcome.seconds) is None:
        tally.skipped += 1  # the same content is done already: a failure never replaces it
        return
    tally.failed += 1
    tally.errors.append(f"{job.path}: {error}")


def convert(files: list[Path], store: Store, lang: str = "vie", workers: int | None = None,
            scheduler: str | None = None, retry_failed: bool = False, progress: bool = True,
            tally: Tally | None = None, pdf_dir: str | None = None,
            tls_dir: str | None = None) -> Tally:
    """Extract ``files`` into ``store`` (and with ``pdf_dir``, write the searchable PDF of
    each scanned one there); the library form of ``cli.py batch``."""
    tally = tally if tally is not None else Tally()
    todo, unreadable = plan(files, store, retry_failed, tally)
    for job in unreadable:
        _store_outcome(store, job, Outcome(str(job.path), None, job.error, 0.0), tally)
    if not todo:
        return tally
    workers = max(1, workers or len(os.sched_getaffinity(0)))
    where = f"on {scheduler}" if scheduler else f"with {_count(min(workers, len(todo)), 'worker')}"
    print(f"batch: {_count(len(files), 'file')}, {tally.skipped} skipped, {len(todo)} to "
          f"extract {where}", file=sys.stderr)
    results = run_dask(todo, lang, scheduler, cluster_security(tls_dir)) if scheduler else \
        run_local(todo, lang, workers, pdf_dir)
    bar = _progress(len(todo), progress)
    try:
        for job, outcome in results:
            _store_outcome(store, job, outcome, tally)
            bar(tally)
    finally:
        results.close()  # stops the workers when we leave early (Ctrl-C, database error)
        bar(None)
    return tally


def _progress(total: int, enabled: bool) -> Callable[[Tally | None], None]:
    """A progress callback: documents with ETA, pages and failures on stderr (None closes)."""
    if not enabled:
        return lambda _tally: None
    from tqdm import tqdm

    bar = tqdm(total=total, unit="doc", desc="batch", file=sys.stderr, dynamic_ncols=True)
    start = time.monotonic()

    def update(tally: Tally | None) -> None:
        if tally is None:
            bar.close()
            return
        rate = tally.pages / max(time.monotonic() - start, 1e-9)
        bar.set_postfix_str(f"{tally.pages} pages ({rate:.2f}/s), {tally.failed} failed",
                            refresh=False)
        bar.update()

    return update


def run_batch(args: argparse.Namespace) -> int:
    """``cli.py batch``: convert, print the summary; exit 1 when a document failed, 130 on
    Ctrl-C, 143 on SIGTERM (the summary first in both cases), 10 when the database fails
    (the summary, then its error line)."""
    from extract.ocr import resolve_lang

    start = time.monotonic()
    pdf_dir = getattr(args, "pdf_dir", None)
    tls_dir = getattr(args, "tls", None)
    problem = scheduler_problem(args.scheduler, tls_dir) if args.scheduler else None
    if problem:
        print(f"error: --scheduler {shown(args.scheduler)}: {problem}", file=sys.stderr)
        return EXIT_USAGE
    if pdf_dir and (args.scheduler or not Path(pdf_dir).is_dir() or
                    not os.access(pdf_dir, os.W_OK)):
        why = ("works with local workers only, not --scheduler" if args.scheduler
               else "is not a folder that can be written to")
        print(f"error: --pdf-dir {shown(pdf_dir)}: {why}", file=sys.stderr)
        return EXIT_USAGE
    files = collect(args.paths)
    lang = resolve_lang(args.lang)  # a wrong --lang is one error now, not one per document
    tally = Tally()
    with Store(args.db, writer_wait=WRITER_WAIT_SECONDS) as store:
        try:
            convert(files, store, lang=lang, workers=args.workers, scheduler=args.scheduler,
                    retry_failed=getattr(args, "retry_failed", False),
                    progress=not args.quiet, tally=tally, pdf_dir=pdf_dir, tls_dir=tls_dir)
        except KeyboardInterrupt as err:  # Ctrl-C, or SIGTERM (errors.Terminated)
            tally.settle(store)
            print(summary(tally, time.monotonic() - start, args.db), file=sys.stderr)
            print("batch: interrupted; every document written is complete, rerun to resume",
                  file=sys.stderr)
            return getattr(err, "exit_code", EXIT_INTERRUPTED)
        except DatabaseError:
            print(summary(tally, time.monotonic() - start, args.db), file=sys.stderr)
            raise
        except OSError as err:
            if args.scheduler:
                print(f"error: {args.scheduler}: cannot reach the Dask scheduler: {err}",
                      file=sys.stderr)
                return EXIT_USAGE
            raise
    print(summary(tally, time.monotonic() - start, args.db), file=sys.stderr)
    return EXIT_FAILED_DOCUMENTS if tally.failed or tally.failed_before else EXIT_OK
