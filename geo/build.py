"""`python -m geo.build`: sources -> a validated dataset under data/build/ (PLURALPS_BUILD).

Writes
- units.parquet       GeoParquet, full resolution, with peripherality attributes (one row per unit)
- units_map.parquet   GeoParquet, map resolution (coverage-simplified, coordinates snapped)
- context.parquet     GeoParquet, country / NUTS outlines, lakes, Alpine Convention perimeter
- indicators.parquet  tidy values (unit_id, indicator, year, value, source, period) of the units
- regions.parquet     tidy values of whole NUTS 3 regions (nuts3, indicator, year, value, source): population
                      and density of RIATE, Eurostat's NUTS 3 typologies; never written as municipal values
                      (geo.regions)
- catalogue.parquet   the indicator catalogue, with the years each indicator has
- neighbours.parquet  pairs of units that share a border (geo.neighbours)
- web/                  gzipped, content-hashed GeoJSON and index for the browser (geo.webexport)
- sources.json        the sources read (title and publisher in five languages, licence, attribution,
                      vintage) and the parameters of derived indicators: the dashboard shows these, so a
                      build describes itself
- archive/            the open data archive of the build, one zip named by it (geo.archive)
- report.json, report.md, manifest.json

`assemble` reads the sources; `write_dataset` writes what was assembled (the tests' synthetic build uses it
too).

The build is keyed on the checksums of the source files and of the pipeline's own code: a re-run with
nothing changed returns at once. Output is written to a temporary folder and swapped in whole, so a failed
build never leaves a half-written dataset behind.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import shutil
import sys
import time
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import sources
from geo.archive import write_archive
from geo.boundaries import load_boundaries
from geo.context import build_context
from geo.errors import SourceError
from geo.indicators import load_catalogue, load_categories, load_indicators
from geo.neighbours import neighbour_pairs
from geo.nuts import load_nuts, load_perimeter
from geo.outputs import ARCHIVE_DIR, FORMAT_VERSION, OUTPUTS
from geo.peripherality import derive_peripherality
from geo.regions import empty_regions, region_report, region_values, split_region_values
from geo.report import coverage, join_report, render_markdown, units_summary, years_per_source
from geo.schema import VALUE_COLUMNS
from geo.settings import DATA_DIR, REPO_ROOT, build_dir, source_root
from geo.simplify import simplify_units
from geo.terms import DEFAULT_LANGUAGE, LANGUAGES
from geo.webexport import write_web_files

log = logging.getLogger("geo.build")


def fingerprint(root: Path) -> dict:
    """Return what the build depends on: source file checksums and a hash of the pipeline code and data."""
    files = sources.file_fingerprints(root)
    code = hashlib.sha256()
    # CITATION.cff travels in the archive: an edit of it is a new build.
    citation = [REPO_ROOT / "CITATION.cff"] if (REPO_ROOT / "CITATION.cff").is_file() else []
    for path in sorted([*(REPO_ROOT / "geo").rglob("*.py"), *DATA_DIR.glob("*.toml"), *citation]):
        code.update(path.relative_to(REPO_ROOT).as_posix().encode())
        code.update(path.read_bytes())
    key = hashlib.sha256(json.dumps([files, code.hexdigest(), FORMAT_VERSION], sort_keys=True).encode())
    return {"key": key.hexdigest(), "code": code.hexdigest(), "files": files}


def is_current(out: Path, key: str) -> bool:
    """Return True when `out` holds a complete build made from exactly these inputs."""
    manifest = out / "manifest.json"
    if not all((out / name).is_file() for name in OUTPUTS):
        return False
    try:
        return json.loads(manifest.read_text()).get("key") == key
    except (OSError, json.JSONDecodeError):
        return False


@dataclass
class Assembled:
    """Everything the readers produced, ready for the writer; `write_dataset` turns it into a build.

    The real build assembles it from the source folder (`assemble`); the tests' synthetic build
    (tests/synthetic.py) makes one by hand, so both are written by the same code.
    """

    units: gpd.GeoDataFrame  # canonical unit columns (geo.schema) + peripherality attributes, EPSG:4326
    values: pd.DataFrame  # geo.schema.VALUE_COLUMNS, units of the build only
    catalogue: pd.DataFrame  # the indicator catalogue (geo.indicators.load_catalogue)
    nuts_names: dict[str, str]
    perimeter: str
    sources: list[dict]  # the sources read: id, title(_<lang>), publisher(_<lang>), licence, attribution, ...
    methods: dict  # parameters of the derived indicators (peripherality classes), as the About page shows
    failures: list[dict] = field(default_factory=list)
    joins: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)
    context_root: Path | None = None  # where lakes and the Alpine Convention outline are read (None: none)
    regions: pd.DataFrame = field(default_factory=empty_regions)  # geo.schema.REGION_COLUMNS
    # The boundary source each country's geometry comes from: the archive gives every unit its licence.
    geometry_sources: dict[str, str] = field(default_factory=dict)


def build(root: Path | None = None, out: Path | None = None, force: bool = False) -> dict:
    """Build the dataset if its inputs changed; return the manifest (with `status`: built or up-to-date)."""
    root = root or source_root()
    out = out or build_dir()
    started = time.perf_counter()
    fp = fingerprint(root)
    if not force and is_current(out, fp["key"]):
        manifest = json.loads((out / "manifest.json").read_text())
        return manifest | {"status": "up-to-date", "checked_s": round(time.perf_counter() - started, 3)}
    assembled = assemble(root, _progress(started))
    identity = {
        "key": fp["key"],
        "sources_root": str(root),
        "source_checksums": {k: v for k, v in fp["files"].items() if v},
        "code_checksum": fp["code"],
    }
    manifest = write_dataset(out, assembled, identity, _progress(started))
    return manifest | {"status": "built", "duration_s": round(time.perf_counter() - started, 2)}


def assemble(root: Path, print_=lambda _message: None) -> Assembled:
    """Read every source in `root` into one `Assembled` (a broken optional source is a failure, not an end)."""
    failures: list[dict] = []
    nuts = load_nuts(root)  # without NUTS there is no perimeter: let its error stop the build
    perimeter = load_perimeter()
    print_("NUTS 2021 and perimeter read")
    bounds = load_boundaries(nuts, perimeter, root)
    failures += [f | {"stage": "boundaries"} for f in bounds.failures]
    units = bounds.units
    print_(f"boundaries: {len(units):,} units")

    indicators = load_indicators(root)
    failures += [f | {"stage": "indicators"} for f in indicators.failures]
    print_(f"indicators: {len(indicators.values):,} values read")
    periph = derive_peripherality(units, root)
    failures += [f | {"stage": "peripherality"} for f in periph.failures]
    print_("peripherality derived")

    all_values = pd.concat([indicators.values, periph.values], ignore_index=True)[VALUE_COLUMNS]
    # Rows keyed by a NUTS 3 code are figures of a whole region: they never become municipal values.
    all_values, region_keyed = split_region_values(all_values, nuts.nuts3_codes)
    regions = region_values(region_keyed, nuts.frame, units["nuts3"].dropna().tolist())
    print_(f"regions: {len(regions):,} values of {regions['nuts3'].nunique()} NUTS 3 regions")
    joins = join_report(all_values, units)
    values = all_values[all_values["unit_id"].isin(units["unit_id"])].reset_index(drop=True)
    values = _with_derived_density(values, units)
    units = units.merge(periph.attributes, on="unit_id", how="left", validate="one_to_one")
    notes = (
        {f"boundaries {k}": v for k, v in bounds.notes.items()}
        | {f"indicators {n.get('source', i)}": n for i, n in enumerate(indicators.notes)}
        | {f"peripherality {n.get('topic', n.get('source', i))}": n for i, n in enumerate(periph.notes)}
    )
    return Assembled(
        units=units,
        values=values,
        catalogue=load_catalogue(),
        nuts_names=dict(zip(nuts.frame["NUTS_ID"], nuts.frame["NAME_LATN"])),
        perimeter=perimeter.name,
        sources=sources_read(root),
        methods=methods(),
        failures=failures,
        joins=joins,
        notes=notes,
        context_root=root,
        regions=regions,
        geometry_sources={country: note["source"] for country, note in bounds.notes.items() if note.get("source")},
    )


def sources_read(root: Path) -> list[dict]:
    """The catalogued sources whose files are in `root` (the build reads every one it finds), with what
    the dashboard must show of them: title and publisher in every language (`title_de`, `publisher_de`, ...:
    English where the catalogue has no translation), licence, required attribution, vintage, URL."""
    fields = ("title", "publisher", "licence", "attribution", "vintage", "url", "country", "share_alike")
    others = [lang for lang in LANGUAGES if lang != DEFAULT_LANGUAGE]
    # `status` (a reader not yet run on the real file) travels with the source so About can say so.
    return [
        {"id": sid}
        | {f: getattr(src, f) for f in fields}
        | {f"title_{lang}": src.title_in(lang) for lang in others}
        | {f"publisher_{lang}": src.publisher_in(lang) for lang in others}
        | ({"status": src.extra["status"]} if "status" in src.extra else {})
        for sid, src in sorted(sources.catalogue().items())
        if sources.available(sid, root=root)
    ]


def methods() -> dict:
    """The parameters of the derived indicators the build applied (data/peripherality.toml)."""
    with (DATA_DIR / "peripherality.toml").open("rb") as f:
        raw = tomllib.load(f)
    classes = [{"name": c["name"], "max_km": c.get("max_km"), "help": c.get("help", "")} for c in raw["class"]]
    return {"peripherality": {"measure": raw.get("measure"), "unit": raw.get("unit"), "classes": classes}}


def write_dataset(out: Path, assembled: Assembled, identity: dict, print_=lambda _message: None) -> dict:
    """Write `assembled` as a build into `out` (swapped in whole) and return its manifest.

    `identity` holds what the manifest says of the inputs: key, sources_root, source_checksums,
    code_checksum."""
    started = time.perf_counter()
    failures = list(assembled.failures)
    # One fixed order for every output: the browser's value arrays are aligned to it.
    units = assembled.units.sort_values("unit_id", ignore_index=True)
    values = assembled.values
    map_units = simplify_units(units[["unit_id", "country", "nuts3", "nuts2", "geometry"]])
    print_("map geometry simplified")
    context, context_failures = build_context(map_units, assembled.nuts_names, assembled.context_root)
    neighbours = neighbour_pairs(map_units)
    failures += [f | {"stage": "context"} for f in context_failures]
    catalogue = _catalogue_with_years(assembled.catalogue, values)
    regions = assembled.regions.sort_values(["nuts3", "indicator", "year", "source"], ignore_index=True)
    validate(units, values, catalogue, regions)
    print_("validated")

    nuts_names = assembled.nuts_names
    report = {
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "perimeter": assembled.perimeter,
        "units": units_summary(units),
        "failures": failures,
        "nuts_names": {
            code: nuts_names[code] for code in sorted({*units["nuts3"], *units["nuts2"]}) if code in nuts_names
        },
        "joins": assembled.joins,
        "regions": region_report(regions, units),
        "coverage": coverage(values, units, catalogue),
        "years": years_per_source(values, units),
        "notes": assembled.notes,
    }
    report["duration_s"] = round(time.perf_counter() - started, 2)
    manifest = {
        "key": identity.get("key", ""),
        "format_version": FORMAT_VERSION,
        "built_at": report["built_at"],
        "sources_root": identity.get("sources_root", ""),
        "source_checksums": identity.get("source_checksums", {}),
        "code_checksum": identity.get("code_checksum", ""),
        "units": len(units),
        "values": len(values),
        "region_values": len(regions),
        "failures": len(failures),
    }
    described = {"sources": assembled.sources, "methods": assembled.methods}
    tables = {"indicators": values, "regions": regions, "catalogue": catalogue, "neighbours": neighbours}
    _write(out, units, map_units, context, tables, report, manifest, described, assembled.geometry_sources)
    print_(f"written to {out}")
    return manifest


def validate(
    units: gpd.GeoDataFrame, values: pd.DataFrame, catalogue: pd.DataFrame, regions: pd.DataFrame | None = None
) -> None:
    """Raise ValueError when the dataset breaks an invariant the dashboard relies on."""
    problems = []
    if regions is not None and len(regions):
        nuts_units = set(units.loc[units["level"] == "NUTS3", "unit_id"])
        # A region value written also as the value of a municipality is the painting this table prevents.
        painted = values[values["unit_id"].isin(set(regions["nuts3"]) - nuts_units)]
        if len(painted):
            problems.append(f"{len(painted)} values keyed by a NUTS 3 code of the region table among unit values")
        if regions[["nuts3", "indicator", "year", "source"]].duplicated().any():
            problems.append("duplicated (nuts3, indicator, year, source) region values")
        if regions["value"].isna().any():
            problems.append("missing region values written as rows")
    if units["unit_id"].duplicated().any():
        problems.append("duplicate unit_id")
    if units["nuts3"].isna().any():
        problems.append(f"{int(units['nuts3'].isna().sum())} units without NUTS 3")
    if (units["area_km2"] <= 0).any():
        problems.append("units with non-positive area")
    if not units.geometry.is_valid.all():
        problems.append(f"{int((~units.geometry.is_valid).sum())} invalid geometries")
    unknown = set(values["indicator"]) - set(catalogue["id"])
    if unknown:
        problems.append(f"indicators missing from the catalogue: {sorted(unknown)}")
    if values[["unit_id", "indicator", "year"]].duplicated().any():
        dup = values[values[["unit_id", "indicator", "year"]].duplicated(keep=False)]
        problems.append(f"{len(dup)} duplicated (unit, indicator, year) values, e.g. {dup.head(3).to_dict('records')}")
    if values["value"].isna().any():
        problems.append("missing values written as rows")
    if problems:
        raise ValueError("build validation failed: " + "; ".join(problems))


def _with_derived_density(values: pd.DataFrame, units: gpd.GeoDataFrame) -> pd.DataFrame:
    """Add density = population / polygon area where a unit has a population but no published density.

    Published densities (from official areas) are kept; the derived ones say so in their source.
    """
    pop = values[values["indicator"] == "population"]
    have_density = set(values.loc[values["indicator"] == "density", "unit_id"])
    pop = pop[~pop["unit_id"].isin(have_density)]
    if pop.empty:
        return values
    area = units.set_index("unit_id")["area_km2"]
    derived = pop.assign(
        indicator="density",
        value=pop["value"] / pop["unit_id"].map(area).to_numpy(),
        source=pop["source"] + "+area",
    )
    return pd.concat([values, derived[VALUE_COLUMNS]], ignore_index=True)


def _catalogue_with_years(catalogue: pd.DataFrame, values: pd.DataFrame) -> pd.DataFrame:
    """Add the years each indicator has and, for categorical ones, their class labels (JSON)."""
    years = values.groupby("indicator")["year"].agg(lambda y: sorted({int(v) for v in y}))
    categories = load_categories()
    return catalogue.assign(
        years=catalogue["id"].map(years).apply(lambda y: y if isinstance(y, list) else []),
        categories=catalogue["id"].map(lambda i: json.dumps(categories.get(i, {}), ensure_ascii=False)),
    )


def _write(out: Path, units, map_units, context, tables: dict, report, manifest, described, geometry_sources) -> None:
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    units.to_parquet(tmp / "units.parquet", compression="zstd", index=False)
    map_units.to_parquet(tmp / "units_map.parquet", compression="zstd", index=False)
    context.to_parquet(tmp / "context.parquet", compression="zstd", index=False)
    tables["indicators"].to_parquet(tmp / "indicators.parquet", compression="zstd", index=False)
    tables["regions"].to_parquet(tmp / "regions.parquet", compression="zstd", index=False)
    tables["catalogue"].to_parquet(tmp / "catalogue.parquet", index=False)
    tables["neighbours"].to_parquet(tmp / "neighbours.parquet", index=False)
    manifest["web"] = write_web_files(tmp / "web", map_units, units, context)
    (tmp / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False, default=str))
    report_md = render_markdown(report)
    (tmp / "report.md").write_text(report_md)
    (tmp / "sources.json").write_text(json.dumps(described, indent=1, ensure_ascii=False))
    manifest["archive"] = write_archive(
        tmp / ARCHIVE_DIR,
        units=units,
        values=tables["indicators"],
        regions=tables["regions"],
        catalogue=tables["catalogue"],
        sources=described["sources"],
        geometry_sources=geometry_sources,
        report=report,
        manifest=manifest,
        report_md=report_md,
    )
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1))
    old = out.with_name(out.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        out.rename(old)
    tmp.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def _progress(started: float):
    def show(message: str) -> None:
        log.info("%6.1f s  %s", time.perf_counter() - started, message)

    return show


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m geo.build", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=Path, help="source folder (default: $PLURALPS_SOURCES or data/sources)")
    parser.add_argument("--out", type=Path, help="output folder (default: $PLURALPS_BUILD or data/build)")
    parser.add_argument("--force", action="store_true", help="rebuild even when nothing changed")
    parser.add_argument("--quiet", action="store_true", help="print only the result line")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s")
    try:
        result = build(
            args.sources.resolve() if args.sources else None, args.out.resolve() if args.out else None, args.force
        )
    except SourceError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 2
    out = args.out or build_dir()
    if result["status"] == "up-to-date":
        print(f"dataset in {out} is up to date ({result['units']:,} units, checked in {result['checked_s']} s)")
    else:
        print(
            f"built {result['units']:,} units and {result['values']:,} values into {out} in "
            f"{result['duration_s']} s; {result['failures']} failure(s) - see {Path(out) / 'report.md'}"
        )
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
