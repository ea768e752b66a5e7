"""The legend of a bivariate map: a 3 × 3 grid of colours with the units in each cell, the two axes with
their tertile bounds, what each corner means, and the units that lack a value (grey, counted by what they
lack). Used by the map view; the poster draws the same grid (dashboard/poster.py)."""

from __future__ import annotations

from dash import html

from dashboard.bivariate import SIDE, axis_text
from dashboard.i18n import fmt_number, t
from dashboard.indicators import Indicator
from dashboard.mapdata import MapModel


def legend(first: Indicator, second: Indicator, model: MapModel, lang: str) -> list:
    grid = model.bivariate
    x, y = first.label(lang), second.label(lang)
    cells = []
    for row in reversed(range(SIDE)):  # high y on top
        for col in range(SIDE):
            count = int(grid.counts[row, col])
            cells.append(
                html.Div(
                    fmt_number(count, lang),
                    className="atlas-bivariate-cell",
                    style={
                        "backgroundColor": model.colours[SIDE * row + col],
                        "color": "#fff" if row + col >= 3 else "#111",
                    },
                    title=t(
                        "bivariate.cell",
                        lang,
                        x=x,
                        y=y,
                        x_class=t(f"bivariate.level_{col}", lang),
                        y_class=t(f"bivariate.level_{row}", lang),
                        count=fmt_number(count, lang),
                    ),
                    **{"data-cell": f"{col},{row}"},
                )
            )
    corners = [
        t("bivariate.corner_hh", lang, x=x, y=y),
        t("bivariate.corner_lh", lang, x=x, y=y),
        t("bivariate.corner_hl", lang, x=x, y=y),
        t("bivariate.corner_ll", lang, x=x, y=y),
    ]
    return [
        html.H2(t("bivariate.title", lang, x=x, y=y), className="atlas-legend-title"),
        html.Div(
            className="atlas-bivariate-row",
            children=[
                html.Div(
                    className="atlas-bivariate",
                    children=[
                        html.Div(f"↑ {y}", className="atlas-bivariate-y"),
                        html.Div(
                            cells,
                            className="atlas-bivariate-grid",
                            role="img",
                            **{"aria-label": t("bivariate.grid_label", lang, x=x, y=y)},
                        ),
                        html.Div(f"{x} →", className="atlas-bivariate-x"),
                    ],
                ),
                html.Ul([html.Li(c) for c in corners], className="atlas-bivariate-corners"),
            ],
        ),
        html.Details(
            className="atlas-small",
            children=[
                html.Summary(t("bivariate.classes", lang)),
                html.P(axis_text(first, grid.x, lang), className="atlas-bivariate-axis"),
                html.P(axis_text(second, grid.y, lang), className="atlas-bivariate-axis"),
            ],
        ),
        html.Ul(
            className="atlas-legend-rows",
            children=[
                html.Li(
                    className="atlas-legend-row",
                    children=[
                        html.Span(className="atlas-swatch atlas-swatch-missing"),
                        html.Span(t("bivariate.no_value", lang), className="atlas-legend-label"),
                        html.Span(
                            t("map.units_of", lang, count=fmt_number(model.missing, lang)),
                            className="atlas-legend-count",
                        ),
                    ],
                )
            ]
            if model.missing
            else [],
        ),
    ]


def missing_text(first: Indicator, second: Indicator, model: MapModel, lang: str) -> str:
    grid = model.bivariate
    if not grid.missing:
        return t("bivariate.complete", lang, total=fmt_number(model.in_selection, lang))
    return t(
        "bivariate.missing",
        lang,
        missing=fmt_number(grid.missing, lang),
        total=fmt_number(model.in_selection, lang),
        x=first.label(lang),
        y=second.label(lang),
        without_x=fmt_number(grid.without_x, lang),
        without_y=fmt_number(grid.without_y, lang),
        without_either=fmt_number(grid.without_either, lang),
    )
