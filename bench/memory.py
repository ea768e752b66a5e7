"""Memory of gunicorn's master and workers (2 workers, --preload) after some traffic: VmRSS and PSS.

    python -m bench.memory [--requests N] [--no-naive]

RSS counts every page a process maps, including the ones it shares copy-on-write with the master and the
other worker since the fork; PSS (Pss of /proc/<pid>/smaps_rollup) divides each shared page among the
processes that share it, so the PSS of master and workers add up to what the service really uses. The target
(≤ 400 MB RSS per worker) is checked on RSS, the stricter of the two.

The traffic is a mix of page loads (/, /_dash-layout, /_dash-dependencies), indicator switches and profiles,
replayed from the browser's own requests (bench.browser.capture); the naive app gets page loads and a few
indicator switches.
"""

from __future__ import annotations

import argparse
import json
import random
import sys

from bench.harness import stopping_everything
from bench.support import Client, Server, log


def page_load(client: Client) -> list[dict]:
    return [
        client.request("GET", "/"),
        client.request("GET", "/_dash-layout", headers={"Referer": f"{client.base_url}/"}),
        client.request("GET", "/_dash-dependencies"),
    ]


def traffic(url: str, captured: dict, requests: int, seed: int = 3) -> int:
    """Send about `requests` requests of the load test's mix to the atlas; return how many were sent."""
    from bench.callbacks import Replayer, states

    rng = random.Random(seed)
    replayer = Replayer(url, captured)
    todo = states(quick=False)
    import pandas as pd

    from bench.support import build_folder

    units = pd.read_parquet(build_folder() / "units.parquet", columns=["unit_id"])["unit_id"].tolist()
    sent = 0
    while sent < requests:
        choice = rng.random()
        if choice < 0.2:
            page_load(replayer.client)
            sent += 3
        elif choice < 0.8:
            replayer.switch(*rng.choice(todo))
            sent += 3
        else:
            replayer.profile(rng.choice(units))
            sent += 1
    replayer.client.close()
    return sent


def snapshot(server: Server) -> dict:
    """Return the memory of master and workers, with the worker maxima and the total PSS."""
    mem = server.memory()
    workers = mem["workers"]
    return {
        "master": mem["master"],
        "workers": workers,
        "worker_rss_mb_max": max((w["rss_mb"] or 0) for w in workers) if workers else None,
        "worker_pss_mb_max": max((w["pss_mb"] or 0) for w in workers) if workers else None,
        "total_pss_mb": round(sum((p["pss_mb"] or 0) for p in [mem["master"], *workers]), 1),
        "total_rss_mb": round(sum((p["rss_mb"] or 0) for p in [mem["master"], *workers]), 1),
    }


def naive_traffic(url: str, captured: dict, switches: int) -> None:
    from bench.callbacks import naive_switches

    client = Client(url)
    for _ in range(2):
        page_load(client)
    client.close()
    if "naive" in captured and switches:
        naive_switches(url, captured["naive"], ["population", "density", "share_65plus"][:switches])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.memory")
    parser.add_argument("--requests", type=int, default=600, help="requests of traffic before reading memory")
    parser.add_argument("--no-naive", action="store_true")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from bench import browser as browser_bench
    from bench.support import launch_chromium

    result = {}
    with Server("app:server") as atlas:
        naive = None if args.no_naive else Server("bench.naive_app:server")
        try:
            with sync_playwright() as p:
                chromium = launch_chromium(p)
                captured = browser_bench.capture(chromium, atlas.url, naive.url if naive else None)
                chromium.close()
            atlas.wait_for_workers()
            result["after_start"] = snapshot(atlas)
            log(f"  sending {args.requests} requests to the atlas")
            result["requests"] = traffic(atlas.url, captured, args.requests)
            result["after_traffic"] = snapshot(atlas)
            if naive:
                naive.wait_for_workers()
                naive_traffic(naive.url, captured, 2)
                result["naive_after_traffic"] = snapshot(naive)
        finally:
            if naive:
                naive.stop(kill=True)
    for key in ("after_start", "after_traffic", "naive_after_traffic"):
        if key in result:
            s = result[key]
            print(
                f"{key:22} master RSS {s['master']['rss_mb']:>7} MB PSS {s['master']['pss_mb']:>7} MB; workers RSS "
                f"{[w['rss_mb'] for w in s['workers']]} PSS {[w['pss_mb'] for w in s['workers']]}; "
                f"total PSS {s['total_pss_mb']} MB"
            )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    # An interrupted run (SIGTERM, SIGHUP, Ctrl-C) stops every server and browser it started.
    with stopping_everything():
        sys.exit(main())
