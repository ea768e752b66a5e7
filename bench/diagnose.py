"""Diagnostics behind the missed targets: where the time goes, reproducibly (not part of `python -m bench`).

    python -m bench.diagnose [--no-browser] [--no-server] [--lines 40]

Server (in one process, Flask's test client, so that the figures are CPU time without the network and
without the other worker): CPU ms per request and a pyinstrument profile of GET /, GET /_dash-layout, the
map callback over every (indicator, year), the profile callback for 40 units and the compare callback for
every numeric indicator; what the index page's Dash config carries; and an import-time profile of
`import app` (what a fresh gunicorn master spends before it is ready).

Browser (the atlas under gunicorn, headless Chromium): two switches with the main thread's CPU profile (self
time by script and function); the no-change repaint; new colours for every feature through feature state
under the constant fill-color expression (what assets/atlas-map.js does on a switch since commit 7d9e9e7);
and, for comparison, a change of the fill-color expression itself (what it did before: MapLibre re-lays out
every tile of the units source when a data-driven paint property changes). Tile reloads are counted by
wrapping the source's reload. Every time is to `idle`, then to pixels read back (SwiftShader has rasterised
the frame).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

from bench.browser import ATLAS_JS
from bench.harness import js, stopping_everything
from bench.support import REPO, Server, build_folder, launch_chromium, log

EXPERIMENTS_JS = js("experiments")


def profile_switch(page, cdp, indicator: str, top: int = 12) -> dict:
    """Return the timing of one switch and the main thread's CPU profile during it, self time by script."""
    cdp.send("Profiler.enable")
    cdp.send("Profiler.setSamplingInterval", {"interval": 200})
    cdp.send("Profiler.start")
    timing = page.evaluate("i => window.__bench.switchTo(i)", indicator)
    profile = cdp.send("Profiler.stop")["profile"]
    nodes = {n["id"]: n["callFrame"] for n in profile["nodes"]}
    self_ms: dict[str, float] = {}
    by_script: dict[str, float] = {}
    for node, delta in zip(profile["samples"], profile["timeDeltas"]):
        frame = nodes[node]
        script = frame["url"].rsplit("/", 1)[-1].split("?")[0] or frame["functionName"] or "(native)"
        key = f"{frame['functionName'] or '(anonymous)'} {script}:{frame['lineNumber'] + 1}"
        self_ms[key] = self_ms.get(key, 0) + delta / 1000
        by_script[script] = by_script.get(script, 0) + delta / 1000
    by_script.pop("(idle)", None)
    return {
        "timing_ms": {k: round(v, 1) for k, v in timing.items() if isinstance(v, (int, float))},
        "main_thread_ms_by_script": {k: round(v, 1) for k, v in sorted(by_script.items(), key=lambda kv: -kv[1])[:8]},
        "top_functions_ms": {
            k: round(v, 1)
            for k, v in sorted(self_ms.items(), key=lambda kv: -kv[1])[: top + 1]
            if not k.startswith("(idle)")
        },
    }


def browser_experiments(url: str, repeats: int = 4) -> dict:
    import pandas as pd
    from playwright.sync_api import sync_playwright

    from bench.harness import wait_for_map

    units = len(pd.read_parquet(build_folder() / "units.parquet", columns=["unit_id"]))
    out: dict = {}
    with sync_playwright() as p:
        chromium = launch_chromium(p)
        context = chromium.new_context(viewport={"width": 1500, "height": 950})
        context.add_init_script(EXPERIMENTS_JS)
        context.add_init_script(ATLAS_JS)
        page = context.new_page()
        page.goto(url + "/", wait_until="commit")
        wait_for_map(page, "foreign_pct|latest", timeout=120_000)
        page.evaluate("window.__diag.spy()")
        cdp = context.new_cdp_session(page)
        for indicator in ("population", "share_65plus"):  # the first keeps foreign_pct's colours, the second not
            page.wait_for_timeout(500)
            out[f"switch_to_{indicator}"] = profile_switch(page, cdp, indicator)
        rows = []
        for _ in range(repeats):
            page.wait_for_timeout(500)
            rows.append(page.evaluate("window.__diag.repaint()"))
        out["repaint"] = rows
        rows = []
        for k in range(repeats):
            page.wait_for_timeout(500)
            rows.append(page.evaluate("a => window.__diag.colourStates(a)", [k, units]))
        out["colour_states_all_features"] = rows
        rows = []
        for k in range(repeats):
            page.wait_for_timeout(500)
            rows.append(page.evaluate("k => window.__diag.expressionChange(k)", k + 1))
        out["fill_expression_change"] = rows
        context.close()
        chromium.close()
    return out


def _profile_requests(client, requests: list, lines: int) -> dict:
    """Return CPU ms per request (median, max) and a pyinstrument profile of `requests`."""
    from pyinstrument import Profiler

    cpu = []
    for method, path, body, headers in requests:  # first pass: warm, timed without the profiler
        started = time.process_time()
        response = client.open(path, method=method, data=body, headers=headers)
        cpu.append((time.process_time() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code}")
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for method, path, body, headers in requests:
        client.open(path, method=method, data=body, headers=headers)
    profiler.stop()
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    body_lines = [line for line in text.splitlines() if line.strip() and not line.startswith(("  _", " /_", "/   _"))]
    return {
        "requests": len(requests),
        "cpu_ms_median": round(statistics.median(cpu), 1),
        "cpu_ms_max": round(max(cpu), 1),
        "profile": "\n".join(body_lines[:lines]),
    }


def server_profiles(captured: dict, lines: int) -> dict:
    import random

    import pandas as pd

    from bench.callbacks import _input_value, _query, _set_input, states
    from dashboard import ids

    os.environ.setdefault("PLURALPS_BUILD", str(build_folder()))
    sys.path.insert(0, str(REPO))
    import app as atlas_app  # the app is created here, in this process

    client = atlas_app.server.test_client()
    head = {"Accept-Encoding": "br", "Content-Type": "application/json"}
    update = "/_dash-update-component"

    def replay(kind: str, key: str, **changes):
        """The browser's recorded request `kind`, with its view state changed by `changes`."""
        body = _set_input(captured[kind], key, _query(_input_value(captured[kind], key), **changes))
        return ("POST", update, json.dumps(body), head)

    map_requests = [replay("map", ids.MAP_KEY, indicator=i, year=y) for i, y in states(quick=False)]
    units = pd.read_parquet(build_folder() / "units.parquet", columns=["unit_id"])["unit_id"].tolist()
    profile_requests = [replay("profile_unit", ids.PROFILE_KEY, unit=u) for u in random.Random(1).sample(units, 40)]
    catalogue = pd.read_parquet(build_folder() / "catalogue.parquet")
    numeric = [i for i, k in zip(catalogue["id"], catalogue["kind"]) if k == "numeric"]
    compare_requests = [
        replay("compare", ids.COMPARE_KEY, indicator=i) for i in numeric if (i, None) in states(quick=True)
    ]
    out = {
        "index (GET /)": _profile_requests(client, [("GET", "/", None, {"Accept-Encoding": "br"})] * 30, lines),
        "layout (GET /_dash-layout)": _profile_requests(
            client,
            [("GET", "/_dash-layout", None, {"Accept-Encoding": "br", "Referer": "http://127.0.0.1/"})] * 30,
            lines,
        ),
        "map callback": _profile_requests(client, map_requests, lines),
        "profile callback": _profile_requests(client, profile_requests, lines),
        "compare callback": _profile_requests(client, compare_requests, lines),
    }
    html = client.get("/").data.decode("utf-8", "replace")
    found = re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', html, re.S)
    if found:
        config = json.loads(found.group(1))
        out["index page"] = {
            "html_bytes": len(html),
            "config_bytes": {k: len(json.dumps(v)) for k, v in config.items() if len(json.dumps(v)) > 500},
        }
    return out


def import_profile(lines: int) -> str:
    """Return a pyinstrument profile of `import app` in a fresh interpreter (what gunicorn's master does)."""
    code = (
        "from pyinstrument import Profiler\n"
        "p = Profiler(interval=0.001)\np.start()\nimport app\np.stop()\n"
        "print(p.output_text(unicode=False, color=False, show_all=False))\n"
    )
    env = dict(os.environ, PLURALPS_BUILD=str(build_folder()))
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True)
    body = [line for line in done.stdout.splitlines() if line.strip() and not line.startswith(("  _", " /_", "/   _"))]
    return "\n".join(body[:lines])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.diagnose")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--no-server", action="store_true")
    parser.add_argument("--lines", type=int, default=40, help="lines of each profile to print")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from bench import browser as browser_bench

    result: dict = {}
    with Server("app:server") as server:
        log("capturing the callbacks in Chromium")
        with sync_playwright() as p:
            chromium = launch_chromium(p)
            captured = browser_bench.capture(chromium, server.url)
            chromium.close()
        if not args.no_browser:
            log("browser experiments: switches, repaint, colours in feature state, fill-color expression change")
            result["browser"] = browser_experiments(server.url)
    if not args.no_server:
        log("server profiles (in-process)")
        result["server"] = server_profiles(captured, args.lines)
        log("import-time profile of the app")
        result["import_app"] = import_profile(args.lines)
    for name, rows in result.get("browser", {}).items():
        if name.startswith("switch_to_"):
            print(f"{name}: {rows['timing_ms']}\n  main thread by script (ms): {rows['main_thread_ms_by_script']}")
            for function, ms in rows["top_functions_ms"].items():
                print(f"    {ms:8.1f} ms  {function}")
            continue
        rows = rows if isinstance(rows, list) else [rows]
        print(f"{name}: " + "; ".join(", ".join(f"{k} {round(v, 1)}" for k, v in r.items()) for r in rows))
    for name, info in result.get("server", {}).items():
        if "profile" in info:
            print(
                f"\n=== {name}: {info['requests']} requests, CPU median {info['cpu_ms_median']} ms, "
                f"max {info['cpu_ms_max']} ms\n{info['profile']}"
            )
        else:
            print(f"\n=== {name}: {info}")
    if "import_app" in result:
        print(f"\n=== import app (gunicorn master before ready)\n{result['import_app']}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    # An interrupted run (SIGTERM, SIGHUP, Ctrl-C) stops every server and browser it started.
    with stopping_everything():
        sys.exit(main())
