"""The figure table of `python -m bench` as data: every figure's key, name, unit and target, in table order.

`bench.__main__.compose` only measures: it hands each figure's summary to `row(key, ...)`, which takes the
name, unit and target from `FIGURES` and judges the target with `Target.met`. A name may hold a `{field}`
filled from the run (the callbacks of a switch, the number of users); a key with `{part}` stands for one row
per part (one per callback). Changing a target or a name is a change of this table alone.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass

_OPS = {"<=": operator.le, ">=": operator.ge, "==": operator.eq}


@dataclass(frozen=True)
class Target:
    """A target as shown (`text`) and as judged: `stat` of the summary `op` `bound`.

    `stat` is a key of the summary ("median", "p95", "max"). The verdict is False when that value is missing,
    or None (unknown) when `unknown_without_runs` and the summary has no runs. Targets that need more than
    one summary (the ratio to the naive app, the memory growth over a load test) are judged by `compose`
    itself and only described here (`stat` None).
    """

    text: str
    stat: str | None = None
    op: str = "<="
    bound: float = 0.0
    unknown_without_runs: bool = False

    def met(self, summary: dict | None) -> bool | None:
        """Return whether `summary` meets the target (None: unknown)."""
        if self.stat is None:
            raise ValueError(f"target {self.text!r} is judged by compose, not from one summary")
        summary = summary or {}
        if self.unknown_without_runs and not summary.get("runs"):
            return None
        value = summary.get(self.stat)
        return value is not None and bool(_OPS[self.op](value, self.bound))


@dataclass(frozen=True)
class Figure:
    """One row of the table: `key` in the JSON, `name` as shown (may hold {fields}), `unit`, `target`."""

    key: str
    name: str
    unit: str
    target: Target | None = None
    better: str = "lower"  # how the ratio to the naive app is taken: naive ÷ atlas when lower is better


KB = 1e3
MB = 1e6
RATIO_TO_REPAINT = Target("≤ 1.3", "median", "<=", 1.3)
SERVER_TIME = Target("p95 ≤ 20", "p95", "<=", 20)
NONE_AT_ALL = Target("= 0", "median", "==", 0)

FIGURES: list[Figure] = [
    # 1. The switch in the browser.
    Figure("switch_js_ms", "switch: JS work (timing().jsMs)", "ms", Target("≤ 100", "max", "<=", 100)),
    Figure("switch_click_to_drawn_ms", "switch: click to frame drawn", "ms", Target("≥ 4× faster than naive")),
    Figure("switch_click_to_payload_ms", "switch: click to payload in the page (2 round trips)", "ms"),
    Figure("switch_paint_to_drawn_ms", "switch: payload to frame drawn (drawnMs)", "ms"),
    Figure("switch_paint_to_drawn_same_palette_ms", "  same colours as before", "ms"),
    Figure("switch_paint_to_drawn_new_palette_ms", "  new colours (palette changed)", "ms"),
    Figure("repaint_ms", "no-change repaint (triggerRepaint → idle)", "ms"),
    Figure("switch_drawn_vs_repaint", "switch drawn ÷ no-change repaint (payload → drawn)", "×", RATIO_TO_REPAINT),
    Figure("switch_click_vs_repaint", "switch drawn ÷ no-change repaint (click → drawn)", "×", RATIO_TO_REPAINT),
    Figure("switch_paint_to_drawn_flushed_ms", "switch: payload to pixels rasterised (readPixels)", "ms"),
    Figure("switch_paint_to_drawn_flushed_same_palette_ms", "  same colours as before", "ms"),
    Figure("switch_paint_to_drawn_flushed_new_palette_ms", "  new colours", "ms"),
    Figure("repaint_flushed_ms", "no-change repaint to pixels rasterised", "ms"),
    Figure(
        "switch_drawn_vs_repaint_flushed", "switch ÷ repaint, both to pixels (payload → pixels)", "×", RATIO_TO_REPAINT
    ),
    Figure("switch_same_palette_vs_repaint_flushed", "  the same, switches that kept their colours", "×"),
    Figure("switch_click_to_drawn_flushed_ms", "switch: click to pixels rasterised", "ms"),
    Figure("switch_main_thread_script_ms", "switch: main-thread script time (CDP)", "ms"),
    Figure("hover_to_outline_ms", "hover: pointer onto a unit to its outline drawn", "ms"),
    Figure("hover_to_outline_flushed_ms", "  to pixels rasterised", "ms"),
    # 3. Server time and bytes of a switch.
    Figure("switch_server_ms", "switch: server time, its callbacks together ({callbacks})", "ms", SERVER_TIME),
    Figure("switch_server_{part}_ms", "  {part} callback", "ms", SERVER_TIME),
    Figure("switch_server_first_pass_ms", "  all together, first pass (cold caches)", "ms"),
    Figure("switch_kb", "switch: response bytes, compressed (br)", "KB", Target("≤ 60 (max)", "max", "<=", 60 * KB)),
    Figure("switch_{part}_kb", "  {part} callback", "KB"),
    Figure("switch_browser_kb", "  callbacks as the browser received them (zstd, headers)", "KB"),
    Figure("switch_browser_all_kb", "  every request of a switch in the browser", "KB"),
    # 3b. The same switch with a unit selected (its profile open): the profile callback runs too.
    Figure("profile_switch_server_ms", "switch with a profile open: server time ({callbacks})", "ms"),
    Figure("profile_switch_server_{part}_ms", "  {part} callback", "ms"),
    Figure("profile_switch_kb", "switch with a profile open: response bytes (br)", "KB"),
    # 4. First load.
    Figure("first_load_drawn_ms", "first load: navigation to map drawn", "ms", Target("≤ 4500", "median", "<=", 4500)),
    Figure("geometry_mb", "first load: geometry transferred (/data/)", "MB", Target("≤ 3.5", "max", "<=", 3.5 * MB)),
    Figure("first_load_mb", "first load: every byte transferred", "MB"),
    Figure(
        "reload_geometry_bytes",
        "reload in the same context: geometry bytes",
        "B",
        Target("= 0", "max", "==", 0, unknown_without_runs=True),
    ),
    Figure("reload_first_drawn_ms", "reload: navigation to map drawn", "ms"),
    Figure("first_load_units_file_ms", "  units GeoJSON received (ms since navigation)", "ms"),
    Figure("first_load_units_ready_ms", "  units source tiled in MapLibre (marks().units)", "ms"),
    Figure("outside_requests", "requests leaving 127.0.0.1 (atlas + naive)", "", NONE_AT_ALL),
    Figure("errors", "page errors and failed replays", "", NONE_AT_ALL),
    # 5. Compare and profile.
    Figure("compare_server_ms", "compare view: server time", "ms", Target("p95 ≤ 300", "p95", "<=", 300)),
    Figure("profile_server_ms", "profile of a unit: server time", "ms", Target("p95 ≤ 50", "p95", "<=", 50)),
    Figure(
        "peers_server_ms",
        "peers of one unit: server time of the peer view's callback",
        "ms",
        Target("p95 ≤ 30", "p95", "<=", 30),
    ),
    Figure("peers_bytes", "  its response (compressed)", "B"),
    Figure("peers_geometry_responses", "  responses carrying geometry", "", NONE_AT_ALL),
    Figure("peers_compute_ms", "  the peer finder alone, in process", "ms"),
    Figure("peers_cold_ms", "  first query, z-matrix cache cold", "ms"),
    Figure(
        "index_server_ms",
        "composite index with 1,000 draws over all units (17,723 ranked): server time",
        "ms",
        Target("p95 ≤ 300", "p95", "<=", 300),
    ),
    Figure("index_example_server_ms", "  the issue's example (2,172 units with an index)", "ms"),
    Figure(
        "index_weight_to_map_ms",
        "composite index: weight typed beside the map to map drawn",
        "ms",
        Target("≤ 400", "median", "<=", 400),
    ),
    Figure("index_weight_to_payload_ms", "  to the new values in the page", "ms"),
    Figure("change_map_server_ms", "change map (e.g. foreign nationals since 2011): server time", "ms"),
    Figure("profile_series_server_ms", "  a profile with its series over time", "ms"),
    Figure("compare_over_time_server_ms", "  Compare with its medians per year", "ms"),
    Figure("api_values_ms", "API: values of one indicator (/api/v1/values), new to the worker", "ms"),
    Figure("api_values_cached_ms", "  asked again (the worker's cache)", "ms"),
    Figure("api_values_bytes", "  the answer for all countries (gzip)", "B"),
    # 6. Start.
    Figure("start_to_ready_s", "gunicorn spawn to /healthz 200 (2 workers)", "s", Target("≤ 3", "max", "<=", 3)),
    # 7. Memory.
    Figure("worker_rss_mb", "worker RSS after traffic", "MB", Target("≤ 400", "max", "<=", 400)),
    Figure("worker_pss_mb", "worker PSS after traffic", "MB"),
    Figure("master_rss_mb", "master RSS", "MB"),
    Figure("master_pss_mb", "master PSS", "MB"),
    Figure("total_pss_mb", "master + workers, PSS", "MB"),
    # 8. Load.
    Figure("load_p95_ms", "load, {users} users: p95 of every request", "ms", Target("p95 ≤ 200", "p95", "<=", 200)),
    Figure("load_errors", "load: errors", "", NONE_AT_ALL),
    Figure("load_rps", "load: requests per second", "/s"),
    Figure(
        "load_rss_growth_mb",
        "load: largest worker RSS {before} → {after} MB, {total:,} requests",
        "MB",
        Target("flat (≤ 5 %) over ≥ 10,000"),  # "flat (≤ 5 %)" in a quick run; judged by compose
    ),
    Figure("capacity_{workers}w", "capacity, {workers} worker(s), no think time: req/s (p95 ms)", "/s"),
    # 9. The data build (a full run, or --with-build).
    Figure("cold_build_s", "data build, cold (bench.build)", "s", Target("≤ 120", "max", "<=", 120)),
    Figure("warm_rebuild_s", "data build, nothing changed", "s", Target("≤ 5", "max", "<=", 5)),
    Figure("build_peak_rss_mb", "data build, peak RSS", "MB"),
    Figure(
        "map_geojson_mb",
        "map geometry of all units as GeoJSON ({gzip_mb} MB gzipped)",
        "MB",
        Target("≤ 8", "median", "<=", 8),
    ),
]

BY_KEY: dict[str, Figure] = {f.key: f for f in FIGURES}
