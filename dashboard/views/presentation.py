"""Presentation mode for workshops: large type, controls out of the way, and stories told step by step.

The overlay shows the story's title, the step's caption (numbers from the data, see dashboard/stories.py),
the step counter and buttons; keys do the same (assets/atlas-present.js): → / PageDown / space next,
← / PageUp previous, Esc leave, F full screen, P play or pause the timer. A presenter's clicker sends
PageDown and PageUp, so it works too.
"""

from __future__ import annotations

from dash import html

from dashboard.i18n import t
from dashboard.indicators import Indicators
from dashboard.state import State
from dashboard.stories import OWN_STORY, Story, caption, pooled_note, text_in


def _action(label: str, action: str, title: str, **data) -> html.Button:
    attributes = {"data-story-action": action, **{f"data-{k}": v for k, v in data.items()}}
    return html.Button(label, className="atlas-story-button", title=title, **{"aria-label": title}, **attributes)


def overlay(story: Story | None, state: State, indicators: Indicators) -> list:
    """Return the caption box of a running story, the bar of presentation mode, or nothing."""
    lang = state.lang
    if not state.present:
        return []
    exit_button = _action("×", "exit", t("present.exit", lang))
    if story is None:
        return [
            html.Div(
                className="atlas-story-bar",
                children=[
                    html.Span(t("present.mode", lang)),
                    _action("⚙", "controls", t("present.controls", lang)),
                    _action("□", "fullscreen", t("present.fullscreen", lang)),
                    exit_button,
                ],
            )
        ]
    return [
        html.Div(
            className="atlas-story-box",
            **{"data-seconds": str(story.seconds)},
            children=[
                html.P(story_title(story, lang), className="atlas-story-title"),
                html.P(caption(story, state, indicators), className="atlas-story-caption", id="story-caption"),
                html.P(pooled_note(story, state, indicators), className="atlas-story-pooled", id="story-pooled"),
                html.Div(
                    className="atlas-story-nav",
                    children=[
                        _action("←", "prev", t("present.previous", lang)),
                        html.Span(
                            t("present.step", lang, step=state.step, steps=len(story.steps)),
                            id="story-step",
                            className="atlas-story-step",
                        ),
                        _action("→", "next", t("present.next", lang)),
                        _action("▶", "play", t("present.play", lang)),
                        _action("⚙", "controls", t("present.controls", lang)),
                        _action("□", "fullscreen", t("present.fullscreen", lang)),
                        exit_button,
                    ],
                ),
            ],
        )
    ]


def story_title(story: Story, lang: str) -> str:
    """A story's title in `lang` (or the language it has); a person's own story may have none yet."""
    title, _ = text_in(story.title, lang)
    return title or (t("author.untitled", lang) if story.id == OWN_STORY else story.id)


def start_panel(stories: dict[str, Story], lang: str) -> html.Div:
    """Return the controls that start presentation mode or a story."""
    buttons = [
        html.Button(
            story_title(story, lang),
            className="atlas-button",
            **{"data-story-action": "start", "data-story": story.id},
        )
        for story in stories.values()
    ]
    return html.Div(
        className="atlas-present-start",
        children=[
            html.H3(t("present.heading", lang), className="atlas-field-title"),
            html.P(t("present.hint", lang), className="atlas-small"),
            *buttons,
            html.Button(
                t("present.start", lang),
                className="atlas-button atlas-button-light",
                **{"data-story-action": "present"},
            ),
        ],
    )
