"""Messages: every key in every language, the same placeholders, and number formats per language."""

from __future__ import annotations

import re
import tomllib

import pytest

from dashboard import i18n
from dashboard.composite import AGGREGATIONS, INDEX_SCOPES, NORMALISATIONS, WEIGHTINGS
from geo.terms import LANGUAGES as ALL_LANGUAGES

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _flat(lang: str) -> dict[str, str]:
    with (i18n.LOCALES_DIR / f"{lang}.toml").open("rb") as f:
        return i18n._flatten(tomllib.load(f))


@pytest.mark.parametrize("lang", ALL_LANGUAGES[1:])
def test_every_key_exists_in_every_language_with_the_same_placeholders(lang):
    english, other = _flat("en"), _flat(lang)
    assert sorted(set(english) - set(other)) == [], f"missing in {lang}"
    assert sorted(set(other) - set(english)) == [], f"not in English: {lang}"
    for key, text in english.items():
        assert sorted(PLACEHOLDER.findall(other[key])) == sorted(PLACEHOLDER.findall(text)), (lang, key)
        assert other[key].strip(), (lang, key)


def test_every_message_used_in_the_code_exists():
    from pathlib import Path

    english = _flat("en")
    code = "\n".join(p.read_text() for p in Path("dashboard").rglob("*.py"))
    used = set(re.findall(r"""\bt\(\s*f?["']([a-z_]+\.[a-z_0-9]+)["']""", code))
    assert sorted(used - set(english)) == []


def test_numbers_use_the_separators_of_each_language():
    assert i18n.fmt_number(12345.678, "en", 1) == "12,345.7"
    assert i18n.fmt_number(12345.678, "de", 1) == "12.345,7"
    assert i18n.fmt_number(None, "en") == "no value"
    assert i18n.fmt_value(7.91, "%", "en") == "7.9%"
    assert i18n.fmt_value(0.364, "% per year", "en") == "0.36\u00a0% per year"


def test_numbers_read_side_by_side_share_their_decimals():
    assert i18n.common_digits(18.0, 19.83) == 1
    assert i18n.fmt_value(18.0, "%", "fr", i18n.common_digits(18.0, 19.83)) == "18,0\u00a0%"
    assert i18n.common_digits(4.0, 7.0) == 0
    assert i18n.common_digits(0.52, 3.1) == 1
    assert i18n.common_digits(0.52, 0.31) == 2
    assert i18n.common_digits(250.5, 8.25) == 0
    assert i18n.common_digits(None, float("nan")) is None


def test_units_stay_with_their_number_unless_a_narrow_column_lets_words_wrap():
    assert i18n.fmt_value(129907, "persons", "en", 0) == "129,907\u00a0persons"
    assert i18n.fmt_value(129907, "persons", "en", 0, wrap=True) == "129,907 persons"
    assert i18n.fmt_value(7.9, "%", "de", 1, wrap=True) == "7,9\u00a0%"
    assert i18n.fmt_value(0.6, "km", "en", 1, wrap=True) == "0.6\u00a0km"


def test_sentence_case_keeps_german_nouns_and_acronyms():
    assert i18n.in_sentence("Population", "en") == "population"
    assert i18n.in_sentence("Bevölkerung", "de") == "Bevölkerung"
    assert i18n.in_sentence("NUTS 3 mountain type", "en") == "NUTS 3 mountain type"


def test_dates_are_written_the_way_each_language_writes_them():
    assert i18n.fmt_date("2026-11-26T18:16:28+00:00", "en") == "26 November 2026"
    assert i18n.fmt_date("2026-03-01", "de") == "1. März 2026"
    assert i18n.fmt_date("2026-08-15", "fr") == "15 août 2026"
    assert i18n.fmt_date("not a date", "it") == "not a date"


# ---- keys built at run time (t(f"family.{code}")): every code of every family has its message ------------


def _codes_in_source(path: str, pattern: str) -> set[str]:
    import re
    from pathlib import Path

    return set(re.findall(pattern, Path(path).read_text()))


def _dynamic_families() -> dict[str, set[str]]:
    from dashboard.classify import METHODS, SCHEMES
    from dashboard.i18n import DROPDOWN_LABELS
    from dashboard.indicators import UPLOAD_THEME
    from dashboard.poster import FORMATS
    from dashboard.state import VIEWS
    from dashboard.upload.match import KINDS
    from dashboard.views.maptable import SORTS
    from geo.terms import COMPARISON_GROUPS, COUNTRIES, MOUNT_TYPES, THEMES

    # Message keys the upload code raises and reports, read from the code that raises them, so a new
    # refusal without a message fails here.
    errors = _codes_in_source("dashboard/upload/reader.py", r'Refused\(\s*"([a-z_]+)"')
    errors |= _codes_in_source("dashboard/upload/parse.py", r'UploadError\(\s*"([a-z_]+)"')
    errors |= _codes_in_source("dashboard/upload/analyse.py", r'error=\(\s*"([a-z_]+)"')
    errors |= _codes_in_source("dashboard/views/upload.py", r'UploadError\(\s*"([a-z_]+)"')
    errors |= _codes_in_source("dashboard/upload/sandbox.py", r'"error": "([a-z_]+)"')
    reasons = _codes_in_source("dashboard/upload/match.py", r'reason = [^"\n]*"([a-z_]+)"')
    reasons |= _codes_in_source("dashboard/upload/match.py", r'return None, "([a-z_]+)"')
    return {
        "theme": set(THEMES) | {UPLOAD_THEME},
        "method": set(METHODS),
        "scheme": set(SCHEMES),
        "nav": set(VIEWS),
        "country": set(COUNTRIES),
        "class": set(COMPARISON_GROUPS),
        "mount_type": {str(m) for m in MOUNT_TYPES} | {"none"},
        "table": set(SORTS),
        "poster": set(FORMATS),
        "dropdown": set(DROPDOWN_LABELS),
        "upload.error": errors,
        "upload.reason": reasons,
        "upload": {f"kind_{k}" for k in KINDS},
        "upload.note": {"duplicate_header"},
        "index": {f"norm_{n}" for n in NORMALISATIONS}
        | {f"agg_{a}" for a in AGGREGATIONS}
        | {f"weighting_{w}" for w in WEIGHTINGS}
        | {f"scope_{s}" for s in INDEX_SCOPES}
        | {f"scope_said_{s}" for s in INDEX_SCOPES}
        | {f"table_{s}" for s in INDEX_SCOPES}
        | {f"part_help_{a}" for a in AGGREGATIONS}
        | {f"col_{c}" for c in ("rank", "unit", "value", "median", "interval", "robust")}
        | {f"part_{c}" for c in ("component", "value", "score", "weight", "part")}
        | {"map", "map_width", "clear", "open", "score", "width", "score_note", "width_note"},
    }


@pytest.mark.parametrize("lang", ALL_LANGUAGES)
def test_every_key_built_at_run_time_has_its_message(lang):
    messages = _flat(lang)
    families = _dynamic_families()
    assert len(families["upload.error"]) >= 20 and len(families["upload.reason"]) >= 5  # the patterns found them
    missing = sorted(f"{family}.{code}" for family, codes in families.items() for code in codes)
    missing = [key for key in missing if key not in messages]
    assert missing == [], (lang, missing)
