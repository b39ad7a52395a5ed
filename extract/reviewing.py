"""What review reads from the bloc database and writes back: the documents, a document's
pages with their words and boxes, its figures, the bloc's figures over the years, and the
reviewers' corrections.

Corrections are rows of their own (``store.corrections``: what, old, new, when), keyed by
the document's content and the place of what was changed, so that extracting a document
again keeps them; the latest correction of a thing wins. Words and figures are shown with
their corrections applied, and ``export`` applies the figures' (``Store.figure_rows``).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import and_, func, or_, select

from extract.parse.numbers import parse_number
from extract.repair import FLAG_BELOW as DOUBTFUL_BELOW
from extract.store import (Store, blocs, corrections, documents, figures, page_texts, units,
                           words)
from extract.text import nfc

SORTS = ("path", "issuer", "number", "date", "year", "pages", "figures", "doubtful", "status")
MAX_TEXT = 300  # characters a corrected word or measure may have


@dataclass
class DocumentRow:
    """One line of the documents list."""

    id: int
    path: str
    issuer: str | None
    number: str | None
    date: str | None
    year: int | None
    pages: int | None
    figures: int
    doubtful: int
    corrections: int
    status: str
    error: str | None


@dataclass
class ReviewWord:
    """A word as review shows it (its latest correction applied)."""

    line: int
    position: int
    text: str
    confidence: float
    ocr: str | None
    ocr_confidence: float | None
    box: tuple[int, int, int, int] | None
    candidates: list[tuple[str, float]]
    corrected: bool = False

    @property
    def doubtful(self) -> bool:
        return self.confidence < DOUBTFUL_BELOW and not self.corrected


@dataclass
class ReviewPage:
    """One page: its size in pixels (when it was OCR'd) and its lines of words."""

    number: int
    width: int | None
    height: int | None
    lines: list[list[ReviewWord]] = field(default_factory=list)


@dataclass
class ReviewFigure:
    """A figure with its unit, its box on the page and its corrections applied."""

    unit: str | None
    value: float | int
    measure: str
    qualifier: str | None
    text: str
    page: int
    line: int
    word_start: int | None
    word_end: int | None
    confidence: float
    box: tuple[int, int, int, int] | None = None
    corrected: bool = False


@dataclass
class ReviewDocument:
    """A document with everything its review page shows."""

    row: DocumentRow
    sha256: str | None
    kind: str | None
    bloc: str | None
    title: str | None
    pages: list[ReviewPage]
    figures: list[ReviewFigure]


class ReviewError(ValueError):
    """A correction that cannot be made (unknown word or figure, a value that is no number)."""


class Review:
    """Review's queries and corrections over one ``Store``."""

    def __init__(self, store: Store):
        self.store = store

    def documents(self, query: str = "", sort: str = "path", descending: bool = False,
                  only: int | None = None) -> list[DocumentRow]:
        """The documents whose path, issuer, number or title contain ``query`` (case and
        marks as written), sorted by one of ``SORTS``; with ``only``, that one document."""
        nfig = (select(figures.c.document_id, func.count().label("n"))
                .group_by(figures.c.document_id).subquery())
        ndoubt = (select(words.c.document_id, func.count().label("n"))
                  .where(words.c.confidence < DOUBTFUL_BELOW)
                  .group_by(words.c.document_id).subquery())
        ncorr = (select(corrections.c.sha256, func.count().label("n"))
                 .group_by(corrections.c.sha256).subquery())
        q = (select(documents.c.id, documents.c.path, documents.c.issuer, documents.c.number,
                    documents.c.date, documents.c.year, documents.c.pages,
                    func.coalesce(nfig.c.n, 0).label("figures"),
                    func.coalesce(ndoubt.c.n, 0).label("doubtful"),
                    func.coalesce(ncorr.c.n, 0).label("corrections"),
                    documents.c.status, documents.c.error)
             .outerjoin(nfig, nfig.c.document_id == documents.c.id)
             .outerjoin(ndoubt, ndoubt.c.document_id == documents.c.id)
             .outerjoin(ncorr, ncorr.c.sha256 == documents.c.sha256))
        if only is not None:
            q = q.where(documents.c.id == only)
        if query:
            like = f"%{nfc(query)}%"
            q = q.where(or_(documents.c.path.like(like), documents.c.issuer.like(like),
                            documents.c.number.like(like), documents.c.title.like(like)))
        with self.store.engine.connect() as conn:
            rows = [DocumentRow(**{**r._mapping, "date": r.date.isoformat() if r.date else None})
                    for r in conn.execute(q)]
        key = sort if sort in SORTS else "path"
        rows.sort(key=lambda r: (getattr(r, key) is None, getattr(r, key) or 0
                                 if key in ("year", "pages", "figures", "doubtful")
                                 else str(getattr(r, key) or "")), reverse=descending)
        return rows

    def document(self, doc_id: int) -> ReviewDocument | None:
        """Everything the document's page shows, or None for an unknown id."""
        found = self.documents(only=doc_id)
        if not found:
            return None
        with self.store.engine.connect() as conn:
            doc = conn.execute(select(documents.c.sha256, documents.c.kind, documents.c.title,
                                      blocs.c.name).outerjoin(blocs, documents.c.bloc_id == blocs.c.id)
                               .where(documents.c.id == doc_id)).one()
            fixes = _latest(conn, doc.sha256)
            pages = {p.number: ReviewPage(p.number, p.width, p.height) for p in conn.execute(
                select(page_texts).where(page_texts.c.document_id == doc_id)
                .order_by(page_texts.c.number))}
            by_line: dict[tuple[int, int], list[ReviewWord]] = {}
            for w in conn.execute(select(words).where(words.c.document_id == doc_id)
                                  .order_by(words.c.page, words.c.line, words.c.position)):
                fix = fixes.get(("word", w.page, w.line, w.position, "text"))
                box = (w.box_left, w.box_top, w.box_width, w.box_height) \
                    if w.box_left is not None else None
                word = ReviewWord(w.line, w.position, fix if fix is not None else w.text,
                                  w.confidence, w.ocr, w.ocr_confidence, box,
                                  [tuple(c) for c in json.loads(w.candidates or "[]")],
                                  fix is not None)
                by_line.setdefault((w.page, w.line), []).append(word)
            for (page, _line), line_words in sorted(by_line.items()):
                if page in pages:
                    pages[page].lines.append(line_words)
            figs = []
            for f in conn.execute(select(figures, units.c.name.label("unit"))
                                  .outerjoin(units, figures.c.unit_id == units.c.id)
                                  .where(figures.c.document_id == doc_id)
                                  .order_by(figures.c.page, figures.c.line, figures.c.id)):
                fig = ReviewFigure(f.unit, _whole(f.value), f.measure, f.qualifier, f.text,
                                   f.page, f.line, f.word_start, f.word_end, f.confidence)
                for name in ("value", "measure"):
                    fix = fixes.get(("figure", f.page, f.line, f.word_start, name))
                    if fix is not None:
                        setattr(fig, name, _whole(float(fix)) if name == "value" else fix)
                        fig.corrected = True
                fig.box = _span_box(by_line.get((f.page, f.line), []), f.word_start, f.word_end)
                figs.append(fig)
        return ReviewDocument(found[0], doc.sha256, doc.kind, doc.name, doc.title,
                              list(pages.values()), figs)

    def source(self, doc_id: int) -> tuple[str, str, str] | None:
        """(path, kind, sha256) of a done document's original file as batched, or None."""
        with self.store.engine.connect() as conn:
            row = conn.execute(select(documents.c.path, documents.c.kind, documents.c.sha256)
                               .where(documents.c.id == doc_id,
                                      documents.c.status == "done")).first()
        return tuple(row) if row and row.sha256 else None

    def correct_word(self, doc_id: int, page: int, line: int, position: int, new: str) -> None:
        """Store the right text of one word (ReviewError for an unknown word or bad text)."""
        new = _clean(new)
        with self.store.engine.begin() as conn:
            sha = _sha(conn, doc_id)
            old = conn.execute(select(words.c.text).where(
                words.c.document_id == doc_id, words.c.page == page, words.c.line == line,
                words.c.position == position)).scalar()
            if old is None:
                raise ReviewError("no such word in this document")
            if " " in new:
                raise ReviewError("a word has no spaces; correct the words one by one")
            _insert(conn, sha, "word", page, line, position, "text", old, new)

    def correct_figure(self, doc_id: int, page: int, line: int, word_start: int,
                       field_name: str, new: str) -> None:
        """Store the right value (a number as the report writes it: 17.885, 13,1) or
        measure of one figure (ReviewError when there is no such figure or it is no
        number)."""
        if field_name not in ("value", "measure"):
            raise ReviewError("only a figure's value or measure can be corrected")
        new = _clean(new)
        if field_name == "value":
            number = parse_number(new.replace(" ", ""))
            if number is None:
                raise ReviewError(f"not a number: {new!r}")
            new = repr(float(number))
        with self.store.engine.begin() as conn:
            sha = _sha(conn, doc_id)
            old = conn.execute(select(figures.c[field_name]).where(and_(
                figures.c.document_id == doc_id, figures.c.page == page,
                figures.c.line == line, figures.c.word_start == word_start))).first()
            if old is None:
                raise ReviewError("no such figure in this document")
            _insert(conn, sha, "figure", page, line, word_start, field_name, str(old[0]), new)

    def measures(self, limit: int = 30) -> list[tuple[str, int]]:
        """The measures figures are stated in, commonest first, with their counts."""
        with self.store.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(
                select(figures.c.measure, func.count().label("n"))
                .join(documents, figures.c.document_id == documents.c.id)
                .where(documents.c.status == "done", figures.c.unit_id.is_not(None))
                .group_by(figures.c.measure).order_by(func.count().desc()).limit(limit))]

    def over_years(self, measure: str) -> tuple[list[int], dict[str, dict[int, float]]]:
        """For ``measure``: the years, and per unit its figure in each year (the largest
        the year's reports state, corrections applied; the smaller ones are parts of it)."""
        table: dict[str, dict[int, float]] = {}
        for row in self.store.figure_rows():
            if row["measure"] == measure and row["unit"] and row["year"]:
                years = table.setdefault(row["unit"], {})
                years[row["year"]] = max(years.get(row["year"], row["value"]), row["value"])
        years = sorted({y for by_year in table.values() for y in by_year})
        return years, dict(sorted(table.items()))


def _latest(conn, sha: str | None) -> dict[tuple, str]:  # noqa: ANN001 - a Connection
    """The latest correction of each thing of a document: (kind, page, line, position,
    field) → new."""
    out: dict[tuple, str] = {}
    if sha is None:
        return out
    for c in conn.execute(select(corrections).where(corrections.c.sha256 == sha)
                          .order_by(corrections.c.id)):
        out[(c.kind, c.page, c.line, c.position, c.field)] = c.new
    return out


def _span_box(line: list[ReviewWord], start: int | None,
              end: int | None) -> tuple[int, int, int, int] | None:
    """The box around the words ``start``..``end`` of a line (None without boxes)."""
    boxes = [w.box for w in line if start is not None and end is not None
             and start <= w.position < end and w.box]
    if not boxes:
        return None
    left, top = min(b[0] for b in boxes), min(b[1] for b in boxes)
    return (left, top, max(b[0] + b[2] for b in boxes) - left,
            max(b[1] + b[3] for b in boxes) - top)


def _sha(conn, doc_id: int) -> str:  # noqa: ANN001 - a Connection
    """The content hash of a done document (ReviewError when there is none)."""
    sha = conn.execute(select(documents.c.sha256).where(
        documents.c.id == doc_id, documents.c.status == "done")).scalar()
    if sha is None:
        raise ReviewError("no such document")
    return sha


def _insert(conn, sha: str, kind: str, page: int, line: int, position: int,  # noqa: ANN001
            field_name: str, old: str, new: str) -> None:
    conn.execute(corrections.insert().values(
        sha256=sha, kind=kind, page=page, line=line, position=position, field=field_name,
        old=old, new=new, created_at=datetime.now(timezone.utc)))


def _clean(text: str) -> str:
    """A correction as stored: NFC, trimmed, one line of printable text, not too long."""
    text = nfc(text).strip()
    if not text:
        raise ReviewError("the correction is empty")
    if len(text) > MAX_TEXT or any(not ch.isprintable() for ch in text):
        raise ReviewError("a correction is one short line of text")
    return text


def _whole(value: float) -> float | int:
    """A stored value as written: whole numbers as int."""
    return int(value) if float(value).is_integer() else value
