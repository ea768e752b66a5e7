"""The project's vocabularies, each defined once: languages, themes, "latest", groups and countries.

Plain tuples and strings, no imports: the build (geo/) and the app (dashboard/) both read them, and geo/
may not import dashboard/, so they live here. Their labels are messages in dashboard/locales/*.toml
(`theme.<code>`, `class.<code>`, `country.<code>`, `mount_type.<code>`); the labels of a categorical
indicator's codes come from the catalogue (`dashboard.indicators.Indicator.category_label`).
"""

from __future__ import annotations

# The languages of the dashboard and of the indicator catalogue's labels (label_<lang>), English first:
# it is the fallback of every message and label.
LANGUAGES = ("en", "de", "fr", "it", "sl")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch", "fr": "Français", "it": "Italiano", "sl": "Slovenščina"}

# The nine fields of action of the PlurAlps Social Planning Instrument (SPI), numbered 1-9 in this order
# (the self-assessment template's columns spi_<n>_<field> follow it).
SPI_FIELDS = (
    "administration",  # 1 administration & information
    "participation",  # 2 participation & civic engagement
    "housing",  # 3 housing
    "education",  # 4 education
    "work",  # 5 work
    "health",  # 6 health care & support
    "mobility",  # 7 mobility & local supply
    "culture",  # 8 culture & leisure
    "integration",  # 9 immigration & integration
)
# Themes of the indicator catalogue, in the order the dashboard lists them: demography and peripherality
# describe the setting, then the nine fields of action.
THEMES = ("demography", "peripherality", *SPI_FIELDS)

# A year selector's value for "each unit's most recent value" (the map's default).
LATEST = "latest"

# A change between two years is mapped as an indicator "change:<indicator id>" (dashboard/change.py), by one
# of these measures: the difference, the relative change in %, the average annual rate in % per year.
CHANGE_PREFIX = "change:"
CHANGE_MODES = ("abs", "rel", "pa")

# Peripherality classes (data/peripherality.toml names their thresholds), from the centre outwards.
PERIPHERALITY_CLASSES = ("central", "intermediate", "peripheral")
# The mountain flag as a pair of groups (the units' `mountain` column: True / False).
MOUNTAIN_GROUPS = ("mountain", "non_mountain")
# Every group the Compare view and the stories' captions summarise, in the order they are shown.
COMPARISON_GROUPS = (*MOUNTAIN_GROUPS, *PERIPHERALITY_CLASSES)
# NUTS 3 mountain types (Eurostat's typology, the units' `mount_type` column); 0 stands for "none".
MOUNT_TYPES = (1, 2, 3, 4)

# The countries of the Alpine Space programme area (ISO 3166 alpha-2, as in NUTS codes).
COUNTRIES = ("AT", "CH", "DE", "FR", "IT", "LI", "SI")
