"""Germany: population by 17 age groups per Gemeinde, Regionalstatistik 12411-02-03-5 (`de_regionalstatistik_age`).

Not yet run on a real file (none is in the data mirror): written from the CSV export of the Regionaldatenbank
Deutschland (GENESIS) for this table, as public code reading it describes it, and tested on small files
in that layout.

Layout expected: Windows-1252 (UTF-8 accepted), `;`-separated. A header block (table code, title,
"Stichtag", ...), then a header row ending in "Insgesamt;männlich;weiblich", then data rows
`31.12.2022;09162000;  München, Landeshauptstadt;unter 3 Jahre;45123;23101;22022`, one per area and
age group (the group "Insgesamt" holds all ages), then a footer (a rule, the copyright, the legend). Data
rows are recognised by their date, so header and footer lines of any length are skipped. Areas of every
level are listed: only 8-digit keys (Gemeinden, AGS) are read; Länder (2 digits), Regierungsbezirke (3),
Kreise (5) and Gemeindeverbände (9) are skipped and counted.

Markers (the GENESIS legend): "-" means nothing, exactly zero, and is read as 0; ".", "x", "...", "/" mean
unknown, secret, not yet available or not reliable, and are missing, never zero.

Indicators, for each 31 December in the file: population (age group "Insgesamt", both sexes) and the age
shares share_under15 (under 3 … 10 to 15), share_0_19 (… 18 to 20), share_20_64 (20 to 25 … 60 to 65),
share_65plus (65 to 75, 75 and over), all over the "Insgesamt" row. The population is the intercensal
update (Fortschreibung), from the 2011 census for years to 2021 and from Census 2022 after.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from geo import sources
from geo.errors import SchemaError, SourceCorrupt
from geo.indicators.common import Collector, Num, SourceValues
from geo.indicators.textfiles import decode, split_rows
from geo.numbers import SUPPRESSED
from geo.schema import check_unique

SOURCE = "de_regionalstatistik_age"
ALL_AGES = "Insgesamt"
# The 17 age groups of the table, by their label, as (first age, last age).
GROUPS = {
    "unter 3 Jahre": (0, 2),
    "3 bis unter 6 Jahre": (3, 5),
    "6 bis unter 10 Jahre": (6, 9),
    "10 bis unter 15 Jahre": (10, 14),
    "15 bis unter 18 Jahre": (15, 17),
    "18 bis unter 20 Jahre": (18, 19),
    "20 bis unter 25 Jahre": (20, 24),
    "25 bis unter 30 Jahre": (25, 29),
    "30 bis unter 35 Jahre": (30, 34),
    "35 bis unter 40 Jahre": (35, 39),
    "40 bis unter 45 Jahre": (40, 44),
    "45 bis unter 50 Jahre": (45, 49),
    "50 bis unter 55 Jahre": (50, 54),
    "55 bis unter 60 Jahre": (55, 59),
    "60 bis unter 65 Jahre": (60, 64),
    "65 bis unter 75 Jahre": (65, 74),
    "75 Jahre und mehr": (75, 200),
}
BANDS = {"share_under15": (0, 14), "share_0_19": (0, 19), "share_20_64": (20, 64), "share_65plus": (65, 200)}
# "-" is GENESIS's "nothing there" (zero), not a suppression; the other markers stay missing.
MISSING = (SUPPRESSED - {"-"}) | {"...", "/"}
_DATE = re.compile(r"^\d{2}\.\d{2}\.(\d{4})$")


def read(root: Path | None = None) -> SourceValues:
    """Return population and age shares per Gemeinde for every 31 December in the file."""
    path = sources.locate(SOURCE, root=root)
    rows = split_rows(decode(SOURCE, path, ("utf-8-sig", "cp1252")), ";")
    header = next(
        (i for i, r in enumerate(rows) if [c.strip() for c in r[-3:]] == [ALL_AGES, "männlich", "weiblich"]), None
    )
    if header is None:
        raise SchemaError(SOURCE, path, "has no header row ending in 'Insgesamt;männlich;weiblich': another table?")
    data = [(i + 1, r) for i, r in enumerate(rows) if i > header and r and _DATE.match(r[0].strip())]
    if not data:
        raise SourceCorrupt(SOURCE, path, "has a header but no data rows (dd.mm.yyyy;key;name;age group;...)")
    short = [n for n, r in data if len(r) < 5]
    if short:
        raise SourceCorrupt(SOURCE, path, f"line {short[0]} has fewer than 5 cells: truncated?")
    table = pd.DataFrame(
        {
            "year": [int(_DATE.match(r[0].strip()).group(1)) for _, r in data],
            "key": [r[1].strip() for _, r in data],
            "group": [re.sub(r"\s+", " ", r[3]).strip() for _, r in data],
            "total": [r[4].strip() for _, r in data],
        },
        index=[n for n, _ in data],
    )
    unknown = sorted(set(table["group"]) - set(GROUPS) - {ALL_AGES})
    if unknown:
        raise SchemaError(SOURCE, path, f"has age groups this reader does not know: {', '.join(unknown[:5])}")
    out = Collector(SOURCE, path)
    gemeinde = table["key"].str.fullmatch(r"\d{8}")
    out.skip("areas that are not Gemeinden (Land, Regierungsbezirk, Kreis, Gemeindeverband)", int((~gemeinde).sum()))
    table = table[gemeinde]
    table = table.assign(total=table["total"].mask(table["total"] == "-", "0"))
    counts = out.number(table["total"], "Insgesamt", suppressed=MISSING)
    table = table.assign(value=counts.value, suppressed=counts.suppressed)
    check_unique(
        table.assign(k=table["year"].astype(str) + " " + table["key"] + " " + table["group"]), "k", SOURCE, path
    )

    for year, one in table.groupby("year"):
        wide = one.pivot(index="key", columns="group", values="value")
        masked = one.pivot(index="key", columns="group", values="suppressed").fillna(True).astype(bool)
        if ALL_AGES not in wide.columns:
            raise SchemaError(SOURCE, path, f"has no age group '{ALL_AGES}' for {year}")
        unit_ids = pd.Series("DE_" + wide.index, index=wide.index)
        population = Num(wide[ALL_AGES], masked[ALL_AGES])
        out.add("population", unit_ids, population, int(year))
        for indicator, (low, high) in BANDS.items():
            members = [g for g, (lo, hi) in GROUPS.items() if lo >= low and hi <= high]
            band = None
            for g in members:
                part = (
                    Num(wide[g], masked[g]) if g in wide.columns else Num.of(pd.Series(float("nan"), index=wide.index))
                )
                band = part if band is None else band + part
            out.add(indicator, unit_ids, band / population * 100.0, int(year))
        out.facts.setdefault("gemeinden", {})[int(year)] = len(wide)
    return out.finish()
