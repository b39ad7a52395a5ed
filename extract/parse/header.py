"""Document metadata from the header block: issuer, number, place, date, type, title, year.

An administrative document opens with two columns: on the left the superior body, the issuing
body and ``Số: 44/BC-…``; on the right the national motto (``CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT
NAM`` / ``Độc lập - Tự do - Hạnh phúc``) and ``<Place>, ngày … tháng … năm …``. OCR reads
them interleaved on one line, so the columns are separated by locating the right column's
fixed phrases (fuzzily: OCR garbles them) and cutting the line there.
"""
from __future__ import annotations

from dataclasses import dataclass

import regex
from rapidfuzz import fuzz

from extract.parse.bloc import BLOC_WORDS
from extract.parse.lines import DocLine
from extract.parse.places import known_place, leading_place, province_word
from extract.parse.sections import clean_title, starts_numbered
from extract.parse.units import Gazetteer, is_acronym, sentence_case, tidy_name
from extract.records import DocumentInfo
from extract.roman import NUMERAL_LOOKALIKES, is_capitals, roman_value
from extract.text import DIGIT_LOOKALIKES, fold

MOTTO = ("cong hoa xa hoi chu nghia viet nam", "doc lap - tu do - hanh phuc")
# The header lies within the first lines of the first page.
HEADER_LINES = 30
# The types of document a header names, folded (as OCR is matched) → as records write them
# ("BẢO CÁO" as OCR read it is BÁO CÁO)
DOC_TYPES = {fold(name): name for name in (
    "BÁO CÁO", "KẾ HOẠCH", "TỜ TRÌNH", "QUYẾT ĐỊNH", "THÔNG BÁO", "NGHỊ QUYẾT", "CHƯƠNG TRÌNH",
    "HƯỚNG DẪN", "BIÊN BẢN", "CÔNG VĂN")}
# The codes of those types (Decree 30/2020/NĐ-CP, appendix III) as a document number's
# second part writes them: "18/BC-…"
DOC_CODES = ("BC", "KH", "TTr", "QĐ", "TB", "NQ", "CTr", "HD", "BB")
# A number whose slash and dash OCR lost: digits (or their look-alikes), a type's code,
# the issuer's code
_GLUED_CODE = regex.compile(
    rf"(\d[\dIl|O]*|[Il|]\d[\dIl|O]*)({'|'.join(DOC_CODES)})(\p{{Lu}}{{2,}})")
_TYPE_DOT = regex.compile(rf"/({'|'.join(DOC_CODES)})\.(?=\p{{Lu}}{{2}})")
_NUMBER_LINE = regex.compile(r"^\W{0,3}s\S{0,2}?\s*[:;.]\s*")
# A date line "<Place>, ngày … tháng … năm …"; its day and month fields (at most three
# characters each) are read through OCR's look-alikes for digits (text.DIGIT_LOOKALIKES).
_PLACE_DATE = regex.compile(
    r"(?P<place>(?:\S+\s+){0,3}?\S+?)\s*[,.]\s*\S{2,5}\s+(?:(?P<d>\S{1,3})\s+th\S{2,4}\s+"
    r"(?P<m>\S{1,3})\s+n\S{1,3}\s+|(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*)"
    r"(?P<y>\d{4})")
# The province a superior body names: "UBND TỈNH LÂM ĐỒNG", "ỦY BAN NHÂN DÂN TỈNH …",
# "TỈNH ỦY X", or a city run by the centre: "UBND THÀNH PHỐ HẢI PHÒNG", "THÀNH ỦY …"
_PROVINCE = regex.compile(r"\b(tinh|thanh\s+pho)\s+(?:uy\s+)?(\w.*)$")
_GLUED_STOP = regex.compile(r"(?<=\p{L})\.(?=\p{L})")  # a speck between two words: "VĨNH.LONG"
# A bloc's own number ends its name: "Khối thi đua các hội … số II"
_BLOC_NUMBER = regex.compile(r"(?<=\bsố\s)\S+$", regex.IGNORECASE)
# Words that open a body's name (the issuing body, as opposed to its superior on line one).
_BODY_WORDS = ("hoi", "lien hiep", "lien minh", "khoi", "ban", "cum", "lien doan", "uy ban",
               "so", "phong", "trung tam", "doan", "mat tran")


# A superior body heading the left column: the issuing body is on the lines under it,
# however OCR read their first word ("KHÓA THI ĐUA" for KHỐI)
_SUPERIOR = regex.compile(r"^\W*(?:ubnd|uy\s+ban\s+nhan\s+dan|tinh\s+uy|thanh\s+uy)\b")
# An organ of the body named on the line above it ("BAN THƯỜNG VỤ" under "HỘI NÔNG DÂN
# TỈNH …"), not a body of its own: the body above is the issuer.
_ORGANS = tuple(o.replace(" ", "") for o in (  # spaces aside: OCR may lose them
    "ban thuong vu", "ban chap hanh", "ban thuong truc", "thuong truc", "dang doan",
    "ban can su", "doan chu tich"))


@dataclass
class Header:
    """The document metadata and the flat index of the last header line (the title's)."""

    info: DocumentInfo
    end: int


def parse_header(lines: list[DocLine], gazetteer: Gazetteer) -> Header:
    """The metadata of the document whose first lines are ``lines``."""
    info = DocumentInfo()
    first_page = [dl for dl in lines[:HEADER_LINES] if dl.page == lines[0].page] if lines else []
    left: list[str] = []
    type_at = None
    number_seen = False  # the issuer's lines end at the number's, read or not
    for dl in first_page:
        text = _cut_motto(dl.text)
        folded = fold(text)
        date = _PLACE_DATE.search(folded)
        if date and info.date is None:
            info.place, info.date, cut = _place_date(text, date)
            text, folded = text[:cut], folded[:cut]
        number = _NUMBER_LINE.match(folded)
        if number and not number_seen:
            info.number = _document_number(text[number.end():])
            number_seen = True
            continue
        kind = _doc_type(text)
        if kind:
            type_at = dl.index
            info.doc_type, rest = kind
            if rest:
                info.title = rest
            break
        if not number_seen and text.strip() and regex.search(r"\p{L}", text):
            left.append(text.strip())
    if type_at is not None and info.title is None:
        info.title, end = _title(lines, type_at)
    else:
        end = type_at if type_at is not None else -1
    info.issuer = _issuer(left, info.place, gazetteer)
    if info.number and info.issuer:
        info.number = _code_marks(info.number, info.issuer)
    info.year = _year(info.title) or (int(info.date[:4]) if info.date else None)
    return Header(info, end)


def _cut_motto(text: str) -> str:
    """The line without the right column's motto, whichever side of it the left column is."""
    folded = fold(text)
    for phrase in MOTTO:
        hit = fuzz.partial_ratio_alignment(phrase, folded)
        if hit and hit.score >= 75 and hit.dest_end - hit.dest_start >= 0.6 * len(phrase):
            after = text[hit.dest_end:]
            keep = after if len(regex.findall(r"\p{L}", after)) >= 4 else ""
            start = hit.dest_start  # the motto starts a word: a garbled first letter too
            while start > 0 and not text[start - 1].isspace():
                start -= 1
            text = (text[:start] + " " + keep).strip()
            folded = fold(text)
    return text


def _place_date(text: str, m: regex.Match) -> tuple[str | None, str | None, int]:
    """The place (capitalised words before the comma), the ISO date, and where the place starts."""
    words = text[m.start("place"):m.end("place")].split()
    place_words: list[str] = []
    for k in range(len(words) - 1, -1, -1):
        word = words[k]
        if any(c.isdigit() or c in "/:" for c in word) or (
                is_capitals(word) and not word.endswith(".") and place_words
                and not is_capitals(" ".join(place_words))):
            break
        # "Thành phố Huế", "Thị xã …": the one lower-case word a place name carries.
        if not word[:1].isupper() and not (fold(word) in ("pho", "xa", "tran") and k > 0
                                           and words[k - 1][:1].isupper()):
            break
        place_words.insert(0, word)
    place = " ".join(place_words) or None
    cut = text.rfind(place, 0, m.end("place")) if place else m.start("place")
    place = known_place(place) if place else None
    # digits and their look-alikes, less a speck read as a small letter beside them
    # ("tháng l2r": 12; a digit is as tall as a capital, so "4S" stays unread)
    day, month, year = (regex.sub(r"(?<=\d)\p{Ll}+$|^\p{Ll}+(?=\d)", "",  # as written:
                                  text[m.start(k):m.end(k)].translate(DIGIT_LOOKALIKES))
                        for k in "dmy")  # ``m`` matched the folded text
    if not all(part.isdigit() for part in (day, month, year)):
        return place, None, cut
    day, month, year = int(day), int(month), int(year)
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return place, None, cut
    return place, f"{year:04d}-{month:02d}-{day:02d}", cut


def _document_number(text: str) -> str | None:
    """``44/BC-KTĐCTCHCTSI`` from the rest of a ``Số:`` line: up to the code after the slash.
    None when the number before the slash does not read as digits ("+3/BC-…", "2%/…"): a
    number half read is no number to file a report by, and review shows the line."""
    m = regex.search(r"([^\s/]*\d[^\s/]*\s*/\s*[\w&.]+(?:\s*[-–/]\s*[\w&.]+)*)", text)
    found = m[1] if m else text.split()[0] if text.split() else ""
    number = _acronym_letters(regex.sub(r"\s+", "", found).strip(".,;:_-–"))
    glued = _GLUED_CODE.fullmatch(number)
    if glued:  # "15BCHPN": the slash and dash lost
        number = f"{glued[1]}/{glued[2]}-{glued[3]}"
    number = _TYPE_DOT.sub(r"/\1-", number)  # "7/BC.HPN": the dash read as a dot
    head, slash, _ = number.partition("/")
    head, dash, code = head.partition("-")  # "112-BC/HNDT": a mass body's number, type
    if dash and code not in DOC_CODES:      # code first and its own code after the slash
        head, dash, code = f"{head}-{code}", "", ""
    digits = head.translate(DIGIT_LOOKALIKES)
    if slash and not digits.isdigit():
        return None
    return digits + number[len(head):] if slash else number or None


def _code_marks(number: str, issuer: str) -> str:
    """``number`` with the Đ its code takes from the issuer's initials restored.

    A document code abbreviates its issuer (``KTĐHĐT``: Khối thi đua các hội đặc thù) and
    OCR often reads its Đ as D. A code part whose letters all follow the initials of the
    issuer's words in order, from the first, gets Đ wherever the initial it follows is one.
    An English model reads Đ as P too (as the decoder's code variants allow): a P where the
    initial is Đ is one.
    """
    initials = [w[0].upper() for w in regex.findall(r"\p{L}+", issuer)]

    def follows(initial: str, ch: str) -> bool:
        return fold(initial) == fold(ch) or initial == "Đ" and ch == "P"

    def restore(part: regex.Match) -> str:
        code = part[0]
        if not initials or not follows(initials[0], code[0]):
            return code
        out, k = [], 0
        for ch in code:
            while k < len(initials) and not follows(initials[k], ch):
                k += 1
            if k == len(initials):
                return code
            out.append("Đ" if ch in "DP" and initials[k] == "Đ" else ch)
            k += 1
        return "".join(out)

    head, slash, codes = number.partition("/")
    return head + slash + regex.sub(r"\p{Lu}{2,}", restore, codes)


def _acronym_letters(code: str) -> str:
    """A document code's capitals as acronyms write them: no tone marks, Đ kept.

    OCR with the Vietnamese model reads Q as Ọ (the tail as a dot below) and gives other
    capitals stray marks; an acronym carries neither.
    """
    out = []
    for ch in code:
        if ch == "Ọ":
            out.append("Q")
        elif ch.isupper() and ch not in "Đ":
            out.append(fold(ch).upper())
        else:
            out.append(ch)
    return "".join(out)


def _doc_type(text: str) -> tuple[str, str | None] | None:
    """(type as written, rest of the line as a title or None) if the line names the type."""
    stripped = regex.sub(r"^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$", "", text)  # "- BÁO CÁO | |"
    if not is_capitals(stripped):
        return None
    folded = fold(stripped)
    for kind, written in DOC_TYPES.items():
        words = len(kind.split())
        head = " ".join(folded.split()[:words])
        if fuzz.ratio(head, kind) >= 80:
            rest = " ".join(stripped.split()[words:]).strip(" .,:") or None
            return written, sentence_case(rest) if rest else None
    return None


def _title(lines: list[DocLine], type_at: int) -> tuple[str | None, int]:
    """The title under the type line (carried on while lines start in lower case)."""
    parts: list[str] = []
    end = type_at
    for dl in lines[type_at + 1:type_at + 5]:
        text = regex.sub(r"^[^\p{L}\p{N}]+", "", dl.text.strip())
        if not text:
            if parts:
                break
            continue
        if parts and (starts_numbered(text) or not (
                text[0].islower() or is_capitals(text) and is_capitals(parts[-1]))):
            break
        parts.append(text)
        end = dl.index
    title = clean_title(" ".join(parts)).strip(" ,;") or None  # "… năm 2018 -": a speck
    return (sentence_case(title) if title else None), end


def _issuer(left: list[str], place: str | None, gazetteer: Gazetteer) -> str | None:
    """The issuing body as written: the left header lines less the superior body on the first
    line, with the superior's province added (``… tỉnh Lâm Đồng``) when the body's lines lack it;
    a member unit's name is written as the registry writes it.
    """
    left = [t for t in left if len(regex.findall(r"\p{L}", t)) >= 2]
    if not left:
        return None
    province, generic = None, "tỉnh"
    if len(left) >= 2 and fold(left[1]).replace(" ", "").startswith(_ORGANS):
        left = left[:1]  # "HỘI NÔNG DÂN TỈNH …" / "BAN THƯỜNG VỤ": the body issues it
    elif len(left) >= 2 and (fold(left[1]).startswith(_BODY_WORDS) or
                             _SUPERIOR.match(fold(left[0]))):
        found = _PROVINCE.search(fold(left[0]))
        if found:  # the listed place it opens with, else every word ("UBND TỈNH X Y")
            generic = "tỉnh" if found[1] == "tinh" else "thành phố"
            after = _GLUED_STOP.sub(" ", left[0][found.start(2):])
            words = (leading_place(after) or after).split()
            province = " ".join(w.strip(".,;:").capitalize() for w in words
                                if regex.search(r"\p{L}", w))
        left = left[1:]
    tokens = [t for t in " ".join(left).split() if regex.search(r"[\p{L}\p{N}]", t)]
    tokens = _without_organ(tokens)
    # a full stop or colon inside a name is a speck ("CÁC. TỔ CHỨC", "CÁC: HỘI"), an
    # abbreviation's aside ("TP.")
    tokens = [t if k == len(tokens) - 1 or is_acronym(t.rstrip(".:")) else t.rstrip(".:")
              for k, t in enumerate(tokens)]
    if len(tokens) > 1 and len(regex.sub(r"\W", "", tokens[-1])) == 1 and \
            roman_value(tokens[-1].strip(".,;:")) is None and fold(tokens[-2]) != "so":
        tokens = tokens[:-1]  # "… QUẢNG NGÃI Ở": a letter a speck left, no (bloc) numeral
    body = " ".join(tokens).rstrip(" .,;:-_")  # "HÀ TĨNH.": a speck after the name
    body = regex.sub(r"^[^\p{L}\p{N}]+", "", body)  # ".BAN …": a speck before it
    text = _bloc_number(sentence_case(body))  # tokens of mere OCR specks left out
    padded = f" {fold(text)} "
    if province and padded.endswith((" tinh ", " thanh pho ")):
        text += f" {province}"  # "HỘI NÔNG DÂN TỈNH" under "TỈNH ỦY THANH HÓA"
    elif province and " tinh " not in padded and " thanh pho " not in padded:
        text += f" {generic} {province}"
    text = keep_place_case(province_word(_bloc_words(text)), place)
    name = tidy_name(text)
    hit = None if fold(text).startswith(("khoi", "cum")) else gazetteer.match(name)
    if hit and text.startswith(name):
        text = hit[0] + text[len(name):]
    return text


def _without_organ(tokens: list[str]) -> list[str]:
    """The tokens of the issuer's lines without an organ opening them before the body's
    name on the same line ("BAN THƯỜNG VỤ HỘI NÔNG DÂN TỈNH": the body issues it, as when
    the organ stands on a line of its own under it)."""
    joined = ""
    for k, token in enumerate(tokens[:6]):
        joined += fold(token).strip(".,:;-_")
        if joined.startswith(_ORGANS) and joined in _ORGANS:
            rest = tokens[k + 1:]
            return rest if rest and fold(rest[0]).startswith(_BODY_WORDS) else tokens
    return tokens


def _bloc_words(name: str) -> str:
    """``name`` opening with the fixed words of a bloc's name written right ("Khóa thi
    đua", "Khối thị đụa" are Khối thi đua; "Cụm thi đua" likewise), whatever OCR and repair
    made of their marks; any other name as it is."""
    m = BLOC_WORDS.match(fold(name))
    if not m:
        return name
    return ("Cụm thi đua" if m[1] == "cum" else "Khối thi đua") + name[m.end():]


def _bloc_number(name: str) -> str:
    """``name`` with the number after its last "số" read as a numeral when OCR gave look-alike
    letters for one ("số l", "số Il" for số I, số II); otherwise as it is."""
    m = _BLOC_NUMBER.search(name)
    if not m or m[0].isdigit() or roman_value(m[0]) is not None:
        return name
    numeral = m[0].translate(NUMERAL_LOOKALIKES)
    return name[:m.start()] + numeral if roman_value(numeral) is not None else name


def keep_place_case(text: str, place: str | None) -> str:
    """``text`` with the place name written as the place is (``nghệ an`` → ``Nghệ An``)."""
    if not place:
        return text
    folded, key = fold(text), fold(place)
    at = folded.rfind(key)
    if at >= 0:
        return text[:at] + place + text[at + len(place):]
    glued = regex.search(r"\s*".join(map(regex.escape, key.split())) + "$",
                         folded)  # "Phúyên": OCR lost the space in "Phú Yên"
    return text[:glued.start()] + place if glued else text


def _year(title: str | None) -> int | None:
    """The year a report covers: the first year its title names."""
    if not title:
        return None
    m = regex.search(r"\b(19|20)\d{2}\b", title)
    return int(m[0]) if m else None
