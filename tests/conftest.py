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


def _mirror_root() -> Path | None:
    root = Path(os.environ.get("PLURALPS_SOURCES", "data/sources")).resolve()
    return root if (root / "gisco" / "nuts" / "NUTS_RG_10M_2021_4326.geojson").is_file() else None


@pytest.fixture(scope="session")
def build_folder() -> Path:
    """The real dataset, built from the mirror into PLURALPS_BUILD (data/build); at once when it is current."""
    from geo.build import build
    from geo.settings import build_dir

    root = _mirror_root()
    if root is None:
        pytest.skip("data mirror not found (set PLURALPS_SOURCES)")
    out = build_dir()
    build(root, out)
    return out


@pytest.fixture(scope="session")
def dash_app(build_folder):
    """The Dash app on the real dataset (callbacks registered, dataset loaded once)."""
    from dashboard import create_app

    return create_app(build_folder)


@pytest.fixture(scope="session")
def atlas(dash_app):
    from dashboard.context import atlas as loaded

    return loaded()
