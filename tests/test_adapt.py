"""Channel adaptation to one document (extract/repair/adapt.py), with the real models: a
confusion that runs through a whole document is learned from the words the first pass got
right (the language model alone now reads most of them), and the whole document then reads
right; a document without one is left as decoded."""
from __future__ import annotations

from extract.repair import LOOKAHEAD, adapt, decode_pages, engine, text_pages

# Report-style lines written for this test, as an English-model OCR of a scan where every
# capital Đ came out as P and the marks were lost.
ARCHIVE = """Thuc hien Nghi quyet Pai hoi Pang bo nhiem ky 2020 - 2025, Hoi da tap trung
lanh dao cac chi hoi to chuc tot phong trao thi dua yeu nuoc. Pang uy va
Ban Thuong vu Hoi thuong xuyen chi dao, Pai hoi cac cap duoc to chuc dung
ke hoach. Pia phuong da phoi hop voi Poan thanh nien tuyen truyen ve Pai hoi
Pang lan thu XIII; Pang vien trong chi bo deu hoan thanh tot nhiem vu.
Pai dien cac hoi thanh vien tham du Pai hoi thi dua yeu nuoc cap tinh.
Pong chi Chu tich Hoi da trao Bang khen cho cac tap the co thanh tich xuat sac."""


def _words(text: str) -> list[str]:
    pages = [page.lines for page in text_pages(text)]
    return [c.text for page in decode_pages(pages, "eng") for line in page for c in line]


def _first_pass(text: str) -> list[tuple[str, str, float]]:
    decoder = engine()
    out = []
    context = None
    lines = [[w.text for w in line.words] for line in text_pages(text)[0].lines]
    for i, words in enumerate(lines):
        following = lines[i + 1][:LOOKAHEAD] if i + 1 < len(lines) else []
        choices, context = decoder.decode(words, "eng", context, following=following)
        out += [(w, c.text, c.confidence) for w, c in zip(words, choices)]
    return out


def test_a_document_wide_confusion_is_learned_and_fixes_the_rest():
    first = _first_pass(ARCHIVE)
    found = adapt.adapted_channel(engine().channel, "eng", first)
    assert found is not None and "p" in found[1]
    words = _words(ARCHIVE)
    assert not [w for w in words if w.startswith("P")]
    assert " ".join(words).count("Đại hội") == 4 and words.count("Đảng") >= 2


def test_a_document_without_a_recurring_confusion_is_not_adapted(monkeypatch):
    from extract.repair import cache

    for weight in ("WEIGHT", "SYLLABLE_WEIGHT"):  # the adaptation alone: no document prior
        monkeypatch.setattr(cache, weight, 0.0)
    usual = ARCHIVE.replace("P", "D")  # the English model's usual reading of Đ
    assert adapt.adapted_channel(engine().channel, "eng", _first_pass(usual)) is None
    assert _words(usual) == [c for _, c, _ in _first_pass(usual)]
