"""The build report: what was built, what did not match, and how complete each indicator is.

`join_report` lists, for each statistics source, the codes that did not join with a unit (restricted to
the parts of the perimeter the source covers) and the units of its country without a value.
Each record also gives the join per country (units of the country at the source's level, matched, rate).
`coverage` counts, per indicator and country, units with a value (in any year) and units without.
`render_markdown` writes the same facts for people, with the values of whole NUTS 3 regions (geo.regions)
in a section of their own.
"""

from __future__ import annotations

import pandas as pd

# How many leading characters of a national code name the administrative area it lies in. A source code
# that matches no unit is reported only when its area holds units of the perimeter: a German statistic
# covers all of Germany, and the Länder outside the perimeter are not a matching problem.
AREA_PREFIX = {"AT": 1, "CH": 0, "DE": 2, "FR": 2, "IT": 3, "SI": 0, "LI": 0}
MAX_LISTED = 500


def _national(unit_id: pd.Series) -> pd.DataFrame:
    parts = unit_id.str.split("_", n=1, expand=True)
    if parts.shape[1] == 1:  # no municipal code in the frame: only NUTS-level ids
        parts[1] = pd.NA
    is_nuts = parts[1].isna()
    return pd.DataFrame(
        {
            "country": parts[0].where(~is_nuts, unit_id.str.slice(0, 2)),
            "code": parts[1].where(~is_nuts, unit_id),
            "nuts_level": is_nuts,
        }
    )


def join_report(values: pd.DataFrame, units: pd.DataFrame) -> list[dict]:
    """Return one record per source: rows, matched units, unmatched source codes, units without values."""
    unit_ids = pd.Index(units["unit_id"])
    parts = _national(units["unit_id"])
    # NUTS-level codes (riate covers all of Europe) count only for countries shown at NUTS level.
    area_keys = {
        (c, code[: AREA_PREFIX.get(c, 0)] if not nuts_level else "NUTS")
        for c, code, nuts_level in zip(parts["country"], parts["code"], parts["nuts_level"])
    }
    records = []
    for source, group in values.groupby("source"):
        codes = pd.Series(group["unit_id"].unique())
        matched = codes[codes.isin(unit_ids)]
        unmatched = codes[~codes.isin(unit_ids)]
        un = _national(unmatched) if len(unmatched) else pd.DataFrame(columns=["country", "code", "nuts_level"])
        in_area = [
            (c, code[: AREA_PREFIX.get(c, 0)] if not nuts_level else "NUTS") in area_keys
            for c, code, nuts_level in zip(un["country"], un["code"], un["nuts_level"])
        ]
        unmatched_in_area = sorted(unmatched[pd.Series(in_area, index=unmatched.index, dtype=bool)].tolist())
        countries = sorted(_national(matched)["country"].unique()) if len(matched) else []
        country_units = units[parts["country"].isin(countries).to_numpy()]
        if len(matched):
            levels = units.loc[units["unit_id"].isin(matched), "level"].unique()
            country_units = country_units[country_units["level"].isin(levels)]
        without = sorted(set(country_units["unit_id"]) - set(matched))
        per_country = _per_country(units, codes, matched, unmatched_in_area)
        records.append(
            {
                "source": source,
                "rows": len(group),
                "codes": len(codes),
                "units_matched": len(matched),
                "countries": countries,
                "unmatched_codes_in_perimeter": len(unmatched_in_area),
                "unmatched_codes_in_perimeter_list": unmatched_in_area[:MAX_LISTED],
                "units_without_value": len(without),
                "units_without_value_list": without[:MAX_LISTED],
                "codes_outside_perimeter": len(unmatched) - len(unmatched_in_area),
                "per_country": per_country,
            }
        )
    return records


def _per_country(units: pd.DataFrame, codes: pd.Series, matched: pd.Series, unmatched: list[str]) -> dict[str, dict]:
    """Return {country: units at the source's level, matched, rate, unmatched codes in the perimeter (count
    and the first ones)} for every country the source has codes for, matched or not: a Europe-wide file
    that matches nothing in one country (DEGURBA 2014's Liechtenstein codes) shows there as 0 %, not as
    absent."""
    own = units[units["country"].isin(set(_national(codes)["country"]))]
    if len(matched):
        own = own[own["level"].isin(units.loc[units["unit_id"].isin(matched), "level"].unique())]
    hits = own.loc[own["unit_id"].isin(matched), "country"].value_counts()
    missed = pd.Series(unmatched, dtype="string")
    missed_country = missed.str.slice(0, 2)
    return {
        str(c): {
            "units": int(n),
            "matched": int(hits.get(c, 0)),
            "rate": round(int(hits.get(c, 0)) / int(n), 4),
            "unmatched_codes": int((missed_country == c).sum()),
            "unmatched_codes_list": missed[missed_country == c].head(60).tolist(),
        }
        for c, n in own["country"].value_counts().sort_index().items()
    }


def coverage(values: pd.DataFrame, units: pd.DataFrame, catalogue: pd.DataFrame) -> list[dict]:
    """Return per indicator and country: units, units with a value (any year), missing, years present."""
    unit_country = units.set_index("unit_id")["country"]
    per_country = units.groupby("country").size()
    records = []
    for indicator, group in values.groupby("indicator"):
        group = group.assign(country=group["unit_id"].map(unit_country))
        with_value = group.groupby("country")["unit_id"].nunique()
        years = group.groupby("country")["year"].agg(lambda y: sorted({int(v) for v in y}))
        for country, total in per_country.items():
            n = int(with_value.get(country, 0))
            records.append(
                {
                    "indicator": indicator,
                    "country": country,
                    "units": int(total),
                    "with_value": n,
                    "missing": int(total - n),
                    "years": years.get(country, []),
                }
            )
    known = set(values["indicator"].unique())
    for indicator in sorted(set(catalogue["id"]) - known):
        for country, total in per_country.items():
            records.append(
                {
                    "indicator": indicator,
                    "country": country,
                    "units": int(total),
                    "with_value": 0,
                    "missing": int(total),
                    "years": [],
                }
            )
    return records


def years_per_source(values: pd.DataFrame, units: pd.DataFrame) -> list[dict]:
    """Return per source and country the years that reached the build, each with its units and indicators,
    and the source's vintage (its boundaries or reference date, from the catalogue): a planner asking
    "which years can I compare, where?" reads it here."""
    unit_country = units.set_index("unit_id")["country"]
    table = values.assign(country=values["unit_id"].map(unit_country))
    records = []
    for (source, country), group in table.groupby(["source", "country"], sort=True):
        per_year = group.groupby("year").agg(units=("unit_id", "nunique"), indicators=("indicator", "nunique"))
        records.append(
            {
                "source": source,
                "country": country,
                "vintage": _vintage(source),
                "years": {
                    int(y): {"units": int(r.units), "indicators": int(r.indicators)} for y, r in per_year.iterrows()
                },
            }
        )
    return records


def _vintage(source: str) -> str:
    """The catalogue's vintage of a source (its boundaries or reference date; "a+b" derived values: a's)."""
    from geo import sources

    try:
        return sources.get(source.split("+")[0]).vintage
    except KeyError:
        return ""


def units_summary(units: pd.DataFrame) -> list[dict]:
    """Return units, total area and boundary years per country and level."""
    grouped = units.groupby(["country", "level"])
    summary = grouped.agg(
        units=("unit_id", "size"),
        area_km2=("area_km2", "sum"),
        boundary_year=("boundary_year", lambda y: sorted({int(v) for v in y.dropna()})),
    )
    return [
        {
            "country": c,
            "level": lvl,
            "units": int(r.units),
            "area_km2": round(float(r.area_km2), 1),
            "boundary_years": r.boundary_year,
        }
        for (c, lvl), r in summary.iterrows()
    ]


def render_markdown(report: dict) -> str:
    """Return the report as Markdown for people: units, failures, joins, coverage, notes."""
    lines = [
        "# PlurAlps Atlas build report",
        "",
        f"Built {report['built_at']} in {report['duration_s']:.1f} s; {report['perimeter']}.",
        "",
    ]
    lines += [
        "## Units per country and level",
        "",
        "| country | level | units | area km² | boundary year |",
        "|---|---|---:|---:|---|",
    ]
    for r in report["units"]:
        lines.append(
            f"| {r['country']} | {r['level']} | {r['units']:,} | {r['area_km2']:,.0f} | "
            f"{', '.join(map(str, r['boundary_years']))} |"
        )
    total = sum(r["units"] for r in report["units"])
    lines += ["", f"{total:,} units in all.", ""]
    nuts_level = [r["country"] for r in report["units"] if r["level"] == "NUTS3"]
    if nuts_level:
        lines += [f"**At NUTS 3 level** (no municipal polygons in the sources): {', '.join(nuts_level)}.", ""]
    lines += ["## Failures", ""]
    if report["failures"]:
        lines += [
            f"- **{f.get('stage', '')}** {f.get('country') or ''} `{f.get('source')}`: {f['problem']}"
            for f in report["failures"]
        ]
    else:
        lines.append("None: every source was read.")
    lines += [
        "",
        "## Joins of statistics to units",
        "",
        "| source | rows | units matched | codes in perimeter not matched | units of its countries without value |",
        "|---|---:|---:|---:|---:|",
    ]
    for j in report["joins"]:
        lines.append(
            f"| {j['source']} | {j['rows']:,} | {j['units_matched']:,} | "
            f"{j['unmatched_codes_in_perimeter']:,} | {j['units_without_value']:,} |"
        )
    lines += ["", "Join rate per country (units of the country at the source's level with a value):", ""]
    for j in report["joins"]:
        rates = ", ".join(
            f"{c} {d['matched']:,}/{d['units']:,} ({d['rate']:.1%}"
            + (f"; {d['unmatched_codes']:,} codes not matched" if d["unmatched_codes"] else "")
            + ")"
            for c, d in j.get("per_country", {}).items()
        )
        if rates:
            lines.append(f"- `{j['source']}`: {rates}")
    lines += [""]
    for j in report["joins"]:
        if j["unmatched_codes_in_perimeter_list"]:
            codes = ", ".join(j["unmatched_codes_in_perimeter_list"][:60])
            more = j["unmatched_codes_in_perimeter"] - min(60, j["unmatched_codes_in_perimeter"])
            tail = f" … and {more} more (report.json)" if more else ""
            lines.append(f"- `{j['source']}` codes not matched: {codes}{tail}")
    lines += [
        "",
        "## Values of whole NUTS 3 regions (regions.parquet, not municipal values)",
        "",
        "| source | indicator | rows | regions with a value / regions of the build | countries |",
        "|---|---|---:|---:|---|",
    ]
    for r in report.get("regions", []):
        lines.append(
            f"| {r['source']} | {r['indicator']} | {r['rows']:,} | {r['regions_with_value']}/{r['regions']} | "
            f"{', '.join(r['countries'])} |"
        )
    missing_regions = {r["indicator"]: r["regions_without_value"] for r in report.get("regions", [])}
    for indicator, codes in missing_regions.items():
        if codes:
            lines.append(f"- `{indicator}` missing for: {', '.join(codes[:60])}")
    lines += ["", "## Coverage of each indicator (units with a value / units)", ""]
    cov = pd.DataFrame(report["coverage"])
    if not cov.empty:
        countries = sorted(cov["country"].unique())
        lines += ["| indicator | " + " | ".join(countries) + " | missing |", "|---|" + "---:|" * (len(countries) + 1)]
        for indicator, group in cov.groupby("indicator"):
            cells = {r.country: f"{r.with_value:,}/{r.units:,}" for r in group.itertuples()}
            lines.append(
                f"| {indicator} | "
                + " | ".join(cells.get(c, "") for c in countries)
                + f" | {int(group['missing'].sum()):,} |"
            )
    lines += ["", "## Years per source and country (units with a value that year, indicators)", ""]
    if report.get("years"):
        lines += ["| source | country | vintage | years |", "|---|---|---|---|"]
        for r in report["years"]:
            years = "; ".join(
                f"{y}: {v['units']:,} units, {v['indicators']} indicator{'s' if v['indicators'] != 1 else ''}"
                for y, v in r["years"].items()
            )
            lines.append(f"| {r['source']} | {r['country']} | {r.get('vintage', '')} | {years} |")
    lines += ["", "## Notes per country and source", ""]
    for key, notes in report["notes"].items():
        lines.append(f"### {key}")
        lines.append("")
        for name, value in notes.items():
            text = value if isinstance(value, str) else _short_json(value)
            lines.append(f"- {name}: {text}")
        lines.append("")
    return "\n".join(lines) + "\n"


def _short_json(value, limit: int = 600) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit] + " … (see report.json)"
