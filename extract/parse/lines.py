"""The document's lines in reading order, each with the page and 1-based line it stands on.

Every part of the parser walks the same flat list, so a heading, a group list or a figure
can point back at ``pages[].text`` by page and line.
"""
from __future__ import annotations

from dataclasses import dataclass

from extract.text import Line, Page, fold


@dataclass
class DocLine:
    """One line of the document with where it stands and its folded form for matching."""

    index: int  # position in the flat list
    page: int
    line: int  # 1-based within its page
    source: Line

    @property
    def text(self) -> str:
        return self.source.text

    @property
    def folded(self) -> str:
        return fold(self.text)


def flatten(pages: list[Page]) -> list[DocLine]:
    """All lines of all pages, in order."""
    out: list[DocLine] = []
    for page in pages:
        for n, line in enumerate(page.lines, start=1):
            out.append(DocLine(len(out), page.number, n, line))
    return out
