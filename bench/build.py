"""Measure the data build: cold build, warm rebuild, peak memory, output sizes, units per country.

    python -m bench.build [--runs N] [--sources DIR]

Each cold build runs in a fresh process into a fresh folder; the warm rebuild re-runs it with nothing
changed. Peak memory is the child's maximum resident set size. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {"cold_build_s": 120, "warm_rebuild_s": 5, "map_geojson_mb": 8}


def _run_build(out: Path, sources: str | None) -> tuple[float, float]:
    """Run one build in a child process; return (seconds, peak RSS MB of that child)."""
    env = dict(os.environ)
    if sources:
        env["PLURALPS_SOURCES"] = sources
    code = (
        "import resource, sys\n"
        "from geo.build import main\n"
        f"rc = main(['--out', {str(out)!r}, '--quiet'])\n"
        "print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
        "sys.exit(rc)\n"
    )
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    peak_kb = next(int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("PEAK"))
    return seconds, peak_kb / 1024


def _summary(values: list[float]) -> dict:
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
        "runs": len(values),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.build")
    parser.add_argument("--runs", type=int, default=3, help="cold builds to time (default 3)")
    parser.add_argument("--warm-runs", type=int, default=5)
    parser.add_argument("--sources", help="source folder (default: $PLURALPS_SOURCES)")
    args = parser.parse_args(argv)
    cold, warm, peaks = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs):
            out = Path(tmp) / f"cold{i}"
            seconds, peak = _run_build(out, args.sources)
            cold.append(seconds)
            peaks.append(peak)
            print(f"cold build {i + 1}/{args.runs}: {seconds:.1f} s, peak {peak:.0f} MB", file=sys.stderr)
        for _ in range(args.warm_runs):
            seconds, _peak = _run_build(out, args.sources)
            warm.append(seconds)
        manifest = json.loads((out / "manifest.json").read_text())
        report = json.loads((out / "report.json").read_text())
        sizes = {p.name: p.stat().st_size for p in sorted(out.glob("*")) if p.is_file()}
        web = manifest["web"]
    units = {}
    for row in report["units"]:
        units[row["country"]] = units.get(row["country"], 0) + row["units"]
    result = {
        "cold_build_s": _summary(cold),
        "warm_rebuild_s": _summary(warm),
        "peak_rss_mb": _summary(peaks),
        "output_bytes": sizes,
        "map_geojson_mb": round(web["units"]["bytes"] / 1e6, 2),
        "map_geojson_gzip_mb": round(web["units"]["gzip_bytes"] / 1e6, 2),
        "units_per_country": units,
        "units_total": sum(units.values()),
        "targets": TARGETS,
    }
    print(f"{'figure':28} {'median':>10} {'min':>10} {'max':>10}  target")
    for key in ("cold_build_s", "warm_rebuild_s", "peak_rss_mb"):
        s = result[key]
        print(f"{key:28} {s['median']:>10} {s['min']:>10} {s['max']:>10}  {TARGETS.get(key, '')}")
    print(f"{'map_geojson_mb':28} {result['map_geojson_mb']:>10}{'':22}  {TARGETS['map_geojson_mb']}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
