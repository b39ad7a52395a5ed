"""The page images review shows: rendered from the document's original file on demand and
cached, only for a file that is still the one batched (its sha256 checked).

The browser never names a file: it asks for page N of document D, and the path comes from
the database. A file that has moved or changed since it was batched has no images (its
text is still shown).
"""
from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path

from PIL import Image

DISPLAY_WIDTH = 1400  # pixels across of a page image in the browser
CACHE = Path(tempfile.gettempdir()) / "vn-report-extract-review"


class Scans:
    """Page images of batched documents, verified and cached."""

    def __init__(self, cache: Path = CACHE):
        self.cache = cache
        self._verified: dict[tuple[str, int, int], str] = {}  # (path, size, mtime) → sha256

    def available(self, path: str, sha256: str) -> bool:
        """True when ``path`` still holds the content batched as ``sha256``."""
        try:
            stat = os.stat(path)
        except OSError:
            return False
        key = (path, stat.st_size, stat.st_mtime_ns)
        if key not in self._verified:
            digest = hashlib.sha256()
            with open(path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
            self._verified[key] = digest.hexdigest()
        return self._verified[key] == sha256

    def page_png(self, path: str, kind: str, sha256: str, page: int) -> bytes | None:
        """The PNG of page ``page`` (1-based) of the batched file, or None when the file is
        gone or changed, is a text file, or has no such page."""
        if kind not in ("pdf", "image") or page < 1 or not self.available(path, sha256):
            return None
        cached = self.cache / f"{sha256}-{page}.png"
        if cached.exists():
            return cached.read_bytes()
        image = _render(path, kind, page - 1)
        if image is None:
            return None
        if image.width > DISPLAY_WIDTH:
            image = image.resize((DISPLAY_WIDTH, round(image.height * DISPLAY_WIDTH / image.width)))
        buffer = io.BytesIO()
        image.convert("L").save(buffer, "PNG", optimize=False)
        data = buffer.getvalue()
        self.cache.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.partial")
        partial.write_bytes(data)
        partial.replace(cached)
        return data


def _render(path: str, kind: str, index: int) -> Image.Image | None:
    """Page ``index`` of a PDF (as displayed, at 150 dpi) or frame ``index`` of an image."""
    if kind == "pdf":
        import pypdfium2 as pdfium

        with pdfium.PdfDocument(path) as document:
            if index >= len(document):
                return None
            return document[index].render(scale=150 / 72, grayscale=True).to_pil()
    from extract.ingest import open_image

    with open_image(path) as image:
        if index >= getattr(image, "n_frames", 1):
            return None
        image.seek(index)
        from PIL import ImageOps

        return ImageOps.exif_transpose(image).convert("L")
