"""Tesseract inside this process (tesserocr): each model loaded once, then any number of
readings.

The command-line Tesseract (what pytesseract runs) starts a process and loads its model
for every image: about 0.09 s of CPU each time, for every page and again for every second
reading of its crops. Here a worker keeps one engine per model, so a document costs the
loading once. setup.sh builds tesserocr against the machine's own Tesseract (Debian's
5.3), so that the pipeline reads exactly as the ``tesseract`` command did for it
(tesserocr's wheel carries a Tesseract 5.5 of its own: a quarter faster, but it reads the
samples' office scans' headings and numbers worse: figures F1 0.99 -> 0.96 on one).
Parallelism comes from processes, one engine each, each on one thread; the models
(traineddata) are found where ``tesseract`` looks.
"""
from __future__ import annotations

import os
import subprocess
import threading
import time
from functools import lru_cache

from PIL import Image

from extract.errors import EngineError

TESSERACT_CMD = "tesseract"
# Where Debian's tesseract-ocr 5 keeps its models, when ``tesseract --list-langs`` does not
# say (it names the directory on its first line)
DEFAULT_TESSDATA = "/usr/share/tesseract-ocr/5/tessdata/"
# Tesseract's own page segmentation modes used here
OSD_ONLY, AUTO, SINGLE_BLOCK = 0, 3, 6
_ENGINES = threading.local()
# Debian's Tesseract runs OpenMP threads, which read this when the library loads (here, on
# the first engine): one thread each. A process that forks page workers after reading a
# page itself would otherwise leave them OpenMP's thread pool, and they would hang on it.
os.environ["OMP_THREAD_LIMIT"] = "1"
_FIELDS = ("level", "page_num", "block_num", "par_num", "line_num", "word_num", "left",
           "top", "width", "height", "conf", "text")


@lru_cache(maxsize=None)
def _listing() -> tuple[str, frozenset[str]]:
    """The models directory and the models the machine's ``tesseract --list-langs`` names."""
    try:
        out = subprocess.run([TESSERACT_CMD, "--list-langs"], capture_output=True, text=True,
                             check=True).stdout
    except (OSError, subprocess.CalledProcessError) as err:
        raise EngineError(f"cannot run Tesseract: {err}") from err
    lines = out.splitlines()
    head = lines[0] if lines else ""
    directory = head.split('"')[1] if head.count('"') >= 2 else DEFAULT_TESSDATA
    return (os.environ.get("TESSDATA_PREFIX") or directory,
            frozenset(line.strip() for line in lines[1:] if line.strip()))


def installed_models() -> frozenset[str]:
    """The Tesseract models installed on this machine."""
    return _listing()[1]


def _engine(lang: str):  # noqa: ANN202 - a tesserocr.PyTessBaseAPI, imported lazily
    """This thread's engine for model ``lang`` ("vie", "vie+eng", "osd"), loaded once (an
    engine reads one image at a time; a Dask worker may run tasks in several threads)."""
    engines = _ENGINES.__dict__
    if lang not in engines:
        try:
            import tesserocr
        except ImportError as err:
            raise EngineError(f"Tesseract's Python binding is missing ({err})") from None
        try:
            engines[lang] = tesserocr.PyTessBaseAPI(path=_listing()[0], lang=lang)
        except RuntimeError as err:
            raise EngineError(f"cannot load Tesseract model {lang!r}: {err}") from err
    return engines[lang]


def _prepared(lang: str, image: Image.Image, psm: int):  # noqa: ANN202 - PyTessBaseAPI
    """The engine of ``lang`` holding ``image``, in segmentation mode ``psm``."""
    engine = _engine(lang)
    engine.SetPageSegMode(psm)
    gray = image if image.mode == "L" else image.convert("L")
    # the pixels as they are (SetImage would encode the page as an image file first: 0.07 s)
    engine.SetImageBytes(gray.tobytes(), gray.width, gray.height, 1, gray.width)
    # Tesseract estimates the resolution from the size of the text, as the command line
    # did for the image files the pipeline handed it (PGM, which carries none): the same
    # readings, word for word
    engine.SetSourceResolution(0)
    return engine


def read_data(image: Image.Image, lang: str, psm: int = AUTO) -> tuple[dict[str, list], float]:
    """Tesseract's words of ``image`` as ``image_to_data`` gives them (one list per TSV
    column, numbers as int, ``conf`` as float, -1 for rows that are not words), and the
    seconds the reading took."""
    started = time.perf_counter()
    tsv = _prepared(lang, image, psm).GetTSVText(0)
    data: dict[str, list] = {name: [] for name in _FIELDS}
    for row in tsv.splitlines():
        cells = row.split("\t", len(_FIELDS) - 1)
        if len(cells) < len(_FIELDS):
            cells += [""] * (len(_FIELDS) - len(cells))
        for name, cell in zip(_FIELDS[:10], cells[:10]):
            data[name].append(int(cell))
        data["conf"].append(float(cells[10]))
        data["text"].append(cells[11])
    return data, time.perf_counter() - started


def orientation(image: Image.Image) -> tuple[int, float, float]:
    """OSD's clockwise rotation that makes ``image`` upright, its confidence (0 when too
    little text to decide) and the seconds it took."""
    started = time.perf_counter()
    found = _prepared("osd", image, OSD_ONLY).DetectOrientationScript()
    seconds = time.perf_counter() - started
    if not found:
        return 0, 0.0, seconds
    return (360 - found["orient_deg"]) % 360, float(found["orient_conf"]), seconds
