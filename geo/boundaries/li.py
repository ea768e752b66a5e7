"""Liechtenstein's 11 Gemeinden from geoBoundaries (gbOpen LIE ADM1, from OpenStreetMap; ODbL 1.0).

Code: the ISO 3166-2 subdivision code of the file's `shapeISO` (LI-01 … LI-11, the Gemeinden in
alphabetical order), written "LI_01" … "LI_11". It is chosen because it is the only code in the source and
is a published, stable standard. The Amt für Statistik's Gemeinde numbers (70xx) and Eurostat's LAU codes of
Liechtenstein are not in the source folder and could not be confirmed from a publisher's table, so no crosswalk
to them is guessed: statistics keyed by those numbers (DEGURBA 2014's LI0000xxxx, for one) do
not join and the build report lists them. Uploads can match Gemeinden by name (the dashboard's job).

The file has one name per Gemeinde (shapeName, German, the only official language): `name_alt` stays
missing. Reference year 2017 (geoBoundaries' boundaryYear; source data updated 25 September 2020).
Licence: the geometry is an OpenStreetMap-derived database under ODbL 1.0; the simplified geometry the
build publishes (the map's GeoJSON) is a derived database and stays under ODbL (see data/sources.toml).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo import sources
from geo.boundaries.part import BoundaryPart
from geo.errors import SchemaError
from geo.readers import read_vector, require_columns
from geo.schema import check_unique

SOURCE = "li_geoboundaries_adm1"
BOUNDARY_YEAR = 2017
ISO_PATTERN = r"LI-\d\d"


def read(root: Path | None = None) -> BoundaryPart:
    """Return the Gemeinden of Liechtenstein with unit ids LI_<ISO 3166-2 number> ("LI_11" Vaduz)."""
    path = sources.locate(SOURCE, root=root)
    gdf = read_vector(SOURCE, path=path)
    require_columns(gdf, ["shapeISO", "shapeName"], SOURCE, path)
    iso = gdf["shapeISO"].astype("string").str.strip().str.upper()
    bad = ~iso.str.fullmatch(ISO_PATTERN).fillna(False).astype(bool)
    if bad.any():
        raise SchemaError(SOURCE, path, f"shapeISO is not an ISO 3166-2 code of LI: {iso[bad].tolist()[:10]}")
    gdf = gdf.assign(iso=iso)
    check_unique(gdf, "iso", SOURCE, path)
    units = gdf.assign(
        unit_id="LI_" + iso.str.slice(3),
        country="LI",
        name=gdf["shapeName"].astype("string").str.strip(),
        name_alt=pd.NA,
        nuts3=pd.NA,
        boundary_year=BOUNDARY_YEAR,
        level="LAU",
    )
    notes = {
        "codes": "LI_<ISO 3166-2 number> (LI-01 … LI-11 in the file); official Gemeinde numbers not in the sources",
        "repaired_geometries": int(gdf.attrs.get("repaired_geometries", 0)),
    }
    return BoundaryPart("LI", SOURCE, units, notes)
