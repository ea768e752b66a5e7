"""Server time and bytes of the callbacks, replayed from the real browser requests against gunicorn.

    python -m bench.callbacks [--quick] [--passes N] [--units N]

The browser (bench.browser) records every _dash-update-component request of an indicator switch with no
unit selected (the state callback, then the map callback: nothing else asks the server), of a switch with a
unit selected (state, map and the profile callback, whose key then changes), of the compare view and of a
click on a unit. This module replays them over loopback HTTP (Accept-Encoding: br, gzip) with only the
indicator, year or unit changed, the way the page would send them:

- switch: every request of the recorded switch (state + map) for every indicator with a value, each unit's
  latest value and every year of it (about 90 states), shuffled, `--passes` times; time of each callback and
  of all together, and their compressed response bytes (the bytes of one switch);
- switch with a profile open: every request of the recorded switch with a unit selected (state + map +
  profile) for the same states, once, each with a unit drawn with a fixed seed;
- compare: the compare callback for every numeric indicator (box plots, exact bootstrap intervals);
- profile: the profile callback of a click on a unit, for `--units` units drawn with a fixed seed;
- peers: the peer view's callback (dashboard/views/peers.py `update_peers`: the table, the weight inputs and
  the outline positions) for units drawn with a fixed seed from every country, Bolzano/Bozen and Jesenice
  among them, with the default method and with a heavier one (9 indicators, weights, all countries, k 25);
  its request is written here from the callback's declared inputs, as the page sends it;
- naive: the naive app's one callback (the whole figure) for a few indicators.

Times are measured by the client on loopback: server time plus a connection set-up of well under a
millisecond. The first pass meets the app's per-process caches cold (two workers, each with its own).
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
from urllib.parse import parse_qsl, urlencode

from bench.harness import stopping_everything
from bench.support import Client, decode, log, summary

UPDATE = "/_dash-update-component"
KIND_ORDER = {"state": 0, "map": 1, "profile": 2}


def _query(value: str, **changes) -> str:
    """Return the query string `value` with parameters changed (None removes one), in the app's style."""
    params = dict(parse_qsl((value or "").lstrip("?")))
    for name, new in changes.items():
        if new is None:
            params.pop(name, None)
        else:
            params[name] = new
    return "?" + urlencode(params, safe=",") if params else ""


def _set_input(body: dict, component: str, value) -> dict:
    """Return a copy of a captured callback body with the input (or state) `component` set to `value`."""
    out = copy.deepcopy(body)
    found = False
    for group in ("inputs", "state"):
        for item in out.get(group, []):
            if isinstance(item, dict) and item.get("id") == component:
                item["value"] = value
                found = True
    if not found:
        raise KeyError(f"{component} is not an input of the captured callback")
    return out


def _input_value(body: dict, component: str):
    for item in body.get("inputs", []):
        if isinstance(item, dict) and item.get("id") == component:
            return item.get("value")
    raise KeyError(component)


def id_names() -> dict:
    """Return the component ids the replays need (dashboard/ids.py), as plain strings."""
    from dashboard import ids

    return {
        "indicator": ids.INDICATOR,
        "map_key": ids.MAP_KEY,
        "profile_key": ids.PROFILE_KEY,
        "compare_key": ids.COMPARE_KEY,
        "map_payload": ids.MAP_PAYLOAD,
        "profile": ids.PROFILE,
        "selected": ids.SELECTED,
        "tabs": ids.TABS,
        "state": ids.STATE,
        "url": ids.URL,
    }


DEFAULT_INDICATOR = "foreign_pct"  # dashboard.state.State().indicator: what a query without indicator shows


def _from_other_indicator(body: dict, indicator: str, names: dict) -> None:
    """Make the page state a recorded state callback starts from show an indicator other than `indicator`
    (in place): a person never switches to the indicator already shown, and the app answers such a request
    with no update at all."""
    before = None
    for item in body.get("inputs", []):
        if isinstance(item, dict) and item.get("id") == names["url"]:
            before = dict(parse_qsl((item.get("value") or "").lstrip("?"))).get("indicator", DEFAULT_INDICATOR)
    if before != indicator:
        return
    other = "population" if indicator != "population" else DEFAULT_INDICATOR
    views = (names["url"], names["state"], names["map_key"], names["compare_key"])
    for group in ("inputs", "state"):
        for item in body.get(group, []):
            if not isinstance(item, dict) or not isinstance(item.get("value"), str):
                continue  # (a store that has never held a value stays so)
            value = item["value"]
            if item.get("id") in views or (item.get("id") == names["profile_key"] and "unit=" in value):
                item["value"] = _query(value, indicator=other)


def callback_kind(post: dict, names: dict) -> str:
    """Return which callback a _dash-update-component body is for: state, map, profile, compare, naive, or
    the first output's component id for any other callback."""
    inputs = {i.get("id") for i in post.get("inputs", []) if isinstance(i, dict)}
    output = post.get("output", "")
    if names["indicator"] in inputs:
        return "state"
    if f"{names['map_payload']}.data" in output:
        return "map"
    if output.startswith(f"{names['profile']}."):
        return "profile"
    if names["compare_key"] in inputs:
        return "compare"
    if "indicator" in inputs:
        return "naive"
    return output.strip(".").split(".")[0] or "other"


def _with_unit(body: dict, unit: str, names: dict) -> None:
    """Put `unit` in place of the selected unit everywhere in a recorded body (in place): the selection
    store and any other value that names it (the search box), and the `unit` parameter of every query string
    (URL, state, view keys)."""
    items = [i for group in ("inputs", "state") for i in body.get(group, []) if isinstance(i, dict)]
    recorded = next((i.get("value") for i in items if i.get("id") == names["selected"]), None)
    for item in items:
        value = item.get("value")
        if not isinstance(value, str):
            continue
        if recorded and value == recorded:
            item["value"] = unit
        elif "unit=" in value:
            item["value"] = _query(value, unit=unit)


def switch_bodies(
    bodies: list[dict], indicator: str, year: str | None, names: dict, unit: str | None = None
) -> list[tuple[str, dict]]:
    """Return the requests of a switch to (indicator, year), made from the recorded requests of one switch
    (every callback request the browser sent for it, in its order).

    The state callback gets the new indicator as its input (its State values stay those of the page before
    the switch, as in the browser); every other callback gets the view keys the state callback would send.
    With `unit`, a switch recorded with a unit selected is replayed with that unit selected instead.
    """
    out = []
    for body in bodies:
        kind = callback_kind(body, names)
        new = copy.deepcopy(body)
        if unit is not None:
            _with_unit(new, unit, names)
        if kind == "state":
            _from_other_indicator(new, indicator, names)
        for item in new.get("inputs", []):
            if not isinstance(item, dict):
                continue
            component = item.get("id")
            if component == names["indicator"]:
                item["value"] = indicator
            elif kind == "state":
                continue
            elif component == names["map_key"]:
                item["value"] = _query(item.get("value"), indicator=indicator, year=year)
            elif component == names["profile_key"]:
                item["value"] = _query(item.get("value"), indicator=indicator)
            elif component == names["compare_key"] and isinstance(item.get("value"), str):
                item["value"] = _query(item["value"], indicator=indicator, year=year)
        out.append((kind, new))
    return out


def unit_click_bodies(bodies: list[dict], unit: str, names: dict) -> list[tuple[str, dict]]:
    """Return the requests of a click on `unit`, made from the recorded requests of one click."""
    out = []
    for body in bodies:
        new = copy.deepcopy(body)
        _with_unit(new, unit, names)
        out.append((callback_kind(body, names), new))
    return out


def states(quick: bool) -> list[tuple[str, str | None]]:
    """Return the (indicator, year) states to replay: every indicator with values, latest and every year."""
    import pandas as pd

    from bench.support import build_folder

    folder = build_folder()
    catalogue = pd.read_parquet(folder / "catalogue.parquet")
    present = set(pd.read_parquet(folder / "indicators.parquet", columns=["indicator"])["indicator"].unique())
    out = []
    for _, row in catalogue.iterrows():
        if row["id"] not in present:
            continue
        out.append((row["id"], None))
        if not quick:
            out += [(row["id"], str(int(y))) for y in row["years"]]
    return out


class Replayer:
    def __init__(self, url: str, captured: dict):
        from dashboard import ids

        self.ids = ids
        self.names = id_names()
        self.client = Client(url)
        self.captured = captured
        self.errors: list[str] = []

    def post(self, kind: str, body: dict, expect: str | None = None) -> dict:
        response = self.client.post_json(UPDATE, body)
        response["request_bytes"] = len(json.dumps(body).encode())
        if response["status"] != 200:
            self.errors.append(f"{kind}: HTTP {response['status']}")
        elif expect is not None and expect not in decode(response).decode("utf-8", "replace"):
            self.errors.append(f"{kind}: response lacks {expect!r}")
        return response

    def switch(
        self, indicator: str, year: str | None, check: bool = False, unit: str | None = None, recorded: str = "switch"
    ) -> dict:
        """Replay every request of a switch to (indicator, year), in the browser's order; return the time and
        compressed bytes of each callback and of all together. `recorded` names the recorded switch
        ("switch": no unit selected; "switch_profile": a unit selected, which `unit` replaces)."""
        expect = {"state": self.ids.MAP_KEY, "map": f'"{indicator}|', "profile": self.ids.PROFILE}
        parts: dict[str, dict] = {}
        for kind, body in switch_bodies(self.captured[recorded], indicator, year, self.names, unit):
            response = self.post(kind, body, expect.get(kind) if check else None)
            if kind in parts:  # (a callback sent twice in one switch counts twice)
                for key in ("ms", "bytes", "request_bytes"):
                    parts[kind][key] += response[key]
            else:
                parts[kind] = response
        return {
            "indicator": indicator,
            "year": year,
            "unit": unit,
            "parts": {k: {"ms": v["ms"], "bytes": v["bytes"]} for k, v in parts.items()},
            "sum_ms": sum(v["ms"] for v in parts.values()),
            "bytes": sum(v["bytes"] for v in parts.values()),
            "request_bytes": sum(v["request_bytes"] for v in parts.values()),
            "encoding": parts.get("map", {}).get("encoding"),
        }

    def compare(self, indicator: str) -> dict:
        body = self.captured["compare"]
        key = _query(_input_value(body, self.ids.COMPARE_KEY), indicator=indicator, year=None)
        response = self.post("compare", _set_input(body, self.ids.COMPARE_KEY, key))
        return {"indicator": indicator, "ms": response["ms"], "bytes": response["bytes"]}

    def peers(self, unit: str, method: dict) -> dict:
        """The peer view's callback for `unit` and a peer method (State fields of dashboard.state.PeerState)."""
        from dashboard.state import PeerState, State, to_query

        ids = self.ids
        key = to_query(State(view="peers", unit=unit, peers=True, peer=PeerState(**method)))
        outputs = [
            (ids.PEER_RESULTS, "children"),
            (ids.PEER_TABLE_DATA, "data"),
            (ids.PEER_NOTES, "children"),
            (ids.PEER_WEIGHTS, "children"),
            (ids.PEER_OUTLINES, "data"),
        ]
        body = {
            "output": ".." + "...".join(f"{c}.{p}" for c, p in outputs) + "..",
            "outputs": [{"id": c, "property": p} for c, p in outputs],
            "inputs": [
                {"id": ids.PEERS_KEY, "property": "data", "value": key},
                {"id": ids.UPLOADS, "property": "data", "value": None},
            ],
            "changedPropIds": [f"{ids.PEERS_KEY}.data"],
            "state": [],
        }
        response = self.post("peers", body, ids.PEER_RESULTS)
        text = decode(response).decode("utf-8", "replace") if response["status"] == 200 else ""
        # The table and the outlines are values and positions: a geometry in the answer would be a bug.
        geometry = '"coordinates"' in text or '"geometry"' in text
        return {"unit": unit, "ms": response["ms"], "bytes": response["bytes"], "geometry": geometry}

    def profile(self, unit: str) -> dict:
        body = self.captured["profile_unit"]
        key = _query(_input_value(body, self.ids.PROFILE_KEY), unit=unit)
        response = self.post("profile", _set_input(body, self.ids.PROFILE_KEY, key), self.ids.PROFILE)
        return {"unit": unit, "ms": response["ms"], "bytes": response["bytes"]}


def naive_switches(url: str, body: dict, indicators: list[str]) -> list[dict]:
    """Replay the naive app's callback (the whole figure) for `indicators`."""
    client = Client(url)
    rows = []
    for indicator in indicators:
        response = client.post_json(UPDATE, _set_input(body, "indicator", indicator))
        rows.append(
            {
                "indicator": indicator,
                "ms": response["ms"],
                "bytes": response["bytes"],
                "status": response["status"],
                "encoding": response["encoding"],
            }
        )
    client.close()
    return rows


# The peer methods replayed: the page's default, and a heavier one (more indicators, weights, all countries).
PEER_METHODS = (
    {},
    {
        "indicators": (
            "population",
            "density",
            "pop_change_pa",
            "share_65plus",
            "foreign_pct",
            "jobs",
            "dist_urban_centre_km",
            "degurba",
            "mountain",
        ),
        "weights": (("population", 2.0), ("mountain", 0.5)),
        "k": 25,
        "scope": "all",
    },
)


def peer_sample(unit_ids: list[str], n: int, rng: random.Random) -> list[str]:
    """Units for the peer replays: Bolzano/Bozen and Jesenice, then an equal share of every country."""
    fixed = [u for u in ("IT_021008", "SI_041") if u in unit_ids]
    by_country: dict[str, list[str]] = {}
    for unit in sorted(unit_ids):
        by_country.setdefault(unit.split("_", 1)[0], []).append(unit)
    share = max(1, (n - len(fixed)) // max(1, len(by_country)))
    return fixed + [u for units in by_country.values() for u in rng.sample(units, min(share, len(units)))]


def measure(
    url: str,
    captured: dict,
    quick: bool = False,
    passes: int = 2,
    units: int = 40,
    naive_url: str | None = None,
    naive_indicators: int = 3,
    seed: int = 7,
) -> dict:
    """Replay switches, compare and profile callbacks (and the naive callback); return rows and figures."""
    import pandas as pd

    from bench.support import build_folder

    rng = random.Random(seed)
    replayer = Replayer(url, captured)
    todo = states(quick)
    switch_rows, first_pass = [], []
    for p in range(1 if quick else passes):
        order = todo[:]
        rng.shuffle(order)
        log(f"  replaying {len(order)} switches (pass {p + 1})")
        for indicator, year in order:
            row = replayer.switch(indicator, year, check=(p == 0))
            switch_rows.append(row)
            if p == 0:
                first_pass.append(row)
    folder = build_folder()
    unit_ids = pd.read_parquet(folder / "units.parquet", columns=["unit_id"])["unit_id"].tolist()
    profile_switch_rows = []
    if "switch_profile" in captured:
        order = todo[:]
        rng.shuffle(order)
        log(f"  replaying {len(order)} switches with a profile open (a unit selected)")
        for indicator, year in order:
            unit = rng.choice(unit_ids)
            profile_switch_rows.append(
                replayer.switch(indicator, year, check=True, unit=unit, recorded="switch_profile")
            )
    catalogue = pd.read_parquet(folder / "catalogue.parquet")
    numeric = [i for i, k in zip(catalogue["id"], catalogue["kind"]) if k == "numeric"]
    present = set(pd.read_parquet(folder / "indicators.parquet", columns=["indicator"])["indicator"].unique())
    numeric = [i for i in numeric if i in present]
    if quick:
        numeric = numeric[:6]
    log(f"  replaying compare for {len(numeric)} indicators, profile for {8 if quick else units} units")
    compare_rows = [replayer.compare(i) for i in numeric]
    profile_rows = [replayer.profile(u) for u in rng.sample(unit_ids, 8 if quick else units)]
    peer_units = peer_sample(unit_ids, 30 if quick else 72, rng)
    log(f"  replaying the peer view for {len(peer_units)} units, two methods")
    peer_rows = [replayer.peers(u, m) for m in PEER_METHODS for u in peer_units]
    manifest = json.loads((folder / "manifest.json").read_text())
    geometry_path = f"/data/{manifest['web']['units']['name']}"
    geometry_rows = [replayer.client.request("GET", geometry_path) for _ in range(3 if quick else 10)]
    replayer.client.close()
    result = {
        "geometry_file": [{"ms": r["ms"], "bytes": r["bytes"], "status": r["status"]} for r in geometry_rows],
        "switches": switch_rows,
        "profile_switches": profile_switch_rows,
        "compare": compare_rows,
        "profile": profile_rows,
        "peers": peer_rows,
        "errors": replayer.errors,
    }
    if naive_url and "naive" in captured and naive_indicators:
        picks = [i for i, _y in todo if i != "foreign_pct"][:naive_indicators]
        log(f"  replaying the naive callback for {len(picks)} indicators")
        result["naive"] = naive_switches(naive_url, captured["naive"], picks)
    result["figures"] = figures(result, first_pass)
    return result


def _kinds(rows: list[dict]) -> list[str]:
    return sorted({k for r in rows for k in r["parts"]}, key=lambda k: (KIND_ORDER.get(k, 9), k))


def _per_callback(rows: list[dict], kinds: list[str], field: str, total: str, digits: int) -> dict:
    return {k: summary([r["parts"][k][field] for r in rows if k in r["parts"]], digits, p95=True) for k in kinds} | {
        "sum": summary([r[total] for r in rows], digits, p95=True)
    }


def figures(result: dict, first_pass: list[dict]) -> dict:
    sw = result["switches"]
    kinds = _kinds(sw)
    psw = result.get("profile_switches") or []
    pkinds = _kinds(psw)
    out = {
        "switch_callbacks": kinds,
        "switch_server_ms": _per_callback(sw, kinds, "ms", "sum_ms", 1),
        "switch_server_first_pass_ms": summary([r["sum_ms"] for r in first_pass], 1, p95=True),
        "switch_bytes": _per_callback(sw, kinds, "bytes", "bytes", 0),
        "profile_switch_callbacks": pkinds,
        "profile_switch_server_ms": _per_callback(psw, pkinds, "ms", "sum_ms", 1),
        "profile_switch_bytes": _per_callback(psw, pkinds, "bytes", "bytes", 0),
        "switch_request_bytes": summary([r["request_bytes"] for r in sw], 0),
        "switch_encoding": sorted({r["encoding"] or "identity" for r in sw}),
        "compare_server_ms": summary([r["ms"] for r in result["compare"]], 1, p95=True),
        "compare_bytes": summary([r["bytes"] for r in result["compare"]], 0),
        "profile_server_ms": summary([r["ms"] for r in result["profile"]], 1, p95=True),
        "profile_bytes": summary([r["bytes"] for r in result["profile"]], 0),
        "peers_server_ms": summary([r["ms"] for r in result["peers"]], 1, p95=True),
        "peers_bytes": summary([r["bytes"] for r in result["peers"]], 0),
        "peers_geometry_responses": sum(r["geometry"] for r in result["peers"]),
        "replay_errors": len(result["errors"]),
        "replay_error_messages": sorted(set(result["errors"]))[:10],
        "geometry_file_ms": summary([r["ms"] for r in result["geometry_file"]], 1),
        "geometry_file_bytes": result["geometry_file"][0]["bytes"] if result["geometry_file"] else None,
        "slowest_switches": sorted(
            ({"indicator": r["indicator"], "year": r["year"], "ms": round(r["sum_ms"], 1)} for r in sw),
            key=lambda r: -r["ms"],
        )[:5],
        "largest_switches": sorted(
            ({"indicator": r["indicator"], "year": r["year"], "bytes": r["bytes"]} for r in sw),
            key=lambda r: -r["bytes"],
        )[:5],
    }
    if result.get("naive"):
        out["naive"] = {
            "switch_server_ms": summary([r["ms"] for r in result["naive"]], 0),
            "switch_bytes": summary([r["bytes"] for r in result["naive"]], 0),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.callbacks")
    parser.add_argument("--quick", action="store_true", help="latest values only, one pass, fewer units")
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--units", type=int, default=40)
    parser.add_argument("--no-naive", action="store_true")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from bench import browser as browser_bench
    from bench.support import Server, launch_chromium

    with Server("app:server") as atlas:
        naive = None if args.no_naive else Server("bench.naive_app:server")
        try:
            log("capturing the callbacks in Chromium")
            with sync_playwright() as p:
                chromium = launch_chromium(p)
                captured = browser_bench.capture(chromium, atlas.url, naive.url if naive else None)
                chromium.close()
            result = measure(
                atlas.url,
                captured,
                quick=args.quick,
                passes=args.passes,
                units=args.units,
                naive_url=naive.url if naive else None,
                naive_indicators=1 if args.quick else 3,
            )
        finally:
            if naive:
                naive.stop(kill=True)
    figs = result["figures"]
    for name in [*figs["switch_callbacks"], "sum"]:
        s = figs["switch_server_ms"][name]
        print(f"switch server ms, {name:16} median {s['median']:>8} p95 {s['p95']:>8} max {s['max']:>8}")
    for name in [*figs["switch_callbacks"], "sum"]:
        s = figs["switch_bytes"][name]
        print(f"switch bytes, {name:16}     median {s['median']:>8} p95 {s['p95']:>8} max {s['max']:>8}")
    for name in [*figs["profile_switch_callbacks"], "sum"]:
        s = figs["profile_switch_server_ms"][name]
        print(f"switch with a profile open, ms, {name:8} median {s['median']:>8} p95 {s['p95']:>8} max {s['max']:>8}")
    s = figs["profile_switch_bytes"]["sum"]
    print(f"switch with a profile open, bytes    median {s['median']:>8} p95 {s['p95']:>8} max {s['max']:>8}")
    for key in ("compare_server_ms", "profile_server_ms", "peers_server_ms"):
        s = figs[key]
        print(f"{key:28} median {s['median']:>8} p95 {s['p95']:>8} max {s['max']:>8}")
    print(f"peers bytes                  median {figs['peers_bytes']['median']:>8}")
    print(f"peers responses with geometry       {figs['peers_geometry_responses']:>8} (must be 0)")
    if "naive" in figs:
        print(f"naive switch server ms       median {figs['naive']['switch_server_ms']['median']:>8}")
        print(f"naive switch bytes           median {figs['naive']['switch_bytes']['median']:>8}")
    print(json.dumps({"figures": figs, "errors": result["errors"]}))
    return 0


if __name__ == "__main__":
    # An interrupted run (SIGTERM, SIGHUP, Ctrl-C) stops every server and browser it started.
    with stopping_everything():
        sys.exit(main())
