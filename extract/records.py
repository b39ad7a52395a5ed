"""The records of one document, as ``docs/records.md`` (the output contract) defines them.

Plain dataclasses; ``Record.to_dict`` gives the JSON form with every key of the contract
present (``None``/``[]`` where the document says nothing). Keys may be added, never renamed.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field


@dataclass
class Source:
    path: str
    sha256: str
    kind: str  # "pdf" | "image" | "text"
    pages: int
    method: str  # "ocr" | "text-layer" | "text" | "mixed"


@dataclass
class DocumentInfo:
    issuer: str | None = None
    number: str | None = None
    place: str | None = None
    date: str | None = None  # ISO YYYY-MM-DD
    year: int | None = None
    doc_type: str | None = None
    title: str | None = None


@dataclass
class Group:
    number: int
    leader: str | None = None
    members: list[str] = field(default_factory=list)


@dataclass
class Bloc:
    name: str | None = None
    member_count: int | None = None
    head: str | None = None
    deputy_head: str | None = None
    groups: list[Group] = field(default_factory=list)


@dataclass
class Section:
    number: str | None  # "I", "2.1", "Phần thứ nhất" → "1"; None for unnumbered
    title: str
    level: int
    page: int
    line: int


@dataclass
class Figure:
    value: float | int
    measure: str
    text: str
    page: int
    line: int
    confidence: float
    qualifier: str | None = None  # trên, gần, hơn, khoảng, đạt …
    # the words of its line it was read from (0-based, end excluded), and their box on the
    # page image (left, top, width, height in pixels) when the page was OCR'd
    words: list[int] | None = None
    box: list[int] | None = None


@dataclass
class Unit:
    section: str | None
    name: str
    figures: list[Figure] = field(default_factory=list)


@dataclass
class PageWord:
    """One word of a page as review needs it: what repair made of it and what OCR read."""

    line: int  # 1-based line of the page
    text: str
    confidence: float
    ocr: str | None = None
    ocr_confidence: float | None = None
    box: list[int] | None = None  # left, top, width, height in the page image's pixels
    candidates: list[list] = field(default_factory=list)  # [reading, posterior] when doubtful
    repair_confidence: float | None = None  # the repair's alone (confidence: with OCR's)


@dataclass
class PageText:
    number: int
    text: str
    width: int | None = None  # pixels of the page image the word boxes are in (OCR pages)
    height: int | None = None
    words: list[PageWord] = field(default_factory=list)


@dataclass
class Record:
    source: Source
    document: DocumentInfo = field(default_factory=DocumentInfo)
    bloc: Bloc = field(default_factory=Bloc)
    sections: list[Section] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    pages: list[PageText] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, data: dict) -> "Record":
        bloc = dict(data.get("bloc") or {})
        bloc["groups"] = [Group(**g) for g in bloc.get("groups") or []]
        return cls(
            source=Source(**data["source"]),
            document=DocumentInfo(**(data.get("document") or {})),
            bloc=Bloc(**bloc),
            sections=[Section(**s) for s in data.get("sections") or []],
            units=[Unit(u.get("section"), u["name"], [Figure(**f) for f in u.get("figures") or []])
                   for u in data.get("units") or []],
            figures=[Figure(**f) for f in data.get("figures") or []],
            pages=[PageText(**{**p, "words": [PageWord(**w) for w in p.get("words") or []]})
                   for p in data.get("pages") or []],
        )
