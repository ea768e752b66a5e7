"""The built dataset as the dashboard uses it: loaded once per process, read-only afterwards.

`load_atlas(folder)` reads data/build (PLURALPS_BUILD) and prepares what callbacks need so that a request
does only array work: per indicator and year, a value array aligned to the map's feature order (NaN where
a unit has no value), with the year and source of each value. "latest" is each unit's most recent value,
so a transnational map shows every country even when their statistics are of different years.

A missing or broken build raises `BuildError` saying what is wrong and how to rebuild.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import shapely

from geo.outputs import FORMAT_VERSION, OUTPUTS
from geo.terms import LATEST

REBUILD_HINT = "Run `python -m geo.build` (or `make data`) to build it."
UNIT_COLUMNS = [
    "unit_id",
    "country",
    "name",
    "name_alt",
    "nuts3",
    "nuts2",
    "level",
    "boundary_year",
    "area_km2",
    "mount_type",
    "urbn_type",
    "mountain",
    "dist_urban_centre_km",
    "peripherality",
    "in_alpine_convention",
]


class BuildError(RuntimeError):
    """The dataset folder is missing, incomplete or unreadable."""


@dataclass(frozen=True)
class Series:
    """One indicator in one year (or each unit's latest year), aligned to the unit order."""

    indicator: str
    year: int | str
    values: np.ndarray  # float64, NaN = no value
    years: np.ndarray  # int16, 0 where no value
    source_codes: np.ndarray  # int16 index into Atlas.source_ids, -1 where no value

    @property
    def present(self) -> np.ndarray:
        return ~np.isnan(self.values)


@dataclass(eq=False)  # compared and hashed by identity: one per process, used as a cache key
class Atlas:
    folder: Path
    units: pd.DataFrame  # one row per unit, map feature order (row i = feature id i)
    catalogue: pd.DataFrame  # index: indicator id
    values: pd.DataFrame  # tidy values while loading; emptied once the series are prepared (memory)
    neighbours: pd.DataFrame
    regions: pd.DataFrame  # values of whole NUTS 3 regions (nuts3, indicator, year, value, source)
    report: dict
    manifest: dict
    bounds: dict[str, list[float]]  # [west, south, east, north] per country, NUTS 2 and NUTS 3 code
    source_ids: list[str]
    sources: dict[str, dict] = field(default_factory=dict)  # what the build read: title, publisher, licence ...
    methods: dict = field(default_factory=dict)  # parameters of derived indicators (peripherality classes)
    # The span of a change indicator ("2010-2019") by (indicator, source, end year): constant per source.
    periods: dict[tuple[str, str, int], str] = field(default_factory=dict)
    _series: dict[tuple[str, int | str], Series] = field(default_factory=dict, repr=False)

    @cached_property
    def position(self) -> pd.Series:
        """Feature position of each unit_id."""
        return pd.Series(np.arange(len(self.units)), index=self.units["unit_id"])

    @cached_property
    def unit_ids(self) -> frozenset[str]:
        """Every unit_id, for validating input that names units."""
        # tolist: iterating the Arrow-backed index element by element costs ~40 ms for 18k units.
        return frozenset(self.units["unit_id"].astype(str).tolist())

    @cached_property
    def nuts3_level(self) -> np.ndarray:
        """True for the units that are NUTS 3 regions (Slovenia, Liechtenstein), per feature."""
        return (self.units["level"] == "NUTS3").to_numpy(dtype=bool)

    def indicator_ids(self) -> list[str]:
        return self.catalogue.index.tolist()

    def years(self, indicator: str) -> list[int]:
        return list(self.catalogue.at[indicator, "years"]) if indicator in self.catalogue.index else []

    def series(self, indicator: str, year: int | str = LATEST) -> Series:
        """Return the values of `indicator` in `year` (or each unit's latest) for every unit."""
        return self._series[(indicator, year)]

    def when(self, indicator: str, source: str | None, year: int) -> str:
        """Return how a value's time is written: its period for change indicators, else its year."""
        if not year:
            return ""
        return self.periods.get((indicator, source or "", int(year))) or str(int(year))

    def has_series(self, indicator: str, year: int | str) -> bool:
        return (indicator, year) in self._series


def load_atlas(folder: Path) -> Atlas:
    """Read a build folder; raise BuildError naming what is missing or broken."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BuildError(f"No dataset at {folder}. {REBUILD_HINT}")
    missing = [name for name in OUTPUTS if not (folder / name).is_file()]
    if missing:
        raise BuildError(f"The dataset at {folder} is incomplete: {', '.join(missing)} missing. {REBUILD_HINT}")
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
        report = json.loads((folder / "report.json").read_text())
        described = json.loads((folder / "sources.json").read_text())
        if manifest.get("format_version") != FORMAT_VERSION:
            raise BuildError(
                f"The dataset at {folder} has format {manifest.get('format_version')}, this app "
                f"reads format {FORMAT_VERSION}. {REBUILD_HINT}"
            )
        units = pd.read_parquet(folder / "units.parquet", columns=UNIT_COLUMNS)
        catalogue = pd.read_parquet(folder / "catalogue.parquet").set_index("id", drop=False)
        values = pd.read_parquet(
            folder / "indicators.parquet", columns=["unit_id", "indicator", "year", "value", "source", "period"]
        )
        neighbours = pd.read_parquet(folder / "neighbours.parquet")
        regions = pd.read_parquet(folder / "regions.parquet")
        map_table = pq.read_table(folder / "units_map.parquet", columns=["unit_id", "geometry"])
        for name, info in manifest.get("web", {}).items():
            if not (folder / "web" / f"{info['name']}.gz").is_file():
                raise BuildError(f"The dataset at {folder} lacks its {name} file for the browser. {REBUILD_HINT}")
    except BuildError:
        raise
    except Exception as exc:  # any reader error means the same to a person: the build is unusable
        raise BuildError(
            f"The dataset at {folder} cannot be read ({type(exc).__name__}: {exc}). {REBUILD_HINT}"
        ) from exc
    if map_table.column("unit_id").to_pylist() != units["unit_id"].tolist():
        raise BuildError(f"The dataset at {folder} is inconsistent (unit order differs). {REBUILD_HINT}")
    geometry = shapely.from_wkb(map_table.column("geometry").to_numpy(zero_copy_only=False))
    units["mountain"] = units["mountain"].astype("boolean")
    units["peripherality"] = units["peripherality"].astype("string")
    atlas = Atlas(
        folder=folder,
        units=units,
        catalogue=catalogue,
        values=values,
        neighbours=neighbours,
        regions=regions,
        report=report,
        manifest=manifest,
        bounds=_bounds(units, geometry),
        source_ids=sorted(values["source"].unique()),
        sources={s["id"]: s for s in described.get("sources", [])},
        methods=described.get("methods", {}),
        periods=_periods(values),
    )
    _prepare_series(atlas)
    # Every request reads the prepared arrays; the 300,000-row table is not needed any more.
    atlas.values = atlas.values.iloc[0:0]
    return atlas


def _periods(values: pd.DataFrame) -> dict[tuple[str, str, int], str]:
    spans = values.dropna(subset=["period"]).drop_duplicates(["indicator", "source", "year"])
    return {
        (i, s, int(y)): str(p)
        for i, s, y, p in zip(spans["indicator"], spans["source"], spans["year"], spans["period"])
    }


def _bounds(units: pd.DataFrame, geometry: np.ndarray) -> dict[str, list[float]]:
    box = pd.DataFrame(shapely.bounds(geometry), columns=["w", "s", "e", "n"])
    result: dict[str, list[float]] = {}
    for column in ("country", "nuts2", "nuts3"):
        grouped = box.groupby(units[column].to_numpy()).agg({"w": "min", "s": "min", "e": "max", "n": "max"})
        result |= {key: [round(float(v), 4) for v in row] for key, row in grouped.iterrows()}
    result["all"] = [round(float(v), 4) for v in (box["w"].min(), box["s"].min(), box["e"].max(), box["n"].max())]
    return result


def _prepare_series(atlas: Atlas) -> None:
    """Precompute every (indicator, year) and (indicator, latest) series as aligned arrays."""
    n = len(atlas.units)
    source_index = {s: i for i, s in enumerate(atlas.source_ids)}
    values = atlas.values.drop(columns="period").assign(
        pos=atlas.values["unit_id"].map(atlas.position).to_numpy(),
        src=atlas.values["source"].map(source_index).to_numpy(),
    )
    for indicator, group in values.groupby("indicator"):
        for year, rows in group.groupby("year"):
            atlas._series[(indicator, int(year))] = _series(indicator, int(year), rows, n)
        latest = group.sort_values("year").drop_duplicates("pos", keep="last")
        atlas._series[(indicator, LATEST)] = _series(indicator, LATEST, latest, n)
    for indicator in atlas.catalogue.index:  # indicators without any value still answer, all missing
        if (indicator, LATEST) not in atlas._series:
            atlas._series[(indicator, LATEST)] = _series(indicator, LATEST, values.iloc[0:0], n)


def _series(indicator: str, year: int | str, rows: pd.DataFrame, n: int) -> Series:
    vals = np.full(n, np.nan)
    years = np.zeros(n, dtype=np.int16)
    src = np.full(n, -1, dtype=np.int16)
    pos = rows["pos"].to_numpy(dtype=np.int64)
    vals[pos] = rows["value"].to_numpy(dtype=float)
    years[pos] = rows["year"].to_numpy(dtype=np.int16)
    src[pos] = rows["src"].to_numpy(dtype=np.int16)
    for array in (vals, years, src):
        array.setflags(write=False)  # shared by every request: nobody may change it
    return Series(indicator, year, vals, years, src)
