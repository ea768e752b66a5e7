"""The limits an upload must keep, defined once: the page states them, the reader enforces them.

Dependency-free, so that the reader's child process (dashboard/upload/reader.py, run as a script) receives
the very same numbers as JSON from the worker that starts it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

MIB = 1024 * 1024


@dataclass(frozen=True)
class UploadLimits:
    """What a file may hold, and what reading it may cost."""

    bytes: int = 5 * MIB  # the file as uploaded
    rows: int = 50_000  # data rows under the header
    columns: int = 60
    cells: int = 1_000_000  # non-empty cells: all 17,766 units x 56 indicators fit
    text_chars: int = 10_000_000  # characters in all cells together (twice what a 5 MB CSV can hold)
    cell_chars: int = 32_767  # characters in one cell: Excel's own limit
    title_rows: int = 10  # rows a sheet may have above its header (titles, notes)
    unzipped_bytes: int = 40 * MIB  # an XLSX of 5 MB may hold this much XML, not more
    zip_ratio: int = 150  # XML compresses well, but not 1000:1 like a bomb
    zip_entries: int = 400
    # What reading one file may cost, enforced on the child process by the kernel (address space, CPU)
    # and by the worker's clock (wall time). The largest file the limits above let through, an XLSX of a
    # million cells, needs about 140 MB and 4 s of CPU (bench/hostile.py measures every file of the corpus).
    memory_mb: int = 1024
    cpu_seconds: int = 15
    wall_seconds: int = 20

    def as_dict(self) -> dict:
        return asdict(self)


LIMITS = UploadLimits()
