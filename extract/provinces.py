"""The province a unit belongs to: Hội Nông dân tỉnh Bắc Giang is not Hội Nông dân tỉnh
Thái Bình, though reports of both write "Hội Nông dân".

A bloc and its members are provincial bodies, so the province of a document's units is the
one its issuer names (``… tỉnh Nghệ An``, ``… thành phố Hà Nội``), else the place of its
date line. The database names a unit with its province (``Hội Nông dân tỉnh Bắc Giang``)
and compares names province by province.
"""
from __future__ import annotations

import regex

from extract.parse.units import name_key
from extract.records import Record
from extract.text import fold

# "tỉnh Bắc Giang", "thành phố Hà Nội", "TP. Hồ Chí Minh": the generic word and the name
_TAIL = regex.compile(r"\b(tỉnh|thành phố|TP\.?)\s+((?:\p{Lu}[\p{L}\p{M}]*(?:\s+|$)){1,4})")


_FOLDED_TAIL = regex.compile(r"\b(?:tinh|thanh pho|tp\.?)\s+([a-z ]+)$")


def of_record(record: Record) -> tuple[str, str] | None:
    """(generic word, name) of the document's province, or None when it names none."""
    found = _TAIL.search(record.document.issuer or "")
    if found:
        word = "thành phố" if found[1].lower().startswith(("thành", "tp")) else "tỉnh"
        return word, found[2].strip()
    place = (record.document.place or "").strip()
    if place and all(w[:1].isupper() for w in place.split()):
        return "tỉnh", place
    return None


def with_province(name: str, province: tuple[str, str] | None) -> str:
    """``name`` with the province it belongs to (unless it names one already)."""
    if province is None or _TAIL.search(name):
        return name
    return f"{name} {province[0]} {province[1]}"


def key(name: str) -> tuple[str, str]:
    """A unit's comparison key: the parser's (folded, abbreviations expanded, no province
    tail) and its province, folded ("" when it names none), as a user may type it too
    ("hoi nong dan tinh thai binh")."""
    found = _FOLDED_TAIL.search(" ".join(fold(name).split()))
    return name_key(name), found[1] if found else ""
