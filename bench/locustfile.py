"""Locust users of the load test (bench.load runs this file; it is not a benchmark of its own).

Each simulated user repeats, with a think time between actions, one of:
- a page load (weight 1): GET /, GET /_dash-layout (with the page as Referer, as Dash sends it) and
  GET /_dash-dependencies; static files are left out (immutable, cached by the browser or a proxy);
- an indicator switch (weight 3): every callback request the browser sent for a switch with no unit
  selected (the state callback, then the map callback), as recorded, for a random indicator (each unit's
  latest value, or one year);
- a profile (weight 1): every callback request the browser sent for a click on a unit (the state callback,
  then the map and profile callbacks; the profile body is the recorded `profile_unit`), for a random unit.

Configuration comes from the JSON file named by BENCH_LOAD_CONFIG (written by bench.load): the captured
callback bodies, the states and units to draw from, the think time, the request budget after which the run
stops, and where to write every request's time. Only the host given to locust (127.0.0.1) is contacted.
"""

from __future__ import annotations

import json
import os
import random
import time

import gevent
from locust import FastHttpUser, between, events, task

from bench.callbacks import switch_bodies, unit_click_bodies

CONFIG = json.loads(open(os.environ["BENCH_LOAD_CONFIG"]).read())  # noqa: SIM115 - read once at start
CAPTURED = CONFIG["captured"]
IDS = CONFIG["ids"]
HEADERS = {"Accept-Encoding": "br, gzip", "Content-Type": "application/json"}
SAMPLES: list[tuple[str, float, bool]] = []
STARTED = time.time()


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception, **_kw):
    SAMPLES.append((name, response_time, exception is None))
    if len(SAMPLES) == CONFIG["max_requests"]:
        runner = _record.environment.runner if hasattr(_record, "environment") else None
        if runner is not None:
            gevent.spawn_later(0, runner.quit)


@events.init.add_listener
def _init(environment, **_kw):
    _record.environment = environment


@events.quitting.add_listener
def _dump(environment, **_kw):
    with open(CONFIG["samples_path"], "w") as out:
        json.dump({"samples": SAMPLES, "seconds": time.time() - STARTED}, out)


class AtlasUser(FastHttpUser):
    wait_time = between(*CONFIG["wait"])
    connection_timeout = 60
    network_timeout = 60

    def on_start(self):
        self.rng = random.Random()

    def _post(self, name: str, body: dict):
        with self.client.post(
            "/_dash-update-component", data=json.dumps(body), headers=HEADERS, name=name, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            else:
                response.success()

    @task(1)
    def page_load(self):
        self.client.get("/", name="GET /", headers={"Accept-Encoding": "br, gzip"})
        self.client.get(
            "/_dash-layout", name="layout", headers={"Accept-Encoding": "br, gzip", "Referer": self.host + "/"}
        )
        self.client.get("/_dash-dependencies", name="dependencies", headers={"Accept-Encoding": "br, gzip"})

    @task(3)
    def switch(self):
        indicator, year = self.rng.choice(CONFIG["states"])
        for kind, body in switch_bodies(CAPTURED["switch"], indicator, year, IDS):
            self._post(kind, body)

    @task(1)
    def profile(self):
        unit = self.rng.choice(CONFIG["units"])
        for kind, body in unit_click_bodies(CAPTURED["unit_click"], unit, IDS):
            self._post(f"{kind} (unit click)" if kind != "profile" else kind, body)
