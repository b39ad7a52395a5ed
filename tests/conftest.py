"""Shared fixtures: a short Vietnamese report page, rendered as a real scan-like image.

The lines are written for the tests (genre-typical, not taken from any seed or sample).
A page with few lines keeps each real Tesseract run short.
"""
from __future__ import annotations

import pytest
from PIL import Image

from extract import synth

PAGE_LINES = [
    "BÁO CÁO TỔNG KẾT CÔNG TÁC THI ĐUA, KHEN THƯỞNG NĂM 2021",
    "Hội Liên hiệp Phụ nữ tỉnh có 2.318 chi hội với 41.560 hội viên;",
    "trong năm đã kết nạp mới 1.204 hội viên, đạt 112,5% kế hoạch.",
    "Quỹ hỗ trợ phụ nữ nghèo đạt 3,75 tỷ đồng, giúp 286 hộ thoát nghèo.",
]

SECOND_PAGE_LINES = [
    "II. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2022",
    "Phấn đấu tăng thêm 5% số hội viên và xây dựng 20 mô hình mới.",
]


@pytest.fixture(scope="session")
def page_image() -> Image.Image:
    """A clean 300 dpi grayscale page showing PAGE_LINES."""
    return synth.render_page(PAGE_LINES)


@pytest.fixture(scope="session")
def second_page_image() -> Image.Image:
    """A clean 300 dpi grayscale page showing SECOND_PAGE_LINES."""
    return synth.render_page(SECOND_PAGE_LINES)
