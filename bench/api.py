"""The JSON API: time of the values of one indicator, as a script would ask for them, over loopback.

    python -m bench.api [--quick]        (starts its own gunicorn; `python -m bench` runs it too)

- `api_values_ms`: GET /api/v1/values of one indicator, each request a (indicator, year, countries) new to
  the worker (the answer computed, serialised and compressed): what the first researcher asking pays;
- `api_values_cached_ms`: the same requests again (the worker's cache answers);
- `api_values_bytes`: the compressed size of the answer for all countries.
Each figure is the time to the last byte, with gzip or br accepted, as a client library asks.
"""

from __future__ import annotations

import argparse
import json
import sys
from urllib.parse import urlencode

from bench.support import Client, log, summary

COUNTRY_SETS = ("", "AT,CH", "DE,FR,IT", "SI,LI", "IT")


def _queries(indicators: list[tuple[str, list[int]]], quick: bool) -> list[str]:
    queries = []
    for n, (indicator, years) in enumerate(indicators[: 10 if quick else None]):
        for year in ["latest", *map(str, years[-2:])]:
            countries = COUNTRY_SETS[(n + len(queries)) % len(COUNTRY_SETS)]
            params = {"indicator": indicator, "year": year} | ({"countries": countries} if countries else {})
            queries.append("/api/v1/values?" + urlencode(params))
    return queries


def measure(url: str, quick: bool) -> dict:
    log("API: values of one indicator (GET /api/v1/values), new to the worker, then cached")
    client = Client(url)
    listing = json.loads(client.request("GET", "/api/v1/indicators", headers={"Accept-Encoding": "identity"})["body"])
    indicators = [(i["id"], i["years"]) for i in listing["indicators"] if i["years"]]
    queries = _queries(indicators, quick)
    errors: list[str] = []
    rows: dict[str, list[float]] = {"cold": [], "cached": []}
    sizes: list[int] = []
    for kind in ("cold", "cached"):
        for path in queries:
            response = client.request("GET", path)
            if response["status"] != 200:
                errors.append(f"{path}: HTTP {response['status']}")
            rows[kind].append(response["ms"])
            if "countries" not in path:
                sizes.append(response["bytes"])
    client.close()
    return {
        "figures": {
            "api_values_ms": summary(rows["cold"], 1, p95=True),
            "api_values_cached_ms": summary(rows["cached"], 1, p95=True),
            "api_values_bytes": summary(sizes, 0),
        },
        "requests": len(queries),
        "errors": errors,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.api")
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
