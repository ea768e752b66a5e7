"""Compare: the mountain vs valley and periphery vs centre question, for the chosen indicator.

For every place (all countries, then each country): n, median and the median's 95% bootstrap interval of
mountain vs non-mountain units and of central / intermediate / peripheral units; box plots of the
distributions; a plain-language sentence built from exactly those figures; and the indicator against the
distance to the nearest urban centre, coloured by NUTS 3 mountain type. The figures are
dashboard/comparison.py's (the stories' captions quote the same).
"""

from __future__ import annotations

import numpy as np
from dash import Input, Output, callback, dcc, html, no_update
from dash import State as DashState

from dashboard import ids
from dashboard.change import base_of
from dashboard.comparability import series_lines
from dashboard.comparison import ALL, PlaceComparison, compare, over_time
from dashboard.figures import PNG_CONFIG, country_boxes, distance_scatter, group_boxes, localise
from dashboard.i18n import common_digits, fmt_number, fmt_value, in_sentence, t, unit_label
from dashboard.indicators import Indicators
from dashboard.mapdata import year_key
from dashboard.session import session
from dashboard.state import State
from dashboard.stats import wants_log_scale
from dashboard.vocabulary import country_name
from geo.terms import COMPARISON_GROUPS, MOUNT_TYPES, PERIPHERALITY_CLASSES


def sentences(indicators: Indicators, comparison: PlaceComparison, state: State) -> list[str]:
    """Return the plain-language sentences for one place, built from its summaries only."""
    lang = state.lang
    indicator = indicators.get(state.indicator)
    label = in_sentence(indicator.label(lang), lang)
    unit = unit_label(indicator.unit, lang)
    place = place_name(comparison.place, state)
    g = comparison.groups
    out = []
    if g["peripheral"].n and g["central"].n:
        digits = common_digits(g["peripheral"].median, g["central"].median)
        out.append(
            t(
                "compare.sentence_periph",
                lang,
                place=place,
                indicator=label,
                peripheral=fmt_value(g["peripheral"].median, unit, lang, digits),
                n_peripheral=fmt_number(g["peripheral"].n, lang),
                central=fmt_value(g["central"].median, unit, lang, digits),
                n_central=fmt_number(g["central"].n, lang),
            )
        )
    else:
        out.append(
            t(
                "compare.sentence_missing",
                lang,
                place=place,
                groups=f"{t('class.peripheral', lang)} / {t('class.central', lang)}",
            )
        )
    if g["mountain"].n and g["non_mountain"].n:
        digits = common_digits(g["mountain"].median, g["non_mountain"].median)
        out.append(
            t(
                "compare.sentence_mountain",
                lang,
                place=place,
                indicator=label,
                mountain=fmt_value(g["mountain"].median, unit, lang, digits),
                n_mountain=fmt_number(g["mountain"].n, lang),
                non_mountain=fmt_value(g["non_mountain"].median, unit, lang, digits),
                n_non_mountain=fmt_number(g["non_mountain"].n, lang),
            )
        )
    else:
        out.append(
            t(
                "compare.sentence_missing",
                lang,
                place=place,
                groups=f"{t('class.mountain', lang)} / {t('class.non_mountain', lang)}",
            )
        )
    return out


def place_name(place: str, state: State, overall: bool = False) -> str:
    """Return how a place of the comparison is named: a country, the chosen countries together, or the
    whole Alpine Space (only when no country filter is set: a median of two countries is not the Alps')."""
    lang = state.lang
    if place != ALL:
        return country_name(place, lang)
    if state.countries:
        return ", ".join(country_name(c, lang) for c in state.countries)
    return t("compare.overall" if overall else "compare.everywhere", lang)


def layout(lang: str) -> list:
    return [
        html.H2(t("compare.title", lang)),
        html.Div(id=ids.COMPARE_SENTENCES, className="atlas-sentences", **{"aria-live": "polite"}),
        # Graphs are created by the callback, not here: plotly.js (1.4 MB) then loads only when Compare is
        # first opened, and the map's first render does not wait for it.
        html.Div(id=ids.COMPARE_CHARTS),
        html.Div(id=ids.COMPARE_TABLE),
    ]


def _group_label(group: str, lang: str) -> str:
    text = t(f"class.{group}", lang)
    return text[:1].upper() + text[1:]


def table(indicators: Indicators, comparisons: list[PlaceComparison], state: State) -> html.Div:
    lang = state.lang
    unit = unit_label(indicators.get(state.indicator).unit, lang)
    head = html.Thead(
        html.Tr(
            [
                html.Th(t(k, lang), scope="col")
                for k in ("compare.country", "compare.group", "compare.n", "compare.median", "compare.interval")
            ]
        )
    )
    # One number of decimals for the whole column, so that medians and bounds line up and compare.
    summaries = [c.groups[g] for c in comparisons for g in COMPARISON_GROUPS]
    median_digits = common_digits(*(s.median for s in summaries if s.n))
    bound_digits = common_digits(*(v for s in summaries if s.has_interval for v in (s.low, s.high)))
    body = []
    for comp in comparisons:
        place = place_name(comp.place, state, overall=True)
        for group in COMPARISON_GROUPS:
            s = comp.groups[group]
            interval = (
                f"{fmt_number(s.low, lang, bound_digits)} – {fmt_number(s.high, lang, bound_digits)}"
                if s.has_interval
                else (t("compare.too_small", lang) if s.n else "–")
            )
            body.append(
                html.Tr(
                    [
                        html.Th(place, scope="row"),
                        html.Td(_group_label(group, lang)),
                        html.Td(fmt_number(s.n, lang), className="num"),
                        html.Td(fmt_value(s.median, unit, lang, median_digits) if s.n else "–", className="num"),
                        html.Td(interval, className="num"),
                    ]
                )
            )
    return html.Div(
        className="atlas-table-wrap",
        children=[html.H3(t("compare.table", lang)), html.Table([head, html.Tbody(body)], className="atlas-table")],
    )


def over_time_table(indicators: Indicators, state: State) -> list:
    """The groups' medians in every year of the indicator, with n and the countries contributing."""
    rows = over_time(indicators, state)
    if not rows:
        return []
    lang = state.lang
    indicator = base_of(state.indicator) or state.indicator
    unit = unit_label(indicators.get(indicator).unit, lang)
    digits = common_digits(*(m for r in rows for m in r.medians.values() if m == m))
    head = html.Thead(
        html.Tr(
            [html.Th(t("profile.year", lang), scope="col")]
            + [html.Th(_group_label(g, lang), scope="col", className="num") for g in COMPARISON_GROUPS]
            + [html.Th(t("compare.countries", lang), scope="col")]
        )
    )
    body = [
        html.Tr(
            [html.Th(str(r.year), scope="row")]
            + [
                html.Td(
                    f"{fmt_value(r.medians[g], unit, lang, digits)} ({fmt_number(r.n[g], lang)})" if r.n[g] else "–",
                    className="num",
                )
                for g in COMPARISON_GROUPS
            ]
            + [html.Td(", ".join(country_name(c, lang) for c in r.countries))]
        )
        for r in rows
    ]
    mixed = len({r.countries for r in rows}) > 1
    return [
        html.H3(t("compare.over_time", lang, indicator=indicators.get(indicator).label(lang)), id="compare-over-time"),
        html.P(t("compare.over_time_help", lang), className="atlas-small"),
        *([html.P(t("compare.over_time_mixed", lang), className="atlas-small atlas-comparability")] if mixed else []),
        html.Div(className="atlas-table-wrap", children=html.Table([head, html.Tbody(body)], className="atlas-table")),
    ]


def charts(box, by_country, scatter) -> list:
    return [
        html.Div(
            className="atlas-compare-grid",
            children=[
                dcc.Graph(id=ids.COMPARE_BOX, figure=box, config=PNG_CONFIG),
                dcc.Graph(id=ids.COMPARE_COUNTRY_BOX, figure=by_country, config=PNG_CONFIG),
            ],
        ),
        dcc.Graph(id=ids.COMPARE_SCATTER, figure=scatter, config=PNG_CONFIG),
    ]


@callback(
    Output(ids.COMPARE_SENTENCES, "children"),
    Output(ids.COMPARE_CHARTS, "children"),
    Output(ids.COMPARE_TABLE, "children"),
    Input(ids.COMPARE_KEY, "data"),
    DashState(ids.UPLOADS, "data"),
    prevent_initial_call=True,
)
def update_compare(compare_key, uploads):
    if not isinstance(compare_key, str):
        return (no_update,) * 3
    state, indicators = session(compare_key, uploads)
    lang = state.lang
    indicator = indicators.get(state.indicator)
    if indicator.kind != "numeric":
        return [html.P(t("compare.categorical", lang))], [], None
    comparisons = compare(indicators, state)
    unit = unit_label(indicator.unit, lang)
    label = indicator.label(lang) + (f" ({unit})" if unit else "")
    intro = html.P(t("compare.intro", lang, indicator=in_sentence(indicator.label(lang), lang)))
    overall = comparisons[0]
    lines = [html.Li(s) for s in sentences(indicators, overall, state)]
    if not indicator.uploaded:  # right under the "All countries" sentences: who contributes, how far they compare
        series = indicators.series(state.indicator, year_key(state))
        lines += [
            html.Li(line, className="atlas-comparability")
            for line in series_lines(indicators.atlas, series, state.countries, lang)
        ]
    lines += [html.Li(s) for comp in comparisons[1:] for s in sentences(indicators, comp, state)]
    groups = [(g, _group_label(g, lang), overall.values[g]) for g in COMPARISON_GROUPS]
    log = wants_log_scale(np.concatenate(list(overall.values.values())))
    box = group_boxes(
        groups,
        [overall.groups[g] for g in COMPARISON_GROUPS],
        f"{label}: {place_name(ALL, state, overall=True)}",
        label,
        t("compare.median", lang),
        t("compare.interval", lang),
        log=log,
        lang=lang,
    )
    rows = [
        (country_name(c.place, lang), g, _group_label(g, lang), c.values[g])
        for c in comparisons[1:]
        for g in PERIPHERALITY_CLASSES
    ]
    by_country = country_boxes(rows, f"{label}: {t('compare.by_peripherality', lang)}", label, log=log)
    scatter = _scatter(indicators, state, label, log)
    box, by_country, scatter = (localise(f, lang) for f in (box, by_country, scatter))
    tables = html.Div([table(indicators, comparisons, state), *over_time_table(indicators, state)])
    return [intro, html.Ul(lines)], charts(box, by_country, scatter), tables


def _scatter(indicators: Indicators, state: State, label: str, log: bool):
    lang = state.lang
    series = indicators.series(state.indicator, year_key(state))
    units = indicators.atlas.units
    selection = (
        np.ones(len(units), dtype=bool) if not state.countries else units["country"].isin(state.countries).to_numpy()
    )
    values = np.where(selection, series.values, np.nan)
    mount = units["mount_type"].fillna(0).to_numpy(dtype=int)
    labels = {code: t(f"mount_type.{code}", lang) for code in MOUNT_TYPES} | {0: t("mount_type.none", lang)}
    return distance_scatter(
        units["dist_urban_centre_km"].to_numpy(dtype=float),
        values,
        mount,
        units["name"].to_numpy(dtype=object),
        labels,
        t("compare.scatter", lang, indicator=label),
        t("compare.distance", lang),
        label,
        log,
    )
