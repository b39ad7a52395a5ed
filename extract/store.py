"""The bloc database: schema, one-transaction document writes, and the queries behind
``cli.py export`` and ``cli.py units``.

SQLAlchemy Core, so the same code serves the default SQLite file and a PostgreSQL (or any
other) server. The schema is versioned (table ``schema_version``): a database written by a
newer version of the tool is refused with one clear line instead of being half-understood.
Each document is written in ONE transaction that first deletes the rows of the document it
replaces (same sha256, or same path with older content), so a crash can never leave half a
document and the same file imported twice stays one document.

A batch is the database's one writer, and the database enforces it (``Store(writer_wait=…)``):
on PostgreSQL with a session advisory lock, on SQLite with ``flock`` on a lock file beside the
database; both are released by the operating system when the process dies, so a killed
batch never leaves a stale lock. Schema creation runs under its own lock (``BEGIN
IMMEDIATE`` / a transaction advisory lock), so two processes opening a new database at once
create it once. A write that loses its connection (a server restart) is retried once on a
fresh one; a write the database refuses for the record's own content is a
``RecordRejected``, the record's fault; any other database failure is the database's.
"""
from __future__ import annotations

import argparse
import csv
import fcntl
import io
import json
import os
import sqlite3
import sys
import time
import weakref
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, TypeVar

import regex
from rapidfuzz import fuzz, process
from sqlalchemy import (Column, Date, DateTime, Engine, Float, ForeignKey, Index, Integer,
                        MetaData, String, Table, Text, create_engine, delete, event, func,
                        inspect, or_, select)
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import (ArgumentError, DataError, InterfaceError, OperationalError,
                            SQLAlchemyError)

from extract import copies, provinces
from extract.errors import EXIT_USAGE, DatabaseError, shown
from extract.output import output_problem, write_atomically
from extract.parse.units import registry
from extract.records import Figure, Record
from extract.text import fold, nfc

SCHEMA_VERSION = 2  # 2: word boxes, figure word spans, corrections, copies (MIGRATIONS)
# Least rapidfuzz token-set score (0-100) for ``export --unit`` to take a unit as meant.
UNIT_MATCH_CUTOFF = 85
# The PostgreSQL advisory lock keys (per database) of the one writer and of schema creation.
WRITER_LOCK_KEY = zlib.crc32(b"vn-report-extract writer")
SCHEMA_LOCK_KEY = zlib.crc32(b"vn-report-extract schema")
# How often a writer waiting for the lock tries again, and how long a write that lost its
# connection waits before its one retry (a restarting server needs a moment).
LOCK_POLL_SECONDS = 0.2
RETRY_SECONDS = 1.0
T = TypeVar("T")

# Free text is TEXT (no length a parser could overflow); only closed vocabularies are short.
metadata = MetaData()

schema_version = Table(
    "schema_version", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
)

blocs = Table(
    "blocs", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False, unique=True),
)

units = Table(
    "units", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False, unique=True),  # canonical name
)

unit_aliases = Table(
    "unit_aliases", metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_id", ForeignKey("units.id"), nullable=False, index=True),
    Column("alias", Text, nullable=False, unique=True),
)

documents = Table(
    "documents", metadata,
    Column("id", Integer, primary_key=True),
    Column("sha256", String(64), unique=True),  # NULL only when the file could not be read
    Column("path", Text, nullable=False),
    Column("kind", String(10)),  # pdf | image | text
    Column("method", String(12)),  # ocr | text-layer | text | mixed
    Column("pages", Integer),
    Column("issuer", Text),
    Column("number", Text),
    Column("place", Text),
    Column("date", Date),
    Column("year", Integer, index=True),
    Column("doc_type", Text),
    Column("title", Text),
    Column("bloc_id", ForeignKey("blocs.id"), index=True),
    Column("member_count", Integer),
    Column("status", String(8), nullable=False),  # done | failed
    # the report this document is a copy of: the sha256 of its first copy (extract.copies)
    Column("report", String(64), index=True),
    Column("fingerprint", Text),  # MinHash of its text, to recognise later copies
    Column("mean_confidence", Float),  # how well it was read: the best copy is counted
    Column("error", Text),
    Column("seconds", Float),  # wall time of the extraction
    Column("processed_at", DateTime(timezone=True), nullable=False),
)
Index("ix_documents_path", documents.c.path)

# How a unit takes part in a document: its own section, bloc head/deputy, group leader/member.
document_units = Table(
    "document_units", metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", ForeignKey("documents.id"), nullable=False, index=True),
    Column("unit_id", ForeignKey("units.id"), nullable=False, index=True),
    Column("role", String(12), nullable=False),  # section | head | deputy_head | leader | member
    Column("group_number", Integer),
    Column("section", Text),
)

sections = Table(
    "sections", metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", ForeignKey("documents.id"), nullable=False, index=True),
    Column("number", Text),
    Column("title", Text, nullable=False),
    Column("level", Integer, nullable=False),
    Column("page", Integer, nullable=False),
    Column("line", Integer, nullable=False),
)

figures = Table(
    "figures", metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", ForeignKey("documents.id"), nullable=False, index=True),
    Column("unit_id", ForeignKey("units.id"), index=True),  # NULL: a top-level figure
    Column("section_id", ForeignKey("sections.id")),  # the heading the figure stands under
    Column("value", Float(53), nullable=False),
    Column("measure", Text, nullable=False),
    Column("qualifier", Text),
    Column("text", Text, nullable=False),
    Column("page", Integer, nullable=False),
    Column("line", Integer, nullable=False),
    Column("confidence", Float, nullable=False),
    Column("word_start", Integer),  # the words of its line it was read from (end excluded)
    Column("word_end", Integer),
)

page_texts = Table(
    "page_texts", metadata,
    Column("document_id", ForeignKey("documents.id"), primary_key=True),
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("text", Text, nullable=False),
    Column("width", Integer),  # pixels of the page image the word boxes are in
    Column("height", Integer),
)

# Every word of every page, as review shows it: repaired text, OCR reading, box, confidences.
words = Table(
    "words", metadata,
    Column("document_id", ForeignKey("documents.id"), primary_key=True),
    Column("page", Integer, primary_key=True, autoincrement=False),
    Column("line", Integer, primary_key=True, autoincrement=False),
    Column("position", Integer, primary_key=True, autoincrement=False),  # in its line, from 0
    Column("text", Text, nullable=False),
    Column("confidence", Float, nullable=False),
    Column("ocr", Text),
    Column("ocr_confidence", Float),
    Column("box_left", Integer),
    Column("box_top", Integer),
    Column("box_width", Integer),
    Column("box_height", Integer),
    Column("candidates", Text),  # JSON [[reading, posterior], …] of a doubtful word
)

# What reviewers changed. Keyed by the document's content (sha256) and the place of what
# was changed, not by row ids: a document extracted again keeps its corrections.
corrections = Table(
    "corrections", metadata,
    Column("id", Integer, primary_key=True),
    Column("sha256", String(64), nullable=False, index=True),
    Column("kind", String(8), nullable=False),  # word | figure
    Column("page", Integer, nullable=False),
    Column("line", Integer, nullable=False),
    Column("position", Integer, nullable=False),  # the word's place in its line; a figure's first word
    Column("field", String(8), nullable=False),  # word: text; figure: value | measure
    Column("old", Text),
    Column("new", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Children first: the order rows of a replaced document are deleted in.
_DOCUMENT_CHILDREN = (figures, sections, document_units, page_texts, words)
# What each schema version adds to the one before, run in order on an older database (the
# tables it adds are made by ``metadata.create_all``, which creates only missing ones).
MIGRATIONS = {
    2: ("ALTER TABLE figures ADD COLUMN word_start INTEGER",
        "ALTER TABLE figures ADD COLUMN word_end INTEGER",
        "ALTER TABLE page_texts ADD COLUMN width INTEGER",
        "ALTER TABLE page_texts ADD COLUMN height INTEGER",
        "ALTER TABLE documents ADD COLUMN report VARCHAR(64)",
        "ALTER TABLE documents ADD COLUMN fingerprint TEXT",
        "ALTER TABLE documents ADD COLUMN mean_confidence FLOAT",
        "CREATE INDEX ix_documents_report ON documents (report)",
        "UPDATE documents SET report = sha256"),
}

EXPORT_FIELDS = ("document", "sha256", "bloc", "issuer", "number", "date", "unit", "year",
                 "section", "section_title", "measure", "value", "qualifier", "text", "page",
                 "line", "confidence", "corrected")
DOCUMENT_FIELDS = ("document", "sha256", "bloc", "issuer", "number", "date", "year", "title",
                   "pages", "figures")


def database_url(db: str) -> str:
    """``--db`` value → SQLAlchemy URL: a plain path is a SQLite file; ``postgresql://``
    uses the installed psycopg 3 driver."""
    if "://" not in db:
        return f"sqlite:///{Path(db).expanduser().resolve()}"
    if db.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + db.split("://", 1)[1]
    return db


def _safe(url: str) -> str:
    """The URL as shown in messages: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def shown_db(db: str) -> str:
    """A ``--db`` value as messages show it: a path as given, a URL without its password."""
    return _safe(db) if "://" in db else db


def _reason(err: Exception) -> str:
    """First line of the driver's message: what a user needs, not the SQL."""
    orig = getattr(err, "orig", None) or err
    lines = [ln.strip() for ln in str(orig).splitlines() if ln.strip()]
    return lines[0] if lines else type(err).__name__


# Several processes opening a new SQLite file at once: how often, and how far apart, one
# tries again to switch it to WAL while another holds it (about 10 s in all)
WAL_SWITCH_TRIES = 200
WAL_SWITCH_PAUSE = 0.05


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    """Foreign keys on (SQLite leaves them off), WAL so ``export`` can read during a batch,
    and a busy timeout instead of an immediate 'database is locked'."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    for attempt in range(WAL_SWITCH_TRIES):
        try:  # switching a new file to WAL needs it alone, and SQLite does not wait for that
            cur.execute("PRAGMA journal_mode=WAL")  # with the busy timeout: it says "locked"
            break
        except sqlite3.OperationalError:
            if attempt + 1 == WAL_SWITCH_TRIES:
                raise
            time.sleep(WAL_SWITCH_PAUSE)
    cur.close()


def _engine(db: str, create: bool) -> Engine:
    """A SQLAlchemy engine for ``db`` (no connection yet); its connections are checked
    before use (``pool_pre_ping``), so a connection a restarted server dropped is replaced."""
    url = database_url(db)
    if url.startswith("sqlite:///") and not create:
        file = Path(url[len("sqlite:///"):])
        if not file.exists():
            raise DatabaseError(f"{db}: no such database "
                                f"(fill it with: cli.py batch PATH --db {db})")
    try:
        engine = create_engine(url, pool_pre_ping=True)
    except (ArgumentError, SQLAlchemyError, ImportError) as err:
        raise DatabaseError(f"{_safe(url)}: cannot open database: {_reason(err)}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _check_schema(engine: Engine, create: bool) -> None:
    """Refuse a schema newer than ours; with ``create``, create it on an empty database;
    bring an older one up to date (``MIGRATIONS``). Creating and migrating run under a lock,
    so that of two processes opening a database at once one changes it and the other finds
    it changed."""
    where = _safe(str(engine.url))
    with engine.connect() as conn:
        found = _stored_version(conn)
    if found is not None and found > SCHEMA_VERSION:
        raise DatabaseError(f"{where}: database schema version {found} is newer than this "
                            f"tool's ({SCHEMA_VERSION}); upgrade the tool")
    if found is None and not create:
        raise DatabaseError(f"{where}: not a bloc database (no schema_version table)")
    if found == SCHEMA_VERSION:
        return
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # DDL included: SQLite's is transactional
        elif engine.dialect.name == "postgresql":
            conn.execute(select(func.pg_advisory_xact_lock(SCHEMA_LOCK_KEY)))
        found = _stored_version(conn)  # again: another process may have done it meanwhile
        if found is None:
            metadata.create_all(conn)
            conn.execute(schema_version.insert().values(version=SCHEMA_VERSION))
        elif found < SCHEMA_VERSION:
            for version in range(found + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS.get(version, ()):
                    conn.exec_driver_sql(statement)
            metadata.create_all(conn)
            conn.execute(schema_version.insert().values(version=SCHEMA_VERSION))


def _stored_version(conn: Connection) -> int | None:
    """The schema version the database says it has, or None for an empty database."""
    if not inspect(conn).has_table("schema_version"):
        return None
    return conn.execute(select(func.max(schema_version.c.version))).scalar()


def _folded(name: str) -> str:
    """Fuzzy-matching form of a unit or bloc name: without case, diacritics or extra spaces."""
    return " ".join(fold(name).split())


@dataclass
class Known:
    """What the database already holds, for the batch's skip decisions."""

    done: set[str]  # sha256 of documents done
    failed_sha: set[str]  # sha256 of documents that failed
    failed_paths: set[str]  # paths that failed before they could be hashed


class RecordRejected(DatabaseError):
    """The database refused a record for its own content (say, a NUL character in a text
    column on PostgreSQL): the document's fault, not the database's."""


class WriterLock:
    """The database's one-writer lock, held until ``release`` or the process's death: an
    exclusive ``flock`` on ``DB.lock`` beside a SQLite file, a session advisory lock on
    PostgreSQL (on its own connection). Other databases get no lock."""

    def __init__(self, engine: Engine, db: str, wait: float):
        """Take the lock, waiting at most ``wait`` seconds for the writer that holds it;
        DatabaseError (one line) when it is still held then."""
        self._fd: int | None = None
        self._conn: Connection | None = None
        url = engine.url
        if engine.dialect.name == "sqlite" and url.database not in (None, "", ":memory:"):
            self._lock_file(Path(url.database + ".lock"), db, wait)
        elif engine.dialect.name == "postgresql":
            self._lock_server(engine, db, wait)

    def _lock_file(self, file: Path, db: str, wait: float) -> None:
        """SQLite: flock ``file``, then write our pid in it (named when another waits)."""
        try:
            fd = os.open(file, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:
            raise DatabaseError(f"{db}: cannot create the lock file {file}: "
                                f"{err.strerror}") from None
        try:
            _poll(lambda: _try_flock(fd), db, wait, lambda: _holder(fd))
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def _lock_server(self, engine: Engine, db: str, wait: float) -> None:
        """PostgreSQL: the advisory lock, on a connection of its own kept for the batch."""
        try:
            conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        except SQLAlchemyError as err:
            raise DatabaseError(f"{shown_db(db)}: {_reason(err)}") from None
        try:
            _poll(lambda: _try_advisory(conn), db, wait, lambda: None)
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        self._engine, self._db = engine, db

    def hold(self) -> None:
        """Before a write: make sure the lock is still ours. A PostgreSQL restart ends the
        lock's session and the lock with it; it is taken again on a new connection, and when
        another writer took it meanwhile the batch stops (DatabaseError) rather than write
        beside it. A server still down raises SQLAlchemy's own error, for the caller's retry."""
        if self._conn is None:
            return
        try:
            self._conn.execute(select(1))
            return
        except SQLAlchemyError:
            self._conn.close()  # invalidated: its session, and the lock, are gone
            self._conn = None
        conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        if not _try_advisory(conn):
            conn.close()
            raise DatabaseError(f"{shown_db(self._db)}: another batch took the writer lock "
                                f"while the server was restarting; run again when it has "
                                f"finished")
        self._conn = conn

    def release(self) -> None:
        """Let the next writer in."""
        if self._fd is not None:
            os.close(self._fd)  # closing the last descriptor releases the flock
            self._fd = None
        if self._conn is not None:
            try:  # closing alone would return the session, lock held, to the pool
                self._conn.execute(select(func.pg_advisory_unlock_all()))
                self._conn.close()
            except SQLAlchemyError:
                pass  # the connection is gone already, and its lock with it
            self._conn = None

    def forget(self) -> None:
        """In a forked child: drop the parent's lock without releasing it (the parent
        still holds it; closing the child's copy of the file descriptor does not unlock)."""
        if self._fd is not None:
            os.close(self._fd)
        self._fd = self._conn = None


def _try_advisory(conn: Connection) -> bool:
    """True when the session of ``conn`` holds the writer's advisory lock now."""
    return bool(conn.execute(select(func.pg_try_advisory_lock(WRITER_LOCK_KEY))).scalar())


def _try_flock(fd: int) -> bool:
    """True when the exclusive flock on ``fd`` was taken now."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _holder(fd: int) -> str | None:
    """The process id the lock file names (its writer), if any."""
    return os.pread(fd, 32, 0).decode(errors="replace").strip() or None


def _poll(take: Callable[[], bool], db: str, wait: float,
          holder: Callable[[], str | None]) -> None:
    """Call ``take`` until it succeeds or ``wait`` seconds have passed; says once on stderr
    that it waits, and ends in a DatabaseError naming the holder when it never succeeded."""
    deadline = time.monotonic() + wait
    told = False
    while not take():
        if time.monotonic() >= deadline:
            who = holder()
            raise DatabaseError(f"{shown_db(db)}: another batch{f' (process {who})' if who else ''}"
                                f" is writing to this database; still busy after {wait:g}s, "
                                f"try again when it has finished")
        if not told:
            print(f"batch: another batch is writing to {shown_db(db)}; waiting up to "
                  f"{wait:g}s for it to finish", file=sys.stderr)
            told = True
        time.sleep(LOCK_POLL_SECONDS)


# Stores open in this process: a forked worker drops their connections and locks.
_OPEN_STORES: "weakref.WeakSet[Store]" = weakref.WeakSet()


def _forget_in_child() -> None:
    """After a fork, in the child: never use the parent's pooled connections or lock."""
    for store in list(_OPEN_STORES):
        store.engine.dispose(close=False)
        if store.lock is not None:
            store.lock.forget()


os.register_at_fork(after_in_child=_forget_in_child)


class Store:
    """Writes documents and answers queries on one database; the batch's single writer."""

    def __init__(self, db: str, create: bool = True, writer_wait: float | None = None):
        """Open ``db``; with ``writer_wait``, as its one writer: the writer lock is taken
        first (waiting at most that many seconds for the batch holding it)."""
        engine = _engine(db, create)
        self.lock: WriterLock | None = None
        try:
            if writer_wait is not None:
                self.lock = WriterLock(engine, db, writer_wait)
            _check_schema(engine, create)
        except SQLAlchemyError as err:
            self._dispose(engine)
            raise DatabaseError(f"{_safe(str(engine.url))}: {_reason(err)}") from None
        except BaseException:
            self._dispose(engine)
            raise
        self.engine = engine
        _OPEN_STORES.add(self)

    def _dispose(self, engine: Engine) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None
        engine.dispose()

    def close(self) -> None:
        _OPEN_STORES.discard(self)
        self._dispose(self.engine)

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- reads and writes, each in one transaction (_transact) ---------------------------

    def known(self) -> Known:
        """sha256s done and failed, read once at the start of a batch."""
        known = Known(set(), set(), set())
        rows = self._transact("read the documents", lambda conn: conn.execute(
            select(documents.c.sha256, documents.c.path, documents.c.status)).all())
        for sha, path, status in rows:
            if status == "done":
                known.done.add(sha)
            elif sha is not None:
                known.failed_sha.add(sha)
            else:
                known.failed_paths.add(path)
        return known

    def _transact(self, what: str, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in one transaction (``what`` names it for a message: "write PATH").
        A lost connection (server restarted, network cut) is retried once, on a fresh
        connection; a record the database refuses for its content is RecordRejected;
        anything else, or a second loss, is DatabaseError."""
        where = _safe(str(self.engine.url))
        for attempt in (1, 2):
            try:
                if self.lock is not None:
                    self.lock.hold()
                with self.engine.begin() as conn:
                    return work(conn)
            except DataError as err:
                raise RecordRejected(f"{where}: cannot {what}: {_reason(err)}") from None
            except (OperationalError, InterfaceError) as err:
                if attempt == 2:
                    raise DatabaseError(f"{where}: cannot {what}: {_reason(err)}") from None
                time.sleep(RETRY_SECONDS)
            except SQLAlchemyError as err:
                raise DatabaseError(f"{where}: cannot {what}: {_reason(err)}") from None
        raise AssertionError("unreachable")

    def write_record(self, record: Record, sha256: str | None = None, path: str | None = None,
                     seconds: float | None = None) -> int:
        """Store ``record`` as a done document in one transaction, replacing any document
        with the same sha256 or the same path; returns the new document id."""
        sha = sha256 or record.source.sha256
        path = path or record.source.path

        def work(conn: Connection) -> int:
            _delete_documents(conn, sha, path)
            return _insert_record(conn, record, sha, path, seconds)

        return self._transact(f"write {path}", work)

    def write_failure(self, path: str, sha256: str | None, error: str, kind: str | None = None,
                      seconds: float | None = None) -> int | None:
        """Record a document that could not be extracted, with its error line, replacing an
        older failure at that path or with that content — never a done document: when one
        with this content exists, nothing is written and None is returned."""
        def work(conn: Connection) -> int | None:
            if sha256 and conn.execute(select(documents.c.id).where(
                    documents.c.sha256 == sha256, documents.c.status == "done")).first():
                return None
            _delete_documents(conn, sha256, path, status="failed")
            return conn.execute(documents.insert().values(
                sha256=sha256, path=path, kind=kind, status="failed", error=error,
                seconds=seconds, processed_at=datetime.now(timezone.utc),
            )).inserted_primary_key[0]

        return self._transact(f"write {path}", work)

    # ---- queries ------------------------------------------------------------------------

    def match_unit(self, query: str) -> list[tuple[int, str]]:
        """The units ``query`` names, as (id, canonical name): those whose name or alias has
        the same comparison key (case, diacritics, abbreviations) and, when the query names
        a province, that province (else every province's such unit), else
        the closest by fuzzy word-set match on names and multi-word aliases. Several means
        the query is ambiguous; none, that nothing is close."""
        def work(conn: Connection) -> dict[int, str]:
            return dict(conn.execute(select(units.c.id, units.c.name)).all())

        def aliases(conn: Connection) -> list[tuple[str, int]]:
            return [(a, uid) for uid, a in conn.execute(
                select(unit_aliases.c.unit_id, unit_aliases.c.alias))]

        canonical = self._transact("read the units", work)
        names = [(name, uid) for uid, name in canonical.items()]
        names += self._transact("read the units", aliases)
        key, place = provinces.key(query)
        exact = {uid for name, uid in names if provinces.key(name)[0] == key
                 and place in ("", provinces.key(name)[1])}
        if not exact:
            choices = {i: _folded(name) for i, (name, uid) in enumerate(names)
                       if len(name.split()) > 1}
            found = process.extract(_folded(query), choices, scorer=fuzz.token_set_ratio,
                                    score_cutoff=UNIT_MATCH_CUTOFF, limit=None)
            top = max((score for _, score, _ in found), default=None)
            exact = {names[i][1] for _, score, i in found if score == top}
        return sorted(((uid, canonical[uid]) for uid in exact), key=lambda m: m[1])

    def figure_rows(self, year: int | None = None, unit_id: int | None = None) -> list[dict]:
        """One dict per figure of the done documents (fields: ``EXPORT_FIELDS``), in
        document, page, line order, with the reviewers' corrections applied (``corrected``
        says which rows have one); of copies of one report, only the best-read copy's."""
        query = (
            select(documents.c.path.label("document"), documents.c.sha256,
                   blocs.c.name.label("bloc"), documents.c.issuer, documents.c.number,
                   documents.c.date, units.c.name.label("unit"), documents.c.year,
                   sections.c.number.label("section"), sections.c.title.label("section_title"),
                   figures.c.measure, figures.c.value, figures.c.qualifier, figures.c.text,
                   figures.c.page, figures.c.line, figures.c.confidence, figures.c.word_start)
            .select_from(figures.join(documents, figures.c.document_id == documents.c.id)
                         .outerjoin(blocs, documents.c.bloc_id == blocs.c.id)
                         .outerjoin(units, figures.c.unit_id == units.c.id)
                         .outerjoin(sections, figures.c.section_id == sections.c.id))
            .where(documents.c.status == "done")
            .order_by(documents.c.path, figures.c.page, figures.c.line, figures.c.id))
        if year is not None:
            query = query.where(documents.c.year == year)
        if unit_id is not None:
            query = query.where(figures.c.unit_id == unit_id)
        def work(conn: Connection) -> tuple[list[dict], dict[tuple, object]]:
            rows = [dict(r._mapping) for r in conn.execute(
                query.where(documents.c.id.in_(_best_copies(conn))))]
            return rows, _figure_corrections(conn)

        rows, fixes = self._transact("read the figures", work)
        for row in rows:
            key = (row["sha256"], row["page"], row["line"], row.pop("word_start"))
            row["corrected"] = False
            for field in ("value", "measure"):
                if (*key, field) in fixes:
                    row[field] = fixes[(*key, field)]
                    row["corrected"] = True
            row["value"] = _number(row["value"])
            row["date"] = row["date"].isoformat() if row["date"] else None
        return rows

    def document_rows(self, year: int | None = None) -> list[dict]:
        """One dict per report (its best-read copy; fields: ``DOCUMENT_FIELDS``), in path
        order."""
        count = (select(figures.c.document_id, func.count().label("n"))
                 .group_by(figures.c.document_id).subquery())
        query = (
            select(documents.c.path.label("document"), documents.c.sha256,
                   blocs.c.name.label("bloc"), documents.c.issuer, documents.c.number,
                   documents.c.date, documents.c.year, documents.c.title, documents.c.pages,
                   func.coalesce(count.c.n, 0).label("figures"))
            .select_from(documents.outerjoin(blocs, documents.c.bloc_id == blocs.c.id)
                         .outerjoin(count, count.c.document_id == documents.c.id))
            .where(documents.c.status == "done")
            .order_by(documents.c.path))
        if year is not None:
            query = query.where(documents.c.year == year)
        rows = self._transact("read the documents", lambda conn: [
            dict(r._mapping) for r in conn.execute(
                query.where(documents.c.id.in_(_best_copies(conn))))])
        for row in rows:
            row["date"] = row["date"].isoformat() if row["date"] else None
        return rows

    def copies_of(self, doc_id: int) -> list[str]:
        """The paths of the other done documents that are the same report as ``doc_id``."""
        def work(conn: Connection) -> list[str]:
            report = conn.execute(select(documents.c.report)
                                  .where(documents.c.id == doc_id)).scalar()
            return list(conn.execute(select(documents.c.path).where(
                documents.c.report == report, documents.c.id != doc_id,
                documents.c.status == "done").order_by(documents.c.path)).scalars())

        return self._transact("read the copies", work)

    def copies(self) -> list[list[str]]:
        """The paths of each report stored more than once, the best-read copy first."""
        def work(conn: Connection) -> tuple[set[int], list]:
            return set(_best_copies(conn)), conn.execute(
                select(documents.c.id, documents.c.report, documents.c.path)
                .where(documents.c.status == "done").order_by(documents.c.path)).all()

        best, done = self._transact("read the copies", work)
        groups: dict[str, list[tuple[bool, str]]] = {}
        for doc_id, report, path in done:
            groups.setdefault(report or f"#{doc_id}", []).append((doc_id not in best, path))
        return [[path for _, path in sorted(group)] for group in groups.values()
                if len(group) > 1]

    def unit_counts(self) -> list[tuple[str, int, int, list[str]]]:
        """(canonical name, reports, figures, aliases) of every unit some report names,
        each report counted once (its best-read copy)."""
        def work(conn: Connection) -> list[tuple[str, int, int, list[str]]]:
            best = _best_copies(conn)
            docs = (select(document_units.c.unit_id,
                           func.count(document_units.c.document_id.distinct()).label("n"))
                    .where(document_units.c.document_id.in_(best))
                    .group_by(document_units.c.unit_id).subquery())
            figs = (select(figures.c.unit_id, func.count().label("n"))
                    .where(figures.c.document_id.in_(best))
                    .group_by(figures.c.unit_id).subquery())
            query = (select(units.c.id, units.c.name, func.coalesce(docs.c.n, 0),
                            func.coalesce(figs.c.n, 0))
                     .outerjoin(docs, docs.c.unit_id == units.c.id)
                     .outerjoin(figs, figs.c.unit_id == units.c.id)
                     .where(docs.c.n > 0)
                     .order_by(units.c.name))
            aliases: dict[int, list[str]] = {}
            for uid, alias in conn.execute(select(unit_aliases.c.unit_id, unit_aliases.c.alias)
                                           .order_by(unit_aliases.c.alias)):
                aliases.setdefault(uid, []).append(alias)
            return [(name, nd, nf, aliases.get(uid, []))
                    for uid, name, nd, nf in conn.execute(query)]

        return self._transact("read the units", work)


def _figure_corrections(conn: Connection) -> dict[tuple, object]:
    """The latest correction of each figure field: (sha256, page, line, first word, field)
    → the new value (a number for ``value``)."""
    fixes: dict[tuple, object] = {}
    for row in conn.execute(select(corrections).where(corrections.c.kind == "figure")
                            .order_by(corrections.c.id)):
        fixes[(row.sha256, row.page, row.line, row.position, row.field)] = (
            float(row.new) if row.field == "value" else row.new)
    return fixes


def _number(value: float | None) -> float | int | None:
    """A stored value as the record wrote it: whole numbers as int."""
    if value is not None and float(value).is_integer():
        return int(value)
    return value


def _delete_documents(conn: Connection, sha256: str | None, path: str,
                      status: str | None = None) -> None:
    """Delete, in the caller's transaction, the documents with this content or this path
    (only those with ``status``, when given)."""
    cond = documents.c.path == path
    if sha256:
        cond = or_(cond, documents.c.sha256 == sha256)
    if status:
        cond = cond & (documents.c.status == status)
    ids = [i for (i,) in conn.execute(select(documents.c.id).where(cond))]
    if not ids:
        return
    for table in _DOCUMENT_CHILDREN:
        conn.execute(delete(table).where(table.c.document_id.in_(ids)))
    conn.execute(delete(documents).where(documents.c.id.in_(ids)))


def _iso_date(text: str | None) -> date | None:
    """The record's ISO date, or None when it is missing or not a real date."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


# Least rapidfuzz ratio (0-100) of two bloc names, without case or marks, for one bloc.
SAME_BLOC = 92
_NUMERAL = regex.compile(r"^(?:\d+|[ivxl]+)$")


def _bloc_id(conn: Connection, name: str | None) -> int | None:
    """Id of the bloc called ``name``: a known bloc whose name reads the same without case
    or marks, give or take a misread letter (``hơi``/``hội``, ``tĩnh``/``tỉnh``), with the
    same numbers (``số I`` is not ``số II``), else a new one."""
    if not name:
        return None
    name = " ".join(nfc(name).split())
    found = conn.execute(select(blocs.c.id).where(blocs.c.name == name)).scalar()
    if found is not None:
        return found
    folded = _folded(name)
    numbers = {t for t in folded.split() if _NUMERAL.match(t)}
    for bid, known in conn.execute(select(blocs.c.id, blocs.c.name)):
        other = _folded(known)
        if fuzz.ratio(folded, other) >= SAME_BLOC and \
                numbers == {t for t in other.split() if _NUMERAL.match(t)}:
            return bid
    return conn.execute(blocs.insert().values(name=name)).inserted_primary_key[0]


def _unit_id(conn: Connection, name: str, province: tuple[str, str] | None = None) -> int:
    """Id of the unit with canonical name or alias ``name`` in ``province`` (the
    document's: ``extract.provinces``). A name the comparison key equates with a known unit
    of the same province (case, abbreviations) becomes an alias of it; otherwise a new
    unit, with the registry's aliases of that name (in that province)."""
    base = " ".join(nfc(name).split())
    name = provinces.with_province(base, province)
    found = conn.execute(select(units.c.id).where(units.c.name == name)).scalar()
    if found is None:
        found = conn.execute(select(unit_aliases.c.unit_id)
                             .where(unit_aliases.c.alias == name)).scalar()
    if found is not None:
        return found
    key = provinces.key(name)
    for uid, canonical in conn.execute(select(units.c.id, units.c.name)):
        if provinces.key(canonical) == key:
            conn.execute(unit_aliases.insert().values(unit_id=uid, alias=name))
            return uid
    uid = conn.execute(units.insert().values(name=name)).inserted_primary_key[0]
    taken = set(conn.execute(select(unit_aliases.c.alias)).scalars())
    taken |= set(conn.execute(select(units.c.name)).scalars())
    aliases = [a for a in dict.fromkeys(provinces.with_province(a, province) for a in
                                        dict(registry().units).get(base, [])) if a not in taken]
    if aliases:
        conn.execute(unit_aliases.insert(), [dict(unit_id=uid, alias=a) for a in aliases])
    return uid


def _insert_record(conn: Connection, record: Record, sha: str | None, path: str,
                   seconds: float | None) -> int:
    """Insert every row of ``record`` in the caller's transaction; returns the document id."""
    doc, src, bloc = record.document, record.source, record.bloc
    province = provinces.of_record(record)
    issuer = _canonical_issuer(conn, record, province)
    sign = copies.fingerprint(record)
    report = _report_of(conn, (issuer, doc.number, _iso_date(doc.date), sign)) or sha
    doc_id = conn.execute(documents.insert().values(
        sha256=sha, path=path, kind=src.kind, method=src.method, pages=src.pages,
        issuer=issuer, number=doc.number, place=doc.place, date=_iso_date(doc.date),
        year=doc.year, doc_type=doc.doc_type, title=doc.title, bloc_id=_bloc_id(conn, bloc.name),
        member_count=bloc.member_count, status="done", error=None, seconds=seconds,
        processed_at=datetime.now(timezone.utc), report=report, fingerprint=sign,
        mean_confidence=copies.mean_confidence(record),
    )).inserted_primary_key[0]

    heads: list[tuple[tuple[int, int], int]] = []  # ((page, line), section id) in order
    for s in record.sections:
        sid = conn.execute(sections.insert().values(
            document_id=doc_id, number=s.number, title=s.title, level=s.level, page=s.page,
            line=s.line)).inserted_primary_key[0]
        heads.append(((s.page, s.line), sid))
    heads.sort(key=lambda h: h[0])

    roles: list[dict] = []

    def role(name: str | None, kind: str, group: int | None = None,
             section: str | None = None) -> int | None:
        if not name:
            return None
        uid = _unit_id(conn, name, province)
        roles.append(dict(document_id=doc_id, unit_id=uid, role=kind, group_number=group,
                          section=section))
        return uid

    role(bloc.head, "head")
    role(bloc.deputy_head, "deputy_head")
    for g in bloc.groups:
        role(g.leader, "leader", g.number)
        for m in g.members:
            role(m, "member", g.number)

    rows: list[dict] = []
    for u in record.units:
        uid = role(u.name, "section", section=u.section)
        rows += _figure_rows(doc_id, uid, u.figures, heads)
    rows += _figure_rows(doc_id, None, record.figures, heads)

    if roles:
        conn.execute(document_units.insert(), roles)
    if rows:
        conn.execute(figures.insert(), rows)
    pages = [dict(document_id=doc_id, number=p.number, text=p.text, width=p.width,
                  height=p.height) for p in record.pages]
    if pages:
        conn.execute(page_texts.insert(), pages)
    word_rows = _word_rows(doc_id, record)
    if word_rows:
        conn.execute(words.insert(), word_rows)
    return doc_id


def _canonical_issuer(conn: Connection, record: Record,
                      province: tuple[str, str] | None) -> str | None:
    """The issuer of ``record`` by the name the database knows it by, so that one issuer
    read several ways (``tỉnh``/``tĩnh``/``tính``, ``hội``/``hơi``) is one issuer across
    documents: a bloc's name as its bloc row has it (``_bloc_id``), a member's own report's
    by its unit's canonical name in its province (``_unit_id``), else as read."""
    issuer = record.document.issuer
    if not issuer:
        return issuer
    if record.bloc.name and issuer == record.bloc.name:
        bid = _bloc_id(conn, issuer)
        return conn.execute(select(blocs.c.name).where(blocs.c.id == bid)).scalar()
    own = [u for u in record.units if u.section is None]
    if len(record.units) == 1 and own:
        uid = _unit_id(conn, own[0].name, province)
        return conn.execute(select(units.c.name).where(units.c.id == uid)).scalar()
    return issuer


def _report_of(conn: Connection, this: tuple) -> str | None:
    """The report an incoming document (issuer, number, date, fingerprint) is a copy of,
    among the documents done, or None when it is a report of its own."""
    for row in conn.execute(select(documents.c.report, documents.c.issuer, documents.c.number,
                                   documents.c.date, documents.c.fingerprint)
                            .where(documents.c.status == "done")):
        if copies.same_report(this, tuple(row)[1:]):
            return row.report
    return None


def _best_copies(conn: Connection) -> list[int]:
    """The id of the best-read copy (highest mean confidence; then the first stored) of
    every report: the documents that export, units and counts use."""
    best: dict[str, tuple[float, int]] = {}
    for doc_id, report, quality in conn.execute(
            select(documents.c.id, documents.c.report, documents.c.mean_confidence)
            .where(documents.c.status == "done")):
        key = report or f"#{doc_id}"
        rank = (quality if quality is not None else 0.0, -doc_id)
        if key not in best or rank > best[key]:
            best[key] = rank
    return sorted(-rank[1] for rank in best.values())


def _word_rows(doc_id: int, record: Record) -> list[dict]:
    """Rows for the words table: every word of every page, numbered within its line."""
    rows = []
    for page in record.pages:
        position: dict[int, int] = {}
        for w in page.words:
            at = position[w.line] = position.get(w.line, -1) + 1
            left, top, width, height = w.box or (None, None, None, None)
            rows.append(dict(document_id=doc_id, page=page.number, line=w.line, position=at,
                             text=w.text, confidence=w.confidence, ocr=w.ocr,
                             ocr_confidence=w.ocr_confidence, box_left=left, box_top=top,
                             box_width=width, box_height=height,
                             candidates=json.dumps(w.candidates, ensure_ascii=False)
                             if w.candidates else None))
    return rows


def _section_at(heads: list[tuple[tuple[int, int], int]], page: int, line: int) -> int | None:
    """Id of the last heading at or before (page, line): the section a figure stands in."""
    found = None
    for pos, sid in heads:
        if pos > (page, line):
            break
        found = sid
    return found


def _figure_rows(doc_id: int, unit_id: int | None, figs: Iterable[Figure],
                 heads: list[tuple[tuple[int, int], int]]) -> list[dict]:
    """Rows for the figures table."""
    return [dict(document_id=doc_id, unit_id=unit_id, section_id=_section_at(heads, f.page, f.line),
                 value=f.value, measure=f.measure, qualifier=f.qualifier, text=f.text,
                 page=f.page, line=f.line, confidence=f.confidence,
                 word_start=f.words[0] if f.words else None,
                 word_end=f.words[1] if f.words else None) for f in figs]


# ---- commands ---------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet reads these as a formula


def _inert(value: object) -> object:
    """A CSV cell a spreadsheet shows as text: text that starts like a formula gets a
    leading apostrophe (the OWASP advice against CSV injection); numbers are left alone."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def format_rows(rows: list[dict], fmt: str) -> str:
    """Figure rows as csv (UTF-8 with a BOM, header + one line each; text cells made inert
    for spreadsheets), json (one array) or jsonl."""
    if fmt == "csv":
        buf = io.StringIO()
        buf.write("\ufeff")  # a BOM: spreadsheets read the file as UTF-8
        writer = csv.DictWriter(buf, fieldnames=EXPORT_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: _inert(v) for k, v in row.items()} for row in rows)
        return buf.getvalue()
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    if fmt == "jsonl":
        return "".join(line + "\n" for line in lines)
    return "[\n" + ",\n".join(lines) + "\n]\n" if lines else "[]\n"


def run_export(args: argparse.Namespace) -> int:
    """``cli.py export``: one row per figure, filtered by year and (fuzzy) unit. An output
    file is checked before the database is read and written whole or not at all."""
    url = database_url(args.db)
    database = Path(url[len("sqlite:///"):]) if url.startswith("sqlite:///") else None
    # the database, its write-ahead log and shared memory, and the batch's lock file
    protected = [Path(f"{database}{end}") for end in ("", "-wal", "-shm", ".lock")] \
        if database else []
    if args.format == "xlsx" and not args.output:
        print("error: --format xlsx writes a file: give it with -o FILE.xlsx", file=sys.stderr)
        return EXIT_USAGE
    if args.output:
        problem = output_problem(Path(args.output), *protected)
        if problem:
            print(f"error: {shown(args.output)}: {problem}", file=sys.stderr)
            return EXIT_USAGE
    with Store(args.db, create=False) as store:
        unit_id = None
        if args.unit:
            match = store.match_unit(args.unit)
            if len(match) != 1:
                found = "; ".join(name for _, name in match)
                why = f"is ambiguous: {found}" if match else "matches no unit"
                print(f"error: --unit {args.unit!r} {why} (see: cli.py units)",
                      file=sys.stderr)
                return EXIT_USAGE
            [(unit_id, name)] = match
            print(f"export: unit {args.unit!r} → {name}", file=sys.stderr)
        rows = store.figure_rows(year=args.year, unit_id=unit_id)
        if args.format == "xlsx":
            from extract.sheets import write_xlsx

            write_xlsx(Path(args.output), rows, EXPORT_FIELDS,
                       store.document_rows(year=args.year), DOCUMENT_FIELDS)
            print(f"export: {len(rows)} figures → {args.output}", file=sys.stderr)
            return 0
    text = format_rows(rows, args.format)
    if args.output:
        write_atomically(Path(args.output), text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    print(f"export: {len(rows)} figures", file=sys.stderr)
    return 0


def run_units(args: argparse.Namespace) -> int:
    """``cli.py units``: a table of canonical units with their document and figure counts."""
    with Store(args.db, create=False) as store:
        rows = store.unit_counts()
        groups = store.copies()
    out = [f"{'reports':>9}  {'figures':>7}  unit"]
    for name, ndocs, nfigs, aliases in rows:
        also = f"  (also: {'; '.join(aliases)})" if aliases else ""
        out.append(f"{ndocs:>9}  {nfigs:>7}  {name}{also}")
    if groups:
        out += ["", "copies of one report (the first is the best read, the one counted):"]
        out += [" = ".join(group) for group in groups]
    sys.stdout.write("\n".join(out) + "\n")
    return 0
