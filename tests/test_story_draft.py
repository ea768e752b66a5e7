"""A person's own story (dashboard/story_draft.py, views/author.py): a view added as a step shows that view
again, the editor's moves agree with a plain list's, the downloaded file loads back as the same story,
every story of the repository survives being written and read, a hostile draft is refused without an
error, and the caption's preview carries the numbers of the data."""

from __future__ import annotations

import json
import tomllib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.indicators import Indicators
from dashboard.state import IndexState, State
from dashboard.stories import OWN_STORY, StoryError, apply_step, parse_story, stories_for
from dashboard.story_draft import (
    deleted,
    draft_of,
    empty,
    file_id,
    loaded,
    moved,
    own_story,
    step_of_view,
    story_file,
    table_of,
    with_caption,
    with_step,
    with_title,
)

MAP_FIELDS = ("indicator", "year", "since", "change", "countries", "zoom", "method", "classes")


def _views(atlas) -> list[State]:
    """Views a person may add: the latest values, one year, a change, countries and a zoom, a unit with
    its peers, another classification."""
    years = atlas.years("population")
    return [
        State(indicator="foreign_pct"),
        State(
            indicator="population",
            year=str(years[-1]),
            countries=("AT",),
            zoom="AT",
            method="equal_interval",
            classes=4,
        ),
        State(indicator="change:population", year=str(years[-1]), since=str(years[0]), change="pa"),
        State(indicator="share_65plus", unit="AT_70101", peers=True, countries=("AT", "SI")),
        State(indicator="share_65plus", unit="AT_70101", versus="foreign_pct"),
    ]


def test_a_view_added_as_a_step_shows_that_view_again(synthetic_atlas):
    atlas = synthetic_atlas
    views = _views(atlas)
    draft = empty()
    for view in views:
        draft = with_step(draft, step_of_view(view, atlas))
    story, problems = own_story(draft, atlas)
    assert problems == [] and story.id == OWN_STORY and len(story.steps) == len(views)
    for number, view in enumerate(views, start=1):
        shown = apply_step(State(story=OWN_STORY, step=number), story)
        assert {f: getattr(shown, f) for f in MAP_FIELDS} == {f: getattr(view, f) for f in MAP_FIELDS}, number
        assert shown.versus is None and shown.present  # a step maps one indicator
        # The selected unit is outlined; with its peers shown, it is the step's unit again.
        assert story.steps[number - 1].highlight == ((view.unit,) if view.unit else ())
        assert (shown.unit, shown.peers) == ((view.unit, True) if view.peers else (None, False))


def test_a_composite_index_or_an_upload_cannot_be_a_step(synthetic_atlas):
    index = IndexState(components=("foreign_pct", "share_65plus"))
    assert step_of_view(State(indicator="index:score", index=index), synthetic_atlas) is None
    assert step_of_view(State(indicator="upload:u1"), synthetic_atlas) is None


def test_the_downloaded_file_loads_back_as_the_same_story(synthetic_atlas):
    atlas = synthetic_atlas
    draft = empty()
    for view in _views(atlas)[:4]:
        draft = with_step(draft, step_of_view(view, atlas))
    draft = with_title(draft, "fr", "Vallées en mutation !")
    draft = with_caption(draft, 0, "en", "Central units: {central} (n = {n_central}).")
    draft = with_caption(draft, 3, "de", "Innsbruck: {value:AT_70101}; {n_peers} Vergleichseinheiten: {peers}.")
    story, problems = own_story(draft, atlas)
    assert problems == []
    text, name = story_file(story, "fr")
    assert name == "vallees-en-mutation.toml"
    assert text.startswith("# A story of PlurAlps Atlas")
    raw = tomllib.loads(text)
    assert raw["id"] == "vallees-en-mutation" and raw["title"] == {"fr": "Vallées en mutation !"}
    assert raw["step"][2] == {
        "indicator": "population",
        "year": atlas.years("population")[-1],
        "since": atlas.years("population")[0],
        "change": "pa",
        "method": "quantiles",
        "classes": 5,
        "caption": {},
    }
    assert loaded(text.encode(), name, atlas) == table_of(story)
    assert own_story(loaded(text.encode(), name, atlas), atlas)[0] == story
    # Not yet a story of data/stories: those have every language.
    with pytest.raises(StoryError, match="title lacks de.*caption lacks de"):
        parse_story(text.encode(), atlas, name)


def test_every_story_of_the_repository_survives_writing_and_reading(atlas):
    assert stories_for(atlas)
    for story in stories_for(atlas).values():
        text, _ = story_file(story, "en")
        again = parse_story(text.encode(), atlas, "copy", own=False)
        assert again.steps == story.steps and again.title == story.title and again.seconds == story.seconds


def test_a_story_file_may_not_take_the_browsers_id(synthetic_atlas):
    story = next(iter(stories_for(synthetic_atlas).values()))
    text, _ = story_file(story, "en")
    with pytest.raises(StoryError, match="kept for the story made in the browser"):
        parse_story(text.replace(f'id = "{file_id(story.title["en"])}"', 'id = "own"').encode(), synthetic_atlas)


def test_a_caption_may_only_use_the_placeholders_of_its_step(synthetic_atlas):
    draft = with_step(empty(), step_of_view(State(indicator="foreign_pct"), synthetic_atlas))
    for text in ("{mean}", "{value:XX_1}", "{peers}"):  # {peers}: the step shows no unit's peers
        story, problems = own_story(with_caption(draft, 0, "en", text), synthetic_atlas)
        assert story is None and problems == [f"step 1: unknown placeholder {text}"]


_STEP_NAMES = st.sampled_from("abcdefgh")
_OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("add"), _STEP_NAMES),
        st.tuples(st.just("move"), st.integers(-1, 9), st.sampled_from([-1, 1])),
        st.tuples(st.just("delete"), st.integers(-1, 9)),
    ),
    max_size=25,
)


@given(_OPERATIONS)
@settings(max_examples=150, deadline=None)
def test_the_editors_moves_agree_with_a_plain_list(operations):
    draft, model = empty(), []
    for op in operations:
        before = json.dumps(draft, sort_keys=True)
        if op[0] == "add":
            draft = with_step(draft, {"indicator": op[1], "caption": {}})
            model.append(op[1])
        elif op[0] == "move":
            draft = moved(draft, op[1], op[2])
            if 0 <= op[1] < len(model):
                target = min(max(op[1] + op[2], 0), len(model) - 1)
                model[op[1]], model[target] = model[target], model[op[1]]
        else:
            draft = deleted(draft, op[1])
            if 0 <= op[1] < len(model):
                del model[op[1]]
        assert [s["indicator"] for s in draft["step"]] == model
        assert json.dumps(draft, sort_keys=True) != before or op[0] != "add"  # a new draft, not the same one


def test_editing_leaves_the_draft_it_was_given_as_it_was(synthetic_atlas):
    draft = with_step(empty(), step_of_view(State(indicator="foreign_pct", countries=("AT",)), synthetic_atlas))
    frozen = json.dumps(draft, sort_keys=True)
    with_caption(draft, 0, "en", "x")
    with_title(draft, "en", "y")
    moved(with_step(draft, {"indicator": "population"}), 1, -1)
    deleted(draft, 0)
    assert json.dumps(draft, sort_keys=True) == frozen
    assert with_caption(with_caption(draft, 0, "en", "x"), 0, "en", "  ")["step"][0]["caption"] == {}


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 3000) | st.text(max_size=12) | st.sampled_from(["foreign_pct", "AT"]),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["title", "step", "seconds", "indicator", "caption", "year", "countries", "en", "peers", "x"]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@given(_JSON, st.integers(-2, 3), st.text(max_size=30))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_hostile_draft_is_refused_or_shown_without_an_error(synthetic_atlas, store, index, text):
    story, problems = own_story(store, synthetic_atlas)
    assert (story is None) == bool(problems)
    draft = draft_of(store)
    assert isinstance(draft["step"], list) and isinstance(draft["title"], dict)
    for changed in (with_caption(store, index, "en", text), moved(store, index, 1), deleted(store, index)):
        own_story(changed, synthetic_atlas)


def test_a_hostile_file_is_refused_naming_the_file(synthetic_atlas):
    for data, problem in (
        (b"\xff\xfe", "not UTF-8"),
        (b"[[step]\n", "not valid TOML"),
        (b"x" * 200_001, "bytes; a story may have"),
        (b'[[step]]\nindicator = "nothing"\n', "unknown indicator 'nothing'"),
    ):
        with pytest.raises(StoryError, match=f"^mine.toml: .*{problem}"):
            loaded(data, "mine.toml", synthetic_atlas)


def test_story_ids_from_titles():
    assert file_id("Vallées en mutation !") == "vallees-en-mutation"
    assert file_id("Ždarsko: 2011–2021") == "zdarsko-2011-2021"
    assert file_id("") == file_id("!!!") == file_id("Own") == "my-story"
    assert len(file_id("a" * 300)) == 64


def test_the_caption_preview_carries_the_numbers_of_the_data(synthetic_atlas):
    from dashboard.i18n import fmt_number, fmt_value
    from dashboard.views.author import caption_preview, preview_text

    atlas = synthetic_atlas
    step = step_of_view(State(indicator="share_65plus", countries=("AT",), unit="AT_70101"), atlas)
    step["caption"] = {"de": "Innsbruck: {value:AT_70101}; n = {n_central}."}
    story, _ = own_story(with_step(empty(), step), atlas)
    text = preview_text(story, "de", atlas)
    # Independently of the caption code: the unit's latest value, and the central units of Austria with one.
    series = Indicators(atlas).series("share_65plus")
    value = float(series.values[atlas.position["AT_70101"]])
    units = atlas.units
    central = (units["country"] == "AT").to_numpy() & (units["peripherality"] == "central").fillna(False).to_numpy()
    count = int((central & ~np.isnan(series.values)).sum())
    assert text == f"Innsbruck: {fmt_value(value, '%', 'de')}; n = {fmt_number(count, 'de')}."
    shown = json.dumps(caption_preview(step, atlas, "de"), default=lambda c: c.to_plotly_json(), ensure_ascii=False)
    assert text in shown
    assert "Not a placeholder" in json.dumps(
        caption_preview(step | {"caption": {"en": "{median}"}}, atlas, "en"), default=lambda c: c.to_plotly_json()
    )


def test_the_own_story_is_in_the_url_while_its_store_comes_with_the_request(synthetic_atlas):
    from dashboard import ids
    from dashboard.session import base_vocabulary
    from dashboard.state import parse_query
    from dashboard.transitions import INPUTS, transition

    atlas = synthetic_atlas
    draft = empty()
    for view in _views(atlas)[:2]:
        draft = with_step(draft, step_of_view(view, atlas))
    inputs = dict.fromkeys(INPUTS)
    start = transition(
        atlas,
        ids.STORY_NAV,
        "",
        inputs | {"story_nav": {"action": "start", "story": "own", "step": 2}},
        "",
        {},
        None,
        draft,
    )
    assert "story=own&step=2" in start["url"] and "indicator=population" in start["url"]
    following = transition(
        atlas, ids.STORY_NAV, start["url"], inputs | {"story_nav": {"action": "prev"}}, start["state"], {}, None, draft
    )
    assert following["url"] == "?story=own&step=1"  # the first step is the default map: nothing else to say
    # Opened where the story is not (a phone scanning the link): the same map, out of the story.
    elsewhere = transition(atlas, None, start["url"], inputs, "", {}, None, None)
    state = parse_query(elsewhere["state"], base_vocabulary(atlas)).state
    assert state.story is None and state.indicator == "population" and state.countries == ("AT",)
    # A step number the story does not have starts at its first step.
    odd = transition(
        atlas,
        ids.STORY_NAV,
        "",
        inputs | {"story_nav": {"action": "start", "story": "own", "step": 9}},
        "",
        {},
        None,
        draft,
    )
    assert "step=1" in odd["url"]
