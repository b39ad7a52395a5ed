"""Acronyms a scan put a stray mark in: "HTIX", "HT%X", "H1X" where the report writes HTX.

Reports repeat their acronyms (HTX, UBND, HĐND, TNXP) on every page. An acronym is no
syllable, so neither the lexicon nor the language model can mend one, and a speck or a
broken stroke inside it reads as a digit, a symbol, a letter Vietnamese does not use ("ƒ")
or one more stem ("I", "l"). The document's own spelling can: a capitalised word that holds
one such stray character, and without it (dropped, or read as a letter) is an acronym the
same document writes at least ``MIN_SEEN`` times and ``DOMINANCE`` times as often, is that
acronym. Acronyms that differ by a real letter ("KT" beside "CT", "XIV" beside "XIX") are
left as written: no stray mark tells which one is meant.
"""
from __future__ import annotations

from collections import Counter

import regex

from extract.repair.decode import Choice

MIN_SEEN = 3  # the acronym must be written this often in the document
DOMINANCE = 3  # and this many times as often as the odd spelling
# An acronym as the document writes it: capitals (Đ among them), 3 to 8 of them
_ACRONYM = regex.compile(r"[A-ZĐ]{3,8}")
# A stray character: one that neither an acronym nor a Vietnamese word holds (a digit, a
# symbol, "ƒ"), which may stand for one of the acronym's letters or be a speck; or a
# stem a broken stroke or a speck adds ("I", "l"). A marked letter is no stray: "THÙ" is
# a word, not a misread "THI".
_STRAY = regex.compile(r"[^\p{Latin}&]|[ƒƑßøØæÆœŒ]")  # not Latin: digits, symbols too
_STEMS = frozenset("Il")
# A word's parts: a code's pieces between its dashes, slashes and dots ("12/KH-LMHTIX")
_PARTS = regex.compile(r"[^\s\-/.,;:!?()\[\]“”\"'‘’…]+")


def mend(lines: list[list[Choice]]) -> None:
    """Write, in place, each odd spelling among a document's ``lines`` (all of them, in
    order) as the acronym it stands for; its confidence becomes at most the share of the
    document's spellings that are the acronym."""
    counts = Counter(m[0] for choices in lines for c in choices
                     for m in _PARTS.finditer(c.text) if _ACRONYM.fullmatch(m[0]))
    frequent = {a: n for a, n in counts.items() if n >= MIN_SEEN}
    if not frequent:
        return
    for choices in lines:
        for choice in choices:
            for m in reversed(list(_PARTS.finditer(choice.text))):
                found = _acronym_of(m[0], frequent, counts)
                if found:
                    n = frequent[found]
                    choice.text = choice.text[:m.start()] + found + choice.text[m.end():]
                    choice.confidence = min(choice.confidence, n / (n + 1))


def _acronym_of(part: str, frequent: dict[str, int], counts: Counter) -> str | None:
    """The frequent acronym ``part`` is, with its one stray character, or None."""
    if part in frequent or not 3 <= len(part) <= 9 or sum(ch.isupper() for ch in part) < 2:
        return None
    found = set()
    for k, ch in enumerate(part):
        stray = _STRAY.fullmatch(ch) is not None
        if not stray and ch not in _STEMS:
            continue
        before, after = part[:k], part[k + 1:]
        found.add(before + after)  # the stray character dropped
        if stray:  # or read for a letter
            found.update(a for a in frequent if len(a) == len(part) and
                         a.startswith(before) and a.endswith(after))
    found = {a for a in found if frequent.get(a, 0) >= DOMINANCE * max(counts[part], 1)}
    return found.pop() if len(found) == 1 else None
