"""Labels and option lists derived from the dataset and the messages, shared by the views."""

from __future__ import annotations

from functools import lru_cache

from dashboard.atlas import Atlas
from dashboard.change import base_of, change_id, changeable
from dashboard.composite import index_ids
from dashboard.i18n import t, unit_label
from dashboard.index_layer import INDEX_IDS, INDEX_SCORE, INDEX_WIDTH
from dashboard.indicators import Indicators, catalogue_indicators
from dashboard.peers import comparable_ids
from dashboard.state import LATEST, State, Vocabulary
from geo.terms import CHANGE_MODES, DEFAULT_LANGUAGE, LANGUAGES, THEMES


def vocabulary(atlas: Atlas) -> Vocabulary:
    """Return what a URL may name, from the dataset."""
    catalogue = Indicators(atlas)
    return Vocabulary(
        # The composite index's indicators are always names a URL may use; without an index they fall back.
        indicators={i: tuple(atlas.years(i)) for i in atlas.indicator_ids()}
        | dict.fromkeys(INDEX_IDS, ())
        # The change of every numeric indicator with two or more years, by its years.
        | {change_id(i): tuple(atlas.years(i)) for i in atlas.indicator_ids() if changeable(catalogue, i)},
        countries=tuple(sorted(atlas.units["country"].unique())),
        units=frozenset(atlas.units["unit_id"]),
        zoom_targets=frozenset(k for k in atlas.bounds if k != "all"),
        languages=LANGUAGES,
        peer_indicators=frozenset(comparable_ids(catalogue)),
        index_components=frozenset(index_ids(catalogue)),
        fields=frozenset(THEMES) | {"uploaded"},
    )


def indicator_label(atlas: Atlas, indicator: str, lang: str, with_unit: bool = True) -> str:
    entry = catalogue_indicators(atlas)[indicator]
    unit = unit_label(entry.unit, lang)
    return f"{entry.label(lang)} ({unit})" if with_unit and unit else entry.label(lang)


def unit_text(atlas: Atlas, indicator: str, lang: str) -> str:
    return unit_label(catalogue_indicators(atlas)[indicator].unit, lang)


@lru_cache(maxsize=16)
def indicator_options(atlas: Atlas, lang: str) -> list[dict]:
    """Return dropdown options grouped by theme: a disabled heading per theme, then its indicators."""
    entries = catalogue_indicators(atlas)
    options = []
    for theme in THEMES:
        members = [i for i, e in entries.items() if e.theme == theme]
        if not members:
            continue
        options.append({"label": t(f"theme.{theme}", lang).upper(), "value": f"theme:{theme}", "disabled": True})
        for indicator in members:
            label = indicator_label(atlas, indicator, lang)
            options.append({"label": label, "value": indicator, "search": label})
    return options


NO_CHANGE = "none"  # the change-since control's value when the map shows one year's values
NO_VERSUS = "none"  # the bivariate control's value when the map shows one indicator


def versus_options(atlas: Atlas, lang: str) -> list[dict]:
    """The bivariate control's options: none, then the numeric indicators grouped by theme (classes and
    codes have no low and high to cross)."""
    numeric = {i for i, e in catalogue_indicators(atlas).items() if e.kind == "numeric"}
    options = [{"label": t("bivariate.none", lang), "value": NO_VERSUS}]
    for option in indicator_options(atlas, lang):
        if option.get("disabled") or option["value"] in numeric:
            options.append(option)
    # A theme heading with no numeric indicator under it is dropped.
    return [
        o
        for n, o in enumerate(options)
        if not o.get("disabled") or (n + 1 < len(options) and not options[n + 1].get("disabled"))
    ]


def map_years(indicators: Indicators, indicator: str) -> list[int]:
    """The years the year control offers for `indicator` (a change: its possible later years)."""
    if indicator in indicators:
        return indicators.years(indicator)
    base = base_of(indicator)
    return indicators.years(base) if base in indicators else []  # an id this request does not know: none


def change_since_options(indicators: Indicators, state: State) -> tuple[list[dict], bool]:
    """The change-since control's options for `state` and whether it is disabled (an indicator with one
    year, or not numeric): "none" first, then every year of the indicator before the later year."""
    base = base_of(state.indicator) or state.indicator
    none = [{"label": t("change.none", state.lang), "value": NO_CHANGE}]
    if base not in indicators or not changeable(indicators, base):
        return none, True
    years = indicators.years(base)
    later = int(state.year) if state.year != LATEST else max(years)
    return none + [{"label": str(y), "value": str(y)} for y in sorted(years) if y < later], False


def change_mode_options(state: State) -> list[dict]:
    """The change measure's options, disabled while no change is mapped."""
    off = state.since is None
    return [{"label": t(f"change.mode_{m}", state.lang), "value": m, "disabled": off} for m in CHANGE_MODES]


def year_options(years: list[int], lang: str) -> list[dict]:
    """Return the year dropdown's options: "latest" first, then the years, the most recent first."""
    return [{"label": t("controls.latest", lang), "value": LATEST}] + [
        {"label": str(y), "value": str(y)} for y in sorted(years, reverse=True)
    ]


def country_name(code: str, lang: str) -> str:
    return t(f"country.{code}", lang)


def region_name(atlas: Atlas, code: str) -> str:
    names = atlas.report.get("nuts_names", {})
    return names.get(code, code)


def source_field(src: dict, name: str, lang: str) -> str:
    """Return a source's `title` or `publisher` (as the build's sources.json has it) in `lang`: English
    where the build has no translation (an older build, a source not translated yet)."""
    return src.get(f"{name}_{lang}") or src[name]


def source_title(atlas: Atlas, source_id: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Return a short credit for a source id (publisher: title) in `lang`, for hover and tables, from the build."""
    src = atlas.sources.get(source_id.split("+")[0])
    if src is None:
        return source_id
    suffix = f" ({t('map.density_derived', lang)})" if source_id.endswith("+area") else ""
    return f"{_short(source_field(src, 'publisher', lang))}: {source_field(src, 'title', lang)}{suffix}"


def source_publisher(atlas: Atlas, source_id: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Return the short publisher name of a source id in `lang` ("Statistik Austria", "Bundesamt für Statistik")."""
    src = atlas.sources.get(source_id.split("+")[0])
    return _short(source_field(src, "publisher", lang)) if src else source_id


def _short(publisher: str) -> str:
    # The catalogue writes the publisher first and any redistributor or detail after a comma or in
    # brackets (in every language), so the part before them is the name.
    return publisher.split(",")[0].split(" (")[0]


def index_options(lang: str) -> list[dict]:
    """The composite index's entries of the map's indicator menu (offered while an index is defined)."""
    return [
        {"label": t("index.title", lang).upper(), "value": "theme:index", "disabled": True},
        {"label": t("index.score", lang), "value": INDEX_SCORE},
        {"label": t("index.width", lang), "value": INDEX_WIDTH},
    ]
