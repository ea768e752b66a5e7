"""Shared pieces of the benchmarks: HTTP replay, memory and CPU from /proc, summaries, the machine.

The processes (gunicorn on loopback, headless Chromium) and their end on an interrupt are bench/harness.py's,
which the browser tests use too; their names are re-exported here. Nothing here talks to anything but
127.0.0.1.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

# Re-exported: the benchmarks (and bench/soak.py) import the process helpers from here as well.
from bench.harness import (  # noqa: F401
    CHROMIUM,
    REPO,
    Server,
    become_subreaper,
    build_folder,
    launch_chromium,
)

ACCEPT_ENCODING = "br, gzip"  # what the replays ask for (the browser also offers zstd)


# --------------------------------------------------------------------------------------------- summaries


def percentile(values: list[float], q: float) -> float:
    """Return the q-th percentile (0..100) of `values`, linear between ranks (numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def summary(values: list[float], digits: int = 1, p95: bool = False) -> dict:
    """Return median, min, max and the number of runs (and p95 when asked) of `values`."""
    values = [float(v) for v in values if v is not None and not math.isnan(v)]
    if not values:
        return {"median": None, "min": None, "max": None, "runs": 0}
    out = {
        "median": round(statistics.median(values), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
        "runs": len(values),
    }
    if p95:
        out["p95"] = round(percentile(values, 95), digits)
    return out


_T0 = time.perf_counter()


def log(message: str) -> None:
    """Progress for a person watching (seconds since start), on stderr: stdout is kept for the results."""
    print(f"[{time.perf_counter() - _T0:6.1f} s] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------- memory


def process_memory(pid: int) -> dict:
    """Return {rss_mb, pss_mb} of a process from /proc (VmRSS of status, Pss of smaps_rollup)."""
    out = {"pid": pid, "rss_mb": None, "pss_mb": None}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                out["rss_mb"] = round(int(line.split()[1]) / 1024, 1)
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                out["pss_mb"] = round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return out


def _stat_fields(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _tree_ticks(root: int) -> int:
    """Return the CPU ticks of `root` and its live descendants, with the children they have reaped."""
    children: dict[int, list[int]] = {}
    fields_of: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields:
                fields_of[int(entry.name)] = fields
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    ticks, todo = 0, [root]
    while todo:
        pid = todo.pop()
        fields = fields_of.get(pid)
        if fields:
            ticks += sum(int(x) for x in fields[11:15])  # utime, stime, cutime, cstime
        todo += children.get(pid, [])
    return ticks


def _busy_ticks() -> int:
    values = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values[:8]
    return user + nice + system + irq + softirq + steal


class Interference:
    """CPU that processes outside this run used meanwhile (the machine is shared): all busy time of
    /proc/stat minus the time of this process and everything it started (servers, Chromium, locust), with
    the orphans of those kept in the tree (`become_subreaper`)."""

    def __init__(self):
        become_subreaper()
        self.started = time.monotonic()
        self.busy0 = _busy_ticks()
        self.mine0 = _tree_ticks(os.getpid())

    def cores(self) -> float:
        """Return the average number of cores that other processes kept busy since this object was made."""
        wall = time.monotonic() - self.started
        foreign = (_busy_ticks() - self.busy0) - (_tree_ticks(os.getpid()) - self.mine0)
        return round(max(foreign, 0) / os.sysconf("SC_CLK_TCK") / wall, 2) if wall > 0 else 0.0


def cpu_seconds(pid: int) -> float:
    """Return user + system CPU seconds of a process so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0


# --------------------------------------------------------------------------------------------- HTTP replay


class Client:
    """A keep-alive HTTP/1.1 client for loopback replays; returns compressed sizes, never decodes.

    gunicorn's sync workers close the connection after each response, so a fresh connection is opened as
    needed; both are on loopback and part of the time a browser would see too.
    """

    def __init__(self, base_url: str):
        host, port = base_url.removeprefix("http://").split(":")
        self.host, self.port = host, int(port)
        self.base_url = base_url
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> dict:
        """Return {ms, status, bytes (body as sent, compressed), encoding, body (raw)} of one request."""
        head = {"Accept-Encoding": ACCEPT_ENCODING, "Accept": "*/*"}
        if body is not None:
            head["Content-Type"] = "application/json"
        head.update(headers or {})
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=300)
            try:
                started = time.perf_counter()
                self.connection.request(method, path, body=body, headers=head)
                response = self.connection.getresponse()
                raw = response.read()
                ms = (time.perf_counter() - started) * 1000
                if response.getheader("Connection", "").lower() == "close":
                    self.connection.close()
                    self.connection = None
                return {
                    "ms": ms,
                    "status": response.status,
                    "bytes": len(raw),
                    "encoding": response.getheader("Content-Encoding"),
                    "body": raw,
                }
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()
                self.connection = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def post_json(self, path: str, payload: dict) -> dict:
        return self.request("POST", path, json.dumps(payload).encode())

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def decode(response: dict) -> bytes:
    """Return the decoded body of a Client response (br or gzip)."""
    if response["encoding"] == "br":
        import brotli

        return brotli.decompress(response["body"])
    if response["encoding"] == "gzip":
        import gzip

        return gzip.decompress(response["body"])
    return response["body"]


# --------------------------------------------------------------------------------------------- Chromium


def machine() -> dict:
    """Return what the figures were measured on."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    chromium = ""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=20).stdout.strip()
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "python": sys.version.split()[0],
        "chromium": chromium,
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }
