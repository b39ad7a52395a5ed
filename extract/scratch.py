"""Scratch folders for a run's temporary files (Tesseract's page images, a Dask task's
file): one per process, named with its pid, removed when the run ends, and removed by the
next run when a ``kill -9`` left it behind (its process is gone)."""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PREFIX = "vnextract-"  # + the pid + "-" + random


def alive(pid: int) -> bool:
    """True when a process ``pid`` exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        pass
    return True


def new_folder() -> str:
    """A new scratch folder for this process, after removing ours that killed runs left."""
    for folder in Path(tempfile.gettempdir()).glob(f"{PREFIX}*-*"):
        pid = folder.name[len(PREFIX):].split("-")[0]
        try:
            mine = folder.stat().st_uid == os.getuid()
        except OSError:
            continue
        if mine and pid.isdigit() and not alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
    return tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-")


@contextmanager
def scratch() -> Iterator[str]:
    """A scratch folder that this process's (and its children's) temporary files go to
    while the block runs, removed when it ends however it ends."""
    folder = new_folder()
    before = tempfile.tempdir
    tempfile.tempdir = folder
    try:
        yield folder
    finally:
        tempfile.tempdir = before
        shutil.rmtree(folder, ignore_errors=True)
