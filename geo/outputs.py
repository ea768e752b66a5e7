"""Names of the files a build writes, and the format version the dashboard expects.

Kept apart from geo.build (and free of heavy imports) so that the dashboard can check a build without
loading the whole pipeline.
"""

OUTPUTS = (
    "units.parquet",
    "units_map.parquet",
    "context.parquet",
    "indicators.parquet",
    "regions.parquet",
    "catalogue.parquet",
    "neighbours.parquet",
    "report.json",
    "report.md",
    "sources.json",
    "manifest.json",
)
ARCHIVE_DIR = "archive"  # the open data archive of the build (geo.archive), named in manifest["archive"]
# 2: sources.json (the sources read and the methods' parameters)
# 3: regions.parquet (values of whole NUTS 3 regions, never written as municipal values); SI and LI municipal
# 4: archive/ (the open data archive of geo.archive, named in the manifest)
FORMAT_VERSION = 4
