"""Build ``models/words.txt.gz``: the multi-syllable Vietnamese words the parser segments with.

A figure's measure must end at a word boundary ("đơn vị trực thuộc", not "đơn vị trực"), so
the parser needs to know which runs of syllables make one word. The curated word lists
(underthesea's Viet74K, pyvi's word list) supply them; single syllables are words anyway and
are left out. Each entry is lowercased and tone-placed by ``canonical``, one per line, sorted,
so that rebuilding from unchanged sources gives the same file.
Run: ``python models/train_words.py [--out PATH]``.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "models"))

import corpus  # noqa: E402
from train_lexicon import gzip_writer, tokens  # noqa: E402

from extract.parse.words import WORDS_FILE, MAX_WORD_SYLLABLES  # noqa: E402


def words() -> set[str]:
    """Every multi-syllable entry of the word lists whose syllables are all letters."""
    out = set()
    for entry in corpus.sentences("words"):
        parts = entry.lower().split()
        syllables = tokens(entry)
        if 2 <= len(parts) <= MAX_WORD_SYLLABLES and len(syllables) == len(parts):
            out.add(" ".join(syllables))
    return out


def main(argv: list[str] | None = None) -> int:
    """Write the word list; prints how many entries it holds."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=WORDS_FILE)
    args = parser.parse_args(argv)
    entries = sorted(words())
    with gzip_writer(args.out) as fh:
        fh.writelines(f"{entry}\n" for entry in entries)
    print(f"words: {len(entries)} multi-syllable words → {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
