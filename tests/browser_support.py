"""Helpers for the browser tests: the app under gunicorn on loopback, and headless Debian Chromium.

Chromium starts with the flags this machine needs (no sandbox as root, no GPU: WebGL through SwiftShader)
and with background networking off, so the only requests are the page's own. Every request the page makes
is recorded; one that leaves 127.0.0.1 is aborted and counted as a failure by the tests.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

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
REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chromium_available() -> bool:
    return Path(CHROMIUM).is_file() or shutil.which(CHROMIUM) is not None


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


class Gunicorn:
    """`gunicorn app:server` on a free loopback port, with the dataset in `build`."""

    def __init__(self, build: Path, workers: int = 2, extra_env: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, PLURALPS_BUILD=str(build), **(extra_env or {}))
        self.process = subprocess.Popen(
            gunicorn_command(self.port, workers),
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.process.stdout.read()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not become ready in 60 s")

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self.process.stdout.read() if self.process.stdout else ""


@dataclass
class PageLog:
    """What the page did that a test may check: console errors, page errors, requests."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return self.console_errors + self.page_errors + [f"request left the machine: {u}" for u in self.outside]


def open_page(browser, base_url: str, viewport=(1500, 950)):
    """Return (page, log) in a fresh context: requests to anything but `base_url` are aborted and logged."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    log = PageLog()

    def route(route_, request):
        log.requests.append(request.url)
        if request.url.startswith(base_url) or request.url.startswith(("data:", "blob:")):
            route_.continue_()
        else:
            log.outside.append(request.url)
            route_.abort()

    context.route("**/*", route)
    page.on("console", lambda m: log.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log.page_errors.append(str(e)))
    return page, log


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


def choose_in_dropdown(page, selector: str, query: str, option_text: str) -> None:
    """Open a Dash dropdown, type `query` into its search box and click the option `option_text`,
    as a person does (Dash 4 focuses the selected option on opening, not the search box)."""
    page.locator(selector).click()
    search = page.locator("input.dash-dropdown-search:visible")
    search.fill(query)
    page.get_by_text(option_text, exact=True).first.click()
