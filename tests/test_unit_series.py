"""A unit's values over the years beside its country's median (dashboard/unit_series.py), the small chart
of them (dashboard/sparkline.py) and the profile's "Over time" section, against the build's own values."""

from __future__ import annotations

import base64
import re

import numpy as np
import pandas as pd

from dashboard.sparkline import HEIGHT, PAD, WIDTH, data_uri, sparkline_svg
from dashboard.unit_series import MIN_COUNTRY_UNITS, unit_series
from dashboard.views import profile
from tests.components import find, texts


def _values(build) -> pd.DataFrame:
    return pd.read_parquet(build / "indicators.parquet")


def test_each_years_value_and_country_median_equal_the_builds(synthetic_atlas, synthetic_build):
    values = _values(synthetic_build)
    units = synthetic_atlas.units[["unit_id", "country"]]
    table = values.merge(units, on="unit_id")
    series = {s.indicator: s for s in unit_series(synthetic_atlas, "AT_70101")}
    assert set(series) == {"population"}  # the only indicator the synthetic build has in two years
    population = series["population"]
    assert population.years == (2015, 2021)
    own = table[(table["unit_id"] == "AT_70101") & (table["indicator"] == "population")].sort_values("year")
    assert population.values == tuple(own["value"])
    for year, median, count in zip(population.years, population.country_median, population.country_units):
        country = table[(table["country"] == "AT") & (table["indicator"] == "population") & (table["year"] == year)]
        assert count == len(country) >= MIN_COUNTRY_UNITS
        assert median == country["value"].median()
    assert not population.mixed_sources


def test_a_unit_with_one_year_per_indicator_has_no_series(synthetic_atlas):
    assert unit_series(synthetic_atlas, "SI041") == []  # a Slovenian region: population 2021 only
    assert unit_series(synthetic_atlas, "XX_0") == []


def _lines(svg: str) -> list[list[tuple[float, float]]]:
    return [
        [tuple(map(float, p.split(","))) for p in m.split()] for m in re.findall(r'<polyline points="([^"]+)"', svg)
    ]


def test_years_stand_at_their_distance_and_the_scale_spans_both_lines():
    svg = sparkline_svg([2011, 2015, 2021], [10.0, 20.0, 30.0], [5.0, 5.0, 40.0])
    reference, unit = _lines(svg)
    xs = [x for x, _y in unit]
    assert xs[0] == PAD and xs[-1] == WIDTH - PAD
    assert abs((xs[1] - xs[0]) / (xs[2] - xs[0]) - 0.4) < 0.01  # 2015 is 4 of 10 years in
    ys = [y for _x, y in reference]
    assert max(ys) == HEIGHT - PAD and min(ys) == PAD  # the reference holds the lowest and highest values
    assert "stroke-dasharray" in svg.split("<polyline")[1]  # the reference is the dashed one


def test_a_missing_year_breaks_the_line_and_nothing_is_drawn_for_it():
    svg = sparkline_svg([2011, 2012, 2013, 2014], [1.0, 2.0, 3.0, 4.0], [1.0, float("nan"), 3.0, 4.0])
    lines = _lines(svg)
    assert len(lines) == 2  # the reference's 2013-2014 piece, then the unit's whole line
    assert svg.count("<circle") == 2  # the reference's lone 2011 point and the unit's last value
    assert base64.b64decode(data_uri(svg).split(",", 1)[1]).decode() == svg


def test_the_profile_shows_the_series_with_its_numbers_in_words(synthetic_atlas):
    rendered = profile.render(synthetic_atlas, "AT_70101", "en")
    text = " ".join(texts(rendered))
    assert "Over time" in text and "median of the units of Austria with a value that year" in text
    images = find(rendered, lambda c: str(getattr(c, "src", "")).startswith("data:image/svg+xml"))
    assert len(images) == 1
    population = next(s for s in unit_series(synthetic_atlas, "AT_70101"))
    assert images[0].alt.startswith("Population, Innsbruck: 2015: 124,579")
    assert "2015: 124,579\u00a0persons → 2021:" in text and "median AT:" in text
    assert "Drawn as an index (first year = 100)" in text  # a count: both lines as an index
    assert f"2021: {population.values[1]:,.0f}" in images[0].alt and "Median of Austria: 2015:" in images[0].alt
    german = " ".join(texts(profile.render(synthetic_atlas, "AT_70101", "de")))
    assert "Im Zeitverlauf" in german
    assert np.isfinite(population.country_median).all()
