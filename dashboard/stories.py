"""Stories: guided sequences of map views for workshops, defined in data/stories/*.toml.

A story step sets the indicator and optionally its year (or a change since an earlier year: `year`,
`since`, `change`, so a story can step through the years), countries, zoom, classification, highlighted units and a
unit whose peers it shows (`peers`: the unit's profile open, its peers outlined, the page's default peer
method; the caption may name them, {peers}, and count them, {n_peers}); its caption exists in every
language and takes its numbers from the data when shown (placeholders, see the story files), so a caption
can never disagree with the map. `load_stories` checks every story against the
dataset and the languages and refuses one that names anything unknown.
"""

from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from dashboard.atlas import Atlas
from dashboard.change import change_id
from dashboard.classify import MAX_CLASSES, METHODS, MIN_CLASSES
from dashboard.comparability import series_lines
from dashboard.comparison import compare
from dashboard.i18n import common_digits, fmt_number, fmt_value, unit_label
from dashboard.indicators import Indicators
from dashboard.peers import find_peers
from dashboard.state import PeerState, State
from dashboard.vocabulary import country_name
from geo.settings import DATA_DIR
from geo.terms import CHANGE_MODES, COMPARISON_GROUPS, LANGUAGES, LATEST

STORIES_DIR = DATA_DIR / "stories"
GROUPS = COMPARISON_GROUPS  # the groups a caption may quote: {central}, {n_mountain} ...
PEER_PLACEHOLDERS = ("peers", "n_peers")  # a step with `peers`: its peers' names, and how many
NAMED_PEERS = 5  # {peers} names the first five (the caption says "among them")
OWN_STORY = "own"  # the story a person makes in the browser (dashboard/story_draft.py), in URLs story=own
STORY_ID = r"[a-z0-9][a-z0-9-]{0,63}"
DEFAULT_SECONDS, MIN_SECONDS, MAX_SECONDS = 25, 5, 600  # per step when a story plays by itself
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
    peers: str | None = None  # a unit: its peers are outlined and may be named in the caption
    year: int | None = None  # the year shown (None: each unit's latest); with `since`, a change's later year
    since: int | None = None  # the change of the indicator since this year (`change`: its measure)
    change: str = CHANGE_MODES[0]


@dataclass(frozen=True)
class Story:
    id: str
    title: dict[str, str]
    steps: tuple[Step, ...]
    seconds: int = DEFAULT_SECONDS
    path: Path = field(default=Path(), compare=False)


class StoryError(ValueError):
    """A story file that names something the dataset or the languages lack."""


MAX_STORY_BYTES = 200_000  # a story of 50 steps with captions in five languages is about 40 KB
MAX_STEPS = 50
MAX_CAPTION = 2_000  # characters of one caption in one language
MAX_LIST = 100  # countries or highlighted units of one step


def load_story(path: Path, atlas: Atlas) -> Story:
    """Read and check one story file; raise StoryError naming the file and the problem."""
    return parse_story(path.read_bytes(), atlas, path.name, path)


def parse_story(data: bytes, atlas: Atlas, name: str = "story", path: Path = Path(), own: bool = False) -> Story:
    """Check a story given as TOML bytes (a file of data/stories, or one a person loads) against the
    dataset and the languages; raise StoryError naming `name` and every problem, whatever the bytes.
    `own`: a story a person made in the browser (see `check_story`)."""
    story, problems = check_story(read_toml(data, name), atlas, path, own)
    if problems:
        shown = problems[:20] + ([f"and {len(problems) - 20} more"] if len(problems) > 20 else [])
        raise StoryError(f"{name}: " + "; ".join(shown))
    return story


def read_toml(data: bytes, name: str = "story") -> dict:
    """The table of a story file's bytes; StoryError when they are too many, not UTF-8 or not TOML."""
    if len(data) > MAX_STORY_BYTES:
        raise StoryError(f"{name}: {len(data):,} bytes; a story may have {MAX_STORY_BYTES:,}")
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise StoryError(f"{name}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise StoryError(f"{name}: not valid TOML ({exc})") from None


def check_story(raw, atlas: Atlas, path: Path = Path(), own: bool = False) -> tuple[Story | None, list[str]]:
    """Return the story a table describes (a story file's, or the browser's draft) and every problem, or
    None and the problems when there is one. The Atlas' own stories have their title and every caption in
    every language; a person's own story (`own`) is written in the languages they choose, may leave a
    caption empty, and is known by the id OWN_STORY, whatever its file says."""
    problems: list[str] = []
    if not isinstance(raw, dict):
        return None, ["a story must be a table"]
    title = _texts(raw.get("title"), "title", problems)
    if not own:
        problems += [f"title lacks {lang}" for lang in LANGUAGES if not title.get(lang)]
    items = raw.get("step", [])
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        problems.append("step must be a list of [[step]] tables")
        items = []
    if len(items) > MAX_STEPS:
        problems.append(f"{len(items)} steps; a story may have {MAX_STEPS}")
        items = items[:MAX_STEPS]
    steps = [_step(item, atlas, f"step {number}", problems, own) for number, item in enumerate(items, start=1)]
    if not steps:
        problems.append("no steps")
    seconds = raw.get("seconds", DEFAULT_SECONDS)
    if type(seconds) is not int or not MIN_SECONDS <= seconds <= MAX_SECONDS:
        problems.append(f"seconds must be a whole number of {MIN_SECONDS}-{MAX_SECONDS}")
    story_id = OWN_STORY if own else raw.get("id") or path.stem or "story"
    if not own and story_id == OWN_STORY:
        problems.append(f"id {OWN_STORY} is kept for the story made in the browser")
    if not isinstance(story_id, str) or not re.fullmatch(STORY_ID, story_id):
        problems.append("id must be 1-64 lower-case letters, digits and hyphens")
    if problems:
        return None, problems
    return Story(story_id, title, tuple(steps), seconds, path), []


def _step(item: dict, atlas: Atlas, where: str, problems: list[str], own: bool) -> Step:
    """One [[step]] table checked (its problems added to `problems`, prefixed by `where`)."""
    indicator = item.get("indicator")
    if not isinstance(indicator, str) or indicator not in atlas.catalogue.index:
        problems.append(f"{where}: unknown indicator {str(indicator)[:80]!r}")
    caption = _texts(item.get("caption"), f"{where}: caption", problems)
    if not own:
        problems += [f"{where}: caption lacks {lang}" for lang in LANGUAGES if not caption.get(lang)]
    peers = item.get("peers")
    if peers is not None and (not isinstance(peers, str) or peers not in atlas.position.index):
        problems.append(f"{where}: unknown unit for peers {str(peers)[:80]!r}")
        peers = None
    problems += [f"{where}: unknown placeholder {p}" for p in unknown_placeholders(caption.values(), atlas, peers)]
    countries = _names(item.get("countries", ()), f"{where}: countries", problems)
    problems += [f"{where}: unknown country {c}" for c in countries if c not in _countries(atlas)]
    zoom = item.get("zoom")
    if zoom is not None and (not isinstance(zoom, str) or zoom not in atlas.bounds):
        problems.append(f"{where}: unknown zoom target {str(zoom)[:80]}")
    highlight = _names(item.get("highlight", ()), f"{where}: highlight", problems)
    problems += [f"{where}: unknown unit {u}" for u in highlight if u not in atlas.position.index]
    method = item.get("method")
    if method is not None and method not in METHODS:
        problems.append(f"{where}: unknown method {str(method)[:80]}")
    classes = item.get("classes")
    if classes is not None and (type(classes) is not int or not MIN_CLASSES <= classes <= MAX_CLASSES):
        problems.append(f"{where}: classes must be {MIN_CLASSES}-{MAX_CLASSES}")
        classes = None
    year, since, change = _years(item, indicator, atlas, where, problems)
    return Step(str(indicator), caption, countries, zoom, method, classes, highlight, peers, year, since, change)


@lru_cache(maxsize=4)
def _countries(atlas: Atlas) -> frozenset[str]:
    return frozenset(atlas.units["country"])


def unknown_placeholders(texts, atlas: Atlas, peers: str | None = None) -> list[str]:
    """The placeholders of `texts` a caption cannot fill, as written ("{mean}", "{value:XX_1}"), in order."""
    unknown = []
    for text in texts:
        for key, arg in PLACEHOLDER.findall(text):
            if key in GROUPS or (key.startswith("n_") and key[2:] in GROUPS):
                continue
            if key in PEER_PLACEHOLDERS and not arg and peers:
                continue
            if key == "value" and arg in atlas.position.index:
                continue
            written = f"{{{key}{':' + arg if arg else ''}}}"
            if written not in unknown:
                unknown.append(written)
    return unknown


def text_in(texts: dict[str, str], lang: str) -> tuple[str, str]:
    """A title's or caption's text in `lang`, else in English, else in the first language it has; with the
    language it is in ("" and `lang` when it has none: a person's own story may leave a caption empty)."""
    for each in (lang, "en", *texts):
        if texts.get(each):
            return texts[each], each
    return "", lang


def _years(item: dict, indicator, atlas: Atlas, where: str, problems: list[str]):
    """A step's year, and the earlier year and measure of a change: years the indicator has, the earlier
    before the later."""
    years = atlas.years(indicator) if isinstance(indicator, str) and indicator in atlas.catalogue.index else []
    year, since, change = item.get("year"), item.get("since"), item.get("change", CHANGE_MODES[0])
    if year is not None and (type(year) is not int or year not in years):
        problems.append(f"{where}: {str(indicator)[:80]} has no year {str(year)[:20]}")
        year = None
    if since is not None and (year is None or type(since) is not int or since not in years or since >= year):
        problems.append(f"{where}: since must be a year of the indicator before the step's year")
        since = None
    if change not in CHANGE_MODES:
        problems.append(f"{where}: change must be one of {', '.join(CHANGE_MODES)}")
        change = CHANGE_MODES[0]
    return year, since, change


def _texts(value, where: str, problems: list[str]) -> dict[str, str]:
    """A table of texts by language (only the five languages, each a string of bounded length)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append(f"{where} must be a table of texts by language")
        return {}
    texts = {}
    for lang, text in value.items():
        if lang not in LANGUAGES:
            problems.append(f"{where}: unknown language {str(lang)[:20]!r}")
        elif not isinstance(text, str):
            problems.append(f"{where}: {lang} must be text")
        elif len(text) > MAX_CAPTION:
            problems.append(f"{where}: {lang} has {len(text):,} characters; at most {MAX_CAPTION:,}")
        else:
            texts[lang] = text
    return texts


def _names(value, where: str, problems: list[str]) -> tuple[str, ...]:
    """A list of codes (countries, units): strings only, at most MAX_LIST."""
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        problems.append(f"{where} must be a list of codes")
        return ()
    if len(value) > MAX_LIST:
        problems.append(f"{where}: {len(value)} codes; at most {MAX_LIST}")
    return tuple(v[:40] for v in value[:MAX_LIST])


@lru_cache(maxsize=4)
def stories_for(atlas: Atlas) -> dict[str, Story]:
    """Return the stories of data/stories checked against `atlas` (read once per dataset)."""
    return load_stories(atlas)


def load_stories(atlas: Atlas, folder: Path = STORIES_DIR) -> dict[str, Story]:
    """Return every story of `folder` that fits the dataset, by id. A story naming what this build lacks
    (an indicator, a year, a unit: another build may lack Austria's 2011) is left out and logged with
    every problem, not fatal; tests/test_hostile_inputs.py checks that every story fits the real build."""
    stories = {}
    for path in sorted(folder.glob("*.toml")):
        try:
            story = load_story(path, atlas)
        except StoryError as exc:
            logging.getLogger(__name__).warning("story left out: %s", exc)
            continue
        stories[story.id] = story
    return stories


def apply_step(state: State, story: Story) -> State:
    """Return `state` set to its story step: indicator, countries, zoom and classification of the step."""
    step = story.steps[state.step - 1]
    changes = {
        "indicator": change_id(step.indicator) if step.since else step.indicator,
        "year": str(step.year) if step.year else LATEST,
        "since": str(step.since) if step.since else None,
        "change": step.change,
        "countries": step.countries,
        "zoom": step.zoom,
        "view": "map",
        "present": True,
        "versus": None,  # a step maps one indicator: a bivariate map from before the story does not carry over
    }
    if step.method:
        changes["method"] = step.method
    if step.classes:
        changes["classes"] = step.classes
    if step.peers:
        changes |= {"unit": step.peers, "peers": True}
    return state.with_(**changes)


def caption(story: Story, state: State, indicators: Indicators) -> str:
    """Return the caption of the state's step in its language, with the numbers of the data filled in."""
    step = story.steps[state.step - 1]
    text, lang = text_in(step.caption, state.lang)  # its numbers written as its language writes them
    # The map's indicator and year (a change of the step's indicator, where the step has one).
    shown = state.indicator if state.indicator in indicators else step.indicator
    indicator = indicators.get(shown)
    unit = unit_label(indicator.unit, lang)
    overall = compare(indicators, state)[0].groups  # the same figures as the Compare view
    series = indicators.series(shown, int(state.year) if state.year != LATEST else LATEST)

    found = None
    if step.peers and any(m.group(1) in PEER_PLACEHOLDERS for m in PLACEHOLDER.finditer(text)):
        try:
            found = find_peers(indicators, step.peers, state.peer.method())
        except ValueError:  # a method the session can no longer use (an upload removed): the default's
            found = find_peers(indicators, step.peers, PeerState().method())

    def number(name: str, arg: str | None) -> float:
        if name == "value":
            return float(series.values[int(indicators.atlas.position[arg])])
        return overall[name].median

    # The caption's values are read side by side: one number of decimals for all of them.
    placeholders = [(m.group(1), m.group(2)) for m in PLACEHOLDER.finditer(text)]
    digits = common_digits(
        *(number(name, arg) for name, arg in placeholders if not name.startswith("n_") and name != "peers")
    )

    def fill(match: re.Match) -> str:
        name, arg = match.group(1), match.group(2)
        if name == "peers":
            named = [f"{p.name} ({country_name(p.country, lang)})" for p in found.peers[:NAMED_PEERS]]
            return ", ".join(named)
        if name == "n_peers":
            return fmt_number(len(found.peers), lang)
        if name.startswith("n_"):
            return fmt_number(overall[name[2:]].n, lang)
        return fmt_value(number(name, arg), unit, lang, digits)

    return PLACEHOLDER.sub(fill, text)


def pooled_note(story: Story, state: State, indicators: Indicators) -> str:
    """Return, for the step's figures, which countries and years they pool and whether they compare
    (dashboard.comparability), or "" when the step shows one country's values of one year."""
    step = story.steps[state.step - 1]
    shown = state.indicator if state.indicator in indicators else step.indicator
    year = int(state.year) if state.year != LATEST else LATEST
    return " ".join(series_lines(indicators.atlas, indicators.series(shown, year), state.countries, state.lang))
