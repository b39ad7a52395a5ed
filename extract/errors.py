"""Errors a user can cause, each with its own exit code and a one-line message.

The CLI prints ``error: <path>: <message>`` on stderr and exits with ``exit_code``; no
traceback. Anything else that escapes is a bug and keeps its traceback.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

EXIT_OK = 0
EXIT_FAILED_DOCUMENTS = 1  # batch: at least one document failed (each recorded with its error)
EXIT_USAGE = 2  # bad command line (argparse)
NOT_SET_UP = 11  # a compiled part of the project is missing
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
EXIT_TERMINATED = 143  # SIGTERM (128 + SIGTERM)

EXIT_CODES = {
    0: "success",
    1: "batch: one or more documents failed (see the summary and the database)",
    2: "bad command line (or an output file that cannot be written)",
    3: "input file not found or not readable",
    4: "not a PDF, image or text file",
    5: "corrupt or unreadable file",
    6: "encrypted PDF",
    7: "empty document (no pages, or no text)",
    8: "image or page too large (decompression bomb guard)",
    9: "text is not Vietnamese",
    10: "database error",
    11: "the project is not set up (run bash setup.sh), or a model file is missing or corrupt",
    130: "interrupted by Ctrl-C (batch: every document written is complete; rerun to resume)",
    143: "stopped by SIGTERM (the same)",
}
# The codes a command that reads one document can end with.
DOCUMENT_CODES = (0, 2, 3, 4, 5, 6, 7, 8, 9, 11, 130, 143)


def exit_codes_help(codes: tuple[int, ...] = tuple(EXIT_CODES)) -> str:
    """The ``--help`` epilog listing ``codes`` with their meaning."""
    return "exit codes:\n" + "".join(f"{code:>3}  {EXIT_CODES[code]}\n" for code in codes)


EXIT_CODES_HELP = exit_codes_help()


def shown(text: str) -> str:
    """``text`` safe to print on one terminal line: control and invisible format characters
    (an escape sequence or a newline in a file name) written as visible escapes."""
    import unicodedata

    return "".join(ch if unicodedata.category(ch) not in ("Cc", "Cf") else
                   ascii(ch)[1:-1] for ch in text)


class ModelError(Exception):
    """A built model in ``models/`` that is missing or unreadable (exit 11)."""

    exit_code = NOT_SET_UP

    def __init__(self, path: object, problem: str):
        super().__init__(f"{path}: {problem}; restore it (git checkout -- models/) or rebuild "
                         f"it (python cli.py train)")


class EngineError(Exception):
    """Tesseract that cannot run or load a model here: the machine is not set up (exit 11)."""

    exit_code = NOT_SET_UP

    def __init__(self, problem: str):
        super().__init__(f"{problem}; run bash setup.sh")


def read_model(path: Path, what: str, read: Callable[[Path], T],
               failures: tuple[type[Exception], ...] = (OSError, ValueError, KeyError,
                                                        TypeError)) -> T:
    """``read(path)`` for the built model file ``path`` (``what``: "the language model"),
    a ModelError naming it when the file is missing or ``read`` fails with ``failures``."""
    if not path.exists():
        raise ModelError(path, f"{what} is missing")
    try:
        return read(path)
    except failures as err:
        raise ModelError(path, f"{what} cannot be read ({err})") from None


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised by the CLI's signal handler and handled as Ctrl-C is (workers
    stopped, whole documents kept), with its own exit code."""

    exit_code = EXIT_TERMINATED


class InputError(Exception):
    """A problem with one input document; ``str(err)`` is the user-facing message."""

    exit_code = 5

    def __init__(self, path: object, message: str):
        super().__init__(f"{path}: {message}")
        self.path = str(path)
        self.message = message

    def __reduce__(self) -> tuple:
        """Pickled by its arguments: an error raised in a worker process reaches the parent
        as itself (the default would call ``cls(str(err))`` and fail)."""
        return type(self), (self.path, self.message)


class MissingInput(InputError):
    exit_code = 3


class UnsupportedInput(InputError):
    exit_code = 4


class UnknownModel(InputError):
    """An OCR model (``--lang``) that is not installed: a bad command line."""

    exit_code = EXIT_USAGE


class OutputError(InputError):
    """An output file (``-o``) that cannot be written: a bad command line."""

    exit_code = EXIT_USAGE


class CorruptInput(InputError):
    exit_code = 5


class EncryptedInput(InputError):
    exit_code = 6


class EmptyInput(InputError):
    exit_code = 7


class InputTooLarge(InputError):
    exit_code = 8


class NotVietnamese(InputError):
    exit_code = 9


class DatabaseError(Exception):
    """The database cannot be opened or written (bad URL, server down, schema too new)."""

    exit_code = 10
