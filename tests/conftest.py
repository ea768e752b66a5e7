"""Shared fixtures: the real data mirror (skipped when absent) and a clean catalogue cache per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from geo import sources


@pytest.fixture
def mirror() -> Path:
    """The data mirror named by PLURALPS_SOURCES; tests that need it skip when it is not there."""
    root = Path(os.environ.get("PLURALPS_SOURCES", "data/sources")).resolve()
    if not (root / "gisco" / "nuts" / "NUTS_RG_10M_2021_4326.geojson").is_file():
        pytest.skip(f"data mirror not found at {root} (set PLURALPS_SOURCES)")
    return root


@pytest.fixture(autouse=True)
def _fresh_catalogue():
    """Reset the catalogue cache so a test that edits the catalogue cannot leak into others."""
    sources.catalogue.cache_clear()
    yield
    sources.catalogue.cache_clear()
