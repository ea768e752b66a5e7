"""Change over time: server time of a change map, of a profile with its series, and of Compare over time.

    python -m bench.change [--quick]        (starts its own gunicorn; `python -m bench` runs it too)

Each callback is replayed over loopback with states new to the worker (another earlier year, measure or
indicator each time), as the page sends them:
- `change_map_server_ms`: the map's callback (payload, legend, missing count) for a change map, e.g.
  Austria's foreign nationals since 2011, every measure in turn, and the population of France and Italy;
- `profile_series_server_ms`: the profile's callback for a municipality with several years (its "Over
  time" charts), Innsbruck and others in turn;
- `compare_over_time_server_ms`: Compare's callback with its medians per year.
"""

from __future__ import annotations

import argparse
import json
import sys

from bench.support import Client, log, summary

UPDATE = "/_dash-update-component"
CHANGES = (
    ("foreign_pct", (2011, 2012, 2013, 2014), 2015),
    ("share_65plus", (2011, 2012, 2013), 2015),
    ("population", (2011, 2019, 2022), 2023),
)
MODES = ("abs", "rel", "pa")
UNITS = ("AT_70101", "AT_60101", "AT_50101", "IT_021008", "FR_74010", "AT_80207", "AT_31235", "IT_022205")


def _body(output: str, outputs, key_id: str, key: str) -> dict:
    from dashboard import ids

    return {
        "output": output,
        "outputs": outputs,
        "inputs": [
            {"id": key_id, "property": "data", "value": key},
            {"id": ids.UPLOADS, "property": "data", "value": None},
        ],
        "changedPropIds": [f"{key_id}.data"],
        "state": [],
    }


def _map_body(query: str) -> dict:
    from dashboard import ids

    names = (ids.MAP_PAYLOAD, ids.LEGEND, ids.MISSING, ids.INDICATOR_NOTE, ids.STORY, ids.PAGE)
    props = ("data", "children", "children", "children", "children", "className")
    output = ".." + "...".join(f"{n}.{p}" for n, p in zip(names, props)) + ".."
    outputs = [{"id": n, "property": p} for n, p in zip(names, props)]
    body = _body(output, outputs, ids.MAP_KEY, query)
    # uploads and the own story are States there
    own_story = {"id": ids.OWN_STORY, "property": "data", "value": None}
    body["state"], body["inputs"] = [body["inputs"][1], own_story], body["inputs"][:1]
    return body


def _profile_body(query: str) -> dict:
    from dashboard import ids

    return _body(f"{ids.PROFILE}.children", {"id": ids.PROFILE, "property": "children"}, ids.PROFILE_KEY, query)


def _compare_body(query: str) -> dict:
    from dashboard import ids

    names = (ids.COMPARE_SENTENCES, ids.COMPARE_CHARTS, ids.COMPARE_TABLE)
    output = ".." + "...".join(f"{n}.children" for n in names) + ".."
    body = _body(output, [{"id": n, "property": "children"} for n in names], ids.COMPARE_KEY, query)
    body["state"], body["inputs"] = [body["inputs"][1]], body["inputs"][:1]
    return body


def server(url: str, quick: bool) -> dict:
    client = Client(url)
    rows: dict[str, list[float]] = {"map": [], "profile": [], "compare": []}
    errors: list[str] = []

    def post(kind: str, body: dict) -> None:
        response = client.request("POST", UPDATE, json.dumps(body).encode())
        if response["status"] != 200:
            errors.append(f"{kind}: HTTP {response['status']}")
        rows[kind].append(response["ms"])

    rounds = 1 if quick else 3
    for r in range(rounds):
        for indicator, earlier, later in CHANGES:
            for since in earlier:
                mode = MODES[(since + r) % len(MODES)]
                post(
                    "map",
                    _map_body(
                        f"?indicator=change:{indicator}&year={later}&since={since}&change={mode}&classes={5 + r}"
                    ),
                )
        for n, unit in enumerate(UNITS):
            post("profile", _profile_body(f"?unit={unit}&lang={('en', 'de', 'fr', 'it', 'sl')[(n + r) % 5]}"))
        for indicator, _earlier, _later in CHANGES:
            for countries in ("", "&countries=AT", "&countries=FR,IT"):
                post(
                    "compare",
                    _compare_body(f"?view=compare&indicator={indicator}{countries}&lang={('en', 'de')[r % 2]}"),
                )
    client.close()
    return {"ms": rows, "errors": errors}


def figures(rows: dict) -> dict:
    return {
        "change_map_server_ms": summary(rows["ms"]["map"], 1, p95=True),
        "profile_series_server_ms": summary(rows["ms"]["profile"], 1, p95=True),
        "compare_over_time_server_ms": summary(rows["ms"]["compare"], 1, p95=True),
    }


def measure(url: str, quick: bool) -> dict:
    log("change over time: a change map, a profile with its series, Compare over time (server)")
    rows = server(url, quick)
    return {"figures": figures(rows), "errors": rows["errors"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.change")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    from bench.harness import Server, stopping_everything
    from bench.support import build_folder

    with stopping_everything(), Server("app:server", 2, build_folder()) as atlas:
        result = measure(atlas.url, args.quick)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
