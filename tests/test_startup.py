"""Starting the app: a missing or broken dataset is named, with how to rebuild; nothing starts half-broken."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _start(build: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PLURALPS_BUILD=str(build))
    return subprocess.run(
        [sys.executable, "-c", "import app"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )


def test_missing_build_says_where_and_how_to_rebuild(tmp_path):
    result = _start(tmp_path / "nowhere")
    assert result.returncode == 3
    assert f"No dataset at {tmp_path / 'nowhere'}" in result.stderr
    assert "python -m geo.build" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.integration
def test_incomplete_and_corrupt_builds_are_named(build_folder, tmp_path):
    broken = tmp_path / "build"
    shutil.copytree(build_folder, broken)
    (broken / "neighbours.parquet").unlink()
    result = _start(broken)
    assert result.returncode == 3
    assert "incomplete: neighbours.parquet missing" in result.stderr
    shutil.copy(build_folder / "neighbours.parquet", broken / "neighbours.parquet")
    (broken / "units.parquet").write_bytes(b"PAR1 not really")
    result = _start(broken)
    assert result.returncode == 3
    assert "cannot be read" in result.stderr
    assert "Traceback" not in result.stderr
