"""A small line chart as an SVG data URI: a unit's values over the years and a reference line (its
country's median), for a table row. No plotly figure per row: a profile can hold a dozen of them, and an
image needs no script, draws offline and prints.

Years are placed at their true distance (2011, 2015, 2021 are not equally spaced); the vertical scale
spans both lines, so the two can be compared; a missing reference year breaks the reference line.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence

WIDTH, HEIGHT, PAD = 120, 34, 3
UNIT_COLOUR = "#0072B2"  # Okabe-Ito blue, as the profile's radar
REFERENCE_COLOUR = "#767676"  # grey with 4.5:1 contrast on white


def _points(years: Sequence[int], values: Sequence[float], lo: float, hi: float) -> list[list[tuple[float, float]]]:
    """The polyline segments of `values` (split where a value is missing)."""
    first, last = years[0], years[-1]
    span_x = (last - first) or 1
    span_y = (hi - lo) or 1.0
    segments: list[list[tuple[float, float]]] = [[]]
    for year, value in zip(years, values):
        if value is None or math.isnan(value):
            if segments[-1]:
                segments.append([])
            continue
        x = PAD + (year - first) / span_x * (WIDTH - 2 * PAD)
        y = HEIGHT - PAD - (value - lo) / span_y * (HEIGHT - 2 * PAD)
        segments[-1].append((round(x, 1), round(y, 1)))
    return [s for s in segments if s]


def _polyline(points: list[tuple[float, float]], colour: str, dashed: bool) -> str:
    coords = " ".join(f"{x},{y}" for x, y in points)
    dash = ' stroke-dasharray="3 2"' if dashed else ""
    if len(points) == 1:
        x, y = points[0]
        return f'<circle cx="{x}" cy="{y}" r="1.8" fill="{colour}"/>'
    return f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="1.6"{dash}/>'


def sparkline_svg(years: Sequence[int], values: Sequence[float], reference: Sequence[float] = ()) -> str:
    """Return the SVG markup of `values` over `years` (at least one), with `reference` dashed."""
    finite = [v for v in (*values, *reference) if v is not None and not math.isnan(v)]
    lo, hi = (min(finite), max(finite)) if finite else (0.0, 1.0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}">'
    ]
    if reference:
        parts += [_polyline(s, REFERENCE_COLOUR, True) for s in _points(years, reference, lo, hi)]
    unit = _points(years, values, lo, hi)
    parts += [_polyline(s, UNIT_COLOUR, False) for s in unit]
    if unit:  # the last value marked: where the unit stands now
        x, y = unit[-1][-1]
        parts.append(f'<circle cx="{x}" cy="{y}" r="2.2" fill="{UNIT_COLOUR}"/>')
    parts.append("</svg>")
    return "".join(parts)


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
