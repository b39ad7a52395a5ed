"""Repair table: raw input vs pyvi ``add_accents`` vs ours, on the samples nobody trained on
and on real archive OCR.

Three inputs per sample text (``samples/texts/<id>.txt``, TAB read as a space, is the
truth): (a) its English-model OCR ``samples/archive/<id>.txt`` (seed style), (b) the text
with its diacritics stripped, (c)-(e) the Vietnamese OCR of its scans
``samples/scans/<quality>/<id>.pdf`` at bw200, office and clean300 (cached in the temp dir
by file hash), each repaired as one document from its OCR'd pages (Tesseract's word
confidences included, as the pipeline repairs a scan) and scored page by page, with the number of
pages the repair made worse. Syllable accuracy and CER (``extract.metrics``) are pooled
over the samples. A row for the real archive seed
000 scores the whole file's repair on the 213 lines of ``../shared/dev/seed000_gold.tsv``
(lower-cased; skipped with a note where that file is absent). Repair speed is syllables
(words) per CPU second on one core, of the whole repair in a fresh process (cold, then warm
caches), on (a)+(b) and on the real archive seeds, with that process's peak memory; load
time in a fresh interpreter. Then the confidence tables (``extract.bench.confidence``).
"""
from __future__ import annotations

import csv
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from extract.bench import confidence
from extract.bench.samples import read_cached, truth_pages, truth_text
from extract.metrics import cer, syllable_accuracy, syllables
from extract.text import Page, nfc, strip_diacritics

ROOT = Path(__file__).resolve().parents[2]
# Real archive OCR with its ground truth (a development set kept outside the project)
SEED_GOLD = ROOT.parent / "shared" / "dev" / "seed000_gold.tsv"
SEED_TEXT = "000_40ab5f580a2dc66f.txt"



def pyvi_accents(text: str) -> str:
    """pyvi's ``ViUtils.add_accents`` line by line; a line it crashes on stays as it was."""
    from pyvi import ViUtils

    out = []
    for line in text.split("\n"):
        try:
            out.append(nfc(str(ViUtils.add_accents(line))))
        except Exception:  # pyvi fails on characters such as ¥: count the raw line
            out.append(line)
    return "\n".join(out)


# The OCR'd pages behind each scan's text: repaired as the pipeline repairs a scan, with
# Tesseract's word confidences (``extract.repair.ocrconf``), not as a bare text file.
_SCANNED: dict[str, list[Page]] = {}


def ours(text: str) -> str:
    """Our repair of ``text`` (of the pages it was read from, for a scan's text)."""
    from extract.repair import repair_pages, repair_text

    if text in _SCANNED:
        return "\f".join(page.text for page in repair_pages(_SCANNED[text]))
    return repair_text(text)


def vie_ocr(pdf: Path) -> str:
    """Tesseract ``vie`` text of a scanned PDF, pages joined by form feeds (cached)."""
    _, pages, _ = read_cached(pdf)
    text = "\f".join(page.text for page in pages)
    _SCANNED[text] = pages
    return text


def _pooled(pairs: list[tuple[str, str]]) -> tuple[float, float]:
    """Syllable accuracy and CER over several (truth, hypothesis) pairs, weighted by size."""
    n_syl = sum(len(syllables(t)) for t, _ in pairs) or 1
    n_chr = sum(len(" ".join(t.split())) for t, _ in pairs) or 1
    acc = sum(syllable_accuracy(t, h) * len(syllables(t)) for t, h in pairs) / n_syl
    err = sum(cer(t, h) * len(" ".join(t.split())) for t, h in pairs) / n_chr
    return acc, err


# Vietnamese OCR of these scan qualities is repaired and scored page by page
VIE_QUALITIES = ("bw200", "office", "clean300")


def _inputs(samples: Path, ids: list[str], quick: bool
            ) -> dict[str, list[tuple[str, str]]]:
    """(truth, input) pairs per input kind; a kind whose files are missing has none. The
    Vietnamese OCR of a scan is one document (pages split by form feeds) whose truth is
    its pages likewise."""
    sets: dict[str, list[tuple[str, str]]] = {"eng": [], "stripped": [],
                                              **{q: [] for q in VIE_QUALITIES}}
    for doc in ids:
        truth = truth_text(samples / "texts" / f"{doc}.txt")
        archive = samples / "archive" / f"{doc}.txt"
        if archive.exists():
            sets["eng"].append((truth, nfc(archive.read_text(encoding="utf-8"))))
        sets["stripped"].append((truth, strip_diacritics(truth)))
        for quality in VIE_QUALITIES:
            scan = samples / "scans" / quality / f"{doc}.pdf"
            if scan.exists() and not quick:
                print(f"bench repair: vie OCR of {quality}/{scan.name} …", file=sys.stderr)
                pages = "\f".join(truth_pages(samples / "texts" / f"{doc}.txt"))
                sets[quality].append((pages, vie_ocr(scan)))
    return sets


def _pages(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Documents of (truth, text) split into their pages' pairs (at form feeds)."""
    return [page for truth, text in pairs for page in zip(truth.split("\f"),
                                                          text.split("\f"))]


def _speed(texts: list[str]) -> tuple[float, float, float]:
    """Syllables per CPU second of the whole repair of ``texts`` (kind detection, decoding,
    the document-adapted second pass), in a fresh interpreter once the models are loaded:
    cold caches, then warm; and the process's peak resident memory in MB.

    CPU time, not wall time: the figure is per core, and stays honest on a busy machine.
    """
    out = subprocess.run([sys.executable, "-c", "from extract.bench.repair import "
                          "timed_repair; timed_repair()"], input=json.dumps(texts),
                         capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2])
    cold, warm, peak = json.loads(out.stdout)
    return cold, warm, peak


def timed_repair() -> None:
    """The child process of ``_speed``: texts as JSON on stdin, [cold, warm, peak MB] on
    stdout."""
    import resource

    from extract.repair import engine, repair_pages, text_pages

    texts = json.loads(sys.stdin.read())
    engine()
    rates = []
    for _ in range(2):
        n = 0
        start = time.process_time()
        for text in texts:
            pages = text_pages(text)
            n += sum(len(line.words) for page in pages for line in page.lines)
            repair_pages(pages)
        rates.append(n / max(time.process_time() - start, 1e-9))
    print(json.dumps(rates + [resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024]))


def _load_seconds() -> float:
    """Seconds to import the repair stage and load its models in a fresh interpreter."""
    code = ("import time; t = time.perf_counter(); from extract.repair import engine; "
            "engine(); print(time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[2], check=True)
    return float(out.stdout.strip())


def run(samples: Path, quick: bool) -> str:
    """The repair table as text."""
    ids = sorted(p.stem for p in (samples / "texts").glob("*.txt"))
    if quick:
        ids = ids[:1]
    if not ids:
        return "repair: no sample texts in " + str(samples / "texts")
    sets = _inputs(samples, ids, quick)
    systems: list[tuple[str, Callable[[str], str]]] = [
        ("raw", lambda t: t), ("pyvi add_accents", pyvi_accents), ("ours", ours)]
    labels = {"eng": "(a) eng OCR (archive)", "stripped": "(b) diacritics stripped",
              "bw200": "(c) vie OCR bw200", "office": "(d) vie OCR office",
              "clean300": "(e) vie OCR clean300"}
    rows = [f"Repair — syllable accuracy / CER on {len(ids)} sample(s): {', '.join(ids)}",
            f"{'input':<26}{'syllables':>10}" + "".join(f"{name:>26}" for name, _ in systems)]
    for kind, pairs in sets.items():
        if not pairs:
            rows.append(f"{labels[kind]:<26}{'—':>10}   (inputs missing or skipped)")
            continue
        n = sum(len(syllables(t)) for t, _ in pairs)
        cells = []
        outputs = {}
        for name, fn in systems:
            outputs[name] = [(t, fn(x)) for t, x in pairs]
            acc, err = _pooled(_pages(outputs[name]) if kind in VIE_QUALITIES
                               else outputs[name])
            cells.append(f"{acc * 100:8.2f} % / {err * 100:6.2f} %")
        rows.append(f"{labels[kind]:<26}{n:>10}" + "".join(f"{c:>26}" for c in cells))
        if kind in VIE_QUALITIES:
            before, after = _pages(outputs["raw"]), _pages(outputs["ours"])
            lowered = sum(syllable_accuracy(t, a) < syllable_accuracy(t, b) - 1e-9
                          for (t, b), (_, a) in zip(before, after))
            rows.append(f"{'':<26}{'':>10}   repair lowers {lowered} of {len(before)} pages")
    rows.append(_seed_row(samples / "seeds" / SEED_TEXT, systems))
    timed = [x for kind in ("eng", "stripped") for _, x in sets[kind]]
    cold, warm, _ = _speed(timed)
    rows.append(f"speed (one core, CPU time, (a)+(b)): {cold:,.0f} syllables/s with cold "
                f"caches, {warm:,.0f} warm; model load {_load_seconds():.2f} s")
    seeds = sorted((samples / "seeds").glob("*.txt"))
    if seeds:
        cold, warm, peak = _speed([nfc(p.read_text(encoding="utf-8")) for p in seeds])
        rows.append(f"speed on the real archive text in {samples / 'seeds'} ({len(seeds)} "
                    f"files): {cold:,.0f} syllables/s cold, {warm:,.0f} warm; peak memory "
                    f"{peak:,.0f} MB")
    if not quick:
        seed = samples / "seeds" / SEED_TEXT
        found = (nfc(seed.read_text(encoding="utf-8")), seed_lines()) \
            if SEED_GOLD.exists() and seed.exists() else None
        rows += ["", confidence.run(found)]
    return "\n".join(rows)


def seed_lines(gold: Path = SEED_GOLD) -> list[tuple[int, str]]:
    """(0-based line number in the seed file, gold text) of every line the gold file gives."""
    with gold.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [(int(r["line"]) - 1, nfc(r["gold"])) for r in rows]


def seed_accuracy(gold: list[tuple[int, str]], text: str) -> float:
    """Syllable accuracy of the lines of ``text`` that ``gold`` gives, lower-cased."""
    lines = text.split("\n")
    pairs = [(truth.lower(), lines[i].lower() if i < len(lines) else "") for i, truth in gold]
    return _pooled(pairs)[0]


def _seed_row(seed: Path, systems: list[tuple[str, Callable[[str], str]]]) -> str:
    """The row of the real archive seed scored against its ground truth (``SEED_GOLD``),
    each system repairing the whole file; a note where either file is absent."""
    label = "real archive OCR, seed 000"
    if not (SEED_GOLD.exists() and seed.exists()):
        return f"{label:<26}{'—':>10}   (skipped: {SEED_GOLD} not found)"
    gold = seed_lines()
    text = nfc(seed.read_text(encoding="utf-8"))
    n = sum(len(syllables(t)) for _, t in gold)
    cells = [f"{seed_accuracy(gold, fn(text)) * 100:8.2f} % (lower)" for _, fn in systems]
    return f"{label:<26}{n:>10}" + "".join(f"{c:>26}" for c in cells)
