"""Figures: the quantities a report states (``17.885 hội viên``, ``13,1 tỷ đồng``, ``98,7%``).

A figure is a number that counts or measures something named right after it. Numbers that
only identify or date something are not figures: dates and years (``ngày 14``, ``năm 2020``,
``18/12/2020``, ``2016-2020``), document numbers (``số 34``, ``68/2000/NĐ-CP``), ordinals
(``lần thứ 5``, ``khóa X``, ``Nhóm 1``, ``7 khóa X``), list numbers at a line start, footnote
marks glued to a word or standing after a document code (``27-NQ/TW 7``), phone numbers, and
durations or anniversaries (``6 tháng``, ``90 năm``). Each figure keeps the confidence of the
weakest word it was read from, scaled by how much of its measure reads as Vietnamese, so
that a number followed by OCR debris (``01 md hmh``) stays but ranks low.
"""
from __future__ import annotations

import regex

from extract.parse.lines import DocLine
from extract.parse.numbers import NUMBER, parse_number
from extract.parse.sections import starts_numbered
from extract.parse.words import is_plausible, is_word, segment
from extract.records import Figure
from extract.text import fold, union_box

# The measure stops before these words (docs/records.md, Conventions).
FUNCTION_WORDS = frozenset(
    "với và của cho trong được là đã đến tại so trên gồm từ theo ở về do nhằm hoặc hay "
    "các những mọi có này đó mà thì khi nên vì nhưng cũng sẽ đang bị không chưa rất".split())
# Words before a number that make it an identifier, a date or an ordinal, not a quantity.
IDENTIFIER_WORDS = frozenset(
    "ngày tháng năm số thứ nhóm khóa khoá kỳ quý đợt lần điều khoản điểm chương mục phần "
    "tầng phòng trang bảng biểu mẫu lục lớp cụm khối đoàn đội tổ xóm thôn ấp "
    "đt thoại fax hotline mã lộ".split())
# Measures that make a number a duration or an anniversary rather than a figure.
TIME_WORDS = frozenset("năm tháng ngày giờ tuần quý".split())
LABOUR_UNITS = ("ngày công", "giờ công")  # time words that count work, not time
# Words after a number that make it an ordinal or a term of office (``7 khóa X``,
# ``2 nhiệm kỳ``), not a quantity.
ORDINAL_MEASURES = ("khóa", "khoá", "nhiệm kỳ", "giai đoạn", "lần thứ", "thứ")
# Multipliers and counters that take the next word into the measure, being a unit of measure
# only together with it (``tỷ đồng``, ``lượt người``, ``suất quà``, ``lớp tập huấn``).
MULTIPLIERS = frozenset("nghìn ngàn triệu tỷ tỉ trăm vạn".split())
COUNTERS = MULTIPLIERS | frozenset(
    "lượt suất buổi cuộc đợt lớp hộ tấm chiếc cái con căn ngôi bài cuốn quyển đầu trại phần "
    "gói bộ".split())
# Currencies a multiplier takes as one syllable, whatever word it starts ("tỷ đồng tiền mặt").
CURRENCIES = frozenset("đồng usd eur".split())
# A figure whose number could be a year (1900–2100, no thousands dot) is as likely a year
# whose sentence runs on: its confidence is scaled by this.
YEAR_LIKE_FACTOR = 0.5
MAX_MEASURE_SYLLABLES = 6  # looked at after a number: a head word and the word after it
# Qualifiers, longest first: "tổng số" before "số".
QUALIFIERS = ("tổng số", "tổng cộng", "ước đạt", "lên tới", "lên đến", "trên", "gần", "hơn",
              "khoảng", "đạt", "tới", "ước", "tổng")
_QUALIFIER_WORDS = frozenset(q for q in QUALIFIERS if " " not in q)  # "đạt", "trên" …
# Unit symbols that may stand glued to the number.
_SYMBOL = regex.compile(r"(%|‰|k?m[²³23?]|km|ha|(?-i:h[àáảãạ])|kg|tấn)(?![\p{L}\p{N}])", regex.I)
# Superscripts flattened by typing or OCR (Tesseract reads ² as "?" or "2").
_SUPERSCRIPT = {"2": "²", "?": "²", "3": "³"}
# A number, or ones that OCR read as look-alike letters, set apart or not ("I I hội", "II
# hội" for 11 hội; two at least: one alone may be a Roman numeral, "Nhóm I gồm"; a Roman
# II after a word that makes it an ordinal, "Nhóm II", "khóa II", is no figure below)
_FIGURE_NUMBER = regex.compile(
    rf"(?P<ones>(?<![\p{{L}}\p{{N}}])[Il|1](?: ?[Il|1])+(?= \p{{Ll}}))|{NUMBER.pattern}")
_LIST_NUMBER = regex.compile(r"^\s*\W{0,2}\d{1,2}(?:\.\d{1,2})*[.)]\s")
# A document code (``27-NQ/TW``, ``68/2000/NĐ-CP``): a number right after one is its footnote mark.
_DOCUMENT_CODE = regex.compile(r"\d+[-/][\p{L}\d/.-]*\p{Lu}[\p{L}\d/.-]*")


def line_figures(lines: list[DocLine], i: int) -> list[Figure]:
    """Every figure on line ``i`` (the line before and after lend a qualifier or measure)."""
    dl = lines[i]
    text = dl.text
    starts = _word_starts(dl)
    figures = []
    for m in _FIGURE_NUMBER.finditer(text):
        part = _PART_OF.match(text, m.end())  # "4/6 cuộc": 4 of 6, the 4 counted
        if part and not (m[0].isdigit() and int(m[0]) <= int(part[1])
                         and _stands_alone(text, m, part.end())):
            part = None
        if not (part or _stands_alone(text, m)) or \
                (m.start() == 0 and _LIST_NUMBER.match(text)):
            continue
        if regex.fullmatch(r"\d{8,}", m[0]):  # a phone or account number
            continue
        value = int("1" * len(m[0].replace(" ", ""))) if m["ones"] else parse_number(m[0])
        if value is None:
            continue
        before = text[:m.start()].split()
        if not before and i > 0 and lines[i - 1].page == dl.page:
            before = lines[i - 1].text.split()  # a sentence running on from the line above
        if before and not before[-1][-1].isalnum():  # "đầu năm, 100%": a comma parts them
            before = []
        prev = _bare(before[-1]).lower() if before else ""
        prev2 = _bare(before[-2]).lower() if len(before) > 1 else ""
        if prev in IDENTIFIER_WORDS and not (prev == "số" and prev2 in ("tổng", "mỗi")):
            continue
        if before and _DOCUMENT_CODE.fullmatch(before[-1]):  # "Nghị quyết số 27-NQ/TW 7"
            continue
        if part and prev in TIME_WORDS | DATE_OPENERS:  # "ngày 4/6": a date
            continue
        end = part.end() if part else m.end()
        speck = _SPECK_AFTER.match(text, end)  # "482: triệu", "05. cuộc", "03:Cờ", "8-đơn"
        if speck:
            end = speck.end()
        measure, measure_end = _measure(lines, i, end)
        span = (end, measure_end)
        if not measure:  # a list of labels and counts: "Thạc sĩ 06; Đại học 03"
            runs_on = i > 0 and lines[i - 1].page == dl.page and \
                lines[i - 1].text.rstrip()[-1:] not in ITEM_BREAKS
            measure, label_start = _label(text, m, runs_on)
            span = (label_start, m.start())
        if _is_year(m[0]) and measure[:1].isupper():  # "năm 2020 Liên hiệp hội …"
            continue
        if measure and _COMMA_THOUSANDS.fullmatch(m[0]) and _counts_things(measure):
            value = int(m[0].replace(",", ""))  # "3,265 hội viên": no member is a fraction
        if not measure or _not_a_quantity(measure, lines, i, m.end()):
            continue
        confidence = min([_confidence(dl, starts, m.start(), m.end())]
                         + ([_confidence(dl, starts, *span)] if span[1] > span[0] else []))
        confidence *= _plausible_share(measure)
        if _is_year(m[0]):  # "2020 tranh": as likely a year as a count written without a dot
            confidence *= YEAR_LIKE_FACTOR
        words = _words_over(dl, starts, min(m.start(), span[0]), max(m.end(), span[1]))
        figures.append(Figure(value, measure, clause(text, m.start()), dl.page, dl.line,
                              round(confidence, 3), _qualifier(prev2, prev),
                              [words[0], words[-1] + 1] if words else None,
                              _box([dl.source.words[k] for k in words])))
    return figures


def cell_figure(dl: DocLine, begin: int, end: int, value: float, measure: str) -> Figure:
    """The figure a table's cell states: the number at ``text[begin:end]`` of line ``dl``,
    counting what its column's label names; its text is the whole row, which names what the
    row is about."""
    starts = _word_starts(dl)
    words = _words_over(dl, starts, begin, end)
    return Figure(value, measure, dl.text.strip(), dl.page, dl.line,
                  round(_confidence(dl, starts, begin, end) * _plausible_share(measure), 3),
                  None, [words[0], words[-1] + 1] if words else None,
                  _box([dl.source.words[k] for k in words]))


# A dot or colon between a number and a lower-case word: no sentence starts in lower case,
# so a scan's speck; so is a colon glued to a capitalised word ("03:Cờ thi đua"), where no
# label or clock time stands, a mark standing alone between spaces ("1,9 , tỷ đồng"),
# where no typist puts one, and a dot and a dash run together before a word ("41.-HTX"),
# which no number, date or document code holds
_SPECK_AFTER = regex.compile(
    r"[.:](?= \p{Ll})|:(?=\p{Lu}\p{Ll})|\s[.,:;](?= \p{Ll})|-(?=\p{Ll})|\.-(?=\p{L})")
# "4/6 cuộc", "12/15 chỉ tiêu": a count of a whole, followed by what it counts
_PART_OF = regex.compile(r"/(\d{1,3})(?=\s+\p{Ll})")
DATE_OPENERS = frozenset("đến từ hôm sáng chiều tối".split())  # "từ 4/6 đến 9/6"

# A label's list item starts after one of these marks (or at the line start) and its
# number ends the item: the next character is one of LABEL_ENDS (or the line ends).
LABEL_STARTS = ";:,("
LABEL_ENDS = ";,.()"
ITEM_BREAKS = ".;:!?,"  # a line after one of these may start a list item
MAX_LABEL_WORDS = 3
NOT_LABELS = FUNCTION_WORDS | IDENTIFIER_WORDS | frozenset(q.split()[0] for q in QUALIFIERS)


def _label(text: str, m: regex.Match, runs_on: bool) -> tuple[str, int]:
    """The label a number follows when it ends a list item (``Thạc sĩ 06;``, ``Đại học
    03,``), and where the label starts; ("", 0) when the words before it are not one: more
    than MAX_LABEL_WORDS, not all Vietnamese words, or a function, identifier or qualifier
    word among them, or words that start a line continuing the sentence above (``runs_on``:
    the end of a name, "… Hội nghị / Ban Chấp hành 7 (…)", not an item)."""
    after = text[m.end():].lstrip()
    if after and after[0] not in LABEL_ENDS:
        return "", 0
    before = text[:m.start()]
    start = max(before.rfind(mark) for mark in LABEL_STARTS) + 1
    if start == 0 and runs_on:
        return "", 0
    words = before[start:].split()
    if not 0 < len(words) <= MAX_LABEL_WORDS or not all(
            w.isalpha() and is_plausible(w) and w.lower() not in NOT_LABELS for w in words):
        return "", 0
    return " ".join(words), start + len(before[start:]) - len(before[start:].lstrip())


def clause(line: str, column: int) -> str:
    """The clause of ``line`` around ``column``: between ``;``/``. ``/``: `` marks or the ends."""
    starts = [line.rfind(mark, 0, column) + len(mark) for mark in ("; ", ". ", ": ")
              if line.rfind(mark, 0, column) >= 0]
    begin = max(starts, default=0)
    ends = [i for i in (line.find(mark, column) for mark in (";", ". ")) if i >= 0]
    end = min(ends, default=len(line))
    return line[begin:end].strip().rstrip(".:,")


# Specks ending the text before a number (where the search stops)
_SPECKS_BEFORE = regex.compile(r"[._'‘’`]+$")


def _stands_alone(text: str, m: regex.Match, end: int | None = None) -> bool:
    """True if the number is a token of its own: not part of a date, range, code or word
    (``end``: where it ends, when that is after the match, as "4/6" does)."""
    left = text[m.start() - 1] if m.start() else " "
    if left in ".-" and (m.start() == 1 or text[m.start() - 2] == " " and
                         not text[max(0, m.start() - 3)].isdigit()):
        left = " "  # " .4.618", " -1.962": a speck before the number (no report counts
        # below zero; a range or code has no space before its dash; after digits it is
        # a number OCR broke up, "1 -136")
    specks = _SPECKS_BEFORE.search(text, 0, m.start())
    if specks and (specks.start() == 0 or text[specks.start() - 1] == " " or
                   specks[0] == "." and text[specks.start() - 1].islower()):
        left = " "  # "._02 trại", "cho.78 hội viên": specks a scan left before it (no
        # number follows a lower-case word's full stop)
    if left.isalnum() or left in "/-–.,_&":
        return False
    rest = text[m.end() if end is None else end:]
    # 2016-2020, 34-CT/TW; but "8-đơn vị" is a scan's speck: no code has a small letter
    # after its dash
    if rest[:1] in ("/", "-", "–") and rest[1:2].isalnum() and \
            not (rest[:1] == "-" and rest[1:2].islower()):
        return False
    if rest[:1] in ("/", "\\", "_") or (rest[:1] in ".," and rest[1:2].isdigit()):
        return False
    if rest[:1].isalpha():
        return bool(_SYMBOL.match(rest))
    return True


def _measure(lines: list[DocLine], i: int, end: int) -> tuple[str, int]:
    """The measure after a number ending at ``end`` on line ``i``, and where it ends on that line.

    Whole words only: the first word after the number, and the word after that when the
    first is a multiplier or counter (``tỷ đồng``, ``lượt người``); syllables are looked at
    up to punctuation, a digit or a function word, running on into the next line when the
    sentence does (``815 trang`` / ``trại`` → ``trang trại``).
    """
    text = lines[i].text
    rest = text[end:]
    symbol = _SYMBOL.match(rest.lstrip()) if rest[:1] in ("", " ") else _SYMBOL.match(rest)
    if symbol:
        unit = symbol[0]
        if regex.fullmatch(r"k?m[23?]", unit, regex.I):
            unit = unit[:-1] + _SUPERSCRIPT[unit[-1]]
        elif fold(unit) == "ha":  # hectares: a tone mark on "ha" is a misreading
            unit = "ha"
        return unit, end + (len(rest) - len(rest.lstrip())) + symbol.end()
    tokens = rest.split()
    own = len(tokens)  # tokens on the number's own line
    if (own < MAX_MEASURE_SYLLABLES and (not tokens or tokens[-1][-1].isalnum())
            and i + 1 < len(lines) and lines[i + 1].page == lines[i].page
            and not starts_numbered(lines[i + 1].text.strip())):  # no sentence runs on
        # into a heading or list item ("… 4.450" / "III. KHEN THƯỞNG")
        tokens += lines[i + 1].text.split()
    syllables: list[str] = []
    for token in tokens[:MAX_MEASURE_SYLLABLES]:
        if not token[0].isalpha():
            break
        word = _bare(token.split("/")[0])  # "đồng/hội viên": the measure is "đồng"
        if not word or word.lower() in FUNCTION_WORDS:
            break
        if any(c.isdigit() for c in word):
            if not regex.fullmatch(r"\p{L}+\d+", word):  # OCR noise ("g1a1"), not a footnote
                syllables = syllables or [word]  # mark ("tỉnh1"): a measure of its own
            break
        syllables.append(word)
        if word != token:
            break
    if not syllables:
        return "", end
    if (len(syllables) > 1 and syllables[0].lower() in MULTIPLIERS
            and syllables[1].lower() in CURRENCIES):
        head = syllables[:2]
    else:
        words = segment(syllables)
        head = words[0]
        if len(words) > 1 and (len(head) == 1 and head[0].lower() in COUNTERS
                               and words[1][0].lower() not in _QUALIFIER_WORDS
                               or is_word(head + words[1])):  # not "hộ đạt danh hiệu"
            head = head + words[1]
    measure_end = end
    for syllable in head[:own]:  # one syllable per token, so the first ``own`` are this line's
        measure_end = text.find(syllable, measure_end) + len(syllable)
    return " ".join(head), measure_end


def _not_a_quantity(measure: str, lines: list[DocLine], i: int, end: int) -> bool:
    """True when the measure makes the number a duration, an anniversary or an ordinal."""
    lowered = measure.lower()
    if lowered.startswith(ORDINAL_MEASURES):
        return True
    if lowered.split()[0] in TIME_WORDS and not lowered.startswith(LABOUR_UNITS):
        return True
    after = " ".join(lines[i].text[end:].lower().split()[:2])
    return any(after == w or after.startswith(w + " ") for w in ORDINAL_MEASURES)


# A comma before exactly three digits: Vietnamese decimals, or thousands the English way
_COMMA_THOUSANDS = regex.compile(r"\d{1,3},\d{3}")


def _counts_things(measure: str) -> bool:
    """True when the measure counts whole things (hội viên, chi hội, lượt người), not an
    amount that has fractions (tỷ đồng, ha, %, tấn)."""
    head = measure.split()[0].lower()
    return head not in MULTIPLIERS | CURRENCIES and not _SYMBOL.fullmatch(head)


def _plausible_share(measure: str) -> float:
    """The share of the measure's syllables that read as Vietnamese words or acronyms."""
    syllables = measure.split()
    if len(syllables) == 1 and _SYMBOL.fullmatch(measure):
        return 1.0
    return sum(map(is_plausible, syllables)) / len(syllables)


def _qualifier(prev2: str, prev: str) -> str | None:
    """The qualifier written before the number (``trên``, ``gần``, ``tổng số`` …), or None."""
    for q in QUALIFIERS:
        if " " in q and f"{prev2} {prev}" == q or q == prev:
            return q
    return None


def _is_year(token: str) -> bool:
    return token.isdigit() and len(token) == 4 and 1900 <= int(token) <= 2100


def _bare(token: str) -> str:
    """A token without the punctuation around it (``(17.885;`` → ``17.885``)."""
    return regex.sub(r"^[^\p{L}\p{N}%²]+|[^\p{L}\p{N}%²]+$", "", token)


def _word_starts(dl: DocLine) -> list[int]:
    """Character offset of each word of the line in ``dl.text``."""
    starts, pos = [], 0
    for word in dl.source.words:
        starts.append(pos)
        pos += len(word.text) + 1
    return starts


def _words_over(dl: DocLine, starts: list[int], begin: int, end: int) -> list[int]:
    """Positions of the line's words that overlap ``text[begin:end]``."""
    return [k for k, (w, s) in enumerate(zip(dl.source.words, starts))
            if s < end and s + len(w.text) > begin]


def _box(words: list) -> list[int] | None:  # noqa: ANN001 - extract.text.Word
    """The box around the words' boxes (None unless every word has one)."""
    if not words or any(w.box is None for w in words):
        return None
    return list(union_box([w.box for w in words]))


def _confidence(dl: DocLine, starts: list[int], begin: int, end: int) -> float:
    """The lowest confidence among the words overlapping ``text[begin:end]``."""
    words = dl.source.words
    confidences = [w.confidence for w, s in zip(words, starts)
                   if s < end and s + len(w.text) > begin]
    return min(confidences, default=1.0)
