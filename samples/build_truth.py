#!/usr/bin/env python3
"""Builds samples/truth/<id>.json from the hand-written spec samples/truth_src/<id>.spec.

The spec holds what a person decides by reading the sample: document metadata, the bloc,
every heading, every unit and every figure with its value, measure and qualifier, each
figure tied to the words it stands in (its anchor). This script only does the clerical
part: it finds the page and line of each heading and anchor, takes the figure's clause
from that line, checks the anchor's number agrees with the value written by hand, and
adds the ground-truth page texts. It also lists numbers in the text that no figure
covers, so that a missed figure is noticed (dates and document numbers are expected
there). Run: .venv/bin/python samples/build_truth.py [ID ...]

Spec lines (``#`` starts a comment):
  document.<field>: value        issuer, number, place, date, year, doc_type, title
  bloc.<field>: value            name, member_count, head, deputy_head
  group: N | leader | member; member; …
  section: NUMBER | TITLE        in document order ("Phần thứ nhất" | next line's text)
  unit: SECTION | NAME           SECTION "-" for a member's own report (section null)
  top:                           following figures stand outside any unit
  fig: VALUE | MEASURE | ANCHOR [| QUALIFIER]
"""
from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from extract.parse.figures import clause  # noqa: E402  (the parser's rule, in one place)
from extract.records import (Bloc, DocumentInfo, Figure, Group, PageText,  # noqa: E402
                             Record, Section, Source, Unit)
from extract.text import nfc  # noqa: E402

NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def ground_truth_pages(text_path: Path) -> list[str]:
    """The ground-truth text of each page: the file's page with each TAB made one space."""
    raw = nfc(text_path.read_text(encoding="utf-8"))
    return [page.removesuffix("\n").replace("\t", " ") for page in raw.split("\f")]


def vietnamese_number(token: str) -> int | float:
    """``17.885`` → 17885, ``13,1`` → 13.1, ``04`` → 4 (Vietnamese separators)."""
    integer, _, fraction = token.replace(".", "").partition(",")
    return float(f"{integer}.{fraction}") if fraction else int(integer)


@dataclass
class Position:
    """A place in the page texts: 1-based page and line, and the column."""

    page: int
    line: int
    column: int

    def key(self) -> tuple[int, int, int]:
        return (self.page, self.line, self.column)


class Text:
    """The sample's pages, searchable line by line in reading order."""

    def __init__(self, pages: list[str]):
        self.lines = [(p, n, line) for p, page in enumerate(pages, 1)
                      for n, line in enumerate(page.split("\n"), 1)]

    def find(self, needle: str, after: Position, whole_line_prefix: bool = False) -> Position:
        """First occurrence of ``needle`` at or after ``after`` within one line."""
        for page, number, line in self.lines:
            if (page, number) < (after.page, after.line):
                continue
            start = after.column if (page, number) == (after.page, after.line) else 0
            if whole_line_prefix:
                if start == 0 and line.startswith(needle):
                    return Position(page, number, 0)
                continue
            column = line.find(needle, start)
            if column >= 0:
                return Position(page, number, column)
        raise SystemExit(f"not found after {after}: {needle!r}")

    def line(self, position: Position) -> str:
        for page, number, line in self.lines:
            if (page, number) == (position.page, position.line):
                return line
        raise KeyError(position)

    def next_line(self, position: Position) -> str:
        keys = [(p, n) for p, n, _ in self.lines]
        index = keys.index((position.page, position.line))
        return self.lines[index + 1][2]


def parse_value(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


def build(sample: str) -> tuple[Record, list[str]]:
    """The ground-truth record of one sample, and the uncovered numbers to review."""
    text_path = ROOT / "texts" / f"{sample}.txt"
    pages = ground_truth_pages(text_path)
    text = Text(pages)
    document, bloc, groups = DocumentInfo(), Bloc(), []
    sections: list[Section] = []
    units: list[Unit] = []
    top: list[Figure] = []
    current: Unit | None = None
    cursor = Position(1, 1, 0)
    covered: set[tuple[int, int, int]] = set()
    for raw in (ROOT / "truth_src" / f"{sample}.spec").read_text(encoding="utf-8").splitlines():
        line = nfc(raw.split(" #")[0].strip())
        if not line or line.startswith("#"):
            continue
        key, _, rest = line.partition(":")
        fields = [part.strip() for part in rest.split("|")]
        if key.startswith("document."):
            name = key.split(".", 1)[1]
            setattr(document, name, int(rest) if name == "year" else rest.strip())
        elif key.startswith("bloc."):
            name = key.split(".", 1)[1]
            setattr(bloc, name, int(rest) if name == "member_count" else rest.strip())
        elif key == "group":
            members = [m.strip() for m in fields[2].split(";")]
            groups.append(Group(int(fields[0]), fields[1], members))
        elif key == "section":
            number, title = fields
            if number.startswith("Phần"):
                at = text.find(number, cursor, whole_line_prefix=True)
                if text.next_line(at) != title:
                    raise SystemExit(f"title of {number!r} is {text.next_line(at)!r}")
                level = 1
            else:
                at = text.find(f"{number}. ", cursor, whole_line_prefix=True)
                written = text.line(at)[len(number) + 2:].rstrip(".:")
                if written != title:
                    raise SystemExit(f"section {number}: text says {written!r}, spec {title!r}")
                level = 1 if not number[0].isdigit() else number.count(".") + 2
            sections.append(Section(number, title, level, at.page, at.line))
            cursor = Position(at.page, at.line, 1)
        elif key == "unit":
            section = None if fields[0] == "-" else fields[0]
            if section is not None and section not in {s.number for s in sections}:
                raise SystemExit(f"unit {fields[1]!r}: section {section} not declared")
            current = Unit(section, fields[1])
            units.append(current)
        elif key == "top":
            current = None
        elif key == "fig":
            value, measure, anchor = parse_value(fields[0]), fields[1], fields[2]
            qualifier = fields[3] if len(fields) > 3 and fields[3] else None
            at = text.find(anchor, cursor)
            found = next((m for m in NUMBER.finditer(anchor)
                          if vietnamese_number(m.group()) == value), None)
            if not found:
                raise SystemExit(f"anchor {anchor!r} does not show value {value}")
            if qualifier and not anchor.startswith(qualifier + " "):
                raise SystemExit(f"anchor {anchor!r} does not start with {qualifier!r}")
            column = at.column + found.start()
            covered.add((at.page, at.line, column))
            figure = Figure(value, measure, clause(text.line(at), column), at.page, at.line,
                            1.0, qualifier)
            (current.figures if current else top).append(figure)
            cursor = Position(at.page, at.line, column + len(found.group()))
        else:
            raise SystemExit(f"bad spec line: {raw!r}")
    bloc.groups = groups
    check_unit_spans(sections, units)
    record = Record(Source(f"samples/texts/{sample}.txt", "", "text", len(pages), "text"),
                    document, bloc, sections, units, top,
                    [PageText(n, t) for n, t in enumerate(pages, 1)])
    uncovered = [f"p{p} l{n}: …{line[max(0, m.start() - 25):m.end() + 15]}…"
                 for p, n, line in text.lines for m in NUMBER.finditer(line)
                 if (p, n, m.start()) not in covered]
    return record, uncovered


def check_unit_spans(sections: list[Section], units: list[Unit]) -> None:
    """Each unit's figures must stand between its heading and the next heading."""
    for unit in units:
        if unit.section is None:
            continue
        index = next(i for i, s in enumerate(sections) if s.number == unit.section)
        start = (sections[index].page, sections[index].line)
        end = ((sections[index + 1].page, sections[index + 1].line)
               if index + 1 < len(sections) else (10**6, 0))
        for figure in unit.figures:
            if not start < (figure.page, figure.line) < end:
                raise SystemExit(f"{unit.name}: figure {figure.text!r} outside its section")


def main(argv: list[str]) -> int:
    samples = argv or sorted(p.stem for p in (ROOT / "truth_src").glob("*.spec"))
    for sample in samples:
        record, uncovered = build(sample)
        data = record.to_dict()
        Record.from_dict(json.loads(json.dumps(data)))  # the contract's own loader accepts it
        out = ROOT / "truth" / f"{sample}.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        count = len(record.figures) + sum(len(u.figures) for u in record.units)
        print(f"{sample}: {len(record.sections)} sections, {len(record.units)} units, "
              f"{count} figures; numbers not taken as figures:", file=sys.stderr)
        for item in uncovered:
            print("   ", item, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
