"""The story editor: a person makes their own story for a workshop in the browser, without a file of the
repository. "Add this view as a step" takes the map as it is; each step gets a caption in the page's
language, with the placeholders of data/stories previewed with the real numbers; steps are reordered and
deleted; the story is presented like the Atlas' own, downloaded as a story file and loaded again.

The draft lives in the browser (ids.OWN_STORY, local storage; dashboard/story_draft.py) and comes with the
requests that need it; the server checks it each time and keeps nothing. `edit_own_story` is the one
writer of the draft; `show_own_story` draws the editor from it.
"""

from __future__ import annotations

import base64
import binascii

from dash import ALL, Input, Output, callback, ctx, dcc, html, no_update
from dash import State as DashState
from dash.exceptions import PreventUpdate

from dashboard import ids
from dashboard.atlas import Atlas
from dashboard.context import atlas as get_atlas
from dashboard.i18n import fmt_number, t
from dashboard.indicators import Indicators
from dashboard.session import base_vocabulary, indicators_for, session, with_change
from dashboard.state import State, parse_query
from dashboard.stories import (
    GROUPS,
    MAX_CAPTION,
    MAX_STEPS,
    MAX_STORY_BYTES,
    OWN_STORY,
    Story,
    StoryError,
    apply_step,
    caption,
    check_story,
    stories_for,
    unknown_placeholders,
)
from dashboard.story_draft import (
    MAX_TITLE,
    deleted,
    draft_of,
    empty,
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
from dashboard.views.presentation import story_title
from dashboard.vocabulary import country_name, region_name
from geo.terms import LANGUAGE_NAMES, LANGUAGES

STEP_ACTIONS = ("edit", "up", "down", "delete")


def panel(atlas: Atlas, lang: str) -> html.Details:
    """Return the editor (closed until opened: most visitors only read the map)."""
    return html.Details(
        id=ids.AUTHOR,
        className="atlas-author",
        children=[
            html.Summary(t("author.heading", lang), className="atlas-field-title"),
            html.P(t("author.intro", lang), className="atlas-small"),
            html.Div(
                className="atlas-field",
                children=[
                    html.Label(t("author.title", lang), htmlFor=ids.AUTHOR_TITLE),
                    dcc.Input(
                        id=ids.AUTHOR_TITLE,
                        type="text",
                        debounce=True,
                        maxLength=MAX_TITLE,
                        placeholder=t("author.untitled", lang),
                        className="atlas-input",
                    ),
                ],
            ),
            html.Button(t("author.add", lang), id=ids.AUTHOR_ADD, className="atlas-button"),
            html.P(id=ids.AUTHOR_MESSAGE, className="atlas-author-message", **{"aria-live": "polite"}),
            html.Ol(id=ids.AUTHOR_STEPS, className="atlas-author-steps", **{"aria-label": t("author.steps", lang)}),
            html.Div(
                id=ids.AUTHOR_CAPTION_BOX,
                className="atlas-author-caption-box",
                hidden=True,
                children=[
                    html.Label(id=ids.AUTHOR_CAPTION_LABEL, htmlFor=ids.AUTHOR_CAPTION),
                    dcc.Textarea(
                        id=ids.AUTHOR_CAPTION, rows=4, maxLength=MAX_CAPTION, className="atlas-author-caption"
                    ),
                    html.Div(id=ids.AUTHOR_HELP, className="atlas-author-help atlas-small"),
                    html.Div(id=ids.AUTHOR_PREVIEW, className="atlas-author-preview", **{"aria-live": "polite"}),
                ],
            ),
            html.Div(id=ids.AUTHOR_PROBLEMS, className="atlas-author-problems"),
            html.Div(
                className="atlas-author-actions",
                children=[
                    html.Button(
                        t("author.present", lang),
                        id=ids.AUTHOR_PRESENT,
                        className="atlas-button",
                        disabled=True,
                        **{"data-story-action": "start", "data-story": OWN_STORY},
                    ),
                    html.Button(
                        t("author.download", lang),
                        id=ids.AUTHOR_DOWNLOAD_BUTTON,
                        className="atlas-button atlas-button-light",
                        disabled=True,
                    ),
                    dcc.Download(id=ids.AUTHOR_DOWNLOAD),
                    html.Div(
                        # atlas-upload.js says at once when a file is over the limit (the server checks again).
                        **{
                            "data-max-bytes": str(MAX_STORY_BYTES),
                            "data-message-id": ids.AUTHOR_MESSAGE,
                            "data-too-large": t(
                                "author.too_large",
                                lang,
                                size="{size}",
                                limit=fmt_number(MAX_STORY_BYTES / 2**20, lang, 1),
                            ),
                        },
                        children=dcc.Upload(
                            id=ids.AUTHOR_LOAD,
                            className="atlas-upload atlas-author-load",
                            accept=".toml,text/plain",
                            max_size=MAX_STORY_BYTES,
                            multiple=False,
                            children=html.Span(t("author.load", lang), className="atlas-link"),
                        ),
                    ),
                    html.Button(t("author.new", lang), id=ids.AUTHOR_NEW, className="atlas-button atlas-button-light"),
                    html.Button(
                        t("author.undo", lang),
                        id=ids.AUTHOR_UNDO,
                        className="atlas-button atlas-button-light",
                        hidden=True,
                    ),
                ],
            ),
            html.P(t("author.copy_heading", lang), className="atlas-small"),
            html.Div(
                className="atlas-author-copies",
                children=[
                    html.Button(
                        t("author.copy", lang, title=story_title(story, lang)),
                        id={"type": ids.AUTHOR_COPY, "story": story.id},
                        className="atlas-button atlas-button-light",
                    )
                    for story in stories_for(atlas).values()
                ],
            ),
        ],
    )


# ---------------------------------------------------------------------------------------------- editing


@callback(
    Output(ids.OWN_STORY, "data"),
    Output(ids.OWN_STORY_PREVIOUS, "data"),
    Output(ids.AUTHOR_EDITING, "data"),
    Output(ids.AUTHOR_CAPTION, "value"),
    Output(ids.AUTHOR_TITLE, "value"),
    Output(ids.AUTHOR_LOAD, "contents"),
    Output(ids.AUTHOR_MESSAGE, "children"),
    Input(ids.AUTHOR_ADD, "n_clicks"),
    Input({"type": ids.AUTHOR_STEP, "action": ALL, "index": ALL}, "n_clicks"),
    Input(ids.AUTHOR_CAPTION, "value"),
    Input(ids.AUTHOR_TITLE, "value"),
    Input(ids.AUTHOR_LOAD, "contents"),
    Input(ids.AUTHOR_NEW, "n_clicks"),
    Input(ids.AUTHOR_UNDO, "n_clicks"),
    Input({"type": ids.AUTHOR_COPY, "story": ALL}, "n_clicks"),
    DashState(ids.AUTHOR_LOAD, "filename"),
    DashState(ids.OWN_STORY, "data"),
    DashState(ids.OWN_STORY_PREVIOUS, "data"),
    DashState(ids.AUTHOR_EDITING, "data"),
    DashState(ids.STATE, "data"),
    DashState(ids.UPLOADS, "data"),
)
def edit_own_story(
    _add, _steps, text, title, contents, _new, _undo, _copy, filename, store, previous, editing, query, uploads
):
    trigger = ctx.triggered_id
    # A button of the step list appearing (the list was drawn again) fires with no click: nothing to do.
    clicked = bool(ctx.triggered and ctx.triggered[0].get("value"))
    state, indicators = session(query, uploads, store)
    edit = Edit(get_atlas(), state, indicators, store, previous, editing)
    if trigger is None:
        return edit.outputs(fields=True)
    if trigger == ids.AUTHOR_ADD:
        return edit.add()
    if isinstance(trigger, dict) and trigger.get("type") == ids.AUTHOR_STEP and clicked:
        return edit.step_action(trigger.get("action"), trigger.get("index"))
    if trigger == ids.AUTHOR_CAPTION:
        return edit.caption(text)
    if trigger == ids.AUTHOR_TITLE:
        return edit.title(title)
    if trigger == ids.AUTHOR_LOAD and contents:
        return edit.load(contents, filename)
    if trigger == ids.AUTHOR_NEW and clicked:
        return edit.replace(empty(), t("author.new_done", state.lang))
    if trigger == ids.AUTHOR_UNDO and clicked:
        return edit.undo()
    if isinstance(trigger, dict) and trigger.get("type") == ids.AUTHOR_COPY and clicked:
        return edit.copy(trigger.get("story"))
    raise PreventUpdate


class Edit:
    """One edit of the draft: each method returns the callback's outputs (`outputs`)."""

    def __init__(self, atlas: Atlas, state: State, indicators: Indicators, store, previous, editing):
        self.atlas, self.state, self.lang, self.indicators = atlas, state, state.lang, indicators
        self.draft = draft_of(store)
        self.previous = previous
        self.editing = _index(editing, len(self.draft["step"]))

    def outputs(self, draft=None, previous=no_update, message=no_update, fields=False, editing=None) -> tuple:
        """The outputs: the draft (`draft`, else unchanged), the previous draft, the step edited and, with
        `fields`, the caption and title fields written again from the draft (not while a person types)."""
        draft = self.draft if draft is None else draft
        editing = _index(self.editing if editing is None else editing, len(draft["step"]))
        caption_text, title = no_update, no_update
        if fields:
            steps = draft["step"]
            caption_text = _text(steps[editing].get("caption"), self.lang) if steps else ""
            title = _text(draft.get("title"), self.lang)
        return draft, previous, editing, caption_text, title, None, message

    def add(self) -> tuple:
        step = step_of_view(self.state, self.atlas)
        if step is None:
            label = self.indicators.get(self.state.indicator).label(self.lang)
            return self.outputs(message=t("author.not_catalogue", self.lang, indicator=label))
        if len(self.draft["step"]) >= MAX_STEPS:
            return self.outputs(message=t("author.full", self.lang, n=MAX_STEPS))
        draft = with_step(self.draft, step)
        number = len(draft["step"])
        message = t("author.added", self.lang, n=number, summary=step_summary(step, self.atlas, self.lang))
        if self.state.versus:
            message += " " + t("author.one_indicator", self.lang)
        return self.outputs(draft, message=message, fields=True, editing=number - 1)

    def step_action(self, action, index) -> tuple:
        steps = len(self.draft["step"])
        if action not in STEP_ACTIONS or not isinstance(index, int) or not 0 <= index < steps:
            raise PreventUpdate
        if action == "edit":
            return self.outputs(fields=True, editing=index)
        if action == "delete":
            message = t("author.deleted", self.lang, n=index + 1) + " " + t("author.undo_hint", self.lang)
            draft = deleted(self.draft, index)
            return self.outputs(draft, self.draft, message, fields=True, editing=min(index, len(draft["step"]) - 1))
        by = -1 if action == "up" else 1
        target = max(0, min(steps - 1, index + by))
        return self.outputs(moved(self.draft, index, by), fields=True, editing=target)

    def caption(self, text) -> tuple:
        if not self.draft["step"]:
            raise PreventUpdate
        return self.outputs(with_caption(self.draft, self.editing, self.lang, text))

    def title(self, text) -> tuple:
        return self.outputs(with_title(self.draft, self.lang, text))

    def load(self, contents, filename) -> tuple:
        name = filename if isinstance(filename, str) and filename else "story.toml"
        try:
            data = _decoded(contents)
            draft = loaded(data, name[:120], self.atlas)
        except StoryError as exc:
            message = [t("author.load_failed", self.lang, file=name[:120]), " ", html.Span(str(exc), lang="en")]
            return self.outputs(message=message)
        return self.replace(draft, t("author.loaded", self.lang, file=name[:120], n=len(draft["step"])))

    def copy(self, story_id) -> tuple:
        story = stories_for(self.atlas).get(story_id) if isinstance(story_id, str) else None
        if story is None:
            raise PreventUpdate
        draft = {k: v for k, v in table_of(story).items() if k != "id"}
        title = story_title(story, self.lang)
        return self.replace(draft, t("author.copied", self.lang, title=title, n=len(story.steps)))

    def replace(self, draft: dict, message: str) -> tuple:
        """The draft replaced by another (loaded, copied, new); the one it replaces is kept for undo."""
        kept = self.draft if self.draft["step"] or self.draft["title"] else no_update
        if kept is not no_update:
            message += " " + t("author.undo_hint", self.lang)
        return self.outputs(draft, kept, message, fields=True, editing=0)

    def undo(self) -> tuple:
        if not isinstance(self.previous, dict):
            raise PreventUpdate
        return self.outputs(draft_of(self.previous), self.draft, t("author.undone", self.lang), fields=True, editing=0)


def _decoded(contents) -> bytes:
    """The bytes of an upload component's data URL; StoryError when it is not one."""
    if not isinstance(contents, str) or "," not in contents:
        raise StoryError("not a file")
    header, _, body = contents.partition(",")
    if len(body) > MAX_STORY_BYTES * 4 // 3 + 8:
        raise StoryError(f"more than {MAX_STORY_BYTES:,} bytes; a story may have {MAX_STORY_BYTES:,}")
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise StoryError("not a file the browser could read") from None


def _index(value, steps: int) -> int:
    """The step edited: `value` when it is one of the draft's, else the last step (0 with none)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < steps:
        return value
    return max(0, steps - 1)


def _text(texts, lang: str) -> str:
    return texts.get(lang, "") if isinstance(texts, dict) and isinstance(texts.get(lang, ""), str) else ""


# ---------------------------------------------------------------------------------------------- showing


@callback(
    Output(ids.AUTHOR_STEPS, "children"),
    Output(ids.AUTHOR_CAPTION_BOX, "hidden"),
    Output(ids.AUTHOR_CAPTION_LABEL, "children"),
    Output(ids.AUTHOR_HELP, "children"),
    Output(ids.AUTHOR_PREVIEW, "children"),
    Output(ids.AUTHOR_PROBLEMS, "children"),
    Output(ids.AUTHOR_PRESENT, "disabled"),
    Output(ids.AUTHOR_DOWNLOAD_BUTTON, "disabled"),
    Output(ids.AUTHOR_UNDO, "hidden"),
    Input(ids.OWN_STORY, "data"),
    Input(ids.AUTHOR_EDITING, "data"),
    Input(ids.OWN_STORY_PREVIOUS, "data"),
    DashState(ids.STATE, "data"),
)
def show_own_story(store, editing, previous, query):
    atlas = get_atlas()
    lang = parse_query(query if isinstance(query, str) else "", base_vocabulary(atlas)).state.lang
    draft = draft_of(store)
    steps = draft["step"]
    story, problems = own_story(store, atlas)
    index = _index(editing, len(steps))
    rows = [_step_row(step, i, len(steps), i == index, story is not None, atlas, lang) for i, step in enumerate(steps)]
    if not steps:
        rows = [html.Li(t("author.no_steps", lang), className="atlas-author-empty")]
        problems = []
    shown_problems = (
        [html.P(t("author.problems", lang)), html.Ul([html.Li(p, lang="en") for p in problems])] if problems else []
    )
    label, help_text, preview = "", [], []
    if steps:
        step = steps[index]
        label = t("author.caption", lang, n=index + 1, language=LANGUAGE_NAMES[lang])
        help_text = placeholder_help(step, atlas, lang)
        preview = caption_preview(step, atlas, lang)
    return (
        rows,
        not steps,
        label,
        help_text,
        preview,
        shown_problems,
        story is None,
        story is None,
        not isinstance(previous, dict),
    )


def _step_row(step: dict, index: int, steps: int, editing: bool, presentable: bool, atlas: Atlas, lang: str):
    number = index + 1

    def action(name: str, symbol: str, disabled: bool = False) -> html.Button:
        label = t(f"author.{name}", lang, n=number)
        return html.Button(
            symbol,
            id={"type": ids.AUTHOR_STEP, "action": name, "index": index},
            className="atlas-story-button",
            title=label,
            disabled=disabled,
            **{"aria-label": label},
        )

    caption_text = _text(step.get("caption"), lang)
    return html.Li(
        className="atlas-author-step" + (" atlas-author-editing" if editing else ""),
        **({"aria-current": "step"} if editing else {}),
        children=[
            html.Button(
                [
                    html.Span(step_summary(step, atlas, lang), className="atlas-author-summary"),
                    html.Span(
                        caption_text[:80] + ("…" if len(caption_text) > 80 else "")
                        or t("author.no_caption_short", lang)
                    ),
                ],
                id={"type": ids.AUTHOR_STEP, "action": "edit", "index": index},
                className="atlas-author-step-name",
                title=t("author.edit", lang, n=number),
            ),
            html.Span(
                className="atlas-author-step-buttons",
                children=[
                    html.Button(
                        "▶",
                        className="atlas-story-button",
                        title=t("author.present_from", lang, n=number),
                        disabled=not presentable,
                        **{
                            "aria-label": t("author.present_from", lang, n=number),
                            "data-story-action": "start",
                            "data-story": OWN_STORY,
                            "data-story-step": str(number),
                        },
                    ),
                    action("up", "↑", index == 0),
                    action("down", "↓", index == steps - 1),
                    action("delete", "×"),
                ],
            ),
        ],
    )


def step_summary(step: dict, atlas: Atlas, lang: str) -> str:
    """What a step shows, in a line: "Foreign nationals · 2011–2021 change · Switzerland · outlined: Zermatt"."""
    indicator = step.get("indicator")
    if isinstance(indicator, str) and indicator in atlas.catalogue.index:
        label = Indicators(atlas).get(indicator).label(lang)
    else:
        label = t("author.unknown", lang, name=str(indicator)[:40])
    parts = [label]
    year, since = step.get("year"), step.get("since")
    if since is not None:
        parts.append(t("author.change", lang, since=since, year=year))
    elif year is not None:
        parts.append(str(year))
    countries = step.get("countries")
    if isinstance(countries, list) and countries:
        parts.append(", ".join(country_name(str(c), lang) for c in countries[:7]))
    zoom = step.get("zoom")
    if isinstance(zoom, str) and zoom and zoom not in (countries or []):
        parts.append(country_name(zoom, lang) if len(zoom) == 2 else region_name(atlas, zoom))
    highlight = step.get("highlight")
    if isinstance(highlight, list) and highlight:
        parts.append(t("author.outlined", lang, units=", ".join(_unit_name(atlas, u) for u in highlight[:5])))
    if step.get("peers"):
        parts.append(t("author.with_peers", lang))
    return " · ".join(parts)


def _unit_name(atlas: Atlas, unit) -> str:
    if isinstance(unit, str) and unit in atlas.position.index:
        return str(atlas.units["name"].iloc[int(atlas.position[unit])])
    return str(unit)[:40]


def placeholder_help(step: dict, atlas: Atlas, lang: str) -> list:
    """The placeholders this step's caption can use, each a button that types it into the caption
    (assets/atlas-author.js), with what it is filled with."""

    def chip(text: str) -> html.Button:
        return html.Button(text, className="atlas-author-chip", type="button", **{"data-insert": text})

    rows = [
        html.Li([*[chip(f"{{{g}}}") for g in GROUPS], " ", t("author.help_median", lang)]),
        html.Li([*[chip(f"{{n_{g}}}") for g in GROUPS], " ", t("author.help_count", lang)]),
    ]
    highlight = step.get("highlight") if isinstance(step.get("highlight"), list) else []
    for unit in [u for u in highlight if isinstance(u, str) and u in atlas.position.index][:5]:
        rows.append(
            html.Li([chip(f"{{value:{unit}}}"), " ", t("author.help_value", lang, unit=_unit_name(atlas, unit))])
        )
    if isinstance(step.get("peers"), str):
        unit = _unit_name(atlas, step["peers"])
        rows.append(html.Li([chip("{peers}"), chip("{n_peers}"), " ", t("author.help_peers", lang, unit=unit)]))
    else:
        rows.append(html.Li(t("author.help_select", lang)))
    return [html.P(t("author.help", lang)), html.Ul(rows)]


def caption_preview(step: dict, atlas: Atlas, lang: str) -> list:
    """The step's caption in `lang` as presentation mode will show it, its numbers from the data; or what
    keeps it from being shown."""
    texts = step.get("caption") if isinstance(step.get("caption"), dict) else {}
    text = _text(texts, lang)
    others = [LANGUAGE_NAMES[code] for code in LANGUAGES if code != lang and _text(texts, code)]
    elsewhere = (
        [html.P(t("author.also_in", lang, languages=", ".join(others)), className="atlas-small")] if others else []
    )
    if not text:
        return [html.P(t("author.no_caption", lang), className="atlas-small"), *elsewhere]
    peers = step.get("peers") if isinstance(step.get("peers"), str) else None
    unknown = unknown_placeholders([text], atlas, peers)
    if unknown:
        return [
            html.P(t("author.unknown_placeholder", lang, names=", ".join(unknown)), className="atlas-author-warning")
        ]
    alone, problems = check_story({"step": [step]}, atlas, own=True)
    if alone is None:  # the step itself cannot be shown (its problems are listed below the editor)
        return elsewhere
    return [
        html.P(t("author.preview", lang), className="atlas-small"),
        html.P(preview_text(alone, lang, atlas)),
        *elsewhere,
    ]


def preview_text(story: Story, lang: str, atlas: Atlas) -> str:
    """The first step's caption of `story` in `lang`, filled as presentation mode fills it."""
    state = apply_step(State(lang=lang, story=OWN_STORY, step=1), story)
    indicators = with_change(state, indicators_for(None, atlas))
    return caption(story, state, indicators)


# ---------------------------------------------------------------------------------------------- the file


@callback(
    Output(ids.AUTHOR_DOWNLOAD, "data"),
    Input(ids.AUTHOR_DOWNLOAD_BUTTON, "n_clicks"),
    DashState(ids.OWN_STORY, "data"),
    DashState(ids.STATE, "data"),
    prevent_initial_call=True,
)
def download_own_story(n_clicks, store, query):
    atlas = get_atlas()
    story, _ = own_story(store, atlas)
    if not n_clicks or story is None:
        raise PreventUpdate
    lang = parse_query(query if isinstance(query, str) else "", base_vocabulary(atlas)).state.lang
    text, name = story_file(story, lang)
    return dcc.send_string(text, filename=name, type="application/toml")
