"""``cli.py batch`` end to end on real files through the real pipeline: bad files recorded
and not fatal, reruns skip or retry, a changed file replaces its document, kill -9 and
Ctrl-C mid-batch leave only whole documents and the rerun completes the set, PostgreSQL,
a Dask LocalCluster, and one scanned PDF through Tesseract."""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from extract import batch, store as store_mod
from extract.errors import MissingInput
from extract.store import Store
from pg import pg_server, pg_url  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("cli", ROOT / "cli.py")
cli = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cli)
CHILD_TABLES = ("figures", "sections", "page_texts", "document_units")


def vn(n: int) -> str:
    """``n`` written the Vietnamese way: ``.`` between thousands."""
    return f"{n:,}".replace(",", ".")


def report_text(i: int, pages: int = 2) -> str:
    """A small made-up bloc report, different for each ``i``, pages split by form feeds."""
    year = 2015 + i % 9
    head = [
        "KHỐI THI ĐUA CÁC TỔ CHỨC HỘI CẤP TỈNH",
        f"Số: {i + 3}/BC-KTĐ",
        "BÁO CÁO",
        f"Tổng kết phong trào thi đua, công tác khen thưởng năm {year}",
        "I. KẾT QUẢ ĐẠT ĐƯỢC",
    ]
    body = []
    for p in range(pages):
        unit = "Hội Nông dân" if p % 2 == 0 else "Hội Cựu chiến binh"
        body.append("\n".join([
            f"{p + 1}. {unit}",
            f"Hội có {120 + i + p} chi hội với {vn(4_000 + 37 * i + p)} hội viên; vận động "
            f"được {2 + i},{p + 1} tỷ đồng xây dựng quỹ hội.",
            f"Tổ chức {15 + i} lớp tập huấn cho {vn(900 + 211 * i + p)} lượt người, đạt "
            f"{90 + i % 9},5% kế hoạch năm.",
        ]))
    return "\n".join(head) + "\n" + "\n\f".join(body) + "\n"


def write_reports(folder: Path, n: int, pages: int = 2) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"report_{i:02d}.txt"
        path.write_text(report_text(i, pages), encoding="utf-8")
        paths.append(path)
    return paths


def batch_cli(*args: str) -> int:
    return cli.main(["batch", "-q", *args])


def documents(db: str) -> list[tuple[str, str, str | None]]:
    """(path name, status, error) of every document, sorted."""
    with Store(db, create=False) as store, store.engine.connect() as conn:
        rows = conn.execute(select(store_mod.documents.c.path, store_mod.documents.c.status,
                                   store_mod.documents.c.error))
        return sorted((Path(p).name, s, e) for p, s, e in rows)


def figure_counts(db: str) -> dict[str, int]:
    """Figures per document (by sha256) of the done documents."""
    with Store(db, create=False) as store, store.engine.connect() as conn:
        d, f = store_mod.documents, store_mod.figures
        rows = conn.execute(select(d.c.sha256, func.count(f.c.id))
                            .select_from(d.outerjoin(f, f.c.document_id == d.c.id))
                            .where(d.c.status == "done").group_by(d.c.sha256))
        return dict(rows.all())


def orphans(db_file: Path) -> int:
    """Child rows whose document does not exist."""
    with sqlite3.connect(db_file) as conn:
        return sum(conn.execute(f"SELECT count(*) FROM {t} WHERE document_id NOT IN "
                                "(SELECT id FROM documents)").fetchone()[0] for t in CHILD_TABLES)


def test_collect_folders_globs_and_missing(tmp_path):
    write_reports(tmp_path / "a" / "deep", 2)
    (tmp_path / "a" / "notes.json").write_text("{}")
    (tmp_path / "b.txt").write_text(report_text(9))
    found = batch.collect([str(tmp_path / "a"), str(tmp_path / "*.txt"), str(tmp_path / "b.txt")])
    assert [p.name for p in found] == ["report_00.txt", "report_01.txt", "b.txt"]
    with pytest.raises(MissingInput, match="no such file"):
        batch.collect([str(tmp_path / "nope")])
    with pytest.raises(MissingInput, match="no file matches"):
        batch.collect([str(tmp_path / "*.pdf")])


def test_collect_keeps_links_that_lead_nowhere_and_reports_unreadable_folders(
        tmp_path, monkeypatch, capsys):
    docs = tmp_path / "docs"
    write_reports(docs / "sub", 1)
    (docs / "loop.txt").symlink_to(docs / "loop.txt")
    (docs / "gone.pdf").symlink_to(tmp_path / "nowhere.pdf")
    (docs / "up").symlink_to(docs)  # a linked folder: not followed, no cycle
    (docs / "locked").mkdir()
    scandir = os.scandir

    def denied(path="."):  # what a folder without read permission does (we may be root)
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", denied)
    found = batch.collect([str(docs)])
    assert [p.relative_to(docs.resolve()) if p.exists() else p for p in found] == [
        docs / "gone.pdf", docs / "loop.txt", Path("sub/report_00.txt")]
    assert capsys.readouterr().err.splitlines() == [
        f"warning: {docs / 'locked'}: cannot read this folder (Permission denied); "
        "its files are skipped"]
    gone, loop, good = map(batch.hash_file, found)
    assert gone.error.startswith("dangling symbolic link (to ") and gone.sha256 is None
    assert loop.error.startswith("symbolic link loop") and loop.sha256 is None
    assert good.error is None and good.sha256


def make_bad_files(folder: Path) -> None:
    """An empty file, a corrupt PDF, an encrypted PDF and a binary that is no document."""
    import pikepdf

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(2000))
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(folder / "encrypted.pdf", encryption=pikepdf.Encryption(owner="o", user="u"))
    (folder / "binary.png").write_bytes(b"\x00\x01\x02" * 500)


def test_bad_files_are_recorded_and_reruns_skip_or_retry(tmp_path, capsys):
    docs = tmp_path / "docs"
    good = write_reports(docs, 3)
    make_bad_files(docs)
    db = str(tmp_path / "bloc.db")

    assert batch_cli(str(docs), "--db", db, "--workers", "2") == 1
    rows = documents(db)
    assert [(n, s) for n, s, _ in rows] == [
        ("binary.png", "failed"), ("corrupt.pdf", "failed"), ("empty.txt", "failed"),
        ("encrypted.pdf", "failed"), ("report_00.txt", "done"), ("report_01.txt", "done"),
        ("report_02.txt", "done")]
    assert all(e and "\n" not in e for n, s, e in rows if s == "failed")
    assert "encrypt" in dict((n, e) for n, _, e in rows)["encrypted.pdf"].lower()
    err = capsys.readouterr().err
    assert "3 done, 0 skipped, 4 failed" in err
    assert err.count("failed: ") == 4
    figures_before = figure_counts(db)
    assert len(figures_before) == 3 and all(n > 0 for n in figures_before.values())

    # rerun: nothing to do; the earlier failures are reported, not retried
    assert batch_cli(str(docs), "--db", db) == 1
    assert "0 done, 7 skipped, 0 failed (+4 failed in an earlier run" in capsys.readouterr().err

    # fix one bad file and retry the failures
    (docs / "empty.txt").write_text(report_text(7), encoding="utf-8")
    assert batch_cli(str(docs), "--db", db, "--retry-failed") == 1
    assert "1 done, 3 skipped, 3 failed" in capsys.readouterr().err
    assert ("empty.txt", "done", None) in documents(db)

    # a changed file replaces its document; a copy of a done file is skipped
    good[0].write_text(report_text(42), encoding="utf-8")
    (docs / "copy.txt").write_bytes(good[1].read_bytes())
    assert batch_cli(str(docs / "report_00.txt"), str(docs / "copy.txt"), "--db", db) == 0
    assert "1 done, 1 skipped" in capsys.readouterr().err
    assert len(documents(db)) == 7
    assert orphans(Path(db)) == 0


def crash_on_crash_files(path: str, lang: str, page_workers: int, *more) -> batch.Outcome:
    """``extract_one``, except that a file named crash* kills its worker process."""
    if Path(path).name.startswith("crash"):
        os._exit(9)
    return EXTRACT_ONE(path, lang, page_workers, *more)


EXTRACT_ONE = batch.extract_one


def test_a_dying_worker_fails_only_its_document(tmp_path, monkeypatch, capsys):
    docs = tmp_path / "docs"
    write_reports(docs, 4)
    (docs / "crash.txt").write_text(report_text(5), encoding="utf-8")
    monkeypatch.setattr(batch, "extract_one", crash_on_crash_files)  # workers are forked
    db = str(tmp_path / "bloc.db")
    assert batch_cli(str(docs), "--db", db, "--workers", "2") == 1
    assert documents(db) == [("crash.txt", "failed", batch.WORKER_DIED)] + [
        (f"report_{i:02d}.txt", "done", None) for i in range(4)]
    assert "4 done, 0 skipped, 1 failed" in capsys.readouterr().err


def test_an_unexpected_error_is_one_recorded_line(tmp_path, monkeypatch, capsys):
    from extract import pipeline

    def buggy(path, *args, **kwargs):
        raise ValueError("first line\nsecond line")

    write_reports(tmp_path / "docs", 1)
    monkeypatch.setattr(pipeline, "read_repaired", buggy)  # workers are forked
    db = str(tmp_path / "bloc.db")
    assert batch_cli(str(tmp_path / "docs"), "--db", db) == 1
    assert documents(db) == [("report_00.txt", "failed", "internal error: ValueError: first line")]
    assert "Traceback" not in capsys.readouterr().err


def wait_for_done(db_file: Path, at_least: int, timeout: float = 120) -> int:
    """Poll the SQLite file until ``at_least`` documents are done; the count."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with sqlite3.connect(db_file, timeout=5) as conn:
                n = conn.execute("SELECT count(*) FROM documents WHERE status='done'").fetchone()[0]
            if n >= at_least:
                return n
        except sqlite3.OperationalError:
            pass  # not created yet
        time.sleep(0.02)
    raise AssertionError(f"batch did not reach {at_least} documents in {timeout}s")


def start_batch(folder: Path, db_file: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "batch", str(folder), "--db",
                             str(db_file), "--workers", "1", "-q"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


@pytest.fixture(scope="module")
def twenty(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    """20 text reports and the figures per document of one uninterrupted run."""
    root = tmp_path_factory.mktemp("twenty")
    write_reports(root / "docs", 20, pages=40)
    assert batch_cli(str(root / "docs"), "--db", str(root / "ref.db")) == 0
    return root / "docs", figure_counts(str(root / "ref.db"))


def test_kill_9_mid_batch_then_rerun_completes_exactly_once(twenty, tmp_path):
    folder, reference = twenty
    db_file = tmp_path / "bloc.db"
    proc = start_batch(folder, db_file)
    try:
        wait_for_done(db_file, 1)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the batch and its worker processes
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    with sqlite3.connect(db_file) as conn:
        done = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    assert 1 <= done < 20, "the kill came too late to test anything"
    # every document present after the kill is whole
    partial = figure_counts(str(db_file))
    assert all(partial[sha] == reference[sha] for sha in partial)

    assert batch_cli(str(folder), "--db", str(db_file)) == 0
    assert figure_counts(str(db_file)) == reference
    with sqlite3.connect(db_file) as conn:
        assert conn.execute("SELECT count(*), count(DISTINCT path) FROM documents").fetchone() \
            == (20, 20)
    assert orphans(db_file) == 0


def test_ctrl_c_stops_cleanly(twenty, tmp_path):
    folder, reference = twenty
    db_file = tmp_path / "bloc.db"
    proc = start_batch(folder, db_file)
    try:
        wait_for_done(db_file, 1)
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130
    assert "interrupted" in err and "Traceback" not in err
    partial = figure_counts(str(db_file))
    assert 1 <= len(partial) < 20
    assert all(partial[sha] == reference[sha] for sha in partial)
    assert orphans(db_file) == 0


def test_batch_into_postgresql(pg_url, tmp_path, capsys):
    docs = tmp_path / "docs"
    write_reports(docs, 3)
    make_bad_files(docs)
    assert batch_cli(str(docs), "--db", pg_url) == 1
    assert [s for _, s, _ in documents(pg_url)] == ["failed"] * 4 + ["done"] * 3
    assert batch_cli(str(docs), "--db", pg_url, "--retry-failed") == 1
    assert len(documents(pg_url)) == 7
    assert "0 done, 3 skipped, 4 failed" in capsys.readouterr().err
    assert cli.main(["export", "--db", pg_url, "--format", "jsonl"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == sum(figure_counts(pg_url).values()) > 0


def test_a_record_the_database_rejects_is_a_failed_document(pg_url, tmp_path):
    from test_store import make_record

    record = make_record(str(tmp_path / "r.txt"), "a" * 64, 2020)
    record.units[0].figures[0].measure = "hội\x00viên"  # PostgreSQL refuses NUL in text
    job = batch.Job(tmp_path / "r.txt", "a" * 64, 1)
    tally = batch.Tally()
    with Store(pg_url) as store:
        batch._store_outcome(store, job, batch.Outcome(str(job.path), record, None, 0.1), tally)
    assert (tally.done, tally.failed) == (0, 1)
    [(name, status, error)] = documents(pg_url)
    assert (name, status) == ("r.txt", "failed") and "cannot store its records" in error
    assert "\n" not in error


def test_a_failure_of_a_document_already_done_is_not_counted_or_stored(tmp_path):
    from test_store import make_record

    job = batch.Job(tmp_path / "r.txt", "a" * 64, 1)
    tally = batch.Tally()
    with Store(str(tmp_path / "bloc.db")) as store:
        store.write_record(make_record(str(job.path), "a" * 64, 2020))
        batch._store_outcome(store, job, batch.Outcome(str(job.path), None, batch.WORKER_DIED,
                                                       0.1), tally)
    assert (tally.done, tally.skipped, tally.failed, tally.errors) == (0, 1, 0, [])
    assert documents(str(tmp_path / "bloc.db")) == [("r.txt", "done", None)]


class _SignalAfterWrite(Store):
    """A store where Ctrl-C arrives just after (or just before) a record's commit."""

    committed = True

    def write_record(self, record, **kwargs):
        if self.committed:
            super().write_record(record, **kwargs)
        raise KeyboardInterrupt


@pytest.mark.parametrize("committed", [True, False])
def test_a_signal_between_commit_and_count_still_counts_what_was_written(tmp_path, committed):
    from test_store import make_record

    record = make_record(str(tmp_path / "r.txt"), "a" * 64, 2020)
    job = batch.Job(tmp_path / "r.txt", "a" * 64, 1)
    tally = batch.Tally()
    with _SignalAfterWrite(str(tmp_path / "bloc.db")) as store:
        store.committed = committed
        with pytest.raises(KeyboardInterrupt):
            batch._store_outcome(store, job, batch.Outcome(str(job.path), record, None, 0.1),
                                 tally)
        assert tally.done == 0
        tally.settle(store)
        figures = sum(len(u.figures) for u in record.units) + len(record.figures)
        assert (tally.done, tally.figures) == ((1, figures) if committed else (0, 0))
        tally.settle(store)  # settling twice counts it once
        assert tally.done == int(committed)


def test_dask_local_cluster_gives_the_same_records(tmp_path, capsys):
    from distributed import LocalCluster

    docs = tmp_path / "docs"
    write_reports(docs, 4)
    (docs / "empty.txt").write_bytes(b"")
    local, remote = str(tmp_path / "local.db"), str(tmp_path / "dask.db")
    assert batch_cli(str(docs), "--db", local) == 1
    capsys.readouterr()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        assert batch_cli(str(docs), "--db", remote, "--scheduler", cluster.scheduler_address) == 1
    assert "4 done, 0 skipped, 1 failed" in capsys.readouterr().err
    assert figure_counts(remote) == figure_counts(local)
    assert len(figure_counts(remote)) == 4
    assert documents(remote) == documents(local)


def test_dask_over_mutual_tls_and_never_in_the_clear_to_another_machine(tmp_path, capsys):
    """The README's openssl command makes the cluster's certificate; a TLS cluster gives
    the same records; a scheduler elsewhere in the clear, or tls:// without the
    certificate, is refused before anything is sent."""
    from distributed import LocalCluster

    tls = tmp_path / "tls"
    tls.mkdir()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=vn-report-extract cluster", "-keyout", str(tls / "cluster.key"),
                    "-out", str(tls / "cluster.pem")], check=True, capture_output=True)
    docs = tmp_path / "docs"
    write_reports(docs, 2)
    local, remote = str(tmp_path / "local.db"), str(tmp_path / "tls.db")
    assert batch_cli(str(docs), "--db", local) == 0
    for scheduler, extra in (("tcp://10.9.8.7:8786", []), ("tls://10.9.8.7:8786", []),
                             ("tls://10.9.8.7:8786", ["--tls", str(tmp_path)])):
        capsys.readouterr()
        assert batch_cli(str(docs), "--db", remote, "--scheduler", scheduler, *extra) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and err.startswith("error: --scheduler")
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, protocol="tls://",
                      dashboard_address=None, security=batch.cluster_security(str(tls))) as cluster:
        assert cluster.scheduler_address.startswith("tls://")
        assert batch_cli(str(docs), "--db", remote, "--scheduler", cluster.scheduler_address,
                         "--tls", str(tls)) == 0
    assert figure_counts(remote) == figure_counts(local)


class _Rigged:
    """What a hostile worker sends: an object that runs a shell command when unpickled."""

    def __init__(self, mark: str):
        self.mark = mark

    def __reduce__(self):
        return (os.system, (f"touch {self.mark}",))


def _hostile(path: str, data: bytes, lang: str, sha256: str) -> object:
    """A rigged worker's answer to an extraction task (runs on the cluster's workers)."""
    return _Rigged(str(Path(path).with_name("PWNED")))


def test_a_hostile_worker_cannot_run_code_in_the_batch(tmp_path, capsys, monkeypatch):
    import cloudpickle
    from distributed import LocalCluster

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import us
    write_reports(tmp_path / "docs", 1)
    monkeypatch.setattr(batch, "extract_bytes", _hostile)
    db = str(tmp_path / "bloc.db")
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        assert batch_cli(str(tmp_path / "docs"), "--db", db, "--scheduler",
                         cluster.scheduler_address) == 1
    assert not (tmp_path / "docs" / "PWNED").exists(), "the worker's object was unpickled"
    (name, status, error), = documents(db)
    assert status == "failed" and error.startswith("cluster task failed")
    assert "Traceback" not in capsys.readouterr().err


def test_a_worker_result_that_is_not_plain_checked_json_fails_only_its_document():
    job = batch.Job(Path("/r/a.txt"), "a" * 64, 10)
    for bad in (b"\x80pickle", "not json", '{"path": 1}', json.dumps(
            {"path": "x", "error": None, "seconds": 1, "record": {"source": {}}})):
        outcome = batch.outcome_from_worker(bad, job)
        assert outcome.record is None and "invalid result" in outcome.error
    good = json.loads(batch.extract_bytes("/r/a.txt", b"Hoi vien tich cuc thi dua cua Hoi nam 2020\n",
                                          "vie", "0" * 64))
    assert good["record"] is None and "damaged" in good["error"]


def test_unreachable_scheduler_is_one_error_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(batch, "DASK_CONNECT_SECONDS", 2)
    write_reports(tmp_path / "docs", 1)
    code = batch_cli(str(tmp_path / "docs"), "--db", str(tmp_path / "b.db"), "--scheduler",
                     "tcp://127.0.0.1:9")
    err = capsys.readouterr().err
    assert code == 2 and "cannot reach the Dask scheduler" in err and "Traceback" not in err


def test_scanned_pdf_goes_through_ocr(tmp_path, capsys):
    from extract.synth import degrade, pages_to_pdf, render_page

    lines = ["BÁO CÁO", "Tổng kết phong trào thi đua năm 2019", "1. Hội Nông dân",
             "Hội có 1.234 chi hội với 56.789 hội viên."]
    pdf = tmp_path / "scan.pdf"
    pages_to_pdf([degrade(render_page(lines), "clean300", seed=1)], pdf, "clean300")
    db = str(tmp_path / "bloc.db")
    assert batch_cli(str(pdf), "--db", db, "--workers", "1") == 0
    with sqlite3.connect(db) as conn:
        kind, method, pages = conn.execute("SELECT kind, method, pages FROM documents").fetchone()
        text = conn.execute("SELECT text FROM page_texts").fetchone()[0]
    assert (kind, method, pages) == ("pdf", "ocr", 1)
    assert "56.789" in text and "Hội" in text


def test_pdf_dir_gets_a_searchable_pdf_of_each_scanned_document(tmp_path, capsys):
    import hashlib

    import pdfplumber

    from extract.synth import degrade, pages_to_pdf, render_page

    lines = ["BÁO CÁO", "Tổng kết phong trào thi đua năm 2020", "Hội có 2.468 hội viên."]
    pdf = tmp_path / "in" / "scan.pdf"
    pdf.parent.mkdir()
    pages_to_pdf([degrade(render_page(lines), "bw200", seed=2)], pdf, "bw200")
    (tmp_path / "in" / "note.txt").write_text("Báo cáo của hội năm 2020 có 12 chi hội.\n",
                                              encoding="utf-8")
    out = tmp_path / "pdfs"
    db = str(tmp_path / "bloc.db")
    assert batch_cli(str(pdf), "--db", db, "--pdf-dir", str(out)) == 2  # no such folder yet
    out.mkdir()
    assert batch_cli(str(tmp_path / "in"), "--db", db, "--pdf-dir", str(out),
                     "--workers", "1") == 0
    sha = hashlib.sha256(pdf.read_bytes()).hexdigest()
    made = sorted(p.name for p in out.iterdir())
    assert made == [f"scan-{sha[:8]}.pdf"]  # the text file has no pages to make one of
    with pdfplumber.open(out / made[0]) as searchable:
        assert "2.468 hội viên" in searchable.pages[0].extract_text()
    assert "--pdf-dir" in capsys.readouterr().err


def test_copies_of_one_report_are_counted_once(tmp_path, capsys):
    """One report as a bw200 scan, an office scan and archive OCR text, beside another
    report: export gives each report's figures once, units names each unit once, and the
    summary and units say which files are copies."""
    import shutil

    samples = Path(__file__).resolve().parents[1] / "samples"
    one = "quangngai_2023_lmhtx"
    files = [samples / "scans" / "bw200" / f"{one}.pdf", samples / "scans" / "office" / f"{one}.pdf",
             samples / "archive" / f"{one}.txt", samples / "archive" / "binhdinh_2021_khoi_dacthu.txt"]
    folder = tmp_path / "archive"
    folder.mkdir()
    for n, path in enumerate(files):
        shutil.copy(path, folder / f"{n}_{path.name}")
    db = str(tmp_path / "bloc.db")
    assert batch_cli(str(folder), "--db", db) == 0
    err = capsys.readouterr().err
    assert err.count("copy: ") == 2 and "binhdinh" not in err.split("copy: ", 1)[1]
    with Store(db, create=False) as store:
        rows = store.figure_rows()
        reports = {r["document"] for r in rows}
        assert len(reports) == 2  # two reports, whatever the number of files
        best = next(d for d in reports if one in d)
        assert "office" not in best and not best.endswith(".txt")  # the best-read copy
        groups = store.copies()
    assert len(groups) == 1 and len(groups[0]) == 3 and groups[0][0] == best
    truth = json.loads((samples / "truth" / f"{one}.json").read_text(encoding="utf-8"))
    stated = len(truth["figures"]) + sum(len(u["figures"]) for u in truth["units"])
    assert len([r for r in rows if r["document"] == best]) <= stated + 5
    store_mod.run_units(argparse.Namespace(db=db))
    listing = capsys.readouterr().out
    assert "copies of one report" in listing and best in listing.split("copies of one report")[1]


def test_bench_table_times_one_and_two_workers(tmp_path):
    from extract.bench import batch as bench

    write_reports(tmp_path / "seeds", 3)
    table = bench.run(tmp_path, quick=False).splitlines()
    assert table[1].split() == ["workers", "documents", "failed", "pages", "seconds", "pages/s",
                                "speed-up"]
    rows = [line.split() for line in table[2:]]
    assert [r[:4] for r in rows] == [["1", "3", "0", "6"], ["2", "3", "0", "6"]]
    assert rows[0][-1] == "1.00" and float(rows[1][-1]) > 0
