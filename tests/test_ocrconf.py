"""What Tesseract's word confidence tells the decoder (extract/repair/ocrconf.py): the built
table makes an unsure word likelier misread than a sure one, the decoder reads the same
line otherwise when its doubtful word was read unsure, and text without OCR confidences
is decoded as before (a corrupt table: ``test_calibration``)."""
from __future__ import annotations

from extract.repair import engine
from extract.repair.ocrconf import BINS, OcrConfidence, load


def test_the_built_table_trusts_sure_words_and_doubts_unsure_ones():
    table = load()
    assert table.shift(0.97) == 0.0  # the common, confident word: as the channel has it
    assert table.shift(0.85) > 2.0 and table.shift(0.3) > table.shift(0.85) - 1.0


def test_a_table_is_fitted_against_the_common_bin():
    counts = [[10, 6]] * (BINS - 1) + [[10_000, 30]]
    table = OcrConfidence.fitted(counts)
    assert table.shifts[-1] == 0.0
    assert all(s > 5.0 for s in table.shifts[:-1])  # 60 % wrong against 0.3 %


def test_an_unsure_word_takes_the_reading_the_context_asks_for():
    words = "đồng chí Chủ tịch Hội dự hợp".split()
    decoder = engine()

    def read(last: float | None) -> str:
        at = None if last is None else [0.96] * (len(words) - 1) + [last]
        return " ".join(c.text for c in decoder.decode(words, "vie", read_at=at)[0])

    assert read(0.96) == read(None) == "đồng chí Chủ tịch Hội dự hợp"
    assert read(0.3) == "đồng chí Chủ tịch Hội dự họp"

