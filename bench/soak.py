"""Soak test: gunicorn with 2 workers under mixed traffic with uploads, a worker killed mid-run.

    python -m bench.soak [--seconds 120] [--users 12]

On loopback only, bounded in time: `--users` threads send, for `--seconds`, a mix of page loads, map
switches, profiles, compare views and uploads (a CSV with good and bad rows, then the map of the uploaded
indicator from that session's own store), and hostile uploads from bench/hostile_files.py (spreadsheet and
zip bombs, entity expansion, ...), each of which must come back refused with its message, or read.
Halfway, one worker is killed with SIGKILL; gunicorn must replace it and only the request it was serving
may fail. Afterwards a fresh session asks for the uploaded
indicator: it must not see it (uploads live in the browser, never on the server).

Prints requests, errors, p50/p95 per kind, memory of the workers at start and end, and the worker
replacement; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import random
import signal
import sys
import threading
import time

from bench.hostile_files import corpus
from bench.support import ACCEPT_ENCODING, Server, decode, log, summary

UPDATE = "/_dash-update-component"
INDICATORS = [
    "foreign_pct",
    "population",
    "share_65plus",
    "pop_change_pa",
    "dist_hospital_km",
    "unemployment_rate",
    "density",
    "vacancy_rate",
    "degurba",
    "share_0_19",
]
UNITS = ["AT_70101", "CH_261", "CH_6300", "DE_09162000", "FR_74010", "IT_001272", "IT_007003", "SI041"]
# The hostile corpus, made once: (name, filename, bytes, the message it must be refused with or None).
HOSTILE = [(h.name, h.filename, h.make(), h.refuse) for h in corpus()]
UPLOAD_CSV = (
    "Gemeinde;Land;Neuzugänge 2023 (%)\n"
    "Innsbruck;Österreich;12,5\nZermatt;CH;7,1\nBolzano;Italien;x\n;;\nNowhere;AT;3\nInnsbruck;AT;13\n"
    "Zürich;Schweiz;=1+1\n"
).encode("cp1252")


class Client:
    """One HTTP request per connection, no retry: a request that fails is counted, never replayed."""

    def __init__(self, base_url: str):
        host, port = base_url.removeprefix("http://").split(":")
        self.host, self.port = host, int(port)

    def request(self, method: str, path: str, body: bytes | None = None) -> dict:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
        headers = {"Accept-Encoding": ACCEPT_ENCODING}
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            raw = response.read()
            return {"status": response.status, "body": raw, "encoding": response.getheader("Content-Encoding")}
        finally:
            connection.close()

    def post_json(self, path: str, payload: dict) -> dict:
        return self.request("POST", path, json.dumps(payload).encode())


def _outputs(output: str):
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    result = [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in parts]
    return result if output.startswith("..") else result[0]


class Callbacks:
    """Request bodies for the app's callbacks, built from /_dash-dependencies."""

    def __init__(self, client: Client):
        deps = json.loads(decode(client.request("GET", "/_dash-dependencies")))
        self.by_output = {d["output"]: d for d in deps if not d.get("clientside_function")}

    def find(self, first_output: str) -> dict:
        for output, dep in self.by_output.items():
            if output.lstrip(".").startswith(first_output):
                return dep
        raise KeyError(first_output)

    def body(self, first_output: str, values: dict) -> dict:
        dep = self.find(first_output)

        def entry(item):
            if item["id"].startswith("{"):
                return []
            value = values.get(f"{item['id']}.{item['property']}", values.get(item["id"]))
            return {"id": item["id"], "property": item["property"], "value": value}

        first = dep["inputs"][0]
        return {
            "output": dep["output"],
            "outputs": _outputs(dep["output"]),
            "inputs": [entry(i) for i in dep["inputs"]],
            "state": [entry(s) for s in dep["state"]],
            "changedPropIds": [f"{first['id']}.{first['property']}"],
        }


class Traffic:
    """One simulated person: their own session store, requests of every kind."""

    def __init__(self, url: str, callbacks: Callbacks, seed: int):
        self.client = Client(url)
        self.callbacks = callbacks
        self.random = random.Random(seed)
        self.store = None  # this person's uploads, as their browser would keep them

    def page(self) -> list[dict]:
        return [
            self.client.request("GET", "/"),
            self.client.request("GET", "/_dash-layout"),
            self.client.request("GET", "/_dash-dependencies"),
        ]

    def switch(self) -> list[dict]:
        indicator = self.random.choice(INDICATORS)
        body = self.callbacks.body(
            "atlas-map-payload", {"atlas-map-key": f"?indicator={indicator}", "atlas-uploads": self.store}
        )
        return [self.client.post_json(UPDATE, body)]

    def profile(self) -> list[dict]:
        unit = self.random.choice(UNITS)
        body = self.callbacks.body("atlas-profile", {"atlas-profile-key": f"?unit={unit}", "atlas-uploads": self.store})
        return [self.client.post_json(UPDATE, body)]

    def compare(self) -> list[dict]:
        indicator = self.random.choice(INDICATORS[:6])
        body = self.callbacks.body("compare-sentences", {"atlas-compare-key": f"?view=compare&indicator={indicator}"})
        return [self.client.post_json(UPDATE, body)]

    def upload(self) -> list[dict]:
        contents = "data:text/csv;base64," + base64.b64encode(UPLOAD_CSV).decode()
        analyse = self.callbacks.body(
            "upload-form", {"upload-file.contents": contents, "upload-file.filename": "mixed.csv"}
        )
        first = self.client.post_json(UPDATE, analyse)
        # The browser keeps what "Add to the map" returns: a store with this person's dataset.
        self.store = {
            "version": 1,
            "datasets": [
                {
                    "id": "u1",
                    "label": "Neuzugänge",
                    "unit": "%",
                    "year": 2023,
                    "kind": "indicator",
                    "file": "mixed.csv",
                    "values": [["AT_70101", 12.5], ["CH_6300", 7.1]],
                }
            ],
        }
        body = self.callbacks.body(
            "atlas-map-payload", {"atlas-map-key": "?indicator=upload%3Au1", "atlas-uploads": self.store}
        )
        second = self.client.post_json(UPDATE, body)
        second["upload_seen"] = b"upload:u1" in decode(second)
        return [first, second]

    def hostile(self) -> list[dict]:
        """An attacker's upload from the hostile corpus: it must be refused (or read) with a message."""
        name, filename, data, refuse = self.random.choice(HOSTILE)
        contents = "data:application/octet-stream;base64," + base64.b64encode(data).decode()
        body = self.callbacks.body("upload-form", {"upload-file.contents": contents, "upload-file.filename": filename})
        response = self.client.post_json(UPDATE, body)
        answer = decode(response) if response["status"] == 200 else b""
        response["refused"] = bool(refuse) and b'"contents":null' in answer.replace(b" ", b"")
        response["hostile_handled"] = response["refused"] if refuse else b"upload-summary" in answer
        return [response]

    def one(self) -> tuple[str, list[dict]]:
        kinds, weights = ["page", "switch", "profile", "compare", "upload", "hostile"], [2, 6, 3, 1, 1, 1]
        kind = self.random.choices(kinds, weights=weights)[0]
        return kind, getattr(self, kind)()


def run(seconds: float, users: int) -> dict:
    with Server(workers=2) as server:
        server.wait_for_workers()
        warm = Client(server.url)
        callbacks = Callbacks(warm)
        # Warm both workers with every kind of request first, so that "memory at start" already holds the
        # imports and caches a first request loads (SciPy for Compare, the upload parser...).
        warmer = Traffic(server.url, callbacks, 0)
        for _ in range(3):
            for kind in ("page", "switch", "profile", "compare", "upload", "hostile"):
                for _ in range(4):
                    getattr(warmer, kind)()
        time.sleep(1)
        memory_start = server.memory()
        log(f"soak: {users} users for {seconds:.0f} s against {server.url}; workers {server.worker_pids()}")
        records: list[dict] = []
        lock = threading.Lock()
        stop_at = time.perf_counter() + seconds
        kill_at = time.perf_counter() + seconds / 2
        killed: dict = {}

        def user(seed: int):
            traffic = Traffic(server.url, callbacks, seed)
            while time.perf_counter() < stop_at:
                started = time.perf_counter()
                try:
                    kind, responses = traffic.one()
                    errors = [r for r in responses if r["status"] not in (200, 204)]
                    record = {
                        "kind": kind,
                        "ms": (time.perf_counter() - started) * 1000,
                        "error": bool(errors),
                        "status": [r["status"] for r in responses],
                        "at": started,
                        "upload_seen": any(r.get("upload_seen") for r in responses),
                        "refused": any(r.get("refused") for r in responses),
                        "hostile_handled": all(r.get("hostile_handled", True) for r in responses),
                    }
                except Exception as exc:  # a connection reset by the killed worker
                    record = {
                        "kind": "error",
                        "ms": (time.perf_counter() - started) * 1000,
                        "error": True,
                        "status": [type(exc).__name__],
                        "at": started,
                        "upload_seen": False,
                        "refused": False,
                        "hostile_handled": True,  # counted as an error above
                    }
                with lock:
                    records.append(record)

        threads = [threading.Thread(target=user, args=(i + 1,), daemon=True) for i in range(users)]
        for thread in threads:
            thread.start()
        while time.perf_counter() < kill_at:
            time.sleep(0.2)
        victim = server.worker_pids()[0]
        killed["pid"] = victim
        killed["at"] = time.perf_counter()
        os.kill(victim, signal.SIGKILL)
        log(f"soak: killed worker {victim}")
        for thread in threads:
            thread.join(timeout=seconds + 120)
        replaced = server.wait_for_workers()
        memory_end = server.memory()
        # Isolation: a new visitor, without that store, asks for the uploaded indicator.
        stranger = Traffic(server.url, callbacks, 999)
        body = callbacks.body("atlas-map-payload", {"atlas-map-key": "?indicator=upload%3Au1", "atlas-uploads": None})
        leaked = b"upload:u1" in decode(stranger.client.post_json(UPDATE, body))
        log_text = server.stop()
    return report(records, memory_start, memory_end, killed, replaced, leaked, log_text, seconds, users)


def report(records, memory_start, memory_end, killed, replaced, leaked, log_text, seconds, users) -> dict:
    errors = [r for r in records if r["error"]]
    around_kill = [r for r in errors if abs(r["at"] - killed["at"]) < 5]
    by_kind = {}
    for kind in sorted({r["kind"] for r in records}):
        times = [r["ms"] for r in records if r["kind"] == kind and not r["error"]]
        if times:
            by_kind[kind] = summary(times, p95=True) | {"requests": len(times)}
    survivors = [w for w in memory_start["workers"] if w["pid"] != killed["pid"]]
    end_by_pid = {w["pid"]: w for w in memory_end["workers"]}
    growth = [
        round((end_by_pid[w["pid"]]["rss_mb"] or 0) - (w["rss_mb"] or 0), 1)
        for w in survivors
        if w["pid"] in end_by_pid
    ]
    return {
        "seconds": seconds,
        "users": users,
        "requests": len(records),
        "errors": len(errors),
        "errors_around_kill": len(around_kill),
        "errors_elsewhere": len(errors) - len(around_kill),
        "error_kinds": sorted({str(r["status"]) for r in errors}),
        "killed_worker": killed["pid"],
        "workers_after": replaced,
        "worker_replaced": killed["pid"] not in replaced and len(replaced) == 2,
        "uploads_done": sum(1 for r in records if r["kind"] == "upload" and not r["error"]),
        "upload_seen_by_its_session": all(
            r["upload_seen"] for r in records if r["kind"] == "upload" and not r["error"]
        ),
        "upload_visible_to_another_session": leaked,
        "hostile_uploads": sum(1 for r in records if r["kind"] == "hostile"),
        "hostile_refused": sum(1 for r in records if r["kind"] == "hostile" and r["refused"]),
        "hostile_not_handled": sum(1 for r in records if r["kind"] == "hostile" and not r["hostile_handled"]),
        "latency_ms": by_kind,
        "p95_ms_all": summary([r["ms"] for r in records if not r["error"]], p95=True),
        "memory_start": memory_start,
        "memory_end": memory_end,
        "rss_growth_mb_surviving_workers": growth,
        "tracebacks_in_log": log_text.count("Traceback"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--users", type=int, default=12)
    args = parser.parse_args(argv)
    result = run(args.seconds, args.users)
    print(
        f"requests {result['requests']}, errors {result['errors']} "
        f"({result['errors_around_kill']} at the worker kill, {result['errors_elsewhere']} elsewhere)"
    )
    print(
        f"worker {result['killed_worker']} killed; workers after: {result['workers_after']} "
        f"(replaced: {result['worker_replaced']})"
    )
    print(
        f"uploads: {result['uploads_done']}, seen by their own session: {result['upload_seen_by_its_session']}, "
        f"visible to another session: {result['upload_visible_to_another_session']}"
    )
    print(
        f"hostile uploads: {result['hostile_uploads']}, refused with a message: {result['hostile_refused']}, "
        f"not handled as expected: {result['hostile_not_handled']}"
    )
    for kind, s in result["latency_ms"].items():
        print(f"  {kind:8} n={s['requests']:6}  p50 {s['median']:7} ms  p95 {s['p95']:7} ms")
    start = {w["pid"]: w["rss_mb"] for w in result["memory_start"]["workers"]}
    end = {w["pid"]: w["rss_mb"] for w in result["memory_end"]["workers"]}
    growth = result["rss_growth_mb_surviving_workers"]
    print(f"worker RSS MB at start {start}, at end {end}; growth of surviving workers {growth}")
    print(json.dumps(result))
    ok = (
        result["errors_elsewhere"] == 0
        and result["errors_around_kill"] <= 2
        and result["worker_replaced"]
        and not result["upload_visible_to_another_session"]
        and result["hostile_not_handled"] == 0
        and result["tracebacks_in_log"] == 0
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
