"""Run the upload reader in a child process with a memory, CPU and wall-clock limit.

The worker hands the file's bytes to `python -I dashboard/upload/reader.py` on stdin and reads one JSON
object back. Whatever the file does to the reader (a spreadsheet that asks for gigabytes, XML that loops,
a crash in the native XLSX parser), only the child dies: the kernel stops it at `memory_mb` of address space
or `cpu_seconds` of CPU, this module kills it after `wall_seconds`, and the worker answers with the limit
that was reached. The child gets an empty environment (no secrets of the server's) and may write no file.

Each run reports the child's peak memory (its own VmHWM) and CPU time (the kernel's account of the reaped child),
which the log keeps and bench/hostile.py prints for every file of the hostile corpus.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from dashboard.upload.limits import LIMITS, UploadLimits

READER = Path(__file__).with_name("reader.py")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReaderRun:
    """What the child answered, and what it cost."""

    result: dict  # {"rows", "file_type", ...} or {"error", "values"}
    peak_rss_mb: float
    cpu_s: float
    wall_s: float
    exit: str  # "ok", "killed: memory", "killed: cpu", "killed: time", "crashed: <signal or code>"


def run_reader(filename: str, data: bytes, limits: UploadLimits = LIMITS) -> ReaderRun:
    """Read `data` in a capped child process; never raises for anything the file does."""
    request = json.dumps({"filename": str(filename or "")[:300], "limits": limits.as_dict()})
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-I", str(READER), request],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=child_environment(),
        close_fds=True,
    )
    timed_out = threading.Event()

    def kill_late():
        timed_out.set()
        _kill(process.pid)

    timer = threading.Timer(limits.wall_seconds, kill_late)
    timer.daemon = True
    timer.start()
    writer = threading.Thread(target=_feed, args=(process, data), daemon=True)
    writer.start()
    try:
        out = process.stdout.read()
    finally:
        process.stdout.close()
        timer.cancel()
        # Reap the child ourselves: wait4 gives its CPU time, which Popen.wait does not.
        try:
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
        except ChildProcessError:  # reaped elsewhere (a SIGCHLD handler): exit code and costs unknown
            process.returncode, usage = -1, None
        writer.join(timeout=1)
    wall = time.perf_counter() - started
    cpu = usage.ru_utime + usage.ru_stime if usage else float("nan")
    code = process.returncode
    if code == 0:
        try:
            result, exit_ = json.loads(out), "ok"
        except (ValueError, UnicodeDecodeError):
            result, exit_ = {"error": "unreadable", "values": {}}, "crashed: no answer"
        if result.get("error") == "parse_limit":
            exit_ = "killed: memory"
    else:
        exit_ = _why(code, timed_out.is_set(), cpu, limits)
        result = {"error": "parse_limit", "values": {"memory": limits.memory_mb, "seconds": limits.wall_seconds}}
    if isinstance(result.get("error"), str) and result["error"] == "parse_limit":
        result["values"] = {"memory": limits.memory_mb, "seconds": limits.wall_seconds}
    # The child's own peak (VmHWM); a child the kernel stopped reached its cap.
    peak_kb = result.pop("peak_rss_kb", None) if code == 0 else None
    peak_mb = peak_kb / 1024 if isinstance(peak_kb, int) and peak_kb > 0 else float(limits.memory_mb)
    run = ReaderRun(result, round(peak_mb, 1), round(cpu, 3), round(wall, 3), exit_)
    log.info(
        "upload read: %s, %s, peak %.0f MB, cpu %.2f s, wall %.2f s",
        result.get("error") or result.get("file_type"),
        exit_,
        run.peak_rss_mb,
        run.cpu_s,
        run.wall_s,
    )
    if "exception" in result:
        log.warning("upload reader failed with %s", result["exception"])
    return run


def child_environment() -> dict[str, str]:
    """The child's whole environment: none of the server's variables (paths, secrets) reach it."""
    return {"LANG": "C.UTF-8"}


def _feed(process: subprocess.Popen, data: bytes) -> None:
    try:
        process.stdin.write(data)
        process.stdin.close()
    except (BrokenPipeError, OSError, ValueError):  # the child stopped reading: it has refused or died
        pass


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _why(code: int, timed_out: bool, cpu: float, limits: UploadLimits) -> str:
    if timed_out:
        return "killed: time"
    if code in (-signal.SIGXCPU, -signal.SIGKILL) and cpu >= limits.cpu_seconds - 0.5:
        return "killed: cpu"
    if code in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGKILL, -signal.SIGBUS, 1):
        # Rust aborts and Python dies with MemoryError (exit 1) when an allocation over the cap fails.
        return "killed: memory"
    return f"crashed: {code}"
