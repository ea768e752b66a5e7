"""The indicator catalogue: what each indicator id means, in five languages, and where it comes from.

The catalogue is data (`data/indicators.toml`, one table per indicator id); this module reads and checks
it. `load_catalogue()` returns one row per indicator, with the licences and credit lines of its sources
joined from the source catalogue (`data/sources.toml`), so that a view can show them beside the map.
An entry with a missing label or an unknown theme, direction, unit, kind, level or source raises
`ValueError` naming the entry: a catalogue mistake should stop a build, not reach a dropdown.

`note` is English; `note_de`, `note_fr`, `note_it` and `note_sl` translate it. A missing translation does not
stop a build (a newly catalogued indicator is shown with its English note until it is translated; the
catalogue rows carry English in its place), but tests/test_translations.py fails until it is there.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pandas as pd

from geo import sources
from geo.settings import DATA_DIR
from geo.terms import DEFAULT_LANGUAGE, LANGUAGES, THEMES

CATALOGUE_FILE = DATA_DIR / "indicators.toml"

LABELS = tuple(f"label_{lang}" for lang in LANGUAGES)
DIRECTIONS = ("higher_better", "higher_worse", "neutral")
KINDS = ("numeric", "categorical")
LEVELS = ("LAU", "NUTS3", "LAU, NUTS3")
UNITS = (
    "%",
    "% per year",
    "persons",
    "households",
    "persons per household",
    "per km²",
    "per 1,000",
    "km",
    "m",
    "class",
)

FIELDS = (*LABELS, "unit", "theme", "direction", "kind", "level", "sources", "note", "description_en")
# The translations of `note`, in the catalogue rows beside it (optional in the file, see the docstring).
NOTES = tuple(f"note_{lang}" for lang in LANGUAGES if lang != DEFAULT_LANGUAGE)
COLUMNS = ["id", *FIELDS, *NOTES, "licence", "source"]


def read_entries(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """Return the raw catalogue entries by indicator id, checked (raises `ValueError` on a bad entry)."""
    path = path or CATALOGUE_FILE
    with path.open("rb") as f:
        raw = tomllib.load(f)
    known_sources = sources.catalogue()
    for indicator, entry in raw.items():
        _check(indicator, entry, known_sources)
    return raw


def _check(indicator: str, entry: dict[str, Any], known_sources: dict[str, sources.Source]) -> None:
    where = f"data/indicators.toml: [{indicator}]"
    missing = [f for f in FIELDS if f not in entry]
    if missing:
        raise ValueError(f"{where} lacks {', '.join(missing)}")
    empty = [f for f in (*LABELS, "note", "description_en") if not str(entry[f]).strip()]
    empty += [f for f in NOTES if f in entry and not str(entry[f]).strip()]
    if empty:
        raise ValueError(f"{where} has empty {', '.join(empty)}")
    for field_name, allowed in (
        ("theme", THEMES),
        ("direction", DIRECTIONS),
        ("kind", KINDS),
        ("level", LEVELS),
        ("unit", UNITS),
    ):
        if entry[field_name] not in allowed:
            raise ValueError(f"{where} {field_name} = {entry[field_name]!r}; allowed: {', '.join(allowed)}")
    if not entry["sources"] or not isinstance(entry["sources"], list):
        raise ValueError(f"{where} sources must be a non-empty list of source ids")
    unknown = [s for s in entry["sources"] if s not in known_sources]
    if unknown:
        raise ValueError(f"{where} names unknown source(s) {', '.join(unknown)} (see data/sources.toml)")
    categories = entry.get("categories")
    if entry["kind"] == "categorical":
        if not categories:
            raise ValueError(f"{where} is categorical but defines no categories")
        for code, labels in categories.items():
            if not code.isdigit() or any(not str(labels.get(lang, "")).strip() for lang in LANGUAGES):
                raise ValueError(f"{where} category {code!r} needs an integer code and labels in {LANGUAGES}")
    elif categories:
        raise ValueError(f"{where} is numeric but defines categories")


def load_catalogue() -> pd.DataFrame:
    """Return the indicator catalogue: one row per indicator, columns `COLUMNS`.

    `sources` is the list of source ids (first = preferred where two give the same unit and year);
    `licence` and `source` join the licences and the credit lines of those sources with "; ".
    `note_<lang>` is the note in that language, the English `note` where it is not translated yet.
    """
    entries = read_entries()
    known = sources.catalogue()
    rows = []
    for indicator, entry in entries.items():
        used = [known[s] for s in entry["sources"]]
        rows.append(
            {
                "id": indicator,
                **{f: entry[f] for f in FIELDS},
                **{f: entry.get(f) or entry["note"] for f in NOTES},
                "sources": list(entry["sources"]),
                "licence": "; ".join(dict.fromkeys(s.licence for s in used)),
                "source": "; ".join(dict.fromkeys(s.attribution for s in used)),
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def load_categories() -> dict[str, dict[int, dict[str, str]]]:
    """Return the class labels of the categorical indicators: {id: {code: {language: label}}}."""
    return {
        indicator: {int(code): dict(labels) for code, labels in entry["categories"].items()}
        for indicator, entry in read_entries().items()
        if entry["kind"] == "categorical"
    }
