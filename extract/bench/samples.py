"""The bundled samples as the benchmark reads them: ground-truth text, and OCR cached by file.

A sample's ground truth is ``samples/texts/<id>.txt``: pages split at form feeds, each TAB
(between the two header columns) read as one space, as OCR gives it. OCR output is cached
in a temporary folder, keyed by the file's bytes and the code that reads it, so re-running
a table measures its own stage, not Tesseract again.
"""
from __future__ import annotations

import hashlib
import json
import tempfile
import time
from pathlib import Path

from extract.records import Source
from extract.text import Line, Page, Word, nfc

CACHE = Path(tempfile.gettempdir()) / "vn-report-extract-ocr-cache"
# The code whose output is cached: a change to any of it makes the cached text stale.
OCR_CODE = ("ingest.py", "ocr.py", "preprocess.py", "pipeline.py", "tesseract.py")


def truth_pages(text_file: Path) -> list[str]:
    """The ground-truth text of each page of a sample text file."""
    raw = nfc(text_file.read_text(encoding="utf-8"))
    return [page.removesuffix("\n").replace("\t", " ") for page in raw.split("\f")]


def truth_text(text_file: Path) -> str:
    """The ground-truth text of a whole sample, pages joined by newlines."""
    return "\n".join(truth_pages(text_file))


def read_cached(path: Path) -> tuple[Source, list[Page], float]:
    """``read_document(path)`` as (source, pages, seconds it took), from the cache if there."""
    key = hashlib.sha256(path.read_bytes())
    for module in OCR_CODE:
        key.update((Path(__file__).parents[1] / module).read_bytes())
    cached = CACHE / f"{key.hexdigest()}.json"
    if cached.exists():
        data = json.loads(cached.read_text(encoding="utf-8"))
        pages = [Page(p["number"], [Line([Word(t, c) for t, c in line]) for line in p["lines"]],
                      p["method"]) for p in data["pages"]]
        return Source(**data["source"]), pages, data["s"]
    from extract.pipeline import read_document

    start = time.perf_counter()
    document = read_document(path, progress=False)
    seconds = time.perf_counter() - start
    CACHE.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps({"source": document.source.__dict__, "s": seconds, "pages": [
        {"number": p.number, "method": p.method,
         "lines": [[[w.text, w.confidence] for w in line.words] for line in p.lines]}
        for p in document.pages]}, ensure_ascii=False), encoding="utf-8")
    return document.source, document.pages, seconds
