"""Build the parser's word lists: ``models/words.txt.gz`` and ``models/places.txt``.

A figure's measure must end at a word boundary ("đơn vị trực thuộc", not "đơn vị trực"), so
the parser needs to know which runs of syllables make one word. The curated word lists
(underthesea's Viet74K, pyvi's word list) supply them; single syllables are words anyway and
are left out. Each entry is lowercased and tone-placed by ``canonical``, one per line, sorted,
so that rebuilding from unchanged sources gives the same file.

The place list holds the names of provinces (before and after the 2025 merger) and of the
former districts and towns, without their generic word (``Tỉnh``, ``Huyện`` …), one per line,
so that the parser can read an OCR-garbled place in a header ("Béic Giang") as the place it
is, without the train-only packages at run time.
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
from extract.text import nfc  # noqa: E402
from train_lexicon import gzip_writer, tokens  # noqa: E402

from extract.parse.places import PLACES_FILE  # noqa: E402
from extract.parse.words import MAX_WORD_SYLLABLES, WORDS_FILE  # noqa: E402

# The generic words an administrative unit's official name opens with.
GENERIC = ("Thành phố ", "Tỉnh ", "Huyện ", "Quận ", "Thị xã ")


def words() -> set[str]:
    """Every multi-syllable entry of the word lists whose syllables are all letters."""
    out = set()
    for entry in corpus.sentences("words"):
        parts = entry.lower().split()
        syllables = tokens(entry)
        if 2 <= len(parts) <= MAX_WORD_SYLLABLES and len(syllables) == len(parts):
            out.add(" ".join(syllables))
    return out


def places() -> set[str]:
    """Province names old and new, and former district and town names, without generic words."""
    import json

    from vietnam_provinces import Province

    names = [p.name for p in Province.iter_all()]
    with (corpus._package_dir("underthesea") / "address" / "data" / "mapping.json").open(
            encoding="utf-8") as fh:
        data = json.load(fh)
    names += [p["name"] for p in data["old_province_names"].values()]
    names += [row["old_district"] for row in data["ward_mapping"]]
    out = set()
    for name in names:
        for generic in GENERIC:
            name = name.removeprefix(generic)
        if name and not any(c.isdigit() for c in name):
            out.add(nfc(name))
    return out


def main(argv: list[str] | None = None) -> int:
    """Write the word list; prints how many entries it holds."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=WORDS_FILE)
    parser.add_argument("--places-out", type=Path, default=PLACES_FILE)
    args = parser.parse_args(argv)
    entries = sorted(words())
    with gzip_writer(args.out) as fh:
        fh.writelines(f"{entry}\n" for entry in entries)
    print(f"words: {len(entries)} multi-syllable words → {args.out}", file=sys.stderr)
    names = sorted(places())
    args.places_out.write_text("".join(f"{name}\n" for name in names), encoding="utf-8")
    print(f"words: {len(names)} place names → {args.places_out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
