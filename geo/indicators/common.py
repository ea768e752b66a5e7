"""Building blocks the indicator readers share: tidy values, a record of what went missing, safe file access.

A reader turns one catalogued source into rows of `geo.schema.VALUE_COLUMNS` and a note for the build
report. `Collector` does the bookkeeping so that every reader reports the same facts the same way:

- values a publisher suppressed (`X`, `*`, `-`, empty, NA) are *missing*, never zero, and counted per
  indicator under `suppressed`;
- cells that are neither a number nor a suppression marker are listed under `unparsable` (row, column,
  value; the first 50) so that a person can look them up in the file;
- values that cannot be computed (a rate over a population of zero) are counted under `not_computable`;
- codes a reader leaves out on purpose are listed under `excluded` with the reason.

File access helpers turn whatever a parsing library raises into `SourceCorrupt` naming the file, so the
build can report the source as failed and go on with the others.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from python_calamine import CalamineWorkbook

from geo.errors import SchemaError, SourceCorrupt
from geo.readers import read_table, to_number
from geo.schema import VALUE_COLUMNS, check_unique

# How many unparsable cells a note lists; the count is always complete.
UNPARSABLE_LISTED = 50


@dataclass(frozen=True)
class Num:
    """A column of parsed numbers and the mask of cells the source marked as suppressed.

    Arithmetic carries the mask along: a share computed from a suppressed count is itself suppressed, so
    the note counts it as such rather than as a computation failure.
    """

    value: pd.Series
    suppressed: pd.Series

    @classmethod
    def of(cls, value: pd.Series) -> Num:
        """Wrap numbers without a suppression marker (binary formats where NA is the only marker)."""
        value = value.astype("float64")
        return cls(value, value.isna())

    def subset(self, index: pd.Index) -> Num:
        """Return the numbers (and mask) of the rows in `index`."""
        return Num(self.value.loc[index], self.suppressed.loc[index])

    def blank(self, where: pd.Series) -> Num:
        """Return the numbers with the rows in `where` made missing, as if the source had suppressed them."""
        return Num(self.value.where(~where), self.suppressed | where)

    def _combine(self, other: Num | float, op: Callable[[Any, Any], Any]) -> Num:
        if isinstance(other, Num):
            return Num(op(self.value, other.value), self.suppressed | other.suppressed)
        return Num(op(self.value, other), self.suppressed)

    def __add__(self, other: Num | float) -> Num:
        return self._combine(other, lambda a, b: a + b)

    def __sub__(self, other: Num | float) -> Num:
        return self._combine(other, lambda a, b: a - b)

    def __mul__(self, other: Num | float) -> Num:
        return self._combine(other, lambda a, b: a * b)

    def __truediv__(self, other: Num | float) -> Num:
        return self._combine(other, lambda a, b: a / b)

    def __pow__(self, other: float) -> Num:
        return self._combine(other, lambda a, b: a**b)


@dataclass
class SourceValues:
    """What a reader returns: the tidy values of one source and its note for the build report."""

    source: str
    values: pd.DataFrame
    note: dict[str, Any]


def annual_rate(start: Num, end: Num, years: float) -> Num:
    """Return the compound annual change in % per year between two population counts `years` apart."""
    return ((end / start) ** (1.0 / years) - 1.0) * 100.0


def annual_rate_from_total(total_pct: Num, years: float) -> Num:
    """Return the compound annual change in % per year from a total change in % over `years` years."""
    return ((total_pct / 100.0 + 1.0) ** (1.0 / years) - 1.0) * 100.0


@dataclass
class Collector:
    """Accumulates the values of one source and the facts the build report needs about them."""

    source_id: str
    path: Path
    _pieces: list[pd.DataFrame] = field(default_factory=list)
    suppressed: Counter = field(default_factory=Counter)
    not_computable: Counter = field(default_factory=Counter)
    unparsable: list[dict[str, Any]] = field(default_factory=list)
    unparsable_count: int = 0
    excluded: list[dict[str, Any]] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    _started: float = field(default_factory=time.perf_counter)

    def number(
        self,
        cells: pd.Series,
        column: str | None = None,
        *,
        decimal: str = ".",
        thousands: str | None = None,
        suppressed: frozenset[str] | None = None,
    ) -> Num:
        """Parse a column of cells as numbers in the given format; record cells that are not numbers.

        The index of `cells` must be the row number a person sees in the file (see `file_rows`), because
        that is what the note lists for an unparsable cell; `column` (default: the series name) names it.
        """
        column = str(column if column is not None else cells.name)
        kwargs = {"suppressed": suppressed} if suppressed is not None else {}
        values, bad = to_number(cells, decimal=decimal, thousands=thousands, **kwargs)
        if bad.any():
            self.unparsable_count += int(bad.sum())
            room = UNPARSABLE_LISTED - len(self.unparsable)
            for row in bad[bad].index[: max(room, 0)]:
                self.unparsable.append({"row": _plain(row), "column": column, "value": str(cells.at[row])})
        return Num(values, values.isna() & ~bad)

    def add(
        self,
        indicator: str,
        unit_ids: pd.Series,
        num: Num,
        year: int,
        period: str | None = None,
    ) -> None:
        """Add one indicator for one year: a row per unit with a value; missing values get no row."""
        if not unit_ids.index.equals(num.value.index):
            raise ValueError(f"{self.source_id}/{indicator}: unit ids and values are not aligned")
        value = num.value.replace([np.inf, -np.inf], np.nan)
        missing = value.isna()
        if n := int((missing & num.suppressed).sum()):
            self.suppressed[indicator] += n
        if n := int((missing & ~num.suppressed).sum()):
            self.not_computable[indicator] += n
        keep = ~missing
        piece = pd.DataFrame(
            {
                "unit_id": unit_ids[keep].to_numpy(dtype=object),
                "indicator": indicator,
                "year": int(year),
                "value": value[keep].to_numpy(dtype="float64"),
                "source": self.source_id,
                "period": period,
            }
        )
        self._pieces.append(piece)

    def skip(self, reason: str, count: int) -> None:
        """Record rows of the file that are deliberately not read (totals, footnotes, sub-units)."""
        if count:
            self.skipped[reason] = self.skipped.get(reason, 0) + int(count)

    def exclude(self, codes: Iterable[str], reason: str, indicator: str | None = None) -> None:
        """Record codes left out of an indicator on purpose, each with the reason."""
        for code in codes:
            entry = {"code": str(code), "reason": reason}
            if indicator:
                entry["indicator"] = indicator
            self.excluded.append(entry)

    def finish(self) -> SourceValues:
        """Return the tidy values (`VALUE_COLUMNS`, canonical dtypes) and the note of this source."""
        values = conform_values(self._pieces)
        # One reader must never emit the same (unit, indicator, year) twice: that would be a bug in the
        # reader or a duplicated code the checks missed.
        if values.duplicated(["unit_id", "indicator", "year"]).any():  # cheap test; the message only if needed
            key = values["unit_id"] + " " + values["indicator"] + " " + values["year"].astype(str)
            check_unique(
                pd.DataFrame({"unit, indicator and year": key}), "unit, indicator and year", self.source_id, self.path
            )
        years = values.groupby("indicator")["year"].agg(lambda y: sorted(set(y.tolist())))
        note: dict[str, Any] = {
            "source": self.source_id,
            "path": str(self.path),
            "rows": len(values),
            "units": int(values["unit_id"].nunique()),
            "indicators": {
                ind: {"years": yrs, "rows": int((values["indicator"] == ind).sum())} for ind, yrs in years.items()
            },
            "suppressed": dict(self.suppressed),
            "not_computable": dict(self.not_computable),
            "unparsable": self.unparsable,
            "unparsable_count": self.unparsable_count,
            "excluded": self.excluded,
            "skipped": self.skipped,
            "seconds": round(time.perf_counter() - self._started, 3),
        }
        note.update(self.facts)
        return SourceValues(self.source_id, values, note)


def conform_values(pieces: list[pd.DataFrame]) -> pd.DataFrame:
    """Return the pieces as one table with exactly `VALUE_COLUMNS` and their canonical dtypes."""
    if pieces:
        values = pd.concat(pieces, ignore_index=True)
    else:
        values = pd.DataFrame({c: [] for c in VALUE_COLUMNS})
    return pd.DataFrame(
        {
            "unit_id": values["unit_id"].astype("string"),
            "indicator": values["indicator"].astype("string"),
            "year": values["year"].astype("int64"),
            "value": values["value"].astype("float64"),
            "source": values["source"].astype("string"),
            "period": values["period"].astype("string"),
        }
    )[VALUE_COLUMNS]


def _plain(value: Any) -> Any:
    """Return a JSON-friendly scalar (numpy integers become int) for the note."""
    return value.item() if isinstance(value, np.generic) else value


def file_rows(frame: pd.DataFrame, first_data_row: int) -> pd.DataFrame:
    """Index `frame` by the row number a person sees when opening the file (1-based)."""
    frame = frame.reset_index(drop=True)
    frame.index = frame.index + first_data_row
    return frame


def read_csv(source_id: str, path: Path, **read_csv_kwargs: Any) -> pd.DataFrame:
    """Read a CSV as strings, indexed by spreadsheet row (header = row 1); parse errors -> `SourceCorrupt`."""
    return file_rows(read_table(source_id, path=path, **read_csv_kwargs), first_data_row=2)


def read_sheet(source_id: str, path: Path, sheet: str | None = None) -> list[list[Any]]:
    """Return the cells of one worksheet (xlsx or legacy xls) as rows of Python values, nothing inferred.

    python-calamine is used directly rather than through `pandas.read_excel`: pandas would infer types
    column by column (turning the text code "001272" into 1272 and the comune "None" into NaN), and
    reading from a file object lets calamine recognise the format by content rather than by extension.
    """
    try:
        with path.open("rb") as f:
            book = CalamineWorkbook.from_filelike(f)
            names = book.sheet_names
            if sheet is not None and sheet not in names:
                raise SchemaError(source_id, path, f"has no sheet '{sheet}' (renamed?); it has: {', '.join(names)}")
            return book.get_sheet_by_name(sheet if sheet is not None else names[0]).to_python()
    except SchemaError:
        raise
    except Exception as exc:  # calamine raises its own error types and zip/OLE errors: all mean unreadable
        raise SourceCorrupt(source_id, path, f"cannot be read as a spreadsheet: {brief(exc)}") from exc


def read_binary(source_id: str, path: Path, what: str, reader: Callable[[Path], Any]) -> Any:
    """Call `reader(path)` for a binary format (feather, rda, GeoJSON); any failure -> `SourceCorrupt`."""
    try:
        return reader(path)
    except Exception as exc:  # pyarrow, librdata and GDAL raise many kinds: all mean unreadable
        raise SourceCorrupt(source_id, path, f"cannot be read as {what}: {brief(exc)}") from exc


def drop_identical_duplicates(
    frame: pd.DataFrame, key: str, compare: list[str], source_id: str, path: Path
) -> tuple[pd.DataFrame, int]:
    """Drop rows that repeat a code with identical `compare` values; raise `DuplicateCodes` otherwise.

    Some files repeat a unit on several rows (one per postal code, or one per polygon part) with the same
    figures: harmless, so they are collapsed. A code repeated with *different* figures is a real conflict.
    Returns the frame and the number of rows dropped.
    """
    unique = frame.drop_duplicates(subset=[key, *compare])
    check_unique(unique, key, source_id, path)
    return unique, len(frame) - len(unique)


def brief(exc: BaseException, limit: int = 300) -> str:
    """Return the first line of an exception message, for a problem statement in a note or error."""
    lines = str(exc).strip().splitlines()
    return (lines[0] if lines else type(exc).__name__)[:limit]
