"""An interrupted benchmark stops every server and browser it started (bench.harness.stopping_everything).

`timeout 170 python -m bench --quick` used to leave a gunicorn master and its workers running: Python's
default SIGTERM ends the process without its `finally` blocks, and gunicorn, in a session of its own, never
saw the signal. These tests start a benchmark entry in a subprocess, note every process below it once its
servers (and browser) are up, interrupt it and check that none of those processes is left.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bench.harness import REPO, descendants


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _running(pid: int) -> bool:
    """True while `pid` exists and is not a zombie (a zombie has ended; it only waits to be reaped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _wait_for(predicate, timeout_s: float, what: str, process: subprocess.Popen):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if process.poll() is not None:
            raise AssertionError(f"the benchmark ended before {what}: {process.stderr.read()[-3000:]}")
        time.sleep(0.2)
    raise AssertionError(f"no {what} within {timeout_s:.0f} s")


def _interrupt_and_check(process: subprocess.Popen, started: list[int], signum: int) -> None:
    """Send `signum` to the benchmark alone (as `kill` does), and check it ends and leaves none of `started`."""
    process.send_signal(signum)
    try:
        process.wait(timeout=90)
    except subprocess.TimeoutExpired:
        for pid in [*started, process.pid]:  # (the test must not leave them either)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        raise AssertionError("the benchmark did not end within 90 s of the signal") from None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_running(p) for p in started):
        time.sleep(0.1)
    left = {p: _cmdline(p) for p in started if _running(p)}
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert left == {}, f"left running after {signal.Signals(signum).name}: {left}"


def _start(args: list[str], build: Path) -> subprocess.Popen:
    env = dict(os.environ, PLURALPS_BUILD=str(build), PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-m", *args], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


@pytest.mark.integration
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_an_interrupted_server_entry_stops_gunicorn_master_and_workers(build_folder, signum):
    process = _start(["bench.harness", "app:server"], build_folder)
    try:
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), process.stderr.read()[-3000:]
        with urllib.request.urlopen(url + "/healthz", timeout=10) as response:
            assert response.status == 200

        def master_and_workers():
            pids = [p for p in descendants(process.pid) if "gunicorn" in _cmdline(p)]
            return pids if len(pids) >= 3 else None

        gunicorn = _wait_for(master_and_workers, 60, "gunicorn master with two workers", process)
        _interrupt_and_check(process, gunicorn, signum)
        assert process.returncode != 0  # interrupted, and says so
        with pytest.raises(urllib.error.URLError):  # nothing answers on the port any more
            urllib.request.urlopen(url + "/healthz", timeout=2)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.browser
@pytest.mark.integration
def test_an_interrupted_quick_benchmark_stops_its_servers_and_chromium(build_folder):
    process = _start(["bench", "--quick"], build_folder)
    try:

        def servers_and_browser():
            pids = descendants(process.pid)
            lines = [_cmdline(p) for p in pids]
            gunicorn = sum("gunicorn" in c for c in lines)
            chromium = sum("chromium" in c or "chrome" in c for c in lines)
            # Both apps (a master and two workers each) and the browser: the state `timeout` found it in.
            return pids if gunicorn >= 6 and chromium >= 1 else None

        started = _wait_for(servers_and_browser, 180, "two servers and Chromium", process)
        time.sleep(2)  # well inside the browser runs
        _interrupt_and_check(process, sorted(set(started) | set(descendants(process.pid))), signal.SIGTERM)
        assert process.returncode == 128 + signal.SIGTERM
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
