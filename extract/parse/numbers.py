"""The one parser of Vietnamese number formats: ``17.885``, ``1.172.455``, ``13,1``, ``04``.

Vietnamese writes ``.`` between thousands and ``,`` before decimals. Every stage that turns
digits into a value imports ``parse_number`` from here, so the rule lives in one place.
"""
from __future__ import annotations

import regex

# A number as it stands in running text: grouped thousands with an optional decimal part, or
# plain digits with an optional decimal part. Dates (18/12/2020) and ranges (2016-2020) are
# excluded by the callers, which look at the characters around a match.
_PLAIN = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?"
# A percentage whose decimal comma OCR followed with a space (``31, 8%``) is one number too,
# and so is a number whose thousands dot OCR set apart with a space or read as a colon
# (``10. 000``, ``2. 347``, ``36 .290``, ``6: 420``): a sentence that ends in a number of
# at most three digits and opens with one of three is far rarer than a tired scan's dot.
_SPACED_THOUSANDS = r"\d{1,3}(?:\.\d{3})*(?:[.:] | \.)\d{3}(?:\.\d{3})*(?:,\d+)?(?!\d)"
NUMBER = regex.compile(rf"(?:{_PLAIN}), \d{{1,2}}(?=\s?%)|{_SPACED_THOUSANDS}|{_PLAIN}")


def parse_number(text: str) -> int | float | None:
    """The value of one number written the Vietnamese way, or None if ``text`` is not one.

    ``17.885`` → 17885, ``1.172.455`` → 1172455, ``13,1`` → 13.1, ``04`` → 4, ``31, 8`` (OCR's
    space after the comma) → 31.8, ``10. 000`` (after the dot) → 10000, ``6: 420`` → 6420.
    Several commas (``1,172,455``) are read as thousands separators; a dot followed by other
    than three digits (``3.2``) as a decimal point, the way English-trained sources write it.
    """
    text = text.strip().replace(", ", ",").replace(". ", ".").replace(" .", ".") \
        .replace(": ", ".")
    if not regex.fullmatch(r"\d[\d.,]*", text) or text[-1] in ".,":
        return None
    if regex.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", text):
        whole, _, frac = text.partition(",")
        return _value(whole.replace(".", ""), frac)
    if regex.fullmatch(r"\d{1,3}(?:,\d{3}){2,}", text):
        return int(text.replace(",", ""))
    if regex.fullmatch(r"\d+(?:[.,]\d+)?", text):
        whole, _, frac = text.replace(".", ",").partition(",")
        return _value(whole, frac)
    return None


def _value(whole: str, frac: str) -> int | float:
    """An int when there is no (non-zero) decimal part, else a float."""
    if frac and int(frac) != 0:
        return float(f"{int(whole)}.{frac}")
    return int(whole)
