"""Browser benchmarks in headless Chromium: indicator switch, first load, geometry and cache, against the naive app.

    python -m bench.browser [--runs N] [--switches N] [--quick] [--trace FILE]

Both apps run under gunicorn on loopback (2 workers, --preload) and are measured in the same run, each page in
a fresh browser context (cold HTTP cache), 1500x950, WebGL through SwiftShader.

Atlas (assets/atlas-map.js, window.atlasMap):
- first load: marks().firstDrawn, ms from navigation start to the first idle map with a payload painted;
- geometry bytes: transferSize of the /data/ requests (resource timing of the page and of MapLibre's workers,
  which fetch the GeoJSON), and the same after a reload in the same context (the files are immutable: 0 bytes);
- a switch: performance.now() in the page, then dash_clientside.set_props on control-indicator (exactly a
  person's choice); click-to-drawn = timing().drawnAt of the paint whose key has the new indicator minus that
  moment; JS work = timing().jsMs; paint-to-drawn = timing().drawnMs;
- the floor: a no-change repaint (map.triggerRepaint() then map.once('idle')), measured before each switch
  after the same settling pause. "flushed" variants read one pixel back after the idle event, which waits
  until SwiftShader has rasterised the frame: the time a person waits for the pixels, not only for the JS.
- main-thread script time per switch: CDP Performance.getMetrics ScriptDuration before and after.
- a hover: the pointer moved onto another unit (Playwright's mouse, a real mousemove); pointer-to-outline =
  from that event's timestamp to outlineTiming().drawnAt, the map's idle after the outline of the hovered unit
  is drawn; "flushed" reads a pixel back after it, as above.
Naive (bench/naive_app.py, plotly Choroplethmap): first load = navigation start to the first idle MapLibre
map holding the choropleth; a switch = set_props on its dropdown to the plotly_afterplot of the new figure
and the map's next idle after it.

Requests leaving 127.0.0.1 are counted (the page is not routed through Playwright, which would disable the
HTTP cache the reload test needs). The first run also records the real _dash-update-component requests for
bench.callbacks and bench.load to replay: every request of its first switch (no unit selected: the state
callback, then the map callback); every request of a click on a unit (state, map, profile) and, with that
unit selected, every request of a switch (state, map and profile: the "switch with a profile open"); and the
compare callback of the compare tab.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import sys
import time

from bench.harness import js, stopping_everything
from bench.support import Server, launch_chromium, log, summary

VIEWPORT = {"width": 1500, "height": 950}
SETTLE_S = 0.5  # longer than MapLibre's 300 ms placement window: a repaint is then one frame
UPDATE = "/_dash-update-component"
PROFILE_UNIT = "AT_70101"  # Innsbruck

# The page scripts (bench/js/): reading one pixel back waits until SwiftShader has rasterised the frame.
FLUSH_JS = js("flush")

ATLAS_JS = FLUSH_JS + js("atlas")

NAIVE_JS = FLUSH_JS + js("naive")


def switch_sequence(catalogue_ids: list[str], start: str, seed: int = 4) -> list[str]:
    """Return every indicator but `start`, in a fixed shuffled order: a representative mix of switches."""
    ids = [i for i in catalogue_ids if i != start]
    random.Random(seed).shuffle(ids)
    return ids


def _indicators() -> tuple[list[str], dict[str, str]]:
    """Return the indicators that have values (catalogue order) and their English labels, from the build."""
    import pandas as pd

    from bench.support import build_folder

    folder = build_folder()
    catalogue = pd.read_parquet(folder / "catalogue.parquet")
    values = pd.read_parquet(folder / "indicators.parquet", columns=["indicator"])
    present = set(values["indicator"].unique())
    ids = [i for i in catalogue["id"] if i in present]
    return ids, dict(zip(catalogue["id"], catalogue["label_en"]))


class Recorder:
    """Requests of one browser context: sizes of finished ones, anything that left 127.0.0.1, callback bodies."""

    def __init__(self, context, base_url: str):
        self.base_url = base_url
        self.finished: list[dict] = []
        self.outside: list[str] = []
        self.posts: list[dict] = []
        self.pending = 0  # callback requests sent and not yet answered (or failed)
        context.on("request", self._request)
        context.on("requestfinished", self._finished)
        context.on("requestfailed", self._failed)

    def _request(self, request) -> None:
        if not request.url.startswith((self.base_url, "data:", "blob:")):
            self.outside.append(request.url)
        if request.method == "POST" and UPDATE in request.url:
            self.pending += 1
            try:
                self.posts.append({"url": request.url, "post": json.loads(request.post_data or "{}")})
            except ValueError:
                self.posts.append({"url": request.url, "post": {}})

    def _failed(self, request) -> None:
        if request.method == "POST" and UPDATE in request.url:
            self.pending -= 1

    def _finished(self, request) -> None:
        try:
            sizes = request.sizes()
        except Exception:  # a request of a closed page has no sizes any more
            sizes = {}
        row = {
            "url": request.url,
            "method": request.method,
            "body": sizes.get("responseBodySize", 0),
            "headers": sizes.get("responseHeadersSize", 0),
            "timing": request.timing,
        }
        if request.method == "POST" and UPDATE in request.url:
            self.pending -= 1
            try:
                row["post"] = json.loads(request.post_data or "{}")
            except ValueError:
                row["post"] = {}
        self.finished.append(row)

    def mark(self) -> int:
        return len(self.finished)

    def since(self, mark: int) -> list[dict]:
        return self.finished[mark:]


def _data_transfer(page) -> dict:
    """Return transferSize of the /data/ resources, from the page and its workers (MapLibre fetches the GeoJSON
    in a worker), with when each was requested and received in ms since the page's navigation start."""
    script = js("data_transfer")
    origin = page.evaluate("performance.timeOrigin")
    entries = list(page.evaluate(script))
    for worker in page.workers:
        with contextlib.suppress(Exception):  # a worker that has ended has nothing to report
            entries += worker.evaluate(script)
    seen = {}
    for name, transfer, encoded, start, end in entries:
        seen[name.rsplit("/", 1)[1]] = {
            "transfer": transfer,
            "encoded": encoded,
            "start_ms": round(start - origin),
            "end_ms": round(end - origin),
        }
    return {
        "files": seen,
        "transfer_bytes": sum(f["transfer"] for f in seen.values()),
        "encoded_bytes": sum(f["encoded"] for f in seen.values()),
    }


def _wait_data(page, files: int = 3, timeout_s: float = 60) -> dict:
    """Return _data_transfer once the page and its workers have fetched `files` /data/ files."""
    deadline = time.time() + timeout_s
    while True:
        data = _data_transfer(page)
        if len(data["files"]) >= files or time.time() > deadline:
            return data
        page.wait_for_timeout(100)


def _classify_post(post: dict) -> str | None:
    """Return which callback a _dash-update-component body is for (bench.callbacks.callback_kind)."""
    from bench.callbacks import callback_kind, id_names

    return callback_kind(post, id_names()) if post else None


def _wait_post(page, recorder: Recorder, kind: str, since: int, timeout_s: float = 60) -> dict:
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        for row in recorder.posts[since:]:
            if _classify_post(row["post"]) == kind:
                return row
        page.wait_for_timeout(50)  # (sync Playwright delivers events only inside its own calls)
    raise RuntimeError(f"no {kind} callback request within {timeout_s:.0f} s")


def atlas_run(
    browser,
    url: str,
    switches: list[str],
    reload: bool,
    capture: bool,
    trace: str | None = None,
    reload_drawn: bool = True,
    hovers: int = 0,
) -> dict:
    """One fresh context: first load, switches with repaint floors, optionally reload and callback capture."""
    from bench.harness import wait_for_map

    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(ATLAS_JS)
    recorder = Recorder(context, url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    result: dict = {"switches": [], "repaints": []}
    try:
        page.goto(url + "/", wait_until="commit")
        wait_for_map(page, "foreign_pct|latest", timeout=120_000)
        result["marks"] = page.evaluate("window.atlasMap.marks()")
        result["first_drawn_ms"] = result["marks"]["firstDrawn"]
        result["data"] = _data_transfer(page)
        result["data_playwright_bytes"] = sum(
            r["body"] + r["headers"] for r in recorder.finished if "/data/" in r["url"]
        )
        result["first_load_bytes"] = sum(r["body"] + r["headers"] for r in recorder.finished)
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        for n, indicator in enumerate(switches):
            page.wait_for_timeout(SETTLE_S * 1000)
            result["repaints"].append(page.evaluate("window.__bench.repaint()"))
            page.wait_for_timeout(SETTLE_S * 1000)
            before = _metrics(cdp)
            mark, post_mark = recorder.mark(), len(recorder.posts)
            if trace and n == 0:
                browser.start_tracing(
                    page=page,
                    path=trace,
                    categories=["devtools.timeline", "toplevel", "disabled-by-default-devtools.timeline"],
                )
            row = page.evaluate("i => window.__bench.switchTo(i)", indicator)
            if trace and n == 0:
                browser.stop_tracing()
            after = _metrics(cdp)
            row["indicator"] = indicator
            row["scriptMs"] = (after["ScriptDuration"] - before["ScriptDuration"]) * 1000
            row["taskMs"] = (after["TaskDuration"] - before["TaskDuration"]) * 1000
            page.wait_for_timeout(300)  # the last responses' sizes arrive with requestfinished
            requests = recorder.since(mark)
            row["requests"] = [
                {
                    "kind": _classify_post(r.get("post", {})) or r["url"].rsplit("/", 1)[1][:40],
                    "callback": "post" in r,
                    "body": r["body"],
                    "headers": r["headers"],
                }
                for r in requests
            ]
            if capture and n == 0:
                result["captured"] = _switch_capture(page, recorder, post_mark)
            result["switches"].append(row)
        result["hovers"] = _hovers(page, hovers)
        if reload:
            page.wait_for_timeout(SETTLE_S * 1000)
            mark = recorder.mark()
            page.reload(wait_until="commit")
            if reload_drawn:
                wait_for_map(page, None, timeout=120_000)
                result["reload_first_drawn_ms"] = page.evaluate("window.atlasMap.marks().firstDrawn")
            result["reload_data"] = _wait_data(page)
            result["reload_data_playwright_bytes"] = sum(
                r["body"] + r["headers"] for r in recorder.since(mark) if "/data/" in r["url"]
            )
        if capture:
            result.setdefault("captured", {}).update(_capture_unit_and_compare(page, recorder))
    finally:
        result["outside"] = list(recorder.outside)
        result["errors"] = errors
        context.close()
    return result


def _hovers(page, count: int) -> list[dict]:
    """Move the pointer onto `count` different units along the middle of the map; time each outline."""
    box = page.locator("#atlas-map canvas").first.bounding_box()
    rows: list[dict] = []
    last = None
    for k in range(count * 3):
        if len(rows) == count:
            break
        page.wait_for_timeout(SETTLE_S * 1000)
        x = box["x"] + box["width"] * (0.25 + 0.5 * k / (count * 3))
        y = box["y"] + box["height"] * (0.35 + 0.3 * ((k * 7) % 5) / 5)
        page.mouse.move(x, y)
        page.wait_for_timeout(50)
        unit = page.evaluate("window.atlasMap.emphasised('hover')[0]")
        if unit is None or unit == last:
            continue  # outside the units, or the same unit again
        row = page.evaluate("window.__bench.hovered()")
        if row:
            rows.append(row)
            last = unit
    page.mouse.move(box["x"] + 2, box["y"] + 2)
    return rows


QUIET_S = 1.0  # no new callback request for this long after the last answer: the action is complete


def _wait_quiet(page, recorder: Recorder, mark: int, quiet_s: float = QUIET_S, timeout_s: float = 60) -> list[dict]:
    """Return every callback request sent since `mark` once all of them are answered and no new one has
    been sent for `quiet_s` (Dash sends a callback's dependants only after its answer, so a chain ends when
    the page stays quiet)."""
    deadline = time.time() + timeout_s
    seen, quiet_since = -1, time.time()
    while time.time() < deadline:
        posts = recorder.posts[mark:]
        if len(posts) != seen or recorder.pending > 0:
            seen, quiet_since = len(posts), time.time()
        elif time.time() - quiet_since >= quiet_s:
            return [row["post"] for row in posts]
        page.wait_for_timeout(50)
    raise RuntimeError(f"callback requests still coming after {timeout_s:.0f} s")


def _switch_capture(page, recorder: Recorder, mark: int) -> dict:
    """Return every callback request of the switch that began at `mark`, in the order the browser sent them
    (with no unit selected: the state callback, then the map callback), and the state and map requests."""
    out = {kind: _wait_post(page, recorder, kind, mark)["post"] for kind in ("state", "map")}
    out["switch"] = _wait_quiet(page, recorder, mark)
    return out


def _capture_unit_and_compare(page, recorder: Recorder) -> dict:
    """On the loaded page (map tab, no unit selected): click a unit (what the map script sends), then switch
    the indicator with that unit selected, then open the compare tab; return the requests of each."""
    from dashboard import ids

    page.wait_for_function(
        "t => window.dash_clientside && window.dash_clientside.set_props && document.getElementById(t)",
        arg=ids.TABS,
        timeout=120_000,
    )
    out: dict = {}
    _wait_quiet(page, recorder, len(recorder.posts))
    mark = len(recorder.posts)
    page.evaluate("([s, u]) => window.dash_clientside.set_props(s, {data: u})", [ids.SELECTED, PROFILE_UNIT])
    out["profile_unit"] = _wait_post(page, recorder, "profile", mark)["post"]
    out["unit_click"] = _wait_quiet(page, recorder, mark)
    current = page.evaluate("() => new URLSearchParams(location.search).get('indicator') || 'foreign_pct'")
    target = next(i for i in ("share_65plus", "population", "density") if i != current)
    mark = len(recorder.posts)
    page.evaluate("i => window.dash_clientside.set_props('control-indicator', {value: i})", target)
    _wait_post(page, recorder, "profile", mark)
    out["switch_profile"] = _wait_quiet(page, recorder, mark)
    mark = len(recorder.posts)
    page.evaluate("t => window.dash_clientside.set_props(t, {value: 'compare'})", ids.TABS)
    out["compare"] = _wait_post(page, recorder, "compare", mark)["post"]
    _wait_quiet(page, recorder, mark)
    return out


def _metrics(cdp) -> dict:
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


def naive_run(browser, url: str, switches: list[str], labels: dict[str, str], capture: bool) -> dict:
    """One fresh context on the naive app: first load to drawn, then switches."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(NAIVE_JS)
    recorder = Recorder(context, url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    result: dict = {"switches": []}
    try:
        page.goto(url + "/", wait_until="commit")
        page.wait_for_function("() => window.__naive && window.__naive.firstDrawn !== null", timeout=300_000)
        result["first_drawn_ms"] = page.evaluate("window.__naive.firstDrawn")
        page.wait_for_timeout(300)
        result["first_load_bytes"] = sum(r["body"] + r["headers"] for r in recorder.finished)
        result["layout_bytes"] = sum(r["body"] + r["headers"] for r in recorder.finished if "_dash-layout" in r["url"])
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        for n, indicator in enumerate(switches):
            page.wait_for_timeout(SETTLE_S * 1000)
            before = _metrics(cdp)
            mark = recorder.mark()
            row = page.evaluate("([i, l]) => window.__naive.switchTo(i, l)", [indicator, labels[indicator]])
            after = _metrics(cdp)
            row["indicator"] = indicator
            row["scriptMs"] = (after["ScriptDuration"] - before["ScriptDuration"]) * 1000
            row["taskMs"] = (after["TaskDuration"] - before["TaskDuration"]) * 1000
            page.wait_for_timeout(300)
            requests = recorder.since(mark)
            row["bytes"] = sum(r["body"] + r["headers"] for r in requests)
            posts = [r for r in requests if r.get("post")]
            row["server_ms"] = [
                r["timing"]["responseStart"] - r["timing"]["requestStart"] for r in posts if r.get("timing")
            ]
            if capture and n == 0 and posts:
                result["captured"] = {"naive": posts[0]["post"]}
            result["switches"].append(row)
    finally:
        result["outside"] = list(recorder.outside)
        result["errors"] = errors
        context.close()
    return result


def measure(
    browser,
    atlas_url: str,
    naive_url: str | None,
    runs: int,
    switches: int | list[int],
    naive_runs: int,
    naive_switches: int,
    reload_runs: int = 1,
    reload_drawn: bool = True,
    trace: str | None = None,
    hovers: int = 4,
) -> dict:
    """Run the atlas (and naive) browser benchmarks; return raw rows and the summarised figures.

    `switches` is the number of switches per atlas page, or a list with one number per run.
    """
    ids, labels = _indicators()
    sequence = switch_sequence(ids, "foreign_pct")
    per_run = switches if isinstance(switches, list) else [switches] * runs
    atlas_rows, naive_rows = [], []
    done = 0
    for r, count in enumerate(per_run):
        targets = [sequence[(done + j) % len(sequence)] for j in range(count)]
        done += count
        log(f"  atlas browser run {r + 1}/{len(per_run)}: first load, {count} switches")
        atlas_rows.append(
            atlas_run(
                browser,
                atlas_url,
                targets,
                reload=r < reload_runs,
                capture=r == 0,
                trace=trace if r == 0 else None,
                reload_drawn=reload_drawn,
                hovers=hovers,
            )
        )
    if naive_url:
        for r in range(naive_runs):
            targets = [sequence[(r * naive_switches + j) % len(sequence)] for j in range(naive_switches)]
            log(f"  naive browser run {r + 1}/{naive_runs}: first load, {naive_switches} switches")
            naive_rows.append(naive_run(browser, naive_url, targets, labels, capture=r == 0))
    return {"atlas": atlas_rows, "naive": naive_rows, "figures": figures(atlas_rows, naive_rows)}


def figures(atlas_rows: list[dict], naive_rows: list[dict]) -> dict:
    """Return the summarised figures of the browser runs."""
    sw = [s for r in atlas_rows for s in r["switches"]]
    rp = [p for r in atlas_rows for p in r["repaints"]]
    same = [s for s in sw if not s["paletteChanged"]]
    changed = [s for s in sw if s["paletteChanged"]]
    out = {
        "switch_js_ms": summary([s["js"] for s in sw]),
        "switch_click_to_drawn_ms": summary([s["click"] for s in sw]),
        "switch_click_to_payload_ms": summary([s["toPaint"] for s in sw]),
        "switch_paint_to_drawn_ms": summary([s["drawn"] for s in sw]),
        "switch_paint_to_drawn_same_palette_ms": summary([s["drawn"] for s in same]),
        "switch_paint_to_drawn_new_palette_ms": summary([s["drawn"] for s in changed]),
        "switch_click_to_drawn_flushed_ms": summary([s["flushedClick"] for s in sw]),
        "switch_paint_to_drawn_flushed_ms": summary([s["flushedDrawn"] for s in sw]),
        "switch_paint_to_drawn_flushed_same_palette_ms": summary([s["flushedDrawn"] for s in same]),
        "switch_paint_to_drawn_flushed_new_palette_ms": summary([s["flushedDrawn"] for s in changed]),
        "switch_main_thread_script_ms": summary([s["scriptMs"] for s in sw]),
        "hover_to_outline_ms": summary([h["ms"] for r in atlas_rows for h in r.get("hovers", [])]),
        "hover_to_outline_flushed_ms": summary([h["flushed"] for r in atlas_rows for h in r.get("hovers", [])]),
        "repaint_ms": summary([p["idle"] for p in rp]),
        "repaint_flushed_ms": summary([p["flushed"] for p in rp]),
        "switch_features_changed": summary([s["changed"] for s in sw], 0),
        "switch_palette_changed_share": round(len(changed) / len(sw), 2) if sw else None,
        "first_load_drawn_ms": summary([r["first_drawn_ms"] for r in atlas_rows], 0),
        "first_load_bytes": summary([r["first_load_bytes"] for r in atlas_rows], 0),
        "geometry_bytes": summary([r["data"]["transfer_bytes"] for r in atlas_rows], 0),
        "geometry_bytes_playwright": summary([r["data_playwright_bytes"] for r in atlas_rows], 0),
        "reload_geometry_bytes": summary(
            [r["reload_data"]["transfer_bytes"] for r in atlas_rows if "reload_data" in r], 0
        ),
        "reload_geometry_bytes_playwright": summary(
            [r["reload_data_playwright_bytes"] for r in atlas_rows if "reload_data" in r], 0
        ),
        "reload_first_drawn_ms": summary(
            [r["reload_first_drawn_ms"] for r in atlas_rows if "reload_first_drawn_ms" in r], 0
        ),
        "first_load_steps_ms": {
            step: summary([r["marks"].get(step) for r in atlas_rows], 0)
            for step in ("init", "index", "style", "units", "firstDrawn")
        }
        | {
            "units_file_received": summary(
                [
                    next((f["end_ms"] for n, f in r["data"]["files"].items() if n.startswith("units.")), None)
                    for r in atlas_rows
                ],
                0,
            ),
        },
        "browser_switch_response_bytes": summary(
            [sum(q["body"] + q["headers"] for q in s["requests"] if q["callback"]) for s in sw],
            0,
        ),
        "browser_switch_all_bytes": summary([sum(q["body"] + q["headers"] for q in s["requests"]) for s in sw], 0),
        "outside_requests": sum(len(r["outside"]) for r in atlas_rows),
        "page_errors": sum(len(r["errors"]) for r in atlas_rows),
    }
    if sw and rp:
        floor = out["repaint_ms"]["median"]
        floor_flushed = out["repaint_flushed_ms"]["median"]
        out["switch_paint_to_drawn_vs_repaint"] = round(out["switch_paint_to_drawn_ms"]["median"] / floor, 2)
        out["switch_click_to_drawn_vs_repaint"] = round(out["switch_click_to_drawn_ms"]["median"] / floor, 2)
        out["switch_flushed_paint_to_drawn_vs_repaint_flushed"] = round(
            out["switch_paint_to_drawn_flushed_ms"]["median"] / floor_flushed, 2
        )
        if same:
            out["switch_flushed_same_palette_vs_repaint_flushed"] = round(
                out["switch_paint_to_drawn_flushed_same_palette_ms"]["median"] / floor_flushed, 2
            )
        out["switch_flushed_click_to_drawn_vs_repaint_flushed"] = round(
            out["switch_click_to_drawn_flushed_ms"]["median"] / floor_flushed, 2
        )
    if naive_rows:
        nsw = [s for r in naive_rows for s in r["switches"]]
        out["naive"] = {
            "switch_click_to_drawn_ms": summary([s["click"] for s in nsw], 0),
            "switch_afterplot_ms": summary([s["afterplot"] for s in nsw], 0),
            "switch_click_to_drawn_flushed_ms": summary([s["flushedClick"] for s in nsw], 0),
            "switch_main_thread_script_ms": summary([s["scriptMs"] for s in nsw], 0),
            "switch_bytes": summary([s["bytes"] for s in nsw], 0),
            "switch_server_ms": summary([ms for s in nsw for ms in s["server_ms"]], 0),
            "first_load_drawn_ms": summary([r["first_drawn_ms"] for r in naive_rows], 0),
            "first_load_bytes": summary([r["first_load_bytes"] for r in naive_rows], 0),
            "layout_bytes": summary([r["layout_bytes"] for r in naive_rows], 0),
            "outside_requests": sum(len(r["outside"]) for r in naive_rows),
            "page_errors": sum(len(r["errors"]) for r in naive_rows),
        }
    return out


def capture(browser, atlas_url: str, naive_url: str | None = None) -> dict:
    """Record the callback requests of a switch, of compare and of a profile (and of the naive app's switch)."""
    from bench.harness import wait_for_map

    context = browser.new_context(viewport=VIEWPORT)
    recorder = Recorder(context, atlas_url)
    page = context.new_page()
    out: dict = {}
    try:
        page.goto(atlas_url + "/", wait_until="commit")
        wait_for_map(page, "foreign_pct|latest", timeout=120_000)
        mark = len(recorder.posts)
        page.evaluate("() => window.dash_clientside.set_props('control-indicator', {value: 'population'})")
        wait_for_map(page, "population|", timeout=120_000)
        out.update(_switch_capture(page, recorder, mark))
        out.update(_capture_unit_and_compare(page, recorder))
    finally:
        context.close()
    if naive_url:
        context = browser.new_context(viewport=VIEWPORT)
        recorder = Recorder(context, naive_url)
        page = context.new_page()
        try:
            page.goto(naive_url + "/", wait_until="commit")
            page.wait_for_selector("#naive-map .js-plotly-plot", timeout=300_000)
            page.evaluate("() => window.dash_clientside.set_props('indicator', {value: 'population'})")
            out["naive"] = _wait_post(page, recorder, "naive", 0)["post"]
        finally:
            context.close()
    return out


def captured(result: dict) -> dict:
    """Return the callback requests recorded by the first runs (for bench.callbacks)."""
    out = dict(result["atlas"][0].get("captured", {}))
    if result["naive"]:
        out.update(result["naive"][0].get("captured", {}))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.browser")
    parser.add_argument("--runs", type=int, default=5, help="fresh page loads of the atlas (default 5)")
    parser.add_argument("--switches", type=int, default=6, help="indicator switches per atlas page (default 6)")
    parser.add_argument("--naive-runs", type=int, default=3)
    parser.add_argument("--naive-switches", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="2 atlas loads x 3 switches, 1 naive load x 2 switches")
    parser.add_argument("--no-naive", action="store_true")
    parser.add_argument("--trace", help="write a Chrome trace of the first atlas switch to this file")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.switches, args.naive_runs, args.naive_switches = 2, 3, 1, 2
    from playwright.sync_api import sync_playwright

    with Server("app:server") as atlas, sync_playwright() as p:
        naive = None if args.no_naive else Server("bench.naive_app:server")
        try:
            browser = launch_chromium(p)
            result = measure(
                browser,
                atlas.url,
                naive.url if naive else None,
                args.runs,
                args.switches,
                args.naive_runs,
                args.naive_switches,
                trace=args.trace,
            )
            browser.close()
        finally:
            if naive:
                naive.stop(kill=True)
    figs = result["figures"]
    for key, value in figs.items():
        if isinstance(value, dict) and "median" in value:
            print(f"{key:48} {value['median']!s:>10} {value['min']!s:>10} {value['max']!s:>10}")
        elif not isinstance(value, dict):
            print(f"{key:48} {value!s:>10}")
    for key, value in figs.get("naive", {}).items():
        if isinstance(value, dict):
            print(f"naive {key:42} {value['median']!s:>10} {value['min']!s:>10} {value['max']!s:>10}")
        else:
            print(f"naive {key:42} {value!s:>10}")
    print(json.dumps({"figures": figs, "switches": [s for r in result["atlas"] for s in r["switches"]]}))
    return 0


if __name__ == "__main__":
    # An interrupted run (SIGTERM, SIGHUP, Ctrl-C) stops every server and browser it started.
    with stopping_everything():
        sys.exit(main())
