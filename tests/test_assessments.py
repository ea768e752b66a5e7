"""The SPI's planning cycle: a self-assessment carries its date; two assessments of a municipality show
as two radars over each other with a table of what changed; the template says how."""

from __future__ import annotations

import pytest

from dashboard.assessments import assessments_of, changes
from dashboard.upload.analyse import Choices, analyse
from dashboard.upload.datasets import load_datasets, store_with
from dashboard.upload.spi import ASSESSED, assessment_year, template_frame
from dashboard.views import profile
from tests.components import find, texts

HEADER = "unit_id,name,country,assessed,spi_1_administration,spi_3_housing,spi_9_integration\n"


@pytest.fixture
def index(atlas):
    from dashboard.views.upload import unit_index

    return unit_index()


def _upload(text: str, filename: str, index):
    return analyse(filename, text.encode(), Choices(), index)


@pytest.mark.parametrize(
    ("cell", "year"),
    [
        ("2019", 2019),
        ("2019-05-14", 2019),
        ("14.05.2023", 2023),
        (2021.0, 2021),
        ("", None),
        ("soon", None),
        ("1850", None),
    ],
)
def test_the_date_of_an_assessment_is_read_as_people_write_it(cell, year):
    assert assessment_year(cell) == year


def test_the_template_has_the_date_column_before_the_fields(atlas):
    columns = list(template_frame(atlas.units).columns)
    assert columns[:4] == ["unit_id", "name", "country", ASSESSED] and columns[4] == "spi_1_administration"


def test_each_row_keeps_its_date_and_an_undated_row_is_counted(index):
    analysis = _upload(HEADER + "AT_70101,Innsbruck,AT,2019,4,2,3\nCH_261,Zürich,CH,,5,4,\n", "a.csv", index)
    by_year = {(d.field, d.year): d.values for d in analysis.datasets}
    assert by_year[("administration", 2019)] == {"AT_70101": 4.0}
    assert by_year[("administration", None)] == {"CH_261": 5.0}
    assert analysis.report["assessed_column"] == "assessed" and analysis.report["undated_count"] == 1


def test_a_second_assessment_is_kept_beside_the_first_and_the_profile_shows_both(atlas, index):
    first = _upload(HEADER + "AT_70101,Innsbruck,AT,2019,2,3,4\n", "innsbruck.csv", index)
    second = _upload(HEADER + "AT_70101,Innsbruck,AT,2023-06-01,3,3,\n", "innsbruck.csv", index)
    store = store_with(None, first.datasets, atlas.unit_ids)
    store = store_with(store, second.datasets, atlas.unit_ids)  # same file name, a later cycle: kept
    uploads = load_datasets(store, atlas.unit_ids)
    found = assessments_of("AT_70101", uploads)
    assert [a.year for a in found] == [2019, 2023]
    rows = {c.field: (c.before, c.after, c.change) for c in changes(found[0], found[1])}
    assert rows == {"administration": (2.0, 3.0, 1.0), "housing": (3.0, 3.0, 0.0), "integration": (4.0, None, None)}
    rendered = profile.render(atlas, "AT_70101", "en", uploads=uploads)
    graph = find(rendered, lambda c: getattr(c, "id", None) == "profile-assessment")[0]
    names = [trace.name for trace in graph.figure.data]
    assert names == ["Assessment 2019 (innsbruck.csv)", "Assessment 2023 (innsbruck.csv)"]
    assert graph.figure.data[0].line.dash == "dash"  # the earlier one beneath, dashed
    table = find(rendered, lambda c: getattr(c, "id", None) == "profile-assessment-changes")[0]
    text = " ".join(texts(table))
    assert "What changed between the two assessments" in text
    assert "Assessment 2019 (innsbruck.csv) → Assessment 2023 (innsbruck.csv)" in text
    assert "1 Administration and information 2 3 +1" in text and "3 Housing 3 3 ±0" in text
    assert "9 Immigration and integration 4 – rated once only" in text
    # The same file and date uploaded again replaces it, not adds a third.
    again = store_with(store, second.datasets, atlas.unit_ids)
    assert [a.year for a in assessments_of("AT_70101", load_datasets(again, atlas.unit_ids))] == [2019, 2023]


def test_one_assessment_shows_one_radar_without_a_table(atlas, index):
    only = _upload(HEADER + "AT_70101,Innsbruck,AT,2019,2,3,4\n", "one.csv", index)
    uploads = load_datasets(store_with(None, only.datasets, atlas.unit_ids), atlas.unit_ids)
    rendered = profile.render(atlas, "AT_70101", "en", uploads=uploads)
    graph = find(rendered, lambda c: getattr(c, "id", None) == "profile-assessment")[0]
    assert len(graph.figure.data) == 1
    assert not find(rendered, lambda c: getattr(c, "id", None) == "profile-assessment-changes")
