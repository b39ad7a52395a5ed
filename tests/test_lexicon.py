"""The syllable lexicon: real syllables in, foreign words and typos out, one tone placement."""
from __future__ import annotations

from extract.repair.lexicon import Lexicon, canonical, is_syllable, skeleton


def test_lexicon_holds_common_syllables_with_frequencies():
    lex = Lexicon.load()
    for syl in ("của", "người", "hội", "tỉnh", "khen", "thưởng", "nghĩa", "đua", "quyết",
                "nguyễn", "khuyến", "giữa", "thuật", "kỹ"):
        assert syl in lex, syl
    assert lex.frequency("của") > lex.frequency("khuỷu") > 0
    assert len(lex) > 6000


def test_lexicon_rejects_non_syllables():
    lex = Lexicon.load()
    for word in ("computer", "internet", "ubnd", "ascii", "ctia", "thudt", "ngi", "tảp",
                 "cê", "ðiều", "b"):
        assert not is_syllable(word), word
        assert word not in lex, word


def test_skeleton_index_groups_accented_forms():
    lex = Lexicon.load()
    assert skeleton("Đảng") == "dang"
    assert len(skeleton("Nghiêng")) == len("Nghiêng")
    group = lex.with_skeleton("to")
    assert {"tổ", "tố", "to", "tô"} <= set(group)
    assert all(skeleton(s) == "to" for s in group)
    # most frequent first
    freqs = [lex.frequency(s) for s in group]
    assert freqs == sorted(freqs, reverse=True)


def test_canonical_tone_placement():
    assert canonical("hoà") == "hòa" == canonical("hòa")
    assert canonical("thuý") == "thúy"
    assert canonical("Khoẻ") == "Khỏe"
    assert canonical("HOÀ") == "HÒA"
    assert canonical("hoàn") == "hoàn"  # with a coda the mark stays on the last vowel
    assert canonical("quả") == "quả" and canonical("già") == "già"
    assert canonical("thuở") == "thuở" and canonical("khuỷu") == "khuỷu"
    assert canonical("USD") == "USD"
    lex = Lexicon.load()
    assert "hòa" in lex and "hoà" not in lex
