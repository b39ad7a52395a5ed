"""The syllable trigram language model that decides between repair candidates by context.

Modified interpolated Kneser-Ney, stored in backoff form (log10 probability of each kept
n-gram plus a backoff weight per context), with integer syllable ids packed into int keys
held in hash tables that the decoder's compiled search probes (``kernels.IntTable``). Built by ``models/train_lm.py`` from real formal Vietnamese
(``models/corpus.py``); loaded once per process from ``models/lm.npz``. The tokens are lower
case; how often a word is written with a capital inside a sentence (alone, and after a given
word) is kept beside them, as the decoder sees the case the OCR read.
"""
from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import regex

# packed keys: ids of SHIFT bits each (vocabulary < 2**SHIFT); CASE_LOWER marks lower case
from extract.repair.kernels import CASE_LOWER, SHIFT, IntTable, LmTables  # noqa: F401
from extract.repair.lexicon import canonical
from extract.text import nfc

MODEL_PATH = Path(__file__).resolve().parents[2] / "models" / "lm.npz"

NUM = "<num>"  # any number, date or code made of digits
UNK = "<unk>"  # a token outside the vocabulary
BOS = "<s>"    # start of a training line (decoding starts from the previous line instead)

# Characters that may stand inside an OCR'd word: letters, digits, and the symbols an
# English model reads for Vietnamese letters (¥ for ỹ, ¢ for ơ, …).
WORD_CHARS = r"\p{L}\p{N}¥¢§©®£€"
_PIECE = regex.compile(
    rf"\p{{N}}+(?:[.,/:\-]\p{{N}}+)*(?![{WORD_CHARS}])"  # a number, date or number/number
    rf"|[{WORD_CHARS}]+(?:['’?@&][{WORD_CHARS}]+)*[@&]?"  # a word (digits, ? @ & for letters:
    r"|\S")                                             # s& for sở), or a punctuation mark


def pieces(text: str) -> list[str]:
    """``text`` cut into numbers, words and single punctuation marks (spaces dropped)."""
    return _PIECE.findall(text)


def is_number(piece: str) -> bool:
    """True for a piece that is a number (no letter in it)."""
    return piece[0].isdigit() and not any(ch.isalpha() for ch in piece)


def lm_token(piece: str) -> str:
    """The LM token of a piece: ``<num>`` for numbers, else the piece lower-cased."""
    return NUM if is_number(piece) else piece.lower()


def lm_tokens(text: str) -> list[str]:
    """The LM's view of a line of correct text: its pieces as LM tokens, tones canonical."""
    return [lm_token(canonical(p)) for p in pieces(nfc(text))]


def title_cased(text: str) -> list[tuple[str, str, bool]]:
    """(previous LM token, LM token, written Title-case) for the words of ``text`` that are
    inside a sentence.

    The first word of a line and words after . : ; ! ? " ( are skipped (capitalised there by
    rule, not by meaning), and so are words written all in capitals.
    """
    out = []
    previous = "."
    for piece in pieces(nfc(text)):
        if piece[0].isalpha() and previous not in ".:;!?\"“(" and not piece.isupper():
            out.append((lm_token(canonical(previous)), lm_token(canonical(piece)),
                        piece[0].isupper()))
        previous = piece
    return out


def key2(v: int, w: int) -> int:
    """Packed key of the bigram (v, w)."""
    return (v << SHIFT) | w


def key3(u: int, v: int, w: int) -> int:
    """Packed key of the trigram (u, v, w)."""
    return (((u << SHIFT) | v) << SHIFT) | w


class LanguageModel:
    """Backoff trigram model over syllable ids; scores are log10 probabilities."""

    def __init__(self, words: list[str], uni: list[float], bow1: list[float],
                 bi: IntTable, bow2: IntTable, tri: IntTable, title: list[float],
                 case2: IntTable):
        self.words = words
        self.ids = {w: i for i, w in enumerate(words)}
        self.unk = self.ids[UNK]
        self.uni = uni
        self.bow1 = bow1
        self.bi = bi
        self.bow2 = bow2
        self.tri = tri
        # log P(written with a capital | word), inside sentences: "Hội", "Khối" are names'
        # heads far more often than "hồi", "khỏi" — evidence the lower-cased LM cannot see.
        self.title = title
        # The same after a given word, where that says more: "tỉnh Lâm" is a name far more
        # often than "lâm" alone is. Packed key (v, w) for a Title-case w, (v, w) + CASE_LOWER
        # for a lower-case one → natural-log difference from ``title`` (or its complement).
        self.case2 = case2
        self.tables = LmTables(tri, bi, bow2, case2, bow1, uni)  # for the compiled search

    def id(self, token: str) -> int:
        """The id of an LM token (``<unk>`` when unknown)."""
        return self.ids.get(token, self.unk)

    def save(self, path: Path) -> None:
        """Write the model as one compressed numpy archive."""
        f32 = np.float32
        np.savez_compressed(
            path, words=np.array("\n".join(self.words)),
            uni=np.array(self.uni, dtype=f32), bow1=np.array(self.bow1, dtype=f32),
            bi_k=self.bi.keys, bi_v=self.bi.values.astype(f32),
            bow2_k=self.bow2.keys, bow2_v=self.bow2.values.astype(f32),
            tri_k=self.tri.keys, tri_v=self.tri.values.astype(f32),
            title=np.array(self.title, dtype=f32),
            case2_k=self.case2.keys, case2_v=self.case2.values.astype(f32))

    @classmethod
    def read(cls, path: Path) -> "LanguageModel":
        """Read a model written by ``save``."""
        z = np.load(path)

        def table(name: str) -> IntTable:
            return IntTable(z[f"{name}_k"], z[f"{name}_v"])

        return cls(str(z["words"]).split("\n"), z["uni"].astype(np.float64).tolist(),
                   z["bow1"].astype(np.float64).tolist(), table("bi"), table("bow2"),
                   table("tri"), z["title"].astype(np.float64).tolist(), table("case2"))


@functools.cache
def load() -> LanguageModel:
    """The model in ``models/``, loaded once per process."""
    if not MODEL_PATH.exists():
        raise FileNotFoundError(f"{MODEL_PATH} is missing: run python models/build.py")
    return LanguageModel.read(MODEL_PATH)
