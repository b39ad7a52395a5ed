"""Part numbers that a scan lost a stroke of: "II." where "III." is due, "HI." for "III.".

Reports number their parts I., II., III. …, each heading in capitals; OCR drops one of a
numeral's strokes ("III" → "II") or merges two ("II" → "H"), and no language model can
tell which part a heading is. The document's own sequence can: a part numeral read as the
one before it, where the one after it is due and is that numeral with one more I, is the
one due; a noisy numeral that reads as the one due ("HI", "Il") is written as it. Nothing
else changes: a sequence that starts again (each "Phần thứ …" numbers its parts from I) or
skips is followed as written.
"""
from __future__ import annotations

import regex

from extract.repair.decode import Choice
from extract.roman import NOISY_DIGITS, is_capitals, roman_value, to_roman
from extract.text import fold

# A line's first word that may be a part numeral: a speck or two, the numeral as OCR reads
# it, its full stop or colon (or the next word's).
_NUMERAL = regex.compile(r"^(?P<lead>[\W_]{0,2}?)(?P<num>[IVXLHl1|]{1,6})(?P<sep>[.:]?)$")


def restore(lines: list[list[Choice]]) -> None:
    """Put back, in place, the lost or merged strokes of the part numerals among ``lines``
    (a whole document's, in order)."""
    due = 1
    for choices in lines:
        if len(choices) < 2:
            continue
        if fold(" ".join(c.text for c in choices[:2])).startswith("phan thu"):
            due = 1  # "Phần thứ hai": its parts are numbered from I again
            continue
        m = _NUMERAL.match(choices[0].text)
        if not m or not (m["sep"] or choices[1].text[:1] in ".:"):
            continue
        if m["num"].isdigit() or not is_capitals(" ".join(c.text for c in choices[1:])):
            continue  # arabic numbering, or not a part heading
        value = roman_value(m["num"].translate(NOISY_DIGITS))
        if value is None:
            continue
        if value == due - 1 and to_roman(due) == to_roman(value) + "I":
            value = due  # a stroke lost: "II." where "III." is due
        if value == due:
            choices[0].text = m["lead"] + to_roman(value) + m["sep"]
        due = value + 1
