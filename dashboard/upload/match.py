"""Matching uploaded rows to the Atlas's units, and reading their values, with a report of every problem.

A row is keyed by the unit_id ("AT_70101"), by a national code with its country (a country column or one
country for the whole file), or by a name with its country (accents and case ignored; a name shared by
several units of a country is listed for the person to choose). Nothing good is dropped because something
else is bad: each problem (no match, duplicate, value that is not a number, empty row) is reported with
its row number, and every other row is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboard.atlas import Atlas
from dashboard.search import fold
from dashboard.upload.parse import ParsedTable
from geo.numbers import to_number

KINDS = ("unit_id", "code", "name")
MAX_KEY_CANDIDATES = 12

# How a national code is written in a unit_id: zero-padded to a width, or a plain integer (Swiss BFS).
# National codes written with leading zeros in the unit ids: a spreadsheet drops them ("61" for SI_061).
CODE_WIDTH = {"AT": 5, "DE": 8, "FR": 5, "IT": 6, "SI": 3, "LI": 2}

COUNTRY_ALIASES = {
    "AT": {"at", "aut", "austria", "osterreich", "autriche", "avstrija"},
    "CH": {"ch", "che", "switzerland", "schweiz", "suisse", "svizzera", "svica"},
    "DE": {"de", "deu", "germany", "deutschland", "allemagne", "germania", "nemcija"},
    "FR": {"fr", "fra", "france", "frankreich", "francia", "francija"},
    "IT": {"it", "ita", "italy", "italien", "italie", "italia", "italija"},
    "LI": {"li", "lie", "liechtenstein", "lihtenstajn"},
    "SI": {"si", "svn", "slovenia", "slowenien", "slovenie", "slovenija"},
}
_ALIAS = {alias: code for code, aliases in COUNTRY_ALIASES.items() for alias in aliases}


def country_code(text: str | None) -> str | None:
    """Return the ISO code of a country written as a code or a name in any of the five languages."""
    if text is None:
        return None
    return _ALIAS.get(fold(str(text)).strip())


@dataclass(frozen=True)
class KeySpec:
    """How rows name their unit: `kind` of `column`, with a country column or one fixed country."""

    column: str
    kind: str
    country_column: str | None = None
    country: str | None = None


@dataclass
class Matching:
    unit_ids: list[str | None]  # per data row: the matched unit, or None
    unmatched: list[dict] = field(default_factory=list)  # {row, key, reason}
    duplicates: list[dict] = field(default_factory=list)  # {row, first_row, unit_id}
    ambiguous: list[dict] = field(default_factory=list)  # {row, name, candidates: [unit_id, ...]}

    @property
    def matched(self) -> int:
        return sum(1 for u in self.unit_ids if u is not None)


class UnitIndex:
    """Lookups from the dataset: unit ids, and folded names per country (for name matching)."""

    def __init__(self, atlas: Atlas):
        units = atlas.units
        self.ids = frozenset(units["unit_id"])
        self.by_name: dict[tuple[str, str], list[str]] = {}
        for uid, country, name, alt in zip(
            units["unit_id"], units["country"], units["name"], units["name_alt"].fillna("")
        ):
            for variant in {name, alt, f"{name}/{alt}" if alt else ""} - {""}:
                self.by_name.setdefault((country, fold(variant)), []).append(uid)
        self.levels_by_country = {c: set(levels) for c, levels in units.groupby("country")["level"]}
        # NUTS 3 codes of the units' regions: a row keyed by one names a region, not a municipality.
        self.regions = frozenset(units.loc[units["level"] == "LAU", "nuts3"].dropna())


def unit_from_code(code: str, country: str | None, index: UnitIndex) -> tuple[str | None, str]:
    """Return (unit_id or None, reason) for a national code or unit_id."""
    text = re.sub(r"\s+", "", code or "")
    if not text:
        return None, "empty_key"
    if text.upper() in index.ids:
        return text.upper(), ""
    if text.upper() in index.regions:
        return None, "region_code"
    if re.fullmatch(r"[A-Za-z]{2}-[0-9]{1,3}", text):  # an ISO 3166-2 subdivision code: LI-11 is Vaduz
        text = text.replace("-", "_")
    if "_" in text:
        prefix, _, rest = text.partition("_")
        country, text = prefix.upper(), rest
    if country is None:
        return None, "no_country"
    if index.levels_by_country.get(country) == {"NUTS3"}:
        return None, "nuts_level_country"
    if not re.fullmatch(r"[0-9A-Za-z]{1,12}", text):  # ASCII and short: "²" or a 5,000-digit code match nothing
        return None, "unknown_code"
    if country == "CH":
        candidate = f"CH_{int(text)}" if text.isdigit() else None
    elif country in CODE_WIDTH:
        candidate = f"{country}_{text.upper().zfill(CODE_WIDTH[country])}"
    else:
        candidate = f"{country}_{text}"
    if candidate in index.ids:
        return candidate, ""
    return None, "unknown_code"


def match_rows(table: ParsedTable, key: KeySpec, index: UnitIndex, resolved: dict[int, str] | None = None) -> Matching:
    """Match every row of `table` to a unit; `resolved` maps file rows to the unit a person chose."""
    resolved = resolved or {}
    frame = table.frame
    keys = frame[key.column].fillna("").tolist()
    countries = frame[key.country_column].fillna("").tolist() if key.country_column else [None] * len(frame)
    result = Matching(unit_ids=[])
    first_row: dict[str, int] = {}
    for row, value, country_text in zip(table.row_numbers, keys, countries):
        country = key.country or (country_code(country_text) if key.country_column else None)
        if key.country_column and country is None and key.kind != "unit_id":
            unit, reason = None, "unknown_country"
        elif row in resolved and resolved[row] in index.ids:
            unit, reason = resolved[row], ""
        elif key.kind == "name":
            unit, reason = _by_name(value, country, index, row, result)
        else:
            unit, reason = unit_from_code(value, country, index)
        if unit is not None and unit in first_row:
            result.duplicates.append({"row": row, "first_row": first_row[unit], "unit_id": unit})
            unit = None
        elif unit is not None:
            first_row[unit] = row
        elif reason != "ambiguous":
            result.unmatched.append({"row": row, "key": value, "reason": reason})
        result.unit_ids.append(unit)
    return result


def _by_name(value: str, country: str | None, index: UnitIndex, row: int, result: Matching):
    if not value.strip():
        return None, "empty_key"
    if country is None:
        return None, "no_country"
    candidates = index.by_name.get((country, fold(value).strip()), [])
    unique = sorted(set(candidates))
    if len(unique) == 1:
        return unique[0], ""
    if len(unique) > 1:
        result.ambiguous.append({"row": row, "name": value, "candidates": unique})
        return None, "ambiguous"
    return None, "unknown_name"


def detect_key(table: ParsedTable, index: UnitIndex, sample: int = 200) -> KeySpec | None:
    """Guess the key column, its kind and the country column by trying them on the first rows.

    Bounded work: the first MAX_KEY_CANDIDATES columns (keys come first in tables people make) and the
    first two country columns are tried, so a wide hostile file cannot keep a worker busy for seconds.
    """
    frame = table.frame.head(sample)
    sub = ParsedTable(frame, table.row_numbers[: len(frame)], table.file_type)
    country_columns = [
        c for c in frame.columns if frame[c].dropna().map(lambda v: country_code(v) is not None).mean() > 0.8
    ][:2]
    candidates = [c for c in frame.columns if c not in country_columns][:MAX_KEY_CANDIDATES]
    best: tuple[int, KeySpec] | None = None
    for column in candidates:
        for kind in KINDS:
            for country_column in [None, *country_columns]:
                spec = KeySpec(column, kind, country_column)
                hits = match_rows(sub, spec, index).matched
                if hits and (best is None or hits > best[0]):
                    best = (hits, spec)
    return best[1] if best else None


def numeric_columns(table: ParsedTable, key: KeySpec | None) -> list[str]:
    """Return the columns (other than the key and country) that hold mostly numbers."""
    skip = {key.column, key.country_column} if key else set()
    columns = []
    for column in table.frame.columns:
        if column in skip:
            continue
        values, bad = read_values(table.frame[column])
        present = (~np.isnan(values)).sum()
        if present and present >= 0.5 * (present + bad.sum()):
            columns.append(column)
    return columns


_DECIMAL_COMMA = re.compile(r"^[-+]?\d{1,3}(\.\d{3})*,\d+$|^[-+]?\d+,\d+$")
_DECIMAL_POINT = re.compile(r"^[-+]?\d{1,3}(,\d{3})*\.\d+$|^[-+]?\d+\.\d+$")


def read_values(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Return (floats with NaN for empty or suppressed cells, mask of cells that are not numbers).

    A column whose numbers are mostly written with a decimal comma (12,5 or 1.234,5) is read as such.
    """
    text = column.fillna("").astype(str).str.strip()
    comma = int(text.str.match(_DECIMAL_COMMA).sum()) > int(text.str.match(_DECIMAL_POINT).sum())
    values, bad = to_number(text, decimal="," if comma else ".", thousands="." if comma else None)
    return values.to_numpy(dtype=float), bad.to_numpy(dtype=bool)


def header_metadata(header: str) -> dict:
    """Return label, unit and year read from a header like "Share of newcomers (%) 2023"."""
    year = re.search(r"(?<!\d)(19\d\d|20\d\d)(?!\d)", header)
    unit = re.search(r"\(([^)]{1,20})\)|\[([^\]]{1,20})\]", header)
    label = header
    if unit:
        label = label.replace(unit.group(0), "")
    if year:
        label = label.replace(year.group(0), "")
    label = re.sub(r"\s{2,}", " ", label).strip(" -_,;") or header
    return {
        "label": label,
        "unit": (unit.group(1) or unit.group(2)) if unit else "",
        "year": int(year.group(0)) if year else None,
    }
