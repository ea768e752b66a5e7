"""Pure figure builders: data in, plotly figure out. No I/O, no callback context.

Plotly is used for the charts only (the map is MapLibre). Every figure has its title, axis titles with
units, and a toolbar with PNG export; none draws geographic data, so nothing is fetched from a CDN.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from dashboard.i18n import SEPARATORS, fmt_number
from dashboard.stats import BoxStats, GroupSummary, box_stats

FONT = dict(family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size=13, color="#1f1f1f")
GROUP_COLOURS = {  # Okabe-Ito, colour-blind-safe
    "mountain": "#0072B2",
    "non_mountain": "#E69F00",
    "central": "#009E73",
    "intermediate": "#56B4E9",
    "peripheral": "#D55E00",
}
MOUNT_TYPE_COLOURS = {1: "#0072B2", 2: "#56B4E9", 3: "#009E73", 4: "#E69F00", 0: "#999999"}
PNG_CONFIG = {
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "scale": 2},
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
}


def separators(lang: str) -> str:
    """Return plotly's `separators` (decimal, then thousands) for `lang`, as dashboard.i18n writes numbers."""
    decimal, thousands = SEPARATORS.get(lang, SEPARATORS["en"])
    return decimal + thousands


def localise(fig: go.Figure, lang: str) -> go.Figure:
    """Write the figure's axis and hover numbers the way `lang` writes them."""
    fig.update_layout(separators=separators(lang))
    return fig


def _base(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        title=dict(text=title, x=0, xanchor="left", font=dict(size=15)),
        font=FONT,
        height=height,
        margin=dict(l=60, r=20, t=60, b=50),
        paper_bgcolor="white",
        plot_bgcolor="white",
        legend=dict(orientation="h", y=-0.2),
    )
    return fig


def radar(
    axes: Sequence[str],
    scores: Sequence[float],
    title: str,
    name: str,
    scale: tuple[float, float] = (0, 100),
    colour: str = "#0072B2",
    earlier: tuple[str, Sequence[float | None]] | None = None,
) -> go.Figure:
    """Return a radar of `scores` (within `scale`, outward = better) over `axes`; `earlier` (a name and
    its scores) is drawn beneath as a dashed outline, for two assessments of one place.

    The radar sits in the narrow profile panel: its title and axis names are wrapped onto several lines, or
    plotly would cut them at the edge ("Periphe…").
    """
    axes = [_wrap(a, 14) for a in axes]
    theta = list(axes) + [axes[0]] if axes else []
    r = list(scores) + [scores[0]] if scores else []
    fig = go.Figure()
    if earlier is not None:
        before = list(earlier[1]) + [earlier[1][0]] if earlier[1] else []
        fig.add_trace(
            go.Scatterpolar(
                r=before,
                theta=theta,
                name=earlier[0],
                line=dict(color="#555555", dash="dash"),
                connectgaps=False,
                hovertemplate="%{theta}: %{r:.3~g}<extra>" + earlier[0] + "</extra>",
            )
        )
    fig.add_trace(
        go.Scatterpolar(
            r=r,
            theta=theta,
            fill="toself",
            name=name,
            line=dict(color=colour),
            hovertemplate="%{theta}: %{r:.3~g}<extra></extra>",
        )
    )
    fig.update_layout(
        polar=dict(
            radialaxis=dict(
                range=list(scale),
                angle=90,
                tickvals=[25, 50, 75] if scale == (0, 100) else list(range(int(scale[0]), int(scale[1]) + 1)),
            ),
            angularaxis=dict(direction="clockwise", tickfont=dict(size=11)),
        ),
        showlegend=earlier is not None,
        legend=dict(orientation="h", x=0.5, xanchor="center", y=-0.08),
    )
    _base(fig, _wrap(title, 44), 340)
    # Axis names stand outside the circle: wide side margins keep "Unterstützung" inside the panel.
    # The top axis's name stands above the circle: the title needs room above it.
    fig.update_layout(
        title=dict(x=0.5, xanchor="center", y=0.95, yanchor="top", font_size=13),
        margin=dict(l=95, r=95, t=125, b=30),
    )
    return fig


def _wrap(text: str, width: int) -> str:
    """Break `text` into lines of at most `width` characters (plotly's <br>), at spaces only."""
    return "<br>".join(textwrap.wrap(text, width, break_long_words=False)) or text


def _box(stats: BoxStats, x, name: str, colour: str, **kwargs) -> go.Box:
    """Return a precomputed box: five numbers travel to the browser instead of every value."""
    return go.Box(
        x=[x],
        q1=[stats.q1],
        median=[stats.median],
        q3=[stats.q3],
        lowerfence=[stats.lower],
        upperfence=[stats.upper],
        name=name,
        marker_color=colour,
        boxpoints=False,
        hoverinfo="y",
        **kwargs,
    )


def group_boxes(
    groups: Sequence[tuple[str, str, np.ndarray]],
    summaries: Sequence[GroupSummary],
    title: str,
    value_title: str,
    median_label: str,
    interval_label: str,
    log: bool = False,
    lang: str = "en",
) -> go.Figure:
    """Return box plots of each group's values with the median and its interval as a marker with error bars.

    `groups` holds (key, label, values) with key one of GROUP_COLOURS; `summaries` the matching summaries.
    """
    fig = go.Figure()
    for (key, label, values), summary in zip(groups, summaries):
        axis_label = f"{label} (n = {fmt_number(summary.n, lang)})"
        stats = box_stats(values)
        if stats is None:
            continue
        fig.add_trace(_box(stats, axis_label, axis_label, GROUP_COLOURS.get(key, "#777777"), showlegend=False))
        error = None
        if summary.has_interval:
            error = dict(
                type="data",
                symmetric=False,
                array=[summary.high - summary.median],
                arrayminus=[summary.median - summary.low],
                color="#1f1f1f",
                thickness=2,
                width=8,
            )
        fig.add_trace(
            go.Scatter(
                x=[axis_label],
                y=[summary.median],
                mode="markers",
                marker=dict(color="#1f1f1f", size=9),
                error_y=error,
                showlegend=False,
                name=median_label,
                hovertemplate=f"{median_label}: %{{y:.4~g}}<br>"
                + (
                    f"{interval_label}: {fmt_number(summary.low, lang)} – {fmt_number(summary.high, lang)}"
                    if summary.has_interval
                    else ""
                )
                + "<extra></extra>",
            )
        )
    fig.update_yaxes(title=value_title, gridcolor="#e5e5e5", zeroline=False, type="log" if log else "linear")
    return _base(fig, title, 420)


def country_boxes(
    rows: Sequence[tuple[str, str, str, np.ndarray]], title: str, value_title: str, log: bool = False
) -> go.Figure:
    """Return grouped box plots per country: rows of (country label, group key, group label, values)."""
    fig = go.Figure()
    shown: set[str] = set()
    for country, key, label, values in rows:
        stats = box_stats(values)
        if stats is None:
            continue
        fig.add_trace(
            _box(
                stats,
                country,
                label,
                GROUP_COLOURS.get(key, "#777777"),
                legendgroup=key,
                offsetgroup=key,
                showlegend=key not in shown,
            )
        )
        shown.add(key)
    fig.update_layout(boxmode="group")
    fig.update_yaxes(title=value_title, gridcolor="#e5e5e5", zeroline=False, type="log" if log else "linear")
    return _base(fig, title, 440)


def distance_scatter(
    distance: np.ndarray,
    values: np.ndarray,
    mount_type: np.ndarray,
    names: np.ndarray,
    labels: dict[int, str],
    title: str,
    x_title: str,
    y_title: str,
    log: bool = False,
) -> go.Figure:
    """Return the indicator against distance to the nearest urban centre, coloured by NUTS 3 mountain type.

    WebGL scatter (Scattergl) keeps 18,000 points responsive.
    """
    fig = go.Figure()
    ok = ~np.isnan(values) & ~np.isnan(distance)
    for code, label in labels.items():
        mask = ok & (mount_type == code)
        if not mask.any():
            continue
        fig.add_trace(
            go.Scattergl(
                x=distance[mask],
                y=values[mask],
                mode="markers",
                name=label,
                text=names[mask],
                marker=dict(size=4, opacity=0.55, color=MOUNT_TYPE_COLOURS.get(code, "#999999")),
                hovertemplate="%{text}<br>%{x:.1f} km · %{y:.3~f}<extra></extra>",
            )
        )
    fig.update_xaxes(title=x_title, gridcolor="#e5e5e5", zeroline=False)
    fig.update_yaxes(title=y_title, gridcolor="#e5e5e5", zeroline=False, type="log" if log else "linear")
    return _base(fig, title, 460)
