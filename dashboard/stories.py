"""Stories: guided sequences of map views for workshops, defined in data/stories/*.toml.

A story step sets the indicator and optionally countries, zoom, classification and highlighted units; its
caption exists in every language and takes its numbers from the data when shown (placeholders, see the
story files), so a caption can never disagree with the map. `load_stories` checks every story against the
dataset and the languages and refuses one that names anything unknown.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from dashboard.atlas import Atlas
from dashboard.classify import MAX_CLASSES, METHODS, MIN_CLASSES
from dashboard.comparison import compare
from dashboard.i18n import common_digits, fmt_number, fmt_value, unit_label
from dashboard.indicators import Indicators
from dashboard.state import State
from geo.settings import DATA_DIR
from geo.terms import COMPARISON_GROUPS, LANGUAGES, LATEST

STORIES_DIR = DATA_DIR / "stories"
GROUPS = COMPARISON_GROUPS  # the groups a caption may quote: {central}, {n_mountain} ...
PLACEHOLDER = re.compile(r"\{([a-z_]+)(?::([A-Za-z0-9_]+))?\}")


@dataclass(frozen=True)
class Step:
    indicator: str
    caption: dict[str, str]
    countries: tuple[str, ...] = ()
    zoom: str | None = None
    method: str | None = None
    classes: int | None = None
    highlight: tuple[str, ...] = ()


@dataclass(frozen=True)
class Story:
    id: str
    title: dict[str, str]
    steps: tuple[Step, ...]
    seconds: int = 25
    path: Path = field(default=Path(), compare=False)


class StoryError(ValueError):
    """A story file that names something the dataset or the languages lack."""


def load_story(path: Path, atlas: Atlas) -> Story:
    """Read and check one story file; raise StoryError naming the file and the problem."""
    with path.open("rb") as f:
        raw = tomllib.load(f)
    problems = []
    title = raw.get("title", {})
    problems += [f"title lacks {lang}" for lang in LANGUAGES if not title.get(lang)]
    steps = []
    for number, item in enumerate(raw.get("step", []), start=1):
        where = f"step {number}"
        indicator = item.get("indicator")
        if indicator not in atlas.catalogue.index:
            problems.append(f"{where}: unknown indicator {indicator!r}")
        caption = item.get("caption", {})
        for lang in LANGUAGES:
            if not caption.get(lang):
                problems.append(f"{where}: caption lacks {lang}")
        placeholders = {tuple(p) for text in caption.values() for p in PLACEHOLDER.findall(text)}
        for name, arg in placeholders:
            if name in GROUPS or (name.startswith("n_") and name[2:] in GROUPS):
                continue
            if name == "value" and arg in atlas.position.index:
                continue
            problems.append(f"{where}: unknown placeholder {{{name}{':' + arg if arg else ''}}}")
        countries = tuple(item.get("countries", ()))
        problems += [f"{where}: unknown country {c}" for c in countries if c not in set(atlas.units["country"])]
        zoom = item.get("zoom")
        if zoom is not None and zoom not in atlas.bounds:
            problems.append(f"{where}: unknown zoom target {zoom}")
        highlight = tuple(item.get("highlight", ()))
        problems += [f"{where}: unknown unit {u}" for u in highlight if u not in atlas.position.index]
        method = item.get("method")
        if method is not None and method not in METHODS:
            problems.append(f"{where}: unknown method {method}")
        classes = item.get("classes")
        if classes is not None and not MIN_CLASSES <= classes <= MAX_CLASSES:
            problems.append(f"{where}: classes must be {MIN_CLASSES}-{MAX_CLASSES}")
        steps.append(Step(indicator, dict(caption), countries, zoom, method, classes, highlight))
    if not steps:
        problems.append("no steps")
    if problems:
        raise StoryError(f"{path.name}: " + "; ".join(problems))
    return Story(raw.get("id") or path.stem, dict(title), tuple(steps), int(raw.get("seconds", 25)), path)


@lru_cache(maxsize=4)
def stories_for(atlas: Atlas) -> dict[str, Story]:
    """Return the stories of data/stories checked against `atlas` (read once per dataset)."""
    return load_stories(atlas)


def load_stories(atlas: Atlas, folder: Path = STORIES_DIR) -> dict[str, Story]:
    """Return every valid story by id (a broken story file raises: it is part of the app, not user input)."""
    stories = [load_story(path, atlas) for path in sorted(folder.glob("*.toml"))]
    return {story.id: story for story in stories}


def apply_step(state: State, story: Story) -> State:
    """Return `state` set to its story step: indicator, countries, zoom and classification of the step."""
    step = story.steps[state.step - 1]
    changes = {
        "indicator": step.indicator,
        "year": LATEST,
        "countries": step.countries,
        "zoom": step.zoom,
        "view": "map",
        "present": True,
    }
    if step.method:
        changes["method"] = step.method
    if step.classes:
        changes["classes"] = step.classes
    return state.with_(**changes)


def caption(story: Story, state: State, indicators: Indicators) -> str:
    """Return the caption of the state's step in its language, with the numbers of the data filled in."""
    step = story.steps[state.step - 1]
    text = step.caption.get(state.lang) or step.caption["en"]
    indicator = indicators.get(step.indicator)
    unit = unit_label(indicator.unit, state.lang)
    overall = compare(indicators, state)[0].groups  # the same figures as the Compare view
    series = indicators.series(step.indicator)

    def number(name: str, arg: str | None) -> float:
        if name == "value":
            return float(series.values[int(indicators.atlas.position[arg])])
        return overall[name].median

    # The caption's values are read side by side: one number of decimals for all of them.
    placeholders = [(m.group(1), m.group(2)) for m in PLACEHOLDER.finditer(text)]
    digits = common_digits(*(number(name, arg) for name, arg in placeholders if not name.startswith("n_")))

    def fill(match: re.Match) -> str:
        name, arg = match.group(1), match.group(2)
        if name.startswith("n_"):
            return fmt_number(overall[name[2:]].n, state.lang)
        return fmt_value(number(name, arg), unit, state.lang, digits)

    return PLACEHOLDER.sub(fill, text)
