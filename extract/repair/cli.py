"""``cli.py repair FILE|-``: print repaired text, what changed (``--diff``) or per-token JSON.

``--diff`` prints ``-N: before`` / ``+N: after`` for each changed line N and ``?N: word
(confidence), …`` for the words of line N whose repair is doubtful.

Exactly one output line per input line (``--json``: one JSON object per input line), so
every line can be traced back to its source. The detected input kind goes to stderr.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from extract.ingest import decode_text, read_bytes
from extract.output import write_atomically
from extract.repair import FLAG_BELOW, decode_pages, document_kind, text_pages


def read_input(name: str) -> str:
    """The text of file ``name`` (``-``: standard input), NFC; user errors raised."""
    data = sys.stdin.buffer.read() if name == "-" else read_bytes(Path(name))
    return decode_text(data, name)


def run_repair(args: argparse.Namespace) -> int:
    """Repair ``args.file`` and write the result to stdout or ``args.output``."""
    text = read_input(args.file)
    trailing = text.endswith("\n")
    pages = text_pages(text[:-1] if trailing else text)
    kind = document_kind(pages, args.file)
    print(f"repair: input kind {kind}", file=sys.stderr)
    out: list[str] = []
    page_texts: list[str] = []
    number = 0  # input line number: a form feed does not start a new line
    decoded_pages = decode_pages([page.lines for page in pages], kind, args.json)
    for p, (page, decoded) in enumerate(zip(pages, decoded_pages)):
        lines_out = []
        for i, (line, choices) in enumerate(zip(page.lines, decoded)):
            number += not (p and i == 0)
            before = line.text
            after = " ".join(c.text for c in choices)
            lines_out.append(after)
            if args.json:
                out.append(json.dumps({
                    "line": number, "page": p + 1, "kind": kind, "text": after,
                    "tokens": [{"input": w.text, "text": c.text,
                                "confidence": round(c.confidence, 4),
                                "candidates": [[t, round(q, 4)] for t, q in c.alternatives]}
                               for w, c in zip(line.words, choices)]}, ensure_ascii=False))
            elif args.diff:
                doubtful = [f"{c.text} ({c.confidence:.2f})" for c in choices
                            if c.confidence < FLAG_BELOW]
                if before != after:
                    out.append(f"-{number}: {before}\n+{number}: {after}")
                if doubtful:
                    out.append(f"?{number}: " + ", ".join(doubtful))
        page_texts.append("\n".join(lines_out))
    if args.json or args.diff:
        result = "".join(row + "\n" for row in out)
    else:
        result = "\f".join(page_texts) + ("\n" if trailing else "")
    if args.output:
        write_atomically(Path(args.output), result)
    else:
        sys.stdout.write(result)
        sys.stdout.flush()
    return 0
