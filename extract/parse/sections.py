"""Headings: ``Phần thứ …``, Roman parts ``I.``–``XX.``, numbered sections ``1.``, ``2.1.``, ``3.14.``.

Reports number their headings the same way everywhere, but OCR garbles the numbers (``I1.``
or ``Il.`` for II., ``IIl.`` for III., ``1I.``, ``1.`` for I.) and running text holds numbered
list items and lines that merely begin with a number. A heading is told from them by its form:
a number that fits the numbering, then a title that starts with a capital and stands on a
line of its own (short, or wrapping once), or an all-capitals title.
"""
from __future__ import annotations

from dataclasses import dataclass

import regex
from rapidfuzz import fuzz

from extract.parse.lines import DocLine
from extract.records import Section
from extract.roman import NOISY_DIGITS, is_capitals, roman_value, to_roman
from extract.text import fold

# The ordinals a "Phần thứ …" heading takes, by their folded form (what OCR is matched by)
_ORDINALS = {fold(w): w for w in "nhất hai ba tư năm sáu bảy tám chín mười".split()}
_PART = regex.compile(r"^\W{0,2}(ph\S{0,3}n\s+th\S{0,3})\s+(\S+)\s*[.:]?\s*$")
# "Phần I", "PHẦN 2. KẾT QUẢ …" (folded), its title in capitals on the line or below it:
# no sentence ("Phần lớn …", "Phần 2 của …") is one
_NUMBERED_PART = regex.compile(r"^\W{0,2}ph\S{0,3}n\s+(?P<n>[ivx]{1,4}|\d{1,2})\s*(?:[.:\-–]\s*)?"
                               r"(?P<title>.*)$")
# A numbered heading as OCR reads it: up to four specks before it ("._"), a space after a
# number's inner full stop ("2. 9." for "2.9."), an inner full stop read as a comma ("2,9."),
# its separator doubled ("IH,." for "III.").
_NUMBERED = regex.compile(
    r"^[\W_]{0,4}?(?P<num>\d{1,2}(?:[.,]\d{1,2}|[.,]\s\d{1,2}(?=\.)){0,3}|[IVXLl1H]{1,5})"
    r"(?P<sep>\s*[.:),]{1,2}|\s)\s*(?P<title>\S.*)$")
# A part whose numeral OCR or repair made a word ("LỰC." for "IV."): a short capitalised
# token and a full stop, then a title of capitals, where the next Roman part is due.
_UNREADABLE_PART = regex.compile(r"^\p{Lu}{1,4}\.\s+(?P<title>\p{Lu}\S*\s+\S.*)$")
# A section number OCR read as a letter like it ("S." for 5.): a heading only where it
# continues its siblings' count
_LETTER_DIGITS = {"S": "5", "B": "8", "Z": "2", "G": "6"}
_LETTER_NUMBER = regex.compile(r"^[\W_]{0,4}?(?P<num>[SBZG])\s*[.,]\s*(?P<title>\p{Lu}.*)$")
# What OCR reads a part I, or a section 1, as
_ROMAN_ONES = frozenset("Il")
# A list item's mark opening a line: a dash, plus, bullet, "a)" or "1)"
BULLET = regex.compile(r"^\s*(?:[-+*•–]|[a-zđ]\)|\d{1,2}\))")
# A section number two or more levels deep ("3.6.") never opens a list item: after a dash
# it is a heading whose speck OCR read as the dash.
_DEEP_NUMBER = regex.compile(r"\d{1,2}(?:\.\d{1,2})+\.?\s+\p{Lu}")


@dataclass
class Heading:
    """A heading found in the text, with the flat index of its line."""

    section: Section
    index: int


def starts_numbered(text: str) -> bool:
    """True if the line opens with a heading or list number (``I.``, ``2.1.``, ``3)``)."""
    return bool(_NUMBERED.match(_unaccent_numeral(text.strip())) or BULLET.match(text))


def clean_title(text: str) -> str:
    """A heading title without trailing full stop, colon, dashes or OCR specks (a quote
    mark that opens nothing among them), nor specks before it ("- KẾT QUẢ …" under a
    "Phần thứ nhất")."""
    title = regex.sub(r"^[\s.,:;\-–_~`]+|[\s.:\-–_~`]+$", "", text.strip()).strip()
    while title[-1:] in ("\"", "'") and title.count(title[-1]) % 2:  # a quote none opened
        title = regex.sub(r"[\s.:\-–_~`]+$", "", title[:-1])
    return title


def find_headings(lines: list[DocLine], skip: set[int] = frozenset()) -> list[Heading]:
    """Every heading in document order (none on the lines whose indexes are in ``skip``)."""
    full = _full_line_length(lines)
    headings: list[Heading] = []
    expected_roman = 1
    for i, dl in enumerate(lines):
        text = dl.text.strip()
        if dl.index in skip:
            continue
        bullet = BULLET.match(text)
        if bullet:  # a list item, unless a speck read as a dash precedes a section number
            text = text[bullet.end():].lstrip()
            if not _DEEP_NUMBER.match(text):
                continue
        if not text:
            continue
        part = _part(dl)
        if part:
            part, title = part
            title = title or _next_text(lines, i)
            headings.append(Heading(Section(part, clean_title(title), 1, dl.page, dl.line), i))
            expected_roman = 1
            continue
        m = _NUMBERED.match(_unaccent_numeral(text))
        look = None if m else _LETTER_NUMBER.match(text)
        if look and _under_parent(headings, [_LETTER_DIGITS[look["num"]]]):
            headings.append(Heading(Section(_LETTER_DIGITS[look["num"]], clean_title(
                look["title"]), 2, dl.page, dl.line), i))  # "S. Liên đoàn …" after 4.
            continue
        if not m:
            unreadable = _UNREADABLE_PART.match(text)
            if unreadable and expected_roman >= 2 and is_capitals(unreadable["title"]):
                headings.append(Heading(Section(to_roman(expected_roman), clean_title(
                    unreadable["title"]), 1, dl.page, dl.line), i))
                expected_roman += 1
            continue
        num, title = regex.sub(r"\s", "", m["num"]), m["title"]
        comma_inside = "," in num
        num = num.replace(",", ".")
        sep = next((c for c in ".:),"  if c in m["sep"]), "")  # the one that counts
        if not title[0].isalpha() and not (title[0] in "\"'“‘(" and len(title) > 1):
            continue
        if num in _ROMAN_ONES and expected_roman >= 2 and not is_capitals(title):
            num = "1"  # a part I is behind us: "I. Hội …" is a first unit's 1. read as I
        roman = _as_roman(num, title, sep, expected_roman)
        if roman:
            headings.append(Heading(Section(to_roman(roman), clean_title(title), 1, dl.page,
                                            dl.line), i))
            expected_roman = roman + 1
            continue
        if not regex.fullmatch(r"\d{1,2}(?:\.\d{1,2}){0,3}", num):
            continue
        parts = num.split(".")
        doubtful = sep == "," or comma_inside or sep == ":" and "." not in num
        if "." not in num and sep not in (".", ",", ":") or \
                doubtful and not _counts_on(headings, parts, i):
            continue  # a full stop read as a comma or colon ("2, Hội …", "2,1. Hội …",
            # "1: Công tác …") only where the numbering above leads to it
        if not _starts_upper(title):
            continue
        if not (_counts_on(headings, parts, i) or _stands_alone(lines, i, full, title)):
            continue
        if int(parts[0]) == 0:
            continue
        headings.append(Heading(Section(num, clean_title(title), len(parts) + 1, dl.page,
                                        dl.line), i))
    return _renumber_siblings(_promote_first_part(headings))


def _under_parent(headings: list[Heading], parts: list[str]) -> bool:
    """True if ``2.1`` follows its parent ``2``, or ``4`` / ``2.4`` its elder sibling's section.

    Numbering that continues the numbering of the headings above is a heading even when it
    runs on like a paragraph (``1.1. Nhóm 1 gồm 5 đơn vị: …``).
    """
    if not headings:
        return False
    last = headings[-1].section.number or ""
    parent = ".".join(parts[:-1])
    elder = ".".join([*parts[:-1], str(int(parts[-1]) - 1)])
    if parts[-1] == "1":
        return len(parts) > 1 and last == parent
    return last == elder or last.startswith(elder + ".")


def _counts_on(headings: list[Heading], parts: list[str], i: int) -> bool:
    """True if ``parts``, on line ``i``, is the number the headings above lead to: as
    ``_under_parent``, or a first section ``1`` on the line after a part's heading (its
    title may wrap once)."""
    return _under_parent(headings, parts) or parts == ["1"] and bool(headings) and \
        headings[-1].section.level == 1 and i - headings[-1].index <= 2


def _part(dl: DocLine) -> tuple[str, str] | None:
    """(``Phần thứ …``, the title on its line or "") when the line is that heading, spelt as
    records write it whatever the line's case or OCR ("PHẦN THỨ HAI", "Phân thú nhát":
    Phần thứ hai, Phần thứ nhất), also numbered ("Phần I", "PHẦN 2. KẾT QUẢ …": Phần thứ
    nhất, Phần thứ hai); else None."""
    folded = dl.folded.strip()
    m = _PART.match(folded)
    if m and fuzz.ratio(regex.sub(r"\s+", " ", m[1]), "phan thu") >= 60:
        score, ordinal = max((fuzz.ratio(m[2], o), o) for o in _ORDINALS)
        return (f"Phần thứ {_ORDINALS[ordinal]}", "") if score >= 70 else None
    numbered = _NUMBERED_PART.match(folded)
    if not numbered:
        return None
    value = int(numbered["n"]) if numbered["n"].isdigit() else roman_value(numbered["n"].upper())
    text = dl.text.strip()
    title = text[numbered.start("title"):].strip()
    if not regex.search(r"\p{L}", title):
        title = ""  # "Phần I | ¬": specks after the numeral, the title on the next line
    if not value or value > len(_ORDINALS) or not _starts_upper(text) or (
            title and not is_capitals(title)):
        return None
    return f"Phần thứ {list(_ORDINALS.values())[value - 1]}", title


def _unaccent_numeral(text: str) -> str:
    """The line with a Roman numeral that repair gave tone marks (``Ì.``, ``Ỉl.``) unmarked,
    and a section number 8 that a thinned scan shows as ``§`` read as 8."""
    if text.startswith("§") and text[1:2] in (".", " "):
        text = "8" + text[1:]
    first, sep, rest = text.partition(" ")
    plain = fold(first)
    if plain != first.lower() and regex.fullmatch(r"[ivxl1]{1,5}[.,:]?", plain):
        return plain.upper() + sep + rest
    return text


def _as_roman(num: str, title: str, sep: str, expected: int) -> int | None:
    """The Roman part number ``num`` stands for, or None if the line is not a Roman part.

    OCR turns I into l or 1; a token of only digits counts as Roman only when it reads as
    the part that comes next and its title is in capitals; so does one read with ``H`` (II).
    """
    value = roman_value(num.translate(NOISY_DIGITS))
    if value is None or value > 20:
        return None
    if value < expected <= 3 and is_capitals(title):
        value = expected  # OCR dropped a stroke: "II." where "III." comes next
    if (num.isdigit() or "H" in num) and (value != expected or value < 2
                                          or not is_capitals(title)):
        return None
    if is_capitals(title):
        return value
    if sep == "." and _starts_upper(title) and len(title.split()) <= 14:
        return value
    return None


def _starts_upper(title: str) -> bool:
    first = next((c for c in title if c.isalpha()), "")
    return first.isupper()


def _full_line_length(lines: list[DocLine]) -> float:
    """The length of a full line of running text (80th percentile of line lengths)."""
    lengths = sorted(len(dl.text.strip()) for dl in lines if dl.text.strip())
    return float(lengths[int(0.8 * (len(lengths) - 1))]) if lengths else 0.0


def _stands_alone(lines: list[DocLine], i: int, full: float, title: str) -> bool:
    """True if the numbered line at ``i`` is a heading rather than a numbered paragraph.

    A heading is all capitals, or short, or ends its paragraph (the next line starts a new
    one), or wraps once onto a short line; a list item runs on over full lines. A title
    holding a semicolon, or wrapping onto a line that holds one, is an enumeration in
    running text, never a heading; a short line is not wrapped, so the line after it (in
    lower case only by OCR's garbling, "siại có" for "Hội có") is not its continuation.
    """
    nxt = _next_index(lines, i)
    short = len(lines[i].text.strip()) < 0.75 * full  # it did not wrap: the break is meant
    if ";" in title or (not short and nxt is not None and _continues(lines[nxt].text)
                        and ";" in lines[nxt].text):
        return False
    if is_capitals(title) or short or nxt is None:
        return True
    nxt_text = lines[nxt].text.strip()
    if not _continues(nxt_text):
        starts_block = (nxt > i + 1 or _NUMBERED.match(nxt_text) is not None
                        or BULLET.match(nxt_text) is not None)
        return starts_block or lines[i].text.rstrip()[-1:] in ".:"
    after = _next_index(lines, nxt)
    wraps_once = len(nxt_text) < 0.75 * full and (after is None or not _continues(
        lines[after].text))
    return wraps_once and len(lines[i].text.split()) + len(nxt_text.split()) <= 35


def _continues(text: str) -> bool:
    """True if a line carries on the sentence above it (starts with a small letter)."""
    first = next((c for c in text if c.isalnum()), "")
    return first.isalpha() and first.islower()


def _next_index(lines: list[DocLine], i: int) -> int | None:
    """Index of the next non-empty line after ``i`` on the same page, or None."""
    for j in range(i + 1, len(lines)):
        if lines[j].page != lines[i].page:
            return None
        if lines[j].text.strip():
            return j
    return None


def _next_text(lines: list[DocLine], i: int) -> str:
    """The next non-empty line after ``i`` (any page)."""
    for j in range(i + 1, len(lines)):
        if lines[j].text.strip():
            return lines[j].text.strip()
    return ""


def _promote_first_part(headings: list[Heading]) -> list[Heading]:
    """Read an all-capitals ``1.`` before a Roman ``II`` as the part ``I`` OCR took it for."""
    for k, h in enumerate(headings):
        s = h.section
        if s.number != "1" or not is_capitals(s.title):
            continue
        before = [x.section for x in headings[:k] if x.section.level == 1]
        if before and roman_value(before[-1].number or ""):
            continue
        after = next((x.section for x in headings[k + 1:] if x.section.level == 1), None)
        if after is not None and after.number == "II":
            h.section = Section("I", s.title, 1, s.page, s.line)
    return headings


def _renumber_siblings(headings: list[Heading]) -> list[Heading]:
    """Mend a numbered heading whose number OCR misread, from its siblings' numbers.

    Siblings count up by one; a heading that breaks the count (``3.`` between ``4.`` and
    ``6.``, or after ``4.`` at the end) takes the number the count gives it. A ``1`` starts a
    new run and is left alone.
    """
    for k, h in enumerate(headings):
        s = h.section
        parts = (s.number or "").split(".")
        if s.level < 2 or not all(p.isdigit() for p in parts) or parts[-1] == "1":
            continue
        prev = _sibling(headings, k, -1)
        nxt = _sibling(headings, k, +1)
        if prev is None:
            continue
        expected = int(prev.split(".")[-1]) + 1
        fits_next = nxt is None or int(nxt.split(".")[-1]) == expected + 1
        if int(parts[-1]) != expected and fits_next and (
                nxt is not None or int(parts[-1]) < expected):
            number = ".".join([*parts[:-1], str(expected)])
            h.section = Section(number, s.title, s.level, s.page, s.line)
    return headings


def _sibling(headings: list[Heading], k: int, step: int) -> str | None:
    """The number of the nearest heading at the same level under the same parent, or None."""
    level = headings[k].section.level
    parent = (headings[k].section.number or "").rpartition(".")[0]
    j = k + step
    while 0 <= j < len(headings):
        other = headings[j].section
        if other.level < level:
            return None
        if other.level == level:
            number = other.number or ""
            ok = number.rpartition(".")[0] == parent and all(
                p.isdigit() for p in number.split("."))
            return number if ok else None
        j += step
    return None
