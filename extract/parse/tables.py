"""Tables of figures: a header row naming what each number column counts and the rows
under it, one per unit or item ("STT  Đơn vị  Số hội viên  Số chi hội" over
"1  Hội Chữ thập đỏ tỉnh  42.300  610").

OCR and text files give a table row as one line of words. A header row is a line with a
name column ("Đơn vị", "Tên đơn vị", "Nội dung") followed by two or more count labels
("Số …", "Tổng số …"); each row under it is a row number, a name and exactly as many
numbers as there are labels, and its numbers are figures whose measures are the labels
(a row with a cell too few or too many gives none: which column is which is lost); a label
ending in a bracketed unit ("Số tiền (triệu đồng)") measures in that unit. A row of totals
("Tổng cộng  93.300  695") gives its figures qualified "tổng cộng". Read as running text
those rows would give nonsense ("1 Hội Chữ thập đỏ", "96 II"); the table ends at the first
line that is not a row.
"""
from __future__ import annotations

from dataclasses import dataclass

import regex

from extract.parse.figures import cell_figure
from extract.parse.lines import DocLine
from extract.parse.numbers import NUMBER, parse_number
from extract.parse.words import unglued
from extract.records import Figure

# The name column's label, then the count labels: "Số hội viên", "Tổng số chi hội" (folded)
# (a scan's table may lose the spaces between a cell's words: "Đơnvị Sốhộiviên")
_NAME_COLUMN = regex.compile(r"\b(?:ten\s*)?(?:don\s*vi|noi\s*dung|co\s*quan|to\s*chuc)")
_COUNT_LABEL = regex.compile(r"(?<!\S)(?:tong\s*)?so\s*(?=\p{L})")
MIN_COLUMNS = 2
# A row: its number, a name holding no digit, then the numbers of its cells; or the row of
# totals under them ("Tổng cộng  93.300  695"), which has no number of its own
_CELLS = rf"(?P<cells>(?:{NUMBER.pattern})(?:\s+(?:{NUMBER.pattern}))*)\s*$"
_ROW = regex.compile(rf"^\W{{0,2}}\d{{1,3}}[.)]?\s+(?P<name>\D+?)\s+{_CELLS}")
_TOTAL = regex.compile(rf"^\W{{0,2}}(?P<name>(?i:tổng\s+cộng|tổng\s+số|tổng|cộng))\s*:?\s+{_CELLS}")
# A label's unit of measure in brackets ("Số tiền vận động (triệu đồng)"): the measure
_BRACKETED_UNIT = regex.compile(r"\(([^()]+)\)\s*$")


@dataclass
class TableRow:
    """One table row's figures (none when its cells do not fit the header) and the name
    its name cell gives (the unit a row is about, or "Tổng cộng" for the totals)."""

    name: str
    figures: list[Figure]
    total: bool = False


def table_figures(lines: list[DocLine]) -> dict[int, TableRow]:
    """Every table row, by the flat index of its line."""
    out: dict[int, TableRow] = {}
    labels: list[str] = []
    for dl in lines:
        if labels:
            row = _ROW.match(dl.text) or _TOTAL.match(dl.text)
            if row:  # a row missing a cell says not which: no figures, and no nonsense
                cells = list(regex.finditer(r"\S+", row["cells"]))
                at = row.start("cells")
                figures = [cell_figure(dl, at + c.start(), at + c.end(), value, label)
                           for c, label in zip(cells, labels)
                           if (value := parse_number(c[0])) is not None]
                fits = len(figures) == len(cells) == len(labels)
                total = row.re is _TOTAL
                for f in figures if total else ():
                    f.qualifier = "tổng cộng"
                out[dl.index] = TableRow(row["name"].strip(), figures if fits else [], total)
                continue
        labels = _labels(dl)
    return out


def _labels(dl: DocLine) -> list[str]:
    """The count labels of a table's header row, as written ("hội viên", "chi hội"), or []
    when the line is not one."""
    folded = dl.folded
    name = _NAME_COLUMN.search(folded)
    if not name:
        return []
    starts = list(_COUNT_LABEL.finditer(folded, name.end()))
    if len(starts) < MIN_COLUMNS:
        return []
    ends = [m.start() for m in starts[1:]] + [len(folded)]
    labels = [" ".join(unglued(w) for w in dl.text[m.end():end].split()
                       if regex.search(r"\p{L}", w)) for m, end in zip(starts, ends)]
    labels = [unit[1].strip() if (unit := _BRACKETED_UNIT.search(label)) else label
              for label in labels]
    return labels if all(labels) else []
