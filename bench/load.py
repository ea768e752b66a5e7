"""Load test: 50 concurrent simulated users against gunicorn on 127.0.0.1, with locust in headless mode.

    python -m bench.load [--users 50] [--seconds 60] [--max-requests 20000] [--wait 0.5 1.5] [--quick]
    python -m bench.load --scaling 1,2,4 [--seconds 30]       (throughput per worker count, docs/scaling.md)

The users (bench/locustfile.py) mix page loads, indicator switches and clicks on a unit that open its
profile (each the browser's own callback requests, replayed: state + map for a switch with no unit
selected, state + map + profile for a click), with a think time drawn between the two --wait values. The
run is bounded in time (--seconds) and in count (--max-requests); it targets 127.0.0.1 only. Every
request's time is kept, so the percentiles here are exact (locust's own tables round them). Reported:
requests, errors, requests/s, median and p95 overall and per request kind, the CPU locust itself used (it
shares the 2 cores with the server), and the RSS and PSS of each worker at the start and at the end (memory
must stay flat).

--scaling starts one server per worker count and drives it with the same users without think time
(closed loop: each user sends its next request as soon as the last one is answered), which measures
capacity: requests/s and p95 when the server is the bottleneck.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import stopping_everything
from bench.support import REPO, Interference, Server, cpu_seconds, log, percentile, process_memory

KINDS = ("GET /", "layout", "dependencies", "state", "map", "state (unit click)", "map (unit click)", "profile")


def run(
    server: Server,
    captured: dict,
    users: int = 50,
    seconds: float = 60,
    max_requests: int = 20_000,
    wait: tuple[float, float] = (0.5, 1.5),
    seed: int = 11,
) -> dict:
    """Run locust against `server`; return counts, rates, percentiles and worker memory before and after."""
    import pandas as pd

    from bench.callbacks import id_names, states
    from bench.support import build_folder

    units = pd.read_parquet(build_folder() / "units.parquet", columns=["unit_id"])["unit_id"].tolist()
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        config = {
            "captured": captured,
            "ids": id_names(),
            "states": states(quick=False),
            "units": random.Random(seed).sample(units, 2000),
            "wait": list(wait),
            "max_requests": max_requests,
            "samples_path": str(Path(tmp) / "samples.json"),
        }
        config_path = Path(tmp) / "config.json"
        config_path.write_text(json.dumps(config))
        server.wait_for_workers()
        memory_before = [process_memory(p) for p in server.worker_pids()]
        command = [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(REPO / "bench" / "locustfile.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(users),
            "--run-time",
            f"{int(seconds)}s",
            "--host",
            server.url,
            "--stop-timeout",
            "10",
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--exit-code-on-error",
            "0",
        ]
        log(
            f"  locust: {users} users, {seconds:.0f} s or {max_requests} requests, think time {wait[0]}-{wait[1]} s, "
            f"{server.workers} worker(s)"
        )
        with open(Path(tmp) / "locust.log", "w+") as out:
            others = Interference()
            started = time.perf_counter()
            process = subprocess.Popen(
                command,
                cwd=REPO,
                env=dict(os.environ, BENCH_LOAD_CONFIG=str(config_path)),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
            peak_rss: dict[int, float] = {}
            locust_cpu = 0.0
            while process.poll() is None:
                for pid in server.worker_pids():
                    rss = process_memory(pid)["rss_mb"] or 0
                    peak_rss[pid] = max(peak_rss.get(pid, 0), rss)
                locust_cpu = max(locust_cpu, cpu_seconds(process.pid))
                time.sleep(0.5)
            wall = time.perf_counter() - started
            foreign_cores = others.cores()
            out.seek(0)
            locust_log = out.read()
        memory_after = [process_memory(p) for p in server.worker_pids()]
        samples_path = Path(config["samples_path"])
        if not samples_path.is_file():
            raise RuntimeError(f"locust wrote no samples:\n{locust_log[-3000:]}")
        dump = json.loads(samples_path.read_text())
    samples = dump["samples"]
    duration = dump["seconds"]
    times = [ms for _name, ms, _ok in samples]
    errors = sum(1 for _n, _ms, ok in samples if not ok)
    per_kind = {}
    for kind in [*KINDS, *sorted({name for name, _ms, _ok in samples} - set(KINDS))]:
        kt = [ms for name, ms, _ok in samples if name == kind]
        if kt:
            per_kind[kind] = {
                "requests": len(kt),
                "median_ms": round(percentile(kt, 50), 1),
                "p95_ms": round(percentile(kt, 95), 1),
                "max_ms": round(max(kt), 1),
            }
    return {
        "users": users,
        "workers": server.workers,
        "think_time_s": list(wait),
        "seconds": round(duration, 1),
        "requests": len(samples),
        "errors": errors,
        "requests_per_s": round(len(samples) / duration, 1) if duration else None,
        "median_ms": round(percentile(times, 50), 1) if times else None,
        "p95_ms": round(percentile(times, 95), 1) if times else None,
        "p99_ms": round(percentile(times, 99), 1) if times else None,
        "max_ms": round(max(times), 1) if times else None,
        "per_kind": per_kind,
        "locust_cpu_share": round(locust_cpu / wall, 2) if wall else None,
        "other_processes_cores": foreign_cores,
        "worker_memory_before": memory_before,
        "worker_memory_after": memory_after,
        "worker_rss_peak_mb": sorted(peak_rss.values()),
        "worker_rss_growth_mb": round(
            max((a["rss_mb"] or 0) for a in memory_after) - max((b["rss_mb"] or 0) for b in memory_before), 1
        )
        if memory_after and memory_before
        else None,
    }


def scaling(captured: dict, workers: list[int], seconds: float, users: int = 50) -> list[dict]:
    """Return the closed-loop capacity (no think time) of a fresh server per worker count."""
    rows = []
    for n in workers:
        with Server("app:server", workers=n) as server:
            warm(server, captured)
            row = run(server, captured, users=users, seconds=seconds, max_requests=10**9, wait=(0.0, 0.0))
            rows.append(row)
            log(
                f"  {n} worker(s): {row['requests_per_s']} requests/s, p95 {row['p95_ms']} ms, {row['errors']} errors; "
                f"other processes used {row['other_processes_cores']} cores"
            )
    return rows


def warm(server: Server, captured: dict) -> None:
    """One switch to each indicator on the new server, so that every run starts from the same warm caches."""
    from bench.callbacks import Replayer, states

    replayer = Replayer(server.url, captured)
    for indicator, year in states(quick=True):
        replayer.switch(indicator, year)
    replayer.client.close()


def summarise(row: dict) -> str:
    return (
        f"{row['requests']} requests in {row['seconds']} s ({row['requests_per_s']}/s), {row['errors']} errors, "
        f"median {row['median_ms']} ms, p95 {row['p95_ms']} ms, max {row['max_ms']} ms; locust used "
        f"{row['locust_cpu_share']} of a core, other processes {row['other_processes_cores']}; "
        f"worker RSS {[m['rss_mb'] for m in row['worker_memory_before']]} -> "
        f"{[m['rss_mb'] for m in row['worker_memory_after']]} MB"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--wait", type=float, nargs=2, default=(0.5, 1.5), metavar=("MIN", "MAX"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="10 s")
    parser.add_argument("--scaling", help="comma-separated worker counts, e.g. 1,2,4 (closed loop)")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds = 10
    from playwright.sync_api import sync_playwright

    from bench import browser as browser_bench
    from bench.support import launch_chromium

    with Server("app:server", workers=args.workers) as server:
        with sync_playwright() as p:
            chromium = launch_chromium(p)
            captured = browser_bench.capture(chromium, server.url)
            chromium.close()
        if args.scaling:
            server.stop()
            rows = scaling(captured, [int(n) for n in args.scaling.split(",")], args.seconds, args.users)
            for row in rows:
                print(f"{row['workers']} worker(s): {summarise(row)}")
            print(json.dumps({"scaling": rows}))
            return 0
        warm(server, captured)
        row = run(server, captured, args.users, args.seconds, args.max_requests, tuple(args.wait))
    print(summarise(row))
    for kind, k in row["per_kind"].items():
        print(f"  {kind:18} {k['requests']:>7} requests, median {k['median_ms']:>7} ms, p95 {k['p95_ms']:>7} ms")
    print(json.dumps({"load": row}))
    return 0


if __name__ == "__main__":
    # An interrupted run (SIGTERM, SIGHUP, Ctrl-C) stops every server and browser it started.
    with stopping_everything():
        sys.exit(main())
