"""Shared fixtures: the real data mirror (skipped when absent, a failure in CI), the synthetic build, one
Dash app per process serving either, and a clean catalogue cache per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo import sources
from tests.mirror import require_mirror


@pytest.fixture
def mirror() -> Path:
    """The data mirror named by PLURALPS_SOURCES (tests.mirror: skipped when absent, failed in CI)."""
    return require_mirror()


@pytest.fixture(autouse=True)
def _fresh_catalogue():
    """Reset the catalogue cache so a test that edits the catalogue cannot leak into others."""
    sources.catalogue.cache_clear()
    yield
    sources.catalogue.cache_clear()


@pytest.fixture(scope="session")
def build_folder() -> Path:
    """The real dataset, built from the mirror into PLURALPS_BUILD (data/build); at once when it is current."""
    from geo.build import build
    from geo.settings import build_dir

    root = require_mirror()
    out = build_dir()
    build(root, out)
    return out


_LOADED: dict = {}  # one Dash app per process and one Atlas per build folder


def _loaded(folder: Path):
    """Return the Atlas of `folder`, loaded once; the first call creates the process's one Dash app (Dash
    takes the views' callbacks once), later ones load their build beside it."""
    from dashboard import create_app
    from dashboard.atlas import load_atlas
    from dashboard.context import atlas as current

    if "app" not in _LOADED:
        _LOADED["app"] = create_app(folder)
        _LOADED[folder] = current()
    if folder not in _LOADED:
        _LOADED[folder] = load_atlas(folder)
    return _LOADED[folder]


@pytest.fixture(scope="session")
def dash_app(build_folder):
    """The Dash app on the real dataset (callbacks registered, dataset loaded once)."""
    from dashboard.context import set_atlas

    set_atlas(_loaded(build_folder))
    return _LOADED["app"]


@pytest.fixture(scope="session")
def atlas(dash_app, build_folder):
    return _loaded(build_folder)


@pytest.fixture(scope="session")
def synthetic_build(tmp_path_factory) -> Path:
    """The synthetic build of tests/synthetic.py (31 units, four countries), written by the real writer."""
    from tests.synthetic import write_synthetic_build

    return write_synthetic_build(tmp_path_factory.mktemp("synthetic") / "build")


@pytest.fixture
def synthetic_atlas(synthetic_build):
    """The synthetic build as the process's dataset for one test (the one before comes back after)."""
    from dashboard.context import using

    with using(_loaded(synthetic_build)) as dataset:
        yield dataset


@pytest.fixture
def synthetic_app(synthetic_atlas):
    """The process's Dash app, serving the synthetic build for one test."""
    return _LOADED["app"]
