"""``cli.py ocr`` as a user runs it: text on stdout (pages split by form feeds), ``-o``,
and each bad input as one ``error:`` line on stderr with its documented exit code."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import img2pdf
import pytest
from PIL import Image, ImageDraw, ImageFont
from conftest import PAGE_LINES
from test_ingest import BAD_INPUTS, bad_inputs

from extract import synth
from extract.metrics import syllable_accuracy

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str | Path) -> subprocess.CompletedProcess:
    """``python cli.py ARGS`` from the checkout, captured as text."""
    return subprocess.run([sys.executable, "cli.py", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_ocr_text_file_prints_pages_split_by_form_feed(tmp_path):
    path = tmp_path / "archive.txt"
    path.write_text("Trang một\ndòng hai\fTrang hai\n", encoding="utf-8")
    result = run_cli("ocr", path, "--quiet")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Trang một\ndòng hai\fTrang hai\n"
    assert result.stderr == ""


def test_ocr_scanned_pdf_to_output_file(tmp_path, page_image):
    image = tmp_path / "page.png"
    page_image.save(image, dpi=(300, 300))
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(img2pdf.convert(str(image)))
    out = tmp_path / "out.txt"
    result = run_cli("ocr", pdf, "-o", out, "--workers", "1", "--lang", "vie")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert syllable_accuracy("\n".join(PAGE_LINES), out.read_text(encoding="utf-8")) >= 0.9


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_is_one_error_line_and_its_exit_code(tmp_path, page_image, case):
    path, error = bad_inputs(tmp_path, page_image)[case]
    result = run_cli("ocr", path, "--quiet")
    assert result.returncode == error.exit_code
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: "), result.stderr


def test_unknown_model_is_a_usage_error(tmp_path):
    image = tmp_path / "page.png"
    Image.new("L", (200, 100), 255).save(image)
    result = run_cli("ocr", image, "--lang", "vie+klingon")
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("error: klingon: ")


def _small_tiff(path: Path, pages: int) -> Path:
    """A multi-page TIFF of small one-line pages (quick to OCR)."""
    font = ImageFont.truetype(synth.font_file("DejaVu Sans"), 40)
    frames = []
    for number in range(1, pages + 1):
        frame = Image.new("L", (900, 120), 255)
        ImageDraw.Draw(frame).text((20, 30), f"Trang số {number} của báo cáo", font=font, fill=0)
        frames.append(frame)
    frames[0].save(path, "TIFF", save_all=True, append_images=frames[1:], dpi=(300, 300))
    return path


def test_progress_bar_on_stderr_unless_quiet(tmp_path):
    tiff = _small_tiff(tmp_path / "pages.tif", 3)
    shown = run_cli("ocr", tiff, "--workers", "2")
    assert shown.returncode == 0, shown.stderr
    assert "3/3" in shown.stderr
    assert [page.split()[2] for page in shown.stdout.split("\f")] == ["1", "2", "3"]
    quiet = run_cli("ocr", tiff, "--workers", "2", "--quiet")
    assert quiet.stderr == "" and quiet.stdout == shown.stdout


ENGLISH = ("The committee met on Tuesday to review the annual report of the association. "
           "Members discussed the budget, the new office building and the training plan for "
           "the coming year; the chairman thanked the volunteers for their work and asked "
           "every branch to send its figures before the end of the month.\n") * 2


def test_english_text_is_refused_as_not_vietnamese(tmp_path):
    path = tmp_path / "minutes.txt"
    path.write_text(ENGLISH, encoding="utf-8")
    for command in ("extract", "repair"):
        result = run_cli(command, path, *(["-q"] if command == "extract" else []))
        assert result.returncode == 9, (command, result.stderr)
        assert result.stdout == ""
        assert result.stderr.strip().splitlines() == [
            f"error: {path}: the text is not Vietnamese; nothing to extract"]


@pytest.mark.parametrize("text, vietnamese", [
    ("The quick brown fox jumps over the lazy dog.\nThis is a test of the report.\n", False),
    ("Dear Sir, please find attached the annual report of our association.\n", False),
    ("Hoi vien thi dua khen thuong nam 2020\n", True),
    ("Lién hiép cdc héi Khoa hoc va K¥ thudt tinh\n", True),
])
def test_a_short_text_is_judged_too(tmp_path, text, vietnamese):
    path = tmp_path / "short.txt"
    path.write_text(text, encoding="utf-8")
    result = run_cli("repair", path)
    if vietnamese:
        assert result.returncode == 0 and result.stdout.count("\n") == text.count("\n")
    else:
        assert result.returncode == 9 and result.stdout == ""
        assert result.stderr.strip().splitlines() == [
            f"error: {path}: the text is not Vietnamese; nothing to extract"]


def test_english_scan_is_refused_but_vietnamese_archive_ocr_is_not(tmp_path):
    words = ENGLISH.split()[:96]
    lines = [" ".join(words[i:i + 12]) for i in range(0, len(words), 12)]
    image = synth.render_page(lines, dpi=300)
    png = tmp_path / "english.png"
    image.save(png, dpi=(300, 300))
    result = run_cli("extract", png, "-q")
    assert result.returncode == 9, result.stderr
    archive = tmp_path / "archive.txt"  # English-model OCR of Vietnamese is still Vietnamese
    archive.write_text("Lién hiép cdc héi Khoa hoc va K¥ thudt tinh Bic Giang bdo cdo nhu sau "
                       "ve tong két phong trio thi dua, cong tic khen thuéng nim 2020 cua "
                       "cac t6 chirc hoi trong Khoi thi dua dat dugce nhu sau\n", encoding="utf-8")
    result = run_cli("extract", archive, "-q")
    assert result.returncode == 0, result.stderr


def test_blank_scan_is_an_empty_document(tmp_path):
    png = tmp_path / "blank.png"
    Image.new("L", (2480, 3508), 255).save(png, dpi=(300, 300))
    result = run_cli("extract", png, "-q")
    assert result.returncode == 7, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"error: {png}: no text found on any page (blank scan?)"]


def test_a_checkout_without_the_compiled_search_says_to_run_set_up():
    # the compiled module made unimportable, as in a checkout that was never set up
    code = ("import sys, importlib.abc\n"
            "class Missing(importlib.abc.MetaPathFinder):\n"
            "    def find_spec(self, name, path, target=None):\n"
            "        if name == 'extract.repair.kernels':\n"
            "            raise ModuleNotFoundError('no compiled module', name=name)\n"
            "sys.meta_path.insert(0, Missing())\n"
            "import cli\n"
            "sys.exit(cli.main(['repair', '-']))\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, input="Lien hiep",
                          capture_output=True, text=True)
    assert proc.returncode == 11
    assert proc.stderr.strip().splitlines() == [
        "error: the repair stage's compiled search is not built; run bash setup.sh "
        "(or pip install -e .) in the checkout"]
    assert proc.stdout == ""


def test_version_and_workers_that_cannot_be_are_refused_before_any_work(tmp_path):
    version = run_cli("--version")
    assert version.returncode == 0 and version.stdout.startswith("cli.py 0.")
    text = tmp_path / "report.txt"
    text.write_text("Báo cáo tổng kết\n", encoding="utf-8")
    for bad in ("0", "-2", "two"):
        result = run_cli("ocr", text, "--workers", bad)
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr.strip().splitlines()[-1].startswith(
            "cli.py ocr: error: argument --workers:"), result.stderr
    assert run_cli("ocr", text, "--workers", "1").returncode == 0


@pytest.mark.parametrize("command", ["ocr", "extract", "repair"])
def test_an_output_that_cannot_be_written_is_refused_before_any_work(tmp_path, command):
    text = tmp_path / "report.txt"
    text.write_text("Hoi vien thi dua\n", encoding="utf-8")
    before = text.read_bytes()
    for output, why in ((text, "is an input of this command"), (tmp_path, "is a folder"),
                        (tmp_path / "missing" / "out.txt", "folder that does not exist")):
        result = run_cli(command, text, "-o", output)
        assert result.returncode == 2 and result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"error: {output}: ") and why in lines[0]
    assert text.read_bytes() == before
    out = tmp_path / "out.txt"
    assert run_cli(command, text, "-o", out).returncode == 0 and out.stat().st_size > 0
    assert not list(tmp_path.glob(".*.partial"))


def test_a_file_name_with_control_characters_is_printed_on_one_visible_line(tmp_path):
    path = tmp_path / "evil\x1b[2J\nname.pdf"
    path.write_bytes(b"%PDF-1.4 truncated")
    result = run_cli("extract", path, "-q")
    assert result.returncode == 5, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "\x1b" not in result.stderr
    assert lines[0].startswith("error: ") and "evil\\x1b[2J\\nname.pdf" in lines[0]


def test_each_commands_help_lists_only_its_own_exit_codes():
    export = run_cli("export", "--help").stdout
    assert " 10  database error" in export
    assert "not Vietnamese" not in export and "encrypted" not in export
    ocr = run_cli("ocr", "--help").stdout
    assert "  9  text is not Vietnamese" in ocr and "database" not in ocr
    assert "batch: one or more documents failed" in run_cli("batch", "--help").stdout


def test_verbose_says_how_the_document_was_read_and_quiet_says_nothing(tmp_path):
    path = tmp_path / "archive.txt"
    path.write_text("Lién hiép cdc héi Khoa hoc va Ky thuat tinh Bic Giang\n"
                    "Bao cao tong ket cong tac thi dua khen thuong nam 2020 cua hoi\n",
                    encoding="utf-8")
    verbose = run_cli("extract", path, "-v")
    assert verbose.returncode == 0, verbose.stderr
    said = verbose.stderr.splitlines()
    assert said[0].startswith("extract: 1 page (text)")
    assert said[1].startswith("extract: text kind ") and " repaired, " in said[1]
    assert int(said[1].split(" words, ")[1].split(" repaired")[0]) >= 5  # Lién→Liên …
    assert run_cli("extract", path, "-q").stderr == ""


def test_vn_extract_console_script_is_installed_beside_cli_py(tmp_path):
    script = Path(sys.executable).with_name("vn-extract")
    assert script.exists(), "pip install -e . installs the vn-extract console script"
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True,
                            cwd=tmp_path)  # from anywhere, not only the checkout
    assert result.returncode == 0 and result.stdout.startswith("vn-extract ")


def test_closed_standard_streams_and_too_many_workers_are_one_line(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text("Hoi vien tich cuc\n", encoding="utf-8")
    for shell, expected in ((f"{sys.executable} cli.py repair - <&-", "standard input is closed"),
                            (f"{sys.executable} cli.py repair {path} >&-",
                             "standard output is closed")):
        result = subprocess.run(shell, shell=True, cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 2 and result.stderr.strip().count("\n") == 0
        assert expected in result.stderr and "Traceback" not in result.stderr
    many = run_cli("ocr", path, "--workers", "64")
    assert many.returncode == 0 and "more than the" in many.stderr
    assert many.stdout == "Hoi vien tich cuc\n"


def test_a_hard_killed_ocr_leaves_no_temporary_files_after_the_next_run(tmp_path, page_image):
    """Tesseract's page images live in a scratch folder named with the run's pid: removed
    when the run ends, and by the next run when kill -9 left it."""
    import glob
    import signal
    import time

    scan = tmp_path / "scan.pdf"
    scan.write_bytes(img2pdf.convert([_png(page_image)] * 4))
    env = {"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "cli.py", "ocr", str(scan), "-q"], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pattern = str(tmp_path / f"vnextract-{proc.pid}-*")
    deadline = time.monotonic() + 60
    while not glob.glob(pattern) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert glob.glob(pattern), "the run keeps its temporary files in its own folder"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert glob.glob(pattern)  # kill -9: nothing could remove it
    again = subprocess.run([sys.executable, "cli.py", "ocr", str(scan), "-q"], cwd=ROOT,
                           env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert glob.glob(str(tmp_path / "vnextract-*")) == []  # the killed run's, and its own


def _png(image) -> bytes:
    import io

    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(300, 300))
    return buffer.getvalue()


def test_output_to_a_device_writes_it_and_leaves_it_a_device(tmp_path):
    """``-o /dev/null`` (or any file that is not a regular one) is written to, not
    replaced by a renamed temporary file: /dev/null must stay the device."""
    import stat
    from extract.output import write_atomically

    write_atomically(Path("/dev/null"), "Hội có 12 chi hội\n")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert not (Path("/dev") / ".null.partial").exists()
