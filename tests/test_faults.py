"""Fault injection on the real ``cli.py batch`` in subprocesses, in the spirit of OCRmyPDF's:
``kill -9`` of the batch parent at random points, SIGTERM, Ctrl-C twice, two batches on one
database (SQLite and PostgreSQL), PostgreSQL ending every session mid-batch (a restart) or
going away for good (through a TCP proxy the test cuts), and odd files. After each, a plain rerun must leave every
document stored exactly once, none failed that was not the document's fault, no worker
process alive and no scratch folder left.

The default run takes a bounded sample of kill points (``KILL_TRIALS``); ``-m slow`` runs
``SLOW_KILL_TRIALS`` more.
"""
from __future__ import annotations

import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest
from sqlalchemy import func, select

from extract import store as store_mod
from extract.store import Store
from pg import pg_server, pg_url  # noqa: F401 - fixtures
from test_batch import ROOT, batch_cli, figure_counts, orphans, wait_for_done, write_reports
from test_ingest import image_bomb_pdf, inflate_bomb_pdf, looping_pdf, truncated_png

KILL_TRIALS = 3
SLOW_KILL_TRIALS = 17
# How long the batch and all its processes may take to be gone after a signal.
STOP_SECONDS = 2.0


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    """20 text reports (one long one, read first, so that a signal finds a worker mid
    document) and the figures per document of one uninterrupted run."""
    root = tmp_path_factory.mktemp("corpus")
    write_reports(root / "docs", 19, pages=40)
    write_reports(root / "long", 1, pages=400)
    (root / "long" / "report_00.txt").rename(root / "docs" / "long.txt")
    assert batch_cli(str(root / "docs"), "--db", str(root / "ref.db"), "--workers", "2") == 0
    return root / "docs", figure_counts(str(root / "ref.db"))


def start(folder: Path, db: str, *extra: str) -> subprocess.Popen:
    """``cli.py batch FOLDER --db DB --workers 2`` in its own session (so that a test can
    signal its whole group as a terminal would)."""
    env = dict(os.environ, OMP_THREAD_LIMIT="1",
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    return subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "batch", str(folder), "--db",
                             db, "--workers", "2", "-q", *extra], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def family(proc: subprocess.Popen, timeout: float = 30) -> list[psutil.Process]:
    """The batch's descendants once its worker processes have started."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kids = psutil.Process(proc.pid).children(recursive=True)
        if len(kids) >= 2:
            return kids
        time.sleep(0.02)
    raise AssertionError("the batch started no worker processes")


def gone_within(processes: list[psutil.Process], seconds: float) -> list[psutil.Process]:
    """The processes still alive (zombies count as gone) after waiting ``seconds``."""
    deadline = time.monotonic() + seconds
    alive = processes
    while alive and time.monotonic() < deadline:
        alive = [p for p in alive if _running(p)]
        time.sleep(0.02)
    return [p for p in alive if _running(p)]


def running(proc: subprocess.Popen, wait: Callable[[], list[psutil.Process]]
            ) -> list[psutil.Process]:
    """``wait()``'s processes of a batch that is running; a batch whose wait fails (or
    times out) is killed before the failure goes on."""
    try:
        return wait()
    except BaseException:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise


def stopped(proc: subprocess.Popen, kids: list[psutil.Process],
            sent: float) -> tuple[str, float, list[psutil.Process]]:
    """Wait for a signalled batch to end: (its stderr, seconds since the signal was sent at
    ``sent``, its processes still alive); a batch that hangs is killed."""
    try:
        _, err = proc.communicate(timeout=30)
        return err, time.monotonic() - sent, gone_within(kids, 0.1)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


def _running(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def scratch_of(pid: int) -> list[Path]:
    """The scratch folders a batch with this pid left."""
    return list(Path(tempfile.gettempdir()).glob(f"vnextract-{pid}-*"))


def stored(db: str) -> tuple[int, int, int]:
    """(documents, distinct paths, failed) in the database."""
    with Store(db, create=False) as store, store.engine.connect() as conn:
        d = store_mod.documents
        return conn.execute(select(func.count(), func.count(d.c.path.distinct()),
                                   func.count().filter(d.c.status == "failed"))).one()


def assert_complete(db: str, reference: dict[str, int]) -> None:
    """Every document done exactly once, with the figures of an uninterrupted run."""
    assert figure_counts(db) == reference
    assert stored(db) == (len(reference), len(reference), 0)


def kill_trial(corpus: tuple[Path, dict[str, int]], tmp_path: Path, seed: int) -> None:
    """Kill -9 the batch parent (only it) after a random number of documents, then check
    that its workers die with it and that a plain rerun completes the set."""
    folder, reference = corpus
    rng = random.Random(seed)
    db_file = tmp_path / "bloc.db"
    proc = start(folder, str(db_file))
    try:
        kids = family(proc)
        done = rng.randrange(0, len(reference) // 2)
        if done:
            wait_for_done(db_file, done)
        time.sleep(rng.uniform(0, 0.1))
        proc.kill()
        proc.communicate()
        assert gone_within(kids, STOP_SECONDS) == [], "worker processes outlived the batch"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    if db_file.exists():
        partial = figure_counts(str(db_file))
        assert all(partial[sha] == reference[sha] for sha in partial)  # only whole ones
    assert scratch_of(proc.pid)  # a kill -9 leaves it …
    assert batch_cli(str(folder), "--db", str(db_file)) == 0
    assert scratch_of(proc.pid) == []  # … and the next batch removes it
    assert_complete(str(db_file), reference)
    assert orphans(db_file) == 0
    with sqlite3.connect(db_file) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.mark.parametrize("seed", range(KILL_TRIALS))
def test_kill_9_of_the_parent_kills_its_workers_and_the_rerun_completes(corpus, tmp_path, seed):
    kill_trial(corpus, tmp_path, seed)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(KILL_TRIALS, KILL_TRIALS + SLOW_KILL_TRIALS))
def test_kill_9_at_more_random_points(corpus, tmp_path, seed):
    kill_trial(corpus, tmp_path, seed)


@pytest.mark.parametrize("how, code", [("SIGTERM", 143), ("Ctrl-C twice", 130)])
def test_a_signal_stops_everything_quickly_with_the_summary(corpus, tmp_path, how, code):
    folder, reference = corpus
    db_file = tmp_path / "bloc.db"
    proc = start(folder, str(db_file))
    kids = running(proc, lambda: (family(proc), wait_for_done(db_file, 2))[0])
    sent = time.monotonic()
    if how == "SIGTERM":
        proc.send_signal(signal.SIGTERM)  # the parent only, as a service manager does
    else:  # a terminal sends SIGINT to the whole foreground group
        os.killpg(proc.pid, signal.SIGINT)
        time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGINT)
    err, took, still = stopped(proc, kids, sent)
    assert proc.returncode == code, err
    assert took < STOP_SECONDS, f"exit came {took:.2f}s after the signal"
    assert still == []
    assert "Traceback" not in err and "interrupted" in err
    done = len(figure_counts(str(db_file)))
    assert 2 <= done < len(reference)
    assert f"batch: {done} done, 0 skipped, 0 failed" in err  # the summary of what was done
    assert scratch_of(proc.pid) == []
    assert batch_cli(str(folder), "--db", str(db_file)) == 0
    assert_complete(str(db_file), reference)


def two_batches(folder: Path, db: str) -> list[tuple[int, str]]:
    """Two batches of the same folder on the same database, started together."""
    procs = [start(folder, db) for _ in range(2)]
    try:
        return [(p.wait(120), p.communicate()[1]) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)


def test_two_batches_on_one_sqlite_database(corpus, tmp_path):
    folder, reference = corpus
    db = str(tmp_path / "bloc.db")  # new: both also race to create the schema
    results = two_batches(folder, db)
    assert [code for code, _ in results] == [0, 0], results
    assert sum("another batch is writing" in err for _, err in results) == 1
    assert any(f"0 done, {len(reference)} skipped, 0 failed" in err for _, err in results)
    assert_complete(db, reference)


def test_two_batches_on_one_postgresql_database(corpus, pg_url):
    folder, reference = corpus
    results = two_batches(folder, pg_url)
    assert [code for code, _ in results] == [0, 0], results
    assert any(f"0 done, {len(reference)} skipped, 0 failed" in err for _, err in results)
    assert_complete(pg_url, reference)


def test_a_batch_that_cannot_get_the_lock_refuses_in_one_line(tmp_path, monkeypatch, capsys):
    from extract import batch

    write_reports(tmp_path / "docs", 2)
    db = str(tmp_path / "bloc.db")
    monkeypatch.setattr(batch, "WRITER_WAIT_SECONDS", 0.5)
    with Store(db, writer_wait=0):
        assert batch_cli(str(tmp_path / "docs"), "--db", db) == 10
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "another batch" in errors[0] and f"process {os.getpid()}" in errors[0]
    assert stored(db) == (0, 0, 0)


class Proxy:
    """A TCP proxy from a local port to ``target``: the database 'server' a test can take
    down (every connection cut, nothing listening) and bring back on the same port."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.listener: socket.socket | None = None
        self.sockets: list[socket.socket] = []

    def up(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port), reuse_port=True)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def down(self) -> None:
        self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() (close alone does not)
        self.listener.close()
        for sock in self.sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        self.sockets = []

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed: down
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for sock in (src, dst):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def test_postgresql_going_away_mid_batch_ends_it_in_one_line_and_the_rerun_finishes(
        corpus, pg_url):
    folder, reference = corpus
    host, rest = pg_url.split("@", 1)[1].split(":", 1)
    port, name = rest.split("/", 1)
    proxy = Proxy((host, int(port)))
    proxy.up()
    through = f"postgresql://postgres@127.0.0.1:{proxy.port}/{name}"
    proc = start(folder, through)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not figure_counts_or_none(pg_url):
            time.sleep(0.05)
        proxy.down()  # the server stops, and stays down
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 10, err
    lines = err.splitlines()
    assert [line for line in lines if line.startswith("error:")] == [lines[-1]]
    assert "Traceback" not in err
    done, _, failed = stored(pg_url)
    assert 1 <= done < len(reference) and failed == 0  # nothing blamed on the documents
    proxy.up()  # the server is back: a plain rerun finishes the job
    assert batch_cli(str(folder), "--db", through) == 0
    proxy.down()
    assert_complete(pg_url, reference)


def test_postgresql_dropping_every_connection_mid_batch_loses_nothing(corpus, pg_url):
    import psycopg

    folder, reference = corpus
    proc = start(folder, pg_url)
    try:
        for at_least in (1, 6):  # twice, as a server restart does: every session ends
            deadline = time.monotonic() + 60
            while len(figure_counts_or_none(pg_url) or ()) < at_least:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.02)
            with psycopg.connect(pg_url, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                              "datname = current_database() AND pid <> pg_backend_pid()")
        # Once the batch has written again, it holds the writer lock again: a second
        # writer is still kept out, as before the restart.
        while len(figure_counts_or_none(pg_url) or ()) < 7:
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.02)
        assert proc.poll() is None, "the batch ended before the lock could be checked"
        with pytest.raises(store_mod.DatabaseError, match="another batch"):
            Store(pg_url, writer_wait=0)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0, err
    assert_complete(pg_url, reference)


def figure_counts_or_none(db: str) -> dict[str, int] | None:
    """``figure_counts`` of a database that may not have its schema yet."""
    try:
        return figure_counts(db)
    except Exception:  # noqa: BLE001 - not created yet
        return None


def test_odd_files_are_one_line_each_and_never_stop_the_batch(tmp_path, page_image, capsys):
    docs = tmp_path / "docs"
    write_reports(docs, 2)
    (docs / "loop.pdf").symlink_to(docs / "loop.pdf")
    (docs / "a.txt").symlink_to(docs / "b.txt")
    (docs / "b.txt").symlink_to(docs / "a.txt")
    (docs / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    image_bomb_pdf(docs / "image-bomb.pdf", rows=1)
    inflate_bomb_pdf(docs / "inflate-bomb.pdf")
    looping_pdf(docs / "page-tree.pdf")
    truncated_png(docs / "cut.png", page_image)
    (tmp_path / "alone").symlink_to(tmp_path / "alone")  # named directly, and by a glob
    db = str(tmp_path / "bloc.db")
    assert batch_cli(str(docs), str(tmp_path / "alone"), str(tmp_path / "al*"), "--db", db) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    failed = [line for line in err.splitlines() if line.startswith("failed: ")]
    reasons = {Path(line.split(": ")[1]).name: line for line in failed}
    assert len(failed) == len(reasons) == 9, failed
    for name in ("loop.pdf", "a.txt", "b.txt", "alone"):
        assert "symbolic link loop" in reasons[name]
    assert "dangling symbolic link" in reasons["gone.txt"]
    assert "decompression bomb guard" in reasons["image-bomb.pdf"]
    assert "decompression bomb guard" in reasons["inflate-bomb.pdf"]
    assert "page tree contains itself" in reasons["page-tree.pdf"]
    assert "unreadable image" in reasons["cut.png"]
    assert "2 done, 0 skipped, 9 failed" in err
    assert stored(db) == (11, 11, 9)


@pytest.fixture(scope="module")
def scans(tmp_path_factory) -> Path:
    """A folder with one 2-page image-only PDF, each page 30 lines: Tesseract takes a few
    seconds on each, so that a signal finds it at work."""
    from extract.synth import degrade, pages_to_pdf, render_page

    folder = tmp_path_factory.mktemp("scans")
    lines = [f"Hội có {100 + i} chi hội với {i}.234 hội viên, đạt {90 + i % 9}% kế hoạch năm."
             for i in range(30)]
    pages = [degrade(render_page(lines), "clean300", seed=n) for n in range(2)]
    pages_to_pdf(pages, folder / "scan.pdf", "clean300")
    return folder


def wait_for_ocr(proc: subprocess.Popen, timeout: float = 60) -> list[psutil.Process]:
    """The batch's descendants once its page workers are at work: two of them, grandchildren
    of the batch, each past a quarter second of CPU (loading Tesseract, reading a page)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kids = psutil.Process(proc.pid).children(recursive=True)
        if sum(_ppid(k) not in (proc.pid, None) and _cpu(k) > 0.25 for k in kids) >= 2:
            return kids
        time.sleep(0.02)
    raise AssertionError("no page worker at work")


def _cpu(proc: psutil.Process) -> float:
    try:
        times = proc.cpu_times()
    except psutil.NoSuchProcess:
        return 0.0
    return times.user + times.system


def _ppid(proc: psutil.Process) -> int | None:
    try:
        return proc.ppid()
    except psutil.NoSuchProcess:
        return None


def test_sigterm_during_ocr_ends_the_page_workers(scans, tmp_path):
    db_file = tmp_path / "bloc.db"
    proc = start(scans, str(db_file))  # one document: its pages read by a pool of 2
    kids = running(proc, lambda: wait_for_ocr(proc))
    assert len(kids) >= 3  # the batch worker and its page workers
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    err, took, still = stopped(proc, kids, sent)
    assert proc.returncode == 143, err
    assert took < STOP_SECONDS and still == [], (took, still)
    assert "batch: 0 done, 0 skipped, 0 failed" in err and "Traceback" not in err
    assert scratch_of(proc.pid) == []


def test_kill_9_during_ocr_kills_the_page_workers(scans, tmp_path):
    db_file = tmp_path / "bloc.db"
    proc = start(scans, str(db_file))
    try:
        kids = wait_for_ocr(proc)
        proc.kill()
        proc.communicate()
        assert len(kids) >= 3 and gone_within(kids, STOP_SECONDS) == []
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert batch_cli(str(scans), "--db", str(db_file), "--workers", "2") == 0
    assert stored(str(db_file)) == (1, 1, 0)
