"""Process start to ready: spawning `gunicorn --preload --workers 2 app:server` to the first 200 of /healthz.

    python -m bench.startup [--runs N] [--naive-runs N] [--workers N]

With --preload the master loads the build once (dashboard.atlas.load_atlas) before forking the workers, so
this is the time a restarted or newly scaled-out instance needs before it can take traffic. /healthz is
polled every 20 ms from the moment the process is spawned. The naive app (bench/naive_app.py) is timed the
same way: it builds its GeoJSON and the figure of its layout at import.
"""

from __future__ import annotations

import argparse
import json
import sys

from bench.harness import stopping_everything
from bench.support import Server, log, summary


def measure(runs: int, target: str = "app:server", workers: int = 2) -> list[float]:
    """Return the spawn-to-ready seconds of `runs` fresh gunicorn processes, one after the other."""
    seconds = []
    for n in range(runs):
        server = Server(target, workers=workers)
        seconds.append(server.ready_s)
        text = server.stop(kill=target != "app:server")
        if "Traceback" in text:
            raise RuntimeError(f"{target} logged an error:\n{text[-3000:]}")
        log(f"  {target}: start {n + 1}/{runs} ready in {server.ready_s:.2f} s")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--naive-runs", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    atlas = measure(args.runs, "app:server", args.workers)
    naive = measure(args.naive_runs, "bench.naive_app:server", args.workers) if args.naive_runs else []
    result = {"start_to_ready_s": summary(atlas, 2)}
    if naive:
        result["naive_start_to_ready_s"] = summary(naive, 2)
    for key, s in result.items():
        print(f"{key:28} median {s['median']:>6} min {s['min']:>6} max {s['max']:>6} runs {s['runs']}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    # An interrupted run (SIGTERM, SIGHUP, Ctrl-C) stops every server and browser it started.
    with stopping_everything():
        sys.exit(main())
