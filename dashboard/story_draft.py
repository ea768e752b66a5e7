"""A person's own story, made in the browser: the draft, what the editor does to it, and its file.

The draft is the same table a story file of data/stories holds (TOML read into dicts), kept in the browser's
local storage (ids.OWN_STORY) and sent with the requests that need it; the server keeps nothing. So one
checker (`stories.check_story`) judges the draft, a file a person loads and the Atlas' own files alike, and
downloading the story is writing that table as TOML: the file can be loaded again here, on another
machine, or put into data/stories once its captions are in every language.

Every function returns a new draft and leaves the one it was given as it was (Dash stores compare by
value; a draft changed in place would also change the "previous draft" kept for undo).
"""

from __future__ import annotations

import copy
import json
import re
import unicodedata
from functools import lru_cache

import tomli_w

from dashboard.atlas import Atlas
from dashboard.change import base_of
from dashboard.state import State
from dashboard.stories import (
    DEFAULT_SECONDS,
    MAX_CAPTION,
    MAX_STEPS,
    OWN_STORY,
    STORY_ID,
    Step,
    Story,
    check_story,
    parse_story,
    text_in,
)
from geo.terms import CHANGE_MODES, LANGUAGES, LATEST

MAX_TITLE = 200  # characters of the title in one language

# The first lines of a downloaded file: how to read and edit it (the Atlas' own story files say the same).
FILE_HEADER = """\
# A story of PlurAlps Atlas: a guided sequence of map views for workshops, shown in presentation mode.
# Made in the Atlas' story editor. Load it there again (Map > Workshops > Your own story > Load a story file),
# or, with its title and captions in all five languages (en, de, fr, it, sl), put it into data/stories/.
# Numbers in captions are placeholders filled from the data of the step when it is shown:
#   {central} {intermediate} {peripheral} {mountain} {non_mountain}: median of that group (with unit)
#   {n_central} ... {n_non_mountain}: number of units of that group with a value
#   {value:UNIT_ID}: the value of one unit (with unit)
#   {peers} {n_peers}: the peers of the step's `peers` unit, named and counted
# Medians are taken over the step's countries (all countries when none are given).

"""


def empty() -> dict:
    return {"title": {}, "seconds": DEFAULT_SECONDS, "step": []}


def draft_of(store) -> dict:
    """The draft a browser store holds, as a new dict; anything that is not a draft's shape (a forged
    request, a store of an older version) gives the parts that are, and an empty draft at worst."""
    if not isinstance(store, dict):
        return empty()
    draft = copy.deepcopy(store)
    if not isinstance(draft.get("title"), dict):
        draft["title"] = {}
    steps = draft.get("step")
    draft["step"] = [s for s in steps if isinstance(s, dict)][:MAX_STEPS] if isinstance(steps, list) else []
    return draft


def own_story(store, atlas: Atlas) -> tuple[Story | None, list[str]]:
    """The story of the draft and its problems (see `stories.check_story`); None while it has any."""
    try:
        text = json.dumps(store, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError):  # not JSON's: a store the browser could not have sent
        return None, ["not a story"]
    story, problems = _checked(atlas, text)
    return story, list(problems)


@lru_cache(maxsize=32)
def _checked(atlas: Atlas, text: str) -> tuple[Story | None, tuple[str, ...]]:
    # One request asks several times (its vocabulary, its story step, its view): the check is done once.
    story, problems = check_story(draft_of(json.loads(text)), atlas, own=True)
    return story, tuple(problems)


def step_of_view(state: State, atlas: Atlas) -> dict | None:
    """The step table that shows the map as `state` shows it, or None when its indicator is not one of
    the catalogue's (a composite index or an uploaded dataset: a story file could not be shown elsewhere).
    The selected unit is outlined, and its peers shown when the map shows them; a bivariate map's second
    indicator is not kept (a step maps one indicator); the caption starts empty."""
    indicator = base_of(state.indicator) or state.indicator
    if indicator not in atlas.catalogue.index:
        return None
    step: dict = {"indicator": indicator}
    if state.year != LATEST:
        step["year"] = int(state.year)
    if state.since is not None:
        step["since"] = int(state.since)
        if state.change != CHANGE_MODES[0]:
            step["change"] = state.change
    if state.countries:
        step["countries"] = list(state.countries)
    if state.zoom:
        step["zoom"] = state.zoom
    step |= {"method": state.method, "classes": state.classes}
    if state.unit:
        step["highlight"] = [state.unit]
        if state.peers:
            step["peers"] = state.unit
    step["caption"] = {}
    return step


def with_step(store, step: dict) -> dict:
    """The draft with `step` added at its end (unchanged when it has MAX_STEPS already)."""
    draft = draft_of(store)
    if len(draft["step"]) < MAX_STEPS:
        draft["step"].append(copy.deepcopy(step))
    return draft


def moved(store, index: int, by: int) -> dict:
    """The draft with step `index` (from 0) moved `by` places, kept within the story."""
    draft = draft_of(store)
    steps = draft["step"]
    if 0 <= index < len(steps):
        steps.insert(max(0, min(len(steps) - 1, index + by)), steps.pop(index))
    return draft


def deleted(store, index: int) -> dict:
    draft = draft_of(store)
    if 0 <= index < len(draft["step"]):
        del draft["step"][index]
    return draft


def with_caption(store, index: int, lang: str, text) -> dict:
    """The draft with step `index`'s caption in `lang` set to `text` (cut to MAX_CAPTION characters; an
    empty text removes that language's caption)."""
    draft = draft_of(store)
    if 0 <= index < len(draft["step"]) and lang in LANGUAGES:
        step = draft["step"][index]
        step["caption"] = _with_text(step.get("caption"), lang, text, MAX_CAPTION)
    return draft


def with_title(store, lang: str, text) -> dict:
    draft = draft_of(store)
    if lang in LANGUAGES:
        draft["title"] = _with_text(draft["title"], lang, text, MAX_TITLE)
    return draft


def _with_text(texts, lang: str, text, limit: int) -> dict:
    texts = dict(texts) if isinstance(texts, dict) else {}
    text = text[:limit] if isinstance(text, str) else ""
    if text.strip():
        texts[lang] = text
    else:
        texts.pop(lang, None)
    return texts


def loaded(data: bytes, name: str, atlas: Atlas) -> dict:
    """The draft of a story file a person loads (theirs, or one of data/stories); stories.StoryError
    naming the file and every problem when it is not a story this dataset can show."""
    return table_of(parse_story(data, atlas, name, own=True))


def table_of(story: Story) -> dict:
    """The table of a story (as its file writes it: what a step does not set is left out)."""
    table = {"title": dict(story.title), "seconds": story.seconds, "step": [_step_table(s) for s in story.steps]}
    if story.id != OWN_STORY:
        table["id"] = story.id
    return table


def _step_table(step: Step) -> dict:
    table: dict = {"indicator": step.indicator}
    for name in ("year", "since", "zoom", "method", "classes", "peers"):
        if getattr(step, name) is not None:
            table[name] = getattr(step, name)
    if step.since is not None and step.change != CHANGE_MODES[0]:
        table["change"] = step.change
    for name in ("countries", "highlight"):
        if getattr(step, name):
            table[name] = list(getattr(step, name))
    table["caption"] = dict(step.caption)
    return table


def story_file(story: Story, lang: str) -> tuple[str, str]:
    """The TOML text of a story and its file name, both from its title (in `lang` first)."""
    story_id = file_id(text_in(story.title, lang)[0])
    table = {"id": story_id} | {k: v for k, v in table_of(story).items() if k != "id"}
    return FILE_HEADER + tomli_w.dumps(table), f"{story_id}.toml"


def file_id(title: str) -> str:
    """A story id (and file name) from its title: "Vallées en mutation !" -> "vallees-en-mutation"."""
    # Accents go (é -> e); any other character that is not a letter or digit of ASCII separates words.
    letters = "".join(c for c in unicodedata.normalize("NFKD", title) if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", letters.lower()).strip("-")[:64].strip("-")
    return slug if re.fullmatch(STORY_ID, slug) and slug != OWN_STORY else "my-story"
