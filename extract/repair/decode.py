"""Line decoding: pick, for every word of a line, the syllable the channel and the LM agree on.

Each line is cut into pieces (``lm.ocr_pieces``): numbers and punctuation are kept and only
give context; each word piece gets options — the channel model's candidate syllables, plus the
piece itself when it is not a Vietnamese syllable (abbreviations, Latin words, codes). A
beam Viterbi search over the LM's states chooses the best sequence; a word's confidence is
the posterior of its choice against its alternatives in the chosen context, turned by the
calibration into the probability that it is right. Report lines are wrapped sentences: a
line starts in the LM state the previous one ended in, and is searched with the first
words of the next. Options are made (and cached) here; the search itself is compiled
(``kernels``).
"""
from __future__ import annotations

import copy
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple, Protocol

import numpy as np
import regex

import extract.repair.kernels as kernels
from extract.repair import cache
from extract.repair.cache import Prior
from extract.repair.calibration import IDENTITY, Calibration, Evidence
from extract.repair.kernels import LOWER, TITLE
from extract.repair.lexicon import Lexicon, canonical, skeleton
from extract.repair.lm import HORN_MARKS, NUM, LanguageModel, is_number, lm_token, ocr_pieces
from extract.repair.ocrconf import OcrConfidence
from extract.text import DIGIT_LOOKALIKES

LN10 = math.log(10.0)
# Pieces whose options are kept, per decoder: a piece's columns take some 7 KB (up to
# tens of readings, with and without capital evidence), so this bounds them near 70 MB;
# one report has a few thousand distinct pieces.
OPTIONS_LIMIT = 10_000


class Channel(Protocol):
    """What the decoder needs from the channel model (``extract.repair.channel``)."""

    def candidates(self, token: str, kind: str) -> list[tuple[str, float]]:
        """Possible true syllables (lower case) of ``token`` with log P(token | syllable)."""


class Option(NamedTuple):
    """One way to read a piece: a syllable (``None`` keeps the piece) and its scores (a
    named tuple: tens of thousands are made for a page of new text)."""

    text: str | None
    lm_id: int
    emit: float  # natural-log channel score plus priors
    case: int = 0  # inside a sentence: TITLE or LOWER (the LM's capital-after-word figures)


@dataclass(frozen=True)
class Settings:
    """Decoder weights, tuned on held-out rendered text (not on the samples or seeds; with
    the 4-gram LM, on the even half of the calibration pages, ``models/data/calibration``,
    and checked on the odd half)."""

    beam: int = 16
    beam_gap: float = 8.0     # drop states this far (nats) below the best one
    max_candidates: int = 20
    margin: float = 12.0      # drop channel candidates this far (nats) below the best one
    lm_weight: float = 1.0    # weight of the LM (log10 → nats) against the channel
    posterior_margin: float = 8.0  # options this far below the best get no posterior
    prune: float = 12.0       # drop options this far (nats) below the best by channel + unigram
    keep_cost: float = 4.0    # cost of keeping a piece that is not a Vietnamese syllable
    unk_cost: float = 6.0     # keeping a piece the LM does not know (a share of <unk>)
    variant_cost: float = 0.0  # extra cost of reading D or P as Đ (0: the LM decides)
    skeleton_cost: float = 2.0  # eng: same-skeleton syllables below the channel's last one
    digit_cost: float = 1.5     # eng: reading a short number as letters
    letter_digits: int = 2      # eng: numbers of up to this many digits may be letters
    capital_weight: float = 0.5  # weight of P(capital | syllable) for Title-case words
    # Bonus for leaving a valid syllable as it is, per input kind: Vietnamese OCR is
    # right most of the time, an English model's output rarely.
    identity_bonus: tuple[tuple[str, float], ...] = (("eng", 0.0), ("stripped", 0.0),
                                                     ("vie", 1.0))


# A column of the search: the options' channel scores, LM ids and cases, best score first.
Column = tuple[tuple[float, ...], tuple[int, ...], tuple[int, ...]]


def _column_of(options: tuple[Option, ...]) -> Column:
    """The search's view of ``options`` (already ordered best channel score first)."""
    return (tuple(o.emit for o in options), tuple(o.lm_id for o in options),
            tuple(o.case for o in options))


@dataclass
class Choice:
    """The decoder's reading of one whitespace-delimited word."""

    text: str
    confidence: float  # the probability that ``text`` is right (``calibration``)
    alternatives: list[tuple[str, float]]  # (piece reading, posterior) for --json
    evidence: Evidence | None = None  # what the confidence was computed from


@functools.lru_cache(maxsize=1 << 16)
def case_pattern(piece: str) -> str:
    """"upper", "title" or "lower": how the letters of ``piece`` are cased."""
    letters = [ch for ch in piece if ch.isalpha()]
    if not letters:
        return "lower"
    small = [ch for ch in letters if not ch.isupper()]
    if len(letters) >= 2 and not small or len(letters) >= 3 and len(small) == 1 and \
            small[0] in "il" and letters[0].isupper() and letters[-1].isupper():
        return "upper"  # "HiNH": an English model's small i for a capital Ì among capitals
        # ("HOi" is Hội, a capital and small letters the model read as O)
    return "title" if letters[0].isupper() else "lower"


def apply_case(pattern: str, syllable: str) -> str:
    """``syllable`` (lower case) written in ``pattern``."""
    if pattern == "upper":
        return syllable.upper()
    if pattern == "title":
        return syllable[:1].upper() + syllable[1:]
    return syllable


_ROMAN = regex.compile(r"(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3})")  # part numbers: II, XIII
# A section number as OCR writes it at the start of a line, before its full stop: a Roman
# numeral with I read as l, 1, L or H ("I1", "Il", "IIl", "1I", "H", "HI"), or an arabic
# number ("2", "2.1"). The parser reads these noisy forms; repair must not make them words.
_NUMBERING = regex.compile(r"[IVXLH1][IVXLHl1]{0,4}|\d{1,2}(?:\.\d{1,2}){0,3}")
# A Roman part number whose full stop OCR merged into its last I's foot: "L" for "I.", "IL"
# for "II."; before a title in capitals, a number too.
_MERGED_STOP = regex.compile(r"[IVX]{0,3}L")
_VOWEL = regex.compile(r"[aeiouy]")  # searched in a piece's skeleton
MAX_SYLLABLE_LETTERS = 7  # "nghiêng"
_SENTENCE_OPENERS = set(".:;!?\"“(-–•")
_DIGIT = regex.compile(r"\p{N}")
_HORN = regex.compile(rf"(?<=[uo])[{HORN_MARKS}]")  # eng: ư's, ơ's horn split off ("THU'C")
_LETTER_SYMBOLS = frozenset("&@")  # eng: alone between words, a letter ("&" for ở)
_SYMBOL_LETTER = regex.compile(r"[¥¢§©®£€]")  # eng: a marked letter read as a symbol
_QUOTES = "'’‘\"“`"  # marks that may stand glued before a number
_LONE_DIGIT = {"+": "4", "§": "8"}  # marks standing alone that a worn scan makes of digits
# eng: an o read as its look-alike 0, the horn it split off after it ("10'p")
_ZERO_HORN = regex.compile(rf"0(?=[{HORN_MARKS}])")
_PLAIN_CAPITALS = regex.compile(r"[A-Z]{2,}")  # eng: a word of capitals with no mark seen
_AREA_UNIT = regex.compile(r"[kcd]?m")  # m², km², cm³ … read with a ? for the superscript
# A number with some of its digits read as look-alike letters ("I9", "2l", "5l2", "I0"):
# OCR's commonest confusion in numerals; at least half of it must be digits. A number in
# thousands groups ("I.25Ø" for 1.250), or with a decimal comma ("2,I" for 2,1), is read
# as one word, not split at its dots or comma.
_ONE_LETTERS, _ONE_MARKS = "IlÌÍ", r"|!¡\]\["  # what OCR reads a 1 as: letters, marks
_LOOKALIKE = rf"[\d{_ONE_LETTERS}{_ONE_MARKS}OoØø]"
_MISREAD_NUMBER = regex.compile(
    rf"{_LOOKALIKE}{{2,}}|{_LOOKALIKE}{{1,3}}(?:[.,]{_LOOKALIKE}{{3}})+"
    rf"|\d{{1,3}},{_LOOKALIKE}{{1,2}}")
# A number with a 1 read as a mark that is no word character ("!46", "2!5", "]2"): one piece,
# not a mark beside a number. A mark after the digits ("2021!") stays a mark, and a bar
# between digits may be a slash ("12|5" for 12/5): not one of these.
_ONES_AND_DIGITS = regex.compile(rf"[\d{_ONE_LETTERS}{_ONE_MARKS}.,]+")
_GLUED_NUMBER = regex.compile(rf"[{_ONE_MARKS}]\d+(?:!\d+)*|\d+(?:!\d+)+")
# A 4 whose thin diagonal a faint scan dropped reads as "+" (its crossbar and stem), alone or
# beside the 4 that Tesseract also saw ("I+48" for 148, "7+4" for 74, "4+" for 44), its
# remainder sometimes as "‡"; and a thousands point as a colon after a 1 read as a letter
# ("I:905" for 1.905). One number piece each. A "+" before the digits ("+6/") may as well
# be a speck or another digit: it is left as read.
_FOUR_MARKS = regex.compile(rf"{_LOOKALIKE}+(?:\+[4‡]?|‡){_LOOKALIKE}*"
                            rf"|[{_ONE_LETTERS}]:\d{{3}}(?![\d:])")
_LETTER = regex.compile(r"\p{L}")
# A capital I before small letters: in a serif face the small l, its look-alike ("Iượt")
_CAPITAL_I = regex.compile(r"I(?=\p{Ll}+$)")
# The Icelandic eth that OCR writes for Đ (no Vietnamese text holds it): the Đ it is
_ETH = str.maketrans("Ðð", "Đđ")
# A document number or code as one word: digits, a slash, capitals ("32/HD-BTĐKT",
# "68/2000/NĐ-CP", "15/KH-UBND"); its letter pieces are codes, not syllables.
_DOCUMENT_CODE = regex.compile(r"\d+(?:/\d+)*/\p{Lu}[\p{Lu}\d]*(?:[-/]\p{Lu}[\p{Lu}\d]*)*[.,;:]?")


def _four_marks(word: str) -> regex.Match | None:
    """The start of ``word`` when it is a number with a 4 read as "+" or a thousands point
    as a colon (``_FOUR_MARKS``); None for anything else."""
    m = _FOUR_MARKS.match(word)
    return m if m and _mostly_digits(_mended_digits(m[0])) else None


def _mended_digits(piece: str) -> str:
    """``piece`` (a ``_FOUR_MARKS`` number) in digits: a "+" beside a 4 dropped, any other
    "+" or "‡" a 4, a colon a thousands point, look-alike letters their digits."""
    text = regex.sub(r"\+(?=[4‡])", "", piece).replace("+", "4").replace("‡", "4")
    return text.replace(":", ".").translate(DIGIT_LOOKALIKES)


def _lone_digit(parts: list[str], k: int, after: str) -> str | None:
    """The digit that piece ``k`` of a word (``parts``) may be, when it is a "+" or a "§"
    standing alone, a dash at most after it, and the next word (``after``) is no number: a
    4 that lost its diagonal, an 8 whose loops a worn scan opened ("gồm + đơn vị", "có
    §-đơn vị"; but "§ 5" is a section sign). None for any other piece."""
    digit = _LONE_DIGIT.get(parts[k])
    if digit is None or after[:1].isdigit():
        return None
    return digit if len(parts) == 1 or k == 0 and not parts[1][0].isalnum() else None


def _misread_digits(piece: str) -> str | None:
    """The digits of a number whose digits OCR misread (a 4 as "+", a 1 as a letter:
    ``_four_marks``, ``_MISREAD_NUMBER``), or None for any other piece."""
    four = _four_marks(piece)
    if four and four.end() == len(piece):
        return _mended_digits(piece)
    if _MISREAD_NUMBER.fullmatch(piece) and _mostly_digits(piece):
        return piece.translate(DIGIT_LOOKALIKES)
    return None


def _grouped_misread(word: str) -> regex.Match | None:
    """The start of ``word`` when it is a number in thousands groups with look-alikes for
    some digits ("I.25Ø", "l.5OO,"), to be read as one piece; None for anything else."""
    m = _MISREAD_NUMBER.match(word)
    if m is None or not regex.search(r"[.,]", m[0]) or is_number(m[0]):
        return None
    return m if _mostly_digits(m[0]) else None


def _glued_parts(piece: str, lexicon: Lexicon, lm: LanguageModel) -> tuple[str, ...]:
    """``piece`` as the syllables a tight scan ran together ("QUẢNGNGÃI", "hộiviên"), or
    ``(piece,)``. For Vietnamese OCR: a run parts only into syllables of two letters or
    more that the lexicon knows (at least two, one with a mark: no English word parts so;
    each two side by side a pair the LM holds) and, in a word of capitals, acronyms of
    three letters or more with no vowel ("HỘICCB"); the fewest such parts."""
    low = piece.lower()
    if len(piece) < 4 or not piece.isalpha() or canonical(low) in lexicon or \
            lm.id(canonical(low)) != lm.unk:  # a word the corpus writes whole ("sôcôla")
        return (piece,)
    capitals = piece.isupper()

    def fits(start: int, end: int) -> bool:
        syllable = canonical(low[start:end])
        if end - start < 2:  # a lone vowel ("KHỔI" is no "KHỔ I")
            return False
        if syllable in lexicon:
            return True
        return capitals and end - start >= 3 and not _VOWEL.search(skeleton(syllable))

    best: list[tuple[int, ...] | None] = [()] + [None] * len(piece)  # cuts of piece[:i]
    for end in range(1, len(piece) + 1):
        for start in range(max(0, end - MAX_SYLLABLE_LETTERS), end):
            head = best[start]
            if head is not None and fits(start, end) and \
                    (best[end] is None or len(head) + 1 < len(best[end])):
                best[end] = (*head, start)
    cuts = best[-1]
    if not cuts or len(cuts) < 2:
        return (piece,)
    parts = tuple(piece[a:b] for a, b in zip(cuts, [*cuts[1:], len(piece)]))
    words = [canonical(p.lower()) for p in parts]
    marked = any(skeleton(w) != w for w in words)
    real = [w if w in lexicon else None for w in words]  # None: an acronym
    # every two syllables side by side a pair the LM holds ("hội quần", "quảng ngãi"; not
    # OCR debris, "ti ăng")
    together = all(lm.holds_pair(a, b) for a, b in zip(real, real[1:]) if a and b)
    return parts if marked and sum(map(bool, real)) >= 2 and together else (piece,)


def _small_l(piece: str, lexicon: Lexicon) -> str:
    """``piece`` with its first letter a small l where OCR read that l as the capital I it
    looks like in a serif face: "Iượt" is no syllable, "lượt" is ("In", "Ích" are
    syllables and stay; so does a word that is none either way, "Internet")."""
    if _CAPITAL_I.match(piece) and canonical(piece.lower()) not in lexicon:
        small = "l" + piece[1:]
        if canonical(small) in lexicon:
            return small
    return piece


def _marks_unseen(options: list[Option], key: str) -> list[Option]:
    """``options`` with every syllable of skeleton ``key`` as likely as the likeliest one:
    an English model writes a Vietnamese capital's marks not at all ("TRUONG" for TRƯỞNG
    as for TRƯƠNG), so plain capitals say nothing of them and the context decides."""
    same = [o.emit for o in options if o.text and skeleton(o.text) == key]
    if not same:
        return options
    best = max(same)
    return [o._replace(emit=best) if o.text and skeleton(o.text) == key else o
            for o in options]


def _section_number(piece: str, after: list[str]) -> str | None:
    """How to write ``piece``, opening a line before the pieces ``after``, when it is a
    section number as OCR writes it: as it is before its full stop (``_NUMBERING``), or
    with its full stop given back when that merged into a Roman one before a title in
    capitals (``_MERGED_STOP``: "L" is "I."); None for anything else."""
    if after[:1] == ["."]:
        return piece if _NUMBERING.fullmatch(piece) else None
    title = after[0] if after else ""
    if _MERGED_STOP.fullmatch(piece) and len(title) > 1 and title.isupper():
        return piece[:-1] + "I."
    return None


def _mostly_digits(text: str) -> bool:
    """True when at least half of ``text``'s characters, group marks aside, are digits, or
    every one that is not is a look-alike of 1 ("I4I"): no word is spelt so."""
    digits = len(_DIGIT.findall(text))
    return 2 * digits >= len(text) - text.count(".") - text.count(",") or \
        digits > 0 and _ONES_AND_DIGITS.fullmatch(text) is not None


@functools.lru_cache(maxsize=1 << 16)
def _spell(piece: str, syllable: str | None) -> str:
    """The output for ``piece`` read as ``syllable`` (``None``: kept), in the piece's case.

    A piece that is the syllable with its tone mark on the other accepted vowel ("hoá" for
    "hóa") is left as written: both spellings are correct.
    """
    if syllable is None or syllable == piece.lower() or syllable == canonical(piece.lower()):
        return piece
    return apply_case(case_pattern(piece), syllable)


class Decoder:
    """Beam Viterbi decoder over channel candidates scored by the n-gram LM."""

    def __init__(self, lm: LanguageModel, lexicon: Lexicon, channel: Channel,
                 settings: Settings = Settings(), calibration: Calibration = IDENTITY,
                 ocr_confidence: OcrConfidence | None = None):
        self.lm = lm
        self.lexicon = lexicon
        self.channel = channel
        self.settings = settings
        self.calibration = calibration  # posterior → probability of being right
        self.ocr_confidence = ocr_confidence  # vie: Tesseract's word confidence → odds shift
        self._bonus = dict(settings.identity_bonus)
        self._options: dict[tuple[str, str, bool], tuple[tuple[Option, ...], Column]] = {}
        self._made: dict[tuple[str, str], tuple[Option, ...]] = {}  # before capital evidence
        self._cuts: dict[tuple[str, str], tuple[tuple[str, ...], frozenset[int], bool]] = {}
        # log P(written in lower case | word) inside sentences
        self._lower = [math.log1p(-math.exp(t)) if t < 0 else -20.0 for t in lm.title]
        self._parent: Decoder | None = None  # whose options serve the unchanged pieces
        self._changed: Callable[[str], bool] = lambda piece: True
        self._prior = Prior()  # the document's, in a decoder made by ``adapted``

    def adapted(self, channel: Channel, changed: Callable[[str], bool],
                prior: Prior | None = None) -> "Decoder":
        """This decoder for one document: with ``channel`` instead (its adapted channel)
        and the document's ``prior`` on its readings (``cache``). A piece for which
        ``changed`` is false has the same candidates under both: without a prior it takes
        this decoder's options whole, with one their scores plus the prior's bonuses."""
        other = copy.copy(self)
        other.channel = channel
        other._options, other._made = {}, {}
        other._parent, other._changed = self, changed
        other._prior = prior or Prior()
        return other

    def options(self, piece: str, kind: str, inside: bool = False) -> tuple[Option, ...]:
        """The readings of one piece, best channel score first.

        ``inside``: the piece stands inside a sentence, where a capital says "name".
        """
        return self._column(piece, kind, inside)[0]

    def _column(self, piece: str, kind: str, inside: bool) -> tuple[tuple[Option, ...], Column]:
        """The options of a piece and their ``Column`` (cached: the same OCR token recurs
        all the time)."""
        key = (piece, kind, inside)
        found = self._options.get(key)
        if found is not None:
            return found
        parent = self._parent
        shared = parent is not None and not self._changed(piece)  # same candidates
        if shared and not self._prior:
            return parent._column(piece, kind, inside)
        if len(self._options) > OPTIONS_LIMIT:  # a long run of new text: memory bounded
            self._options.clear()
            self._made.clear()
        opts = self._made.get(key[:2])
        if opts is None:  # the same piece inside and at the start of a sentence
            made = parent.options_made(piece, kind) if shared else \
                self._make_options(piece, kind)
            opts = self._made[key[:2]] = self._with_prior(piece, made)
        if shared and opts is parent.options_made(piece, kind):
            return parent._column(piece, kind, inside)  # the prior says nothing of it
        pattern = case_pattern(piece)
        if inside and pattern != "upper":
            opts = self._with_capital_evidence(opts, pattern == "title")
        opts = tuple(sorted(opts, key=lambda o: -o.emit))
        found = self._options[key] = (opts, _column_of(opts))
        return found

    @staticmethod
    def _as_read_at(piece: str, opts: tuple[Option, ...], shift: float
                    ) -> tuple[tuple[Option, ...], Column]:
        """``opts`` with ``shift`` nats on every reading but the piece as read."""
        low = piece.lower()
        as_read = (None, low, canonical(low))
        shifted = tuple(sorted((o if o.text in as_read else o._replace(emit=o.emit + shift)
                                for o in opts), key=lambda o: -o.emit))
        return shifted, _column_of(shifted)

    def options_made(self, piece: str, kind: str) -> tuple[Option, ...]:
        """The options of ``piece`` before capital evidence, made once."""
        opts = self._made.get((piece, kind))
        if opts is None:
            opts = self._made[piece, kind] = self._make_options(piece, kind)
        return opts

    def _with_prior(self, piece: str, options: tuple[Option, ...]) -> tuple[Option, ...]:
        """``options`` with the document's bonus for each reading of ``piece`` (the same
        tuple when it has none for any)."""
        if not self._prior or len(options) < 2:
            return options
        bonus = self._prior.bonuses(piece, [cache.key(o.text or piece) for o in options])
        if not any(bonus):
            return options
        return tuple(o._replace(emit=o.emit + b) for o, b in zip(options, bonus))

    def _with_capital_evidence(self, options: tuple[Option, ...],
                               capital: bool) -> tuple[Option, ...]:
        """Options re-scored by how often each syllable is written with (``capital``) or
        without a capital inside a sentence, relative to the likeliest one; kept pieces are
        unaffected. "Hội" is a name's head far more often than "hồi"; "lâm" than "làm". The
        options are marked with the case, for the same figure after the word before."""
        weight = self.settings.capital_weight
        score = self.lm.title if capital else self._lower
        case = TITLE if capital else LOWER
        top = max((score[o.lm_id] for o in options if o.text is not None), default=0.0)
        return tuple(o if o.text is None else
                     Option(o.text, o.lm_id, o.emit + weight * (score[o.lm_id] - top), case)
                     for o in options)

    def _make_options(self, piece: str, kind: str) -> tuple[Option, ...]:
        lm, s = self.lm, self.settings
        number = is_number(piece) and not _GLUED_NUMBER.fullmatch(piece) and \
            not _FOUR_MARKS.fullmatch(piece)
        spelt = piece
        if number and kind == "eng" and _SYMBOL_LETTER.search(piece):
            # "1€", "1§": an English model's "lễ", "lệ", its l read as 1 and its marked
            # vowel as a symbol; no number has a symbol glued to it
            number, spelt = False, piece.replace("1", "l")
        elif kind == "eng" and not number:
            # "10'p": no number has a horn; its 0 is an o ("lo'p", lớp)
            spelt = _ZERO_HORN.sub("o", piece)
        if number and not (kind == "eng" and len(piece) <= s.letter_digits):
            return (Option(None, lm.id(lm_token(piece)), 0.0),)
        if not any(ch.isalnum() for ch in piece) and len(piece) == 1 and \
                not (kind == "eng" and piece in _LETTER_SYMBOLS):
            return (Option(None, lm.id(piece), 0.0),)
        digits = None if number else _misread_digits(piece)
        if digits is not None:
            # the number it was, or the piece as written, at the cost of any odd piece
            return (Option(digits, lm.id(NUM), 0.0),
                    Option(None, lm.id(piece.lower()), -s.keep_cost - s.unk_cost))
        low = piece.lower()
        abbreviation = case_pattern(piece) == "upper" and low not in self.lexicon
        if abbreviation and (kind == "vie" or not _HORN.sub("", low).isalpha()):
            return (Option(None, lm.id(low), 0.0),)
        cands = sorted(self.channel.candidates(spelt, kind), key=lambda c: -c[1])
        if cands:
            best = cands[0][1]
            cands = [c for c in cands[: s.max_candidates] if c[1] >= best - s.margin]
        if kind == "eng":
            # An English model often just drops the marks: every syllable with the same
            # skeleton stays in reach, at a cost, whatever the channel ranked first.
            known = {syl for syl, _ in cands}
            floor = min((lp for _, lp in cands), default=0.0)
            # a symbol standing for a letter ("&" for ở) reaches its candidates' skeletons
            keys = {skeleton(syl) for syl in known} if piece in _LETTER_SYMBOLS \
                else {skeleton(low)}
            cands += [(syl, floor - s.skeleton_cost) for key in sorted(keys)
                      for syl in self.lexicon.with_skeleton(key) if syl not in known]
        out: list[Option] = []
        bonus = self._bonus.get(kind, 0.0)
        for syl, logp in cands:
            out.append(Option(syl, lm.id(syl), logp + (bonus if syl == low else 0.0)))
        if number:
            # a short number in English-model output is often letters (6 for ở, 14 for là)
            out = [Option(o.text, o.lm_id, o.emit - s.digit_cost) for o in out]
            out.append(Option(None, lm.id(lm_token(piece)), 0.0))
        elif low not in self.lexicon or _ROMAN.fullmatch(piece):
            # kept as written: free for a Roman numeral or a capitalised word without a
            # vowel (HTX, TNXP: no syllable looks like that), at a cost for anything else
            free = _ROMAN.fullmatch(piece) or abbreviation and not _VOWEL.search(skeleton(low))
            # a piece read through its look-alikes ("10'p", "1€") is twice unlike a word
            keep = 0.0 if free else -s.keep_cost * (1 if spelt == piece else 2)
            out.extend(self._code_options(low, kind, keep) if abbreviation
                       else [self._kept(low, keep)])
        elif not any(o.text == low for o in out):
            out.append(Option(low, lm.id(low), bonus - s.keep_cost))
        if kind == "eng" and _PLAIN_CAPITALS.fullmatch(piece):
            out = _marks_unseen(out, skeleton(low))
        return self._pruned(out)

    def _pruned(self, options: list[Option]) -> tuple[Option, ...]:
        """``options`` without those far below the best by channel score plus unigram
        log probability: the context could not lift them, and each costs beam time."""
        weight = self.settings.lm_weight * LN10
        uni = self.lm.uni
        scores = [o.emit + weight * uni[o.lm_id] for o in options]
        floor = max(scores) - self.settings.prune
        return tuple(o for o, x in zip(options, scores) if x >= floor or o.text is None)

    def _code_options(self, low: str, kind: str, keep: float) -> list[Option]:
        """The readings of an abbreviation (``low``, lower-cased): kept as written, at
        ``keep``, or with a D read as Đ (``_code_variants``). An English model cannot
        write Đ, so its D says nothing either way: an abbreviation the LM has never seen
        that has a variant it knows is that variant (the LM choosing among several)."""
        variants = self._code_variants(low, keep)
        if kind == "eng" and variants and self.lm.id(low) == self.lm.unk:
            return variants
        return [self._kept(low, keep), *variants]

    def _kept(self, low: str, keep: float) -> Option:
        """``low`` kept as written at ``keep``; <unk> pools every rare word, so one of
        them costs ``unk_cost`` more."""
        lm_id = self.lm.id(low)
        return Option(None, lm_id, keep - (self.settings.unk_cost if lm_id == self.lm.unk
                                           else 0.0))

    def _code_variants(self, low: str, keep: float) -> list[Option]:
        """An abbreviation with some of its D (or P, an English model's Đ) read as Đ.

        Only variants the LM knows as tokens (QĐ, HĐND, NĐ …) are offered, scored as keeping
        the piece (``keep``) less a small cost, so the LM must prefer them in context.
        """
        spots = [i for i, ch in enumerate(low) if ch in "dp"][:4]
        out = []
        for mask in range(1, 1 << len(spots)):
            chars = list(low)
            for bit, i in enumerate(spots):
                if mask >> bit & 1:
                    chars[i] = "đ"
            variant = "".join(chars)
            lm_id = self.lm.id(variant)
            if lm_id != self.lm.unk:
                out.append(Option(variant, lm_id, keep - self.settings.variant_cost))
        return out

    def _cut(self, word: str, kind: str) -> tuple[tuple[str, ...], frozenset[int], bool]:
        """``word`` cut into the pieces the search reads, which of them are written with a
        space before them (syllables a scan ran together, ``_glued_parts``), and whether
        the word is a document code (its letters codes, not syllables); the same word
        recurs all the time, so the cuts are kept (``_cuts``)."""
        # a quote mark before it is a speck or a quote, apart from the number ("']2")
        quote = word[:1] if word[:1] in _QUOTES and len(word) > 2 else ""
        rest = word[len(quote):]
        glued = _GLUED_NUMBER.match(rest) or _four_marks(rest) or _grouped_misread(rest)
        parts = [*quote, glued[0], *ocr_pieces(rest[glued.end():])] \
            if glued and not _LETTER.match(rest, glued.end()) else ocr_pieces(word)
        parts = [_small_l(part.translate(_ETH), self.lexicon) for part in parts]
        apart: set[int] = set()
        if kind == "vie":
            split: list[str] = []
            for part in parts:
                syllables = _glued_parts(part, self.lexicon, self.lm)
                apart.update(range(len(split) + 1, len(split) + len(syllables)))
                split += syllables
            parts = split
        return tuple(parts), frozenset(apart), _DOCUMENT_CODE.fullmatch(word) is not None

    def decode(self, words: list[str], kind: str, context: int | None = None,
               alternatives: float = 0.0, following: list[str] = (),
               read_at: list[float] | None = None) -> tuple[list[Choice], int]:
        """Read one line (its words) of input ``kind`` after the LM state ``context`` (the
        start of a text by default); returns choices and the LM state after the line.

        ``following``: the first words of the next line. Report lines are wrapped
        sentences, so the words that end a line are read with what follows them too; the
        following words are searched with the line, and read for real with their own line.
        ``alternatives``: the choices less confident than this get their ranked readings
        (``True``, as 1.0: every choice that had any; for ``--json`` and for review).
        ``read_at``: Tesseract's confidence of each word and following word, for ``vie``
        OCR (``ocrconf``): the less sure it was, the likelier every other reading.
        """
        slots: list[tuple[int, str, tuple[Option, ...], bool]] = []
        emits: list[float] = []
        ids: list[int] = []
        cases: list[int] = []
        starts = [0]
        own = 0  # columns of the line itself (the rest are the following words')
        previous = ""  # a line may start a sentence: its first word is not "inside" one
        opening = True  # no word yet on the line, specks aside: a section number may come
        line = [*words, *following]
        for index, word in enumerate(line):
            if index == len(words):
                own = len(starts) - 1
            cut = self._cuts.get((word, kind))
            if cut is None:
                cut = self._cuts[word, kind] = self._cut(word, kind)
            parts, apart, code = list(cut[0]), cut[1], cut[2]
            if len(parts) > 1 and parts[-1] == "?" and parts[-2][-1].isalpha() and \
                    not _AREA_UNIT.fullmatch(parts[-2]) and \
                    index + 1 < len(line) and line[index + 1][:1].islower():
                # no question goes on in lower case: the mark is a letter's ("st?" for sử)
                # (after a unit, a superscript's: see below)
                parts[-2:] = [parts[-2] + "?"]
            for k, piece in enumerate(parts):
                inside = previous != "" and previous not in _SENTENCE_OPENERS
                if len(piece) == 1 and parts[k + 1: k + 2] == [")"] or \
                        piece in _LETTER_SYMBOLS and len(parts) > 1 or \
                        parts[k + 1: k + 2] == ["?"] and _AREA_UNIT.fullmatch(piece):
                    # a list item (a), a symbol beside others, not a word by itself, or a
                    # unit whose superscript OCR read as ? (m? for m²)
                    opts = (Option(None, self.lm.id(piece.lower()), 0.0),)
                    column = _column_of(opts)
                elif piece == "?" and k > 0 and _AREA_UNIT.fullmatch(parts[k - 1]):
                    # the superscript of m², km² that OCR read as "?"
                    opts = (Option("²", self.lm.id(piece), 0.0),)
                    column = _column_of(opts)
                elif inside and (digit := _lone_digit(
                        parts, k, line[index + 1] if index + 1 < len(line) else "")):
                    # a bullet or a section sign, or a digit a worn scan made of it; the
                    # context decides, at the cost of an odd piece
                    opts = (Option(None, self.lm.id(piece), 0.0),
                            Option(digit, self.lm.id(NUM), -self.settings.keep_cost))
                    column = _column_of(opts)
                elif code and piece.isalpha() and case_pattern(piece) == "upper":
                    # a document code's letters ("32/HD-BTDKT", "68/2000/ND-CP"): no
                    # syllable, only a D an English model read for Đ
                    opts = tuple(self._code_options(piece.lower(), kind, 0.0))
                    column = _column_of(opts)
                elif opening and index < len(words) and (numeral := _section_number(
                        piece, [*parts[k + 1:], *line[index + 1: index + 2]])):
                    # a section number: "I1." as written, "L" as the "I." it was
                    opts = (Option(None if numeral == piece else numeral.lower(),
                                   self.lm.id(NUM), 0.0),)
                    column = _column_of(opts)
                else:
                    opts, column = self._column(piece, kind, inside)
                    shift = self.ocr_confidence.shift(read_at[index]) \
                        if read_at is not None and kind == "vie" and self.ocr_confidence \
                        else 0.0
                    if shift:  # most words were read sure: their column stays as cached
                        opts, column = self._as_read_at(piece, opts, shift)
                if index < len(words):
                    slots.append((index, piece, opts, k in apart))
                emits += column[0]
                ids += column[1]
                cases += column[2]
                starts.append(len(emits))
                previous = piece
                opening = opening and not any(ch.isalnum() for ch in piece)
        s = self.settings
        state = self.lm.start if context is None else context
        arrays = (np.array(starts, dtype=np.int64), np.array(emits, dtype=np.float64),
                  np.array(ids, dtype=np.int64), np.array(cases, dtype=np.int64))
        weight = s.lm_weight * LN10
        found, after = kernels.viterbi(self.lm.tables, *arrays, state, weight,
                                       s.capital_weight, s.beam, s.beam_gap)
        path = found.tolist()
        if following and own < len(path):  # the state after the line's own words
            chosen = np.array([ids[starts[c] + path[c]] for c in range(own)], dtype=np.int64)
            after = self.lm.tables.sequence(state, chosen)[1]
        post = kernels.posteriors(self.lm.tables, *arrays, found, state, weight,
                                  s.capital_weight, s.posterior_margin, self.lm.order,
                                  own if following else len(path)).tolist()
        texts: list[list[str]] = [[] for _ in words]
        confs = [1.0] * len(words)
        kept = [False] * len(words)
        gaps = [0.0] * len(words)
        ranked: list[list[tuple[str, tuple[Option, ...], list[float]]]] = [[] for _ in words]
        for (index, piece, opts, spaced), j, at in zip(slots, path, starts):
            chosen = opts[j]
            texts[index].append(" " * spaced + _spell(piece, chosen.text))
            if chosen.text is None and piece[0].isalpha() and \
                    canonical(piece.lower()) not in self.lexicon:
                kept[index] = True
            if len(opts) > 1:
                confs[index] = min(confs[index], post[at + j])
                gaps[index] = min(gaps[index], chosen.emit - opts[0].emit)
                if alternatives:
                    ranked[index].append((piece, opts, post[at:at + len(opts)]))
        choices = []
        for i, word in enumerate(words):
            text = "".join(texts[i])
            evidence = Evidence(confs[i], text != word, kept[i],
                                _DIGIT.search(word) is not None and
                                _LETTER.search(word) is not None, gaps[i])
            confidence = self.calibration(kind, evidence)
            alts = sorted(((_spell(piece, o.text), p) for piece, opts, posts in ranked[i]
                           for o, p in zip(opts, posts)), key=lambda x: -x[1]) \
                if confidence < alternatives else []
            choices.append(Choice(text, confidence, alts, evidence))
        return choices, after
