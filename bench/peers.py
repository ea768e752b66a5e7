"""Compute time of the peer finder (dashboard/peers.py) on the real build, in process: the computation alone.

    python -m bench.peers [--queries N] [--seed S]

Loads the build once, times the first query (the z-matrix cache cold: it standardises every indicator of the
set) apart, then `--queries` queries of units drawn with a fixed seed with the default method in other
countries (the cache warm, as every later request of a worker). Prints one JSON line: {"cold_ms", "ms"}.
The figure with a target, `peers_server_ms`, is the peer view's callback replayed against gunicorn
(bench/callbacks.py); this one says how much of it is the computation.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time


def measure(queries: int = 200, seed: int = 11) -> dict:
    """Return the cold first query and the warm queries, in ms."""
    from bench.support import build_folder
    from dashboard.atlas import load_atlas
    from dashboard.peers import PeerMethod, clear_cache, find_peers

    atlas = load_atlas(build_folder())
    method = PeerMethod(scope="other_countries")
    units = sorted(atlas.unit_ids)
    rng = random.Random(seed)
    clear_cache()
    start = time.perf_counter()
    find_peers(atlas, rng.choice(units), method)
    cold = (time.perf_counter() - start) * 1000
    times = []
    for unit in rng.choices(units, k=queries):
        start = time.perf_counter()
        find_peers(atlas, unit, method)
        times.append((time.perf_counter() - start) * 1000)
    return {"cold_ms": round(cold, 2), "ms": [round(t, 3) for t in times], "units": len(units)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.peers")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.queries, args.seed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
