"""The parser on real inputs: the samples' texts and a scan against their ground truth, the two
real archive OCR seeds, and one targeted case per rule (header columns, garbled numbering,
number formats, non-figures, both kinds of report)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract.bench.extract import score, text_pages
from extract.parse import parse
from extract.parse.numbers import parse_number
from extract.parse.words import unglued
from extract.records import Source
from extract.text import Line, Page, Word

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SEEDS = SAMPLES / "seeds"
TRUTHS = sorted((SAMPLES / "truth").glob("*.json"))


def _parse_text(text: str, confidence: float = 1.0):
    pages = [Page.from_text(n, t, "text", confidence)
             for n, t in enumerate(text.split("\f"), start=1)]
    return parse(pages, Source("test.txt", "", "text", len(pages), "text"))


def _seed(prefix: str) -> Path:
    found = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not found:
        pytest.skip("the archive seeds are not on this machine")
    return found[0]


@pytest.mark.parametrize("truth_path", TRUTHS, ids=[p.stem for p in TRUTHS])
def test_sample_text_against_truth(truth_path: Path) -> None:
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    pages = text_pages(SAMPLES / "texts" / f"{truth_path.stem}.txt")
    record = parse(pages, Source("x", "", "text", len(pages), "text")).to_dict()
    s = score(record, truth)
    assert s.units_found == s.units_true and len(record["units"]) == s.units_true
    assert s.sections_found == s.sections_true == len(record["sections"])
    assert s.f1 >= 0.98
    assert record["document"] == truth["document"]
    assert record["bloc"] == truth["bloc"]
    for unit in record["units"]:
        for figure in unit["figures"]:
            line = record["pages"][figure["page"] - 1]["text"].split("\n")[figure["line"] - 1]
            assert figure["text"] in line


def test_scanned_sample_end_to_end() -> None:
    """A 200 dpi black-and-white scan through ingest, Tesseract, repair and parse."""
    from extract.pipeline import extract_record

    sample = "nghean_2019_khoi_hoi"
    pdf = SAMPLES / "scans" / "bw200" / f"{sample}.pdf"
    truth = json.loads((SAMPLES / "truth" / f"{sample}.json").read_text(encoding="utf-8"))
    record = extract_record(pdf, workers=1, progress=False).to_dict()
    s = score(record, truth)
    assert s.units_found == s.units_true
    assert s.sections_found >= 0.95 * s.sections_true
    assert s.f1 >= 0.9
    assert s.number_ok and s.date_ok and s.place_ok
    assert all(0 < f["confidence"] <= 1 for u in record["units"] for f in u["figures"])


def test_seed_bloc_summary_units_and_groups() -> None:
    """Seed 002 as the English model read it, unrepaired: 18 member units, 4 groups."""
    record = _parse_text(_seed("002").read_text(encoding="utf-8"))
    assert len(record.units) == 18
    assert len({u.name for u in record.units}) == 18
    assert [g.number for g in record.bloc.groups] == [1, 2, 3, 4]
    assert sum(len(g.members) for g in record.bloc.groups) == 18
    assert {m for g in record.bloc.groups for m in g.members} == {u.name for u in record.units}
    assert record.bloc.member_count == 18
    assert record.bloc.head == "Liên hiệp các hội Khoa học và Kỹ thuật"
    assert record.bloc.deputy_head == "Hội Nạn nhân chất độc da cam/dioxin"
    assert all(u.figures for u in record.units)


def test_seed_member_submission_is_one_unit() -> None:
    """Seed 000 is the Liên hiệp hội's own report: one unit, the issuer, holding the figures."""
    record = _parse_text(_seed("000").read_text(encoding="utf-8"))
    assert [u.name for u in record.units] == ["Liên hiệp các hội Khoa học và Kỹ thuật"]
    assert record.document.issuer.startswith("Liên hiệp các hội Khoa học và Kỹ thuật tỉnh B")
    assert record.document.number is None  # "Sé: % +6/BC-LHH=": its number unreadable
    assert record.units[0].section is None
    assert len(record.units[0].figures) >= 20 and record.figures == []
    # "1. PAC PIEM" (I misread as 1) and "I1." (II) are the parts the numbering requires.
    parts = [s.number for s in record.sections if s.level == 1]
    assert len(parts) == 5 and parts[1:4] == ["I", "II", "III"]


def test_interleaved_header_columns() -> None:
    record = _parse_text(
        "ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "HỘI NÔNG DÂN Độc lập - Tự do - Hạnh phúc\n"
        "Số: 112/BC-HND Hà Tĩnh, ngày 3 tháng 1 năm 2025\n"
        "BÁO CÁO\n"
        "Tổng kết công tác thi đua, khen thưởng\n"
        "năm 2024\n"
        "Hội có 12.500 hội viên.")
    doc = record.document
    assert doc.issuer == "Hội Nông dân tỉnh Hà Tĩnh"
    assert (doc.number, doc.place, doc.date) == ("112/BC-HND", "Hà Tĩnh", "2025-01-03")
    assert doc.doc_type == "BÁO CÁO"
    assert doc.title == "Tổng kết công tác thi đua, khen thưởng năm 2024"
    assert doc.year == 2024  # the year reported on, not the year of the date
    assert [u.name for u in record.units] == ["Hội Nông dân"]


def test_a_mass_bodys_header_its_organ_and_its_number_first_style() -> None:
    """A mass body writes its organ under its name ("BAN THƯỜNG VỤ") and its number type
    code first ("Số: 27-BC/HCCB"): the body is the issuer, the number is read whole; a
    type line among specks is still the type, and a number line that does not read ends
    the issuer all the same (lines written here)."""
    record = _parse_text(
        "HỘI CỰU CHIẾN BINH TỈNH QUẢNG BÌNH. CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "BAN THƯỜNG VỤ Độc lập - Tự do - Hạnh phúc\n"
        "Số: 27-BC/HCCB Quảng Bình, ngày 8 tháng 12 năm 2023\n"
        "- BÁO CÁO | |\n"
        "Tổng kết phong trào thi đua năm 2023\n"
        "Hội có 9.400 hội viên.")
    doc = record.document
    assert (doc.issuer, doc.number, doc.doc_type) == (
        "Hội Cựu chiến binh tỉnh Quảng Bình", "27-BC/HCCB", "BÁO CÁO")
    assert doc.title == "Tổng kết phong trào thi đua năm 2023"
    unread = _parse_text(
        "HỘI CỰU CHIẾN BINH TỈNH QUẢNG BÌNH\nSố: +7/BC-HCCB\nBẢO CẢO ..\n"
        "Tổng kết năm 2023\nHội có 9.400 hội viên.").document
    assert (unread.issuer, unread.number) == ("Hội Cựu chiến binh tỉnh Quảng Bình", None)


def test_a_groups_leader_marked_through_a_speck() -> None:
    """"(trưởng nhóm)" with a speck inside and its bracket lost still marks the leader and
    leaves the member's name clean (lines written here)."""
    record = _parse_text(
        "CỤM THI ĐUA CÁC TỔ CHỨC\nBÁO CÁO\nTổng kết năm 2023\nI. KHÁI QUÁT\n"
        "- Nhóm 1 gồm 2 đơn vị: Hội Nông dân tỉnh (trưởng nhóm), Hội Cựu chiến binh tỉnh.\n"
        "- Nhóm 2 gồm 2 đơn vị: Tỉnh Đoàn (trưởng. nhóm, Liên đoàn Lao động tỉnh.")
    assert [(g.number, g.leader, g.members) for g in record.bloc.groups] == [
        (1, "Hội Nông dân", ["Hội Nông dân", "Hội Cựu chiến binh"]),
        (2, "Tỉnh Đoàn", ["Tỉnh Đoàn", "Liên đoàn Lao động"])]


def test_groups_listed_inside_a_sentence() -> None:
    """"Khối chia thành 2 nhóm: Nhóm I: A, B; Nhóm 2: C, D." gives both groups (a Roman
    group number too), a list wrapping onto the next line included (lines written here)."""
    record = _parse_text(
        "KHỐI THI ĐUA CÁC HỘI\nBÁO CÁO\nTổng kết năm 2025\nI. KHÁI QUÁT\n"
        "Khối có 4 đơn vị. Khối chia thành 2 nhóm: Nhóm I: Hội Nông dân tỉnh, Hội\n"
        "Luật gia tỉnh; Nhóm 2: Hội Nhà báo tỉnh, Hội Đông y tỉnh.")
    assert [(g.number, g.members) for g in record.bloc.groups] == [
        (1, ["Hội Nông dân", "Hội Luật gia"]), (2, ["Hội Nhà báo", "Hội Đông y"])]


def test_a_table_of_figures_gives_each_cell_its_columns_measure() -> None:
    """A table (as a text file gives it, cells apart by TABs, and as a tight scan gives it,
    a cell's words run together): each row's numbers are figures measured by their
    columns' labels; the row number and the name are no figures, a row is no heading, and
    the table ends where a line is no row of it (lines written here)."""
    for header, row in [("STT\tĐơn vị\tSố hội viên\tTổng số chi hội", "1\tHội Nông dân tỉnh\t"),
                        ("STT Đơnvị Sốhộiviên Tổng sốchi hội", "1 .Hội Nôngdân tỉnh ")]:
        record = _parse_text(
            "UBND TỈNH PHÚYÊN\nKHỐI THI ĐUA CÁC HỘI\nSố: 4/BC-KTĐ Phú Yên, ngày 2 tháng 12 năm 2023\n"
            f"BÁO CÁO\nTổng kết năm 2023\nI. KẾT QUẢ\nSố liệu của các đơn vị:\n{header}\n"
            f"{row}42.300\t610\n2 Hội Cựu chiến binh tỉnh 8.940 96\n3 Hội Luật gia 17\n"
            "II. KHEN THƯỞNG\nTặng 6 Bằng khen.")
        assert record.document.issuer == "Khối thi đua các hội tỉnh Phú Yên"
        assert [s.number for s in record.sections] == ["I", "II"]
        # a bloc's table: each row's figures are the unit's it names
        assert [(u.name, [(f.value, f.measure) for f in u.figures]) for u in record.units] == [
            ("Hội Nông dân", [(42300, "hội viên"), (610, "chi hội")]),
            ("Hội Cựu chiến binh", [(8940, "hội viên"), (96, "chi hội")])]
        assert [(f.value, f.measure) for f in record.figures] == [(6, "Bằng khen")]
        assert "Hội Cựu chiến binh" in record.units[1].figures[0].text


def test_a_tables_totals_and_a_labels_bracketed_unit() -> None:
    """The totals row under a table's rows gives the bloc's figures, qualified "tổng
    cộng"; a label's bracketed unit is its cells' measure; a sentence never runs on into
    the heading after it (lines written here)."""
    record = _parse_text(
        "CỤM THI ĐUA CÁC HỘI\nBÁO CÁO\nTổng kết năm 2025\nII. KẾT QUẢ\n"
        "TT Đơn vị Số hội viên Số tiền vận động (triệu đồng)\n"
        "1 Hội Nông dân tỉnh 41.800 1.120\n2 Hội Cựu chiến binh tỉnh 27.300 790\n"
        "Tổng cộng 69.100 1.910\nIII. KHEN THƯỞNG\nHội viên đóng góp 350\nIV. PHƯƠNG HƯỚNG")
    assert [(u.name, [(f.value, f.measure) for f in u.figures]) for u in record.units] == [
        ("Hội Nông dân", [(41800, "hội viên"), (1120, "triệu đồng")]),
        ("Hội Cựu chiến binh", [(27300, "hội viên"), (790, "triệu đồng")])]
    assert [(f.value, f.measure, f.qualifier) for f in record.figures] == [
        (69100, "hội viên", "tổng cộng"), (1910, "triệu đồng", "tổng cộng")]


def test_glued_syllables_are_parted_by_the_word_list() -> None:
    assert [unglued(t) for t in ("hộiviên", "Chữthậpđỏ", "hội", "HTX", "qzxw")] == [
        "hội viên", "Chữ thập đỏ", "hội", "HTX", "qzxw"]


def test_a_tired_scans_header_headings_and_closing_block() -> None:
    """What OCR of a worn page does to a bloc's report (lines written here): the bloc's
    word read as another ("KHÓA THI ĐUA") under a superior body, a unit's heading followed
    by a line whose first word lost its capital, a "5." read as "S.", and the distribution
    list closing the document, whose copies are no figure."""
    record = _parse_text(
        "UBND TỈNH ĐẮK LẮK\nKHÓA THỊ ĐUA CÁC HỘI ĐẶC THÙ\nSố: 18/BC-KTĐ Đắk Lắk, ngày 20/12/2023\n"
        "BÁO CÁO\nTổng kết năm 2023\nI. KẾT QUẢ\n4. Hội Nhà báo tỉnh\n"
        "siại có 19 chi hội với 356 hội viên; tổ chức 2 lớp bồi dưỡng.\n"
        "S. Hội Luật gia tỉnh\nHội có 21 chi hội.\nII. KHEN THƯỞNG\nTặng 5 Bằng khen.\n"
        "Nơi nhận: TM. KHỐI THI ĐUA\n- Lưu: VT, 02 bản.")
    assert record.document.issuer == "Khối thi đua các hội đặc thù tỉnh Đắk Lắk"
    assert [(s.number, s.title) for s in record.sections] == [
        ("I", "KẾT QUẢ"), ("4", "Hội Nhà báo tỉnh"), ("5", "Hội Luật gia tỉnh"),
        ("II", "KHEN THƯỞNG")]
    assert [(u.name, [f.value for f in u.figures]) for u in record.units] == [
        ("Hội Nhà báo", [19, 356, 2]), ("Hội Luật gia", [21])]
    assert [f.value for f in record.figures] == [5]
    organ = _parse_text("HỘI NÔNG DÂN TỈNH HÀ TĨNH\nBAN THƯỜNGVỤ\nSố: 7-BC/HNDT\nBÁO CÁO\n"
                        "Tổng kết năm 2023\nHội có 13 hội cấp huyện.").document
    assert organ.issuer == "Hội Nông dân tỉnh Hà Tĩnh"


def test_garbled_numbering_and_non_headings() -> None:
    text = "\n".join([
        "I. KẾT QUẢ", "Nội dung ngắn.",
        "I1. HẠN CHẾ", "Nội dung ngắn.",
        "IIl. PHƯƠNG HƯỚNG", "1I. sai", "- Gạch đầu dòng không phải đề mục.",
        "a) Mục chữ không phải đề mục.",
        "IV, Hội khỏe truyền thống lần thứ XX với gần 500 vận động viên tham gia thi đấu.",
        "2018. Trong đó quỹ cấp tỉnh 3,2 tỷ đồng và cấp huyện, cơ sở là 51,9 tỷ đồng.",
        "11.850 người, chiếm 98,9% số cán bộ giáo viên nghỉ hưu trong toàn tỉnh Hà Tĩnh.",
        "1. Các thành viên Khối tiếp tục quán triệt, thực hiện Chỉ thị số 34 của Bộ Chính",
        "trị về đổi mới công tác thi đua, khen thưởng; tổ chức các hoạt động thi đua lập",
        "thành tích chào mừng các ngày lễ lớn trong năm và Đại hội Đảng các cấp nhiệm kỳ.",
        "Phần thứ hai", "PHƯƠNG HƯỚNG NĂM 2025",
        "I. MỤC TIÊU", "H. NHIỆM VỤ", "1. Nội dung", "1.1. Mục con", "2. Giải pháp",
        "5. Kiến nghị", "4. Tổ chức thực hiện",
    ])
    numbers = [(s.number, s.level) for s in _parse_text(text).sections]
    assert numbers == [("I", 1), ("II", 1), ("III", 1), ("Phần thứ hai", 1), ("I", 1),
                       ("II", 1), ("1", 2), ("1.1", 3), ("2", 2), ("3", 2), ("4", 2)]
    # a part's number is written as records write it, however the line spells it
    parts = _parse_text("Phân thú nhát\nKẾT QUẢ\nNội dung ngắn.\nPHẦN THỨ HAI\nPHƯƠNG HƯỚNG")
    assert [s.number for s in parts.sections] == ["Phần thứ nhất", "Phần thứ hai"]


def test_headings_through_a_tired_scans_specks_and_spacing() -> None:
    """Specks before a part numeral, its separator doubled, a space after a section
    number's inner full stop: still the headings they are, where they are due; a list
    number before a count is no heading."""
    record = _parse_text(
        "KHỐI THI ĐUA CÁC HỘI\nBÁO CÁO\nTổng kết năm 2024\nI. ĐẶC ĐIỂM\nKhối gồm 2 đơn vị.\n"
        "II. KẾT QUẢ\n1. Phong trào chung\nCác hội thi đua.\n2. Kết quả của các đơn vị\n"
        "2.1. Hội Nông dân tỉnh\nHội có 120 chi hội.\n2. 2. Hội Luật gia tỉnh . sở\n"
        "Hội có 26 chi hội.\n.__IH,.CÔNG TÁC KHEN THƯỞNG\nTặng 31 Bằng khen.\n"
        "1. 25 hội viên mới.")
    assert [(s.number, s.title) for s in record.sections][-3:] == [
        ("2.1", "Hội Nông dân tỉnh"), ("2.2", "Hội Luật gia tỉnh . sở"),
        ("III", "CÔNG TÁC KHEN THƯỞNG")]
    assert [(u.name, [f.value for f in u.figures]) for u in record.units] == [
        ("Hội Nông dân", [120]), ("Hội Luật gia", [26])]
    assert [f.value for f in record.figures] == [2, 31, 25]


def test_section_numbers_with_a_comma_or_colon_for_a_full_stop_where_the_count_leads() -> None:
    """A first section "1:" or ". 1," under a part, an inner full stop read as a comma
    ("3,1." for 3.1., "3, 2." for 3.2.): the headings they are, because the numbering above
    leads to them; the same forms where it does not ("5, Hội …" after 3.2., "2,5 Tỷ …")
    stay running text (lines written here)."""
    record = _parse_text(
        "KHỐI THI ĐUA CÁC HỘI\nBÁO CÁO\nTổng kết năm 2025\nI. ĐẶC ĐIỂM\nKhối gồm 3 đơn vị.\n"
        "II. KẾT QUẢ\n. 1, Công tác chỉ đạo\nCác hội trong Khối đã triển khai kế hoạch thi đua "
        "ngay từ đầu năm,\ngắn với nhiệm vụ chính trị của từng đơn vị.\n2: Phong trào thi đua\n"
        "Các hội đã tổ chức nhiều phong trào thi đua sôi nổi, thiết thực và hiệu quả,\n"
        "được hội viên hưởng ứng.\n3. Kết quả của các đơn vị\n'3,1. Hội Nông dân tỉnh\n"
        "Hội có 140 chi hội.\n3, 2. Hội Luật gia tỉnh\nHội có 27 chi hội.\n"
        "5, Hội Cựu chiến binh\n2,5 Tỷ đồng được trao.")
    assert [(s.number, s.title) for s in record.sections] == [
        ("I", "ĐẶC ĐIỂM"), ("II", "KẾT QUẢ"), ("1", "Công tác chỉ đạo"),
        ("2", "Phong trào thi đua"), ("3", "Kết quả của các đơn vị"),
        ("3.1", "Hội Nông dân tỉnh"), ("3.2", "Hội Luật gia tỉnh")]


def test_a_part_numeral_whose_full_stop_merged_into_it_survives_repair() -> None:
    """"I." read as "L" (its full stop in the I's foot) after a speck, before a title in
    capitals: repair writes it "I." again, and it is the first part of the second Phần."""
    from extract.repair import repair_text
    text = repair_text(
        "PHẦN THỨ NHẤT\nI. KẾT QUẢ\nCác hội thi đua.\nPHẦN THỨ HAI\nPHƯƠNG HƯỚNG NĂM 2026\n"
        ". L MỤC TIÊU NĂM 2026\n"
        "Các hội thi đua.\nII. GIẢI PHÁP\nCác hội thi đua.", "vie")
    assert text.split("\n")[5] == ". I. MỤC TIÊU NĂM 2026"
    record = _parse_text("KHỐI THI ĐUA\nBÁO CÁO\nTổng kết năm 2025\n" + text)
    assert [(s.number, s.title) for s in record.sections][-3:] == [
        ("Phần thứ hai", "PHƯƠNG HƯỚNG NĂM 2026"), ("I", "MỤC TIÊU NĂM 2026"),
        ("II", "GIẢI PHÁP")]


def test_numbered_parts_end_the_last_units_section() -> None:
    """"Phần I" / "PHẦN 2. TITLE" are Phần thứ nhất / hai, the title below or on the line;
    the unit section before the second part ends there, so its targets are the bloc's.
    "Phần lớn …" and "Phần 2 của …" are sentences (lines written here)."""
    record = _parse_text(
        "KHỐI THI ĐUA CÁC HỘI\nBÁO CÁO\nTổng kết năm 2025\nPhần I | ¬\nKẾT QUẢ NĂM 2025 \"\n"
        "1. Kết quả của các đơn vị\n1.1. Hội Nông dân tỉnh\nHội có 230 chi hội.\n"
        "1.2. Hội Luật gia tỉnh\nHội có 31 chi hội.\nPhần lớn các hội hoàn thành nhiệm vụ.\n"
        "PHẦN 2. PHƯƠNG HƯỚNG NĂM 2026\nPhấn đấu kết nạp 2.000 hội viên mới.")
    assert [(s.number, s.title) for s in record.sections] == [
        ("Phần thứ nhất", "KẾT QUẢ NĂM 2025"), ("1", "Kết quả của các đơn vị"),
        ("1.1", "Hội Nông dân tỉnh"), ("1.2", "Hội Luật gia tỉnh"),
        ("Phần thứ hai", "PHƯƠNG HƯỚNG NĂM 2026")]
    assert [(u.name, [f.value for f in u.figures]) for u in record.units] == [
        ("Hội Nông dân", [230]), ("Hội Luật gia", [31])]
    assert [f.value for f in record.figures] == [2000]


def test_a_units_number_read_as_a_numeral_or_with_a_comma_is_its_heading() -> None:
    """A unit's "1." read as "I." after the parts I and II, and a "2." read as "2,": the
    units' headings all the same, with their figures; a "2," that follows no "1." and a
    number after a space stay running text (lines written here)."""
    record = _parse_text(
        "KHỐI THI ĐUA CÁC HỘI\nBÁO CÁO\nTổng kết năm 2024\nI. ĐẶC ĐIỂM\nKhối gồm 2 đơn vị.\n"
        "II. KẾT QUẢ\nI. Hội Nông dân tỉnh :\nHội có 120 chi hội, -1.962 hội viên.\n"
        "2, Hội-Luật gia tỉnh\nHội có 26 chi hội.\nIII. KHEN THƯỞNG\n"
        "Tặng 31 Bằng khen cho\n4, Hội Cựu chiến binh và\n40 HTX, 75% HTX khá.")
    assert [(s.number, s.title) for s in record.sections] == [
        ("I", "ĐẶC ĐIỂM"), ("II", "KẾT QUẢ"), ("1", "Hội Nông dân tỉnh"),
        ("2", "Hội-Luật gia tỉnh"), ("III", "KHEN THƯỞNG")]
    assert [(u.name, [f.value for f in u.figures]) for u in record.units] == [
        ("Hội Nông dân", [120, 1962]), ("Hội Luật gia", [26])]


def test_roman_numerals_misread() -> None:
    text = "I. MỘT\nnội dung\nIl. HAI\nnội dung\nHI. BA\nnội dung\nIV. BỐN"
    assert [s.number for s in _parse_text(text).sections] == ["I", "II", "III", "IV"]


@pytest.mark.parametrize("written, value", [
    ("17.885", 17885), ("1.172.455", 1172455), ("13,1", 13.1), ("98,7", 98.7), ("04", 4),
    ("550", 550), ("1,172,455", 1172455), ("0,5", 0.5), ("12.0", 12.0), ("10. 000", 10000),
    ("31, 8", 31.8)])
def test_vietnamese_number_formats(written: str, value: float) -> None:
    assert parse_number(written) == value


def test_figures_values_measures_qualifiers() -> None:
    record = _parse_text(
        "HỘI CỰU CHIẾN BINH\nBÁO CÁO\nTổng kết năm 2024\n"
        "Hội có 1.353 chi hội (tăng thêm 3 chi hội mới) với 17.885 hội viên; quỹ đạt 13,1 tỷ "
        "đồng, trên 731 triệu đồng, 98,7% hội viên; hiến 550m² đất, 345.105 m² vườn; vận "
        "động 1.172.455 USD và gần 2.000 lượt người.", confidence=0.9)
    figures = [(f.value, f.measure, f.qualifier) for f in record.units[0].figures]
    assert figures == [
        (1353, "chi hội", None), (3, "chi hội", None), (17885, "hội viên", None),
        (13.1, "tỷ đồng", "đạt"), (731, "triệu đồng", "trên"), (98.7, "%", None),
        (550, "m²", None), (345105, "m²", None), (1172455, "USD", None),
        (2000, "lượt người", "gần")]
    assert all(f.confidence == 0.9 and f.line == 4 for f in record.units[0].figures)


def test_a_count_of_a_whole_counts_its_part() -> None:
    record = _parse_text(
        "HỘI NÔNG DÂN\nBÁO CÁO\nTổng kết năm 2024\n"
        "Hội thực hiện được 4/6 cuộc giám sát; hoàn thành 12/15 chỉ tiêu; ngày 4/6 tổ chức "
        "hội nghị, từ 3/9 đến nay; 17.885/20 hội viên; 8/5 người.")
    figures = [(f.value, f.measure) for f in record.units[0].figures]
    assert figures == [(4, "cuộc giám sát"), (12, "chỉ tiêu")]


def test_thousands_as_a_tired_scan_or_an_english_habit_writes_them() -> None:
    # a dot set apart by a space or read as a colon; a comma before whole things counted; a
    # speck between a number and its measure, or before the number, or a colon glued to a
    # capitalised measure; ones read as I, set apart or not, but not a Roman ordinal
    record = _parse_text(
        "HỘI CỰU CHIẾN BINH\nBÁO CÁO\nTổng kết năm 2024\n"
        "Hội tổ chức 2. 347 buổi, tạo việc làm cho 6: 420 lao động; 3,265 hội viên vay "
        "2,417 tỷ đồng; đạt 4,5 ha và 15,375%.\n"
        "Hội trao quà trị giá 482: triệu đồng; có 05. cuộc thi với .4.618 hội viên, 36 .290 người\n"
        "Hội có I I chi hội; Nhóm I gồm các hội\n"
        "._06 lớp tập huấn, giúp đỡ.57 hộ nghèo, tặng 04:Bằng khen; Hội có II chi hội và\n"
        "Nhóm II gồm các hội; khóa II nhiệm kỳ; trao quà trị giá 2,6 , tỷ đồng.")
    figures = [(f.value, f.measure) for f in record.units[0].figures]
    assert figures == [(2347, "buổi"), (6420, "lao động"), (3265, "hội viên"),
                       (2.417, "tỷ đồng"), (4.5, "ha"), (15.375, "%"), (482, "triệu đồng"),
                       (5, "cuộc thi"), (4618, "hội viên"), (36290, "người"),
                       (11, "chi hội"), (6, "lớp tập huấn"), (57, "hộ nghèo"),
                       (4, "Bằng khen"), (11, "chi hội"), (2.6, "tỷ đồng")]


def test_a_counter_takes_the_next_word_unless_it_opens_a_predicate() -> None:
    # "hộ nghèo" is what is counted; in "hộ đạt danh hiệu" the counted thing is "hộ"
    record = _parse_text("HỘI NÔNG DÂN\nBÁO CÁO\nTổng kết năm 2025\n"
                         "Hội giúp 320 hộ nghèo; có 9.400 hộ đạt danh hiệu sản xuất giỏi.")
    assert [(f.value, f.measure) for f in record.units[0].figures] == [
        (320, "hộ nghèo"), (9400, "hộ")]


def test_a_label_before_its_number_is_the_measure() -> None:
    # a list of labels and counts (lines written here): the label is the measure
    record = _parse_text(
        "HỘI NÔNG DÂN\nBÁO CÁO\nTổng kết năm 2024\n"
        "Cán bộ cơ quan: Tiến sĩ 02; Cao đẳng 05, Sơ cấp 1 (bảo vệ).\n"
        "Kết quả năm 2024; tổng số 12; Điều 5, khoản 3; đạt 40.\n"
        "Học tập các văn kiện của Hội nghị\nBan Chấp hành 7 (khóa IX), và chuyên đề năm 2024.\n"
        "Chuyên môn: Đại học 04,\nThạc sĩ 01.")
    figures = [(f.value, f.measure, f.text) for f in record.units[0].figures]
    assert figures == [(2, "Tiến sĩ", "Tiến sĩ 02"), (5, "Cao đẳng", "Cao đẳng 05, Sơ cấp 1 (bảo vệ)"),
                       (1, "Sơ cấp", "Cao đẳng 05, Sơ cấp 1 (bảo vệ)"),
                       (4, "Đại học", "Đại học 04"), (1, "Thạc sĩ", "Thạc sĩ 01")]


def test_not_figures() -> None:
    record = _parse_text(
        "HỘI LUẬT GIA\nBÁO CÁO\nTổng kết năm 2024\n"
        "Thực hiện Chỉ thị số 34-CT/TW ngày 07/4/2014, Nghị định số 68/2000/NĐ-CP, "
        "Kế hoạch số 76 của Tỉnh ủy ngày 14 tháng 12 năm 2020, giai đoạn 2016-2020, "
        "Đại hội lần thứ 5 khóa XIII, Nhóm 1, kỷ niệm 90 năm ngày thành lập, trong 6 tháng "
        "đầu năm, điện thoại 02043854321, nhiệm kỳ 2019 - 2024 tỉnh1 đã họp.")
    assert [f.text for u in record.units for f in u.figures] + record.figures == []


def test_measure_ends_at_a_word_boundary() -> None:
    record = _parse_text(
        "HỘI KHUYẾN HỌC\nBÁO CÁO\nTổng kết năm 2024\n"
        "Hội có 02 đơn vị trực thuộc, khen 10 cá nhân có thành tích, 16 hội viên thuộc các "
        "chi hội, 01 giải pháp sáng tạo, 4 đơn vị thành viên, 13,1 tỷ đồng Tổng cộng, "
        "2 tỷ đồng tiền mặt, 07 nhiệm vụ tư vấn, 5 lớp tập huấn cho 200 học sinh giỏi, "
        "12 suất quà, có 815 trang\ntrại và 9 hội\nviên, phát 239. 000 tờ gấp. 120 hộ; 1.850 hạ lúa.")
    figures = [(f.value, f.measure) for f in record.units[0].figures]
    assert figures == [(2, "đơn vị"), (10, "cá nhân"), (16, "hội viên"), (1, "giải pháp"),
                       (4, "đơn vị"), (13.1, "tỷ đồng"), (2, "tỷ đồng"), (7, "nhiệm vụ"),
                       (5, "lớp tập huấn"), (200, "học sinh"), (12, "suất quà"),
                       (815, "trang trại"), (9, "hội viên"), (239000, "tờ gấp"), (120, "hộ"),
                       (1850, "ha")]


def test_ordinals_and_footnote_marks_after_codes_are_not_figures() -> None:
    record = _parse_text(
        "HỘI KHUYẾN HỌC\nBÁO CÁO\nTổng kết năm 2024\n"
        "Thực hiện Nghị quyết số 27-NQ/TW 7 của Trung ương, Đại hội 3 khóa X, trong 2 nhiệm "
        "kỳ liên tiếp, qua 3 giai đoạn; trong 2020 các đơn vị đều làm 0 có; Hội có 25 chi hội.")
    assert [(f.value, f.measure) for f in record.units[0].figures] == [(25, "chi hội")]


def test_implausible_measure_lowers_confidence() -> None:
    record = _parse_text(
        "HỘI KHUYẾN HỌC\nBÁO CÁO\nTổng kết năm 2024\n"
        "Hội có 01 md hmh sản phẩm; 02 đề)nợ hoàn thành; 35 NCT khỏe; 40 hội viên mới; "
        "giải 2020 tranh; 2.020 người.", confidence=0.9)
    confidence = {(f.value, f.measure): f.confidence for f in record.units[0].figures}
    assert confidence[35, "NCT"] == confidence[40, "hội viên"] == confidence[2020, "người"] == 0.9
    assert confidence[1, "md"] < 0.3 and confidence[2, "đề)nợ"] < 0.3
    assert confidence[2020, "tranh"] == 0.45


def test_figure_confidence_is_its_weakest_word() -> None:
    words = [Word("Hội", 0.99), Word("có", 0.98), Word("1.353", 0.61), Word("chi", 0.9),
             Word("hội.", 0.45), Word("Năm", 0.2)]
    pages = [Page.from_text(1, "HỘI KHUYẾN HỌC\nBÁO CÁO\nTổng kết năm 2024", "ocr"),
             Page(2, [Line(words)], "ocr")]
    record = parse(pages, Source("x", "", "pdf", 2, "ocr"))
    figure = record.units[0].figures[0]
    assert (figure.value, figure.measure, figure.page, figure.line) == (1353, "chi hội", 2, 1)
    assert figure.confidence == 0.45


def test_bloc_summary_vs_member_submission() -> None:
    """Unit sections make a summary (figures under each unit, the rest top level); a member's
    own report has none, and its figures all go to the issuer."""
    summary = _parse_text(
        "KHỐI THI ĐUA CÁC HỘI\nBÁO CÁO\nTổng kết năm 2024\n"
        "1. Tổ chức của Khối\nKhối gồm 3 đơn vị.\n"
        "2. Kết quả của các đơn vị\n"
        "2.1. Hội CCB tỉnh\nHội có 120 chi hội.\n"
        "2.2. Hội NCT\nHội có 45 câu lạc bộ.\n"
        "2.3. Liên minh HTX tỉnh\nCó 318 hợp tác xã thành viên.\n"
        "3. Khen thưởng\nTặng 12 Bằng khen.")
    assert [(u.section, u.name, [f.value for f in u.figures]) for u in summary.units] == [
        ("2.1", "Hội Cựu chiến binh", [120]), ("2.2", "Hội Người cao tuổi", [45]),
        ("2.3", "Liên minh Hợp tác xã", [318])]
    assert [f.value for f in summary.figures] == [3, 12]
    member = _parse_text(
        "UBND TỈNH A CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nHỘI CHỮ THẬP ĐỎ\nBÁO CÁO\n"
        "Tổng kết năm 2024\n1. Công tác tổ chức\nHội có 120 chi hội.\n"
        "2. Phong trào\nVận động 2,5 tỷ đồng.")
    assert [(u.section, u.name, [f.value for f in u.figures]) for u in member.units] == [
        (None, "Hội Chữ thập đỏ", [120, 2.5])]
    assert member.figures == []


def test_every_contract_key_present_when_document_says_nothing() -> None:
    record = _parse_text("một dòng chữ không có gì").to_dict()
    assert set(record) == {"source", "document", "bloc", "sections", "units", "figures",
                           "pages"}
    assert record["document"]["number"] is None and record["bloc"]["groups"] == []
    (page,) = record["pages"]
    assert (page["number"], page["text"], page["width"]) == (1, "một dòng chữ không có gì", None)
    assert [w["text"] for w in page["words"]] == "một dòng chữ không có gì".split()
    assert all(w["line"] == 1 and w["box"] is None for w in page["words"])


def test_numeric_date_and_per_unit_measure() -> None:
    record = _parse_text(
        "UBND TỈNH A\nHỘI KHUYẾN HỌC\nSố: 7/BC-HKH Thành phố Huế, ngày 5/1/2023\nBÁO CÁO\n"
        "Kết quả năm 2022\nMức hỗ trợ 500.000 đồng/hội viên.")
    assert (record.document.place, record.document.date) == ("Thành phố Huế", "2023-01-05")
    assert [(f.value, f.measure) for f in record.units[0].figures] == [(500000, "đồng")]


def test_cum_bloc_with_roles_after_colon() -> None:
    """Another bloc wording: a "Cụm thi đua", roles written "Trưởng cụm: X", no groups."""
    record = _parse_text(
        "UBND TỈNH QUẢNG NINH CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "CỤM THI ĐUA CÁC HỘI QUẦN CHÚNG Độc lập - Tự do - Hạnh phúc\n"
        "Số: 05/BC-CTĐ Hạ Long, ngày 20 tháng 12 năm 2018\nBÁO CÁO\n"
        "TỔNG KẾT CÔNG TÁC THI ĐUA, KHEN THƯỞNG NĂM 2018\n"
        "I. TÌNH HÌNH CHUNG\n"
        "Cụm thi đua gồm 6 đơn vị. Trưởng cụm: Hội Nông dân tỉnh; Phó cụm: Hội CCB tỉnh.\n"
        "II. KẾT QUẢ CỦA CÁC ĐƠN VỊ\n1. Hội Nông dân tỉnh\nCó 1.240 chi hội.\n"
        "2. Hội Cựu chiến binh tỉnh\nCó 52.000 hội viên.\n")
    assert record.document.issuer == "Cụm thi đua các hội quần chúng tỉnh Quảng Ninh"
    assert record.document.title == "Tổng kết công tác thi đua, khen thưởng năm 2018"
    bloc = record.bloc
    assert (bloc.name, bloc.member_count, bloc.head, bloc.deputy_head, bloc.groups) == (
        record.document.issuer, 6, "Hội Nông dân", "Hội Cựu chiến binh", [])
    assert [(u.section, u.name) for u in record.units] == [
        ("1", "Hội Nông dân"), ("2", "Hội Cựu chiến binh")]
    assert [f.value for f in record.figures] == [6]


@pytest.mark.parametrize("roles", [
    "Hội Luật gia tỉnh làm Cụm trưởng, Hội Nhà báo tỉnh làm Cụm phó",
    "Hội Luật gia tỉnh làm Trưởng cụm, Hội Nhà báo tỉnh làm Phó cụm",
    "Cụm trưởng: Hội Luật gia tỉnh; Cụm phó: Hội Nhà báo tỉnh",
    "Hội Luật. gia tỉnh. làm. Cụm trưởng, Hội Nhà báo tỉnh làm Cụm phó",
    "Hội Luật gia tỉnh là Cụm: trưởng, Hội Nhà báo tỉnh là Cụm phó"])
def test_a_blocs_head_and_deputy_either_way_round(roles: str) -> None:
    """"Cụm trưởng" is "Trưởng cụm" written the other way round, also through a scan's
    specks; "Cụm phát động" is no deputy, the role signing the report no head, and an
    acronym with KH ("KH&KT") no bloc whose members are counted (lines written here)."""
    record = _parse_text(
        "CỤM THI ĐUA CÁC HỘI\nBÁO CÁO\nTổng kết năm 2024\n"
        f"Năm 2024, {roles}.\nCụm phát động thi đua: các hội; Liên hiệp hội KH&KT tỉnh có 19 "
        "hội thành viên\nNơi nhận:\tTM. CỤM THI ĐUA\n- Ban TĐKT tỉnh;\tCỤM TRƯỞNG\n"
        "- Các hội trong Cụm;")
    assert (record.bloc.head, record.bloc.deputy_head) == ("Hội Luật gia", "Hội Nhà báo")
    assert record.bloc.member_count is None


@pytest.mark.parametrize("count", ["gồm 6 đơn vị", "có 6-đơn vị thành viên", "gồm 6-hội"])
def test_a_blocs_member_count_through_a_scans_dash(count: str) -> None:
    """A worn scan's dash between the count and what it counts is no part of either (lines
    written here)."""
    record = _parse_text("CỤM THI ĐUA CÁC HỘI\nBÁO CÁO\nTổng kết năm 2024\n"
                         f"Năm 2024, Cụm thi đua {count}.\n")
    assert record.bloc.member_count == 6
    assert [f.value for f in record.figures] == [6]


def test_a_dash_before_a_small_letter_is_a_speck_but_codes_and_ranges_stay() -> None:
    record = _parse_text("HỘI NÔNG DÂN TỈNH\nBÁO CÁO\nTổng kết năm 2024\n"
                         "Hội có 12-chi hội, chống COVID-19 giai đoạn 2016-2020, mỗi hộ 1-2 "
                         "người, theo Chỉ thị 34-CT/TW; hỗ trợ 41.-HTX.\n")
    # a dot and a dash run together are specks too: no code holds them ("41.-HTX")
    assert [(f.value, f.measure) for u in record.units for f in u.figures] == \
        [(12, "chi hội"), (41, "HTX")]


def test_a_headers_names_through_ocr_slips() -> None:
    """A misread "tỉnh" before a province, a speck inside the issuer or a letter after the
    superior's province, a type's marks misread, a dash speck ending the title: the
    header's names as written (lines written here)."""
    member = _parse_text(
        "HỘI NÔNG DÂN TÍNH NINH BÌNH CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "Số: 31/BC-HND Ninh Bình, ngày 4 tháng 12 năm 2025\nBẢO CÁO\n"
        "Tổng kết công tác thi đua, khen thưởng năm 2025 -\nHội có 12 chi hội.").document
    assert (member.issuer, member.doc_type, member.title) == (
        "Hội Nông dân tỉnh Ninh Bình", "BÁO CÁO",
        "Tổng kết công tác thi đua, khen thưởng năm 2025")
    bloc = _parse_text(
        "UBND TỈNH ĐẮK.LẮK ở CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "KHỐI THI ĐUA CÁC. TỔ CHỨC: HỘI Độc lập - Tự do - Hạnh phúc\n"
        "Số: 8/BC-KTĐ Buôn Ma Thuột, ngày 9 tháng 12 năm 2025\nBÁO CÁO\nTổng kết năm 2025"
    ).document
    assert bloc.issuer == "Khối thi đua các tổ chức hội tỉnh Đắk Lắk"
    city = _parse_text(
        "UBND THÀNH PHỐ CẦN THƠ CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "CỤM THI ĐUA SỐ 2 Độc lập - Tự do - Hạnh phúc\n"
        "Số: 3/BC-CTĐ Cần Thơ, ngày 9 tháng 12 năm 2025\nBÁO CÁO\nTổng kết năm 2025"
    ).document
    assert city.issuer == "Cụm thi đua số 2 thành phố Cần Thơ"


def test_an_organ_before_its_body_on_one_line_under_a_party_superior() -> None:
    """"BAN THƯỜNG VỤ HỘI … TỈNH" under "TỈNH ỦY X": the body issues the report, in the
    superior's province; a speck before the organ and after the province changes nothing;
    a part's title loses the dash a speck made (lines written here)."""
    record = _parse_text(
        "TỈNH ỦY LẠNG SƠN. ĐẢNG CỘNG SẢN VIỆT NAM\n"
        ".BAN THƯỜNG VỤ HỘI CỰU CHIẾN BINH TỈNH Lạng Sơn, ngày 8 tháng 12 năm 2025\n"
        "Số: 71-BC/HCCB\nBÁO CÁO\nTổng kết năm 2025\nPhần thứ nhất\n- KẾT QUẢ NĂM 2025\n"
        "Hội có 210 chi hội.")
    assert record.document.issuer == "Hội Cựu chiến binh tỉnh Lạng Sơn"
    assert [u.name for u in record.units] == ["Hội Cựu chiến binh"]
    assert record.sections[0].title == "KẾT QUẢ NĂM 2025"


def test_a_summarys_members_as_list_items() -> None:
    """A bloc's summary that gives each member's results as a list item opening with its
    name and a colon (the dash OCR may read as "„"): each item's figures are its unit's,
    the rest the bloc's; in a member's own report, items naming other units are no units
    (lines written here)."""
    summary = _parse_text(
        "CỤM THI ĐUA SỐ 3\nBÁO CÁO\nTổng kết năm 2025\nI. KHÁI QUÁT\n"
        "Cụm thi đua số 3 gồm 3 đơn vị.\nII. KẾT QUẢ CỦA CÁC ĐƠN VỊ\n"
        "„ Hội Nông dân thành phố: kết nạp 1.120 hội viên mới; hỗ trợ 430 hộ\n"
        "vay vốn.\n- Hội Cựu chiến binh thành phố: có 184 chi hội.\n"
        "- Hội Chữ thập đỏ thành phố: vận động 7.650 đơn vị máu.\n"
        "III. KHEN THƯỞNG\nCụm được tặng 02 Cờ thi đua.")
    assert [(u.name, [f.value for f in u.figures]) for u in summary.units] == [
        ("Hội Nông dân", [1120, 430]), ("Hội Cựu chiến binh", [184]),
        ("Hội Chữ thập đỏ", [7650])]
    assert [f.value for f in summary.figures] == [3, 2]
    # a member's name alone after "a)" heads its own list, to the next "b)"; a dash item
    # that names no unit ends one that stands alone after a dash
    lettered = _parse_text(
        "CỤM THI ĐUA SỐ 3\nBÁO CÁO\nTổng kết năm 2025\nII. KẾT QUẢ\na) Hội Nông dân tỉnh\n"
        "- Kết nạp 1.200 hội viên;\n- Có 86 chi hội.\nb) Hội Cựu chiến binh tỉnh\n"
        "Hội có 205 chi hội.\n* Hội Chữ thập đỏ tỉnh\nHội vận động 5.600 đơn vị máu.\n"
        "- Công tác tuyên truyền: đăng 45 tin bài.\nIII. KHEN THƯỞNG")
    assert [(u.name, [f.value for f in u.figures]) for u in lettered.units] == [
        ("Hội Nông dân", [1200, 86]), ("Hội Cựu chiến binh", [205]),
        ("Hội Chữ thập đỏ", [5600])]
    assert [f.value for f in lettered.figures] == [45]
    member = _parse_text(
        "HỘI NÔNG DÂN TỈNH NAM ĐỊNH\nBÁO CÁO\nTổng kết năm 2025\nHội có 230 chi hội.\n"
        "- Hội Cựu chiến binh tỉnh: phối hợp tổ chức 12 hội thi;\n"
        "- Hội Liên hiệp Phụ nữ tỉnh: phối hợp mở 8 lớp tập huấn.")
    assert [(u.name, [f.value for f in u.figures]) for u in member.units] == [
        ("Hội Nông dân", [230, 12, 8])]


def test_document_number_code_is_an_acronym() -> None:
    """The Vietnamese OCR model reads Q as Ọ; a document code keeps only Đ among marked letters."""
    record = _parse_text("KHỐI THI ĐUA\nSố: 18 /BC-KTĐHỌC Đà Lạt, ngày 15 tháng 12 năm 2017\n"
                         "BÁO CÁO\nTổng kết năm 2017")
    assert (record.document.number, record.document.place) == ("18/BC-KTĐHQC", "Đà Lạt")


def test_part_numeral_lost_to_a_word_takes_the_part_due() -> None:
    text = "I. MỘT\nnội dung\nII. HAI\nnội dung\nLỰC. PHƯƠNG HƯỚNG NĂM 2023\nnội dung"
    assert [s.number for s in _parse_text(text).sections] == ["I", "II", "III"]


@pytest.mark.parametrize("missed", ["2.I3 Liên minh HTX tỉnh", "Liên minh HTX tỉnh"])
def test_a_missed_unit_heading_gives_the_figures_after_it_to_its_unit(missed: str) -> None:
    """A unit heading the heading search misses (its number garbled, or lost) does not hand
    the next unit's figures to the unit before it: they are that unit's, less sure; after a
    missed part heading (capitals) they stay at bloc level, much less sure."""
    record = _parse_text(
        "KHỐI THI ĐUA CÁC HỘI\nBÁO CÁO\nTổng kết năm 2024\n"
        "1. Tổ chức của Khối\nKhối gồm 3 đơn vị.\n2. Kết quả của các đơn vị\n"
        "2.1. Hội CCB tỉnh\nHội có 120 chi hội.\n2.2. Hội NCT\nHội có 45 câu lạc bộ.\n"
        f"{missed}\nCó 318 hợp tác xã thành viên.\n3l. KHEN THƯỞNG VÀ ĐỀ NGHỊ\n"
        "Tặng 12 Bằng khen.")
    assert [(u.name, [(f.value, f.confidence) for f in u.figures]) for u in record.units] == [
        ("Hội Cựu chiến binh", [(120, 1.0)]), ("Hội Người cao tuổi", [(45, 1.0)]),
        ("Liên minh Hợp tác xã", [(318, 0.9)])]
    assert [(f.value, f.confidence) for f in record.figures] == [(3, 1.0), (12, 0.5)]
    said = _parse_text(  # another unit named inside a sentence is no heading
        "KHỐI THI ĐUA CÁC HỘI\nBÁO CÁO\nTổng kết năm 2024\n2. Kết quả của các đơn vị\n"
        "2.1. Hội CCB tỉnh\nHội có 120 chi hội, phối hợp với Liên minh HTX tỉnh\n"
        "mở 5 lớp tập huấn.\n2.2. Hội NCT\nHội có 45 câu lạc bộ.\n")
    assert [(u.name, [f.value for f in u.figures]) for u in said.units] == [
        ("Hội Cựu chiến binh", [120, 5]), ("Hội Người cao tuổi", [45])]


def test_a_dash_before_a_deep_section_number_is_a_speck() -> None:
    record = _parse_text(
        "KHỐI THI ĐUA CÁC HỘI\nBÁO CÁO\nTổng kết năm 2024\n3. Kết quả của các đơn vị\n"
        "3.1. Hội CCB tỉnh\nHội có 120 chi hội.\n- 3.2. Hội Người cao tuổi tỉnh .\n"
        "Hội có 45 câu lạc bộ.\n- 3 hội mới thành lập.\n")
    assert [s.number for s in record.sections] == ["3", "3.1", "3.2"]
    assert [(u.name, [f.value for f in u.figures]) for u in record.units] == [
        ("Hội Cựu chiến binh", [120]), ("Hội Người cao tuổi", [45, 3])]


def test_unit_unknown_to_the_registry_among_unit_sections() -> None:
    """A section among member-unit sections naming a unit no list knows is a unit of its own,
    not the nearest registry entry (Hội Cựu Công an nhân dân is not Hội Cựu chiến binh)."""
    record = _parse_text(
        "KHỐI THI ĐUA CÁC HỘI\nBÁO CÁO\nTổng kết năm 2024\n3. Kết quả của các đơn vị\n"
        "3.1. Hội Nông dân tỉnh\nCó 100 hội viên.\n3.2. Hội Cựu Công an nhân dân tỉnh\n"
        "Có 200 hội viên.\n3.3. Hội Cựu chiến binh tỉnh\nCó 300 hội viên.\n")
    assert [(u.name, [f.value for f in u.figures]) for u in record.units] == [
        ("Hội Nông dân", [100]), ("Hội Cựu Công an nhân dân", [200]),
        ("Hội Cựu chiến binh", [300])]


def test_header_right_column_read_first() -> None:
    record = _parse_text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM UBND TỈNH BẮC GIANG\n"
                         "Độc lập - Tự do - Hạnh phúc HỘI LUẬT GIA\n"
                         "Số: 3/BC-HLG\nBắc Giang, ngày 9 tháng 12 năm 2020\nBÁO CÁO\n"
                         "Tổng kết năm 2020")
    assert record.document.issuer == "Hội Luật gia tỉnh Bắc Giang"
    assert (record.document.number, record.document.date) == ("3/BC-HLG", "2020-12-09")


@pytest.mark.parametrize("written, place", [
    ("Béic Giang", "Bắc Giang"), ("Lâm Dồng", "Lâm Đồng"), ("Nghệ Au", "Nghệ An"),
    ("TP. Hồ Chí Miuh", "TP. Hồ Chí Minh"), ("Hà Tiên", "Hà Tiên"), ("Hà Tĩnh", "Hà Tĩnh")])
def test_garbled_place_read_as_the_listed_place(written: str, place: str) -> None:
    """A misread place becomes the listed place it is close to; a listed place is kept."""
    record = _parse_text(f"HỘI NÔNG DÂN\nSố: 9/BC-HND {written}, ngày 3 tháng 1 năm 2025\n"
                         "BÁO CÁO\nTổng kết năm 2024")
    assert record.document.place == place


def test_issuer_without_ocr_specks() -> None:
    record = _parse_text("UBND TỈNH NAM ĐỊNH CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
                         "KHỐI THI ĐUA CÁC HỘI Độc lập - Tự do - Hạnh phúc\n° QUẦN CHÚNG ‘ °\n"
                         "Số: 9/BC-KTĐ Nam Định, ngày 3 tháng 1 năm 2025\nBÁO CÁO\n"
                         "Tổng kết năm 2024")
    assert record.document.issuer == "Khối thi đua các hội quần chúng tỉnh Nam Định"


def test_document_code_takes_its_d_stroke_from_the_issuer_initials() -> None:
    """English-model OCR reads Đ as D; the code abbreviates the issuer, which says Đ."""
    record = _parse_text("UBND TỈNH BÌNH ĐỊNH\nKHỐI THI ĐUA CÁC HỘI ĐẶC THÙ\n"
                         "Số: 09/BC-KTDHDT Bình Định, ngày 3 tháng 12 năm 2021\nBÁO CÁO\n"
                         "Tổng kết năm 2021")
    assert record.document.number == "09/BC-KTĐHĐT"
    other = _parse_text("HỘI DƯỢC HỌC\nSố: 5/BC-DH Bình Định, ngày 3 tháng 12 năm 2021\n"
                        "BÁO CÁO\nTổng kết năm 2021")
    assert other.document.number == "5/BC-DH"
    # … and as P; a bloc's number read as a look-alike letter is the numeral it stands for
    bloc = _parse_text("UBND TỈNH PHÚ YÊN\nKHỐI THI ĐUA CÁC HỘI SỐ T\n"
                       "Số: 12/BC-KTPCHSI Phú Yên, ngày 3 tháng 12 năm 2021\nBÁO CÁO\n"
                       "Tổng kết năm 2021")
    assert (bloc.document.issuer, bloc.document.number) == (
        "Khối thi đua các hội số I tỉnh Phú Yên", "12/BC-KTĐCHSI")
    plain = _parse_text("HỘI PHỤ NỮ\nSố: 7/BC-HPN Phú Yên, ngày 3 tháng 12 năm 2021\n"
                        "BÁO CÁO\nTổng kết năm 2021")
    assert plain.document.number == "7/BC-HPN"
    # a number's digits read as look-alikes are digits; a number that reads as none is none
    # … and a slash and dash lost or a dash read as a dot are put back, a tail of specks dropped
    for written, number in (("I5/BC-HPN", "15/BC-HPN"), ("+3/BC-HPN", None), ("2%/BC", None),
                            ("I5BCHPN", "15/BC-HPN"), ("7/BC.HPN_ - _", "7/BC-HPN")):
        record = _parse_text(f"HỘI PHỤ NỮ\nSố: {written} Phú Yên, ngày 3 tháng 12 năm 2021\n"
                             "BÁO CÁO\nTổng kết năm 2021")
        assert record.document.number == number, written


def test_a_tired_scans_specks_and_broken_commas_in_the_header_and_headings() -> None:
    # lines written here: a speck after the superior body, the date line's comma read as a
    # full stop, a speck before a section number, an 8 read as §
    record = _parse_text(
        "UBND TỈNH HÀ NAM _ CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "KHỐI THI ĐUA CÁC HỘI ĐẶC THÙ Độc lập - Tự do - Hạnh phúc\n"
        "Số: 05/BC-KTĐHĐT Hà Nam. ngày 09 tháng 12 năm 2022\nBÁO CÁO\n"
        "Tổng kết công tác thi đua năm 2022\nI. KẾT QUẢ\n"
        "_7. Hội Người mù tỉnh\nHội có 1.200 hội viên.\n§. Hội Đông y tỉnh\nHội có 350 hội viên.")
    doc = record.document
    assert (doc.place, doc.date) == ("Hà Nam", "2022-12-09")
    assert doc.issuer == "Khối thi đua các hội đặc thù tỉnh Hà Nam"
    assert [(s.number, s.title) for s in record.sections][-2:] == [
        ("7", "Hội Người mù tỉnh"), ("8", "Hội Đông y tỉnh")]


@pytest.mark.parametrize("day, month, date", [("[O", "l2", "2021-12-10"), ("2§", "O3", "2021-03-28"),
                                             ("l5", "1I", "2021-11-15"), ("4S", "12", None),
                                             ("12", "l2r", "2021-12-12")])
def test_a_dates_digits_read_as_look_alikes(day: str, month: str, date: str | None) -> None:
    record = _parse_text("UBND TỈNH NINH BÌNH CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
                         f"HỘI LUẬT GIA Ninh Bình, ngày {day} tháng {month} năm 2021\n"
                         "BÁO CÁO\nTổng kết năm 2021\n")
    assert (record.document.place, record.document.date) == ("Ninh Bình", date)


def test_a_motto_garbled_at_its_first_letter_leaves_no_fragment_in_the_issuer() -> None:
    record = _parse_text(  # lines written here: the motto's Độc read as "DPoc"
        "UBND TỈNH HÀ NAM CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "KHỐI THI ĐUA CÁC TỔ CHỨC DPoc lập - Tự do - Hạnh phúc\n"
        "HỘI TỈNH HÀ NAM\n"
        "Số: 05/BC-KTĐ Hà Nam, ngày 09 tháng 12 năm 2022\nBÁO CÁO\nTổng kết năm 2022")
    assert record.document.issuer == "Khối thi đua các tổ chức hội tỉnh Hà Nam"
