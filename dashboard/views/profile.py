"""The profile of one unit: every indicator with value, year, source and percentiles; a radar; neighbours.

Percentiles are computed on each unit's latest values (the map's default), among all Alpine units, within
the unit's country, and among its peers (same mountain flag and peripherality class).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from dash import Input, Output, callback, dcc, html

from dashboard import ids
from dashboard.assessments import assessments_of, changes
from dashboard.atlas import Atlas
from dashboard.context import atlas as get_atlas
from dashboard.figures import PNG_CONFIG, localise, radar
from dashboard.i18n import fmt_number, fmt_value, t
from dashboard.indicators import Indicators, catalogue_indicators
from dashboard.peer_table import label as peer_label
from dashboard.peer_table import run, scope_text
from dashboard.session import session
from dashboard.sparkline import data_uri, sparkline_svg
from dashboard.state import State
from dashboard.stats import percentile_rank
from dashboard.unit_series import unit_series
from dashboard.upload.datasets import SPI_SCALE, load_datasets
from dashboard.views.index import profile_block as index_block
from dashboard.vocabulary import (
    country_name,
    indicator_label,
    region_name,
    source_publisher,
    source_title,
    unit_text,
)
from geo.terms import LATEST, SPI_FIELDS, THEMES


@dataclass(frozen=True)
class ProfileRow:
    indicator: str
    theme: str
    value: float
    year: int
    source: str
    other_years: tuple[int, ...]
    pct_all: float | None
    pct_country: float | None
    pct_peers: float | None


def profile_rows(atlas: Atlas, unit_id: str) -> list[ProfileRow]:
    """Return one row per indicator the unit has a value for (its latest value), with percentiles."""
    position = int(atlas.position[unit_id])
    units = atlas.units
    same_country = (units["country"] == units.at[position, "country"]).to_numpy()
    mountain = units["mountain"].fillna(False).to_numpy(dtype=bool)
    periph = units["peripherality"].fillna("").to_numpy(dtype=object)
    peers = (mountain == mountain[position]) & (periph == periph[position])
    catalogue = catalogue_indicators(atlas)
    rows = []
    for indicator, entry in catalogue.items():
        series = atlas.series(indicator, LATEST)
        value = series.values[position]
        if np.isnan(value):
            continue
        numeric = entry.kind == "numeric"
        other = tuple(
            y
            for y in atlas.years(indicator)
            if y != series.years[position]
            and atlas.has_series(indicator, y)
            and not np.isnan(atlas.series(indicator, y).values[position])
        )
        rows.append(
            ProfileRow(
                indicator=indicator,
                theme=entry.theme,
                value=float(value),
                year=int(series.years[position]),
                source=atlas.source_ids[series.source_codes[position]],
                other_years=other,
                pct_all=percentile_rank(series.values, value) if numeric else None,
                pct_country=percentile_rank(series.values[same_country], value) if numeric else None,
                pct_peers=percentile_rank(series.values[peers], value) if numeric else None,
            )
        )
    order = {theme: i for i, theme in enumerate(THEMES)}
    place = {indicator: i for i, indicator in enumerate(catalogue)}  # the catalogue's order within a theme
    return sorted(rows, key=lambda r: (order.get(r.theme, 99), place[r.indicator]))


def radar_scores(atlas: Atlas, rows: list[ProfileRow]) -> dict[str, float]:
    """Return per theme the mean percentile among all units, oriented so that higher is better.

    Neutral indicators (where neither direction is better, e.g. the share of foreign nationals) do not count.
    """
    catalogue = catalogue_indicators(atlas)
    scores: dict[str, list[float]] = {}
    for row in rows:
        direction = catalogue[row.indicator].direction
        if row.pct_all is None or direction not in ("higher_better", "higher_worse"):
            continue
        score = row.pct_all if direction == "higher_better" else 100 - row.pct_all
        scores.setdefault(row.theme, []).append(score)
    return {theme: float(np.mean(v)) for theme, v in scores.items()}


def _flag(value) -> bool:
    """Return a nullable boolean as bool (missing counts as False)."""
    return False if value is None or value is pd.NA else bool(value)


def empty(lang: str) -> list:
    return [html.P(t("profile.empty", lang), className="atlas-profile-empty")]


def render(
    atlas: Atlas,
    unit_id: str | None,
    lang: str,
    highlight: str | None = None,
    uploads: Sequence = (),
    state: State | None = None,
    indicators: Indicators | None = None,
) -> list:
    """Return the profile panel's content for `unit_id` (or the hint when none is selected).

    `uploads` are the session's uploaded datasets: their values for the unit are listed, and a
    self-assessment of the fields of action is drawn as a radar beside the open statistics. `state` gives
    the peer finder's method for the unit's peer list (its defaults without one); `indicators` the
    indicators it may use (the catalogue's and the uploads).
    """
    if not unit_id:
        return empty(lang)
    if unit_id not in atlas.position.index:
        return [html.P(t("profile.not_found", lang))]
    unit = atlas.units.iloc[int(atlas.position[unit_id])]
    mountain = _flag(unit["mountain"])
    rows = profile_rows(atlas, unit_id)
    name = unit["name"] + (f" / {unit['name_alt']}" if isinstance(unit["name_alt"], str) and unit["name_alt"] else "")
    level = t("profile.level_lau" if unit["level"] == "LAU" else "profile.level_nuts3", lang)
    periph_label = t(f"class.{unit['peripherality']}", lang) if isinstance(unit["peripherality"], str) else "–"
    country = country_name(unit["country"], lang)
    facts = [
        t("profile.place", lang, level=level, region=region_name(atlas, unit["nuts3"]), country=country)
        if unit["level"] == "LAU"
        else t("profile.place_region", lang, level=level, country=country),
        t("profile.mountain" if mountain else "profile.non_mountain", lang),
        t(
            "profile.class",
            lang,
            label=periph_label,
            distance=fmt_value(unit["dist_urban_centre_km"], t("common.km", lang), lang, 1),
        ),
    ]
    if _flag(unit["in_alpine_convention"]):
        facts.append(t("profile.alpconv", lang))
    scores = radar_scores(atlas, rows)
    themes = [th for th in THEMES if th in scores]
    chart = (
        dcc.Graph(
            figure=localise(
                radar(
                    [t(f"theme.{th}", lang) for th in themes],
                    [scores[th] for th in themes],
                    t("profile.radar", lang),
                    unit["name"],
                ),
                lang,
            ),
            config=PNG_CONFIG,
            className="atlas-radar",
        )
        if themes
        else html.P(t("profile.radar_none", lang))
    )
    return [
        html.Div(
            className="atlas-profile-head",
            children=[
                html.H2(name, id="profile-name"),
                html.Button(
                    "×",
                    id={"type": ids.CLOSE, "index": 0},
                    className="atlas-close",
                    title=t("profile.close", lang),
                    **{"aria-label": t("profile.close", lang)},
                ),
            ],
        ),
        html.Ul([html.Li(f) for f in facts], className="atlas-facts"),
        # The index first when one is built: it is what the person is tuning.
        *index_block(indicators or Indicators(atlas), (state or State()).with_(lang=lang), unit_id),
        *peer_list(indicators or Indicators(atlas), (state or State()).with_(unit=unit_id, lang=lang)),
        _table(atlas, rows, unit, lang, highlight),
        *_over_time(atlas, unit_id, unit, lang),
        *_region_block(atlas, unit, lang),
        html.P(
            t(
                "profile.peers",
                lang,
                label=f"{t('class.mountain' if mountain else 'class.non_mountain', lang)}, {periph_label}",
            ),
            className="atlas-small",
        ),
        html.P(t("profile.percentile_help", lang), className="atlas-small"),
        *_uploaded(unit_id, uploads, lang),
        html.Div(className="atlas-radars", children=[chart, *_assessment_radar(unit_id, unit["name"], uploads, lang)]),
        html.H3(t("profile.neighbours", lang)),
        _neighbours(atlas, unit_id, lang),
    ]


def peer_list(indicators: Indicators, state: State) -> list:
    """The unit's peers (dashboard/peers.py, the state's method): each with its distance and why it is alike
    and different, buttons to outline them on the map and to open the full table."""
    lang = state.lang
    outcome = run(indicators, state, stable=False)
    if isinstance(outcome, str):
        return [html.H3(t("peers.title", lang)), html.P(t(outcome, lang), className="atlas-small")]
    result, _ = outcome
    title = html.H3(t("peers.profile_title", lang, scope=scope_text(result, lang)), id="profile-peers")
    if not result.peers:
        return [title, html.P(t("peers.none", lang, required=result.required), className="atlas-small")]
    items = []
    for peer in result.peers:
        why = t(
            "peers.why",
            lang,
            distance=fmt_number(peer.distance, lang, 2),
            alike=", ".join(peer_label(indicators, i, lang) for i in peer.most_alike[:2]),
            different=peer_label(indicators, peer.most_different[0], lang) if peer.most_different else "–",
        )
        if len(peer.indicators) < len(result.unit_indicators):  # fewer in common: say so, it may look closer
            why += " " + t("peers.on_fewer", lang, used=len(peer.indicators), total=len(result.unit_indicators))
        items.append(
            html.Li(
                [
                    html.Button(
                        f"{peer.name} ({country_name(peer.country, lang)})",
                        id={"type": ids.PEER_OPEN, "unit": peer.unit_id},
                        className="atlas-link",
                    ),
                    html.Span(why, className="atlas-peer-why"),
                ]
            )
        )
    used = ", ".join(peer_label(indicators, i, lang) for i in result.unit_indicators)
    action = "hide_on_map" if state.peers else "show_on_map"
    return [
        title,
        html.P(t("peers.profile_help", lang, indicators=used), className="atlas-small"),
        html.Ol(items, className="atlas-peer-list"),
        html.Div(
            className="atlas-peer-buttons",
            children=[
                html.Button(
                    t(f"peers.{action}", lang),
                    id={"type": ids.PEER_ACTION, "action": action, "where": "profile"},
                    className="atlas-button",
                    **{"aria-pressed": "true" if state.peers else "false"},
                ),
                html.Button(
                    t("peers.open_table", lang),
                    id={"type": ids.PEER_ACTION, "action": "open_table", "where": "profile"},
                    className="atlas-button",
                ),
            ],
        ),
    ]


def _name_cell(atlas: Atlas, indicator: str, when: str, source: str, lang: str) -> html.Th:
    """The row header of a profile table: the indicator, and under it its year(s) and publisher."""
    return html.Th(
        scope="row",
        children=[
            html.Span(indicator_label(atlas, indicator, lang, with_unit=False)),
            html.Span(
                f"{when} · {source_publisher(atlas, source, lang)}",
                className="atlas-source-cell",
                title=source_title(atlas, source, lang),
            ),
        ],
    )


def _value_text(atlas: Atlas, entry, value, lang: str) -> html.Td:
    """The value cell: a categorical code by its label, a number with its unit."""
    if entry.kind == "categorical":
        text = entry.category_label(value, lang)
    else:
        text = fmt_value(value, unit_text(atlas, entry.id, lang), lang, wrap=True)
    return html.Td(text, className="num")


def _over_time(atlas: Atlas, unit_id: str, unit, lang: str) -> list:
    """Every indicator the unit has in two or more years: a small chart beside its country's median, the
    first and last values in words under the name, every year in the chart's alternative text (and its
    tooltip), and a warning where the years' sources differ."""
    series = unit_series(atlas, unit_id)
    if not series:
        return []
    country = country_name(unit["country"], lang)
    body = []
    for one in series:
        unit_label = unit_text(atlas, one.indicator, lang)

        def listed(values, one=one, unit_label=unit_label) -> str:
            return "; ".join(f"{y}: {fmt_value(v, unit_label, lang)}" for y, v in zip(one.years, values))

        label = indicator_label(atlas, one.indicator, lang, with_unit=False)
        alt = t(
            "profile.series_alt",
            lang,
            indicator=label,
            name=unit["name"],
            values=listed(one.values),
            country=country,
            medians=listed(one.country_median),
        )
        first, last = (one.years[0], one.values[0]), (one.years[-1], one.values[-1])
        summary = t(
            "profile.series_summary",
            lang,
            first=f"{first[0]}: {fmt_value(first[1], unit_label, lang)}",
            last=f"{last[0]}: {fmt_value(last[1], unit_label, lang)}",
            country=unit["country"],
            median=fmt_value(one.country_median[-1], unit_label, lang),
        )
        name_cell = [html.Span(label), html.Span(summary, className="atlas-series-note")]
        if one.indexed:
            name_cell.append(html.Span(t("profile.series_indexed", lang), className="atlas-series-note"))
        if one.mixed_sources:
            publishers = ", ".join(dict.fromkeys(source_publisher(atlas, s, lang) for s in one.sources))
            name_cell.append(
                html.Span(t("profile.series_mixed", lang, sources=publishers), className="atlas-series-note")
            )
        values, medians = one.drawn()
        chart = html.Img(src=data_uri(sparkline_svg(one.years, values, medians)), alt=alt, title=alt)
        body.append(html.Tr([html.Th(name_cell, scope="row"), html.Td(chart, className="atlas-series-chart")]))
    return [
        html.H3(t("profile.over_time", lang), id="profile-over-time"),
        html.P(t("profile.over_time_help", lang, name=unit["name"], country=country), className="atlas-small"),
        html.Table(html.Tbody(body), className="atlas-table atlas-series-table"),
    ]


def _region_block(atlas: Atlas, unit, lang: str) -> list:
    """Return the figures of the unit's whole NUTS 3 region (population, density, typologies), shown apart
    and named as the region's, so that no region figure reads as the municipality's own."""
    if unit["level"] != "LAU" or not isinstance(unit["nuts3"], str):
        return []
    rows = atlas.regions[atlas.regions["nuts3"] == unit["nuts3"]]
    if rows.empty:
        return []
    catalogue = catalogue_indicators(atlas)
    body = []
    for row in rows.sort_values(["indicator", "year"]).itertuples():
        entry = catalogue.get(row.indicator)
        if entry is None:
            continue
        value = _value_text(atlas, entry, row.value, lang)
        body.append(html.Tr([_name_cell(atlas, row.indicator, str(int(row.year)), row.source, lang), value]))
    region = region_name(atlas, unit["nuts3"])
    return [
        html.H3(t("profile.region_title", lang, region=region, code=unit["nuts3"]), id="profile-region"),
        html.P(t("profile.region_help", lang), className="atlas-small"),
        html.Div(
            className="atlas-table-wrap",
            children=html.Table(html.Tbody(body), className="atlas-table atlas-profile-table atlas-region-table"),
        ),
    ]


def _table(atlas: Atlas, rows: list[ProfileRow], unit, lang: str, highlight: str | None) -> html.Div:
    """Return the indicator table: name with year and source, value, and the three percentiles."""
    country = country_name(unit["country"], lang)
    head = html.Thead(
        html.Tr(
            [
                html.Th(t("profile.indicator", lang), scope="col"),
                html.Th(t("profile.value", lang), scope="col", className="num"),
                html.Th(html.Abbr("%", title=t("profile.pct_all", lang)), scope="col", className="num"),
                html.Th(
                    html.Abbr(unit["country"], title=t("profile.pct_country", lang, country=country)),
                    scope="col",
                    className="num",
                ),
                html.Th(html.Abbr("≈", title=t("profile.pct_peers", lang)), scope="col", className="num"),
            ]
        )
    )
    catalogue = catalogue_indicators(atlas)
    body = []
    for row in rows:
        value = _value_text(atlas, catalogue[row.indicator], row.value, lang)
        years = atlas.when(row.indicator, row.source, row.year) + (
            f" ({', '.join(map(str, row.other_years))})" if row.other_years else ""
        )
        body.append(
            html.Tr(
                className="atlas-row-highlight" if row.indicator == highlight else None,
                children=[
                    _name_cell(atlas, row.indicator, years, row.source, lang),
                    value,
                    *[
                        html.Td("–" if p is None else fmt_number(p, lang, 0), className="num")
                        for p in (row.pct_all, row.pct_country, row.pct_peers)
                    ],
                ],
            )
        )
    legend = html.P(
        className="atlas-small",
        children=[
            f"% = {t('profile.pct_all', lang)}; {unit['country']} = {t('profile.pct_country', lang, country=country)}; "
            f"≈ = {t('profile.pct_peers', lang)}."
        ],
    )
    return html.Div(
        className="atlas-table-wrap",
        children=[html.Table([head, html.Tbody(body)], className="atlas-table atlas-profile-table"), legend],
    )


def _neighbours(atlas: Atlas, unit_id: str, lang: str):
    pairs = atlas.neighbours
    ids_ = pairs.loc[pairs["unit_id"] == unit_id, "neighbour_id"].tolist()
    if not ids_:
        return html.P(t("profile.no_neighbours", lang))
    units = atlas.units.set_index("unit_id")
    items = []
    for nid in sorted(ids_, key=lambda i: units.at[i, "name"]):
        label = f"{units.at[nid, 'name']} ({country_name(units.at[nid, 'country'], lang)})"
        items.append(html.Li(html.Button(label, id={"type": ids.NEIGHBOUR, "unit": nid}, className="atlas-link")))
    return html.Ul(items, className="atlas-neighbours")


def _uploaded(unit_id: str, uploads: Sequence, lang: str) -> list:
    """Return the table of the session's uploaded values for the unit (nothing when it has none)."""
    rows = [d for d in uploads if unit_id in d.values]
    if not rows:
        return []
    body = [
        html.Tr(
            [
                html.Th(
                    scope="row",
                    children=[
                        html.Span(d.label),
                        html.Span(f"{d.year or ''} · {d.file}".strip(" ·"), className="atlas-source-cell"),
                    ],
                ),
                html.Td(fmt_value(d.values[unit_id], d.unit, lang, wrap=True), className="num"),
            ]
        )
        for d in rows
    ]
    return [
        html.H3(t("profile.your_data", lang)),
        html.P(t("profile.your_data_note", lang), className="atlas-small"),
        html.Table(html.Tbody(body), className="atlas-table atlas-profile-table"),
    ]


def _assessment_radar(unit_id: str, name: str, uploads: Sequence, lang: str) -> list:
    """The radar of the unit's uploaded SPI self-assessment (1-5); with two or more (the SPI's cycle), the
    latest over the one before, and a table of what changed field by field."""
    found = assessments_of(unit_id, uploads)
    if not found:
        return []
    later = found[-1]
    earlier = found[-2] if len(found) >= 2 else None
    fields = [f for f in SPI_FIELDS if f in later.ratings or (earlier and f in earlier.ratings)]
    figure = localise(
        radar(
            [t(f"theme.{f}", lang) for f in fields],
            [later.ratings.get(f) for f in fields],
            t("profile.assessment", lang),
            _assessment_name(later, lang) if earlier else name,
            scale=SPI_SCALE,
            colour="#D55E00",
            earlier=(_assessment_name(earlier, lang), [earlier.ratings.get(f) for f in fields]) if earlier else None,
        ),
        lang,
    )
    out = [dcc.Graph(figure=figure, config=PNG_CONFIG, className="atlas-radar", id="profile-assessment")]
    if earlier:
        out.append(_assessment_changes(earlier, later, lang))
    return out


def _assessment_name(assessment, lang: str) -> str:
    when = str(assessment.year) if assessment.year else t("profile.assessment_undated", lang)
    return t("profile.assessment_of", lang, when=when, file=assessment.file)


def _assessment_changes(earlier, later, lang: str) -> html.Div:
    """Field by field: the rating before, now, and the change (a field rated only once says so)."""
    head = html.Thead(
        html.Tr(
            [
                html.Th(t("profile.assessment_field", lang), scope="col"),
                *[
                    html.Th(
                        str(a.year) if a.year else t("profile.assessment_undated", lang), scope="col", className="num"
                    )
                    for a in (earlier, later)
                ],
                html.Th(t("profile.assessment_change", lang), scope="col", className="num"),
            ]
        )
    )
    rows = []
    for item in changes(earlier, later):
        change = (
            t("profile.assessment_not_rated", lang)
            if item.change is None
            else ("±0" if item.change == 0 else f"{item.change:+g}".replace("-", "−"))
        )
        rows.append(
            html.Tr(
                [
                    html.Th(t(f"theme.{item.field}", lang), scope="row"),
                    *[
                        html.Td("–" if v is None else fmt_number(v, lang), className="num")
                        for v in (item.before, item.after)
                    ],
                    html.Td(change, className="num"),
                ]
            )
        )
    return html.Div(
        className="atlas-table-wrap",
        id="profile-assessment-changes",
        children=[
            html.H3(t("profile.assessment_changes", lang)),
            html.P(f"{_assessment_name(earlier, lang)} → {_assessment_name(later, lang)}", className="atlas-small"),
            html.Table([head, html.Tbody(rows)], className="atlas-table"),
        ],
    )


@callback(
    Output(ids.PROFILE, "children"),
    Input(ids.PROFILE_KEY, "data"),
    Input(ids.UPLOADS, "data"),
    prevent_initial_call=True,
)
def update_profile(profile_key, uploads):
    state, indicators = session(profile_key, uploads)
    atlas = get_atlas()
    datasets = load_datasets(uploads, atlas.unit_ids)
    return render(atlas, state.unit, state.lang, state.indicator, datasets, state, indicators)
