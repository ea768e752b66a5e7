"""Slovenia: population by age (and citizenship) per občina from SiStat PX files, source `si_surs_population`.

Not yet run on a real file (none is in the data mirror): written from the PC-Axis (PX) file format, which
SiStat's PX-Web offers as "Save as PX", and SURS's table 05C4002S (population by age and sex,
municipalities, half-yearly); tested on small PX files made here.

A PX file is a list of `KEYWORD="value";` statements followed by `DATA=` and the numbers. The reader uses
CODEPAGE (the encoding; ISO-8859-1 when absent, as the format prescribes), STUB and HEADING (the variables
of the rows and columns), VALUES and CODES of each variable, and DATA, which lists the cells with the
last variable varying fastest (STUB variables first, then HEADING). Keywords with a language suffix
(`VALUES[en]`) are translations and are ignored. Cells `".."`, `"..."`, `"-"`, `"."` are missing, never zero.

Variables are recognised by name, in Slovenian or English: municipalities (OBČINE / MUNICIPALITIES; the
občina number is its CODE, zero-padded to 3 as in `SI_061` Ljubljana; code 0 or a non-number is
Slovenia or a region, skipped), age (STAROST / AGE; its total and 5-year or single-year groups), sex
(SPOL / SEX; the total is read), half-year (POLLETJE / HALF-YEAR, e.g. 2024H1 = 1 January 2024; the latest
H1 is read, or the latest period when there is no H1) and citizenship (DRŽAVLJANSTVO / CITIZENSHIP, when
the table has it). Any other variable must have a single value or a total.

Indicators: population (all ages, both sexes, all citizenships); share_under15, share_0_19, share_20_64,
share_65plus where the age groups fit the bands; foreign_pct = foreign citizens as % of all residents,
where the table has citizenship. SURS's population is the register-based count of people with usual
residence in Slovenia (citizens and foreigners who live there at least a year).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from geo import sources
from geo.errors import SchemaError, SourceCorrupt
from geo.indicators.common import Collector, Num, SourceValues
from geo.indicators.textfiles import decode

SOURCE = "si_surs_population"
MISSING = frozenset({"..", "...", "-", ".", "....", ":"})
ROLES = {
    "municipality": ("OBČIN", "OBCIN", "MUNICIP"),
    "age": ("STAROST", "AGE"),
    "sex": ("SPOL", "SEX"),
    "period": ("POLLETJE", "HALF", "LETO", "YEAR", "ČETRTLETJE", "QUARTER"),
    "citizenship": ("DRŽAVLJAN", "DRZAVLJAN", "CITIZEN"),
}
_TOTAL = re.compile(r"skupaj|total|vsi|all", re.IGNORECASE)
_FOREIGN = re.compile(r"tuj|foreign", re.IGNORECASE)
BANDS = {"share_under15": (0, 14), "share_0_19": (0, 19), "share_20_64": (20, 64), "share_65plus": (65, math.inf)}


@dataclass
class PxTable:
    """The parts of a PX file the reader needs: variables in data order, their values and codes, the cells."""

    variables: list[str]
    values: dict[str, list[str]]
    codes: dict[str, list[str]]
    data: list[str]


def read(root: Path | None = None) -> SourceValues:
    """Return population, age shares and (with citizenship) foreign_pct per občina for the latest H1."""
    path = sources.locate(SOURCE, root=root)
    px = parse_px(path)
    roles = _roles(px, path)
    out = Collector(SOURCE, path)
    muni, age_var, cit_var = roles["municipality"], roles.get("age"), roles.get("citizenship")
    codes = px.codes.get(muni)
    if not codes:
        raise SchemaError(SOURCE, path, f"gives no CODES for '{muni}': the občina numbers are needed to match units")

    # One row per DATA cell with the value index of every variable (PX order: the last varies fastest).
    shape = [len(px.values[v]) for v in px.variables]
    grid = np.indices(shape).reshape(len(shape), -1)
    cube = pd.DataFrame({v: grid[k] for k, v in enumerate(px.variables)})
    cells = pd.Series([c.strip('"').strip() for c in px.data], name="DATA cell")
    cells.index = cells.index + 1  # the n-th cell of DATA, as a person would count it
    parsed = out.number(cells, suppressed=MISSING | {""})
    cube["value"], cube["suppressed"] = parsed.value.to_numpy(), parsed.suppressed.to_numpy()

    # Every variable but municipality, age and citizenship is fixed to its total (or its only value), and
    # the period to the latest 1 January.
    fixed: dict[str, int] = {}
    year = None
    if period_var := roles.get("period"):
        fixed[period_var], year = _latest_january(px.values[period_var], path)
    else:
        raise SchemaError(SOURCE, path, "has no half-year or year variable: the reference date is unknown")
    for var in px.variables:
        if var not in fixed and var not in (muni, age_var, cit_var):
            fixed[var] = _total_index(px, var, path)
    age_total = _total_index(px, age_var, path) if age_var else None
    cit_total = _total_index(px, cit_var, path) if cit_var else None

    is_obcina = pd.Series([c.strip().isdigit() and 0 < int(c) < 1000 for c in codes])
    out.skip("Slovenia or regions in the municipality variable", int((~is_obcina).sum()))
    index = pd.Index(is_obcina[is_obcina].index)
    unit_ids = pd.Series(["SI_" + codes[i].strip().zfill(3) for i in index], index=index)

    def count(**more: int | None) -> Num:
        """The cells per municipality with `fixed` and `more` variables at the given value indexes."""
        mask = pd.Series(True, index=cube.index)
        for var, at in (fixed | {k: v for k, v in more.items() if k and v is not None}).items():
            mask &= cube[var] == at
        sub = cube[mask].set_index(muni).reindex(index)
        return Num(sub["value"].astype("float64"), sub["suppressed"].fillna(True).astype(bool))

    population = count(**{age_var or "": age_total, cit_var or "": cit_total})
    out.add("population", unit_ids, population, year)

    if age_var:
        groups = {i: r for i, v in enumerate(px.values[age_var]) if i != age_total and (r := _age_range(v))}
        for indicator, (low, high) in BANDS.items():
            members = [i for i, (lo, hi) in groups.items() if lo >= low and hi <= high]
            straddle = [i for i, (lo, hi) in groups.items() if lo <= high and hi >= low and i not in members]
            if not members or straddle or not _covers([groups[i] for i in members], low, high):
                out.facts.setdefault("age_bands_not_computable", []).append(indicator)
                continue
            band = count(**{age_var: members[0], cit_var or "": cit_total})
            for i in members[1:]:
                band = band + count(**{age_var: i, cit_var or "": cit_total})
            out.add(indicator, unit_ids, band / population * 100.0, year)

    if cit_var:
        foreign_at = [i for i, v in enumerate(px.values[cit_var]) if _FOREIGN.search(v)]
        if len(foreign_at) != 1:
            raise SchemaError(
                SOURCE, path, f"'{cit_var}' has no single value for foreign citizens: {px.values[cit_var]}"
            )
        foreign = count(**{cit_var: foreign_at[0], age_var or "": age_total})
        out.add("foreign_pct", unit_ids, foreign / population * 100.0, year)
    out.facts["obcine"] = len(index)
    out.facts["year"] = year
    return out.finish()


def parse_px(path: Path) -> PxTable:
    """Return the variables, values, codes and data cells of a PX file; raise `SourceError` if malformed."""
    raw = path.read_bytes() if path.is_file() else b""
    match = re.search(rb'CODEPAGE\s*=\s*"([^"]+)"', raw[:20000])
    encoding = match.group(1).decode("ascii", "replace").strip() if match else "iso-8859-1"
    try:
        "".encode(encoding)
    except LookupError:
        raise SourceCorrupt(SOURCE, path, f"declares an unknown CODEPAGE '{encoding}'") from None
    text = decode(SOURCE, path, (encoding,))
    head, sep, data = text.partition("DATA=")
    if not sep:
        raise SourceCorrupt(SOURCE, path, "has no DATA= section: not a PX file?")
    keywords: dict[str, list[str]] = {}
    for statement in _statements(head):
        key, eq, value = statement.partition("=")
        if not eq:
            continue
        keywords[key.strip()] = _strings(value)
    stub, heading = keywords.get("STUB", []), keywords.get("HEADING", [])
    variables = stub + heading
    if not variables:
        raise SchemaError(SOURCE, path, "has no STUB or HEADING: its variables are unknown")
    values = {v: keywords.get(f'VALUES("{v}")', []) for v in variables}
    if missing := [v for v, vals in values.items() if not vals]:
        raise SchemaError(SOURCE, path, f"gives no VALUES for {', '.join(missing)}")
    codes = {v: keywords[f'CODES("{v}")'] for v in variables if f'CODES("{v}")' in keywords}
    cells = re.findall(r'"[^"]*"|[^\s;,]+', data.split(";", 1)[0])
    expected = int(np.prod([len(values[v]) for v in variables]))
    if len(cells) != expected:
        raise SourceCorrupt(
            SOURCE, path, f"DATA holds {len(cells)} cells, but its variables span {expected}: truncated or mis-declared"
        )
    return PxTable(variables, values, codes, cells)


def _statements(head: str) -> list[str]:
    """Split the keyword part at `;` outside quotes."""
    parts, current, quoted = [], [], False
    for ch in head:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    return parts


def _strings(value: str) -> list[str]:
    """Return the list items of a PX value: comma-separated; adjacent quoted pieces are one long string."""
    items, piece = [], None
    for token in re.findall(r'"[^"]*"|,|[^\s",]+', value):
        if token == ",":
            items.append(piece or "")
            piece = None
        else:
            text = token[1:-1] if token.startswith('"') else token
            piece = text if piece is None else piece + text
    if piece is not None:
        items.append(piece)
    return items


def _roles(px: PxTable, path: Path) -> dict[str, str]:
    roles = {}
    for role, stems in ROLES.items():
        found = [v for v in px.variables if any(s in v.upper() for s in stems)]
        # "AGE" is also inside other words (e.g. "PERCENTAGE"): prefer an exact match where there is one.
        exact = [v for v in found if v.upper() in stems]
        if found:
            roles[role] = (exact or found)[0]
    if "municipality" not in roles:
        raise SchemaError(SOURCE, path, f"has no municipality variable among {', '.join(px.variables)}")
    return roles


def _total_index(px: PxTable, var: str, path: Path) -> int:
    vals = px.values[var]
    if len(vals) == 1:
        return 0
    totals = [i for i, v in enumerate(vals) if _TOTAL.search(v)]
    if not totals:
        raise SchemaError(SOURCE, path, f"'{var}' has several values and no total: {', '.join(vals[:10])}")
    return totals[0]


def _latest_january(periods: list[str], path: Path) -> tuple[int, int]:
    """Return (index, year) of the latest first half-year (1 January), or of the latest period."""
    parsed = [(i, re.match(r"(\d{4})(H([12]))?", p.strip())) for i, p in enumerate(periods)]
    dated = [(i, int(m.group(1)), m.group(3)) for i, m in parsed if m]
    if not dated:
        raise SchemaError(SOURCE, path, f"periods are not years or half-years: {periods[:5]}")
    january = [d for d in dated if d[2] in (None, "1")] or dated
    i, year, _ = max(january, key=lambda d: (d[1], d[0]))
    return i, year


def _age_range(label: str) -> tuple[float, float] | None:
    text = label.strip()
    if _TOTAL.search(text):
        return None
    if m := re.match(r"(\d+)\s*[-–]\s*(\d+)", text):
        return float(m.group(1)), float(m.group(2))
    if m := re.match(r"(\d+)\s*(\+|let ali več|let in več|years or over|years and over|or over|and over)", text):
        return float(m.group(1)), math.inf
    if m := re.match(r"(\d+)\b", text):
        return float(m.group(1)), float(m.group(1))
    return None


def _covers(spans: list[tuple[float, float]], low: float, high: float) -> bool:
    """True when the age groups tile [low, high] without gaps or overlaps (integer ages)."""
    expected = low
    for lo, hi in sorted(spans):
        if lo != expected:
            return False
        expected = hi + 1
    return expected > high or (math.isinf(high) and math.isinf(expected))


__all__ = ["PxTable", "parse_px", "read"]
