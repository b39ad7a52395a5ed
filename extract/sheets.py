"""``export --format xlsx``: the figures and the documents as a workbook a spreadsheet opens
with the right types.

Numbers are numbers, dates are dates, and a section number stays text (``3.10`` is not
3.1); text that starts like a formula is stored as plain text, never as a formula.
"""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from extract.output import write_atomically

TEXT_FIELDS = ("section", "number")  # text that looks like a number but is not one


def _typed(field: str, value: object) -> object:
    """A cell value of the right type: ISO dates as dates, the rest as stored."""
    if field == "date" and isinstance(value, str):
        return date.fromisoformat(value)
    return value


def _sheet(book, title: str, fields: tuple[str, ...], rows: list[dict]) -> None:
    """One sheet: a header row, then a row per record."""
    sheet = book.create_sheet(title)
    sheet.append(list(fields))
    for row in rows:
        sheet.append([_typed(f, row.get(f)) for f in fields])
    for cells in sheet.iter_rows(min_row=2):
        for field, cell in zip(fields, cells):
            if isinstance(cell.value, str) and (field in TEXT_FIELDS or cell.data_type == "f"):
                cell.data_type, cell.number_format = "s", "@"  # text, not a number or formula
            elif field == "date" and cell.value is not None:
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"


def write_xlsx(path: Path, figures: list[dict], figure_fields: tuple[str, ...],
               documents: list[dict], document_fields: tuple[str, ...]) -> None:
    """A workbook with a sheet of figures and one of documents, written atomically."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    _sheet(book, "figures", figure_fields, figures)
    _sheet(book, "documents", document_fields, documents)
    buf = io.BytesIO()
    book.save(buf)
    write_atomically(path, buf.getvalue())
