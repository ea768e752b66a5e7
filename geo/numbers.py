"""Numbers as national statistical offices write them: decimal commas, thousands dots, suppression marks.

Kept apart from geo.readers (and free of GeoPandas) because the dashboard parses uploaded tables with it.
"""

from __future__ import annotations

import pandas as pd

# Markers national statistical offices use for "no value": suppressed (X, *), not applicable (-, .),
# not available (..). All become missing.
SUPPRESSED = frozenset({"", "-", "X", "x", "*", ".", "..", "…", "NA", "n/a", ":"})


def to_number(
    values: pd.Series,
    *,
    decimal: str = ".",
    thousands: str | None = None,
    suppressed: frozenset[str] = SUPPRESSED,
) -> tuple[pd.Series, pd.Series]:
    """Parse numbers written in a national format; return (floats, mask of values that were not numbers).

    Suppression markers become NaN and are *not* flagged as bad; anything else that does not parse is NaN
    and flagged, so the report can list it. Numeric input passes through unchanged.
    """
    if pd.api.types.is_numeric_dtype(values):
        floats = values.astype("float64")
        return floats, pd.Series(False, index=values.index)
    text = values.astype("string").str.strip()
    is_suppressed = text.isna() | text.isin(suppressed)
    cleaned = text
    if thousands:
        cleaned = cleaned.str.replace(thousands, "", regex=False)
    if decimal != ".":
        cleaned = cleaned.str.replace(decimal, ".", regex=False)
    cleaned = cleaned.str.replace("\u00a0", "", regex=False).str.replace(" ", "", regex=False)
    parsed = pd.to_numeric(cleaned.where(~is_suppressed), errors="coerce").astype("float64")
    bad = parsed.isna() & ~is_suppressed
    return parsed, bad
