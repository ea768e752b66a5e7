"""All user-facing text goes through `t(key, lang, **values)`; numbers through `fmt_number`.

Messages live in dashboard/locales/<lang>.toml, one file per language, keys grouped by view. A key missing
in a language falls back to English (and a test fails, so the gap is found before a user sees it).
Indicator names come from the indicator catalogue (label_<lang>), not from these files.
"""

from __future__ import annotations

import math
import tomllib
from functools import cache
from pathlib import Path

from geo.terms import DEFAULT_LANGUAGE, LANGUAGES

LOCALES_DIR = Path(__file__).parent / "locales"

# Decimal and thousands separators per language (CLDR): a decimal comma where it is due.
SEPARATORS = {"en": (".", ","), "de": (",", "."), "fr": (",", "\u202f"), "it": (",", "."), "sl": (",", ".")}


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat |= _flatten(value, name + ".")
        else:
            flat[name] = str(value)
    return flat


@cache
def messages(lang: str) -> dict[str, str]:
    """Return the flat {key: text} table of a language (English for an unknown language)."""
    path = LOCALES_DIR / f"{lang if lang in LANGUAGES else DEFAULT_LANGUAGE}.toml"
    with path.open("rb") as f:
        return _flatten(tomllib.load(f))


def normalise_language(lang: str | None) -> str:
    """Return `lang` when it is a supported language, else the default."""
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **values) -> str:
    """Return the message `key` in `lang`, with `{name}` placeholders filled from `values`."""
    text = messages(normalise_language(lang)).get(key) or messages(DEFAULT_LANGUAGE).get(key)
    if text is None:
        raise KeyError(f"no message '{key}'")
    return text.format(**values) if values else text


DROPDOWN_LABELS = (
    "select_all",
    "deselect_all",
    "selected_count",
    "search",
    "clear_search",
    "clear_selection",
    "no_options_found",
)


def dropdown_labels(lang: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """Return the texts inside Dash's dropdowns ("Search", "No options found") in `lang`, for `labels=`."""
    return {key: t(f"dropdown.{key}", lang) for key in DROPDOWN_LABELS}


def fmt_number(value: float | int | None, lang: str = DEFAULT_LANGUAGE, digits: int | None = None) -> str:
    """Format a number for `lang`: separators per language, `digits` decimals or a sensible default.

    Missing values return the localised "no value" text, so a gap is never printed as 0 or "nan".
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return t("common.no_value", lang)
    if digits is None:
        magnitude = abs(value)
        digits = 0 if magnitude >= 100 or float(value).is_integer() else _decimals(magnitude)
    text = f"{value:,.{digits}f}"
    decimal, thousands = SEPARATORS.get(normalise_language(lang), SEPARATORS["en"])
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


def common_digits(*values: float | None) -> int | None:
    """Decimals that write all `values` alike, for numbers read side by side ("18.0%" beside "19.8%", not
    "18%"): as many as the largest needs, none when all are whole. None when no value is given."""
    finite = [float(v) for v in values if v is not None and not math.isnan(float(v))]
    if not finite:
        return None
    if all(v.is_integer() for v in finite):
        return 0
    return _decimals(max(abs(v) for v in finite))


def _decimals(magnitude: float) -> int:
    """Decimals for a number of this size: 1,234 / 12.3 / 1.2 / 0.36 (two below 1, where one would say 0.4)."""
    return 0 if magnitude >= 100 else (1 if magnitude >= 1 else 2)


def fmt_value(
    value: float | None, unit: str, lang: str = DEFAULT_LANGUAGE, digits: int | None = None, wrap: bool = False
) -> str:
    """Format a value with its unit ("12.4 %", "8.1 km", "1,234 persons").

    The space before the unit does not break, so a value never wraps away from its unit; with `wrap`, a unit
    of words ("persons per household") may go to the next line, for narrow table columns.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return t("common.no_value", lang)
    # English writes 12.4%; German, French, Italian and Slovenian put a space before the sign.
    if unit == "%" and normalise_language(lang) == "en":
        space = ""
    else:
        space = " " if wrap and any(c.isalpha() for c in unit) and len(unit) > 3 else "\u00a0"
    return f"{fmt_number(value, lang, digits)}{space}{unit}".strip()


def in_sentence(label: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Return a label as it reads inside a sentence: "Population" -> "population", but German nouns and
    acronyms ("NUTS 3 mountain type") keep their capital."""
    if lang == "de" or len(label) < 2 or not label[1].islower():
        return label
    return label[0].lower() + label[1:]


def unit_label(unit: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Return a catalogue unit ("persons", "per km²") in `lang`; unknown units are shown as they are."""
    if unit == "class":
        return ""
    return messages(normalise_language(lang)).get(f"units.{unit}") or unit


def fmt_date(value, lang: str = DEFAULT_LANGUAGE) -> str:
    """Format a date (or an ISO date/time string) the way `lang` writes it: 26 November 2026, 26. November 2026."""
    from datetime import date, datetime

    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00")).date()
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        return str(value)
    return t("date.pattern", lang, day=value.day, month=t(f"date.{value.month}", lang), year=value.year)
