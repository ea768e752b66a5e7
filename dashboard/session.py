"""What one request knows: the view state (from a query string), the indicators, including the ones the
person uploaded in this browser session, and the stories, including the one the person is making (both
sent with the request from the browser's stores, validated here, never stored)."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from dashboard.atlas import Atlas
from dashboard.change import base_of, change_indicator, changeable
from dashboard.context import atlas as get_atlas
from dashboard.index_layer import INDEX_IDS, index_indicators, usable
from dashboard.indicators import Indicators
from dashboard.state import IndexState, State, Vocabulary, parse_query
from dashboard.stories import OWN_STORY, Story, apply_step, stories_for
from dashboard.story_draft import own_story
from dashboard.upload.datasets import load_datasets
from dashboard.vocabulary import vocabulary


@lru_cache(maxsize=4)
def base_vocabulary(atlas: Atlas) -> Vocabulary:
    stories = {story_id: len(story.steps) for story_id, story in stories_for(atlas).items()}
    return replace(vocabulary(atlas), stories=stories)


def indicators_for(uploads_store, atlas: Atlas | None = None) -> Indicators:
    """Return the catalogue's indicators plus the valid uploaded datasets of the session store."""
    atlas = atlas or get_atlas()
    return Indicators(atlas, load_datasets(uploads_store, atlas.unit_ids))


def stories_with(atlas: Atlas, own_store=None) -> dict[str, Story]:
    """The Atlas' stories, and the person's own (under OWN_STORY) while it has no problem."""
    own, _ = own_story(own_store, atlas) if own_store else (None, [])
    return stories_for(atlas) | ({OWN_STORY: own} if own else {})


def vocabulary_with(indicators: Indicators, own_store=None) -> Vocabulary:
    """Return the URL vocabulary extended by the session's uploaded indicators and own story."""
    vocab = base_vocabulary(indicators.atlas)
    own, _ = own_story(own_store, indicators.atlas) if own_store else (None, [])
    if own:
        vocab = replace(vocab, stories=vocab.stories | {OWN_STORY: len(own.steps)})
    if not indicators.uploaded_ids():
        return vocab
    extra = {i: tuple(indicators.years(i)) for i in indicators.uploaded_ids()}
    return replace(
        vocab,
        indicators=vocab.indicators | extra,
        peer_indicators=vocab.peer_indicators | set(extra),
        index_components=vocab.index_components | set(extra),
        fields=vocab.fields | {"uploaded"},
    )


def session(query, uploads_store=None, own_store=None) -> tuple[State, Indicators]:
    """Return the state described by `query` and the indicators it may use (a story step applied; the
    composite index among them when the state defines one). Without the own story's store, a state of its
    steps is the step's map (its URL names the map too), out of the story."""
    indicators = indicators_for(uploads_store)
    state = parse_query(query if isinstance(query, str) else "", vocabulary_with(indicators, own_store)).state
    state, indicators = with_index(state, indicators)
    state = with_story(state, indicators.atlas, own_store)
    return state, with_change(state, indicators)


def with_change(state: State, indicators: Indicators) -> Indicators:
    """Add the change the state maps (the parser has checked its years) to the indicators."""
    base = base_of(state.indicator)
    if base is None or state.since is None or not changeable(indicators, base):
        return indicators
    years = (int(state.since), int(state.year))
    return indicators.with_derived(change_indicator(indicators, base, *years, state.change))


def with_index(state: State, indicators: Indicators) -> tuple[State, Indicators]:
    """Add the state's composite index to the indicators; without one (or with a component no longer
    there), the index is cleared and a map of it falls back to the default indicator."""
    method = state.index.method()
    if usable(indicators, method):
        return state, indicators.with_derived(index_indicators(indicators, method))
    if state.indicator in INDEX_IDS:
        state = state.with_(indicator=base_vocabulary(indicators.atlas).default_indicator)
    return (state.with_(index=IndexState()) if method else state), indicators


def with_story(state: State, atlas: Atlas, own_store=None) -> State:
    """Return `state` with its story step applied (unchanged when no story is running)."""
    story = stories_with(atlas, own_store).get(state.story) if state.story else None
    return apply_step(state, story) if story else state
