"""Build ``models/lexicon.tsv.gz``: valid Vietnamese syllables with their corpus counts.

Membership comes from curated lists (Debian hunspell-vi, underthesea's Viet74K, pyvi's word
list, split into syllables) and from syllables the running-text corpora use at least twice;
everything is lowercased, tone-placed by ``canonical`` and kept only when ``is_syllable``
accepts it, so foreign words, codes and typos stay out. The count is the number of times the
syllable occurs in the running text (law codes, news, place names, domain phrases) plus one.
"""
from __future__ import annotations

import argparse
import gzip
import io
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "models"))

import corpus  # noqa: E402
import regex  # noqa: E402

from extract.repair.lexicon import LEXICON_FILE, canonical, is_syllable  # noqa: E402

HUNSPELL_DIC = Path("/usr/share/hunspell/vi_VN.dic")
RUNNING_TEXT = ("law", "news", "places", "domain")
MIN_CORPUS_COUNT = 2  # a syllable seen only in running text must occur this often
_TOKEN = regex.compile(r"\p{L}+")


def gzip_writer(path: Path) -> io.TextIOWrapper:
    """A UTF-8 text writer to gzip file ``path`` with no timestamp in its header, so that
    rebuilding an unchanged model leaves the file byte for byte the same."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = gzip.GzipFile(path, "wb", compresslevel=9, mtime=0)
    return io.TextIOWrapper(raw, encoding="utf-8")


def tokens(line: str) -> list[str]:
    """Lowercase, tone-canonical letter runs of ``line`` (hyphens and underscores split)."""
    return [canonical(t) for t in _TOKEN.findall(line.lower())]


def hunspell_syllables(path: Path = HUNSPELL_DIC) -> set[str]:
    """The syllables of the hunspell-vi dictionary (first line is the entry count)."""
    if not path.exists():
        raise SystemExit(f"error: {path} missing (apt-get install hunspell-vi)")
    with path.open(encoding="utf-8") as fh:
        next(fh)
        return {t for row in fh for t in tokens(row.split("/", 1)[0])}


def build(out: Path = LEXICON_FILE) -> dict[str, int]:
    """Count, filter and write the lexicon; returns syllable → count."""
    listed = hunspell_syllables()
    listed.update(t for line in corpus.sentences("words") for t in tokens(line))
    counts: Counter[str] = Counter()
    for source in RUNNING_TEXT:
        for line in corpus.sentences(source):
            counts.update(tokens(line))
    members = {s for s in listed if is_syllable(s)}
    members.update(s for s, n in counts.items() if n >= MIN_CORPUS_COUNT and is_syllable(s))
    freq = {s: counts[s] + 1 for s in members}
    with gzip_writer(out) as fh:
        for syl in sorted(freq, key=lambda s: (-freq[s], s)):
            fh.write(f"{syl}\t{freq[syl]}\n")
    rejected = len({s for s in listed if not is_syllable(s)})
    print(f"lexicon: {len(freq)} syllables ({rejected} listed non-syllables rejected) "
          f"→ {out}", file=sys.stderr)
    return freq


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python models/train_lexicon.py [--out FILE]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=LEXICON_FILE)
    args = parser.parse_args(argv)
    build(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
