"""A real PostgreSQL server for the database tests, started on loopback for the session.

Uses Debian's server binaries (``bash setup.sh --test`` installs them): ``initdb`` into a
temporary directory, ``pg_ctl start`` on a free port with its socket in that directory,
``pg_ctl stop`` at session end. As root the server runs as user ``postgres`` (PostgreSQL
refuses to run as root). Each test gets a fresh database. Tests are skipped, with the reason,
only when no PostgreSQL binaries exist on the machine.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Iterator

import pytest


def _bindir() -> Path | None:
    """Directory of the newest installed PostgreSQL server binaries, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(cmd: list[str]) -> list[str]:
    """``cmd`` run as ``postgres`` when we are root (the server refuses root)."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """URL (without database name) of a PostgreSQL server running for this test session."""
    bindir = _bindir()
    if bindir is None:
        pytest.skip("no PostgreSQL server binaries (bash setup.sh --test installs postgresql)")
    root = Path(tempfile.mkdtemp(prefix="pgtest-"))
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(root, pw.pw_uid, pw.pw_gid)
    data, log = root / "data", root / "server.log"
    port = _free_port()
    init = subprocess.run(_as_server_user([str(bindir / "initdb"), "-D", str(data), "-A", "trust",
                                           "-U", "postgres", "-E", "UTF8", "--locale=C",
                                           "--no-sync"]), capture_output=True, text=True)
    if init.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"initdb failed:\n{init.stderr}")
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    started = subprocess.run(_as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-l",
                                              str(log), "-o", options, "-w", "start"]),
                             capture_output=True, text=True)
    if started.returncode != 0:
        detail = log.read_text() if log.exists() else started.stderr
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start:\n{detail}")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(_as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m",
                                        "immediate", "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """URL of a new, empty database on the session's server (dropped after the test)."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{pg_server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{pg_server}/{name}"
    with psycopg.connect(f"{pg_server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
