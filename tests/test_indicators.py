"""Tests of geo.indicators: each reader on tiny files written here, the catalogue, and the real mirror.

Unit tests build a source folder in tmp_path laid out as data/sources.toml says, with a few rows per
source, and check parsing (German number format, suppression markers, encodings, code padding), the
errors a broken file raises (each naming the file), and that one broken source does not stop the others.
Integration tests (marked `integration`) read the data mirror and check facts published by the sources.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import sources
from geo.errors import DuplicateCodes, SchemaError, SourceCorrupt
from geo.indicators import (
    READERS,
    TOTAL,
    IndicatorResult,
    at,
    catalogue,
    ch,
    de,
    europe,
    fr,
    it,
    load_catalogue,
    load_categories,
    load_indicators,
)
from geo.indicators.common import Collector
from geo.schema import VALUE_COLUMNS

# --- helpers ----------------------------------------------------------------------------------------------


def place(root: Path, source_id: str, part: str | None = None) -> Path:
    """Return where a source file lies under `root` (creating its folder), as the catalogue says."""
    rel = sources.get(source_id).relative_paths(part)[0]
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def value(result, unit_id: str, indicator: str, year: int | None = None) -> float | None:
    """Return the single value of a unit, indicator (and year), or None when there is no row."""
    values = result.values
    rows = values[(values["unit_id"] == unit_id) & (values["indicator"] == indicator)]
    if year is not None:
        rows = rows[rows["year"] == year]
    assert len(rows) <= 1, rows
    return None if rows.empty else float(rows["value"].iloc[0])


def assert_tidy(values: pd.DataFrame) -> None:
    assert list(values.columns) == VALUE_COLUMNS
    assert values["value"].dtype == "float64"
    assert values["year"].dtype == "int64"
    assert not values["value"].isna().any()
    assert not values.duplicated(["unit_id", "indicator", "year"]).any()


# --- Switzerland ------------------------------------------------------------------------------------------

CH_COLUMNS = [
    ("Number of commune", None),
    ("Name of commune", None),
    ("Residents", 2019),
    ("Change in %", "2010-2019"),
    ("Population density per km²", 2019),
    ("Foreign nationals in %", 2019),
    ("0-19 years", 2019),
    ("20-64 years", 2019),
    ("65 years or over", 2019),
    ("Crude birth rate", 2019),
    ("Crude mortality rate", 2019),
    ("Private households", 2019),
    ("Size of households in persons", 2019),
    ("Total surface area in km2  1)", 2016),
    ("Employed total", 2018),
    ("Primary sector", 2018),
    ("Secondary sector", 2018),
    ("Tertiary sector", 2018),
    ("Business establishments total", 2018),
    ("Primary sector", 2018),
    ("Dwelling vacancy rate", 2020),
    ("New housing units per 1000 residents", 2018),
    ("Social assistance rate", 2019),
]
ZURICH = [
    261,
    "Zürich",
    420217,
    12.701921,
    4778.99,
    32.46,
    17.49,
    67.75,
    14.76,
    12.32,
    8.0,
    204411,
    1.99,
    87.93,
    491193,
    177,
    28606,
    462410,
    45057,
    52,
    0.15,
    8.21,
    4.47,
]
MASCHWANDEN = [
    8,
    "Maschwanden",
    645,
    5.0,
    139.0,
    10.0,
    20.0,
    60.0,
    20.0,
    9.0,
    3.0,
    270,
    2.4,
    4.6,
    "X",
    "X",
    30,
    100,
    40,
    10,
    1.0,
    2.0,
    "X",
]


def write_ch(root: Path, communes=(ZURICH, MASCHWANDEN), *, headers=None, title_rows: int = 3) -> Path:
    from openpyxl import Workbook

    headers = headers or [h for h, _ in CH_COLUMNS]
    book = Workbook()
    sheet = book.active
    sheet.append(["Regional portraits 2021: Communes - key data"])
    for _ in range(title_rows - 1):
        sheet.append([None, None, "Population"])
    sheet.append(headers)
    sheet.append([y for _, y in CH_COLUMNS])
    sheet.append([None, "Switzerland", 8606033, 9.4] + [1.0] * (len(CH_COLUMNS) - 4))
    for row in communes:
        sheet.append(list(row))
    sheet.append([None])
    sheet.append(["1) Polygon area (excluding lakes > 5 km2)"])
    sheet.append(["© FSO"])
    path = place(root, "ch_portraits_2021")
    book.save(path)
    return path


def test_ch_reads_header_by_its_cell_and_years_from_the_year_row(tmp_path):
    write_ch(tmp_path, title_rows=5)
    result = ch.read(tmp_path)
    assert_tidy(result.values)
    assert set(result.values["unit_id"]) == {"CH_261", "CH_8"}  # no Switzerland row, no footnotes
    assert value(result, "CH_261", "population", 2019) == 420217
    assert value(result, "CH_261", "vacancy_rate", 2020) == pytest.approx(0.15)
    assert value(result, "CH_261", "jobs", 2018) == 491193
    # The primary sector of *jobs* (after "Employed total"), not of establishments.
    assert value(result, "CH_261", "jobs_primary_pct", 2018) == pytest.approx(177 / 491193 * 100)
    change = result.values.query("unit_id == 'CH_261' and indicator == 'pop_change_pa'")
    assert change["period"].tolist() == ["2010-2019"]
    assert change["value"].iloc[0] == pytest.approx(((1 + 12.701921 / 100) ** (1 / 9) - 1) * 100)
    assert result.note["skipped"] == {"rows without a commune number (Switzerland total, footnotes)": 3}


def test_ch_suppressed_values_are_missing_not_zero(tmp_path):
    write_ch(tmp_path)
    result = ch.read(tmp_path)
    for indicator in ("jobs", "jobs_primary_pct", "social_assistance_rate"):
        assert value(result, "CH_8", indicator) is None
    assert value(result, "CH_8", "population", 2019) == 645
    assert result.note["suppressed"] == {"jobs": 1, "jobs_primary_pct": 1, "social_assistance_rate": 1}
    assert result.note["unparsable"] == []


def test_ch_renamed_code_header_is_a_schema_error_naming_the_file(tmp_path):
    headers = ["Commune number"] + [h for h, _ in CH_COLUMNS[1:]]
    path = write_ch(tmp_path, headers=headers)
    with pytest.raises(SchemaError, match="Number of commune") as err:
        ch.read(tmp_path)
    assert err.value.path == str(path)
    assert str(path) in str(err.value)


def test_ch_renamed_value_column_is_a_schema_error(tmp_path):
    headers = [("Inhabitants" if h == "Residents" else h) for h, _ in CH_COLUMNS]
    write_ch(tmp_path, headers=headers)
    with pytest.raises(SchemaError, match="lacks column.*Residents"):
        ch.read(tmp_path)


def test_ch_duplicate_commune_numbers(tmp_path):
    write_ch(tmp_path, communes=(ZURICH, ZURICH))
    with pytest.raises(DuplicateCodes, match="261"):
        ch.read(tmp_path)


def test_ch_corrupt_file(tmp_path):
    place(tmp_path, "ch_portraits_2021").write_bytes(b"this is not a spreadsheet")
    with pytest.raises(SourceCorrupt, match="spreadsheet"):
        ch.read(tmp_path)


# --- Austria ----------------------------------------------------------------------------------------------

AT_HEADER = (
    "JAHR;GCD;GEM_NAME;BEV_ABSOLUT;BEV_UNTER15;BEV_UEBER65;AUSL_STAATSB;EWTQ_15BIS64;ALQ_15PLUS;"
    "EDU_15_SEK;EDU_15_TER;AUSPENDLER;PHH;HH_SIZE;FAMILIEN;UNT;AST;BESCH_AST"
)


def at_row(year: int, code: str, population: str, **cells: str) -> str:
    row = {
        "JAHR": str(year),
        "GCD": code,
        "GEM_NAME": f"Gemeinde {code}",
        "BEV_ABSOLUT": population,
        "BEV_UNTER15": "14,3",
        "BEV_UEBER65": "18,5",
        "AUSL_STAATSB": "9,4",
        "EWTQ_15BIS64": "70,9",
        "ALQ_15PLUS": "4,3",
        "EDU_15_SEK": "59,5",
        "EDU_15_TER": "18,7",
        "AUSPENDLER": "43,6",
        "PHH": "5.950",
        "HH_SIZE": "2,15",
        "FAMILIEN": "3.597",
        "UNT": "1.394",
        "AST": "1.768",
        "BESCH_AST": "16.060",
    } | cells
    return ";".join(row[c] for c in AT_HEADER.split(";"))


def write_at(root: Path, rows: list[str]) -> Path:
    path = place(root, "at_register_census")
    path.write_text("\n".join([AT_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_at_german_number_format_and_suppression_markers(tmp_path):
    write_at(
        tmp_path,
        [
            at_row(2014, "70101", "126.922"),
            at_row(
                2015,
                "70101",
                "129.907",
                HH_SIZE="1,92",
                AUSL_STAATSB="-",
                ALQ_15PLUS="X",
                EDU_15_TER="*",
                BEV_UNTER15="n.a.b",
            ),
        ],
    )
    result = at.read(tmp_path)
    assert_tidy(result.values)
    assert value(result, "AT_70101", "population", 2015) == 129907.0  # '.' is the thousands separator
    assert value(result, "AT_70101", "household_size", 2015) == 1.92  # ',' is the decimal mark
    assert value(result, "AT_70101", "jobs", 2015) == 16060.0
    for indicator in ("foreign_pct", "unemployment_rate", "tertiary_education_pct"):
        assert value(result, "AT_70101", indicator, 2015) is None  # missing, never zero
    assert result.note["suppressed"] == {"foreign_pct": 1, "unemployment_rate": 1, "tertiary_education_pct": 1}
    # A cell that is neither a number nor a marker is reported with its row in the file (line 3).
    assert result.note["unparsable"] == [{"row": 3, "column": "BEV_UNTER15", "value": "n.a.b"}]
    assert result.note["not_computable"] == {"share_under15": 1}
    # Every year is read: 70101 has the same territory in both (present in both, no merger beside it).
    assert set(result.values["year"]) == {2014, 2015}
    assert value(result, "AT_70101", "population", 2014) == 126922.0


def test_at_population_change_leaves_out_changed_territories(tmp_path):
    rows = []
    for year, (stable, vanishing, jumping, elsewhere) in {
        2013: (1000, 500, 1000, 2000),
        2014: (1010, 500, 1000, 2000),
        2015: (1020, None, 1300, 2600),
    }.items():
        rows.append(at_row(year, "60101", f"{stable:,}".replace(",", ".")))
        if vanishing:
            rows.append(at_row(year, "60102", str(vanishing)))
        rows.append(at_row(year, "60103", f"{jumping:,}".replace(",", ".")))  # jumps 30 % where 60102 vanished
        rows.append(at_row(year, "70101", f"{elsewhere:,}".replace(",", ".")))  # jumps 30 %, no merger there
        if year >= 2014:
            rows.append(at_row(year, "60104", "800"))  # new in 2014: not in every year
    write_at(tmp_path, rows)
    result = at.read(tmp_path)

    change = result.values[result.values["indicator"] == "pop_change_pa"]
    assert set(change["unit_id"]) == {"AT_60101", "AT_70101"}
    assert set(change["period"]) == {"2013-2015"}
    assert value(result, "AT_60101", "pop_change_pa", 2015) == pytest.approx(((1020 / 1000) ** 0.5 - 1) * 100)
    reasons = {e["code"]: e["reason"] for e in result.note["excluded"]}
    assert set(reasons) == {"60103", "60104"}
    assert "+30.0% from 2014 to 2015" in reasons["60103"]
    assert "not present in every year" in reasons["60104"]
    assert value(result, "AT_60103", "population", 2015) == 1300  # the latest year's levels are still there
    # Earlier years only where the territory stayed the same: never a 2013 value on a changed boundary.
    assert value(result, "AT_60101", "population", 2013) == 1000
    assert value(result, "AT_70101", "foreign_pct", 2014) is not None
    for code in ("AT_60103", "AT_60104"):
        assert value(result, code, "population", 2013) is None and value(result, code, "population", 2014) is None
    assert "years 2013-2014 and pop_change_pa left out" in reasons["60103"]
    assert result.note["years"] == [2013, 2014, 2015] and result.note["comparable_codes"] == 2


def test_at_duplicate_codes_within_a_year(tmp_path):
    write_at(tmp_path, [at_row(2015, "70101", "1"), at_row(2015, "70101", "2")])
    with pytest.raises(DuplicateCodes, match="70101"):
        at.read(tmp_path)


def test_at_renamed_column(tmp_path):
    path = place(tmp_path, "at_register_census")
    path.write_text(AT_HEADER.replace("BEV_ABSOLUT", "BEVOELKERUNG") + "\n" + at_row(2015, "70101", "1") + "\n")
    with pytest.raises(SchemaError, match="BEV_ABSOLUT") as err:
        at.read(tmp_path)
    assert err.value.path == str(path)


# --- France -----------------------------------------------------------------------------------------------

FR_HEADER = (
    "insee_com,insee_reg,insee_dep,commune,commune_article,code_postal,commune_type,insee_parente,lat,"
    "lng,superficie_km2,population_2021,population_2015,menages_2021,naissances_2022,deces_2022,"
    "pop_15_64_totale_2021,pop_15_64_chomage_2021,pop_15_64_active_2021"
)


def fr_row(code, kind, counts, *, parent="", postal="01400", area="15.95"):
    return ",".join([code, "84", code[:2], "Nom", "Nom", postal, kind, parent, "46.1", "4.9", area, *map(str, counts)])


def write_fr(root: Path, rows: list[str]) -> None:
    place(root, "fr_insee_communes").write_text("\n".join([FR_HEADER, *rows]) + "\n", encoding="utf-8")


FR_ROWS = [
    fr_row("01001", "COM", [832, 767, 341, 8, 5, 508, 27, 417], postal="01400"),
    fr_row("01001", "COM", [832, 767, 341, 8, 5, 508, 27, 417], postal="01401"),  # same commune, other postcode
    fr_row("01015", "COM", [667, 637, 303, 2, 3, 394, 39, 307]),
    fr_row("01015", "COMD", [667, 637, 303, 2, 3, 394, 39, 307], parent="01015"),
    fr_row("69381", "ARM", [29016, 29551, 16222, 281, 162, 21888, 2166, 17014], parent="69123", area="1.51"),
    fr_row("69382", "ARM", [30485, 30436, 16409, 352, 186, 21952, 1587, 15402], parent="69123", area="3.41"),
    fr_row("97611", "COM", [0, 0, 0, 3301, 276, 0, 0, 0], area=""),
    fr_row("55039", "COM", [0, 0, 0, 0, 0, 0, 0, 0], area="7.87"),
    fr_row("2A004", "COM", [100, 90, 40, 1, 1, 60, 6, 50]),
]


def test_fr_communes_arrondissements_and_codes(tmp_path):
    write_fr(tmp_path, FR_ROWS)
    result = fr.read(tmp_path)
    assert_tidy(result.values)
    assert value(result, "FR_01001", "population", 2021) == 832  # leading zero kept
    assert value(result, "FR_01001", "population", 2015) == 767
    assert value(result, "FR_2A004", "population", 2021) == 100
    assert value(result, "FR_01001", "pop_change_pa", 2021) == pytest.approx(((832 / 767) ** (1 / 6) - 1) * 100)
    assert value(result, "FR_01001", "density", 2021) == pytest.approx(832 / 15.95)
    assert value(result, "FR_01001", "birth_rate", 2022) == pytest.approx(8 / 832 * 1000)
    assert value(result, "FR_01001", "unemployment_rate", 2021) == pytest.approx(27 / 417 * 100)
    assert value(result, "FR_01001", "employment_rate", 2021) == pytest.approx((417 - 27) / 508 * 100)
    # Lyon has no COM row: its arrondissements are summed into the commune code.
    assert value(result, "FR_69123", "population", 2021) == 29016 + 30485
    assert value(result, "FR_69123", "density", 2021) == pytest.approx((29016 + 30485) / (1.51 + 3.41))
    assert not result.values["unit_id"].isin(["FR_69381", "FR_69382"]).any()
    assert result.note["arrondissements_summed"] == {"69123": 2}
    # Mayotte: census counts of 0 beside registered births are not available, not zero.
    assert not (result.values["unit_id"] == "FR_97611").any()
    assert [e["code"] for e in result.note["excluded"]] == ["97611"]
    # A commune without inhabitants really has 0; its rates cannot be computed.
    assert value(result, "FR_55039", "population", 2021) == 0.0
    assert value(result, "FR_55039", "birth_rate") is None
    assert result.note["not_computable"]["birth_rate"] == 1


def test_fr_code_repeated_with_different_figures(tmp_path):
    write_fr(
        tmp_path,
        [
            fr_row("01001", "COM", [832, 767, 341, 8, 5, 508, 27, 417]),
            fr_row("01001", "COM", [900, 767, 341, 8, 5, 508, 27, 417]),
        ],
    )
    with pytest.raises(DuplicateCodes, match="01001"):
        fr.read(tmp_path)


# --- Italy ------------------------------------------------------------------------------------------------

IT_HEADERS = [
    "Codice Regione",
    "Codice Istat del Comune \n(alfanumerico)",
    "Codice Istat del Comune \n(numerico)",
    "Denominazione (Italiana e straniera)",
    "Denominazione altra lingua",
    "Superficie territoriale (kmq) al 01/01/2020",
    "Popolazione legale 2011 (09/10/2011)",
    "Popolazione residente al 31/12/2019",
    "Zona altimetrica",
    "Altitudine del centro (metri)",
    "Comune litoraneo",
    "Comune isolano",
    "Grado di urbanizzazione",
    "Zone costiere",
]
TORINO = ["01", "001272", 1272, "Torino", None, 130.06, 872367, 857910, "5", 239, 0, 0, "1", 0]
BOLZANO = ["04", "021008", 21008, "Bolzano/Bozen", "Bozen", 52.34, 102575, 107436, "1", 262, 0, 0, "9", 0]


def write_it_classification(root: Path, rows=(TORINO, BOLZANO), sheet: str = "Comuni al 31122020") -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = sheet
    book.active.append(IT_HEADERS)
    for row in rows:
        book.active.append(row)
    book.create_sheet("Legenda").append(["Campo", "Descrizione/Legenda"])
    # An xlsx workbook at the catalogue's .xls path: the reader recognises the format by content.
    book.save(place(root, "it_classification_2020"))


def test_it_classification(tmp_path):
    write_it_classification(tmp_path)
    result = it.read_classification(tmp_path)
    assert_tidy(result.values)
    assert value(result, "IT_001272", "population", 2011) == 872367
    assert value(result, "IT_001272", "population", 2019) == 857910
    years = (pd.Timestamp("2019-12-31") - pd.Timestamp("2011-10-09")).days / 365.25
    expected = ((857910 / 872367) ** (1 / years) - 1) * 100
    assert value(result, "IT_001272", "pop_change_pa", 2019) == pytest.approx(expected)
    assert value(result, "IT_001272", "density", 2019) == pytest.approx(857910 / 130.06)
    assert value(result, "IT_001272", "altitude_centre_m", 2011) == 239
    assert value(result, "IT_021008", "it_altitude_zone", 2020) == 1
    assert value(result, "IT_001272", "degurba", 2018) == 1
    assert value(result, "IT_021008", "degurba") is None  # 9 is no class
    assert result.note["suppressed"] == {"degurba": 1}


def test_it_classification_renamed_sheet(tmp_path):
    write_it_classification(tmp_path, sheet="Comuni al 31122021")
    with pytest.raises(SchemaError, match="Comuni al 31122020"):
        it.read_classification(tmp_path)


def write_it_by_age(root: Path, per_age: dict[str, int], codes=(1272,)) -> None:
    for part, count in per_age.items():
        rows = [{"municipality_code": c, "age": a, "F": 0, "M": count, "tot": count} for c in codes for a in range(101)]
        pd.DataFrame(rows).to_feather(place(root, "it_population_by_age", part))


def test_it_population_by_age(tmp_path):
    write_it_by_age(tmp_path, {"2022": 1, "2023": 2})
    result = it.read_population_by_age(tmp_path)
    assert_tidy(result.values)
    assert value(result, "IT_001272", "population", 2022) == 101
    assert value(result, "IT_001272", "population", 2023) == 202
    assert value(result, "IT_001272", "share_under15", 2022) == pytest.approx(15 / 101 * 100)
    assert value(result, "IT_001272", "share_0_19", 2023) == pytest.approx(20 / 101 * 100)
    assert value(result, "IT_001272", "share_20_64", 2022) == pytest.approx(45 / 101 * 100)
    assert value(result, "IT_001272", "share_65plus", 2022) == pytest.approx(36 / 101 * 100)


def test_it_population_by_age_duplicates_and_corruption(tmp_path):
    write_it_by_age(tmp_path, {"2022": 1, "2023": 1}, codes=(1272, 1272))
    with pytest.raises(DuplicateCodes, match="1272 age 0"):
        it.read_population_by_age(tmp_path)
    place(tmp_path, "it_population_by_age", "2022").write_bytes(b"ARROW1 but not really")
    with pytest.raises(SourceCorrupt, match="feather"):
        it.read_population_by_age(tmp_path)


def write_it_comuni_2020(root: Path, rows: list[tuple[str, str, str]]) -> None:
    header = (
        "Codice Comune formato alfanumerico;Denominazione (Italiana e straniera);"
        '"Denominazione dell\'Unità territoriale sovracomunale \r\n(valida a fini statistici)";'
        "Popolazione legale 2011 (09/10/2011)"
    )
    lines = [header, *(";".join(r) for r in rows)]
    place(root, "it_comuni_2020").write_bytes(("\r\n".join(lines) + "\r\n").encode("latin-1"))


def test_it_comuni_2020_latin1_with_thousands(tmp_path):
    write_it_comuni_2020(tmp_path, [("001001", "Agliè", "Torino", "2.644"), ("001272", "Torino", "Torino", "872.367")])
    result = it.read_comuni_2020(tmp_path)
    assert value(result, "IT_001001", "population", 2011) == 2644
    assert value(result, "IT_001272", "population", 2011) == 872367


def test_overlapping_sources_keep_the_catalogue_first(tmp_path):
    write_it_classification(tmp_path, rows=(TORINO,))
    write_it_comuni_2020(tmp_path, [("001272", "Torino", "Torino", "872.000"), ("041032", "Gone", "PU", "1.686")])
    result = load_indicators(tmp_path, only=["it_classification_2020", "it_comuni_2020"])
    assert result.failures == []
    assert_tidy(result.values)
    assert value(result, "IT_001272", "population", 2011) == 872367  # the classification wins
    assert value(result, "IT_041032", "population", 2011) == 1686  # the 2020 list fills its gap
    note = next(n for n in result.notes if n["source"] == "it_comuni_2020")
    assert note["superseded"] == {"population": 1}
    assert note["rows"] == 1


# --- Germany ----------------------------------------------------------------------------------------------


def gv100_line(record: str, ags: str, name: str, text_key: str = "64", area_ha: int = 0, population: int = 0) -> str:
    """A GV100AD record: AGS in 11-18, Verband 19-22, name 23-72, key 123-124, area 129-139, population 140-150."""
    line = (
        record
        + "20211130"
        + ags
        + "0000"
        + name.ljust(50)[:50]
        + " " * 50
        + text_key
        + " " * 4
        + f"{area_ha:011d}"
        + f"{population:011d}"
        + f"{population // 2:011d}"
    )
    return line.ljust(220)


def write_gv100(root: Path, lines: list[str]) -> Path:
    path = place(root, "de_gv100")
    path.write_bytes("\r\n".join(lines).encode("utf-8") + b"\r\n")
    return path


GV100_LINES = [
    "10202111300" + "9".ljust(10) + "Bayern".ljust(50),
    gv100_line("60", "09162000", "München, Landeshauptstadt", "61", 31070, 1488202),
    gv100_line("60", "09175122", "Grafing b.München, St", "63", 2958, 13805),
    gv100_line("60", "09171451", "Forst Kastl, gemfr. Gebiet", "66", 1500, 0),
]


def test_de_gv100_positions_in_characters(tmp_path):
    write_gv100(tmp_path, GV100_LINES)
    result = de.read_gv100(tmp_path)
    assert_tidy(result.values)
    assert value(result, "DE_09162000", "population", 2020) == 1488202
    assert value(result, "DE_09162000", "density", 2020) == pytest.approx(1488202 / 310.70)
    assert value(result, "DE_09175122", "population", 2020) == 13805
    assert not (result.values["unit_id"] == "DE_09171451").any()  # unpopulated area skipped
    assert result.note["skipped"] == {"unpopulated unincorporated areas (Textkennzeichen 66)": 1}


def test_de_gv100_broken_files(tmp_path):
    write_gv100(tmp_path, [*GV100_LINES, GV100_LINES[1]])
    with pytest.raises(DuplicateCodes, match="09162000"):
        de.read_gv100(tmp_path)
    write_gv100(tmp_path, [GV100_LINES[1][:100]])
    with pytest.raises(SourceCorrupt, match="line 1 is 100 characters"):
        de.read_gv100(tmp_path)
    place(tmp_path, "de_gv100").write_bytes(GV100_LINES[1].encode("latin-1"))
    with pytest.raises(SourceCorrupt, match="not UTF-8"):
        de.read_gv100(tmp_path)


def write_census(root: Path, frame: pd.DataFrame, name: str = "census_2022_internal") -> None:
    import pyreadr

    pyreadr.write_rdata(str(place(root, "de_census_2022")), frame, df_name=name)


def test_de_census_two_columns_and_na(tmp_path):
    write_census(
        tmp_path,
        pd.DataFrame(
            {
                "ags": ["09162000", "09171451"],
                "population_census22": [1478638.0, 95.0],
                "share_foreign_census22": [27.3, float("nan")],
                "share_under18_census22": [14.4, 99.0],
            }
        ),
    )
    result = de.read_census(tmp_path)
    assert_tidy(result.values)
    assert value(result, "DE_09162000", "population", 2022) == 1478638
    assert value(result, "DE_09162000", "foreign_pct", 2022) == 27.3
    assert value(result, "DE_09171451", "foreign_pct") is None
    assert result.note["suppressed"] == {"foreign_pct": 1}
    assert set(result.values["indicator"]) == {"population", "foreign_pct"}


def test_de_census_renamed_object(tmp_path):
    write_census(tmp_path, pd.DataFrame({"ags": ["09162000"]}), name="census_2022")
    with pytest.raises(SchemaError, match="census_2022_internal"):
        de.read_census(tmp_path)


# --- Europe-wide ------------------------------------------------------------------------------------------


def write_riate(root: Path, regions: list[tuple[str, float | None, float | None]]) -> None:
    square = {"type": "Polygon", "coordinates": [[[14, 46], [15, 46], [15, 47], [14, 46]]]}
    features = [
        {
            "type": "Feature",
            "geometry": square,
            "properties": {"NUTS_ID": n, "NAME_LATN": n, "POP_2021": p, "DENS_2021": d},
        }
        for n, p, d in regions
    ]
    place(root, "riate_nuts3").write_text(json.dumps({"type": "FeatureCollection", "features": features}))


def test_riate_nuts3_attributes(tmp_path):
    write_riate(
        tmp_path,
        [
            ("SI041", 555948.0, 238.2),
            ("PT200", 242201.0, 104.3),
            ("PT200", 242201.0, 104.3),
            ("RS110", 1692768.0, None),
        ],
    )
    result = europe.read_riate(tmp_path)
    assert_tidy(result.values)
    assert value(result, "SI041", "population", 2021) == 555948
    assert value(result, "PT200", "density", 2021) == pytest.approx(104.3)  # identical repeat collapsed
    assert value(result, "RS110", "density") is None
    write_riate(tmp_path, [("PT200", 242201.0, 104.3), ("PT200", 1.0, 104.3)])
    with pytest.raises(DuplicateCodes, match="PT200"):
        europe.read_riate(tmp_path)


def test_degurba_unit_ids_by_country(tmp_path):
    place(tmp_path, "gisco_degurba_2014").write_text(
        '"LAU_CODE","NSI","CNTR_CODE","DGURBA_CLA"\n'
        "CH0261,0261,CH,1\nIT001272,001272,IT,1\nDE09162000,09162000,DE,1\nAT70101,70101,AT,1\n"
        "SI061,061,SI,1\nCY0001,0001,CY,9\n"
    )
    result = europe.read_degurba(tmp_path)
    assert set(result.values["unit_id"]) == {"CH_261", "IT_001272", "DE_09162000", "AT_70101", "SI_061"}
    assert result.note["suppressed"] == {"degurba": 1}


# --- number parsing and load_indicators --------------------------------------------------------------------

MARKERS = ["X", "x", "*", "-", "", ".."]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(st.tuples(st.integers(-(10**8), 10**8), st.integers(0, 99)), st.sampled_from(MARKERS)),
        min_size=1,
        max_size=30,
    )
)
def test_german_numbers_parse_and_markers_never_become_zero(cells):
    def german(whole: int, cents: int) -> str:
        sign = "-" if whole < 0 else ""
        return f"{sign}{abs(whole):,}".replace(",", ".") + f",{cents:02d}"

    text = pd.Series([c if isinstance(c, str) else german(*c) for c in cells], dtype=object)
    out = Collector("at_register_census", Path("test.csv"))
    num = out.number(text, "cell", decimal=",", thousands=".")
    out.add("population", pd.Series([f"AT_{i}" for i in range(len(cells))]), num, 2015)
    values = out.finish().values
    expected = {
        f"AT_{i}": math.copysign(abs(c[0]) + c[1] / 100, c[0] if c[0] else 1)
        for i, c in enumerate(cells)
        if not isinstance(c, str)
    }
    assert dict(zip(values["unit_id"], values["value"])) == pytest.approx(expected)
    assert out.suppressed.get("population", 0) == sum(isinstance(c, str) for c in cells)
    assert out.unparsable == []


def test_one_broken_source_does_not_stop_the_others(tmp_path):
    write_ch(tmp_path)
    write_at(tmp_path, [at_row(2015, "70101", "129.907")])
    place(tmp_path, "fr_insee_communes").write_text("insee_com,population\n01001,832\n")  # renamed columns
    place(tmp_path, "de_gv100").write_bytes(b"\xff\xfe not utf-8")  # corrupt
    result = load_indicators(tmp_path)
    assert isinstance(result, IndicatorResult)
    assert_tidy(result.values)
    assert set(result.values["source"]) == {"ch_portraits_2021", "at_register_census"}
    failures = {f["source"]: f for f in result.failures}
    assert failures["fr_insee_communes"]["kind"] == "schema"
    assert failures["de_gv100"]["kind"] == "corrupt"
    assert failures["it_population_by_age"]["kind"] == "missing"
    # An optional source that is simply absent is a note, not a failure (as in peripherality).
    absent = {n["source"]: n for n in result.notes if n.get("absent")}
    assert (
        "gisco_degurba_2014" not in failures and "not in the source folder" in absent["gisco_degurba_2014"]["problem"]
    )
    assert failures["riate_nuts3"]["optional"] is False
    assert all(f["path"] and f["problem"] for f in result.failures)
    assert {n["source"] for n in result.notes if not n.get("absent")} == {
        "ch_portraits_2021",
        "at_register_census",
        TOTAL,
    }


# --- catalogue --------------------------------------------------------------------------------------------

PERIPHERALITY_IDS = {
    "dist_city_km",
    "dist_fua_km",
    "dist_hospital_km",
    "dist_hospital_emergency_km",
    "mount_type",
    "urbn_type",
}


def test_catalogue_entries_are_complete_and_valid():
    cat = load_catalogue()
    assert list(cat.columns) == catalogue.COLUMNS
    assert cat["id"].is_unique
    for entry in cat.to_dict("records"):
        for label in catalogue.LABELS:
            assert entry[label].strip(), (entry["id"], label)
        assert entry["theme"] in catalogue.THEMES
        assert entry["direction"] in catalogue.DIRECTIONS
        assert entry["unit"] in catalogue.UNITS
        assert entry["kind"] in catalogue.KINDS
        assert entry["level"] in catalogue.LEVELS
        assert entry["licence"] and entry["source"] and entry["note"] and entry["description_en"]
        assert (entry["unit"] == "class") == (entry["kind"] == "categorical"), entry["id"]
    assert set(cat["id"]) >= PERIPHERALITY_IDS
    assert "area_km2" not in set(cat["id"])


def test_catalogue_peripherality_entries():
    cat = load_catalogue().set_index("id")
    for dist in ("dist_city_km", "dist_fua_km", "dist_hospital_km", "dist_hospital_emergency_km"):
        assert cat.at[dist, "unit"] == "km"
        assert cat.at[dist, "direction"] == "higher_worse"
    assert cat.at["dist_hospital_km", "theme"] == cat.at["dist_hospital_emergency_km", "theme"] == "health"
    assert cat.at["dist_city_km", "theme"] == cat.at["dist_fua_km", "theme"] == "peripherality"
    assert cat.at["mount_type", "sources"] == cat.at["urbn_type", "sources"] == ["gisco_nuts_2021"]


def test_categorical_indicators_have_labelled_classes():
    cat = load_catalogue()
    categories = load_categories()
    assert set(categories) == set(cat.loc[cat["kind"] == "categorical", "id"])
    assert sorted(categories["degurba"]) == [1, 2, 3]
    assert sorted(categories["mount_type"]) == [1, 2, 3, 4]
    for classes in categories.values():
        for labels in classes.values():
            assert set(labels) == set(catalogue.LANGUAGES) and all(labels.values())


def test_catalogue_rejects_a_bad_entry(tmp_path, monkeypatch):
    text = catalogue.CATALOGUE_FILE.read_text(encoding="utf-8")
    bad = tmp_path / "indicators.toml"
    bad.write_text(text.replace('theme = "integration"', 'theme = "tourism"', 1), encoding="utf-8")
    monkeypatch.setattr(catalogue, "CATALOGUE_FILE", bad)
    with pytest.raises(ValueError, match=r"\[foreign_pct\] theme = 'tourism'"):
        load_catalogue()


# --- integration: the real data mirror ---------------------------------------------------------------------


@functools.cache
def _mirror_result(root: Path) -> IndicatorResult:
    return load_indicators(root)


@pytest.fixture
def real(mirror) -> IndicatorResult:
    return _mirror_result(mirror)


@pytest.mark.integration
def test_mirror_loads_every_source(real):
    assert real.failures == []
    assert_tidy(real.values)
    assert {n["source"] for n in real.notes} == {*READERS, TOTAL}
    json.dumps(real.notes)  # the build writes them into report.json


@pytest.mark.integration
def test_mirror_indicators_and_sources_are_catalogued(real):
    cat = load_catalogue().set_index("id")
    produced = set(real.values["indicator"])
    assert produced <= set(cat.index), produced - set(cat.index)
    pairs = real.values[["indicator", "source"]].drop_duplicates().itertuples(index=False)
    for indicator, source in pairs:
        assert source in cat.at[indicator, "sources"], (indicator, source)


@pytest.mark.integration
def test_mirror_unit_ids_and_periods(real):
    ids = real.values["unit_id"]
    municipal = {"AT": r"\d{5}", "CH": r"[1-9]\d{0,3}", "DE": r"\d{8}", "FR": r"\d[\dAB]\d{3}", "IT": r"\d{6}"}
    for country, pattern in municipal.items():
        mine = ids[ids.str.startswith(f"{country}_")]
        assert mine.str.fullmatch(f"{country}_{pattern}").all(), mine[~mine.str.fullmatch(f"{country}_{pattern}")][:5]
    has_period = real.values["period"].notna()
    assert (has_period == (real.values["indicator"] == "pop_change_pa")).all()


@pytest.mark.integration
def test_mirror_switzerland(real):
    assert value(real, "CH_261", "population", 2019) == 420217
    assert value(real, "CH_261", "pop_change_pa", 2019) == pytest.approx(
        ((1 + 12.701921 / 100) ** (1 / 9) - 1) * 100, rel=1e-6
    )
    assert value(real, "CH_261", "foreign_pct", 2019) == pytest.approx(32.458, abs=0.001)
    # Maschwanden's social assistance and Flurlingen's jobs are suppressed (X): no row, never 0.
    assert value(real, "CH_8", "social_assistance_rate") is None
    assert value(real, "CH_29", "jobs") is None
    note = next(n for n in real.notes if n["source"] == "ch_portraits_2021")
    assert note["suppressed"]["social_assistance_rate"] == 480
    assert note["units"] == 2172
    ch_values = real.values[real.values["source"] == "ch_portraits_2021"]
    assert (ch_values.loc[ch_values["indicator"] == "social_assistance_rate", "value"] > 0).all()


@pytest.mark.integration
def test_mirror_austria(real):
    assert value(real, "AT_70101", "population", 2015) == 129907
    assert value(real, "AT_70101", "household_size", 2015) == 1.92
    assert value(real, "AT_90101", "population", 2015) == 16394  # Vienna as its districts
    note = next(n for n in real.notes if n["source"] == "at_register_census")
    excluded = {e["code"]: e["reason"] for e in note["excluded"]}
    assert {"60617", "61008"} <= set(excluded)
    assert len(excluded) == 181
    assert value(real, "AT_60617", "pop_change_pa") is None
    # Every year on comparable codes: Innsbruck 2011-2015; Hart bei Graz (territory may have changed) 2015 only.
    assert [value(real, "AT_70101", "foreign_pct", y) for y in range(2011, 2016)] == [16.4, 17.9, 19.3, 21.0, 22.9]
    assert value(real, "AT_60617", "population", 2011) is None and value(real, "AT_60617", "population", 2015)
    assert note["years"] == [2011, 2012, 2013, 2014, 2015]
    assert note["indicators"]["pop_change_pa"]["rows"] == 1941


@pytest.mark.integration
def test_mirror_france(real):
    assert value(real, "FR_74010", "population", 2021) == 131715
    assert value(real, "FR_69123", "population", 2021) == 522250  # Lyon = its 9 arrondissements
    assert value(real, "FR_13055", "population", 2021) == 873076  # Marseille
    assert not real.values["unit_id"].isin(["FR_69381", "FR_75101"]).any()


@pytest.mark.integration
def test_mirror_italy(real):
    assert value(real, "IT_001272", "population", 2022) == 848748
    assert value(real, "IT_001272", "population", 2023) == 841600
    assert value(real, "IT_001272", "population", 2011) == 872367
    by_age = real.values.query("indicator == 'population' and source == 'it_population_by_age'")
    totals = by_age.groupby("year")["value"].sum()
    assert totals[2022] == pytest.approx(59.02e6, rel=1e-3)
    assert totals[2023] == pytest.approx(58.84e6, rel=1e-3)
    resident = real.values.query("source == 'it_classification_2020' and indicator == 'population'")
    assert (resident["year"] == 2019).sum() == 7903


@pytest.mark.integration
def test_mirror_germany(real):
    assert value(real, "DE_09162000", "population", 2022) == 1478638
    assert value(real, "DE_09162000", "foreign_pct", 2022) == pytest.approx(27.3)
    assert value(real, "DE_09162000", "population", 2020) == 1488202
    gv100 = real.values.query("source == 'de_gv100' and indicator == 'population'")
    land = gv100["unit_id"].str[3:5]
    assert (land == "08").sum() == 1101 and (land == "09").sum() == 2056
    assert gv100.loc[land == "08", "value"].sum() == pytest.approx(11.10e6, rel=1e-3)
    assert gv100.loc[land == "09", "value"].sum() == pytest.approx(13.14e6, rel=1e-3)


@pytest.mark.integration
def test_mirror_nuts3_and_degurba(real):
    assert value(real, "SI041", "population", 2021) == 555948
    assert value(real, "LI000", "population", 2021) == 39055
    assert value(real, "CH_261", "degurba", 2014) == 1
    assert value(real, "IT_001272", "degurba", 2018) == 1
    assert set(real.values.loc[real.values["indicator"] == "degurba", "value"]) == {1.0, 2.0, 3.0}


@pytest.mark.integration
def test_mirror_no_suppressed_zero_and_plausible_ranges(real):
    v = real.values
    shares = v[
        v["indicator"].isin(
            [
                "share_under15",
                "share_0_19",
                "share_20_64",
                "share_65plus",
                "foreign_pct",
                "employment_rate",
                "unemployment_rate",
                "vacancy_rate",
            ]
        )
    ]
    assert shares["value"].between(0, 100).all()
    assert v["year"].between(2011, 2023).all()
    assert (v.loc[v["indicator"] == "population", "value"] >= 0).all()
