"""Messages: every key in every language, the same placeholders, and number formats per language."""

from __future__ import annotations

import re
import tomllib

import pytest

from dashboard import i18n
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
