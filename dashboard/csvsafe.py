"""CSV export that a spreadsheet cannot mistake for formulas (CSV/formula injection, OWASP).

A cell starting with =, +, -, @, a tab or a carriage return is run as a formula by Excel and LibreOffice.
Such text cells are prefixed with an apostrophe; numbers (a negative value is a number, not a formula) are
written as numbers.
"""

from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Return `value`, with text that a spreadsheet would evaluate prefixed by an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_csv(frame: pd.DataFrame) -> str:
    """Return `frame` as CSV text (UTF-8, header row) with every text cell neutralised."""
    cleaned = frame.copy()
    for column in cleaned.columns:
        if not pd.api.types.is_numeric_dtype(cleaned[column]):
            cleaned[column] = cleaned[column].map(neutralise)
    cleaned.columns = [neutralise(str(c)) for c in cleaned.columns]
    return cleaned.to_csv(index=False, lineterminator="\n")
