"""Settings of the data pipeline, read from the environment, each with its help text.

Paths come from the environment so that the same code reads the read-only data mirror in CI, a folder of
official downloads on a workstation, or a mounted volume in a container.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"


@dataclass(frozen=True)
class Setting:
    """One environment setting: its variable, default and what it is for."""

    name: str
    default: str
    help: str

    def value(self) -> str:
        return os.environ.get(self.name) or self.default


SETTINGS = {
    "sources": Setting(
        "PLURALPS_SOURCES",
        str(DATA_DIR / "sources"),
        "Folder holding the source files, laid out as in data/sources.toml (the data mirror or official "
        "downloads). Relative paths are taken from the current directory.",
    ),
    "build": Setting(
        "PLURALPS_BUILD",
        str(DATA_DIR / "build"),
        "Folder the build writes to and the dashboard reads from.",
    ),
}


def source_root() -> Path:
    """Return the folder the source files are read from (PLURALPS_SOURCES)."""
    return Path(SETTINGS["sources"].value()).expanduser().resolve()


def build_dir() -> Path:
    """Return the folder of the built dataset (PLURALPS_BUILD)."""
    return Path(SETTINGS["build"].value()).expanduser().resolve()
