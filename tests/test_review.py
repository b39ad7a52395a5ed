"""``cli.py review`` on a real batched database: every route over HTTP (Flask's client), bad
requests as 4xx pages, corrections stored and applied by ``export``, kept when a document is
extracted again; and the whole review in a real headless Chromium (Playwright driving
Debian's chromium): list, document with its scan and text, the bloc chart, a word and a
figure corrected. With REVIEW_SCREENSHOTS=DIR the browser test leaves its screenshots there
(the README's are made so)."""
from __future__ import annotations

import csv
import io
import os
import shutil
import threading
from pathlib import Path

import img2pdf
import pytest
from conftest import PAGE_LINES

from extract import synth
from extract.batch import convert
from extract.review import create_app
from extract.review.scans import Scans
from extract.store import Store, format_rows

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"  # Debian's, installed by bash setup.sh --test
REPORT = ["UBND TỈNH THÁI BÌNH", "HỘI NÔNG DÂN TỈNH", "Số: 12/BC-HND Thái Bình, ngày 15 tháng 12 năm 2021",
          "BÁO CÁO", "Tổng kết công tác thi đua, khen thưởng năm 2021", *PAGE_LINES]


@pytest.fixture(scope="module")
def batched(tmp_path_factory) -> tuple[Path, Path, Path]:
    """A database holding a scanned report (one page, OCR'd for real) and a text report of
    another year; (database, scan, its folder)."""
    folder = tmp_path_factory.mktemp("reports")
    page = synth.degrade(synth.render_page(REPORT), "bw200", seed=5)
    scan = folder / "hnd_2021.pdf"
    buffer = io.BytesIO()
    page.convert("1").save(buffer, "TIFF", compression="group4", dpi=(200, 200))
    scan.write_bytes(img2pdf.convert(buffer.getvalue()))
    text = folder / "hnd_2022.txt"  # the next year's report: other words, other figures
    text.write_text("\n".join(REPORT[:5]).replace("2021", "2022") + "\n"
                    "Năm 2022, Hội tiếp tục vận động nông dân thi đua sản xuất kinh doanh giỏi,\n"
                    "đoàn kết giúp nhau làm giàu; toàn tỉnh có 43.100 hội viên tại 2.400 chi hội.\n"
                    "Các cấp hội tổ chức 315 lớp tập huấn khoa học kỹ thuật cho 18.600 lượt người.\n"
                    "Quỹ Hỗ trợ nông dân đạt 92 tỷ đồng, cho vay 1.250 dự án chăn nuôi, trồng trọt.\n",
                    encoding="utf-8")
    db = folder / "bloc.db"
    with Store(str(db)) as store:
        tally = convert([scan, text], store, workers=2, progress=False)
    assert (tally.done, tally.failed) == (2, 0)
    return db, scan, folder


@pytest.fixture()
def client(batched, tmp_path):
    db = batched[0]
    app = create_app(str(db), scans=Scans(tmp_path / "cache"))
    app.testing = False  # errors as the user sees them, not raised into the test
    with app.test_client() as c:
        yield c
    app.extensions["vn_store"].close()


def _token(html: str) -> str:
    return html.split('name="token" value="', 1)[1].split('"', 1)[0]


def _ids(client) -> dict[str, int]:
    html = client.get("/").get_data(as_text=True)
    out = {}
    for part in html.split('href="/documents/')[1:]:
        doc_id, rest = part.split('"', 1)
        out[rest.split("<", 1)[0].lstrip(">")] = int(doc_id)
    return out


def test_list_search_and_sort(client):
    page = client.get("/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "hnd_2021.pdf" in html and "hnd_2022.txt" in html and "Hội Nông dân" in html
    assert "hnd_2022.txt" not in client.get("/?q=.pdf").get_data(as_text=True)
    newest_first = client.get("/?sort=year&desc=1").get_data(as_text=True)
    assert newest_first.index("hnd_2022.txt") < newest_first.index("hnd_2021.pdf")


def test_document_shows_scan_text_doubtful_words_and_figures(client):
    ids = _ids(client)
    html = client.get(f"/documents/{ids['hnd_2021.pdf']}").get_data(as_text=True)
    assert '<img src="/documents/' in html and "Page 1" in html
    assert "41.560" in html or "41560" in html
    assert 'class="box' in html  # word boxes over the scan
    assert 'class="figure-box"' in html and "hội viên" in html
    image = client.get(f"/documents/{ids['hnd_2021.pdf']}/pages/1.png")
    assert image.status_code == 200 and image.data[:8] == b"\x89PNG\r\n\x1a\n"
    text_doc = client.get(f"/documents/{ids['hnd_2022.txt']}").get_data(as_text=True)
    assert "<img" not in text_doc and "43.100" in text_doc


@pytest.mark.parametrize("url,code", [("/documents/9999", 404), ("/documents/abc", 404),
                                      ("/documents/1/pages/0.png", 404),
                                      ("/documents/1/pages/99.png", 404),
                                      ("/documents/..%2F..%2Fetc%2Fpasswd", 404),
                                      ("/static/..%2F..%2F..%2Fstore.py", 404),
                                      ("/nothing", 404)])
def test_bad_urls_are_4xx_pages(client, url, code):
    response = client.get(url)
    assert response.status_code == code
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and "<h1>" in body


def test_bad_forms_and_foreign_requests_are_refused(client):
    doc = _ids(client)["hnd_2021.pdf"]
    token = _token(client.get(f"/documents/{doc}").get_data(as_text=True))
    assert client.post(f"/documents/{doc}/words", data={"page": "1", "line": "6",
                                                        "position": "0", "text": "x"}
                       ).status_code == 403  # no token: not from this application
    cases = [{"page": "one", "line": "6", "position": "0", "text": "Hội"},
             {"page": "1", "line": "99", "position": "0", "text": "Hội"},
             {"page": "1", "line": "6", "position": "0", "text": ""},
             {"page": "1", "line": "6", "position": "0", "text": "a\x00b"},
             {"page": "1", "line": "6", "position": "0", "text": "x" * 5000}]
    for form in cases:
        response = client.post(f"/documents/{doc}/words", data={**form, "token": token})
        assert 400 <= response.status_code < 500, form
        assert "Traceback" not in response.get_data(as_text=True)
    bad_value = client.post(f"/documents/{doc}/figures", data={
        "token": token, "page": "1", "line": "7", "word_start": "0", "value": "nhiều",
        "was_value": "1", "measure": "x", "was_measure": "x"})
    assert bad_value.status_code == 400 and "not a number" in bad_value.get_data(as_text=True)
    assert client.get("/", headers={"Host": "attacker.example:8000"}).status_code == 400
    assert client.post(f"/documents/{doc + 100}/words", data={
        "token": token, "page": "1", "line": "1", "position": "0", "text": "x"}).status_code == 400


def test_a_moved_file_shows_its_text_without_the_scan(batched, tmp_path):
    db, scan, _folder = batched
    moved = scan.with_name("moved.pdf")
    shutil.move(scan, moved)
    try:
        app = create_app(str(db), scans=Scans(tmp_path / "cache"))
        with app.test_client() as c:
            doc = _ids(c)["hnd_2021.pdf"]
            html = c.get(f"/documents/{doc}").get_data(as_text=True)
            assert "has moved or changed" in html and "<img" not in html
            assert "Hội Liên hiệp" in html or "Liên hiệp" in html
            assert c.get(f"/documents/{doc}/pages/1.png").status_code == 404
        app.extensions["vn_store"].close()
    finally:
        shutil.move(moved, scan)


def _figure_form(html: str, measure: str) -> dict[str, str]:
    """The hidden fields of the figure row whose measure is ``measure``."""
    row = next(part for part in html.split('<tr class="figure')[1:]
               if f'name="measure" value="{measure}"' in part)
    fields = {}
    for chunk in row.split("<input")[1:]:
        if 'name="' in chunk and 'value="' in chunk:
            fields[chunk.split('name="', 1)[1].split('"', 1)[0]] = \
                chunk.split('value="', 1)[1].split('"', 1)[0]
    return fields


def test_corrections_are_applied_by_export_and_survive_a_new_extraction(batched, client):
    db, scan, _folder = batched
    doc = _ids(client)["hnd_2021.pdf"]
    html = client.get(f"/documents/{doc}").get_data(as_text=True)
    form = _figure_form(html, "hội viên")
    form["value"] = "41.650"
    done = client.post(f"/documents/{doc}/figures", data=form)
    assert done.status_code == 303
    word = client.post(f"/documents/{doc}/words", data={
        "token": form["token"], "page": "1", "line": "1", "position": "0", "text": "UBND"})
    assert word.status_code == 303
    assert "word corrected" in client.get(word.headers["Location"]).get_data(as_text=True)
    with Store(str(db), create=False) as store:
        rows = [r for r in store.figure_rows() if r["document"] == str(scan)]
        fixed = [r for r in rows if r["corrected"]]
        assert [(r["value"], r["measure"]) for r in fixed] == [(41650, "hội viên")]
        assert sum(r["corrected"] for r in store.figure_rows()) == 1
        exported = list(csv.DictReader(io.StringIO(format_rows(rows, "csv").lstrip("\ufeff"))))
        assert {r["corrected"] for r in exported} == {"True", "False"}
        # the same file batched again (same content): its corrections are still there
        store.write_record(*_extracted(scan))
        assert [(r["value"], r["measure"]) for r in store.figure_rows()
                if r["document"] == str(scan) and r["corrected"]] == [(41650, "hội viên")]


def _extracted(path: Path):
    from extract.pipeline import extract_record

    record = extract_record(path, workers=1, progress=False)
    return (record,)


def test_bloc_view_charts_a_measure_over_the_years(client):
    html = client.get("/bloc?measure=hội viên").get_data(as_text=True)
    assert "<svg" in html and "2021" in html and "2022" in html
    assert "<polyline" in html  # a unit's line across the two years
    assert client.get("/bloc?measure=nothing-like-this").status_code == 200


def test_review_in_a_real_browser(batched, tmp_path):
    """Chromium opens the list, a document (scan and text) and the bloc chart, corrects a
    word and a figure; the corrections come back through export."""
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    assert Path(CHROMIUM).exists(), "bash setup.sh --test installs Debian's chromium"
    db, scan, _folder = batched
    app = create_app(str(db), scans=Scans(tmp_path / "cache"))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    port = server.server_port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    # the README's screenshots: REVIEW_SCREENSHOTS=docs/screenshots pytest -k browser
    shots = Path(os.environ.get("REVIEW_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/")
            page.click("text=hnd_2021.pdf")
            page.wait_for_selector("img")
            assert page.evaluate("document.querySelector('img').naturalWidth") > 500
            assert "Hội Liên hiệp Phụ nữ" in page.inner_text(".text")
            page.screenshot(path=str(shots / "document.png"))
            page.goto(f"http://127.0.0.1:{port}/bloc?measure=hội viên")
            page.wait_for_selector("svg.chart")
            assert page.locator("svg.chart polyline").count() >= 1
            page.screenshot(path=str(shots / "bloc.png"))
            page.go_back()
            page.wait_for_selector("img")
            word = page.locator("button.word").nth(2)
            key = word.get_attribute("data-word")
            word.click()
            assert page.is_visible("#panel")
            page.fill("#panel-text", "CORRECTED")
            page.click("#word-form button:has-text('Correct')")
            page.wait_for_selector("text=word corrected")
            fixed = page.locator(f"button.word[data-word='{key}']")
            assert "corrected" in fixed.get_attribute("class") and fixed.inner_text() == "CORRECTED"
            row = page.locator("tr.figure", has=page.locator("input[value='hội viên']")).first
            row.locator("input[name=measure]").fill("thành viên")
            row.locator("button:has-text('Save')").click()
            page.wait_for_selector("text=figure corrected")
            browser.close()
    finally:
        server.shutdown()
        app.extensions["vn_store"].close()
    with Store(str(db), create=False) as store:
        rows = [r for r in store.figure_rows() if r["document"] == str(scan) and r["corrected"]]
        assert any(r["measure"] == "thành viên" for r in rows)
        from extract.reviewing import Review

        doc = next(r for r in Review(store).documents() if r.path == str(scan))
        words = [w.text for line in Review(store).document(doc.id).pages[0].lines for w in line]
        assert "CORRECTED" in words
