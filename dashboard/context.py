"""The process-wide dataset, set once at start-up and read by every callback (never written after)."""

from __future__ import annotations

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
