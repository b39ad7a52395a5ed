"""The bloc database on a real SQLite file and a real PostgreSQL server: idempotent import,
replacement, rollback of a document whose write fails midway, failures recorded (never over
a done document), the schema version guard, the one-writer lock, schema creation by several
processes at once, a dropped connection retried, and export/units round trips through the
CLI functions."""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from extract import store as store_mod
from extract.errors import DatabaseError
from extract.records import (Bloc, DocumentInfo, Figure, Group, PageText, Record, Section,
                             Source, Unit)
from extract.store import Store
from pg import pg_server, pg_url  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parent.parent
LS = " tỉnh Lạng Sơn"  # the province make_record's units belong to (its place)
TABLES = (store_mod.documents, store_mod.sections, store_mod.figures, store_mod.page_texts,
          store_mod.document_units)


def make_record(path: str, sha: str, year: int, scale: int = 1) -> Record:
    """A two-unit report whose figures depend on ``scale`` (so versions differ)."""
    def fig(value, measure, page, line, qualifier=None):
        return Figure(value=value, measure=measure, text=f"có {value} {measure}", page=page,
                      line=line, confidence=0.9, qualifier=qualifier)

    return Record(
        source=Source(path=path, sha256=sha, kind="text", pages=2, method="text"),
        document=DocumentInfo(issuer="Khối thi đua các tổ chức hội", number="12/BC-KTĐ",
                              place="Lạng Sơn", date=f"{year}-12-10", year=year,
                              doc_type="BÁO CÁO", title=f"Tổng kết năm {year}"),
        bloc=Bloc(name="Khối thi đua các tổ chức hội", member_count=3, head="Hội Nông dân",
                  deputy_head="Hội Cựu chiến binh",
                  groups=[Group(1, "Hội Nông dân", ["Hội Nông dân", "Hội Người cao tuổi"])]),
        sections=[Section("I", "KẾT QUẢ", 1, 1, 3), Section("1", "Hội Nông dân", 2, 1, 5),
                  Section("2", "Hội Cựu chiến binh", 2, 2, 1)],
        units=[Unit("1", "Hội Nông dân", [fig(1200 * scale, "hội viên", 1, 6, "trên"),
                                         fig(13.1, "tỷ đồng", 1, 7)]),
               Unit("2", "Hội Cựu chiến binh", [fig(98.7, "%", 2, 2)])],
        figures=[fig(3, "đơn vị", 1, 2, "gồm")],
        pages=[PageText(1, "trang một"), PageText(2, "trang hai")],
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path) -> str:
    """A fresh database: a SQLite file, or a new database on the test PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "bloc.db")
    return request.getfixturevalue("pg_url")


def counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in TABLES}


def test_same_file_twice_is_one_document(db):
    with Store(db) as store:
        store.write_record(make_record("a/r.txt", "a" * 64, 2020))
        first = counts(store)
        store.write_record(make_record("a/r.txt", "a" * 64, 2020))
        store.write_record(make_record("copy/r.txt", "a" * 64, 2020))  # same content elsewhere
        assert counts(store) == first
        assert first == {"documents": 1, "sections": 3, "figures": 4, "page_texts": 2,
                         "document_units": 7}
        rows = store.figure_rows()
    assert [(r["unit"], r["value"], r["measure"]) for r in rows] == [
        (None, 3, "đơn vị"), ("Hội Nông dân" + LS, 1200, "hội viên"),
        ("Hội Nông dân" + LS, 13.1, "tỷ đồng"), ("Hội Cựu chiến binh" + LS, 98.7, "%")]
    # each figure points at the heading it stands under
    assert [r["section"] for r in rows] == [None, "1", "1", "2"]


def test_changed_file_replaces_its_records(db):
    with Store(db) as store:
        store.write_record(make_record("r.txt", "a" * 64, 2020))
        store.write_record(make_record("other.txt", "b" * 64, 2021))
        store.write_record(make_record("r.txt", "c" * 64, 2020, scale=2))
        assert counts(store)["documents"] == 2
        with store.engine.connect() as conn:
            shas = set(conn.execute(select(store_mod.documents.c.sha256)).scalars())
        assert shas == {"b" * 64, "c" * 64}
        values = [r["value"] for r in store.figure_rows(year=2020) if r["measure"] == "hội viên"]
        assert values == [2400]


def test_failure_mid_document_rolls_back_everything(db, monkeypatch):
    with Store(db) as store:
        store.write_record(make_record("r.txt", "a" * 64, 2020))
        before = counts(store)
        before_rows = store.figure_rows()

        def boom(*args, **kwargs):
            raise RuntimeError("disk on fire")

        # documents, units and sections are written by then; figures are not
        monkeypatch.setattr(store_mod, "_figure_rows", boom)
        with pytest.raises(RuntimeError):
            store.write_record(make_record("r.txt", "d" * 64, 2020, scale=3))
        with pytest.raises(RuntimeError):
            store.write_record(make_record("new.txt", "e" * 64, 2022))
        assert counts(store) == before
        assert store.figure_rows() == before_rows
        with store.engine.connect() as conn:
            assert conn.execute(select(store_mod.documents.c.sha256)).scalars().all() == ["a" * 64]


def test_failed_document_is_recorded_then_replaced(db):
    with Store(db) as store:
        store.write_failure("bad.pdf", "f" * 64, "corrupt or unreadable PDF", kind="pdf")
        store.write_failure("locked.pdf", None, "permission denied")
        known = store.known()
        assert known.failed_sha == {"f" * 64} and known.failed_paths == {"locked.pdf"}
        assert known.done == set()
        assert store.figure_rows() == []
        store.write_record(make_record("bad.pdf", "9" * 64, 2020))  # the file was fixed
        known = store.known()
        assert known.done == {"9" * 64} and known.failed_sha == set()
        assert counts(store)["documents"] == 2


def test_newer_schema_is_refused_in_one_line(db):
    with Store(db) as store:
        with store.engine.begin() as conn:
            conn.execute(update(store_mod.schema_version).values(version=99))
    with pytest.raises(DatabaseError) as err:
        Store(db)
    assert "schema version 99 is newer" in str(err.value)
    assert "\n" not in str(err.value)


def test_bad_database_is_one_error_line(tmp_path):
    with pytest.raises(DatabaseError, match="no such database"):
        Store(str(tmp_path / "missing.db"), create=False)
    with pytest.raises(DatabaseError, match="cannot open"):
        Store("nosuchdialect://x/y")
    with pytest.raises(DatabaseError) as err:
        Store(str(tmp_path / "no" / "dir" / "bloc.db"))
    assert "\n" not in str(err.value)


def export(db: str, fmt: str, capsys, **kw) -> str:
    args = argparse.Namespace(db=db, format=fmt, year=kw.get("year"), unit=kw.get("unit"),
                              output=None)
    assert store_mod.run_export(args) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_export_round_trip(db, fmt, capsys):
    record = make_record("r.txt", "a" * 64, 2020)
    with Store(db) as store:
        store.write_record(record)
        store.write_record(make_record("s.txt", "b" * 64, 2021, scale=5))
    out = export(db, fmt, capsys, year=2020)
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        got = [(r["unit"] or None, float(r["value"]), r["measure"], r["qualifier"] or None,
                int(r["page"]), int(r["line"]), float(r["confidence"]), r["text"]) for r in rows]
    else:
        rows = json.loads(out) if fmt == "json" else [json.loads(x) for x in out.splitlines()]
        got = [(r["unit"], r["value"], r["measure"], r["qualifier"], r["page"], r["line"],
                r["confidence"], r["text"]) for r in rows]
    want = [(None, f.value, f.measure, f.qualifier, f.page, f.line, f.confidence, f.text)
            for f in record.figures]
    want += [(u.name + LS, f.value, f.measure, f.qualifier, f.page, f.line, f.confidence,
              f.text) for u in record.units for f in u.figures]
    assert sorted(got, key=str) == sorted(want, key=str)
    assert {r["year"] for r in rows} == ({"2020"} if fmt == "csv" else {2020})


def test_export_by_fuzzy_unit_and_units_table(db, capsys):
    with Store(db) as store:
        store.write_record(make_record("r.txt", "a" * 64, 2020))
        store.write_record(make_record("s.txt", "b" * 64, 2021, scale=5))
    rows = json.loads(export(db, "json", capsys, unit="hoi nong  dan"))  # no diacritics
    assert [(r["year"], r["value"]) for r in rows] == [(2020, 1200), (2020, 13.1),
                                                       (2021, 6000), (2021, 13.1)]
    args = argparse.Namespace(db=db, format="json", year=None, unit="Hội Phụ nữ xyz", output=None)
    assert store_mod.run_export(args) != 0
    assert "matches no unit" in capsys.readouterr().err
    args.unit = "hoi"
    assert store_mod.run_export(args) != 0
    assert (f"is ambiguous: Hội Cựu chiến binh{LS}; Hội Người cao tuổi{LS}; Hội Nông dân{LS}"
            in capsys.readouterr().err)
    assert len(json.loads(export(db, "json", capsys, unit="Nông dân"))) == 4

    assert store_mod.run_units(argparse.Namespace(db=db)) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["reports", "figures", "unit"]
    assert [line.split("  (also:")[0].split(None, 2) for line in table[1:]] == [
        ["2", "2", "Hội Cựu chiến binh" + LS], ["2", "0", "Hội Người cao tuổi" + LS],
        ["2", "4", "Hội Nông dân" + LS]]
    assert f"(also: CCB{LS}; Hội CCB{LS}" in table[1]  # the unit registry's, in its province


def test_unit_spelling_variant_becomes_alias(db, capsys):
    with Store(db) as store:
        store.write_record(make_record("r.txt", "a" * 64, 2020))
        other = make_record("s.txt", "b" * 64, 2021)
        other.units[0].name = "Hội nông  dân"
        other.units[1].name = "Hội CCB tỉnh Lạng Sơn"
        store.write_record(other)
        rows = {name: (nd, nf, aliases) for name, nd, nf, aliases in store.unit_counts()}
    assert set(rows) == {n + LS for n in ("Hội Nông dân", "Hội Cựu chiến binh",
                                          "Hội Người cao tuổi")}
    farmers, veterans = rows["Hội Nông dân" + LS], rows["Hội Cựu chiến binh" + LS]
    assert farmers[:2] == (2, 4) and "Hội nông dân" + LS in farmers[2]
    assert veterans[:2] == (2, 2) and "Hội CCB tỉnh Lạng Sơn" in veterans[2]
    # the registry's aliases of a unit make it findable by them
    rows = json.loads(export(db, "json", capsys, unit="CCB"))
    assert {r["unit"] for r in rows} == {"Hội Cựu chiến binh" + LS} and len(rows) == 2


def test_units_of_two_provinces_are_two_units(db, capsys):
    with Store(db) as store:
        store.write_record(make_record("ls.txt", "a" * 64, 2020))
        other = make_record("tb.txt", "b" * 64, 2020, scale=3)
        other.document.issuer = "Khối thi đua các hội quần chúng tỉnh Thái Bình"
        other.document.place = "Thái Bình"
        store.write_record(other)
        names = {name for name, *_ in store.unit_counts()}
    assert {"Hội Nông dân tỉnh Lạng Sơn", "Hội Nông dân tỉnh Thái Bình"} <= names
    rows = json.loads(export(db, "json", capsys, unit="hoi nong dan tinh thai binh"))
    assert {(r["unit"], r["value"]) for r in rows if r["measure"] == "hội viên"} == {
        ("Hội Nông dân tỉnh Thái Bình", 3600)}
    args = argparse.Namespace(db=db, format="json", year=None, unit="Hội Nông dân", output=None)
    assert store_mod.run_export(args) != 0  # both provinces' unit: say which
    assert "is ambiguous" in capsys.readouterr().err


def test_export_never_overwrites_the_database_and_neutralises_formulas(tmp_path, capsys):
    db = str(tmp_path / "bloc.db")
    record = make_record("r.txt", "a" * 64, 2020)
    record.figures[0].text = "=HYPERLINK(\"http://x\") 3 đơn vị"
    record.units[0].figures[0].text = "- 1200 hội viên"
    with Store(db) as store:
        store.write_record(record)
    before = (tmp_path / "bloc.db").read_bytes()
    os.link(db, tmp_path / "hard-link.db")
    (tmp_path / "bloc.db.lock").write_text("")  # the batch's lock file
    for output, why in ((db, "is an input of this command"), (str(tmp_path), "is a folder"),
                        (str(tmp_path / "no" / "x.csv"), "folder that does not exist"),
                        (str(tmp_path / "hard-link.db"), "is an input of this command"),
                        (str(tmp_path / "bloc.db.lock"), "is an input of this command"),
                        (str(tmp_path / "bloc.db-wal"), "is an input of this command")):
        args = argparse.Namespace(db=db, format="csv", year=None, unit=None, output=output)
        assert store_mod.run_export(args) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith(f"error: {output}: ") and why in err[0]
    assert (tmp_path / "bloc.db").read_bytes() == before
    out = tmp_path / "figures.csv"
    args = argparse.Namespace(db=db, format="csv", year=None, unit=None, output=str(out))
    assert store_mod.run_export(args) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    texts = {r["text"] for r in rows}
    assert "'=HYPERLINK(\"http://x\") 3 đơn vị" in texts and "'- 1200 hội viên" in texts
    assert not any(t.startswith(("=", "+", "-", "@")) for r in rows for t in r.values())
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []


def test_spreadsheet_exports_have_types_a_bom_and_the_document_columns(tmp_path, capsys):
    from datetime import date

    import openpyxl

    db = str(tmp_path / "bloc.db")
    record = make_record("r.txt", "a" * 64, 2020)
    record.sections[1].number = "3.10"
    record.figures[0].text = "=1+1 đơn vị"
    with Store(db) as store:
        store.write_record(record)
    csv_file, book_file = tmp_path / "figures.csv", tmp_path / "bloc.xlsx"
    for fmt, out in (("csv", csv_file), ("xlsx", book_file)):
        args = argparse.Namespace(db=db, format=fmt, year=None, unit=None, output=str(out))
        assert store_mod.run_export(args) == 0
    assert csv_file.read_bytes().startswith(b"\xef\xbb\xbf")
    with csv_file.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0])[:6] == ["document", "sha256", "bloc", "issuer", "number", "date"]
    assert {(r["bloc"], r["issuer"], r["number"], r["date"]) for r in rows} == {
        ("Khối thi đua các tổ chức hội", "Khối thi đua các tổ chức hội", "12/BC-KTĐ",
         "2020-12-10")}
    assert {r["section_title"] for r in rows if r["section"] == "3.10"} == {"Hội Nông dân"}

    book = openpyxl.load_workbook(book_file)
    assert book.sheetnames == ["figures", "documents"]
    sheet = book["figures"]
    header = [c.value for c in sheet[1]]
    got = [dict(zip(header, (c.value for c in row))) for row in sheet.iter_rows(min_row=2)]
    assert len(got) == 4
    hoi_vien = next(r for r in got if r["measure"] == "hội viên")
    assert hoi_vien["value"] == 1200 and isinstance(hoi_vien["value"], int)
    assert isinstance(hoi_vien["confidence"], float) and hoi_vien["year"] == 2020
    assert hoi_vien["section"] == "3.10"  # text, not the number 3.1
    assert hoi_vien["date"].date() == date(2020, 12, 10)
    formula = next(row for row in sheet.iter_rows(min_row=2)
                   if row[header.index("text")].value == "=1+1 đơn vị")
    assert formula[header.index("text")].data_type == "s"  # stored as text, not a formula
    docs = book["documents"]
    assert [c.value for c in docs[1]][:3] == ["document", "sha256", "bloc"]
    assert [c.value for c in docs[2]][-1] == 4  # its figures
    args = argparse.Namespace(db=db, format="xlsx", year=None, unit=None, output=None)
    assert store_mod.run_export(args) == 2
    assert "give it with -o" in capsys.readouterr().err


def _in_subprocess(code: str, *args: str) -> subprocess.Popen:
    """``code`` run by a fresh Python with this checkout first on its path."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_one_writer_at_a_time_and_the_lock_dies_with_its_holder(db, capsys):
    with Store(db, writer_wait=0) as first:
        first.write_record(make_record("r.txt", "a" * 64, 2020))
        with pytest.raises(DatabaseError, match="another batch") as err:
            Store(db, writer_wait=0.5)
        assert "\n" not in str(err.value) and "still busy after 0.5s" in str(err.value)
        assert "waiting up to 0.5s" in capsys.readouterr().err
        with Store(db, create=False) as reader:  # readers are not locked out
            assert reader.known().done == {"a" * 64}
    with Store(db, writer_wait=0):  # released on close
        pass
    holder = _in_subprocess("import sys, time; from extract.store import Store; "
                            "s = Store(sys.argv[1], writer_wait=0); print('locked', flush=True); "
                            "time.sleep(60)", db)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(DatabaseError, match="another batch"):
            Store(db, writer_wait=0)
    finally:
        holder.kill()  # SIGKILL: no cleanup of its own
        holder.communicate()
    with Store(db, writer_wait=5):  # the operating system / the server released it
        pass


def test_new_database_created_by_several_processes_at_once(db):
    start = time.time() + 3  # after every process has imported SQLAlchemy
    code = ("import sys, time; from extract.store import Store; "
            "time.sleep(max(0, float(sys.argv[2]) - time.time())); Store(sys.argv[1]).close()")
    procs = [_in_subprocess(code, db, str(start)) for _ in range(4)]
    results = [(p.wait(60), p.communicate()[1]) for p in procs]
    assert all(code == 0 for code, _ in results), results
    with Store(db, create=False) as store, store.engine.connect() as conn:
        assert conn.execute(select(store_mod.schema_version.c.version)).scalars().all() == [store_mod.SCHEMA_VERSION]


def test_a_failure_never_replaces_a_done_document(db):
    with Store(db) as store:
        store.write_record(make_record("r.txt", "a" * 64, 2020))
        before = counts(store)
        assert store.write_failure("r.txt", "a" * 64, "cannot store its records: x") is None
        assert store.write_failure("copy/r.txt", "a" * 64, "worker died") is None
        assert counts(store) == before
        known = store.known()
        assert known.done == {"a" * 64} and not known.failed_sha and not known.failed_paths


def _terminate_own_backend(conn) -> None:
    """What a server restart does to a connection in the middle of a transaction."""
    conn.execute(select(func.pg_terminate_backend(func.pg_backend_pid())))


def test_a_dropped_connection_is_retried_once_then_is_a_database_error(pg_url, monkeypatch):
    import psycopg

    monkeypatch.setattr(store_mod, "RETRY_SECONDS", 0)
    with Store(pg_url) as store:
        store.write_record(make_record("a.txt", "a" * 64, 2020))
        with psycopg.connect(pg_url, autocommit=True) as admin:  # every pooled connection dies
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                          "datname = current_database() AND pid <> pg_backend_pid()")
        store.write_record(make_record("b.txt", "b" * 64, 2020))  # pre-ping: a fresh one

        insert, dropped = store_mod._insert_record, []

        def dropped_once(conn, *args):
            if not dropped:
                dropped.append(1)
                _terminate_own_backend(conn)
            return insert(conn, *args)

        monkeypatch.setattr(store_mod, "_insert_record", dropped_once)
        store.write_record(make_record("c.txt", "c" * 64, 2020))
        assert dropped == [1]

        def always_dropped(conn, *args):
            _terminate_own_backend(conn)

        monkeypatch.setattr(store_mod, "_insert_record", always_dropped)
        with pytest.raises(DatabaseError) as err:
            store.write_record(make_record("d.txt", "d" * 64, 2020))
        assert not isinstance(err.value, store_mod.RecordRejected)
        assert "\n" not in str(err.value)
        monkeypatch.setattr(store_mod, "_insert_record", insert)
        assert store.known().done == {"a" * 64, "b" * 64, "c" * 64}
        assert counts(store)["documents"] == 3


def test_a_version_1_database_is_migrated_keeping_every_row(db):
    with Store(db) as store:
        store.write_record(make_record("/a.pdf", "a" * 64, 2020))
        before = store.figure_rows()
        with store.engine.begin() as conn:  # make it what version 1 wrote
            for table in ("words", "corrections"):
                conn.exec_driver_sql(f"DROP TABLE {table}")
            conn.exec_driver_sql("DROP INDEX ix_documents_report")
            for table, column in (("figures", "word_start"), ("figures", "word_end"),
                                  ("page_texts", "width"), ("page_texts", "height"),
                                  ("documents", "report"), ("documents", "fingerprint"),
                                  ("documents", "mean_confidence")):
                conn.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN {column}")
            conn.execute(store_mod.schema_version.delete())
            conn.execute(store_mod.schema_version.insert().values(version=1))
    with Store(db, create=False) as store:  # a reader (export) migrates it too
        assert store.figure_rows() == before
        with store.engine.connect() as conn:
            assert conn.execute(select(func.max(store_mod.schema_version.c.version))
                                ).scalar() == store_mod.SCHEMA_VERSION
            assert conn.execute(select(func.count()).select_from(store_mod.words)).scalar() == 0
        store.write_record(make_record("/b.pdf", "b" * 64, 2021))  # and it takes new rows
        assert len(store.figure_rows()) == 2 * len(before)


def test_a_bloc_read_two_ways_is_one_bloc_and_numbered_blocs_stay_apart(db):
    names = ["Khối thi đua các hội quần chúng tỉnh Lâm Đồng",
             "Khối thi đua các hơi quần chúng tĩnh Lâm Đồng",  # OCR's marks
             "Khối thi đua các tổ chức hội cấp tỉnh số I",
             "Khối thi đua các tổ chức hội cấp tỉnh số II"]
    with Store(db) as store:
        for n, name in enumerate(names):
            record = make_record(f"{n}.txt", str(n) * 64, 2020 + n)
            record.bloc.name = name
            store.write_record(record)
        with store.engine.connect() as conn:
            stored = sorted(conn.execute(select(store_mod.blocs.c.name)).scalars())
    assert stored == sorted([names[0], names[2], names[3]])


def test_one_issuer_read_several_ways_is_one_issuer(db, capsys):
    """A bloc's or a member's name as OCR garbled it in one year's report is the issuer
    the others name (export shows one issuer); another province's unit stays apart."""
    issuers = [("Khối thi đua các hội quần chúng tỉnh Lâm Đồng", None),
               ("Khối thi đua các hơi quần chúng tĩnh Lâm Đồng", None),
               ("Hội Nông dân tỉnh Thái Bình", "Thái Bình"),
               ("HỘI NÔNG DÂN TĨNH THÁI BÌNH", "Thái Bình"),
               ("Hội Nông dân tỉnh Bắc Giang", "Bắc Giang")]
    with Store(db) as store:
        for n, (issuer, place) in enumerate(issuers):
            record = make_record(f"{n}.txt", str(n) * 64, 2020 + n)
            record.document.issuer = issuer
            if place:  # a member's own report: one unit, the issuer
                record.document.place, record.bloc.name = place, None
                record.units = [Unit(None, "Hội Nông dân", record.units[0].figures)]
            else:
                record.bloc.name = issuer
            store.write_record(record)
    rows = json.loads(export(db, "json", capsys))
    assert sorted({r["issuer"] for r in rows}) == [
        "Hội Nông dân tỉnh Bắc Giang", "Hội Nông dân tỉnh Thái Bình",
        "Khối thi đua các hội quần chúng tỉnh Lâm Đồng"]


def test_several_processes_switching_a_new_file_to_wal_all_get_it(tmp_path):
    """SQLite answers "database is locked" at once, busy timeout or not, to a connection
    switching a brand-new file to WAL while another does: every one of several processes
    opening the same new file at the same moment still gets a WAL connection."""
    code = ("import sqlite3, sys, time; from extract.store import _sqlite_pragmas; "
            "time.sleep(max(0, float(sys.argv[2]) - time.time())); "
            "c = sqlite3.connect(sys.argv[1], isolation_level=None); _sqlite_pragmas(c, None); "
            "print(c.execute('PRAGMA journal_mode').fetchone()[0])")
    for trial in range(5):
        db = str(tmp_path / f"new{trial}.db")
        start = time.time() + 2
        procs = [_in_subprocess(code, db, str(start)) for _ in range(4)]
        outs = [p.communicate(timeout=60) for p in procs]
        assert [p.returncode for p in procs] == [0] * 4, outs
        assert [out for out, _ in outs] == ["wal\n"] * 4, outs
