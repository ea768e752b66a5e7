"""The open data archive of a build: everything a researcher needs to reuse and cite the harmonised dataset.

One zip, named by the build (`pluralps-atlas-<built date>-<key>.zip`), holds in one folder of that name:

- units.gpkg and units.parquet (GeoPackage and GeoParquet, EPSG:4326, full-resolution geometry), each unit
  with the source and licence of its geometry, share-alike (ODbL) geometries marked;
- values.csv and values.parquet (the tidy table: one row per unit, indicator and year, with its source),
  regions.csv (values published for whole NUTS 3 regions only, never written as municipal values);
- catalogue.csv and catalogue.json (what each indicator means, its unit, direction, years, licence);
- sources.csv and sources.json (title, publisher, licence, required attribution, vintage, URL, share-alike);
- ATTRIBUTION.md (the attributions the licences require, and the share-alike parts), README.md,
  CITATION.cff, report.md and report.json (the build report), manifest.json;
- SHA256SUMS of every other file (`sha256sum -c SHA256SUMS` checks them).

The zip is written reproducibly (entries in one order, every timestamp the build's), so the same build gives
the same bytes. The dashboard serves it as it is (dashboard.server); nothing is computed per request.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.outputs import ARCHIVE_DIR
from geo.settings import REPO_ROOT

__all__ = ["ARCHIVE_DIR", "archive_name", "write_archive"]

CITATION_FILE = REPO_ROOT / "CITATION.cff"
# Where a geometry's licence obliges its derived databases to be shared alike (ODbL 4.4). A source says so
# with `share_alike = true` in data/sources.toml; this is the word the archive's files use for it.
SHARE_ALIKE_COLUMN = "geometry_share_alike"
_STORED = {".parquet", ".gpkg"}  # already compressed inside; deflating them again only costs time


def archive_name(manifest: dict) -> str:
    """Return the archive's file name for a build: its date and the first 12 characters of its key."""
    day = str(manifest.get("built_at", ""))[:10].replace("-", "") or "undated"
    key = str(manifest.get("key") or "unkeyed")[:12]
    return f"pluralps-atlas-{day}-{key}.zip"


def write_archive(
    folder: Path,
    *,
    units: gpd.GeoDataFrame,
    values: pd.DataFrame,
    regions: pd.DataFrame,
    catalogue: pd.DataFrame,
    sources: list[dict],
    geometry_sources: dict[str, str],
    report: dict,
    manifest: dict,
    report_md: str,
) -> dict:
    """Write the build's archive into `folder` and return what the manifest says of it (name, bytes, sha256,
    files)."""
    name = archive_name(manifest)
    stem = name.removesuffix(".zip")
    units_out = units_with_licences(units, geometry_sources, sources)
    # Each table is written in two formats: made once.
    tidy, described, read = tidy_values(values, units), catalogue_table(catalogue), sources_table(sources)
    files = {
        "README.md": readme(stem, manifest, units_out, values, sources).encode(),
        "ATTRIBUTION.md": attribution(sources, units_out).encode(),
        "units.gpkg": _geopackage(units_out, _gdal_time(manifest.get("built_at"))),
        "units.parquet": _parquet(units_out),
        "values.csv": _csv(tidy),
        "values.parquet": _parquet(tidy),
        "regions.csv": _csv(regions),
        "catalogue.csv": _csv(described),
        "catalogue.json": _json(described.to_dict("records")),
        "sources.csv": _csv(read),
        "sources.json": _json(read.to_dict("records")),
        "report.md": report_md.encode(),
        "report.json": _json(report),
        "manifest.json": _json({k: v for k, v in manifest.items() if k != "archive"}),
    }
    if CITATION_FILE.is_file():
        files["CITATION.cff"] = CITATION_FILE.read_bytes()
    files["SHA256SUMS"] = "".join(f"{hashlib.sha256(b).hexdigest()}  {n}\n" for n, b in files.items()).encode()
    stamp = _zip_time(manifest.get("built_at"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with zipfile.ZipFile(path, "w") as archive:
        for entry, body in files.items():
            info = zipfile.ZipInfo(f"{stem}/{entry}", date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED if Path(entry).suffix in _STORED else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, body)
    body = path.read_bytes()
    return {
        "name": name,
        "bytes": len(body),
        "sha256": hashlib.sha256(body).hexdigest(),
        "files": sorted(files),
    }


def units_with_licences(
    units: gpd.GeoDataFrame, geometry_sources: dict[str, str], sources: list[dict]
) -> gpd.GeoDataFrame:
    """Return the units with the source, licence and share-alike flag of their geometry (`geometry_sources`:
    the boundary source the build read for each country)."""
    by_id = {s["id"]: s for s in sources}
    geometry_source = units["country"].map(geometry_sources).astype("string")
    licence = geometry_source.map(lambda sid: by_id.get(sid, {}).get("licence") if pd.notna(sid) else None)
    share_alike = geometry_source.map(lambda sid: pd.notna(sid) and bool(by_id.get(sid, {}).get("share_alike")))
    out = units.copy()
    if "peripherality" in out:
        out["peripherality"] = out["peripherality"].astype("string")  # a GeoPackage has no categorical type
    out["geometry_source"] = geometry_source
    out["geometry_licence"] = licence.astype("string")
    out[SHARE_ALIKE_COLUMN] = share_alike.astype(bool)
    return out.set_geometry("geometry")


def tidy_values(values: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Return the tidy indicator table with each unit's country and name beside its code."""
    names = units.set_index("unit_id")[["country", "name"]]
    out = values.join(names, on="unit_id")
    columns = ["unit_id", "country", "name", "indicator", "year", "value", "source", "period"]
    return out[[c for c in columns if c in out]].sort_values(["indicator", "year", "unit_id"], ignore_index=True)


def catalogue_table(catalogue: pd.DataFrame) -> pd.DataFrame:
    """Return the catalogue with its list columns written as text (years "2011;2015", sources "a;b")."""
    out = catalogue.copy()
    for column in ("years", "sources"):
        if column in out:
            out[column] = out[column].map(_joined)
    return out


def sources_table(sources: list[dict]) -> pd.DataFrame:
    """Return the sources read with their licences, attributions and whether their licence is share-alike."""
    columns = ["id", "title", "publisher", "licence", "attribution", "vintage", "url", "country", "share_alike"]
    rows = [{c: (bool(s.get(c)) if c == "share_alike" else s.get(c)) for c in columns} for s in sources]
    return pd.DataFrame(rows, columns=columns)


def attribution(sources: list[dict], units: pd.DataFrame) -> str:
    """Return ATTRIBUTION.md: each source's required attribution and licence, then the share-alike parts."""
    lines = [
        "# Attributions and licences",
        "",
        "Reusing this archive, name the sources below as their licences require, and cite the PlurAlps Atlas",
        "(CITATION.cff).",
        "",
    ]
    lines += [f"- **{s['title']}** ({s['publisher']}): {s['attribution']}. Licence: {s['licence']}." for s in sources]
    shared = units[units[SHARE_ALIKE_COLUMN]]
    lines += ["", "## Share-alike parts (ODbL)", ""]
    if shared.empty:
        lines.append("None: no geometry of this build comes from a share-alike source.")
    else:
        for source, group in shared.groupby("geometry_source"):
            lines.append(
                f"- The geometry of {len(group)} units ({', '.join(sorted(set(group['country'])))}; "
                f"`{SHARE_ALIKE_COLUMN}` is true in units.gpkg and units.parquet) comes from `{source}`, "
                f"licensed {group['geometry_licence'].iloc[0]}. These geometries are a derived database: "
                "share them under the same licence, with the attribution above. The other columns and files "
                "are not affected."
            )
    return "\n".join(lines) + "\n"


def readme(stem: str, manifest: dict, units: pd.DataFrame, values: pd.DataFrame, sources: list[dict]) -> str:
    """Return the archive's README: what each file holds, the build it comes from, how to cite it."""
    years = sorted({int(y) for y in values["year"].dropna()}) if len(values) else []
    span = f"{years[0]}-{years[-1]}" if years else "none"
    return "\n".join(
        [
            f"# {stem}",
            "",
            "The harmonised dataset of the PlurAlps Atlas: municipalities (LAU) of the Alpine Space programme area",
            "(AT, CH, DE, FR, IT, LI, SI) with demographic, migration, service and peripherality indicators.",
            "",
            f"- Build: key `{manifest.get('key', '')}`, built {manifest.get('built_at', '')}",
            f"- {len(units):,} units, {len(values):,} values, years {span}, {len(sources)} sources",
            "- Coordinates: WGS 84 (EPSG:4326); areas in km² computed in ETRS89-LAEA (EPSG:3035)",
            "",
            "## Files",
            "",
            "- `units.gpkg`, `units.parquet`: units with their codes, names, NUTS 2021 regions, classes and",
            "  distances; `geometry_source`, `geometry_licence`, `geometry_share_alike` say where each geometry",
            "  comes from (see ATTRIBUTION.md).",
            "- `values.csv`, `values.parquet`: one row per unit, indicator and year, with its `source` (an id of",
            "  sources.csv; `+area` marks a density computed from the polygon's area). A value that is not",
            "  published is absent, never zero.",
            "- `regions.csv`: values published for whole NUTS 3 regions only.",
            "- `catalogue.csv`, `catalogue.json`: each indicator's label, unit, theme, direction, years, licence.",
            "- `sources.csv`, `sources.json`: every source read, with licence, attribution, vintage and URL.",
            "- `report.md`, `report.json`: the build report (joins, coverage, what did not match and why).",
            "- `manifest.json`: the build's key and the checksums of its inputs.",
            "- `SHA256SUMS`: checksums of the files above (`sha256sum -c SHA256SUMS`).",
            "",
            "## Citing",
            "",
            "Cite the PlurAlps Atlas as CITATION.cff says, with this archive's name, and the sources as",
            "ATTRIBUTION.md lists them. National definitions differ: read each indicator's note before pooling",
            "countries.",
            "",
        ]
    )


def _joined(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, str):
        return value
    return ";".join(str(v) for v in value)


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, compression="zstd", index=False)
    return buffer.getvalue()


def _json(data) -> bytes:
    return json.dumps(data, indent=1, ensure_ascii=False, default=str).encode("utf-8")


def _geopackage(units: gpd.GeoDataFrame, built_at: str) -> bytes:
    # GDAL writes a GeoPackage to a path only; a temporary file beside the archive would outlive a crash, so
    # write it to GDAL's in-memory file system through pyogrio's BytesIO support.
    # GDAL stamps the GeoPackage with the time it is written unless told the build's time (OGR_CURRENT_DATE),
    # which keeps the archive reproducible.
    import pyogrio

    buffer = io.BytesIO()
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": built_at})
    try:
        units.to_file(buffer, driver="GPKG", layer="units", engine="pyogrio")
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
    return buffer.getvalue()


def _gdal_time(built_at) -> str:
    try:
        when = datetime.fromisoformat(str(built_at))
    except ValueError:
        when = datetime(1980, 1, 1, tzinfo=UTC)
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _zip_time(built_at) -> tuple[int, int, int, int, int, int]:
    try:
        when = datetime.fromisoformat(str(built_at))
    except ValueError:
        return (1980, 1, 1, 0, 0, 0)
    return (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
