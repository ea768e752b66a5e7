"""Shared pieces of the benchmarks: gunicorn on loopback, headless Chromium, HTTP replay, memory, summaries.

Gunicorn is started the way tests/browser_support.py starts it (`--preload`, loopback, a free port) but with
the app module, worker count and start time as parameters, and its log in a file (a pipe nobody reads could
fill and stall the server under load). Chromium is Debian's, with the flags of tests/browser_support.py.
Nothing here talks to anything but 127.0.0.1.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import http.client
import json
import math
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, chromium_available, free_port, gunicorn_command

REPO = Path(__file__).resolve().parent.parent
ACCEPT_ENCODING = "br, gzip"  # what the replays ask for (the browser also offers zstd)


def build_folder() -> Path:
    """Return the build the benchmarks use (PLURALPS_BUILD, default data/build)."""
    from geo.settings import build_dir

    return Path(build_dir()).resolve()


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


# --------------------------------------------------------------------------------------------- gunicorn


class Server:
    """`gunicorn --preload` serving `target` ("app:server" or "bench.naive_app:server") on a free loopback port.

    `ready_s` is the time from spawning the process to the first 200 of /healthz, polled every 20 ms.
    """

    def __init__(
        self,
        target: str = "app:server",
        workers: int = 2,
        build: Path | None = None,
        timeout_s: float = 180,
        extra_args: list[str] | None = None,
    ):
        self.target = target
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = tempfile.NamedTemporaryFile("w+", prefix="bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
        env = dict(os.environ, PLURALPS_BUILD=str(build or build_folder()))
        command = gunicorn_command(self.port, workers, target, 120, extra_args or ())
        started = time.perf_counter()
        self.process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = started + timeout_s
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn ({target}) exited: {self.log_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.perf_counter() > deadline:
                self.stop()
                raise RuntimeError(f"gunicorn ({target}) was not ready in {timeout_s:.0f} s")
            time.sleep(0.02)
        self.ready_s = time.perf_counter() - started

    def log_text(self) -> str:
        try:
            return Path(self._log.name).read_text(errors="replace")
        except OSError:
            return ""

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return sorted(int(p) for p in children.read_text().split())
        except OSError:
            return []

    def wait_for_workers(self, timeout_s: float = 30) -> list[int]:
        """Return the worker pids once all of them have booted (they fork after the master is ready)."""
        deadline = time.time() + timeout_s
        while time.time() < deadline:
            pids = self.worker_pids()
            if len(pids) >= self.workers:
                return pids
            time.sleep(0.05)
        return self.worker_pids()

    def memory(self) -> dict:
        """Return RSS and PSS (MB) of the master and of each worker."""
        return {"master": process_memory(self.process.pid), "workers": [process_memory(p) for p in self.worker_pids()]}

    def stop(self, kill: bool = False) -> str:
        """Stop gunicorn (SIGTERM, graceful); `kill` ends the whole process group at once instead (a worker
        that holds millions of Python objects, as the naive app's, takes seconds to free them on the way out)."""
        if kill and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        text = self.log_text()
        with contextlib.suppress(OSError):
            os.unlink(self._log.name)
        return text

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


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


_SUBREAPER: list[bool] = []


def _reap_orphans() -> None:
    """Reap the exited processes that were handed to this one as their subreaper (at exit, when every
    subprocess.Popen of the run has been waited for): none is left behind as a zombie."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def become_subreaper() -> bool:
    """Make this process the subreaper of everything it starts (Linux prctl PR_SET_CHILD_SUBREAPER).

    Chromium's helper processes outlive their parent when the browser closes; without a subreaper they are
    handed to init and their CPU time leaves this process tree, so that `Interference` counted Chromium's
    own work (about one core during the browser part) as other processes'. Orphans now stay this process's
    children (zombies until the exit, which still hold their CPU times) and are reaped at exit."""
    if not _SUBREAPER:
        ok = False
        with contextlib.suppress(OSError, AttributeError):
            ok = ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
        if ok:
            atexit.register(_reap_orphans)
        _SUBREAPER.append(ok)
    return _SUBREAPER[0]


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


def launch_chromium(playwright):
    """Return Debian's headless Chromium (WebGL through SwiftShader) launched through Playwright."""
    if not chromium_available():
        raise RuntimeError(f"Chromium not found at {CHROMIUM} (installed by .ci/system-deps)")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


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
