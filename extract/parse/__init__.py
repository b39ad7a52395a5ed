"""Parse repaired pages into the records of ``docs/records.md``.

``parse`` reads the header (issuer, number, place, date, type, title), every heading, the
bloc and its groups, the member units that have their own section, and the figures. Two
kinds of report are told apart from the document itself: a bloc's summary (several sections
each about one member unit) and a member's own submission (no such sections; the issuer is
the unit and every figure is its own).
"""
from __future__ import annotations

import regex

from extract.parse.bloc import parse_bloc
from extract.parse.figures import line_figures
from extract.parse.header import parse_header
from extract.parse.lines import DocLine, flatten
from extract.parse.sections import BULLET, Heading, find_headings
from extract.parse.tables import TableRow, table_figures
from extract.parse.units import Gazetteer, registry, tidy_name
from extract.records import PageText, PageWord, Record, Source, Unit
from extract.roman import is_capitals
from extract.text import Page, fold

# Score (rapidfuzz ratio) a heading needs to name a unit when its siblings already do.
SIBLING_SCORE = 60
# A summary report has at least this many sections about distinct member units.
MIN_UNIT_SECTIONS = 2
# A line inside a unit's section that opens, after something like a section number, with
# another unit's name (or is that name alone, in at most this many words) is that unit's
# heading, missed: the section says no more about its own unit from there on.
STRAY_HEADING_WORDS = 8
# The figures after such a line are that unit's, their confidence multiplied by
# MISSED_HEADING (the heading was read badly); after a missed part heading (a garbled
# number before capitals) they stay at bloc level, multiplied by UNATTRIBUTED (nobody can
# tell whose they are).
MISSED_HEADING = 0.9
UNATTRIBUTED = 0.5
ALONE_SCORE = 95  # the gazetteer score a name alone on its line needs to count as one
# The distribution list that closes a document ("Nơi nhận: - Lưu: VT, 02 bản."), and the
# signature beside it: no figure of the report stands there
_CLOSING = regex.compile(r"^\W{0,3}n\S{0,2}i\s+nh\S{0,3}n\s*[:;.]")
# A list item opening with a name and a colon, or a name alone on its line (a sub-heading
# "a) Hội Nông dân tỉnh"), the name at most MAX_NAME_TAIL words longer than the unit's own
# ("Hội Nông dân thành phố:"); its dash as OCR may read it ("„", "_")
_UNIT_ITEM = regex.compile(r"^\W{0,3}(?:[-–—+•*„_~]|[a-zđ]\))\s*(?P<name>\p{Lu}[^:;.]{2,79}?)"
                           r"(?:(?P<said>\s*:\s*\S)|\s*[.:]?\s*$)")
MAX_NAME_TAIL = 3
_NUMBERING = regex.compile(r"^\W*[\dIVXLl|]{1,3}(?:[.,]\s*[\dIl|]{1,3}){0,3}[.,)\s]\W*")


def parse(pages: list[Page], source: Source) -> Record:
    """The records of one document from its (repaired) pages."""
    lines = flatten(pages)
    gazetteer = Gazetteer.from_registry()
    header = parse_header(lines, gazetteer)
    record = Record(source=source, document=header.info)
    record.pages = [page_text(p) for p in pages]
    body = lines[header.end + 1:]
    record.bloc = parse_bloc(body, gazetteer, header.info.issuer)
    cells = table_figures(body)  # a table's rows are neither headings nor running text
    headings = find_headings(lines, skip=set(cells))
    record.sections = [h.section for h in headings]
    unit_spans = _unit_sections(headings, lines, gazetteer)
    end = next((dl.index for dl in body if _CLOSING.match(dl.folded)), len(lines))
    figures = [(dl, f) for dl in body if dl.index < end
               for f in (cells[dl.index].figures if dl.index in cells
                         else line_figures(lines, dl.index))]
    issuer = header.info.issuer
    if len(unit_spans) >= MIN_UNIT_SECTIONS or not issuer or _is_bloc(issuer):
        # a summary's members may also be list items (a member's own report names others
        # in its items too: those are no units of its)
        unit_spans = sorted(unit_spans + _unit_items(body, headings, unit_spans, gazetteer),
                            key=lambda span: span[0])
        inside: set[int] = set()
        todo = [(start, end, unit, 1.0) for start, end, unit in unit_spans]
        record.units = []
        while todo:
            start, end, unit, trust = todo.pop(0)
            said, other = _said_end(lines, start, end, unit.name, gazetteer)
            unit.figures = [f for dl, f in figures if start <= dl.index < said]
            for f in unit.figures:
                f.confidence = round(f.confidence * trust, 4)
            inside.update(range(start, said))
            record.units.append(unit)
            if other:  # a missed heading of another unit: the rest of the section is its
                todo.insert(0, (said, end, Unit(None, other), MISSED_HEADING))
            else:
                for dl, f in figures:
                    if said <= dl.index < end:
                        f.confidence = round(f.confidence * UNATTRIBUTED, 4)
        record.figures = [f for dl, f in figures if dl.index not in inside]
        _rows_to_units(record, cells, inside, gazetteer)
    else:
        hit = gazetteer.match(issuer)
        record.units = [Unit(None, hit[0] if hit else tidy_name(issuer),
                             [f for _, f in figures])]
    return record


def page_text(page: Page) -> PageText:
    """A page's text, and its words with their boxes, confidences and OCR readings."""
    width, height = page.size or (None, None)
    words = [PageWord(n, w.text, round(w.confidence, 4), w.ocr,
                      None if w.ocr_confidence is None else round(w.ocr_confidence, 4),
                      list(w.box) if w.box else None,
                      [[t, round(p, 4)] for t, p in w.candidates],
                      None if w.repair_confidence is None else round(w.repair_confidence, 4))
             for n, line in enumerate(page.lines, 1) for w in line.words]
    return PageText(page.number, page.text, width, height, words)


def _is_bloc(name: str) -> bool:
    """True if ``name`` is a bloc (khối / cụm thi đua) rather than a member unit."""
    return fold(name).startswith(("khoi", "cum"))


def _unit_sections(headings: list[Heading], lines: list[DocLine],
                   gazetteer: Gazetteer) -> list[tuple[int, int, Unit]]:
    """(first line, end line, unit) of each section that is about one member unit.

    A heading names a unit when its title matches the gazetteer; a heading among siblings
    that already name units needs only a looser match (OCR garbles names), and one that
    opens with a unit's generic word there is a unit the gazetteer does not know.
    """
    matches: list[tuple[str, float] | None] = [
        gazetteer.match(h.section.title) if h.section.level >= 2 else None for h in headings]
    confirmed: dict[tuple[str, int], int] = {}
    for h, hit in zip(headings, matches):
        if hit:
            key = _parent(h)
            confirmed[key] = confirmed.get(key, 0) + 1
    taken = {hit[0] for hit in matches if hit}
    spans = []
    for k, (h, hit) in enumerate(zip(headings, matches)):
        name = hit[0] if hit else None
        if name is None and h.section.level >= 2 and confirmed.get(_parent(h), 0) >= 2:
            loose = gazetteer.match(h.section.title, SIBLING_SCORE)
            if loose and loose[0] not in taken:
                name = loose[0]
            elif fold(h.section.title).startswith(_generic_words()):
                name = tidy_name(h.section.title)  # a unit the gazetteer does not know
        if name is None:
            continue
        end = next((x.index for x in headings[k + 1:] if x.section.level <= h.section.level),
                   len(lines))
        spans.append((h.index, end, Unit(h.section.number, name)))
    return spans


def _rows_to_units(record: Record, rows: dict[int, TableRow], inside: set[int],
                   gazetteer: Gazetteer) -> None:
    """Give the figures of each table row that names a member unit, outside the units' own
    sections, to that unit (a summary's table of its members' results); the totals row
    and rows naming nothing known stay at bloc level."""
    units = {u.name: u for u in record.units}
    moved: set[int] = set()
    for index, row in rows.items():
        hit = None if row.total or index in inside or not row.figures \
            else gazetteer.match(row.name)
        if hit is None:
            continue
        unit = units.get(hit[0])
        if unit is None:
            unit = units[hit[0]] = Unit(None, hit[0])
            record.units.append(unit)
        unit.figures += row.figures
        moved.update(id(f) for f in row.figures)
    record.figures = [f for f in record.figures if id(f) not in moved]


def _unit_items(body: list[DocLine], headings: list[Heading],
                sections: list[tuple[int, int, Unit]],
                gazetteer: Gazetteer) -> list[tuple[int, int, Unit]]:
    """(first line, end line, unit) of each list item that opens with a member unit's name
    and a colon ("- Hội Nông dân thành phố: kết nạp 1.250 hội viên …") or is the name alone
    ("a) Hội Nông dân tỉnh"), outside the units' own sections: a summary that lists its
    members' results item by item. An item runs to the next heading or unit item; one with
    its text after the colon also to the next list item (its sibling), a name alone (a
    sub-heading) to the next item marked as it is ("b)" after "a)"), over its own list."""
    inside = {i for start, end, _ in sections for i in range(start, end)}
    headed = {h.index for h in headings}
    # (line, its mark's kind, the unit it names or None, whether that name stands alone)
    marks: list[tuple[int, str, str | None, bool]] = []
    for dl in body:
        if dl.index in inside:
            continue
        m = _UNIT_ITEM.match(dl.text)
        hit = gazetteer.match(m["name"]) if m else None
        unit = hit[0] if hit and len(m["name"].split()) <= len(hit[0].split()) + MAX_NAME_TAIL \
            else None
        if dl.index in headed or unit or BULLET.match(dl.text):
            kind = "heading" if dl.index in headed else _mark_kind(dl.text)
            marks.append((dl.index, kind, unit, bool(unit) and m["said"] is None))
    spans = []
    for k, (start, kind, unit, alone) in enumerate(marks):
        if unit:
            end = next((line for line, other_kind, other, _ in marks[k + 1:]
                        if other_kind == "heading" or other or not alone or other_kind == kind),
                       body[-1].index + 1)
            spans.append((start, end, Unit(None, unit)))
    return spans


def _mark_kind(text: str) -> str:
    """What marks a list item: "letter" ("a)"), "number" ("1)") or "dash" (any other)."""
    mark = regex.match(r"^\W{0,3}(?:(?P<letter>[a-zđ]\))|(?P<number>\d{1,2}\)))", text)
    return "letter" if mark and mark["letter"] else "number" if mark and mark["number"] \
        else "dash"


def _said_end(lines: list[DocLine], start: int, end: int, unit: str,
              gazetteer: Gazetteer) -> tuple[int, str | None]:
    """Where the section of ``unit`` (its lines ``start``..``end``) stops speaking of it,
    and of whom it speaks from there: at the first line that is a heading the heading
    search missed — another unit's (a garbled number before its name, or the name alone
    on its line), or a part's (a garbled number before a title in capitals: nobody's) —
    else ``end``."""
    for dl in lines[start + 1:end]:
        text = dl.text.strip()
        numbered = _NUMBERING.match(text)
        rest = text[numbered.end():] if numbered else text
        if not rest[:1].isupper() or not (numbered or len(rest.split()) <= STRAY_HEADING_WORDS):
            continue
        hit = gazetteer.match(rest if numbered else rest.rstrip(".:;"))
        if hit and hit[0] != unit and (numbered or hit[1] >= ALONE_SCORE):
            return dl.index, hit[0]
        if numbered and not hit and is_capitals(rest) and len(rest.split()) >= 2:
            return dl.index, None
    return end, None


def _generic_words() -> tuple[str, ...]:
    """The folded words a unit's name opens with (hội, liên hiệp …), from the registry."""
    return tuple(fold(w) + " " for w in registry().generic_words)


def _parent(h: Heading) -> tuple[str, int]:
    """The parent number and level of a numbered heading (``3.14`` → ``("3", 3)``)."""
    number = h.section.number or ""
    return number.rpartition(".")[0], h.section.level
