"""Helpers for the browser tests: the app under gunicorn on loopback, and pages in headless Debian Chromium.

The server and the browser are started by bench/harness.py, shared with the benchmarks. What is here is
the tests' own: a page whose every request is recorded (one that leaves 127.0.0.1 is aborted and counted as
a failure), and a person's way of choosing in a dropdown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# The gunicorn and Chromium helpers are shared with the benchmarks and live there (bench/ never imports
# tests/); re-exported so that the tests keep one place to import them from.
from bench.harness import (  # noqa: F401
    CHROMIUM,
    CHROMIUM_ARGS,
    REPO,
    Server,
    chromium_available,
    free_port,
    gunicorn_command,
    wait_for_map,
)


class Gunicorn(Server):
    """`gunicorn app:server` on a free loopback port, with the dataset in `build`; ready within 60 s.

    `stop()` returns the server's log, which the tests check for tracebacks.
    """

    def __init__(self, build: Path, workers: int = 2, extra_env: dict | None = None):
        super().__init__(
            "app:server", workers, build, timeout_s=60, extra_env=extra_env, worker_timeout_s=60, poll_s=0.2
        )


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


def choose_in_dropdown(page, selector: str, query: str, option_text: str) -> None:
    """Open a Dash dropdown, type `query` into its search box and click the option `option_text`,
    as a person does (Dash 4 focuses the selected option on opening, not the search box)."""
    page.locator(selector).click()
    search = page.locator("input.dash-dropdown-search:visible")
    search.fill(query)
    page.get_by_text(option_text, exact=True).first.click()
