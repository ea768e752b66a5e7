"""About: what the Atlas is, its sources with licences and required attribution, methods, and known gaps
(from the build report: coverage of each indicator per country, failures)."""

from __future__ import annotations

from functools import lru_cache

from dash import Input, Output, callback, html, no_update
from dash import State as DashState

from dashboard import ids
from dashboard.api.params import PREFIX as API_PREFIX
from dashboard.atlas import Atlas
from dashboard.composite import DRAWS, SEED
from dashboard.context import atlas as get_atlas
from dashboard.i18n import fmt_date, fmt_number, t
from dashboard.server import archive_url
from dashboard.session import session
from dashboard.vocabulary import country_name, indicator_label, source_field


def _thresholds(atlas: Atlas) -> dict[str, float]:
    """The peripherality classes' upper bounds, as the build applied them."""
    classes = atlas.methods.get("peripherality", {}).get("classes", [])
    return {c["name"]: c.get("max_km") for c in classes}


@lru_cache(maxsize=8)
def layout(atlas: Atlas, lang: str) -> list:
    """Return the About view (the same for every visitor of a language: built once, then reused)."""
    rows = []
    # Title and publisher in the person's language; licence and credit line as the publisher words them.
    for src in sorted(atlas.sources.values(), key=lambda s: source_field(s, "title", lang)):
        rows.append(
            html.Tr(
                [
                    html.Th(source_field(src, "title", lang), scope="row"),
                    html.Td(source_field(src, "publisher", lang)),
                    html.Td(src["licence"]),
                    html.Td(src["attribution"]),
                    html.Td(src["vintage"]),
                ]
            )
        )
    limits = _thresholds(atlas)
    return [
        html.H2(t("about.title", lang)),
        html.P(t("about.purpose", lang)),
        html.P(
            t(
                "about.build",
                lang,
                date=fmt_date(atlas.manifest.get("built_at", "?"), lang),
                units=fmt_number(len(atlas.units), lang),
            )
        ),
        html.H3(t("about.sources", lang)),
        html.Div(
            className="atlas-table-wrap",
            children=html.Table(
                className="atlas-table",
                children=[
                    html.Thead(
                        html.Tr(
                            [
                                html.Th(t("profile.source", lang), scope="col"),
                                html.Th(t("about.publisher", lang), scope="col"),
                                html.Th(t("about.licence", lang), scope="col"),
                                html.Th(t("about.credit", lang), scope="col"),
                                html.Th(t("about.vintage", lang), scope="col"),
                            ]
                        )
                    ),
                    html.Tbody(rows),
                ],
            ),
        ),
        _open_data(atlas, lang),
        html.H3(t("about.methods", lang)),
        html.P(t("about.classification", lang)),
        html.P(
            t(
                "about.peripherality",
                lang,
                central=fmt_number(limits.get("central"), lang),
                intermediate=fmt_number(limits.get("intermediate"), lang),
            )
        ),
        html.P(t("about.intervals", lang)),
        html.P(t("about.latest", lang)),
        # The same text as under the peer table: one description of the method.
        html.H4(t("peers.method_title", lang), id="about-peers"),
        *[html.P(paragraph) for paragraph in t("peers.method", lang).split("\n\n")],
        # The same text as under the index view's results.
        html.H4(t("index.method_title", lang), id="about-index"),
        *[html.P(paragraph) for paragraph in t("index.method", lang, draws=DRAWS, seed=SEED).split("\n\n")],
        html.H4(t("change.method_title", lang), id="about-change"),
        *[html.P(paragraph) for paragraph in t("change.method", lang).split("\n\n")],
        # Austria's rule for the years before 2015, where the build has those years.
        *([html.P(t("change.method_austria", lang, **austria))] if (austria := _austrian_years(atlas, lang)) else []),
        html.H3(t("about.gaps", lang)),
        _coverage(atlas, lang),
        _failures(atlas, lang),
    ]


def _open_data(atlas: Atlas, lang: str) -> html.Section:
    """The archive of the build to download, the API, and how to cite them."""
    archive = atlas.manifest.get("archive")
    if archive:
        size = fmt_number(round(archive["bytes"] / 1e6, 1), lang)
        download = html.P(
            [
                html.A(
                    t("about.download", lang), href=archive_url(atlas), download=archive["name"], id=ids.ARCHIVE_LINK
                ),
                ". ",
                t("about.download_detail", lang, name=archive["name"], size=size),
            ]
        )
    else:
        download = html.P(t("about.no_archive", lang))
    return html.Section(
        id="about-open-data",
        children=[
            html.H3(t("about.open_data", lang)),
            download,
            html.P(
                [
                    t("about.api", lang),
                    " ",
                    html.A(t("about.api_document", lang), href=f"{API_PREFIX}/openapi.json"),
                    f" ({API_PREFIX}/).",
                ]
            ),
            html.P(t("about.cite", lang)),
        ],
    )


def _austrian_years(atlas: Atlas, lang: str) -> dict[str, str]:
    """Austria's units with register-census values in the first and the last year, from the build report
    (empty where the build has fewer than two years of it)."""
    years = next(
        (
            r["years"]
            for r in atlas.report.get("years", [])
            if (r["source"], r["country"]) == ("at_register_census", "AT")
        ),
        {},
    )
    units = [v["units"] for _y, v in sorted(years.items(), key=lambda item: int(item[0]))]
    if len(units) < 2:
        return {}
    return {"earlier": fmt_number(units[0], lang, 0), "latest": fmt_number(units[-1], lang, 0)}


def _coverage(atlas: Atlas, lang: str) -> html.Div:
    coverage = atlas.report.get("coverage", [])
    countries = sorted({r["country"] for r in coverage})
    by_key = {(r["indicator"], r["country"]): r for r in coverage}
    head = html.Thead(
        html.Tr(
            [html.Th(t("profile.indicator", lang), scope="col")]
            + [html.Th(country_name(c, lang), scope="col") for c in countries]
        )
    )
    body = []
    for indicator in atlas.catalogue.index:
        cells = []
        for c in countries:
            r = by_key.get((indicator, c))
            if r is None:
                cells.append(html.Td("–"))
                continue
            share = 0 if not r["units"] else r["with_value"] / r["units"]
            cells.append(
                html.Td(
                    f"{fmt_number(r['with_value'], lang)} / {fmt_number(r['units'], lang)}",
                    className="num" + (" atlas-gap" if share < 0.5 else ""),
                )
            )
        body.append(html.Tr([html.Th(indicator_label(atlas, indicator, lang), scope="row"), *cells]))
    return html.Div(
        className="atlas-table-wrap",
        children=[html.H4(t("about.coverage", lang)), html.Table([head, html.Tbody(body)], className="atlas-table")],
    )


def _failures(atlas: Atlas, lang: str) -> html.Div:
    failures = atlas.report.get("failures", [])
    if not failures:
        return html.P(t("about.no_failures", lang))
    return html.Div(
        [
            html.H4(t("about.failures", lang)),
            html.Ul([html.Li(f"{f.get('country') or ''} {f.get('source')}: {f.get('problem')}") for f in failures]),
        ]
    )


@callback(
    Output(ids.VIEW_ABOUT, "children"),
    Input(ids.TABS, "value"),
    DashState(ids.STATE, "data"),
    DashState(ids.VIEW_ABOUT, "children"),
)
def show_about(view, state_query, shown):
    """Render About the first time it is opened (and not before)."""
    if view != "about" or shown:
        return no_update
    state, _ = session(state_query)
    return layout(get_atlas(), state.lang)
