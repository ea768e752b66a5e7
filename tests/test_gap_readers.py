"""Readers of the sources that would close data gaps (issue 11), on small files made here in each layout.

None of these files is in the data mirror, so each reader is tested only on files written here after the
publisher's documented layout: values and unit ids, suppressed cells missing (never zero), a broken file
raising an error that names it, and the build's indicator load noting the absent files without failing.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.feather
import pytest

from geo import sources
from geo.errors import SchemaError, SourceCorrupt, SourceError
from geo.indicators import (
    READERS,
    insee_nationality,
    istat_foreign,
    li_population,
    load_indicators,
    regionalstatistik,
    surs_px,
)

GAP_SOURCES = (
    "it_istat_foreign_residents",
    "fr_insee_nationality",
    "si_surs_population",
    "li_population_gemeinden",
    "de_regionalstatistik_age",
)


def place(root: Path, source_id: str) -> Path:
    path = root / sources.get(source_id).path
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def value(result, unit_id: str, indicator: str, year: int | None = None) -> float | None:
    v = result.values
    rows = v[(v["unit_id"] == unit_id) & (v["indicator"] == indicator)]
    if year is not None:
        rows = rows[rows["year"] == year]
    assert len(rows) <= 1, rows
    return None if rows.empty else float(rows["value"].iloc[0])


# --- catalogue ------------------------------------------------------------------------------------------


def test_gap_sources_are_optional_say_their_status_and_layout():
    for sid in GAP_SOURCES:
        src = sources.get(sid)
        assert src.optional, sid
        assert src.extra["status"] == "reader not yet run on the real file; not in the local mirror", sid
        assert src.extra["layout"].strip(), sid
        assert sid in READERS, sid
    # the lead's ids: IT_<6 digits>, FR_<INSEE>, SI_<3 digits>, LI_<2 digits>, DE_<8 digits> (tests below)


def test_gap_sources_feed_the_catalogued_indicators():
    from geo.indicators import load_catalogue

    cat = load_catalogue().set_index("id")
    assert {"it_istat_foreign_residents", "fr_insee_nationality", "li_population_gemeinden"} <= set(
        cat.at["foreign_pct", "sources"]
    )
    for ind in ("share_under15", "share_0_19", "share_20_64", "share_65plus"):
        assert {"de_regionalstatistik_age", "si_surs_population"} <= set(cat.at[ind, "sources"]), ind
    assert "immigr" not in " ".join(cat.index)  # immigrants are not foreigners: no indicator mixes them


# --- ISTAT ----------------------------------------------------------------------------------------------


def write_it_denominator(root: Path, residents: dict[int, int], year: int = 2023) -> None:
    """it_population_by_age: residents by single year of age; all of a comune's people at age 30."""
    for part in sources.get("it_population_by_age").parts:
        path = root / sources.get("it_population_by_age").path.format(part=part)
        path.parent.mkdir(parents=True, exist_ok=True)
        codes = list(residents)
        table = pa.table(
            {
                "municipality_code": pa.array(codes, pa.int64()),
                "age": pa.array([30] * len(codes), pa.int64()),
                "tot": pa.array([residents[c] if int(part) == year else 1 for c in codes], pa.int64()),
            }
        )
        pyarrow.feather.write_feather(table, path)


ISTAT_CSV = """\
Popolazione straniera residente al 1° gennaio 2023 per età e sesso
Provincia: Torino
Codice comune;Comune;Età;Maschi;Femmine;Totale
001272;Torino;0;1000;900;1900
001272;Torino;1;-;-;-
001272;Torino;Totale;60000;58000;118000
001001;Agliè;0;1;2;3
001001;Agliè;1;4;5;9
2023;;;;;
"""


def test_istat_foreign_pct_over_residents_of_the_same_day(tmp_path):
    write_it_denominator(tmp_path, {1272: 841_600, 1001: 1_200})
    place(tmp_path, "it_istat_foreign_residents").write_text(ISTAT_CSV, encoding="cp1252")
    result = istat_foreign.read(tmp_path)
    # Torino's own all-ages row is used (its age 1 is "-", which would make a sum unknown).
    assert value(result, "IT_001272", "foreign_pct", 2023) == pytest.approx(118_000 / 841_600 * 100)
    # Agliè has no all-ages row: its ages are summed.
    assert value(result, "IT_001001", "foreign_pct", 2023) == pytest.approx(12 / 1_200 * 100)
    assert result.note["year"] == 2023 and "it_population_by_age" in result.note["denominator"]


def test_istat_suppressed_total_is_missing_and_year_without_denominator_gives_nothing(tmp_path):
    write_it_denominator(tmp_path, {1272: 841_600}, year=2023)
    text = ISTAT_CSV.replace("Totale;60000;58000;118000", "Totale;-;-;-").replace("2023 per", "2024 per")
    place(tmp_path, "it_istat_foreign_residents").write_text(text, encoding="utf-8")
    result = istat_foreign.read(tmp_path)
    assert result.values.empty  # 2024 has no residents in the denominator source: missing, never zero
    assert "no residents of 1 January 2024" in result.note["denominator"]


def test_istat_broken_files_name_the_file(tmp_path):
    path = place(tmp_path, "it_istat_foreign_residents")
    path.write_text("Comune;Totale\nTorino;5\n")
    with pytest.raises(SchemaError, match="Codice comune") as err:
        istat_foreign.read(tmp_path)
    assert str(path) in str(err.value)
    path.write_text(ISTAT_CSV.replace("al 1° gennaio 2023", "(no date)"))
    with pytest.raises(SchemaError, match="reference day"):
        istat_foreign.read(tmp_path)


# --- INSEE ----------------------------------------------------------------------------------------------

NAT1 = """\
CODGEO;LIBGEO;AGE400_INATC1_SEXE1;AGE400_INATC1_SEXE2;AGE400_INATC2_SEXE1;AGE400_INATC2_SEXE2;AGE415_INATC2_SEXE1
74010;Annecy;50000.5;52000;3000;2999.5;1000
2A004;Ajaccio;30000;31000;1500;1500;
75056;Paris;900000;1000000;150000;150000;0
75101;Paris 1er Arrondissement;7000;8000;1000;1000;0
"""


def test_insee_foreign_pct_by_inatc_columns(tmp_path):
    place(tmp_path, "fr_insee_nationality").write_text(NAT1, encoding="utf-8")
    result = insee_nationality.read(tmp_path)
    annecy_foreign = 3000 + 2999.5 + 1000
    assert value(result, "FR_74010", "foreign_pct", 2021) == pytest.approx(
        annecy_foreign / (annecy_foreign + 102_000.5) * 100
    )
    assert value(result, "FR_75056", "foreign_pct", 2021) == pytest.approx(300_000 / 2_200_000 * 100)
    # An empty cell is missing: Ajaccio's share is unknown, not computed as if the cell were zero.
    assert value(result, "FR_2A004", "foreign_pct") is None
    assert result.note["suppressed"] == {"foreign_pct": 1}
    assert value(result, "FR_75101", "foreign_pct") is None  # arrondissement: its commune has a row
    assert result.note["census_year"] == 2021


def test_insee_decimal_comma_and_broken_files(tmp_path):
    path = place(tmp_path, "fr_insee_nationality")
    path.write_text("CODGEO;LIBGEO;AGE400_INATC1_SEXE1;AGE400_INATC2_SEXE1\n01001;L'Abergement;800,5;19,5\n")
    assert value(insee_nationality.read(tmp_path), "FR_01001", "foreign_pct") == pytest.approx(19.5 / 820 * 100)
    path.write_text("CODGEO;LIBGEO;AGE400_IMMI1_SEXE1\n01001;L'Abergement;800\n")  # IMG1A, not NAT1
    with pytest.raises(SchemaError, match="INATC2") as err:
        insee_nationality.read(tmp_path)
    assert str(path) in str(err.value)
    path.write_bytes(b"PK\x03\x04\x00\x00 zip saved as csv")
    with pytest.raises(SourceCorrupt, match="binary"):
        insee_nationality.read(tmp_path)


# --- SURS (PX) ------------------------------------------------------------------------------------------


def px_file(ages: list[str], data: list[list[str]], *, citizenship: bool = False, codes: bool = True) -> str:
    """A PX file: stub MUNICIPALITIES (Slovenia, Ajdovščina 1, Ljubljana 61), heading [CITIZENSHIP,] AGE."""
    munis = '"SLOVENIJA","Ajdovščina","Ljubljana"'
    cit = '"Državljanstvo - SKUPAJ","Tuji državljani"'
    cit_var = '"DRŽAVLJANSTVO",' if citizenship else ""
    lines = [
        'CHARSET="ANSI";',
        'CODEPAGE="windows-1250";',
        'MATRIX="05C4002S";',
        'TITLE="Prebivalstvo po starosti in spolu, občine, Slovenija, polletno";',
        'STUB="OBČINE";',
        f'HEADING="POLLETJE","SPOL",{cit_var}"STAROST";',
        f'VALUES("OBČINE")={munis};',
        'VALUES[en]("OBČINE")="SLOVENIA","Ajdovscina","Ljubljana";',
        'VALUES("POLLETJE")="2023H2","2024H1";',
        'VALUES("SPOL")="Spol - SKUPAJ";',
        *([f'VALUES("DRŽAVLJANSTVO")={cit};'] if citizenship else []),
        'VALUES("STAROST")=' + ",".join(f'"{a}"' for a in ages) + ";",
        *(['CODES("OBČINE")="0","1","61";'] if codes else []),
        "DATA=",
    ]
    # Each muni row holds both periods; the 2023H2 cells are 1 so that picking the wrong period shows.
    for row in data:
        per_period = len(row)
        lines.append(" ".join(["1"] * per_period + row))
    lines[-1] += ";"
    return "\n".join(lines) + "\n"


AGES = ["Starost - SKUPAJ", "0-14 let", "15-19 let", "20-64 let", "65 let ali več"]


def test_surs_population_and_age_shares_for_the_latest_january(tmp_path):
    data = [
        ["2120000", "320000", "100000", "1250000", "450000"],
        ["19000", "3000", '".."', "11000", "4000"],
        ["300000", "45000", "14000", "180000", "61000"],
    ]
    place(tmp_path, "si_surs_population").write_bytes(px_file(AGES, data).encode("cp1250"))
    result = surs_px.read(tmp_path)
    assert set(result.values["unit_id"]) == {"SI_001", "SI_061"}  # Slovenia (code 0) is not a unit
    assert set(result.values["year"]) == {2024}
    assert value(result, "SI_061", "population") == 300_000
    assert value(result, "SI_061", "share_under15") == pytest.approx(45_000 / 300_000 * 100)
    assert value(result, "SI_061", "share_0_19") == pytest.approx(59_000 / 300_000 * 100)
    assert value(result, "SI_061", "share_65plus") == pytest.approx(61_000 / 300_000 * 100)
    assert value(result, "SI_001", "share_20_64") == pytest.approx(11_000 / 19_000 * 100)
    # Ajdovščina's 15-19 is "..": its 0-19 share is missing, never computed as if it were zero.
    assert value(result, "SI_001", "share_0_19") is None
    assert result.note["suppressed"]["share_0_19"] == 1


def test_surs_foreign_citizens_when_the_table_has_citizenship(tmp_path):
    ages = ["Starost - SKUPAJ"]
    data = [["2120000", "200000"], ["19000", "1500"], ["300000", "40000"]]
    place(tmp_path, "si_surs_population").write_bytes(px_file(ages, data, citizenship=True).encode("cp1250"))
    result = surs_px.read(tmp_path)
    assert value(result, "SI_061", "foreign_pct", 2024) == pytest.approx(40_000 / 300_000 * 100)
    assert value(result, "SI_061", "population", 2024) == 300_000
    assert result.note["age_bands_not_computable"] == ["share_under15", "share_0_19", "share_20_64", "share_65plus"]


def test_surs_broken_px_files_name_the_file(tmp_path):
    path = place(tmp_path, "si_surs_population")
    data = [["1", "1", "1", "1", "1"]] * 3
    path.write_bytes(px_file(AGES, data, codes=False).encode("cp1250"))
    with pytest.raises(SchemaError, match="CODES") as err:
        surs_px.read(tmp_path)
    assert str(path) in str(err.value)
    text = px_file(AGES, data).rsplit("\n", 2)[0] + ";\n"  # the last row is cut off
    path.write_bytes(text.encode("cp1250"))
    with pytest.raises(SourceCorrupt, match="DATA holds"):
        surs_px.read(tmp_path)
    path.write_text('MATRIX="x";\n')
    with pytest.raises(SourceCorrupt, match="DATA="):
        surs_px.read(tmp_path)


# --- Liechtenstein --------------------------------------------------------------------------------------

LI_CSV = """\
Ständige Bevölkerung nach Gemeinde und Staatsangehörigkeit, 31.12.2023
Gemeinde;Total;Liechtensteiner;Ausländer
Vaduz;5'767;3'300;2'467
Balzers;4'662;3'400;1'262
Planken;486;x;x
Oberland;25'000;;
Liechtenstein;40'023;26'000;14'023
Gemeinde Schaan;6'100;3'600;2'500
Schaaan;1;1;0
"""


def test_li_names_onto_iso_codes_with_swiss_thousands(tmp_path):
    place(tmp_path, "li_population_gemeinden").write_text(LI_CSV, encoding="utf-8")
    result = li_population.read(tmp_path)
    assert value(result, "LI_11", "population", 2023) == 5_767  # Vaduz = LI-11
    assert value(result, "LI_01", "foreign_pct", 2023) == pytest.approx(1_262 / 4_662 * 100)  # Balzers
    assert value(result, "LI_07", "population", 2023) == 6_100  # "Gemeinde Schaan"
    assert value(result, "LI_05", "population") == 486
    assert value(result, "LI_05", "foreign_pct") is None  # "x": missing, never zero
    assert result.note["excluded"] == [{"code": "Schaaan", "reason": "name matches no Gemeinde of Liechtenstein"}]
    assert set(result.values["unit_id"]) <= {f"LI_{i:02d}" for i in range(1, 12)}


def test_li_year_column_and_broken_files(tmp_path):
    path = place(tmp_path, "li_population_gemeinden")
    path.write_text("Jahr,Gemeinde,Ständige Bevölkerung\n2022,Triesen,5'300\n2023,Triesen,5'350\n", encoding="cp1252")
    result = li_population.read(tmp_path)
    assert value(result, "LI_09", "population", 2022) == 5_300 and value(result, "LI_09", "population", 2023) == 5_350
    path.write_text("Gemeinde;Einwohnerzahl\nVaduz;5767\n")
    with pytest.raises(SchemaError, match="total column") as err:
        li_population.read(tmp_path)
    assert str(path) in str(err.value)
    path.write_text("Gemeinde;Total\nVaduz;5767\n")
    with pytest.raises(SchemaError, match="reference day"):
        li_population.read(tmp_path)


# --- Regionalstatistik ------------------------------------------------------------------------------------


def genesis_csv(rows: list[tuple[str, str, str, str]]) -> str:
    head = [
        "12411-02-03-5;;;;;;",
        "Bevölkerung nach Geschlecht und Altersgruppen (17) - Stichtag 31.12. - regionale Tiefe: Gemeinden;;;;;;",
        "Fortschreibung des Bevölkerungsstandes;;;;;;",
        "Bevölkerung (Anzahl);;;;;;",
        ";;;;Insgesamt;männlich;weiblich",
    ]
    body = [f"31.12.2022;{key};{name};{group};{total};;" for key, name, group, total in rows]
    foot = ["__________", "© Statistische Ämter des Bundes und der Länder, Deutschland, 2024", "Stand: 01.03.2024"]
    return "\n".join(head + body + foot) + "\n"


def munich_rows(key: str = "09162000", **override: str) -> list[tuple[str, str, str, str]]:
    counts = dict.fromkeys(regionalstatistik.GROUPS, "10") | {"Insgesamt": "170"} | override
    return [(key, "  München, Landeshauptstadt", g, n) for g, n in counts.items()]


def test_regionalstatistik_age_shares_per_gemeinde(tmp_path):
    rows = [("09", "Bayern", "Insgesamt", "13369393"), ("09162", "München, Kreisfreie Stadt", "Insgesamt", "170")]
    rows += munich_rows() + munich_rows("09187139", **{"75 Jahre und mehr": "-", "Insgesamt": "160"})
    rows += munich_rows("09780139", **{"unter 3 Jahre": "."})
    place(tmp_path, "de_regionalstatistik_age").write_bytes(genesis_csv(rows).encode("cp1252"))
    result = regionalstatistik.read(tmp_path)
    assert set(result.values["unit_id"]) == {"DE_09162000", "DE_09187139", "DE_09780139"}
    assert value(result, "DE_09162000", "population", 2022) == 170
    assert value(result, "DE_09162000", "share_under15") == pytest.approx(40 / 170 * 100)
    assert value(result, "DE_09162000", "share_0_19") == pytest.approx(60 / 170 * 100)
    assert value(result, "DE_09162000", "share_20_64") == pytest.approx(90 / 170 * 100)
    assert value(result, "DE_09162000", "share_65plus") == pytest.approx(20 / 170 * 100)
    # "-" is GENESIS's exact zero; "." is unknown or secret: missing, never zero.
    assert value(result, "DE_09187139", "share_65plus") == pytest.approx(10 / 160 * 100)
    assert value(result, "DE_09780139", "share_under15") is None
    assert value(result, "DE_09780139", "share_65plus") == pytest.approx(20 / 170 * 100)
    assert result.note["suppressed"] == {"share_under15": 1, "share_0_19": 1}
    assert sum(result.note["skipped"].values()) == 2  # Bayern and the Kreis


def test_regionalstatistik_broken_files_name_the_file(tmp_path):
    path = place(tmp_path, "de_regionalstatistik_age")
    path.write_bytes(genesis_csv(munich_rows()).replace("Insgesamt;männlich;weiblich", "A;B;C").encode("cp1252"))
    with pytest.raises(SchemaError, match="Insgesamt;männlich;weiblich") as err:
        regionalstatistik.read(tmp_path)
    assert str(path) in str(err.value)
    path.write_bytes(genesis_csv(munich_rows() + [("09162000", "München", "unter 1 Jahr", "3")]).encode("cp1252"))
    with pytest.raises(SchemaError, match="unter 1 Jahr"):
        regionalstatistik.read(tmp_path)
    path.write_bytes(genesis_csv(munich_rows() + munich_rows()).encode("cp1252"))
    with pytest.raises(SourceError, match="09162000"):
        regionalstatistik.read(tmp_path)


# --- the build without these files ------------------------------------------------------------------------


def test_absent_gap_sources_are_noted_not_failures(tmp_path):
    result = load_indicators(tmp_path, only=GAP_SOURCES)
    assert result.failures == []
    absent = {n["source"]: n for n in result.notes if n.get("absent")}
    assert set(absent) == set(GAP_SOURCES)
    for sid, note in absent.items():
        assert note["problem"].startswith("not in the source folder"), sid
        assert sources.get(sid).path in note["path"], sid
        assert note["status"].startswith("reader not yet run on the real file"), sid
    assert result.values.empty


def test_a_present_but_broken_gap_source_is_a_failure(tmp_path):
    place(tmp_path, "li_population_gemeinden").write_text("nothing useful\n")
    result = load_indicators(tmp_path, only=["li_population_gemeinden"])
    assert [(f["source"], f["kind"]) for f in result.failures] == [("li_population_gemeinden", "schema")]


def test_mirror_build_notes_the_gap_sources_as_absent(mirror):
    result = load_indicators(mirror, only=GAP_SOURCES)
    assert result.failures == []
    assert {n["source"] for n in result.notes if n.get("absent")} == set(GAP_SOURCES)


def test_sources_read_carries_the_status_when_a_gap_file_is_present(tmp_path):
    from geo.build import sources_read

    place(tmp_path, "li_population_gemeinden").write_text(LI_CSV)
    listed = {s["id"]: s for s in sources_read(tmp_path)}
    assert listed["li_population_gemeinden"]["status"].startswith("reader not yet run")
    assert pd.Series(list(listed)).is_unique
