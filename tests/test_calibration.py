"""Word confidences (extract/repair/calibration.py) on held-out pages read by the real
Tesseract (models/data/calibration/pages.jsonl.gz, the measuring half): they are
probabilities (calibration error within 0.03), they rank wrong words lower than right
ones, the doubtful flag catches most wrong words while marking few, and a corrupt
calibration file (or OCR confidence table) is one error line with exit code 11."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import regex

from extract.bench import confidence
from extract.repair.calibration import Evidence, load

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def measuring_pages():
    return [p for p in confidence.read_pages() if p["page"] % 2 == 1][:12]


@pytest.mark.parametrize("kind", ["eng", "stripped"])
def test_confidences_are_probabilities_on_held_out_pages(measuring_pages, kind):
    words = confidence.words_of(measuring_pages, kind)
    m = confidence.measures(words)
    assert m["words"] > 5000
    assert m["ece"] <= 0.03, confidence.reliability(words, kind)
    # the doubtful flag marks few words and most of the wrong ones
    assert m["flagged"] <= 0.06 and m["caught"] >= 0.6, confidence.reliability(words, kind)
    right = [w.confidence for w in words if w.right]
    wrong = [w.confidence for w in words if not w.right]
    assert sum(wrong) / len(wrong) < sum(right) / len(right) - 0.1
    # the words carry their repaired text: the page's accuracy rises from its input's
    line = confidence.accuracy(measuring_pages, kind, words)
    before, after = (float(x) for x in regex.findall(r"([\d.]+) %", line))
    assert before < 30 and after > 97, line


def test_confidence_grows_with_the_posterior_and_falls_for_a_kept_garbled_word():
    calibration = load()
    low, high = (calibration("eng", Evidence(p, True, False, False, -1.0)) for p in (0.4, 0.95))
    assert 0.0 < low < high < 1.0
    kept = calibration("eng", Evidence(0.95, False, True, False, 0.0))
    assert kept < calibration("eng", Evidence(0.95, False, False, False, 0.0))


@pytest.mark.parametrize("module,name,content,message", [
    ("calibration", "CALIBRATION_FILE", '{"features": ["logit"], "kinds": {}}',
     "the confidence calibration"),
    ("ocrconf", "OCR_CONFIDENCE_FILE", '{"bins": 10, "shifts": [1, 2]}',
     "the OCR confidence table")])
def test_a_corrupt_confidence_file_is_one_error_line(tmp_path, module, name, content, message):
    path = tmp_path / "model.json"
    path.write_text(content, encoding="utf-8")
    code = (f"import sys\nfrom pathlib import Path\nimport extract.repair.{module} as c\n"
            f"c.{name} = Path({str(path)!r})\nimport cli\n"
            "sys.exit(cli.main(['repair', '-']))\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, input="Lien hiep cac hoi",
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 11, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: {message}")
