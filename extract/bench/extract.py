"""``cli.py bench`` extraction table: records against the samples' ground truth, and the seeds.

For each sample with ground truth (``samples/truth/<id>.json``) it scores the records from
the ground-truth text itself (parse only: the parser's ceiling), from the archive-style OCR
text ``samples/archive/<id>.txt`` and from each scan quality ``samples/scans/<quality>/<id>.pdf``,
the last two end to end (ingest → OCR → repair → parse). Units and sections found, figure
precision / recall / F1 under the matching rule of docs/records.md, number / date / place
right, the name fields right (issuer, type, title), the bloc right (member count, head,
deputy head), and seconds per document. OCR output is cached by file hash in a temporary folder so
a re-run measures the parser, not Tesseract again (the seconds shown then are the first
run's OCR time plus this run's repair and parse). Seed 000, real archive OCR, is scored
the same way against its ground-truth records (``../shared/dev/seed000_records.json``:
measured, never learned from). The seeds show units and groups found, and how many of their
figures rank below 0.5 confidence.
"""
from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

from extract.parse import parse
from extract.parse.header import DOC_TYPES
from extract.parse.units import name_key
from extract.records import Record, Source
from extract.bench.samples import read_cached, truth_pages
from extract.text import Page, fold

ROOT = Path(__file__).resolve().parents[2]
# Real archive OCR with its ground-truth records (a development set kept outside the project)
SEED_RECORDS = ROOT.parent / "shared" / "dev" / "seed000_records.json"
SEED_TEXT = "000_40ab5f580a2dc66f.txt"
# Two unit names are the same unit when their keys match at least this well (0–100).
SAME_UNIT = 90
# Seed figures under this confidence are counted apart: the ones a user filtering would drop.
LOW_CONFIDENCE = 0.5


@dataclass
class Score:
    """How one predicted record compares with its ground truth."""

    units_found: int
    units_true: int
    sections_found: int
    sections_true: int
    figures_matched: int
    figures_predicted: int
    figures_true: int
    number_ok: bool
    date_ok: bool
    place_ok: bool
    named_ok: bool  # issuer, type and title
    bloc_ok: bool   # member count, head and deputy head

    @property
    def precision(self) -> float:
        return self.figures_matched / self.figures_predicted if self.figures_predicted else 0.0

    @property
    def recall(self) -> float:
        return self.figures_matched / self.figures_true if self.figures_true else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def same_unit(a: str | None, b: str | None) -> bool:
    """True when two unit names (or two top-level markers, None) name the same unit."""
    if a is None or b is None:
        return a is b
    return fuzz.ratio(name_key(a), name_key(b)) >= SAME_UNIT


def score(predicted: dict, truth: dict) -> Score:
    """Compare a predicted record with the ground truth (both as ``Record.to_dict`` gives)."""
    true_units = [u["name"] for u in truth["units"]]
    found_units = sum(any(same_unit(t, u["name"]) for u in predicted["units"]) for t in true_units)
    pending = list(predicted["sections"])
    sections_found = 0
    for s in truth["sections"]:
        for k, p in enumerate(pending):
            if p["number"] == s["number"] and fuzz.ratio(fold(p["title"]), fold(s["title"])) >= 80:
                sections_found += 1
                del pending[k]
                break
    true_figs = _figures(truth)
    pred_figs = _figures(predicted)
    matched = 0
    used = [False] * len(true_figs)
    for unit, fig in pred_figs:
        for k, (t_unit, t_fig) in enumerate(true_figs):
            if not used[k] and same_unit(unit, t_unit) and _same_figure(fig, t_fig):
                used[k] = True
                matched += 1
                break
    doc, true_doc = predicted["document"], truth["document"]
    bloc, true_bloc = predicted.get("bloc") or {}, truth.get("bloc") or {}
    return Score(found_units, len(true_units), sections_found, len(truth["sections"]), matched,
                 len(pred_figs), len(true_figs), doc["number"] == true_doc["number"],
                 doc["date"] == true_doc["date"], doc["place"] == true_doc["place"],
                 doc["issuer"] == true_doc["issuer"] and
                 ("doc_type" not in true_doc or doc.get("doc_type") == true_doc["doc_type"]) and
                 _title_key(doc) == _title_key(true_doc),
                 all(bloc.get(k) == true_bloc.get(k)
                     for k in ("member_count", "head", "deputy_head")))


def _title_key(doc: dict) -> str:
    """A document's title to compare: lower case, after its type where a record without a
    ``doc_type`` writes the type into the title (the seed's: "Báo cáo tổng kết …")."""
    title = (doc.get("title") or "").lower()
    if "doc_type" not in doc:
        title = next((title[len(t):].strip() for t in map(str.lower, DOC_TYPES.values())
                      if title.startswith(t + " ")), title)
    return title


def _figures(record: dict) -> list[tuple[str | None, dict]]:
    """(unit name or None for top level, figure) for every figure of a record."""
    out: list[tuple[str | None, dict]] = [(u["name"], f) for u in record["units"]
                                          for f in u["figures"]]
    return out + [(None, f) for f in record["figures"]]


def _same_figure(a: dict, b: dict) -> bool:
    """Same value, and measures that share their first syllable (docs/records.md)."""
    first = [(m.split() or [""])[0].lower() for m in (a["measure"], b["measure"])]
    return abs(float(a["value"]) - float(b["value"])) < 1e-9 and first[0] == first[1]


def text_pages(path: Path) -> list[Page]:
    """The pages of a ground-truth text, as the parser sees them."""
    return [Page.from_text(n, text, "text") for n, text in enumerate(truth_pages(path), start=1)]


def extract_cached(path: Path) -> tuple[Record, float]:
    """``extract_record`` with the OCR output cached; (record, seconds)."""
    from extract.repair import repair_pages

    source, pages, ocr_seconds = read_cached(path)
    start = time.perf_counter()
    record = parse(repair_pages(pages), source)
    return record, ocr_seconds + time.perf_counter() - start


def _inputs(samples: Path, sample: str, quick: bool) -> list[tuple[str, Path]]:
    """(label, path) of every input of one sample the table scores end to end."""
    out = []
    archive = samples / "archive" / f"{sample}.txt"
    if archive.exists():
        out.append(("archive", archive))
    scans = samples / "scans"
    qualities = sorted(p.name for p in scans.iterdir() if p.is_dir()) if scans.is_dir() else []
    for quality in qualities:
        if quick and quality != "bw200":
            continue
        pdf = scans / quality / f"{sample}.pdf"
        if pdf.exists():
            out.append((quality, pdf))
    return out


def seed_truth(path: Path = SEED_RECORDS) -> dict:
    """The seed's ground-truth records in ``Record.to_dict``'s shape: figures' ``unit`` is
    the contract's ``measure``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for unit in data["units"]:
        unit["figures"] = [{**f, "measure": f["unit"]} for f in unit["figures"]]
    data.setdefault("figures", [])
    return data


def _row(sample: str, label: str, s: Score, seconds: float) -> str:
    yes = {True: "yes", False: "no"}
    return (f"{sample:<26} {label:<16} {s.units_found:>3}/{s.units_true:<3} "
            f"{s.sections_found:>3}/{s.sections_true:<3} {s.precision:5.2f} {s.recall:5.2f} "
            f"{s.f1:5.2f}  {yes[s.number_ok]:>3} {yes[s.date_ok]:>3} {yes[s.place_ok]:>3} "
            f"{yes[s.named_ok]:>4} {yes[s.bloc_ok]:>4} {seconds:7.1f}")


def run(samples: Path, quick: bool) -> str:
    """The extraction table as text."""
    out = ["extraction: records against ground truth (figures matched per docs/records.md)",
           f"{'sample':<26} {'input':<16} {'units':>7} {'sects':>7} {'prec':>5} {'rec':>5} "
           f"{'F1':>5}  num date place name bloc {'s/doc':>7}"]
    truth_dir = samples / "truth"
    for truth_path in sorted(truth_dir.glob("*.json")):
        sample = truth_path.stem
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        text = samples / "texts" / f"{sample}.txt"
        if text.exists():
            start = time.perf_counter()
            record = parse(text_pages(text), Source(str(text), "", "text", 0, "text"))
            out.append(_row(sample, "truth text", score(record.to_dict(), truth),
                            time.perf_counter() - start))
        for label, path in _inputs(samples, sample, quick):
            print(f"bench extract: {sample} {label}", file=sys.stderr)
            record, seconds = extract_cached(path)
            out.append(_row(sample, label, score(record.to_dict(), truth), seconds))
    seeds = samples / "seeds"
    seed = seeds / SEED_TEXT
    if SEED_RECORDS.exists() and seed.exists():
        record, seconds = extract_cached(seed)
        out.append(_row("seed 000 (real archive)", "eng OCR", score(record.to_dict(),
                                                                   seed_truth()), seconds))
    else:
        out.append(f"seed 000 (real archive): skipped, {SEED_RECORDS} not found")
    if seeds.is_dir():
        out.append("")
        out.append("seeds (English-model OCR of real reports): units and groups found")
        for seed in sorted(seeds.glob("*.txt")):
            record, seconds = extract_cached(seed)
            members = sum(len(g.members) for g in record.bloc.groups)
            figures = record.figures + [f for u in record.units for f in u.figures]
            low = sum(f.confidence < LOW_CONFIDENCE for f in figures)
            out.append(f"{seed.name:<30} units {len(record.units):>3}  groups "
                       f"{len(record.bloc.groups)} ({members} members)  figures "
                       f"{sum(len(u.figures) for u in record.units)}+{len(record.figures)} "
                       f"({low} below {LOW_CONFIDENCE})  {seconds:6.1f} s")
    return "\n".join(out) + "\n"
