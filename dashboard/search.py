"""Finding units by name: accents and case ignored, names that start with the query first."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from dashboard.atlas import Atlas
from dashboard.vocabulary import country_name

SEARCH_RESULTS = 15


def fold(text: str) -> str:
    """Return `text` lower-cased without accents, for matching names ("Zürich" ~ "zurich")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@lru_cache(maxsize=4)
def _search_table(atlas: Atlas) -> list[tuple[str, str, str]]:
    units = atlas.units
    alt = units["name_alt"].fillna("")
    return [
        (fold(f"{n} {a}"), uid, n + (f" / {a}" if a else "")) for uid, n, a in zip(units["unit_id"], units["name"], alt)
    ]


def search_options(atlas: Atlas, query: str, lang: str, selected: str | None = None) -> list[dict]:
    """Return up to SEARCH_RESULTS units whose name matches `query` (accents and case ignored), names that
    start with it first; the country is shown to tell namesakes apart. The selected unit is always kept."""
    folded = fold(query or "").strip()
    rows = _search_table(atlas)
    country = atlas.units.set_index("unit_id")["country"]
    matches = []
    if folded:
        starts = [r for r in rows if r[0].startswith(folded)]
        contains = [r for r in rows if folded in r[0] and not r[0].startswith(folded)]
        matches = sorted(starts, key=lambda r: (len(r[0]), r[0])) + sorted(contains, key=lambda r: r[0])
        matches = matches[:SEARCH_RESULTS]
    if selected and selected not in {m[1] for m in matches} and selected in country.index:
        matches = [r for r in rows if r[1] == selected] + matches
    return [{"label": f"{label} ({country_name(country[uid], lang)})", "value": uid} for _, uid, label in matches]
