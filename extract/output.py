"""Output files given with ``-o``: checked before any work, written whole or not at all.

A command that reads for minutes (OCR, repair) must not fail at the end because its output
cannot be written, and must never write over its own input or the database it reads.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from extract.errors import OutputError


def output_problem(output: Path, *protected: Path) -> str | None:
    """Why ``output`` cannot be written to (None when it can): it is one of the
    ``protected`` files (the input, the database) by any name (a link, a hard link), a
    folder, or in a missing folder."""
    target = output.resolve()
    if any(target == p.resolve() or _same_file(output, p) for p in protected):
        return "is an input of this command; choose another file"
    if output.is_dir():
        return "is a folder; give a file name"
    if not target.parent.is_dir():
        return "is in a folder that does not exist"
    return None


def _same_file(a: Path, b: Path) -> bool:
    """True when both names exist and are the same file (a hard link included)."""
    try:
        return a.samefile(b)
    except OSError:
        return False


def write_atomically(output: Path, content: str | bytes) -> None:
    """Write ``content`` (text as UTF-8) to ``output`` through a temporary file beside it,
    so that a reader never sees half of it; OutputError (one line, exit 2) when it cannot."""
    with atomic_writer(output, binary=isinstance(content, bytes)) as fh:
        fh.write(content)


@contextmanager
def atomic_writer(output: Path, binary: bool = False) -> Iterator[IO]:
    """A file to write ``output`` through, as it goes (UTF-8 text, or bytes): the writes go
    to a temporary file beside it, renamed to ``output`` when the block ends and removed if
    it fails, so that ``output`` is whole or untouched; OutputError when it cannot be."""
    if output.exists() and not output.is_file():  # /dev/null, a pipe: written, never replaced
        try:
            with open(output, "wb" if binary else "w",
                      encoding=None if binary else "utf-8") as fh:
                yield fh
        except OSError as err:
            raise OutputError(output, f"cannot be written ({err.strerror})") from None
        return
    partial = output.with_name(f".{output.name}.partial")
    try:
        with open(partial, "wb" if binary else "w", encoding=None if binary else "utf-8") as fh:
            yield fh
        partial.replace(output)
    except OSError as err:
        raise OutputError(output, f"cannot be written ({err.strerror})") from None
    finally:
        partial.unlink(missing_ok=True)
