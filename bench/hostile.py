"""What each hostile upload costs: the reader's child process, and the worker serving it.

    python -m bench.hostile [--runs 3]

For every file of the corpus (bench/hostile_files.py): the answer (refused with which message, or read),
the child's peak resident memory (its own VmHWM), its CPU time and the wall time from the worker's side,
median over `--runs`. Then the whole corpus is sent to a gunicorn worker of the real app while another
client keeps asking the health page: the worker's RSS before and after, and the other client's latency
meanwhile. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

from bench.hostile_files import corpus
from bench.soak import UPDATE, Callbacks, Client
from bench.support import Server, log, summary
from dashboard.upload.limits import LIMITS
from dashboard.upload.sandbox import run_reader


def child_costs(runs: int) -> list[dict]:
    rows = []
    for hostile in corpus():
        data = hostile.make()
        measured = [run_reader(hostile.filename, data) for _ in range(runs)]
        answer = measured[0].result.get("error") or f"read {len(measured[0].result.get('rows', [])) - 1} rows"
        rows.append(
            {
                "file": hostile.name,
                "kb": round(len(data) / 1024, 1),
                "answer": answer,
                "expected": hostile.refuse or f"read {hostile.expect_rows} rows",
                "exit": measured[0].exit,
                "peak_rss_mb": max(m.peak_rss_mb for m in measured),
                "cpu_s": round(statistics.median(m.cpu_s for m in measured), 3),
                "wall_ms": round(statistics.median(m.wall_s for m in measured) * 1000, 1),
            }
        )
    return rows


def _rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024


def worker_through_corpus(rounds: int) -> dict:
    """The corpus `rounds` times through one worker, another client asking /healthz meanwhile."""
    import base64

    with Server(workers=1) as server:
        [worker] = server.wait_for_workers()
        client = Client(server.url)
        callbacks = Callbacks(client)

        def upload(filename: str, data: bytes) -> dict:
            contents = "data:application/octet-stream;base64," + base64.b64encode(data).decode()
            body = callbacks.body("upload-form", {"upload-file.contents": contents, "upload-file.filename": filename})
            return client.post_json(UPDATE, body)

        for _ in range(3):  # warm: the first upload loads the reader's imports in the worker
            upload("warm.csv", b"unit_id,value\nAT_70101,1\n")
        rss_before = _rss_mb(worker)
        others: list[float] = []
        stop = threading.Event()

        def other_person():
            while not stop.is_set():
                started = time.perf_counter()
                with urllib.request.urlopen(server.url + "/healthz", timeout=60):
                    pass
                others.append((time.perf_counter() - started) * 1000)
                time.sleep(0.02)

        thread = threading.Thread(target=other_person, daemon=True)
        thread.start()
        statuses, upload_ms = [], []
        files = [(h.filename, h.make()) for h in corpus()]
        try:
            for _ in range(rounds):
                for filename, data in files:
                    started = time.perf_counter()
                    statuses.append(upload(filename, data)["status"])
                    upload_ms.append((time.perf_counter() - started) * 1000)
        finally:
            stop.set()
            thread.join(timeout=60)
        time.sleep(0.5)
        rss_after = _rss_mb(worker)
        alive = server.worker_pids() == [worker]
        tracebacks = server.log_text().count("Traceback")
    return {
        "uploads": len(statuses),
        "http_errors": sum(1 for s in statuses if s != 200),
        "upload_ms": summary(upload_ms, p95=True),
        "other_client_ms": summary(others, p95=True),
        "worker_rss_mb_before": round(rss_before, 1),
        "worker_rss_mb_after": round(rss_after, 1),
        "worker_rss_change_pct": round((rss_after / rss_before - 1) * 100, 1),
        "worker_never_replaced": alive,
        "tracebacks_in_log": tracebacks,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hostile", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each file through the reader (median)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the whole corpus through the worker")
    args = parser.parse_args(argv)
    log(
        f"hostile corpus through the reader, {args.runs} runs each (caps: {LIMITS.memory_mb} MB, "
        f"{LIMITS.cpu_seconds} s CPU, {LIMITS.wall_seconds} s wall)"
    )
    rows = child_costs(args.runs)
    print(f"{'file':46} {'KB':>8}  {'answer':22} {'peak MB':>8} {'CPU s':>6} {'wall ms':>8}")
    for row in rows:
        mark = "" if row["answer"] == row["expected"] else f"  (expected {row['expected']})"
        print(
            f"{row['file']:46} {row['kb']:8.1f}  {row['answer']:22} {row['peak_rss_mb']:8.1f} "
            f"{row['cpu_s']:6.2f} {row['wall_ms']:8.1f}{mark}"
        )
    log(f"the corpus through one gunicorn worker, {args.rounds} rounds, another client meanwhile")
    worker = worker_through_corpus(args.rounds)
    print(
        f"worker: {worker['uploads']} uploads, {worker['http_errors']} HTTP errors, upload p50 "
        f"{worker['upload_ms']['median']} ms / p95 {worker['upload_ms']['p95']} ms; other client p95 "
        f"{worker['other_client_ms']['p95']} ms; worker RSS {worker['worker_rss_mb_before']} -> "
        f"{worker['worker_rss_mb_after']} MB ({worker['worker_rss_change_pct']:+} %, target within 10 %), "
        f"never replaced: {worker['worker_never_replaced']}"
    )
    print(json.dumps({"files": rows, "worker": worker}))
    ok = (
        all(r["answer"] == r["expected"] for r in rows)
        and worker["http_errors"] == 0
        and worker["worker_never_replaced"]
        and abs(worker["worker_rss_change_pct"]) <= 10
        and worker["tracebacks_in_log"] == 0
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
