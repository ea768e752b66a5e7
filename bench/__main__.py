"""The benchmark suite: every figure of PlurAlps Atlas against its targets and against the naive Dash app.

    python -m bench            full run (about 7 minutes, with the data build when PLURALPS_SOURCES is set)
    python -m bench --quick    about a minute: fewer runs, a 10 s load test, no build
    python -m bench --no-build / --with-build / --no-scaling / --markdown FILE / --strict (exit 1 on a miss)

Everything runs on this machine against gunicorn on 127.0.0.1 with the real build (data/build or
PLURALPS_BUILD), the atlas and the naive baseline (bench/naive_app.py) side by side in the same run, so that
ratios stay meaningful on a shared machine whose absolute speed drifts. The modules run alone too:
bench.browser (switch, repaint floor, first load, geometry and cache), bench.callbacks (server time and bytes
per callback, replayed from the browser's requests; the peer view's callback among them), bench.peers (the
peer finder's computation alone, in process), bench.index (the composite index's callback with its Monte
Carlo, and a weight change beside the map to the map drawn), bench.change (a change map, a profile with
its series, Compare over time: server time), bench.api (the JSON API's values of one indicator),
bench.startup, bench.memory, bench.load (locust; also --scaling 1,2,4), bench.build (the data build).
bench.diagnose profiles what the missed targets spend.

Output: progress on stderr; on stdout a table (figure, median, p95, min, max, runs, target, met, naive
median, naive ÷ atlas) and, as the last line, one JSON object with every figure.
The table's names, units and targets are data (bench/figures.py); the page scripts are bench/js/*.js;
the servers and the browser, and their end when a run is interrupted, are bench/harness.py's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import api, browser, callbacks, change, index, load, memory, startup
from bench.figures import BY_KEY as FIGURES_BY_KEY
from bench.figures import KB, MB
from bench.harness import stopping_everything
from bench.support import REPO, Interference, Server, launch_chromium, log, machine, summary


def _f(value, digits=1):
    if value is None:
        return None
    return round(value, digits)


def _scaled(s: dict, factor: float, digits: int = 2) -> dict:
    """Return a summary with every number divided by `factor` (bytes to KB or MB)."""
    return {k: (_f(v / factor, digits) if isinstance(v, (int, float)) and k != "runs" else v) for k, v in s.items()}


def figure(
    name: str,
    unit: str,
    s: dict | None,
    target: str | None = None,
    met: bool | None = None,
    naive: dict | None = None,
    better: str = "lower",
    note: str | None = None,
) -> dict:
    """Return one figure: its summary, target and verdict, and the naive counterpart with the ratio."""
    row = {"name": name, "unit": unit, **(s or {})}
    if target is not None:
        row["target"] = target
        row["met"] = met
    if naive is not None and naive.get("median") and (s or {}).get("median"):
        row["naive"] = naive
        ratio = naive["median"] / s["median"] if better == "lower" else s["median"] / naive["median"]
        row["vs_naive"] = round(ratio, 1)
    if note:
        row["note"] = note
    return row


_JUDGED = object()  # `met` not given: the table's target judges the summary


def add(
    f: dict,
    key: str,
    s: dict | None,
    naive: dict | None = None,
    note: str | None = None,
    judge: dict | None = None,
    met: bool | None | object = _JUDGED,
    target: str | None = None,
    **fields,
) -> None:
    """Add the figure `key` of bench.figures.FIGURES to `f`, its name filled from `fields`.

    Its target judges `judge` (default: `s`, the summary shown; bytes are judged before scaling to KB or
    MB); a target that needs more than one summary is judged by the caller (`met`, and `target` when its
    text depends on the run)."""
    spec = FIGURES_BY_KEY[key]
    if spec.target is None:
        target_text, verdict = None, None
    else:
        target_text = target or spec.target.text
        verdict = spec.target.met(judge if judge is not None else s) if met is _JUDGED else met
    f[key.format(**fields)] = figure(
        spec.name.format(**fields), spec.unit, s, target_text, verdict, naive, spec.better, note
    )


def compose(res: dict, quick: bool) -> dict:
    """Return the figures of the run, in the order of the table (bench/figures.py)."""
    b = res["browser"]["figures"]
    nb = b.get("naive", {})
    c = res["callbacks"]["figures"]
    nc = c.get("naive", {})
    f: dict[str, dict] = {}
    # 1. The switch in the browser.
    add(f, "switch_js_ms", b["switch_js_ms"])
    click = b["switch_click_to_drawn_ms"]
    naive_click = nb.get("switch_click_to_drawn_ms")
    add(
        f,
        "switch_click_to_drawn_ms",
        click,
        naive_click,
        met=bool(naive_click and click["median"] and naive_click["median"] / click["median"] >= 4),
    )
    for key in (
        "switch_click_to_payload_ms",
        "switch_paint_to_drawn_ms",
        "switch_paint_to_drawn_same_palette_ms",
        "switch_paint_to_drawn_new_palette_ms",
        "repaint_ms",
    ):
        add(f, key, b[key])
    add(f, "switch_drawn_vs_repaint", {"median": b.get("switch_paint_to_drawn_vs_repaint")})
    add(f, "switch_click_vs_repaint", {"median": b.get("switch_click_to_drawn_vs_repaint")})
    for key in (
        "switch_paint_to_drawn_flushed_ms",
        "switch_paint_to_drawn_flushed_same_palette_ms",
        "switch_paint_to_drawn_flushed_new_palette_ms",
        "repaint_flushed_ms",
    ):
        add(f, key, b[key])
    add(f, "switch_drawn_vs_repaint_flushed", {"median": b.get("switch_flushed_paint_to_drawn_vs_repaint_flushed")})
    ratio = b.get("switch_flushed_same_palette_vs_repaint_flushed")
    if ratio is not None:
        add(f, "switch_same_palette_vs_repaint_flushed", {"median": ratio})
    for key in ("switch_click_to_drawn_flushed_ms", "switch_main_thread_script_ms"):
        add(f, key, b[key], nb.get(key))
    add(f, "hover_to_outline_ms", b["hover_to_outline_ms"])
    add(f, "hover_to_outline_flushed_ms", b["hover_to_outline_flushed_ms"])
    # 3. Server time and bytes of a switch.
    sw = c["switch_server_ms"]
    naive_server = nc.get("switch_server_ms") or nb.get("switch_server_ms")
    add(f, "switch_server_ms", sw["sum"], naive_server, callbacks=" + ".join(c["switch_callbacks"]))
    for part in c["switch_callbacks"]:
        add(f, "switch_server_{part}_ms", sw[part], part=part)
    add(f, "switch_server_first_pass_ms", c["switch_server_first_pass_ms"])
    sb = c["switch_bytes"]
    naive_bytes = nc.get("switch_bytes") or nb.get("switch_bytes")
    add(
        f,
        "switch_kb",
        _scaled(sb["sum"], KB, 1),
        _scaled(naive_bytes, KB, 1) if naive_bytes else None,
        judge=sb["sum"],
    )
    for part in c["switch_callbacks"]:
        add(f, "switch_{part}_kb", _scaled(sb[part], KB, 1), part=part)
    add(f, "switch_browser_kb", _scaled(b["browser_switch_response_bytes"], KB, 1))
    add(f, "switch_browser_all_kb", _scaled(b["browser_switch_all_bytes"], KB, 1))
    # 3b. The same switch with a unit selected (its profile open): the profile callback runs too.
    if c.get("profile_switch_callbacks"):
        pk = c["profile_switch_callbacks"]
        pw, pb = c["profile_switch_server_ms"], c["profile_switch_bytes"]
        add(
            f,
            "profile_switch_server_ms",
            pw["sum"],
            naive_server,
            note="a unit selected: the profile callback runs too; the switch targets apply to the switch above",
            callbacks=" + ".join(pk),
        )
        for part in pk:
            add(f, "profile_switch_server_{part}_ms", pw[part], part=part)
        add(f, "profile_switch_kb", _scaled(pb["sum"], KB, 1), _scaled(naive_bytes, KB, 1) if naive_bytes else None)
    # 4. First load.
    add(f, "first_load_drawn_ms", b["first_load_drawn_ms"], nb.get("first_load_drawn_ms"))
    gb = b["geometry_bytes"]
    add(
        f,
        "geometry_mb",
        _scaled(gb, MB, 2),
        _scaled(nb["layout_bytes"], MB, 2) if nb.get("layout_bytes") else None,
        judge=gb,
    )
    add(
        f,
        "first_load_mb",
        _scaled(b["first_load_bytes"], MB, 2),
        _scaled(nb["first_load_bytes"], MB, 2) if nb.get("first_load_bytes") else None,
    )
    add(f, "reload_geometry_bytes", b["reload_geometry_bytes"])
    add(f, "reload_first_drawn_ms", b["reload_first_drawn_ms"])
    add(f, "first_load_units_file_ms", b["first_load_steps_ms"]["units_file_received"])
    add(f, "first_load_units_ready_ms", b["first_load_steps_ms"]["units"])
    add(f, "outside_requests", {"median": b["outside_requests"] + nb.get("outside_requests", 0)})
    index_errors = (
        len((res.get("index") or {}).get("errors") or [])
        + len((res.get("change") or {}).get("errors") or [])
        + len((res.get("api") or {}).get("errors") or [])
    )
    add(f, "errors", {"median": c["replay_errors"] + b["page_errors"] + nb.get("page_errors", 0) + index_errors})
    # 5. Compare and profile.
    add(f, "compare_server_ms", c["compare_server_ms"])
    add(f, "profile_server_ms", c["profile_server_ms"])
    add(f, "peers_server_ms", c["peers_server_ms"])
    add(f, "peers_bytes", c["peers_bytes"])
    add(f, "peers_geometry_responses", {"median": c["peers_geometry_responses"]})
    peers = res.get("peers") or {}
    add(f, "peers_compute_ms", summary(peers.get("ms", []), 2, p95=True))
    add(f, "peers_cold_ms", summary([peers["cold_ms"]] if "cold_ms" in peers else [], 2))
    ix = (res.get("index") or {}).get("figures") or {}
    for key in ("index_server_ms", "index_example_server_ms", "index_weight_to_map_ms", "index_weight_to_payload_ms"):
        add(f, key, ix.get(key) or summary([]))
    ch = (res.get("change") or {}).get("figures") or {}
    for key in ("change_map_server_ms", "profile_series_server_ms", "compare_over_time_server_ms"):
        add(f, key, ch.get(key) or summary([]))
    ap = (res.get("api") or {}).get("figures") or {}
    for key in ("api_values_ms", "api_values_cached_ms", "api_values_bytes"):
        add(f, key, ap.get(key) or summary([]))
    # 6. Start.
    st = summary(res["startup"]["atlas"], 2)
    add(f, "start_to_ready_s", st, summary(res["startup"]["naive"], 2) if res["startup"]["naive"] else None)
    # 7. Memory.
    mem = res["memory"]
    rss = [w["rss_mb"] for w in mem["atlas"]["workers"]]
    pss = [w["pss_mb"] for w in mem["atlas"]["workers"]]
    naive_rss = [w["rss_mb"] for w in mem["naive"]["workers"]] if mem.get("naive") else []
    add(f, "worker_rss_mb", summary(rss, 1), summary(naive_rss, 1) if naive_rss else None)
    add(
        f,
        "worker_pss_mb",
        summary(pss, 1),
        summary([w["pss_mb"] for w in mem["naive"]["workers"]], 1) if naive_rss else None,
    )
    add(f, "master_rss_mb", {"median": mem["atlas"]["master"]["rss_mb"]})
    add(f, "master_pss_mb", {"median": mem["atlas"]["master"]["pss_mb"]})
    add(
        f,
        "total_pss_mb",
        {"median": mem["atlas"]["total_pss_mb"]},
        {"median": mem["naive"]["total_pss_mb"]} if mem.get("naive") else None,
    )
    # 8. Load.
    ld = res["load"]
    add(
        f,
        "load_p95_ms",
        {"median": ld["median_ms"], "p95": ld["p95_ms"], "max": ld["max_ms"], "runs": ld["requests"]},
        users=ld["users"],
    )
    add(f, "load_errors", {"median": ld["errors"]})
    add(f, "load_rps", {"median": ld["requests_per_s"]})
    soak = res.get("soak")
    before = max(m["rss_mb"] for m in ld["worker_memory_before"])
    after_row = soak or ld
    after = max(m["rss_mb"] for m in after_row["worker_memory_after"])
    total = ld["requests"] + (soak["requests"] if soak else 0)
    growth = round(after - before, 1)
    add(
        f,
        "load_rss_growth_mb",
        {"median": growth, "runs": total},
        note="median: growth of the largest worker RSS from the start of the load test to its end",
        met=growth <= 0.05 * before and total >= 10_000 if not quick else growth <= 0.05 * before,
        target="flat (≤ 5 %)" if quick else None,
        before=before,
        after=after,
        total=total,
    )
    for row in res.get("scaling") or []:
        add(
            f,
            "capacity_{workers}w",
            {"median": row["requests_per_s"], "p95": row["p95_ms"], "runs": row["requests"]},
            workers=row["workers"],
        )
    if res.get("build"):
        bd = res["build"]
        add(f, "cold_build_s", bd["cold_build_s"])
        add(f, "warm_rebuild_s", bd["warm_rebuild_s"])
        add(f, "build_peak_rss_mb", bd["peak_rss_mb"])
        add(f, "map_geojson_mb", {"median": bd["map_geojson_mb"]}, gzip_mb=bd["map_geojson_gzip_mb"])
    return f


def table(figures: dict) -> str:
    head = (
        f"{'figure':64} {'unit':>4} {'median':>9} {'p95':>8} {'min':>9} {'max':>9} {'n':>6}  {'target':24} {'met':5} "
        f"{'naive':>9} {'naive÷':>7}"
    )
    lines = [head, "-" * len(head)]

    def cell(v, width):
        if v is None:
            return " " * width
        if isinstance(v, float) and v.is_integer() and abs(v) >= 100:
            v = int(v)
        return f"{v!s:>{width}}"

    for row in figures.values():
        if row.get("runs") == 0:
            continue  # (e.g. no switch kept its colours in this run)
        met = row.get("met")
        verdict = "" if "target" not in row else ("yes" if met else ("no" if met is False else "?"))
        lines.append(
            f"{row['name'][:64]:64} {row['unit']:>4} {cell(row.get('median'), 9)} {cell(row.get('p95'), 8)} "
            f"{cell(row.get('min'), 9)} {cell(row.get('max'), 9)} {cell(row.get('runs'), 6)}  "
            f"{row.get('target', ''):24} {verdict:5} {cell((row.get('naive') or {}).get('median'), 9)} "
            f"{cell(row.get('vs_naive'), 7)}"
        )
    return "\n".join(lines)


def markdown(figures: dict) -> str:
    """Return the table as Markdown (for the README's performance section)."""

    def cell(v):
        if v is None:
            return ""
        if isinstance(v, float) and v.is_integer() and abs(v) >= 100:
            v = int(v)
        return f"{v:,}" if isinstance(v, int) and abs(v) >= 10_000 else str(v)

    lines = [
        "| figure | unit | median | p95 | min – max | n | target | met | naive | naive ÷ atlas |",
        "|---|---|---:|---:|---:|---:|---|---|---:|---:|",
    ]
    for row in figures.values():
        if row.get("runs") == 0:
            continue
        met = row.get("met")
        verdict = "" if "target" not in row else ("yes" if met else ("**no**" if met is False else "?"))
        span = f"{cell(row.get('min'))} – {cell(row.get('max'))}" if row.get("min") is not None else ""
        name = row["name"].replace("|", "/")
        name = ("&nbsp;&nbsp;" + name.strip()) if name.startswith("  ") else name
        lines.append(
            f"| {name} | {row['unit']} | {cell(row.get('median'))} | {cell(row.get('p95'))} | {span} | "
            f"{cell(row.get('runs'))} | {row.get('target', '')} | {verdict} | "
            f"{cell((row.get('naive') or {}).get('median'))} | {cell(row.get('vs_naive'))} |"
        )
    return "\n".join(lines)


def run_peers(queries: int) -> dict:
    """Run bench.peers in a child process (the computation alone, in process) and return its JSON line."""
    log(f"  peers: {queries} queries in process (bench.peers)")
    done = subprocess.run(
        [sys.executable, "-m", "bench.peers", "--queries", str(queries)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_build(runs: int, warm_runs: int) -> dict | None:
    """Run bench.build in a child process (unchanged script) and return its JSON line, or None."""
    sources = os.environ.get("PLURALPS_SOURCES")
    if not sources or not Path(sources).is_dir():
        log("  data build skipped: PLURALPS_SOURCES does not name a folder")
        return None
    log(f"  data build: {runs} cold, {warm_runs} warm (bench.build)")
    done = subprocess.run(
        [sys.executable, "-m", "bench.build", "--runs", str(runs), "--warm-runs", str(warm_runs)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the whole run in about a minute")
    parser.add_argument("--with-build", action="store_true", help="also time the data build (default in a full run)")
    parser.add_argument("--no-build", action="store_true", help="skip the data build in a full run")
    parser.add_argument("--no-scaling", action="store_true", help="skip the 1/2/4-worker capacity runs")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--markdown", metavar="FILE", help="also write the table as Markdown to FILE")
    args = parser.parse_args(argv)
    quick = args.quick
    started = time.time()
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    info = machine()
    build = os.environ.get("PLURALPS_BUILD", "data/build")
    log(f"PlurAlps Atlas benchmarks ({'quick' if quick else 'full'} run), build {build}")
    res: dict = {"startup": {"atlas": [], "naive": []}}
    others: dict[str, float] = {}  # cores other processes kept busy, per phase (the machine is shared)
    whole = Interference()
    meter = Interference()
    from playwright.sync_api import sync_playwright

    log("starting the atlas and the naive app under gunicorn (2 workers, --preload)")
    atlas = Server("app:server")
    res["startup"]["atlas"].append(atlas.ready_s)
    naive = None
    try:
        naive = Server("bench.naive_app:server")
        res["startup"]["naive"].append(naive.ready_s)
        others["start"] = meter.cores()
        meter = Interference()
        log("browser: first loads, switches, repaint floors, cache (Chromium, SwiftShader)")
        with sync_playwright() as p:
            chromium = launch_chromium(p)
            res["browser"] = browser.measure(
                chromium,
                atlas.url,
                naive.url,
                runs=2 if quick else 5,
                switches=[3, 2] if quick else 6,
                naive_runs=1 if quick else 3,
                naive_switches=1 if quick else 2,
                reload_runs=1 if quick else 2,
                reload_drawn=not quick,
                hovers=2 if quick else 4,
            )
            others["browser"] = meter.cores()
            meter = Interference()
            res["index"] = index.measure(atlas.url, chromium, quick)
            others["index"] = meter.cores()
            meter = Interference()
            res["change"] = change.measure(atlas.url, quick)
            others["change"] = meter.cores()
            meter = Interference()
            res["api"] = api.measure(atlas.url, quick)
            others["api"] = meter.cores()
            chromium.close()
        captured = browser.captured(res["browser"])
        meter = Interference()
        log("server time and bytes: replaying the browser's callback requests")
        res["callbacks"] = callbacks.measure(
            atlas.url,
            captured,
            quick=quick,
            passes=2,
            units=40,
            naive_url=naive.url,
            naive_indicators=0 if quick else 3,
        )
        others["replay"] = meter.cores()
        meter = Interference()
        log("peer finder: compute time of one unit's peers")
        res["peers"] = run_peers(60 if quick else 200)
        others["peers"] = meter.cores()
        log("memory of master and workers after that traffic")
        atlas.wait_for_workers()
        naive.wait_for_workers()
        res["memory"] = {"atlas": memory.snapshot(atlas), "naive": memory.snapshot(naive)}
        naive_log = naive.stop(kill=True)
        naive = None
        if "Traceback" in naive_log:
            log(naive_log[-3000:])
            raise RuntimeError("the naive app logged an error")
        meter = Interference()
        log("load test (locust)")
        res["load"] = load.run(
            atlas, captured, users=50, seconds=10 if quick else 60, max_requests=20_000, wait=(0.5, 1.5)
        )
        if not quick and res["load"]["requests"] < 10_000:
            remaining = 10_000 - res["load"]["requests"]
            log(f"  soak: {remaining} more requests without think time, for the memory check over 10,000")
            res["soak"] = load.run(atlas, captured, users=50, seconds=240, max_requests=remaining, wait=(0.0, 0.0))
    finally:
        if naive is not None:
            naive.stop(kill=True)
        atlas_log = atlas.stop()
    others["load"] = meter.cores()
    if "Traceback" in atlas_log:
        log(atlas_log[-3000:])
        raise RuntimeError("the atlas logged an error")
    if not quick:  # (a quick run keeps the two starts above: one sample each)
        meter = Interference()
        log("process start to ready")
        res["startup"]["atlas"] += startup.measure(4)
        res["startup"]["naive"] += startup.measure(1, "bench.naive_app:server")
        others["startup"] = meter.cores()
    if not quick and not args.no_scaling:
        log("capacity with 1, 2 and 4 workers (closed loop, for docs/scaling.md)")
        meter = Interference()
        res["scaling"] = load.scaling(captured, [1, 2, 4], seconds=20)
        others["scaling"] = meter.cores()
    if (not quick and not args.no_build) or args.with_build:
        meter = Interference()
        res["build"] = run_build(3, 5)
        others["build"] = meter.cores()
    others["whole run"] = whole.cores()
    figures = compose(res, quick)
    duration = round(time.time() - started, 1)
    missed = [k for k, v in figures.items() if v.get("met") is False]
    info["load_avg_1m_end"] = round(os.getloadavg()[0], 2)
    print(
        f"PlurAlps Atlas benchmarks, {'quick' if quick else 'full'} run of {started_at}, {duration} s, "
        f"{info['cpus']} CPUs ({info['cpu_model']}), {info['chromium']}, load average {info['load_avg_1m']} → "
        f"{info['load_avg_1m_end']}"
    )
    print(table(figures))
    if args.markdown:
        Path(args.markdown).write_text(markdown(figures) + "\n")
    print(f"targets missed: {', '.join(missed) if missed else 'none'}")
    print(
        "shared machine: cores kept busy by other processes meanwhile (of "
        f"{info['cpus']}): " + ", ".join(f"{k} {v}" for k, v in others.items())
    )
    details = {
        "browser": dict(res["browser"]["figures"]),
        "callbacks": dict(res["callbacks"]["figures"]),
        "peers": {k: v for k, v in (res.get("peers") or {}).items() if k != "ms"},
        "index": res.get("index"),
        "change": res.get("change"),
        "api": res.get("api"),
        "memory": res["memory"],
        "load": res["load"],
        "soak": res.get("soak"),
        "scaling": res.get("scaling"),
        "startup_s": {k: [round(x, 3) for x in v] for k, v in res["startup"].items()},
        "build": res.get("build"),
        "other_processes_cores": others,
        "switches": [
            {k: (round(v, 1) if isinstance(v, float) else v) for k, v in s.items() if k != "requests"}
            for r in res["browser"]["atlas"]
            for s in r["switches"]
        ],
        "first_load_marks": [r["marks"] for r in res["browser"]["atlas"]],
    }
    print(
        json.dumps(
            {
                "mode": "quick" if quick else "full",
                "started_at": started_at,
                "duration_s": duration,
                "machine": info,
                "figures": figures,
                "missed": missed,
                "details": details,
            }
        )
    )
    return 1 if (args.strict and missed) else 0


if __name__ == "__main__":
    # An interrupted run (SIGTERM, SIGHUP, Ctrl-C) stops every server and browser it started.
    with stopping_everything():
        sys.exit(main())
