"""Poster export: the current map with title, legend, sources and date, for printing on A1.

Drawn on the server with matplotlib from the map geometry of the build, in the equal-area projection
EPSG:3035 (what a printed map of the Alps should use), with exactly the classes and colours of the map on
screen (dashboard/mapdata.py; continuous colours blended between the same stops as in the browser). PDF
and SVG are vector graphics; PNG is rendered at 150 dpi, which on A1 (841 x 594 mm) gives 4967 x 3508
pixels.
"""

from __future__ import annotations

import io
import threading
from datetime import date
from functools import lru_cache

import geopandas as gpd
import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from dashboard.atlas import Atlas
from dashboard.classify import FILTERED_COLOUR, MISSING_COLOUR
from dashboard.composite import index_of
from dashboard.i18n import fmt_date, fmt_number, t, unit_label
from dashboard.indicators import Indicators
from dashboard.mapdata import feature_classes, legend_digits, map_model
from dashboard.peer_table import label, peer_rows, run, scope_text
from dashboard.state import LATEST, State
from dashboard.vocabulary import country_name

FORMATS = {"pdf": "application/pdf", "svg": "image/svg+xml", "png": "image/png"}
A1_INCHES = (33.11, 23.39)  # landscape
PNG_DPI = 150
PROJECTION = "EPSG:3035"
PEER_COLOUR = "#cc79a7"  # as on the map (assets/atlas-map.js OUTLINES)

# Figures are made with matplotlib's object API (no pyplot, no global figure state). Drawing still shares
# font caches and rcParams, so one poster is drawn at a time per process; a second request waits a little,
# then gets "busy" (503) rather than holding a worker that the map's callbacks need.
_lock = threading.Lock()
BUSY_WAIT_S = 2.0


class PosterBusy(RuntimeError):
    """This worker is drawing another poster."""


RC = {
    "svg.fonttype": "none",  # SVG keeps its text as text: searchable, editable in a print shop
    "pdf.fonttype": 42,  # TrueType in PDF: text stays selectable
}


@lru_cache(maxsize=2)
def _geometry(atlas: Atlas) -> tuple[gpd.GeoSeries, gpd.GeoDataFrame]:
    """Return the map geometry of the units and the context outlines, projected once per dataset."""
    units = gpd.read_parquet(atlas.folder / "units_map.parquet", columns=["unit_id", "geometry"]).to_crs(PROJECTION)
    context = gpd.read_parquet(atlas.folder / "context.parquet").to_crs(PROJECTION)
    return units.geometry, context


def colours(atlas: Atlas, state: State, indicators: Indicators) -> tuple[list[str], object]:
    """Return the fill colour of every unit, as on screen, and the map model behind it."""
    model = map_model(atlas, state, indicators)
    classes = feature_classes(model)
    palette = model.colours
    result = []
    for c in classes:
        if c == -2:
            result.append(FILTERED_COLOUR)
        elif c == -1:
            result.append(MISSING_COLOUR)
        elif model.mode == "continuous":
            result.append(_between(palette, c / 100))
        else:
            result.append(palette[int(c)])
    return result, model


def _between(colours: list[str], position: float) -> str:
    """Return the colour at `position` (0..1) between the scheme's stops, as assets/atlas-map.js blends."""
    t = min(max(position, 0.0), 1.0) * (len(colours) - 1)
    i = min(len(colours) - 2, int(t))
    a, b = (tuple(int(c[k : k + 2], 16) for k in (1, 3, 5)) for c in (colours[i], colours[i + 1]))
    return "#" + "".join(f"{round(x + (y - x) * (t - i)):02x}" for x, y in zip(a, b))


def render(atlas: Atlas, state: State, indicators: Indicators, fmt: str, built: str | None = None) -> bytes:
    """Return the poster of `state` as `fmt` (pdf, svg or png)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown poster format {fmt!r}")
    lang = state.lang
    units, context = _geometry(atlas)
    fills, model = colours(atlas, state, indicators)
    indicator = indicators.get(state.indicator)
    unit = unit_label(indicator.unit, lang)
    peers = None
    if state.unit and state.peers:
        outcome = run(indicators, state)
        peers = None if isinstance(outcome, str) else outcome
    if not _lock.acquire(timeout=BUSY_WAIT_S):
        raise PosterBusy("another poster is being drawn")
    try:
        return _draw(atlas, state, indicators, fmt, built, units, context, fills, model, indicator, unit, lang, peers)
    finally:
        _lock.release()


def _draw(atlas, state, indicators, fmt, built, units, context, fills, model, indicator, unit, lang, peers) -> bytes:
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=A1_INCHES)
        ax = fig.add_axes([0.02, 0.05, 0.72, 0.83])
        units.plot(ax=ax, color=fills, linewidth=0.08, edgecolor="#ffffff")
        for layer, width, colour in (("nuts2", 0.6, "#4a4a4a"), ("country", 1.6, "#1f1f1f")):
            outlines = context[context["layer"] == layer]
            if not outlines.empty:
                outlines.boundary.plot(ax=ax, linewidth=width, color=colour)
        lakes = context[context["layer"] == "lake"]
        if not lakes.empty:
            lakes.plot(ax=ax, color="#a9cce3", linewidth=0)
        if peers:  # the unit in black, its peers in the map's peer colour
            result, _stable = peers
            positions = [int(atlas.position[p.unit_id]) for p in result.peers]
            units.iloc[positions].boundary.plot(ax=ax, linewidth=2.2, color=PEER_COLOUR)
            units.iloc[[int(atlas.position[result.unit_id])]].boundary.plot(ax=ax, linewidth=2.6, color="#000000")
        if state.zoom and state.zoom in atlas.bounds:
            _frame(ax, atlas.bounds[state.zoom])
        ax.set_axis_off()
        ax.set_aspect("equal")
        _scale_bar(ax)
        second = indicators.get(model.versus) if model.mode == "bivariate" else None
        if second is not None:
            title = t("bivariate.title", lang, x=indicator.label(lang), y=second.label(lang))
        else:
            title = indicator.label(lang) + (f" ({unit})" if unit else "")
        fig.text(0.02, 0.95, title, fontsize=40, fontweight="bold", va="top")
        fig.text(0.02, 0.905, _subtitle(atlas, state, model), fontsize=20, va="top", color="#333333")
        below = _bivariate_legend(fig, model, indicator, second, lang) if second else _legend(fig, model, unit, lang)
        if peers:
            _peer_table(fig, atlas, indicators, state, peers, below)
        elif indicator.derived and state.index.method() is not None:
            _index_method(fig, indicators, state, below)
        sources = "\n".join(
            e.source + (f" — {e.licence}" if e.licence else "") for e in (indicator, second) if e is not None
        )
        fig.text(
            0.02,
            0.025,
            sources + "\n" + t("map.attribution", lang),
            fontsize=14,
            va="bottom",
            color="#333333",
            wrap=True,
        )
        stamp = t(
            "poster.stamp",
            lang,
            built=fmt_date(built or atlas.manifest.get("built_at", ""), lang),
            today=fmt_date(date.today(), lang),
        )
        fig.text(0.98, 0.025, stamp, fontsize=14, ha="right", va="bottom", color="#333333")
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, dpi=PNG_DPI if fmt == "png" else 72, metadata=_metadata(fmt, title))
    return buffer.getvalue()


def _metadata(fmt: str, title: str) -> dict:
    if fmt == "png":
        return {"Title": title, "Software": "PlurAlps Atlas"}
    if fmt == "pdf":
        return {"Title": title, "Creator": "PlurAlps Atlas"}
    return {"Title": title}


def _subtitle(atlas: Atlas, state: State, model) -> str:
    lang = state.lang
    present = model.selection & ~np.isnan(model.values)
    years = sorted({int(y) for y in model.years[present] if y})
    when = ", ".join(map(str, years)) if state.year == LATEST else str(state.year)
    where = (
        ", ".join(country_name(c, lang) for c in state.countries) if state.countries else t("compare.everywhere", lang)
    )
    method = t("bivariate.method", lang) if model.mode == "bivariate" else t(f"method.{state.method}", lang)
    text = f"{where} · {when} · {method}"
    return text[:1].upper() + text[1:]


def _bivariate_legend(fig, model, first, second, lang: str) -> float:
    """The 3 × 3 grid with the units per cell, the axes, the corners and the missing units (as on screen,
    views/bivariate_legend.py); return the figure height below it."""
    from dashboard.bivariate import SIDE, axis_text

    grid = model.bivariate
    ax = fig.add_axes([0.80, 0.64, 0.12, 0.17])
    for row in range(SIDE):
        for col in range(SIDE):
            ax.add_patch(Rectangle((col, row), 1, 1, color=model.colours[SIDE * row + col]))
            ax.text(
                col + 0.5,
                row + 0.5,
                fmt_number(int(grid.counts[row, col]), lang),
                ha="center",
                va="center",
                fontsize=16,
                color="#ffffff" if row + col >= 3 else "#111111",
            )
    ax.set_xlim(0, SIDE)
    ax.set_ylim(0, SIDE)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel(f"{first.label(lang)} →", fontsize=16)
    ax.set_ylabel(f"↑ {second.label(lang)}", fontsize=16)
    x, y = first.label(lang), second.label(lang)
    lines = [t(f"bivariate.corner_{c}", lang, x=x, y=y) for c in ("hh", "lh", "hl", "ll")]
    lines += ["", t("bivariate.classes", lang) + ":", axis_text(first, grid.x, lang), axis_text(second, grid.y, lang)]
    missing = (
        t(
            "bivariate.missing",
            lang,
            missing=fmt_number(grid.missing, lang),
            total=fmt_number(model.in_selection, lang),
            x=x,
            y=y,
            without_x=fmt_number(grid.without_x, lang),
            without_y=fmt_number(grid.without_y, lang),
            without_either=fmt_number(grid.without_either, lang),
        )
        if grid.missing
        else t("bivariate.complete", lang, total=fmt_number(model.in_selection, lang))
    )
    lines += ["", missing]
    note = fig.text(0.765, 0.60, "\n".join(lines), fontsize=15, va="top", wrap=True)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = (fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)).get_renderer()
    return note.get_window_extent(renderer).transformed(fig.transFigure.inverted()).y0


def _legend(fig, model, unit: str, lang: str) -> None:
    handles = []
    if model.mode == "continuous" and model.legend:
        handles.append(Patch(color=model.colours[0], label=f"{fmt_number(model.legend[0].lower, lang)} {unit}"))
        handles.append(Patch(color=model.colours[-1], label=f"{fmt_number(model.legend[-1].upper, lang)} {unit}"))
    else:
        digits = legend_digits([b for row in model.legend for b in (row.lower, row.upper)])
        for row in model.legend:
            text = (
                row.label
                if model.mode == "categories"
                else (f"{fmt_number(row.lower, lang, digits)} – {fmt_number(row.upper, lang, digits)}")
            )
            handles.append(
                Patch(
                    color=row.colour, label=f"{text}   ({t('map.units_of', lang, count=fmt_number(row.count, lang))})"
                )
            )
    if model.missing:
        handles.append(
            Patch(
                color=MISSING_COLOUR,
                label=f"{t('map.no_value', lang)}   ({t('map.units_of', lang, count=fmt_number(model.missing, lang))})",
            )
        )
    legend = fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.76, 0.86),
        fontsize=18,
        frameon=False,
        title=t("map.legend", lang) + (f" ({unit})" if unit else ""),
        title_fontsize=22,
        alignment="left",
    )
    missing = (
        t("map.missing", lang, missing=fmt_number(model.missing, lang), total=fmt_number(model.in_selection, lang))
        if model.missing
        else t("map.complete", lang, total=fmt_number(model.in_selection, lang))
    )
    # Right under the legend, whose height depends on its number of classes: measured, not guessed.
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = (fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)).get_renderer()
    bottom = legend.get_window_extent(renderer).transformed(fig.transFigure.inverted()).y0
    note = fig.text(0.765, bottom - 0.012, missing, fontsize=16, va="top", wrap=True)
    return note.get_window_extent(renderer).transformed(fig.transFigure.inverted()).y0


def _peer_table(fig, atlas: Atlas, indicators: Indicators, state: State, peers, top: float) -> None:
    """The unit's peers under the legend: rank, name and country, distance and stability, then the method
    (indicators with their weights, scope, minimum in common) and the sources of the values compared."""
    lang = state.lang
    result, stable = peers
    a = int(atlas.position[result.unit_id])
    heading = t(
        "peers.heading", lang, name=atlas.units.at[a, "name"], country=country_name(atlas.units.at[a, "country"], lang)
    )
    y = top - 0.025
    fig.text(0.765, y, heading, fontsize=20, fontweight="bold", va="top")
    y -= 0.03
    columns = (0.765, 0.785, 0.915, 0.955)
    for x, text in zip(
        columns, ("#", t("peers.col_unit", lang), t("peers.col_distance", lang), t("peers.col_stable", lang))
    ):
        fig.text(x, y, text, fontsize=13, fontweight="bold", va="top")
    rows = peer_rows(indicators, result, stable)[1:]
    step = min(0.018, max(0.010, (y - 0.16) / max(1, len(rows) + 1)))
    for row in rows:
        y -= step
        name = f"{row.name} ({country_name(row.country, lang)})"
        kept = t("peers.kept", lang, kept=row.kept, runs=stable.runs) if row.kept is not None else "–"
        for x, text in zip(columns, (str(row.rank), name[:40], fmt_number(row.distance, lang, 2), kept)):
            fig.text(x, y, text, fontsize=13, va="top")
    used = ", ".join(
        f"{label(indicators, i, lang)}" + (f" ×{fmt_number(w, lang)}" if w != 1 else "") for i, w in result.method.used
    )
    method = (
        f"{t('peers.indicators', lang)}: {used}. {scope_text(result, lang)[:1].upper()}{scope_text(result, lang)[1:]}; "
        + t("peers.min_common", lang)
        + f": {result.required}. "
        + t("peers.stable_help", lang)
        + "."
    )
    fig.text(0.765, y - 0.02, method, fontsize=12, va="top", wrap=True, color="#333333")


def _index_method(fig, indicators: Indicators, state: State, top: float) -> None:
    """The composite index's method under the legend: every component with its direction, weight, years and
    sources, then the choices and the Monte Carlo (a printed map says how it was made)."""
    lang = state.lang
    atlas = indicators.atlas
    result = index_of(indicators, state.index.method())
    y = top - 0.025
    fig.text(0.765, y, t("index.poster_components", lang), fontsize=20, fontweight="bold", va="top")
    for j, component in enumerate(result.components):
        series = indicators.series(component.indicator)
        has = ~np.isnan(result.raw[:, j])
        years = sorted({int(v) for v in np.unique(series.years[has]) if v})
        codes = sorted({int(c) for c in np.unique(series.source_codes[has]) if c >= 0})
        sources = (
            ", ".join(atlas.source_ids[c].split("+")[0] for c in codes) or indicators.get(component.indicator).source
        )
        direction = t("index.better_higher" if component.direction > 0 else "index.better_lower", lang)
        line = t(
            "index.poster_component",
            lang,
            indicator=indicators.get(component.indicator).label(lang),
            weight=fmt_number(100 * component.weight, lang, 0),
            direction=direction.lower(),
            years="–".join(map(str, (years[0], years[-1]))) if len(years) > 1 else (str(years[0]) if years else "–"),
            sources=sources,
        )
        y -= 0.022
        fig.text(0.765, y, line, fontsize=12, va="top", wrap=True)
    method = state.index.method()
    summary = t(
        "index.poster_method",
        lang,
        normalisation=t(f"index.norm_{method.normalisation}", lang),
        aggregation=t(f"index.agg_{method.aggregation}", lang),
        share=fmt_number(round(100 * method.min_share), lang),
        missing=fmt_number(result.missing, lang),
        scope=t(f"index.scope_{method.scope}", lang),
    )
    fig.text(0.765, y - 0.03, summary, fontsize=12, va="top", wrap=True, color="#333333")


def _frame(ax, bounds: list[float]) -> None:
    """Zoom the axes to lon/lat bounds (west, south, east, north), projected."""
    box = gpd.GeoSeries.from_xy([bounds[0], bounds[2]], [bounds[1], bounds[3]], crs="EPSG:4326").to_crs(PROJECTION)
    xs, ys = box.x.to_numpy(), box.y.to_numpy()
    pad = 0.03 * max(np.ptp(xs), np.ptp(ys))
    ax.set_xlim(xs.min() - pad, xs.max() + pad)
    ax.set_ylim(ys.min() - pad, ys.max() + pad)


def _scale_bar(ax) -> None:
    """Draw a 100 km bar (EPSG:3035 is in metres and equal-area, so the bar is true near the centre)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = 100_000 if (x1 - x0) > 300_000 else 20_000
    x = x0 + 0.03 * (x1 - x0)
    y = y0 + 0.03 * (y1 - y0)
    ax.plot([x, x + length], [y, y], color="#1f1f1f", linewidth=4, solid_capstyle="butt")
    ax.text(x + length / 2, y + 0.01 * (y1 - y0), f"{length // 1000} km", ha="center", va="bottom", fontsize=14)
