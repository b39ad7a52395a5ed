"""The language model as built (models/lm.lz4) and as trained (models/train_lm.py,
models/corpus.py): it ranks the genre's phrases above their garbled readings, a model built
from ARPA text round-trips byte for byte, the corpus is cleaned as documented, and a missing
or corrupt model file is one error line with exit code 11."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import lz4.frame

from extract.repair import lm as lm_module

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "models"))

import corpus  # noqa: E402
import train_lm  # noqa: E402


@pytest.fixture(scope="module")
def lm():
    return lm_module.load()


@pytest.mark.parametrize("right, wrong", [
    ("các hoạt động thi đua lập thành tích", "các hoạt động thì dưa lập thành tích"),
    ("hội thi toàn quốc", "hơi thì toàn quốc"),
    ("cuộc thi cấp huyện", "cuốc thì cấp huyện"),
    ("các hội cấp tỉnh", "các hội cấp tính"),
    ("phong trào thi đua yêu nước", "phòng trào thì dưa yêu nước"),
])
def test_genre_phrases_outscore_their_garbled_readings(lm, right, wrong):
    assert lm.log10_prob(right.split()) > lm.log10_prob(wrong.split()) + 1.0


def test_after_hoat_dong_thi_dua_is_likelier_than_thi_dua(lm):
    _, state = lm.tables.sequence(lm.start, _ids(lm, "các hoạt động"))
    assert lm.order == 4
    assert lm.log10_prob(["thi", "đua"], state) > lm.log10_prob(["thì", "dưa"], state) + 2.0
    # the state is a context the model holds: the same after the same last three words
    _, other = lm.tables.sequence(lm.start, _ids(lm, "năm nay các hoạt động"))
    assert other == state


def _ids(lm, text: str):
    import numpy as np

    return np.array([lm.id(t) for t in text.split()], dtype=np.int64)


ARPA = """\\data\\
ngram 1=6
ngram 2=4
ngram 3=2

\\1-grams:
-1.0\t<unk>\t0
-99\t<s>\t-0.5
-0.7\t</s>\t0
-0.9\thội\t-0.3
-1.2\tthi\t-0.2
-1.5\t<rare>\t-0.1

\\2-grams:
-0.4\t<s> hội\t-0.2
-0.3\thội thi\t-0.1
-0.6\tthi </s>
-0.8\thội <rare>

\\3-grams:
-0.1\t<s> hội thi
-0.2\thội thi </s>

\\end\\
"""


def test_a_model_from_arpa_text_scores_by_backoff_and_round_trips(tmp_path):
    arpa = tmp_path / "toy.arpa"
    arpa.write_text(ARPA, encoding="utf-8")
    words, grams = train_lm.read_arpa(arpa)
    assert "<unk>" in words and "<rare>" not in words  # the rare-word token is the <unk>
    title, case2 = train_lm.case_figures(words, {}, {}, {})
    model = lm_module.LanguageModel(3, words, train_lm.tables(words, grams, case2), title,
                                    case2)
    assert model.log10_prob(["hội", "thi"]) == pytest.approx(-0.4 - 0.1, abs=0.01)
    # from the state of "hội" alone: the bigram …
    assert model.log10_prob(["thi"], model.id("hội")) == pytest.approx(-0.3, abs=0.01)
    # … and an unseen bigram through the unigram: bow(thi) + P(hội)
    assert model.log10_prob(["hội"], model.id("thi")) == pytest.approx(-0.2 - 0.9, abs=0.01)
    assert model.log10_prob(["xyz"]) == model.log10_prob(["<unk>"])
    first, second = tmp_path / "a.lz4", tmp_path / "b.lz4"
    model.save(first)
    back = lm_module.LanguageModel.read(first)
    back.save(second)
    assert first.read_bytes() == second.read_bytes()
    assert back.words == model.words
    for text in ("hội thi", "thi hội thi", "hội xyz thi"):
        assert back.log10_prob(text.split()) == model.log10_prob(text.split())


def test_pdf_line_breaks_and_page_furniture_are_cleaned():
    raw = ["CÔNG BÁO/Số 851 + 852/Ngày 01-7-2025", "Điều 3. Mức đóng bảo hiểm được xác định",
           "theo tỷ lệ phần trăm của tiền lương.", "12", "Mục lục ........ 5",
           "Chương II", "", "Điều 4. Hiệu lực"]
    assert list(corpus._joined(iter(raw))) == [
        "Điều 3. Mức đóng bảo hiểm được xác định theo tỷ lệ phần trăm của tiền lương.",
        "Mục lục 5", "Chương II", "", "Điều 4. Hiệu lực"]


def test_tokens_are_lower_case_one_tone_placement_and_numbers_as_one():
    assert lm_module.lm_tokens("Hoà bình, thuỷ lợi năm 2020: 1.250 ha") == [
        "hòa", "bình", ",", "thủy", "lợi", "năm", "<num>", ":", "<num>", "ha"]


def _cli_with_model(path: Path) -> subprocess.CompletedProcess:
    code = ("import sys\nfrom pathlib import Path\nimport extract.repair.lm as lm\n"
            f"lm.MODEL_PATH = Path({str(path)!r})\nimport cli\n"
            "sys.exit(cli.main(['repair', '-']))\n")
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, input="Lien hiep cac hoi",
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("content", [None, b"", b"not a model at all",
                                     b"\x04\x22\x4d\x18" + b"\x00" * 40,
                                     lz4.frame.compress(b"an LZ4 file, not a model")])
def test_a_missing_or_corrupt_model_is_one_error_line(tmp_path, content):
    path = tmp_path / "lm.lz4"
    if content is not None:
        path.write_bytes(content)
    proc = _cli_with_model(path)
    assert proc.returncode == 11, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: the language model ")
    assert proc.stdout == ""
