"""Scanned Vietnamese administrative reports → repaired text → records → the bloc database.

Stages, in the order data flows: ``ingest`` (file → pages), ``ocr`` (page image → lines of
words), ``repair`` (garbled Vietnamese → correct Vietnamese), ``parse`` (lines → records),
``store`` (records → database).  ``pipeline`` strings them together for one document and
``batch`` for many.
"""
