"""The processes the benchmarks and the browser tests start, and their end: gunicorn on loopback, Chromium.

One module for both (tests/browser_support.py imports from here; bench/ never imports tests/):

- `gunicorn_command` and `Server`: `gunicorn --preload` serving an app on a free 127.0.0.1 port, in its own
  session (so that its master and workers are one process group to end), its log in a file (a pipe nobody
  reads could fill and stall the server under load);
- `CHROMIUM`, `CHROMIUM_ARGS`, `launch_chromium`: Debian's headless Chromium with the flags this machine
  needs (no sandbox as root, no GPU: WebGL through SwiftShader) and background networking off, so that the
  only requests are the page's own; `wait_for_map` for a page of the atlas;
- `js(name)`: the page scripts of the benchmarks, kept as bench/js/*.js;
- `stopping_everything()`: what an entry point of bench/ runs in, so that an interrupted run (SIGTERM from
  `timeout` or a supervisor, SIGHUP, Ctrl-C) stops every server and browser it started. Python's default
  SIGTERM ends the process at once, without `finally` blocks, and a gunicorn in its own session never sees
  the signal, which is how `timeout 170 python -m bench --quick` used to leave a master and its workers.

Nothing here talks to anything but 127.0.0.1.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
JS_DIR = Path(__file__).resolve().parent / "js"

CHROMIUM = os.environ.get("ATLAS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-default-apps",
    "--enable-unsafe-swiftshader",
    "--use-angle=swiftshader",
]


def free_port() -> int:
    """Return a TCP port of 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def js(name: str) -> str:
    """Return the text of bench/js/`name`.js (read at run time: the scripts are edited as JavaScript)."""
    return (JS_DIR / f"{name}.js").read_text()


# --------------------------------------------------------------------------------------------- gunicorn


def gunicorn_command(port: int, workers: int, target: str = "app:server", timeout_s: int = 60, extra=()) -> list[str]:
    """The command line of `gunicorn --preload` serving `target` on 127.0.0.1:`port` (tests and bench/)."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--preload",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        str(timeout_s),
        *extra,
        target,
    ]


def build_folder() -> Path:
    """Return the build the benchmarks use (PLURALPS_BUILD, default data/build)."""
    from geo.settings import build_dir

    return Path(build_dir()).resolve()


# Every Server not yet stopped, so that an interrupted run can stop the ones whose owner never got them (an
# interrupt while a server was still starting) as well as the others.
_LIVE: list[Server] = []


class Server:
    """`gunicorn --preload` serving `target` ("app:server" or "bench.naive_app:server") on a free loopback port.

    `ready_s` is the time from spawning the process to the first 200 of /healthz, polled every `poll_s`.
    The process is the leader of its own session and process group: `stop(kill=True)` ends the master and
    its workers at once.
    """

    def __init__(
        self,
        target: str = "app:server",
        workers: int = 2,
        build: Path | None = None,
        timeout_s: float = 180,
        extra_args: list[str] | None = None,
        extra_env: dict | None = None,
        worker_timeout_s: int = 120,
        poll_s: float = 0.02,
    ):
        self.target = target
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = tempfile.NamedTemporaryFile("w+", prefix="bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
        env = dict(os.environ, PLURALPS_BUILD=str(build or build_folder()), **(extra_env or {}))
        command = gunicorn_command(self.port, workers, target, worker_timeout_s, extra_args or ())
        started = time.perf_counter()
        self.process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        _LIVE.append(self)
        _stop_at_exit()
        deadline = started + timeout_s
        while True:
            if self.process.poll() is not None:
                text = self.stop()
                raise RuntimeError(f"gunicorn ({target}) exited: {text[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.perf_counter() > deadline:
                self.stop()
                raise RuntimeError(f"gunicorn ({target}) was not ready in {timeout_s:.0f} s")
            time.sleep(poll_s)
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
        from bench.support import process_memory

        return {"master": process_memory(self.process.pid), "workers": [process_memory(p) for p in self.worker_pids()]}

    def stop(self, kill: bool = False) -> str:
        """Stop gunicorn (SIGTERM, graceful); `kill` ends the whole process group at once instead (a worker
        that holds millions of Python objects, as the naive app's, takes seconds to free them on the way out).
        Return its log. A worker left behind by a master that did not wait for it is ended with the group."""
        if kill and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)  # (the group outlives its leader while a member lives)
        with contextlib.suppress(ValueError):
            _LIVE.remove(self)
        text = self.log_text()
        self._log.close()
        with contextlib.suppress(OSError):
            os.unlink(self._log.name)
        return text

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def stop_servers() -> None:
    """Stop every Server of this process not yet stopped, at once (its whole process group)."""
    for server in list(_LIVE):
        with contextlib.suppress(Exception):  # stopping the others matters more than one's error
            server.stop(kill=True)


_AT_EXIT: list[bool] = []


def _stop_at_exit() -> None:
    if not _AT_EXIT:
        atexit.register(stop_servers)
        _AT_EXIT.append(True)


# --------------------------------------------------------------------------------------------- Chromium


def chromium_available() -> bool:
    return Path(CHROMIUM).is_file() or shutil.which(CHROMIUM) is not None


def launch_chromium(playwright):
    """Return Debian's headless Chromium (WebGL through SwiftShader) launched through Playwright."""
    if not chromium_available():
        raise RuntimeError(f"Chromium not found at {CHROMIUM} (installed by .ci/system-deps)")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def wait_for_map(page, key_part: str | None = None, timeout: float = 60_000) -> None:
    """Wait until the map has drawn a payload (whose key contains `key_part`, when given)."""
    if key_part is None:
        page.wait_for_selector("#atlas-map[data-painted-key]", timeout=timeout)
    else:
        page.wait_for_function(
            "part => ((document.getElementById('atlas-map') || {dataset: {}}).dataset.paintedKey || '').includes(part)",
            arg=key_part,
            timeout=timeout,
        )


# --------------------------------------------------------------------------------------------- the end of a run


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
    handed to init: their CPU time leaves this process tree (bench.support.Interference would count it as
    other processes') and an interrupted run could not find them to end them. Orphans now stay this
    process's children (zombies until the exit, which still hold their CPU times) and are reaped at exit."""
    if not _SUBREAPER:
        ok = False
        with contextlib.suppress(OSError, AttributeError):
            ok = ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
        if ok:
            atexit.register(_reap_orphans)
        _SUBREAPER.append(ok)
    return _SUBREAPER[0]


def descendants(root: int) -> list[int]:
    """Return the pids of every live process below `root` (children, their children, ...), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":  # a zombie has ended already; it only waits to be reaped
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def end_descendants(grace_s: float = 5.0) -> list[int]:
    """End every process this one started that is still running (SIGTERM, then SIGKILL after `grace_s`);
    return their pids. With `become_subreaper`, that includes Chromium's orphaned helpers."""
    pids = descendants(os.getpid())
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and any(p in pids for p in descendants(os.getpid())):
        time.sleep(0.05)
    for pid in descendants(os.getpid()):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    _reap_orphans()
    return pids


class Interrupted(SystemExit):
    """Raised in the main thread when the run gets SIGTERM or SIGHUP: a SystemExit (code 128 + signal, as a
    shell reports it), so that `finally` blocks and context managers stop what they started."""

    def __init__(self, signum: int):
        super().__init__(128 + signum)
        self.signum = signum


def _raise_interrupted(signum, _frame) -> None:
    # A second signal while the first one's cleanup runs must not cut that cleanup short.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    raise Interrupted(signum)


@contextlib.contextmanager
def stopping_everything() -> Iterator[None]:
    """Run the body so that, however it ends (return, exception, Ctrl-C, SIGTERM, SIGHUP), every server and
    browser it started is stopped: SIGTERM and SIGHUP become `Interrupted`, the `finally` blocks of the run
    stop their servers, and then whatever is left (a server being started, Chromium's processes) is ended."""
    become_subreaper()
    previous = {sig: signal.signal(sig, _raise_interrupted) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig in previous:
            signal.signal(sig, signal.SIG_IGN)
        try:
            stop_servers()
            left = end_descendants()
            if left:
                print(f"[harness] ended {len(left)} process(es) left running: {left}", file=sys.stderr, flush=True)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.harness [TARGET]`: serve TARGET (default app:server) as the benchmarks do, print its
    URL, and wait until interrupted; a person can open the page, and the tests check that SIGTERM ends it."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.harness", description=main.__doc__.splitlines()[0])
    parser.add_argument("target", nargs="?", default="app:server")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    with stopping_everything():
        server = Server(args.target, workers=args.workers)
        print(server.url, flush=True)
        try:
            while server.process.poll() is None:
                time.sleep(0.2)
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
