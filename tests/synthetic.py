"""A small synthetic build for the dashboard's tests: 31 units in four countries, written by the real writer.

Austria (12 Gemeinden), Switzerland (10) and Italy (6) at municipal level, Slovenia (3) at NUTS 3 level,
as squares on a grid (neighbours share edges). Ids, names and regions of the units the story in
data/stories names are real (Innsbruck AT_70101, Zürich CH_261, Zermatt CH_6300, Aosta IT_007003), so
the story can be shown on this build too; every number is made up, from a fixed seed, and says so: the
build's only sources are "Synthetic test data". Indicators: numeric ones in one or two years (population
2015 and 2021), country gaps and years (foreign_pct: Austria 2015, Switzerland 2019, none in Italy or
Slovenia), categorical ones (DEGURBA, mountain
type), distances for all units; values of whole NUTS 3 regions apart (regions.parquet); the whole real
catalogue, so indicators without a value are there too.

`write_synthetic_build(folder)` returns the folder, written with `geo.build.write_dataset`, the function
the real build uses, so the dashboard reads it exactly as it reads the real one.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import box

from geo.build import Assembled, methods, write_dataset
from geo.indicators import load_catalogue
from geo.schema import DISPLAY_CRS, REGION_COLUMNS, VALUE_COLUMNS, conform_units

SEED = 20261202
CENSUS = "synthetic_census"
DISTANCES = "synthetic_distances"
BOUNDARIES = "synthetic_boundaries"
SHARED_BOUNDARIES = "synthetic_boundaries_odbl"  # Slovenia's squares, as if from OpenStreetMap (share-alike)
PUBLISHER = {
    "en": "PlurAlps Atlas tests",
    "de": "Tests von PlurAlps Atlas",
    "fr": "Tests de PlurAlps Atlas",
    "it": "Test di PlurAlps Atlas",
    "sl": "Testi PlurAlps Atlas",
}


def _source(source_id: str, titles: dict[str, str]) -> dict:
    """A source of the synthetic build, as geo.build.sources_read writes one (title, publisher by language)."""
    return (
        {"id": source_id, "title": titles["en"], "publisher": PUBLISHER["en"]}
        | {f"title_{lang}": text for lang, text in titles.items() if lang != "en"}
        | {f"publisher_{lang}": text for lang, text in PUBLISHER.items() if lang != "en"}
        | {"licence": "CC0 1.0", "attribution": "Synthetic test data", "vintage": "2021", "url": "", "country": "ALL"}
    )


SOURCES = [
    _source(
        CENSUS,
        {
            "en": "Synthetic test data: population and structure",
            "de": "Synthetische Testdaten: Bevölkerung und Struktur",
            "fr": "Données de test synthétiques : population et structure",
            "it": "Dati di prova sintetici: popolazione e struttura",
            "sl": "Sintetični testni podatki: prebivalstvo in struktura",
        },
    ),
    _source(
        DISTANCES,
        {
            "en": "Synthetic test data: distances",
            "de": "Synthetische Testdaten: Entfernungen",
            "fr": "Données de test synthétiques : distances",
            "it": "Dati di prova sintetici: distanze",
            "sl": "Sintetični testni podatki: razdalje",
        },
    ),
    _source(
        BOUNDARIES,
        {
            "en": "Synthetic test data: boundaries",
            "de": "Synthetische Testdaten: Grenzen",
            "fr": "Données de test synthétiques : limites",
            "it": "Dati di prova sintetici: confini",
            "sl": "Sintetični testni podatki: meje",
        },
    ),
    _source(
        SHARED_BOUNDARIES,
        {
            "en": "Synthetic test data: boundaries under a share-alike licence",
            "de": "Synthetische Testdaten: Grenzen unter einer Share-alike-Lizenz",
            "fr": "Données de test synthétiques : limites sous licence de partage à l'identique",
            "it": "Dati di prova sintetici: confini con licenza di condivisione allo stesso modo",
            "sl": "Sintetični testni podatki: meje pod licenco deljenja pod enakimi pogoji",
        },
    )
    | {"licence": "ODbL 1.0", "attribution": "© synthetic contributors (ODbL 1.0)", "share_alike": True},
]
# The boundary source of each country's geometry (as geo.boundaries notes it for a real build).
GEOMETRY_SOURCES = {"AT": BOUNDARIES, "CH": BOUNDARIES, "IT": BOUNDARIES, "SI": SHARED_BOUNDARIES}
# country: (level, origin lon/lat, square size in degrees, [(unit_id, name, name_alt, nuts3, nuts2), ...])
COUNTRIES = {
    "AT": (
        "LAU",
        (11.0, 47.0),
        0.1,
        [("AT_70101", "Innsbruck", None, "AT332", "AT33")]
        + [(f"AT_7010{i}", f"Tiroler Gemeinde {i}", None, "AT332", "AT33") for i in range(2, 7)]
        + [(f"AT_7030{i}", f"Oberländer Gemeinde {i}", None, "AT333", "AT33") for i in range(1, 7)],
    ),
    "CH": (
        "LAU",
        (8.0, 46.4),
        0.1,
        [("CH_261", "Zürich", None, "CH040", "CH04"), ("CH_6300", "Zermatt", None, "CH012", "CH01")]
        + [(f"CH_26{i}", f"Zürcher Gemeinde {i}", None, "CH040", "CH04") for i in range(2, 6)]
        + [(f"CH_630{i}", f"Walliser Gemeinde {i}", None, "CH012", "CH01") for i in range(1, 5)],
    ),
    "IT": (
        "LAU",
        (7.0, 45.4),
        0.1,
        [("IT_007003", "Aosta", "Aoste", "ITC20", "ITC2")]
        + [(f"IT_00700{i}", f"Comune {i}", f"Commune {i}", "ITC20", "ITC2") for i in (1, 2, 4, 5, 6)],
    ),
    "SI": (
        "NUTS3",
        (14.0, 45.8),
        0.4,
        [("SI041", "Osrednjeslovenska", None, "SI041", "SI04"), ("SI042", "Gorenjska", None, "SI042", "SI04")]
        + [("SI043", "Primorsko-notranjska", None, "SI043", "SI04")],
    ),
}
NUTS_NAMES = {
    "AT33": "Tirol",
    "AT332": "Innsbruck",
    "AT333": "Tiroler Oberland",
    "CH01": "Région lémanique",
    "CH012": "Valais",
    "CH04": "Zürich",
    "CH040": "Zürich",
    "ITC2": "Valle d'Aosta/Vallée d'Aoste",
    "ITC20": "Valle d'Aosta/Vallée d'Aoste",
    "SI04": "Zahodna Slovenija",
    "SI041": "Osrednjeslovenska",
    "SI042": "Gorenjska",
    "SI043": "Primorsko-notranjska",
}


def synthetic_units() -> gpd.GeoDataFrame:
    """The units with the canonical columns (geo.schema) and the peripherality attributes."""
    frames = []
    for country, (level, (lon, lat), size, rows) in COUNTRIES.items():
        records = []
        for i, (unit_id, name, name_alt, nuts3, nuts2) in enumerate(rows):
            x, y = lon + (i % 4) * size, lat + (i // 4) * size
            records.append(
                {
                    "unit_id": unit_id,
                    "country": country,
                    "name": name,
                    "name_alt": name_alt,
                    "nuts3": nuts3,
                    "nuts2": nuts2,
                    "boundary_year": 2021,
                    "level": level,
                    "geometry": box(x, y, x + size, y + size),
                }
            )
        frames.append(conform_units(gpd.GeoDataFrame(records, crs=DISPLAY_CRS), f"synthetic {country}"))
    units = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=DISPLAY_CRS)
    rng = np.random.default_rng(SEED)
    n = len(units)
    # Distances in three bands so that every peripherality class has units (<= 20, <= 45, > 45 km).
    urban = np.round(np.array([5.0, 30.0, 70.0] * (n // 3 + 1))[:n] + rng.uniform(0, 10, n), 1)
    units["dist_city_km"] = urban
    units["dist_fua_km"] = np.round(urban + rng.uniform(0, 5, n), 1)
    units["dist_urban_centre_km"] = urban
    units["dist_hospital_km"] = np.round(rng.uniform(0.5, 40, n), 1)
    units["dist_hospital_emergency_km"] = np.nan  # as in the real sources: no emergency flags anywhere
    units["mount_type"] = pd.array(rng.integers(1, 5, n), dtype="Int8")  # 1-3 mountain, 4 not
    units["urbn_type"] = pd.array(rng.integers(1, 4, n), dtype="Int8")
    units["mountain"] = units["mount_type"].le(3).astype("boolean")
    bands = methods()["peripherality"]["classes"]
    limits = [c["max_km"] for c in bands if c["max_km"] is not None]
    codes = np.searchsorted(np.asarray(limits), urban, side="left")
    units["peripherality"] = pd.Categorical.from_codes(codes, categories=[c["name"] for c in bands], ordered=True)
    units["in_alpine_convention"] = pd.array([c != "SI" for c in units["country"]], dtype="boolean")
    units.loc[units["country"] == "SI", "in_alpine_convention"] = pd.NA
    return units


def synthetic_values(units: gpd.GeoDataFrame) -> pd.DataFrame:
    """Tidy values (geo.schema.VALUE_COLUMNS): made up from the seed, with the gaps real data has."""
    rng = np.random.default_rng(SEED + 1)
    rows: list[tuple] = []

    def add(indicator, unit_ids, year, values, source=CENSUS):
        rows.extend((u, indicator, year, float(v), source, None) for u, v in zip(unit_ids, values))

    municipal = units[units["level"] == "LAU"]
    all_ids = units["unit_id"].tolist()
    ids = municipal["unit_id"].tolist()
    population_2015 = rng.integers(300, 20_000, len(ids))
    population_2015[ids.index("AT_70101")] = 124_579
    population_2015[ids.index("CH_261")] = 396_955
    add("population", ids, 2015, population_2015)
    add("population", ids, 2021, np.round(population_2015 * rng.uniform(0.9, 1.12, len(ids))))
    add("pop_change_pa", ids, 2021, np.round(rng.normal(0.3, 0.8, len(ids)), 2))
    add("share_65plus", ids, 2021, np.round(rng.uniform(12, 30, len(ids)), 1))
    add("share_0_19", ids, 2021, np.round(rng.uniform(14, 25, len(ids)), 1))
    # Foreign nationals as the real sources have them: Austria 2015 (register), Switzerland 2019.
    for country, year in (("AT", 2015), ("CH", 2019)):
        with_foreign = municipal[municipal["country"] == country]["unit_id"].tolist()
        add("foreign_pct", with_foreign, year, np.round(rng.uniform(2, 30, len(with_foreign)), 1))
    add("degurba", ids, 2014, rng.integers(1, 4, len(ids)))
    add("dist_hospital_km", all_ids, 2020, units["dist_hospital_km"], DISTANCES)
    add("dist_city_km", all_ids, 2021, units["dist_city_km"], DISTANCES)
    add("dist_fua_km", all_ids, 2021, units["dist_fua_km"], DISTANCES)
    add("mount_type", all_ids, 2021, units["mount_type"].astype(float), DISTANCES)
    add("urbn_type", all_ids, 2021, units["urbn_type"].astype(float), DISTANCES)
    # Slovenia at NUTS 3 level: its regions' population, as the real build has it.
    regions = units[units["level"] == "NUTS3"]["unit_id"].tolist()
    add("population", regions, 2021, [295_504, 206_209, 53_134])
    values = pd.DataFrame(rows, columns=VALUE_COLUMNS)
    values["unit_id"] = values["unit_id"].astype("string")
    values["indicator"] = values["indicator"].astype("string")
    values["year"] = values["year"].astype("Int64")
    values["source"] = values["source"].astype("string")
    values["period"] = values["period"].astype("string")
    return values


def synthetic_regions() -> pd.DataFrame:
    """Values of whole NUTS 3 regions (geo.schema.REGION_COLUMNS), as the real build keeps RIATE's."""
    rows = [
        ("AT332", "population", 2021, 190_000.0),
        ("AT332", "density", 2021, 96.5),
        ("AT333", "population", 2021, 105_000.0),
        ("CH040", "population", 2021, 1_553_000.0),
        ("CH012", "population", 2021, 348_000.0),
        ("ITC20", "population", 2021, 124_000.0),
        ("ITC20", "mount_type", 2021, 1.0),
    ]
    frame = pd.DataFrame(rows, columns=REGION_COLUMNS[:4]).assign(source=CENSUS)
    return frame.astype({"nuts3": "string", "indicator": "string", "year": "Int64", "source": "string"})


def write_synthetic_build(folder: Path) -> Path:
    """Write the synthetic build into `folder` (replaced whole) and return it."""
    units = synthetic_units()
    assembled = Assembled(
        units=units,
        values=synthetic_values(units),
        catalogue=load_catalogue(),
        nuts_names=NUTS_NAMES,
        perimeter="synthetic test perimeter",
        sources=SOURCES,
        methods=methods(),
        regions=synthetic_regions(),
        geometry_sources=GEOMETRY_SOURCES,
    )
    identity = {"key": f"synthetic-{SEED}", "sources_root": "", "source_checksums": {}, "code_checksum": ""}
    write_dataset(folder, assembled, identity)
    return folder
