"""The composite index: server time of recomputing it with its 1,000-draw Monte Carlo, and a weight change
beside the map to the map drawn, in headless Chromium.

    python -m bench.index [--quick]        (starts its own gunicorn; `python -m bench` runs it too)

- server: the index view's callback (dashboard/views/index.py `update_results`: the index, its ranks and
  the Monte Carlo over every unit with an index) replayed over loopback for methods each new to the
  workers' caches: the issue's example ("housing + work + health, housing twice as heavy", 2,172 units
  with an index: housing is Swiss only) with the housing weight stepped, and an index of demography and
  remoteness that every unit has (17,723 units), both normalisations and aggregations drawn in turn;
  `index_server_ms` is the latter (the issue's target: all units), `index_example_server_ms` the former;
- browser: the map showing the index, a weight typed into the box beside the map and Enter pressed
  (performance.now() in the page just before the key) to timing().drawnAt of the next paint of the index;
  `index_weight_to_map_ms`.
"""

from __future__ import annotations

import argparse
import json
import sys
from urllib.parse import quote

from bench.support import Client, log, summary

UPDATE = "/_dash-update-component"
HOUSING_WORK_HEALTH = (
    "vacancy_rate",
    "new_dwellings_per_1000",
    "employment_rate",
    "unemployment_rate",
    "jobs",
    "jobs_primary_pct",
    "social_assistance_rate",
    "dist_hospital_km",
)
ALL_UNITS = ("population", "density", "pop_change_pa", "dist_hospital_km", "dist_city_km", "dist_fua_km")
METHODS = (("minmax", "arithmetic"), ("zscore", "arithmetic"), ("percentile", "geometric"), ("minmax", "geometric"))


def example_query(housing: float = 2.0, norm: str = "minmax", agg: str = "arithmetic", view: str = "index") -> str:
    """The issue's example as a URL query (weights per field, housing `housing` times as heavy)."""
    q = f"?view={view}&indicator=index:score&ix={','.join(HOUSING_WORK_HEALTH)}&ixw=field&ixwt=housing:{housing:g}"
    return q + (f"&ixn={norm}" if norm != "minmax" else "") + (f"&ixa={agg}" if agg != "arithmetic" else "")


def all_units_query(weight: float, norm: str, agg: str) -> str:
    q = f"?view=index&indicator=index:score&ix={','.join(ALL_UNITS)}&ixwt=population:{weight:g}"
    return q + (f"&ixn={norm}" if norm != "minmax" else "") + (f"&ixa={agg}" if agg != "arithmetic" else "")


def _results_body(key: str) -> dict:
    from dashboard import ids

    return {
        "output": f"{ids.INDEX_RESULTS}.children",
        "outputs": {"id": ids.INDEX_RESULTS, "property": "children"},
        "inputs": [
            {"id": ids.INDEX_KEY, "property": "data", "value": key},
            {"id": ids.UPLOADS, "property": "data", "value": None},
        ],
        "changedPropIds": [f"{ids.INDEX_KEY}.data"],
        "state": [],
    }


def server(url: str, quick: bool) -> dict:
    """Replay the index view's callback for methods new to the caches; return the times and any errors."""
    client = Client(url)
    steps = 12 if quick else 40
    rows: dict[str, list[float]] = {"example": [], "all_units": []}
    errors = []
    for n in range(steps):
        norm, agg = METHODS[n % len(METHODS)]
        weight = 1.5 + 0.05 * n  # a weight not asked for before: a new method, computed afresh
        for kind, query in (
            ("example", example_query(weight, norm, agg)),
            ("all_units", all_units_query(weight, norm, agg)),
        ):
            response = client.request("POST", UPDATE, json.dumps(_results_body(query)).encode())
            if response["status"] != 200:
                errors.append(f"{kind}: HTTP {response['status']}")
            rows[kind].append(response["ms"])
    client.close()
    return {"ms": rows, "errors": errors}


def browser_run(chromium, url: str, runs: int) -> dict:
    """A fresh page with the index on the map; `runs` weight changes beside the map, each to the map drawn."""
    from bench.harness import wait_for_map

    context = chromium.new_context(viewport={"width": 1500, "height": 950})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url + example_query(view="map").replace("?view=map&", "?"))
    wait_for_map(page)
    box = page.locator("#index-map-parts label:has-text('Housing') input")
    box.wait_for(timeout=60_000)
    page.wait_for_function("() => (window.atlasMap.timing() || {}).key?.startsWith('index:score|')", timeout=60_000)
    times, payload = [], []
    for n in range(runs):
        page.wait_for_timeout(600)
        weight = f"{2.5 + 0.5 * n:g}"
        box.fill(weight)
        before = page.evaluate(
            "() => { window.__indexT0 = performance.now();"
            " return document.getElementById('atlas-map').dataset.paintSeq; }"
        )
        box.press("Enter")
        page.wait_for_function(
            """seq => { const el = document.getElementById('atlas-map'); const tm = window.atlasMap.timing();
                return el.dataset.paintSeq !== seq && tm && tm.drawnAt && tm.drawnAt > window.__indexT0
                       && tm.key.startsWith('index:score|'); }""",
            arg=before,
            timeout=60_000,
        )
        if f"housing:{quote(weight)}" not in page.url and f"housing:{weight}" not in page.url:
            errors.append(f"the URL did not take the weight {weight}")
        times.append(page.evaluate("() => window.atlasMap.timing().drawnAt - window.__indexT0"))
        payload.append(page.evaluate("() => window.atlasMap.timing().startedAt - window.__indexT0"))
    context.close()
    return {"ms": times, "payload_ms": payload, "errors": errors}


def figures(server_rows: dict, browser_rows: dict | None) -> dict:
    out = {
        "index_server_ms": summary(server_rows["ms"]["all_units"], 1, p95=True),
        "index_example_server_ms": summary(server_rows["ms"]["example"], 1, p95=True),
    }
    if browser_rows is not None:
        out["index_weight_to_map_ms"] = summary(browser_rows["ms"], 1, p95=True)
        out["index_weight_to_payload_ms"] = summary(browser_rows["payload_ms"], 1)
    return out


def measure(url: str, chromium, quick: bool) -> dict:
    log("composite index: the view's callback with its Monte Carlo, and a weight change to the map drawn")
    rows = server(url, quick)
    browser_rows = browser_run(chromium, url, 3 if quick else 8) if chromium is not None else None
    return {
        "figures": figures(rows, browser_rows),
        "errors": rows["errors"] + (browser_rows["errors"] if browser_rows else []),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.index")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from bench.harness import CHROMIUM, CHROMIUM_ARGS, Server, stopping_everything
    from bench.support import build_folder

    with stopping_everything(), Server("app:server", 2, build_folder()) as atlas, sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        result = measure(atlas.url, chromium, args.quick)
        chromium.close()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
