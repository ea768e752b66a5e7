"""Uploads: the parser on a corpus of hostile files and on random input, matching, the report, the store."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.upload import parse
from dashboard.upload.analyse import Choices, analyse
from dashboard.upload.datasets import MAX_DATASETS, load_datasets, store_with
from dashboard.upload.match import KeySpec, UnitIndex, country_code, header_metadata, match_rows, read_values
from dashboard.upload.parse import UploadError, parse_upload

# ---- the parser on hostile files --------------------------------------------------------------------------


def _xlsx(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    return buffer.getvalue()


def test_utf8_with_bom_and_semicolons_and_decimal_commas():
    data = "\ufeffcode;Anteil (%)\nAT_70101;12,5\nCH_261;1.234,5\n".encode()
    table = parse_upload("x.csv", data)
    assert table.encoding == "utf-8-sig"
    assert table.delimiter == ";"
    assert list(table.frame.columns) == ["code", "Anteil (%)"]
    values, bad = read_values(table.frame["Anteil (%)"])
    assert values.tolist() == [12.5, 1234.5]
    assert not bad.any()


def test_windows_1252_is_read_and_said():
    table = parse_upload("x.csv", "name,value\nZürich,1\nGenève,2\n".encode("cp1252"))
    assert table.encoding == "cp1252"
    assert table.frame["name"].tolist() == ["Zürich", "Genève"]


def test_utf16_with_bom():
    table = parse_upload("x.csv", "name\tvalue\nBozen\t3\n".encode("utf-16"))
    assert table.delimiter == "\t"
    assert table.frame["name"].tolist() == ["Bozen"]


def test_garbage_is_refused_as_not_text():
    garbage = bytes(range(256)) * 4000
    with pytest.raises(UploadError) as err:
        parse_upload("data.csv", garbage)
    assert err.value.key == "not_text"


def test_ten_megabytes_are_refused_before_parsing():
    with pytest.raises(UploadError) as err:
        parse_upload("big.csv", b"a,b\n" + b"1,2\n" * 2_700_000)
    assert err.value.key == "too_large"


def test_zip_bomb_disguised_as_xlsx_is_not_opened():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (200 * 1024 * 1024))  # 200 MB of zeros
    data = buffer.getvalue()
    assert len(data) < parse.MAX_BYTES
    with pytest.raises(UploadError) as err:
        parse_upload("report.xlsx", data)
    assert err.value.key == "zip_bomb"


def test_a_zip_that_is_no_workbook_and_a_legacy_xls_are_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(UploadError, match="not_xlsx"):
        parse_upload("x.xlsx", buffer.getvalue())
    with pytest.raises(UploadError, match="unsupported_type"):
        parse_upload("x.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 100)


def test_real_xlsx_keeps_codes_as_codes():
    data = _xlsx(pd.DataFrame({"unit_id": ["AT_70101"], "code": [70101], "value": [3.5]}))
    table = parse_upload("x.xlsx", data)
    assert table.file_type == "xlsx"
    assert table.frame.iloc[0].tolist() == ["AT_70101", "70101", "3.5"]


def test_formulas_are_kept_as_text_and_are_not_numbers():
    table = parse_upload("x.csv", b"unit_id,value\nAT_70101,=1+1\nCH_261,@SUM(A1)\n")
    values, bad = read_values(table.frame["value"])
    assert bad.tolist() == [True, True]


def test_duplicate_and_empty_headers_are_renamed_and_reported():
    table = parse_upload("x.csv", b"value,value,,value (2)\n1,2,3,4\n")
    assert list(table.frame.columns) == ["value", "value (3)", "column 3", "value (2)"]  # never reuse a name
    assert [k for k, _ in table.notes] == ["duplicate_header"]


def test_unicode_names_and_limits():
    table = parse_upload("x.csv", "name,v\nČrna na Koroškem,1\nSankt Pölten,2\n".encode())
    assert table.frame["name"].tolist() == ["Črna na Koroškem", "Sankt Pölten"]
    with pytest.raises(UploadError, match="too_many_columns"):
        parse_upload("x.csv", (",".join(f"c{i}" for i in range(100)) + "\n").encode() + b"1\n")
    with pytest.raises(UploadError, match="too_many_rows"):
        parse_upload("x.csv", b"a\n" + b"1\n" * (parse.MAX_ROWS + 5))
    with pytest.raises(UploadError, match="no_rows"):
        parse_upload("x.csv", b"a,b\n\n\n")
    with pytest.raises(UploadError, match="empty"):
        parse_upload("x.csv", b"  \n ")


def test_empty_rows_are_counted_with_their_numbers():
    table = parse_upload("x.csv", b"a,b\n1,2\n,\n3,4\n\n")
    assert table.row_numbers == [2, 4]
    assert table.empty_rows == [3, 5]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.binary(max_size=4_000), st.sampled_from(["a.csv", "b.xlsx", "c.txt", "", "d.xls"]))
def test_any_bytes_give_a_table_or_an_upload_error(data, name):
    try:
        table, refused = parse_upload(name, data), None
    except UploadError as err:
        table, refused = None, err.key
    if table is None:
        assert refused
    else:
        assert len(table.frame) == len(table.row_numbers) > 0


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12), min_size=1, max_size=6),
        min_size=2,
        max_size=30,
    ),
    st.sampled_from([",", ";", "\t"]),
)
def test_any_table_written_as_csv_is_read_back_or_refused_clearly(rows, delimiter):
    import csv

    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    try:
        table, refused = parse_upload("t.csv", buffer.getvalue().encode()), None
    except UploadError as err:
        table, refused = None, err.key
    if table is None:
        assert refused in {"empty", "no_rows", "not_text", "bad_csv", "too_many_columns"}
    else:
        assert len(set(table.frame.columns)) == table.frame.shape[1]  # headers are unique


def test_header_metadata():
    assert header_metadata("Share of newcomers (%) 2023") == {"label": "Share of newcomers", "unit": "%", "year": 2023}
    assert header_metadata("rating") == {"label": "rating", "unit": "", "year": None}


def test_country_names_in_five_languages():
    assert {country_code(n) for n in ("Österreich", "Autriche", "AUT", "at", "Avstrija")} == {"AT"}
    assert country_code("Atlantis") is None


# ---- matching and the report, on the real units -------------------------------------------------------------


@pytest.fixture(scope="module")
def index(atlas):
    return UnitIndex(atlas)


MIXED = """Gemeinde;Land;Neuzugänge 2023 (%);Kommentar
Innsbruck;Österreich;12,5;ok
Zermatt;CH;7,1;
Bolzano;Italien;x;suppressed
;;;
Nowhere;AT;3;
Innsbruck;AT;13;again
Zürich;Schweiz;=1+1;
Altdorf;DE;4,2;three of them
""".encode("cp1252")


@pytest.mark.integration
def test_a_mixed_file_gives_the_right_report_and_keeps_every_good_row(index):
    analysis = analyse("mixed.csv", MIXED, Choices(), index)
    r = analysis.report
    assert analysis.key == KeySpec("Gemeinde", "name", "Land")
    assert (r["rows"], r["matched"], r["empty_rows"]) == (7, 4, [5])
    assert [u["row"] for u in r["unmatched"]] == [6]
    assert r["duplicates"] == [{"row": 7, "first_row": 2, "unit_id": "AT_70101"}]
    assert r["not_numbers"] == [{"row": 8, "column": "Neuzugänge 2023 (%)", "value": "=1+1"}]
    assert [a["row"] for a in r["ambiguous"]] == [9]
    [dataset] = analysis.datasets
    assert (dataset.label, dataset.unit, dataset.year) == ("Neuzugänge", "%", 2023)
    assert dataset.values == {"AT_70101": 12.5, "CH_6300": 7.1}
    assert analysis.unmatched_rows["row"].tolist() == [6, 7, 9]


@pytest.mark.integration
def test_a_chosen_unit_resolves_an_ambiguous_name(index):
    analysis = analyse("mixed.csv", MIXED, Choices(resolved={9: "DE_09274113"}), index)
    assert analysis.datasets[0].values["DE_09274113"] == 4.2
    assert analysis.report["ambiguous"] == []


@pytest.mark.integration
def test_national_codes_with_a_fixed_country_and_unit_ids(index):
    table = parse_upload("x.csv", b"gkz,v\n70101,1\n 30729 ,2\n99999,3\n")
    matching = match_rows(table, KeySpec("gkz", "code", country="AT"), index)
    assert matching.unit_ids == ["AT_70101", "AT_30729", None]
    assert matching.unmatched[0]["reason"] == "unknown_code"
    table = parse_upload("x.csv", b"id,v\nCH_261,1\nit_001272,2\nSI_061,3\nSI041,4\nLI-11,5\n")
    matching = match_rows(table, KeySpec("id", "unit_id"), index)
    assert matching.unit_ids == ["CH_261", "IT_001272", "SI_061", None, "LI_11"]  # SI041 is a region now
    assert matching.unmatched[0]["reason"] == "region_code"


@pytest.mark.integration
def test_slovenian_codes_and_liechtenstein_names_find_their_municipalities(index):
    # GURS's občina number as a spreadsheet writes it (no leading zeros), with a fixed country.
    table = parse_upload("x.csv", b"obcina,v\n61,1\n1,2\n213,3\n999,4\n")
    matching = match_rows(table, KeySpec("obcina", "code", country="SI"), index)
    assert matching.unit_ids == ["SI_061", "SI_001", "SI_213", None]
    # Liechtenstein's Gemeinden by name, the country in a column, in any of the five languages.
    table = parse_upload(
        "x.csv", "Gemeinde;Land;v\nVaduz;Liechtenstein;1\nSchaan;LI;2\nTriesenberg;Lihtenštajn;3\n".encode()
    )
    matching = match_rows(table, KeySpec("Gemeinde", "name", "Land"), index)
    assert matching.unit_ids == ["LI_11", "LI_07", "LI_10"]
    analysis = analyse("li.csv", b"Gemeinde;Land;Anteil (%)\nVaduz;LI;1,5\n", Choices(), index)
    assert analysis.key == KeySpec("Gemeinde", "name", "Land") and analysis.datasets[0].values == {"LI_11": 1.5}


@pytest.mark.integration
def test_spi_assessment_reads_ratings_and_reports_those_outside_the_scale(index):
    csv_text = (
        "unit_id,name,country,spi_1_administration,spi_3_housing,spi_9_integration\n"
        "AT_70101,Innsbruck,AT,4,2.5,7\nCH_261,Zürich,CH,,5,0\n"
    )
    analysis = analyse("spi.csv", csv_text.encode(), Choices(), index)
    fields = {d.field: d.values for d in analysis.datasets}
    assert fields["administration"] == {"AT_70101": 4.0}
    assert fields["housing"] == {"AT_70101": 2.5, "CH_261": 5.0}
    assert "integration" not in fields  # both ratings outside 1-5: nothing left to map
    assert {(o["row"], o["value"]) for o in analysis.report["out_of_scale"]} == {(2, 7.0), (3, 0.0)}
    assert all(d.kind == "spi" for d in analysis.datasets)


# ---- the session store is untrusted input -------------------------------------------------------------------


def test_the_store_keeps_valid_datasets_and_drops_forged_parts():
    units = frozenset({"AT_70101", "CH_261"})
    store = {
        "version": 1,
        "datasets": [
            {
                "id": "u1",
                "label": "ok",
                "values": [["AT_70101", 1.5], ["XX_1", 2], ["CH_261", "3"], ["CH_261", float("nan")]],
            },
            {"id": "../etc", "label": "bad id", "values": [["AT_70101", 1]]},
            {"id": "u1", "label": "duplicate id", "values": []},
            "not a dict",
            {"id": "u2", "label": "<script>" * 100, "year": "2020", "kind": "evil", "values": "nope"},
        ],
    }
    datasets = load_datasets(store, units)
    assert [d.id for d in datasets] == ["u1", "u2"]
    assert datasets[0].values == {"AT_70101": 1.5}
    assert len(datasets[1].label) <= 120
    assert datasets[1].year is None
    assert datasets[1].kind == "indicator"
    assert load_datasets("garbage", units) == []
    assert load_datasets({"version": 99, "datasets": []}, units) == []


def test_adding_numbers_datasets_uniquely_and_caps_their_count():
    units = frozenset({"AT_70101"})
    from dashboard.upload.datasets import Dataset

    store = None
    for i in range(MAX_DATASETS + 5):
        store = store_with(store, [Dataset("new", f"d{i}", "", None, "indicator", "f.csv", {"AT_70101": i})], units)
    datasets = load_datasets(store, units)
    assert len(datasets) == MAX_DATASETS
    assert len({d.id for d in datasets}) == MAX_DATASETS
    assert datasets[-1].label == f"d{MAX_DATASETS + 4}"


@pytest.mark.integration
def test_odd_codes_never_break_the_analysis(index):
    for key in ("²", "9" * 5_000, "ᛝ", "-1", "AT_", "_"):
        analysis = analyse(
            "x.csv",
            f"gkz;land;v\n{key};CH;3\n70101;AT;4\n".encode(),
            Choices(key_column="gkz", key_kind="code", country_column="land"),
            index,
        )
        assert analysis.error is None
        assert analysis.report["matched"] == 1


def test_an_oversized_upload_is_refused_before_it_is_decoded():
    from dashboard.views.upload import decode_contents

    huge = "data:text/csv;base64," + "QUFB" * (2 * parse.MAX_BYTES // 3)
    with pytest.raises(UploadError) as err:
        decode_contents(huge)
    assert err.value.key == "too_large"
    with pytest.raises(UploadError, match="unreadable"):
        decode_contents("data:text/csv;base64,@@@@")
