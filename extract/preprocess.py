"""Page image clean-up before OCR: straighten pages scanned slightly askew (and the
geometry that takes word boxes back to the page as scanned).

Tesseract reads lines best when they are horizontal. The skew is found as the angle at
which the rows of ink line up best (the horizontal projection profile is sharpest), first
coarsely on a small copy of the page, then finely; only angles within ±MAX_SKEW degrees
are considered (larger turns are OSD's business) and turns below MIN_SKEW are left alone.
"""
from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from extract.text import Page

MAX_SKEW = 5.0
# Levelling pays off clearly from 2° (the OCR bench, bw200 pages turned 2–4.5° more:
# 79.9 % → 98.9 % syllable accuracy) and a little from 0.5° (bw200 as scanned, skew
# within ±1.5°: 98.83 % → 98.89 %); below 0.5° it only resamples the page.
MIN_SKEW = 0.5


def _sharpness(ys: np.ndarray, xs: np.ndarray, angle: float) -> float:
    """How sharply the rows of ink pixels (ys, xs) stand out once turned by ``angle``
    degrees (for angles this small a turn is, to the rows, a shear)."""
    rows = np.rint(ys - xs * np.tan(np.radians(angle))).astype(np.int64)
    profile = np.bincount(rows - rows.min()).astype(np.float64)
    return float(np.square(np.diff(profile)).sum())


def skew_angle(image: Image.Image) -> float:
    """The counter-clockwise angle in degrees that makes the text lines of ``image`` level."""
    gray = np.asarray(image.convert("L"))
    step = max(1, round(gray.shape[1] / 1200))  # work at about 1200 px across
    ys, xs = np.nonzero(gray[::step, ::step] < 128)
    if len(ys) < 0.002 * gray.size / step**2:  # (nearly) blank page
        return 0.0
    coarse = max(np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, 0.5),
                 key=lambda a: _sharpness(ys, xs, a))
    fine = np.arange(coarse - 0.5, coarse + 0.5 + 1e-9, 0.1)
    return float(max(fine, key=lambda a: _sharpness(ys, xs, a)))


def level_matrix(size: tuple[int, int], angle: float) -> np.ndarray:
    """The 3×3 affine map from an image of ``size`` (width, height) to its copy turned by
    ``angle`` degrees counter-clockwise about its centre on the same canvas (``deskew``)."""
    width, height = size
    return np.vstack([cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0),
                      [0.0, 0.0, 1.0]])


def turn_matrix(size: tuple[int, int], clockwise: int) -> np.ndarray:
    """The 3×3 map from an image of ``size`` to its copy turned ``clockwise`` degrees (0, 90,
    180 or 270) on a canvas that fits it, as ``Image.rotate(-clockwise, expand=True)``."""
    width, height = size
    return np.array({0: [[1, 0, 0], [0, 1, 0]],
                     90: [[0, -1, height], [1, 0, 0]],
                     180: [[-1, 0, width], [0, -1, height]],
                     270: [[0, 1, 0], [-1, 0, width]]}[clockwise % 360] + [[0, 0, 1]],
                    dtype=np.float64)


def map_boxes(page: Page, matrix: np.ndarray, size: tuple[int, int]) -> None:
    """Move every word box of ``page`` by the 3×3 affine ``matrix`` onto an image of
    ``size``: each box becomes the upright box around its corners there, clipped to it."""
    width, height = size
    for line in page.lines:
        for word in line.words:
            if word.box is None:
                continue
            left, top, w, h = word.box
            corners = np.array([[left, left + w, left, left + w],
                                [top, top, top + h, top + h], [1, 1, 1, 1]], dtype=float)
            xs, ys, _ = matrix @ corners
            x0, y0 = max(0, int(np.floor(xs.min()))), max(0, int(np.floor(ys.min())))
            x1, y1 = min(width, int(np.ceil(xs.max()))), min(height, int(np.ceil(ys.max())))
            word.box = (x0, y0, max(1, x1 - x0), max(1, y1 - y0))
    page.size = size


def deskew(image: Image.Image) -> tuple[Image.Image, float]:
    """``image`` turned so its text lines are level, and the angle turned (0 when left)."""
    angle = skew_angle(image)
    if abs(angle) < MIN_SKEW:
        return image, 0.0
    gray = np.asarray(image.convert("L"))
    height, width = gray.shape
    level = cv2.warpAffine(gray, level_matrix(image.size, angle)[:2], (width, height),
                           flags=cv2.INTER_LINEAR, borderValue=255)
    result = Image.fromarray(level)
    result.info["dpi"] = image.info.get("dpi", (300, 300))
    return result, angle
