"""Where the real data mirror is, for the tests that need it: skipped when absent, a failure where
PLURALPS_REQUIRE_MIRROR=1 (set by .ci/run), so CI never passes with its real-data tests silently skipped."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

MARKER = Path("gisco") / "nuts" / "NUTS_RG_10M_2021_4326.geojson"


def mirror_root() -> Path | None:
    """The mirror named by PLURALPS_SOURCES, or None when it is not there."""
    root = Path(os.environ.get("PLURALPS_SOURCES", "data/sources")).resolve()
    return root if (root / MARKER).is_file() else None


def require_mirror() -> Path:
    """Return the mirror; skip the test without it (fail it when PLURALPS_REQUIRE_MIRROR=1)."""
    root = mirror_root()
    if root is not None:
        return root
    message = "data mirror not found (set PLURALPS_SOURCES)"
    if os.environ.get("PLURALPS_REQUIRE_MIRROR") == "1":
        pytest.fail(f"{message}; PLURALPS_REQUIRE_MIRROR=1 says it must be there", pytrace=False)
    pytest.skip(message)
