"""The bloc: its name, how many members, head and deputy head, and its groups with leaders.

Reports state these in running text (``Khối`` or ``Cụm thi đua … gồm 18 đơn vị, do X làm Trưởng khối, Y làm
Phó khối … chia làm 04 nhóm``; ``Nhóm 1 gồm 5 đơn vị: A (trưởng nhóm); B; C.``). Keywords
are matched on folded text with a little slack for OCR (``Trudng Kh01``), and names are
canonicalised through the gazetteer.
"""
from __future__ import annotations

import regex

from extract.parse.lines import DocLine
from extract.parse.units import (LEADER_MARK, MATCH_SCORE, Gazetteer, registry, sentence_case,
                                 tidy_name)
from extract.records import Bloc, Group
from extract.roman import NOISY_DIGITS, roman_value
from extract.text import fold

# A group's member list names units, so a looser match to the registry is safe there.
MEMBER_SCORE = 70
# "Khối" or "Cụm", folded, as OCR may leave them ("kh01", "khoa"; not "kh&kt", an acronym)
_BLOC = r"(?:kh[^\s&/]{1,3}|cum)"
# A bloc's fixed words, folded, as OCR may leave them ("khoa thi dua"): its kind in group 1
BLOC_WORDS = regex.compile(rf"\b({_BLOC})\s+thi\s+d\S{{1,3}}a\b")
_NAME_STOP = frozenset("gom do nam co da duoc trong voi va la cua tai theo ve bao".split())
_COUNT = regex.compile(
    rf"\b(?!khen){_BLOC}(?:\s+thi\s+d\S{{1,3}}a)?\b[^.;]{{0,120}}?\b(?:gom|co)\s+(\d{{1,3}})[\s-]+"
    r"(?:don\s+v\S|thanh\s+vi\S{1,3}n|hoi|co\s+quan|to\s+chuc)")
# The roles, folded, either way round: "Trưởng khối" or "Khối trưởng", "Phó cụm" or "Cụm
# phó" (a deputy after the bloc word has one letter after ph, not "Khối phát động")
# (a speck may stand between the two words: "Cụm: trưởng")
_HEAD_ROLE = rf"(?:tr\S{{1,4}}ng[.:]?\s+{_BLOC}|{_BLOC}[.:]?\s+tr\S{{1,4}}ng)"
_DEPUTY_ROLE = rf"(?:ph\S{{0,2}}[.:]?\s+{_BLOC}|{_BLOC}[.:]?\s+ph\S?)"
_HEAD = regex.compile(rf"(?P<x>[^,;.:()]{{3,120}}?)\s+lam?\.?\s+{_HEAD_ROLE}\b")
_DEPUTY = regex.compile(rf"(?P<x>[^,;.:()]{{3,120}}?)\s+lam?\.?\s+{_DEPUTY_ROLE}\b")
_ROLE_FIRST = regex.compile(rf"\b(?P<role>{_HEAD_ROLE}|{_DEPUTY_ROLE})\s*[:\-–]\s*"
                            r"(?P<x>[^,;.()]{3,120})")
# "do" (by) is looked for in the text itself: folded, "đỏ" (red) would read as "do" too.
_DO = regex.compile(r"\bdo\b")
_ROLE_CUT = regex.compile(rf"\blam?\s+(?:{_HEAD_ROLE}|{_DEPUTY_ROLE})\b")
# "Nhóm 1", "Nhóm II" (folded; a Roman one or look-alikes of 1 read for it, "Nhóm l")
_GROUP = regex.compile(
    r"^\W{0,3}(?:\d{1,2}(?:\.\d{1,2})*\.?\s+)?nh\S{0,2}m\s+(\d{1,2}|[ivxl]{1,4})(?![\w])")
# A group's list inside a sentence (folded): after a colon, semicolon or full stop, "Nhóm
# N" and its colon, bracket or "gồm"
_INLINE_GROUP = regex.compile(r"(?<=[:;.]\s)nh\S{0,2}m\s+(?:\d{1,2}|[ivxl]{1,4})\s*(?::|\(|gom)")
_NAMED_LEADER = regex.compile(
    r"(?P<x>[^()]{3,120}?)\s+(?:lam?\s+)?tr\S{1,4}ng\s+nh\S{0,2}m\b")
# A full stop before a small letter: a scan's speck, no sentence's end ("Hội Luật. gia
# tỉnh. làm Trưởng khối")
_SPECK = regex.compile(r"\.(?=\s+\p{Ll})")
_NEW_BLOCK = regex.compile(r"^\s*(?:[-+*•–]|\d{1,2}(?:\.\d{1,2})*[.)]?\s|[IVX]+\.)")


def parse_bloc(lines: list[DocLine], gazetteer: Gazetteer, issuer: str | None) -> Bloc:
    """The bloc as the document describes it; ``gazetteer`` learns the member list."""
    text = _SPECK.sub(" ", " ".join(dl.text for dl in lines))
    folded = fold(text)
    bloc = Bloc(name=_name(text, folded, issuer))
    count = _COUNT.search(folded)
    bloc.member_count = int(count[1]) if count else None
    bloc.groups = _groups(lines, gazetteer)
    bloc.head = _role(text, folded, _HEAD, "tr", gazetteer)
    bloc.deputy_head = _role(text, folded, _DEPUTY, "ph", gazetteer)
    return bloc


def _name(text: str, folded: str, issuer: str | None) -> str | None:
    """The bloc's name: the issuer when the bloc issued the report, else its first mention."""
    if issuer and BLOC_WORDS.match(fold(issuer)):
        return issuer
    for m in BLOC_WORDS.finditer(folded):
        words = text[m.start():].split()
        out: list[str] = []
        for word in words[:14]:
            bare = regex.sub(r"[^\p{L}\p{N}]+$", "", word)
            if len(out) >= 3 and fold(bare) in _NAME_STOP:
                break
            out.append(bare)
            if bare != word:
                break
        if len(out) >= 5:
            return sentence_case(" ".join(out))
    return None


def _role(text: str, folded: str, pattern: regex.Pattern, role: str,
          gazetteer: Gazetteer) -> str | None:
    """Head or deputy head: ``X làm Trưởng khối`` (``Khối trưởng``) or ``Trưởng khối: X``.
    The second form only where X is a unit: the role also signs the report, above the
    distribution list ("CỤM TRƯỞNG" / "- Các hội trong Cụm")."""
    spans = [(m.start("x"), m.end("x"), False) for m in pattern.finditer(folded)]
    spans += [(m.start("x"), m.end("x"), True) for m in _ROLE_FIRST.finditer(folded)
              if regex.search(rf"\b{role}", m["role"])]
    for start, end, role_first in sorted(spans):
        # Keep what follows the last "do" or other role (… 18 đơn vị do X làm Trưởng khối).
        cuts = [m.end() for m in _ROLE_CUT.finditer(folded[start:end])]
        cuts += [m.end() for m in _DO.finditer(text[start:end].lower())]
        candidate = text[start + max(cuts, default=0):end].strip()
        hit = unit_in(candidate, gazetteer)
        if hit:
            return hit
        if candidate and not role_first:
            return sentence_case(tidy_name(candidate))
    return None


def unit_in(text: str, gazetteer: Gazetteer, min_score: float = MATCH_SCORE) -> str | None:
    """The unit ``text`` names, also when words precede the name (``luân phiên Hội …``)."""
    generic = regex.compile(r"\b(?:%s)\b" % "|".join(
        regex.escape(fold(w)) for w in registry().generic_words))
    starts = [0] + [m.start() for m in generic.finditer(fold(text)) if m.start() > 0]
    for start in starts:
        hit = gazetteer.match(text[start:], min_score)
        if hit:
            return hit[0]
    return None


def _groups(lines: list[DocLine], gazetteer: Gazetteer) -> list[Group]:
    """``Nhóm N gồm …: A (trưởng nhóm); B; …`` lists, each with its leader and members.

    The leader is the member marked ``(trưởng nhóm)``, or the unit named before the list
    (``Nhóm 1 (X làm trưởng nhóm) gồm: …``, ``… do X làm trưởng nhóm``).
    """
    groups: list[Group] = []
    seen: set[int] = set()
    segments = _group_segments(lines)
    for i, (text, folded) in enumerate(segments):
        m = _GROUP.match(folded)
        if not m or _group_number(m[1]) in seen:
            continue
        body = text[m.end():]
        for nxt_text, nxt_folded in segments[i + 1:i + 8]:
            if (not nxt_text.strip() or _GROUP.match(nxt_folded) or _NEW_BLOCK.match(nxt_text)
                    or body.rstrip().endswith(".")):
                break
            body += " " + nxt_text
        split = _members_start(body)
        if split is None:
            continue
        intro, members_text = body[:split], body[split:].strip().rstrip(".;")
        separator = ";" if ";" in members_text else ","
        group = Group(_group_number(m[1]))
        for raw in members_text.split(separator):
            raw = raw.strip()
            if not regex.search(r"\p{L}{2}", raw):
                continue
            name = gazetteer.canonical(raw, MEMBER_SCORE)
            gazetteer.add(raw, name)
            group.members.append(name)
            if LEADER_MARK.search(raw) and group.leader is None:
                group.leader = name
        named = _NAMED_LEADER.search(fold(intro))
        if group.leader is None and named:
            group.leader = unit_in(intro[named.start("x"):named.end("x")], gazetteer,
                                   MEMBER_SCORE)
        if group.members:
            groups.append(group)
            seen.add(group.number)
    return groups


def _group_number(numeral: str) -> int:
    """A group's number from its numeral as ``_GROUP`` read it ("2", "ii", "l")."""
    return int(numeral) if numeral.isdigit() else \
        roman_value(numeral.upper().translate(NOISY_DIGITS)) or 0


def _group_segments(lines: list[DocLine]) -> list[tuple[str, str]]:
    """(text, folded) of the lines, each cut where a group's list starts inside it
    ("Khối chia thành 2 nhóm: Nhóm 1: A, B; Nhóm 2: C, D"), so that every list opens a
    segment as a list opening its own line does."""
    out = []
    for dl in lines:
        cuts = [0] + [m.start() for m in _INLINE_GROUP.finditer(dl.folded)] + [len(dl.text)]
        out += [(dl.text[a:b], dl.folded[a:b]) for a, b in zip(cuts, cuts[1:]) if b > a]
    return out


def _members_start(body: str) -> int | None:
    """Where the member list of a group's text starts: after ``gồm [N đơn vị]:`` or a colon."""
    folded = fold(body)
    m = regex.search(r"\bg\S{1,2}m\b(?:\s*\d+\s+\S+(?:\s+v\S{1,2})?)?\s*:?", folded)
    if m:
        return m.end()
    colon = folded.find(":")
    return colon + 1 if 0 <= colon <= 60 else None
