"""Slovenian občine (GURS, register of spatial units RPE, late 2021) from one GeoJSON file per municipality.

Each file `si/obcine/<OB_MID>.geojson` holds one feature whose properties are those of the RPE: OB_ID is the
občina number (1-213) and the unit id is Eurostat's LAU code, "SI_" + OB_ID zero-padded to 3 ("SI_061"
Ljubljana). GURS's identifiers table `si/OB.csv` lists the same 212 codes and names; where it is present the
reader checks the polygons against it, so a missing, extra or renamed municipality is reported rather than
silently built. Metlika's ring self-intersects as published: `read_vector` repairs it with shapely's
`make_valid` (keeping the polygonal part) and the notes name every repaired municipality. The files hold one
name per občina (the RPE's OB_UIME): no second-language name, so `name_alt` stays missing. The NUTS 3 code
is not an attribute of these files (nor of OB.csv): the pipeline gives it by largest overlap with NUTS 2021.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import sources
from geo.boundaries.part import BoundaryPart, read_parts
from geo.errors import SchemaError, SourceError
from geo.readers import read_table, read_vector, require_columns
from geo.schema import check_unique

SOURCE = "si_obcine_2021"
REGISTER = "si_obcine_register"
COLUMNS = ["OB_ID", "OB_MID", "OB_UIME"]
BOUNDARY_YEAR = 2021


def lau_code(ob_id: pd.Series) -> pd.Series:
    """Return the LAU national code of each občina number: OB_ID zero-padded to 3 digits ("61" -> "061")."""
    number = pd.to_numeric(ob_id.astype("string").str.strip(), errors="coerce")
    return number.astype("Int64").astype("string").str.zfill(3)


def read(root: Path | None = None) -> BoundaryPart:
    """Return Slovenia's občine with unit ids SI_<OB_ID padded to 3>; notes name repaired geometries."""

    def read_one(path):
        gdf = read_vector(SOURCE, path=path)
        require_columns(gdf, COLUMNS, SOURCE, path)
        return gdf.assign(_repaired=gdf.attrs.get("repaired_geometries", 0) > 0, _file=path.stem)

    frames, failures = read_parts(SOURCE, root, read_one)
    gdf = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)
    gdf["code"] = lau_code(gdf["OB_ID"])
    if gdf["code"].isna().any():
        bad = gdf.loc[gdf["code"].isna(), "_file"].tolist()
        raise SchemaError(SOURCE, None, f"OB_ID is not a number in {len(bad)} file(s): {', '.join(bad[:10])}")
    # A file named after another municipality's OB_MID is a mix-up in the copy, not a new municipality.
    misnamed = gdf["_file"] != gdf["OB_MID"].astype("string").str.strip()
    check_unique(gdf, "code", SOURCE, None)
    units = gdf.assign(
        unit_id="SI_" + gdf["code"],
        country="SI",
        name=gdf["OB_UIME"].astype("string").str.strip(),
        name_alt=pd.NA,
        nuts3=pd.NA,
        boundary_year=BOUNDARY_YEAR,
        level="LAU",
    )
    notes = {
        "codes": "LAU code SI_<OB_ID zero-padded to 3>, as in GURS's OB.csv",
        "repaired_geometries": sorted(
            f"{u} {n}" for u, n in zip(units.loc[units["_repaired"], "unit_id"], units.loc[units["_repaired"], "name"])
        ),
        "repair": "self-intersecting rings repaired with shapely make_valid (polygonal part kept)",
        "files_not_named_by_their_OB_MID": sorted(gdf.loc[misnamed, "_file"].tolist()),
    }
    notes |= _check_register(units, root)
    return BoundaryPart("SI", SOURCE, units, notes, failures)


def _check_register(units: gpd.GeoDataFrame, root: Path | None) -> dict:
    """Compare the polygons' codes and names with GURS's identifiers table OB.csv; return report notes."""
    if not sources.available(REGISTER, root=root):
        return {"register": f"{REGISTER} absent: codes not cross-checked"}
    try:
        path = sources.locate(REGISTER, root=root)
        # utf-8-sig: GURS writes a byte order mark before the header.
        table = read_table(REGISTER, path=path, encoding="utf-8-sig")
        require_columns(table, ["OB_ID", "OB_UIME"], REGISTER, path)
    except SourceError as exc:
        return {"register": f"not used: {exc}"}
    listed = pd.Series(table["OB_UIME"].str.strip().to_numpy(), index=("SI_" + lau_code(table["OB_ID"])).to_numpy())
    have = pd.Series(units["name"].to_numpy(), index=units["unit_id"].to_numpy())
    common = listed.index.intersection(have.index)
    renamed = [f"{c}: {have[c]} / OB.csv {listed[c]}" for c in common if have[c] != listed[c]]
    return {
        "register_codes": len(listed),
        "in_register_without_polygon": sorted(set(listed.index) - set(have.index)),
        "polygon_not_in_register": sorted(set(have.index) - set(listed.index)),
        "names_differing_from_register": renamed,
    }
