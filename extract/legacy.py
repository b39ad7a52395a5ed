"""Legacy Vietnamese font encodings in PDF text layers: detect TCVN3 (ABC) and VNI, convert.

Reports typed before Unicode took over were set in ``.Vn`` (TCVN3 / TCVN 5712:1993 "ABC")
or ``VNI-`` fonts. Their PDFs carry a text layer that reads as Latin-1 gibberish
("Céng hßa", "Coäng hoøa"). The tables below are the published code charts of the two
encodings (each code point of the font → the Vietnamese letter it draws), not corrections
learnt from any document.
"""
from __future__ import annotations

import regex

from extract.text import nfc

# TCVN3 (TCVN 5712:1993, VN3): one byte per letter. Lower case letters with their tones;
# upper case fonts (.VnTimeH …) draw the same codes as capitals, so only the seven upper
# case base letters have codes of their own.
_TCVN3_CODES = (
    "µ¸¶·¹" "¨»¾¼½Æ" "©ÇÊÈÉË" "ÌÐÎÏÑ" "ªÒÕÓÔÖ" "×ÝØÜÞ" "ßãáâä" "«åèæçé" "¬êíëìî"
    "ïóñòô" "­õøö÷ù" "úýûüþ" "®" "¡¢£¤¥¦§"
)
_TCVN3_LETTERS = (
    "àáảãạ" "ăằắẳẵặ" "âầấẩẫậ" "èéẻẽẹ" "êềếểễệ" "ìíỉĩị" "òóỏõọ" "ôồốổỗộ" "ơờớởỡợ"
    "ùúủũụ" "ưừứửữự" "ỳýỷỹỵ" "đ" "ĂÂÊÔƠƯĐ"
)
_TCVN3 = str.maketrans(_TCVN3_CODES, _TCVN3_LETTERS)

# VNI-Windows: a base vowel followed by a mark byte; the same scheme in upper case.
_VNI_TONES = {"ù": "\u0301", "ø": "\u0300", "û": "\u0309", "õ": "\u0303", "ï": "\u0323"}
_VNI_CIRCUMFLEX = {"â": "", "á": "\u0301", "à": "\u0300", "å": "\u0309", "ã": "\u0303",
                   "ä": "\u0323"}
_VNI_BREVE = {"ê": "", "é": "\u0301", "è": "\u0300", "ú": "\u0309", "ü": "\u0303",
              "ë": "\u0323"}
# Letters that are one byte in VNI: ơ ư đ and the i/y letters that take no second byte.
_VNI_SINGLE = {"ô": "ơ", "ö": "ư", "ñ": "đ", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ"}


def _vni_table() -> dict[str, str]:
    """Every VNI byte sequence → its Unicode letter, upper and lower case."""
    table: dict[str, str] = {}
    for upper in (False, True):
        def case(s: str) -> str:
            return s.upper() if upper else s

        for base in "aeouy":
            for mark, tone in _VNI_TONES.items():
                table[case(base + mark)] = case(nfc(base + tone))
        for horn_code, horn in (("ô", "ơ"), ("ö", "ư")):
            for mark, tone in _VNI_TONES.items():
                table[case(horn_code + mark)] = case(nfc(horn + tone))
        for base in "aeo":
            for mark, tone in _VNI_CIRCUMFLEX.items():
                table[case(base + mark)] = case(nfc(base + "\u0302" + tone))
        for mark, tone in _VNI_BREVE.items():
            table[case("a" + mark)] = case(nfc("a\u0306" + tone))
        for code, letter in _VNI_SINGLE.items():
            table[case(code)] = case(letter)
    return table


_VNI = _vni_table()
# TCVN3's fingerprint: codes that are neither Vietnamese letters nor bytes VNI uses.
_TCVN3_MARKS = (set(_TCVN3_CODES) - set("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ")
                - set("".join(_VNI)))
_VNI_PAIR = regex.compile("|".join(sorted(map(regex.escape, _VNI), key=len, reverse=True)))
# VNI's fingerprint: a vowel followed by a mark byte that is no Vietnamese letter, or a
# one-byte VNI letter that is none either.
_VNI_FINGERPRINT = regex.compile(r"[aeiouyAEIOUYôöÔÖ][øûïåäëüØÛÏÅÄËÜ]|[ñæöîÑÆÖÎ]")
# Letters only Unicode Vietnamese has (outside Latin-1): their presence means no legacy font.
_UNICODE_VIETNAMESE = regex.compile(r"[ăĂđĐơƠưƯĩĨũŨ\u1EA0-\u1EF9]")


def detect(text: str) -> str | None:
    """``"tcvn3"``, ``"vni"`` or ``None``: the legacy encoding a text layer is in, if any.

    Counts the words that carry an encoding's fingerprint characters; a text is called
    legacy only when a fair share of its words do and real Unicode Vietnamese letters
    are rarer still.
    """
    words = text.split()
    if not words:
        return None
    unicode_words = sum(1 for w in words if _UNICODE_VIETNAMESE.search(w))
    tcvn3_words = sum(1 for w in words if any(c in _TCVN3_MARKS for c in w))
    vni_words = sum(1 for w in words if _VNI_FINGERPRINT.search(w))
    best, count = max((("tcvn3", tcvn3_words), ("vni", vni_words)), key=lambda kv: kv[1])
    if count >= 3 and count >= 0.1 * len(words) and count > 2 * unicode_words:
        return best
    return None


def vietnamese_share(text: str) -> float:
    """Share of the words of ``text`` that hold a letter only Unicode Vietnamese has (ă đ ơ ư,
    ạ ả ấ …): over half in Vietnamese prose, none in an OCR made with a non-Vietnamese model."""
    words = [w for w in text.split() if regex.search(r"\p{L}", w)]
    if not words:
        return 0.0
    return sum(1 for w in words if _UNICODE_VIETNAMESE.search(w)) / len(words)


def to_unicode(text: str, encoding: str) -> str:
    """``text`` read from a ``tcvn3`` or ``vni`` font, as Unicode NFC."""
    if encoding == "tcvn3":
        return nfc(text.translate(_TCVN3))
    if encoding == "vni":
        return nfc(_VNI_PAIR.sub(lambda m: _VNI[m.group()], text))
    raise ValueError(f"unknown legacy encoding {encoding!r}")
