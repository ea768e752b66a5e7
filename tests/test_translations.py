"""The catalogues' texts a person reads, in every language: indicator notes (data/indicators.toml) and
source titles and publishers (data/sources.toml).

Every translation must be there and not empty, and must keep what a reader checks against the English:
the years and other numbers of four or more digits, the codes (all-caps words such as AUSL_STAATSB, NUTS,
CH) and any {placeholder}. A few abbreviations have an official form of their own in a language (the
Swiss FSO is BFS, OFS or UST); there the test asks for that form instead. The fallbacks (English where a
translation is missing) are tested here too, on catalogues and builds made in the test.
"""

from __future__ import annotations

import re
import tomllib

import pytest

from geo import sources
from geo.indicators import catalogue
from geo.terms import DEFAULT_LANGUAGE, LANGUAGES

OTHERS = tuple(lang for lang in LANGUAGES if lang != DEFAULT_LANGUAGE)
NUMBERS = re.compile(r"(?<![\d.,])\d{4,}(?![\d])")  # years (2019), municipal codes (60617); not 1,000
CODES = re.compile(r"\b[A-Z][A-Z0-9_]*[A-Z0-9]\b")  # AUSL_STAATSB, GV100AD, NUTS, CH, T21
PLACEHOLDERS = re.compile(r"\{[^{}]*\}")
# Abbreviations that each language writes in its own official form.
OFFICIAL_FORMS = {
    "FSO": {"de": "BFS", "fr": "OFS", "it": "UST", "sl": "BFS"},  # Swiss Federal Statistical Office
    "ILO": {"de": "ILO", "fr": "BIT", "it": "ILO", "sl": "MOD"},  # International Labour Organization
}


def _kept(english: str, translated: str, lang: str) -> list[str]:
    """Return what the English text has and the translation lacks (numbers, codes, placeholders)."""
    lacking = [n for n in NUMBERS.findall(english) if n not in NUMBERS.findall(translated)]
    codes = set(CODES.findall(translated))
    for code in dict.fromkeys(CODES.findall(english)):
        wanted = OFFICIAL_FORMS.get(code, {}).get(lang, code)
        if wanted not in codes:
            lacking.append(wanted)
    lacking += [p for p in PLACEHOLDERS.findall(english) if p not in translated]
    return lacking


def _indicators() -> dict:
    return catalogue.read_entries()


def _sources() -> dict:
    with sources.CATALOGUE_FILE.open("rb") as f:
        return tomllib.load(f)


def test_every_indicator_has_a_note_in_every_language():
    missing = [
        (indicator, f"note_{lang}")
        for indicator, entry in _indicators().items()
        for lang in OTHERS
        if not str(entry.get(f"note_{lang}", "")).strip()
    ]
    assert not missing, f"notes to translate in data/indicators.toml: {missing}"


def test_every_source_has_a_title_and_publisher_in_every_language():
    missing = [
        (sid, key)
        for sid, table in _sources().items()
        for key in sources.TRANSLATIONS
        if not str(table.get(key, "")).strip()
    ]
    assert not missing, f"titles and publishers to translate in data/sources.toml: {missing}"


@pytest.mark.parametrize("lang", OTHERS)
def test_translated_notes_keep_the_years_codes_and_placeholders(lang):
    problems = {}
    for indicator, entry in _indicators().items():
        translated = entry.get(f"note_{lang}", "")
        assert translated != entry["note"], f"{indicator}: note_{lang} is the English note"
        if lacking := _kept(entry["note"], translated, lang):
            problems[indicator] = lacking
    assert not problems, f"note_{lang} lacks what the English note has: {problems}"


@pytest.mark.parametrize("lang", OTHERS)
def test_translated_titles_and_publishers_keep_the_years_and_codes(lang):
    problems = {}
    for sid, table in _sources().items():
        assert table.get(f"title_{lang}") != table["title"], f"{sid}: title_{lang} is the English title"
        for name in sources.TRANSLATED_FIELDS:
            if lacking := _kept(table[name], table.get(f"{name}_{lang}", ""), lang):
                problems[(sid, name)] = lacking
    assert not problems, f"{lang} titles and publishers lack what the English has: {problems}"


def test_the_fso_has_its_official_name_in_each_language():
    publisher = sources.get("ch_portraits_2021")
    assert publisher.publisher_in("de") == "Bundesamt für Statistik (BFS)"
    assert publisher.publisher_in("fr") == "Office fédéral de la statistique (OFS)"
    assert publisher.publisher_in("it") == "Ufficio federale di statistica (UST)"
    assert publisher.publisher_in("en") == "Federal Statistical Office (FSO)"


def test_attribution_and_licence_are_not_translated():
    # The credit line is the publisher's required wording: one text for every language.
    for sid, table in _sources().items():
        assert not [k for k in table if re.fullmatch(r"(attribution|licence)_[a-z]{2}", k)], sid


def test_a_source_without_translations_is_read_and_shown_in_english(tmp_path, monkeypatch):
    toml = (
        '[plain]\ntitle = "A title"\npublisher = "A publisher"\nlicence = "CC0"\nattribution = "A"\n'
        'vintage = "2020"\nurl = "https://example.org"\npath = "x.csv"\nformat = "csv"\ncountry = "AT"\n'
        'title_de = "Ein Titel"\n'
    )
    (tmp_path / "sources.toml").write_text(toml)
    monkeypatch.setattr(sources, "CATALOGUE_FILE", tmp_path / "sources.toml")
    sources.catalogue.cache_clear()
    src = sources.get("plain")
    assert (src.title_in("de"), src.title_in("fr"), src.publisher_in("de")) == ("Ein Titel", "A title", "A publisher")
    assert "title_de" not in src.extra
    (tmp_path / "sources.toml").write_text(toml.replace('"Ein Titel"', '" "'))
    sources.catalogue.cache_clear()
    with pytest.raises(ValueError, match=r"\[plain\] has empty title_de"):
        sources.catalogue()


def test_sources_json_carries_every_language_with_english_as_the_fallback(tmp_path, monkeypatch):
    from geo.build import sources_read

    monkeypatch.setattr(sources, "available", lambda sid, root=None: sid in ("ch_portraits_2021", "gisco_lau"))
    read = {s["id"]: s for s in sources_read(tmp_path)}
    assert read["ch_portraits_2021"]["publisher_de"] == "Bundesamt für Statistik (BFS)"
    assert read["ch_portraits_2021"]["title_it"].startswith("Ritratti regionali 2021")
    assert read["gisco_lau"]["attribution"] == sources.get("gisco_lau").attribution
    assert all(s[f"{f}_{lang}"] for s in read.values() for f in sources.TRANSLATED_FIELDS for lang in OTHERS)


def test_a_note_not_yet_translated_reaches_the_catalogue_rows_in_english(monkeypatch):
    entries = _indicators()
    del entries["density"]["note_sl"]
    monkeypatch.setattr(catalogue, "read_entries", lambda path=None: entries)
    rows = catalogue.load_catalogue().set_index("id")
    assert rows.at["density", "note_sl"] == rows.at["density", "note"]
    assert rows.at["density", "note_de"].startswith("Einwohnerinnen und Einwohner je km²")
