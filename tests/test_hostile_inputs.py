"""Hostile input: every upload of the corpus (bench/hostile_files.py) refused with its message or read and
reported, the child process's caps holding where a check is bypassed, the server answering meanwhile; story
files and URL state that try the same."""

from __future__ import annotations

import base64
import concurrent.futures
import csv
import io
import json
import re
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from bench.hostile_files import corpus, far_cell, formula_injection, payload_codes, shared_string_amplification
from dashboard import i18n
from dashboard.csvsafe import safe_csv
from dashboard.upload.analyse import Choices, analyse
from dashboard.upload.limits import LIMITS, UploadLimits
from dashboard.upload.parse import UploadError, parse_upload
from dashboard.upload.sandbox import run_reader

CORPUS = corpus()


@pytest.mark.parametrize("hostile", CORPUS, ids=[h.name for h in CORPUS])
def test_every_hostile_file_is_refused_with_its_message_or_read(hostile):
    data = hostile.make()
    assert len(data) <= LIMITS.bytes  # each fits the size limit: the other checks must catch it
    if hostile.refuse:
        with pytest.raises(UploadError) as err:
            parse_upload(hostile.filename, data)
        assert err.value.key == hostile.refuse
        # The message exists in every language and every placeholder is filled.
        for lang in i18n.LANGUAGES:
            text = i18n.t(f"upload.error.{err.value.key}", lang, **err.value.values)
            assert text and "{" not in text and f"upload.error.{err.value.key}" not in text, (lang, text)
    else:
        table = parse_upload(hostile.filename, data)
        assert len(table.frame) == hostile.expect_rows


def test_a_refusal_names_the_far_cell_and_the_limits():
    with pytest.raises(UploadError) as err:
        parse_upload("bomb.xlsx", far_cell("XFD1048576"))
    assert err.value.values == {"cell": "XFD1048576", "rows": LIMITS.rows, "columns": LIMITS.columns}
    text = i18n.t("upload.error.sheet_extent", "de", **err.value.values)
    assert "XFD1048576" in text and "60 Spalten" in text


def test_shared_strings_count_each_time_a_cell_uses_them():
    # 100 cells of one 30 KB string are 3 M characters: under the 10 M limit; 400 are 12 M: over it.
    assert len(parse_upload("s.xlsx", shared_string_amplification(rows=100)).frame) == 101
    with pytest.raises(UploadError, match="too_much_text"):
        parse_upload("s.xlsx", shared_string_amplification(rows=400))


def test_the_child_caps_hold_where_the_checks_are_bypassed():
    """With the extent check widened out of the way, calamine really asks for 549 GB: only the child dies."""
    open_door = UploadLimits(rows=2_000_000, columns=20_000, memory_mb=512)
    run = run_reader("bomb.xlsx", far_cell("XFD1048576"), open_door)
    assert run.exit == "killed: memory"
    assert run.result == {"error": "parse_limit", "values": {"memory": 512, "seconds": open_door.wall_seconds}}
    slow = UploadLimits(rows=2_000_000, columns=20_000, memory_mb=8192, cpu_seconds=1, wall_seconds=30)
    run = run_reader("tall.xlsx", far_cell("BH1048576"), slow)
    assert run.exit == "killed: cpu" and 0.9 <= run.cpu_s < 3
    late = UploadLimits(rows=2_000_000, columns=20_000, memory_mb=8192, cpu_seconds=60, wall_seconds=1)
    run = run_reader("tall.xlsx", far_cell("BH1048576"), late)
    assert run.exit == "killed: time" and run.wall_s < 3


def test_the_child_reports_its_own_memory_not_its_parents():
    ballast = bytearray(300 * 1024 * 1024)  # this process grows by 300 MB; the child must not say so
    run = run_reader("x.csv", b"unit_id,value\nAT_70101,1\n")
    del ballast
    assert run.exit == "ok" and 5 < run.peak_rss_mb < 100


def test_the_child_sees_no_environment_of_the_server(monkeypatch):
    monkeypatch.setenv("ATLAS_SECRET", "s3cret")
    source = Path("dashboard/upload/reader.py").read_text()
    assert "environ" not in source  # the reader reads nothing from it; and it gets none:
    run = run_reader("x.csv", b"a,b\n1,2\n")
    assert run.exit == "ok"
    from dashboard.upload import sandbox

    assert "ATLAS_SECRET" not in json.dumps(sandbox.child_environment())


@pytest.fixture
def index(atlas):
    from dashboard.upload.match import UnitIndex

    return UnitIndex(atlas)


@pytest.mark.integration
def test_codes_with_html_and_direction_overrides_are_reported_as_they_are(index):
    analysis = analyse("payload.csv", payload_codes(), Choices(), index)
    report = analysis.report
    assert report["matched"] == 1  # the plain AT_70101 only: an override makes another code
    keys = [u["key"] for u in report["unmatched"]]
    assert "<script>alert(1)</script>" in keys and "AT_70101\u202e" in keys and "\u202eAT_70101" in keys


@pytest.mark.integration
def test_formulas_are_never_numbers_and_leave_only_as_text(index):
    analysis = analyse("formulas.csv", formula_injection(), Choices(), index)
    assert analysis.report["matched"] == 5 and analysis.report["unmatched_count"] == 5
    [dataset] = analysis.datasets
    assert set(dataset.values.values()) == {1.5}
    rows = list(csv.reader(io.StringIO(safe_csv(analysis.unmatched_rows))))
    cells = [cell for row in rows[1:] for cell in row]
    assert cells and not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], cells


# ---- the running server ---------------------------------------------------------------------------------


def _post(url: str, body: dict, timeout: float = 60) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url + "/_dash-update-component",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _upload_body(deps: list[dict], filename: str, data: bytes) -> dict:
    """The request the page sends when a file is chosen (the callback whose input is the upload)."""
    dep = next(d for d in deps if d["inputs"] and d["inputs"][0]["id"] == "upload-file")
    outputs = [
        {"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1]} for o in dep["output"].strip(".").split("...")
    ]
    values = {
        "upload-file.contents": "data:application/octet-stream;base64," + base64.b64encode(data).decode(),
        "upload-file.filename": filename,
    }
    return {
        "output": dep["output"],
        "outputs": outputs,
        "inputs": [{**i, "value": values.get(f"{i['id']}.{i['property']}")} for i in dep["inputs"]],
        "state": [{**s, "value": values.get(f"{s['id']}.{s['property']}")} for s in dep["state"]],
        "changedPropIds": ["upload-file.contents"],
    }


def _workers(server, expected: int | None = None, wait_s: float = 30) -> list[int]:
    """The arbiter's worker pids; with `expected`, wait until that many have booted (gunicorn answers as
    soon as the first worker is up, the second may still be forking)."""
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
    deadline = time.monotonic() + wait_s
    while True:
        pids = sorted(int(p) for p in children.read_text().split())
        if expected is None or len(pids) >= expected or time.monotonic() > deadline:
            return pids
        time.sleep(0.1)


def _rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024


@pytest.mark.browser
def test_the_server_answers_others_and_keeps_its_memory_through_the_corpus(build_folder):
    from tests.browser_support import Gunicorn

    server = Gunicorn(build_folder, workers=2)  # as served: while one worker reads a file, the other answers
    try:
        with urllib.request.urlopen(server.url + "/_dash-dependencies") as response:
            deps = json.loads(response.read())
        workers = _workers(server, expected=2)
        assert len(workers) == 2, workers
        # Warm first: a worker's first uploads grow it by allocator arenas and first-use caches (about 50 MB
        # over the first two passes of the corpus, under 1 % a pass after). The claim is about the warm worker:
        # pass the corpus until no worker grew by 2 % in a pass (at most four passes; the kernel spreads them).
        before = {pid: _rss_mb(pid) for pid in workers}
        for _ in range(4):
            for hostile in CORPUS:
                _post(server.url, _upload_body(deps, hostile.filename, hostile.make()))
            warm, before = before, {pid: _rss_mb(pid) for pid in workers}
            if all(before[pid] <= warm[pid] * 1.02 for pid in workers):
                break
        answered: list[float] = []
        stop = threading.Event()

        def others():  # another person meanwhile: the health page, on and on
            while not stop.is_set():
                started = time.perf_counter()
                with urllib.request.urlopen(server.url + "/healthz", timeout=30) as response:
                    assert response.status == 200
                answered.append(time.perf_counter() - started)
                time.sleep(0.02)

        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            background = pool.submit(others)
            try:
                for hostile in CORPUS:
                    status, body = _post(server.url, _upload_body(deps, hostile.filename, hostile.make()))
                    assert status == 200, (hostile.name, status)
                    text = body.decode()
                    if hostile.refuse:
                        message = i18n.t(f"upload.error.{hostile.refuse}", "en", **_values_of(hostile))
                        assert json.dumps(message[:25])[1:-1] in text, (hostile.name, text[:300])
                        assert '"contents":null' in text.replace(" ", "")  # nothing of a refused file is kept
                    else:
                        assert "upload-summary" in text, hostile.name
            finally:
                stop.set()
            background.result(timeout=60)
        time.sleep(0.5)
        after = {pid: _rss_mb(pid) for pid in workers}
        assert _workers(server) == workers  # no worker died or was replaced
        assert len(answered) > len(CORPUS) and max(answered) < 3, max(answered)
        assert all(after[pid] <= before[pid] * 1.10 for pid in workers), (before, after)
    finally:
        log = server.stop()
    assert "Traceback" not in log, log


def _values_of(hostile) -> dict:
    try:
        parse_upload(hostile.filename, hostile.make())
    except UploadError as exc:  # numbers as the report writes them ("5,242,870")
        return {k: i18n.fmt_number(v, "en") if isinstance(v, (int, float)) else v for k, v in exc.values.items()}
    return {}


# ---- story files: the next issues let a person load one in the browser --------------------------------------

HOSTILE_STORIES = {
    "not TOML": (b"title = [unclosed", "not valid TOML"),
    "not UTF-8": (b"\xff\xfe t\x00i\x00", "not UTF-8"),
    "too large": (b"# " + b"x" * 300_000, "a story may have 200,000"),
    "caption is a number": (b'title.en = "x"\n[[step]]\nindicator = "population"\ncaption = 3\n', "caption must be"),
    "steps not tables": (b"step = [1, 2]\n", "step must be a list"),
    "countries not a list": (
        b'[[step]]\nindicator = "population"\ncountries = "AT"\n',
        "countries must be a list of codes",
    ),
    "classes a string": (b'[[step]]\nindicator = "population"\nclasses = "5"\n', "classes must be"),
    "seconds huge": (b'seconds = 99999999999\n[[step]]\nindicator = "population"\n', "seconds must be"),
    "script id": (b'id = "<script>"\n[[step]]\nindicator = "population"\n', "id must be"),
    "unknown language": (b'[[step]]\nindicator = "population"\ncaption.xx = "hi"\n', "unknown language 'xx'"),
    "too many steps": (b'[[step]]\nindicator = "population"\n' * 60, "60 steps; a story may have 50"),
    "peers of an unknown unit": (b'[[step]]\nindicator = "population"\npeers = "XX_1"\n', "unknown unit for peers"),
    "peers a list": (b'[[step]]\nindicator = "population"\npeers = ["AT_70101"]\n', "unknown unit for peers"),
    "{peers} without peers": (
        b'[[step]]\nindicator = "population"\ncaption.en = "{peers}"\n',
        "unknown placeholder {peers}",
    ),
}


@pytest.mark.integration
@pytest.mark.parametrize("case", list(HOSTILE_STORIES), ids=list(HOSTILE_STORIES))
def test_a_hostile_story_file_is_refused_naming_the_problem(atlas, case):
    from dashboard.stories import StoryError, parse_story

    data, expected = HOSTILE_STORIES[case]
    with pytest.raises(StoryError) as err:
        parse_story(data, atlas, "mine.toml")
    assert str(err.value).startswith("mine.toml: ") and expected in str(err.value), str(err.value)
    assert len(str(err.value)) < 3_000  # a long list of problems is cut, not echoed whole


@pytest.mark.integration
@pytest.mark.parametrize(
    ("years", "expected"),
    [
        ("year = 1850", "has no year 1850"),
        ('year = "2015"', "has no year 2015"),
        ("year = 2015\nsince = 2015", "since must be a year of the indicator before the step's year"),
        ("since = 2011", "since must be a year of the indicator before the step's year"),
        ('year = 2015\nsince = 2011\nchange = "DROP"', "change must be one of abs, rel, pa"),
    ],
)
def test_a_storys_years_must_be_the_indicators(atlas, years, expected):
    from dashboard.stories import StoryError, parse_story

    captions = "".join(f'{lang} = "x"\n' for lang in ("en", "de", "fr", "it", "sl"))
    data = f'[title]\n{captions}[[step]]\nindicator = "foreign_pct"\n{years}\n[step.caption]\n{captions}'
    with pytest.raises(StoryError, match=expected):
        parse_story(data.encode(), atlas, "mine.toml")


def test_a_story_the_dataset_cannot_show_is_left_out_and_logged(synthetic_atlas, caplog):
    from dashboard.stories import load_stories

    stories = load_stories(synthetic_atlas)  # the synthetic build has foreign nationals 2015 only in Austria
    assert "alps-in-change" in stories and "austria-newcomers-2011-2015" not in stories
    assert "austria-newcomers-2011-2015.toml" in caplog.text and "has no year 2011" in caplog.text


@pytest.mark.integration
def test_the_stories_of_the_repository_still_load(atlas):
    from dashboard.stories import STORIES_DIR, load_stories, parse_story

    stories = load_stories(atlas)
    assert stories
    for path in STORIES_DIR.glob("*.toml"):
        assert parse_story(path.read_bytes(), atlas, path.name, path) in stories.values()


# ---- URL state ----------------------------------------------------------------------------------------------


@pytest.mark.integration
@pytest.mark.parametrize(
    "query",
    [
        "?" + "a" * 100_000,
        "?indicator=%00%00&year=\u202e2015",
        "?countries=" + ",".join(["AT"] * 5_000),
        "?unit=<script>alert(1)</script>&lang=../../etc/passwd",
        "?classes=99999999999999999999999&step=-1&story=%2e%2e",
        "?%ff%fe=%ff&view=%F0%9F%92%A3",
    ],
)
def test_hostile_url_state_falls_back_to_defaults(atlas, query):
    from dashboard.session import session

    state, _ = session(query)
    assert state.lang in i18n.LANGUAGES
    assert state.indicator in atlas.catalogue.index
    assert all(c in set(atlas.units["country"]) for c in state.countries)
    assert "<" not in str(state.unit or "")
