"""The process-wide dataset, set once at start-up and read by every callback (never written after).

Only the tests change it, between requests (`using`): one Dash app per process, run on the real build and
on the synthetic one in turn.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from dashboard.atlas import Atlas

_atlas: Atlas | None = None


def set_atlas(atlas: Atlas) -> None:
    global _atlas
    _atlas = atlas


def atlas() -> Atlas:
    """Return the loaded dataset; fails loudly when the app was not created through create_app."""
    if _atlas is None:
        raise RuntimeError("the dataset is not loaded: create the app with dashboard.create_app()")
    return _atlas


@contextmanager
def using(dataset: Atlas) -> Iterator[Atlas]:
    """Serve `dataset` while the block runs, then the one before (tests switch builds this way)."""
    global _atlas
    previous, _atlas = _atlas, dataset
    try:
        yield dataset
    finally:
        _atlas = previous
