"""From an uploaded file and the person's choices to a report and the datasets to map.

`analyse(filename, data, choices, index)` parses, matches and reads values, and returns an `Analysis`:
the report (rows matched, rows not matched, duplicate codes, values that are not numbers, ratings outside
the SPI scale, empty rows, names to resolve — each with its row number), the datasets built from the good
rows, and the unmatched rows as a table to download. It raises nothing for bad content: a file that cannot
be read at all gives an Analysis with `error` set.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboard.upload.datasets import Dataset
from dashboard.upload.match import (
    KINDS,
    KeySpec,
    UnitIndex,
    detect_key,
    header_metadata,
    match_rows,
    numeric_columns,
    read_values,
)
from dashboard.upload.parse import ParsedTable, UploadError, parse_upload
from dashboard.upload.spi import assessed_column, assessment_year, in_scale, spi_columns

MAX_LISTED = 200


@dataclass
class Choices:
    """What the person chose in the form; anything left None is detected from the file."""

    key_column: str | None = None
    key_kind: str | None = None
    country_column: str | None = None
    country: str | None = None
    columns: dict[str, dict] = field(default_factory=dict)  # value column -> {label, unit, year}
    resolved: dict[int, str] = field(default_factory=dict)  # file row -> unit_id chosen for an ambiguous name


@dataclass
class Analysis:
    error: tuple[str, dict] | None = None
    table: ParsedTable | None = None
    key: KeySpec | None = None
    value_columns: list[str] = field(default_factory=list)
    spi: dict[str, str] = field(default_factory=dict)
    report: dict = field(default_factory=dict)
    datasets: list[Dataset] = field(default_factory=list)
    unmatched_rows: pd.DataFrame | None = None


def analyse(filename: str, data: bytes, choices: Choices, index: UnitIndex) -> Analysis:
    """Return the analysis of an uploaded file under the person's choices (never raises: a file that
    breaks the analysis in an unforeseen way is reported as unreadable, and the server stays up)."""
    try:
        return _analyse(filename, data, choices, index)
    except UploadError as exc:
        return Analysis(error=(exc.key, exc.values))
    except Exception:
        logging.getLogger(__name__).exception("upload analysis failed")
        return Analysis(error=("unreadable", {}))


def _analyse(filename: str, data: bytes, choices: Choices, index: UnitIndex) -> Analysis:
    try:
        table = parse_upload(filename, data)
    except UploadError as exc:
        return Analysis(error=(exc.key, exc.values))
    columns = list(table.frame.columns)
    key = _key(table, choices, index, columns)
    if key is None:
        return Analysis(error=("no_key", {}), table=table, report=_base_report(table))
    spi = spi_columns(columns)
    value_columns = list(spi) if spi else numeric_columns(table, key)
    matching = match_rows(table, key, index, choices.resolved)
    report = _base_report(table) | {
        "key": {"column": key.column, "kind": key.kind, "country_column": key.country_column, "country": key.country},
        "matched": matching.matched,
        "unmatched": matching.unmatched[:MAX_LISTED],
        "unmatched_count": len(matching.unmatched),
        "duplicates": matching.duplicates[:MAX_LISTED],
        "duplicate_count": len(matching.duplicates),
        "ambiguous": matching.ambiguous[:MAX_LISTED],
        "ambiguous_count": len(matching.ambiguous),
        "not_numbers": [],
        "not_numbers_count": 0,
        "out_of_scale": [],
        "out_of_scale_count": 0,
        "columns": value_columns,
    }
    matched = np.array([u is not None for u in matching.unit_ids])
    datasets = []
    dated = assessed_column(columns) if spi else None
    row_assessed = [assessment_year(c) for c in table.frame[dated]] if dated else None
    if row_assessed is not None:
        report["assessed_column"] = dated
        report["undated_count"] = sum(1 for y, m in zip(row_assessed, matched) if m and y is None)
    for column in value_columns:
        values, bad = read_values(table.frame[column])
        rows = np.asarray(table.row_numbers)
        report["not_numbers_count"] += int(np.count_nonzero(bad & matched))
        for row in rows[bad & matched][:MAX_LISTED]:
            report["not_numbers"].append(
                {
                    "row": int(row),
                    "column": column,
                    "value": str(table.frame[column].iloc[table.row_numbers.index(row)]),
                }
            )
        keep = matched & ~np.isnan(values)
        if column in spi:
            outside = keep & ~np.vectorize(in_scale, otypes=[bool])(np.nan_to_num(values, nan=1.0))
            report["out_of_scale_count"] += int(np.count_nonzero(outside))
            report["out_of_scale"] += [
                {"row": int(r), "column": column, "value": float(v)} for r, v in zip(rows[outside], values[outside])
            ][:MAX_LISTED]
            keep &= ~outside
        meta = header_metadata(column) | {
            k: v for k, v in choices.columns.get(column, {}).items() if v not in (None, "")
        }
        # An assessment's rows may carry their date: one dataset per year of assessment (the cycle).
        row_years = row_assessed if column in spi and row_assessed is not None else [None] * len(keep)
        for year in dict.fromkeys(y for y, k in zip(row_years, keep) if k):
            unit_values = {
                uid: float(v) for uid, v, k, y in zip(matching.unit_ids, values, keep, row_years) if k and y == year
            }
            datasets.append(
                Dataset(
                    id="new",
                    label=str(meta.get("label") or column),
                    unit=str(meta.get("unit") or ("1-5" if column in spi else "")),
                    year=year if year is not None else _year(meta.get("year")),
                    kind="spi" if column in spi else "indicator",
                    file=filename or "upload",
                    values=unit_values,
                    field=spi.get(column),
                )
            )
    unmatched_rows = (
        {u["row"] for u in matching.unmatched}
        | {d["row"] for d in matching.duplicates}
        | {a["row"] for a in matching.ambiguous if a["row"] not in choices.resolved}
    )
    positions = [i for i, r in enumerate(table.row_numbers) if r in unmatched_rows]
    unmatched = table.frame.iloc[positions].copy()
    unmatched.insert(0, "row", [table.row_numbers[i] for i in positions])
    reasons = (
        {u["row"]: u["reason"] for u in matching.unmatched}
        | {d["row"]: "duplicate" for d in matching.duplicates}
        | {a["row"]: "ambiguous" for a in matching.ambiguous}
    )
    unmatched.insert(1, "reason", [reasons.get(r, "") for r in unmatched["row"]])
    return Analysis(None, table, key, value_columns, spi, report, [d for d in datasets if d.values], unmatched)


def _key(table: ParsedTable, choices: Choices, index: UnitIndex, columns: list[str]) -> KeySpec | None:
    if choices.key_column in columns and choices.key_kind in KINDS:
        country_column = choices.country_column if choices.country_column in columns else None
        return KeySpec(choices.key_column, choices.key_kind, country_column, choices.country)
    return detect_key(table, index)


def _year(value) -> int | None:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return year if 1900 <= year <= 2100 else None


def _base_report(table: ParsedTable) -> dict:
    return {
        "rows": len(table.frame),
        "empty_rows": table.empty_rows[:MAX_LISTED],
        "empty_count": len(table.empty_rows),
        "encoding": table.encoding,
        "delimiter": table.delimiter,
        "file_type": table.file_type,
        "notes": [{"key": k, "values": v} for k, v in table.notes],
        "all_columns": list(table.frame.columns),
    }
