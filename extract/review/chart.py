"""A line chart of figures over the years as SVG, drawn on the server (no script, no
internet): one line per unit, a legend, the years along the bottom."""
from __future__ import annotations

from html import escape

WIDTH, HEIGHT = 760, 360
LEFT, RIGHT, TOP, BOTTOM = 70, 230, 20, 40
# Distinguishable colours (Okabe-Ito), in turn.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
           "#000000")


def _ticks(top: float) -> list[float]:
    """About five round values from 0 to at least ``top``."""
    if top <= 0:
        return [0.0, 1.0]
    step = 10 ** len(str(int(top / 5))) / 10 if top >= 5 else 1.0
    for factor in (1, 2, 2.5, 5, 10):
        if top / (step * factor) <= 5:
            step *= factor
            break
    return [step * i for i in range(int(top // step) + 2)]


def _label(value: float) -> str:
    """A tick label as Vietnamese writes numbers: 17.885, 13,1."""
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def line_chart(years: list[int], series: dict[str, dict[int, float]], title: str) -> str:
    """The SVG of ``series`` (name → year → value) over ``years``."""
    if not years or not series:
        return ""
    ticks = _ticks(max(v for by in series.values() for v in by.values()))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(year: int) -> float:
        return LEFT + (plot_w / 2 if len(years) == 1 else
                       plot_w * years.index(year) / (len(years) - 1))

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / ticks[-1])

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
           f'role="img" aria-label="{escape(title)}" class="chart">',
           f'<title>{escape(title)}</title>']
    for tick in ticks:
        out.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(tick):.1f}" '
                   f'y2="{y(tick):.1f}" stroke="#ddd"/>'
                   f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" '
                   f'font-size="12">{_label(tick)}</text>')
    for year in years:
        out.append(f'<text x="{x(year):.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" '
                   f'font-size="12">{year}</text>')
    for n, (name, by_year) in enumerate(series.items()):
        colour = COLOURS[n % len(COLOURS)]
        points = [(x(yr), y(v)) for yr, v in sorted(by_year.items())]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                       f'points="{path}"/>')
        for (px, py), (yr, v) in zip(points, sorted(by_year.items())):
            out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{colour}">'
                       f'<title>{escape(name)} {yr}: {_label(v)}</title></circle>')
        ly = TOP + 16 * n
        out.append(f'<rect x="{WIDTH - RIGHT + 12}" y="{ly}" width="12" height="3" '
                   f'fill="{colour}"/><text x="{WIDTH - RIGHT + 30}" y="{ly + 5}" '
                   f'font-size="11">{escape(name[:34])}</text>')
    out.append("</svg>")
    return "\n".join(out)
