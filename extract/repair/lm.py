"""The syllable n-gram language model that decides between repair candidates by context.

A 4-gram modified Kneser-Ney model estimated by KenLM's ``lmplz`` on 65 million syllables of
real formal Vietnamese (``models/train_lm.py``, ``models/corpus.py``), stored in backoff form
as the compiled search probes it (``kernels.NgramLm``: one hash probe per backoff step,
states that are the model's own contexts). Loaded once per process from ``models/lm.lz4``.
The tokens are lower case; how often a word is written with a capital inside a sentence
(alone, and after a given word) is kept beside them, as the decoder sees the case the OCR
read.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import regex
import lz4.frame

# packed keys: ids of SHIFT bits each (vocabulary < 2**SHIFT); CASE_LOWER marks lower case
from extract.repair.kernels import CASE_LOWER, SHIFT, IntTable, NgramLm  # noqa: F401
from extract.errors import read_model
from extract.repair.lexicon import canonical
from extract.text import nfc

MODEL_PATH = Path(__file__).resolve().parents[2] / "models" / "lm.lz4"

NUM = "<num>"  # any number, date or code made of digits
UNK = "<unk>"  # a token outside the vocabulary: any rare word
BOS = "<s>"    # start of a training paragraph, and of a text to repair

# Characters that may stand inside an OCR'd word: letters, digits, and the symbols an
# English model reads for Vietnamese letters (¥ for ỹ, ¢ for ơ, …).
WORD_CHARS = r"\p{L}\p{N}¥¢§©®£€"
_PIECE = regex.compile(
    rf"\p{{N}}+(?:[.,/:\-]\p{{N}}+)*(?![{WORD_CHARS}]|['’]\p{{L}})"  # a number, date or
    # number/number ("10'p" is a word: no number runs on into letters past an apostrophe)
    rf"|[{WORD_CHARS}]+(?:['’?@&][{WORD_CHARS}]+)*[@&]?"  # a word (digits, ? @ & for letters:
    r"|\S")                                             # s& for sở), or a punctuation mark


def pieces(text: str) -> list[str]:
    """``text`` cut into numbers, words and single punctuation marks (spaces dropped)."""
    return _PIECE.findall(text)


HORN_MARKS = "’'"  # an English model's horn of ư and ơ, split off as an apostrophe


def ocr_pieces(text: str) -> list[str]:
    """OCR text cut into pieces as the decoder reads it: as ``pieces``, except that a ")"
    between two letters stays inside its word, and so does an apostrophe right after a u or
    an o. No correct word holds either; an English model leaves the one for part of a
    letter's mark, the other for the horn of ư and ơ ("tu’"). (The LM's own tokens keep
    ``pieces``.)"""
    out: list[str] = []
    ends: list[int] = []
    for match in _PIECE.finditer(text):
        piece = match[0]
        glued = bool(out) and ends[-1] == match.start()
        if len(out) > 1 and out[-1] == ")" and glued and ends[-2] + 1 == match.start() \
                and out[-2][-1].isalpha() and piece[0].isalpha():
            out[-2:] = [f"{out[-2]}){piece}"]
            ends[-2:] = [match.end()]
        elif glued and len(piece) == 1 and piece in HORN_MARKS and out[-1][-1] in "uoUO":
            out[-1] += piece
            ends[-1] = match.end()
        else:
            out.append(piece)
            ends.append(match.end())
    return out


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


class LanguageModel:
    """Backoff n-gram model over syllable ids; scores are log10 probabilities.

    Ids ``0 … V-1`` are the words (``words``); a state (``tables``' node) is a context the
    model holds, the state of a single word being its id. ``start`` is the state at the
    start of a text.
    """

    def __init__(self, order: int, words: list[str], tables: NgramLm, title: list[float],
                 case2: IntTable):
        self.order = order
        self.words = words
        self.ids = {w: i for i, w in enumerate(words)}
        self.unk = self.ids[UNK]
        self.start = self.ids[BOS]
        self.tables = tables  # for the compiled search
        self.uni = tables.unigrams.astype(np.float64).tolist()
        # log P(written with a capital | word), inside sentences: "Hội", "Khối" are names'
        # heads far more often than "hồi", "khỏi" — evidence the lower-cased LM cannot see.
        self.title = title
        # The same after a given word, where that says more: "tỉnh Lâm" is a name far more
        # often than "lâm" alone is. Packed key (v, w) for a Title-case w, (v, w) + CASE_LOWER
        # for a lower-case one → natural-log difference from ``title`` (or its complement).
        self.case2 = case2

    def id(self, token: str) -> int:
        """The id of an LM token (``<unk>`` when unknown)."""
        return self.ids.get(token, self.unk)

    def log10_prob(self, tokens: list[str], state: int | None = None) -> float:
        """log10 P(tokens | state), the state being the start of a text by default."""
        ids = np.array([self.id(t) for t in tokens], dtype=np.int64)
        return self.tables.sequence(self.start if state is None else state, ids)[0]

    def holds_pair(self, a: str, b: str) -> bool:
        """True when the model keeps the pair (a, b) as a context of its own: the two were
        seen side by side often enough to be followed by something ("hội viên"), not a
        pair met only by backing off ("ri hư")."""
        b_id = self.id(b)
        state = self.tables.sequence(self.id(a), np.array([b_id], dtype=np.int64))[1]
        return state != b_id

    def save(self, path: Path) -> None:
        """Write the model (``write_arrays``), byte for byte the same for the same model."""
        t = self.tables
        write_arrays(path, {
            "order": np.array([self.order], dtype=np.int64),
            "words": np.frombuffer("\n".join(self.words).encode("utf-8"), dtype=np.uint8),
            "slots": t.slots, "states": t.states, "uni": t.unigrams, "last": t.lasts,
            "title": np.array(self.title, dtype=np.float32),
            "case2_k": self.case2.keys, "case2_v": self.case2.values.astype(np.float32)})

    @classmethod
    def read(cls, path: Path) -> "LanguageModel":
        """Read a model written by ``save``."""
        z = read_arrays(path)
        case2 = IntTable(z["case2_k"], z["case2_v"])
        tables = NgramLm(z["slots"], z["states"], z["uni"], z["last"], case2)
        return cls(int(z["order"][0]), z["words"].tobytes().decode("utf-8").split("\n"),
                   tables, z["title"].astype(np.float64).tolist(), case2)


MAGIC = b"vn-report-extract arrays 1\n"


_READ_BYTES = 1 << 22  # compressed bytes inflated at a time


def write_arrays(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Named 1-d arrays as one LZ4-compressed file: a magic line, a JSON line of (name,
    numpy type description, length, offset), then the arrays' bytes, each at an offset of a
    multiple of 8. LZ4 inflates the 190 MB of arrays in about a quarter of a second (zip's
    deflate takes four times as long, Zstandard twice), and the arrays are used where they
    lie once inflated (no copy), which keeps the model's load under 1 s."""
    index, offset = [], 0
    for name, array in arrays.items():
        index.append([name, np.lib.format.dtype_to_descr(array.dtype), int(array.size),
                      offset])
        offset += -(-array.nbytes // 8) * 8
    head = MAGIC + json.dumps(index).encode() + b"\n"
    head += b" " * (-len(head) % 8)
    body = bytearray(head)
    for array in arrays.values():  # laid out at the offsets of ``index``
        body += np.ascontiguousarray(array).tobytes()
        body += b"\0" * (-len(body) % 8)
    partial = path.with_name(path.name + ".partial")  # a reader never sees half a model
    partial.write_bytes(lz4.frame.compress(bytes(body), compression_level=9))
    partial.replace(path)


def read_arrays(path: Path) -> dict[str, np.ndarray]:
    """The arrays of a file written by ``write_arrays`` (read-only views of its bytes);
    ValueError for a file that is not one. The file is inflated a few MB at a time into
    one buffer of the size its frame header gives, so that loading never holds the file
    and its inflated bytes at once (190 MB, not 300: ``repair``'s peak memory)."""
    with path.open("rb") as fh:
        size = lz4.frame.get_frame_info(fh.read(32))["content_size"]
        fh.seek(0)
        if not size:
            raise ValueError("the model file does not say its size")
        buffer, filled = bytearray(size), 0
        inflater = lz4.frame.LZ4FrameDecompressor()
        while chunk := fh.read(_READ_BYTES):
            part = inflater.decompress(chunk)
            if filled + len(part) > size:
                raise ValueError("the model file is longer than it says")
            buffer[filled:filled + len(part)] = part
            filled += len(part)
    if filled != size or not inflater.eof:
        raise ValueError("the model file is cut short")
    data = memoryview(buffer).toreadonly()
    if data[:len(MAGIC)] != MAGIC:
        raise ValueError("not a model file of this tool")
    end = buffer.index(b"\n", len(MAGIC)) + 1
    index = json.loads(bytes(data[len(MAGIC):end]))
    start = end + (-end % 8)
    out = {}
    for name, descr, size, at in index:
        dtype = np.lib.format.descr_to_dtype(
            [tuple(field) for field in descr] if isinstance(descr, list) else descr)
        out[name] = np.frombuffer(data, dtype=dtype, count=size, offset=start + at)
    return out


@functools.cache
def load() -> LanguageModel:
    """The model in ``models/``, loaded once per process."""
    return read_model(MODEL_PATH, "the language model", LanguageModel.read,
                      (OSError, KeyError, ValueError, RuntimeError))  # lz4: RuntimeError
