"""My data: upload indicators or an SPI self-assessment, check the report, then map the good rows.

The file travels in the upload component and is parsed again by each step (nothing is kept on the server);
what is added lives in the browser session's store (ids.UPLOADS) and comes back with the requests that need
it. The report lists every problem with its row number; the rows that did not match download as CSV.
"""

from __future__ import annotations

import base64
import binascii

from dash import ALL, Input, Output, callback, ctx, dcc, html, no_update
from dash import State as DashState
from dash.exceptions import PreventUpdate

from dashboard import ids
from dashboard.context import atlas as get_atlas
from dashboard.csvsafe import safe_csv
from dashboard.i18n import dropdown_labels, fmt_number, t
from dashboard.indicators import UPLOAD_PREFIX
from dashboard.session import session
from dashboard.upload.analyse import Analysis, Choices, analyse
from dashboard.upload.datasets import SPI_FIELDS, load_datasets, store_with
from dashboard.upload.limits import LIMITS
from dashboard.upload.match import KINDS, UnitIndex, header_metadata
from dashboard.upload.parse import MAX_BYTES, UploadError
from dashboard.upload.spi import template_frame, template_xlsx
from dashboard.views.upload_report import dataset_list, report
from dashboard.vocabulary import country_name, index_options, indicator_options

_index_cache: dict[int, UnitIndex] = {}


def unit_index() -> UnitIndex:
    atlas = get_atlas()
    if id(atlas) not in _index_cache:
        _index_cache.clear()
        _index_cache[id(atlas)] = UnitIndex(atlas)
    return _index_cache[id(atlas)]


def layout(lang: str) -> list:
    return [
        html.H2(t("upload.title", lang)),
        html.P(t("upload.intro", lang)),
        html.P(t("upload.privacy", lang), className="atlas-small"),
        html.P(
            t(
                "upload.limits",
                lang,
                size=LIMITS.bytes // (1024 * 1024),
                rows=fmt_number(LIMITS.rows, lang),
                columns=LIMITS.columns,
                cells=fmt_number(LIMITS.cells, lang),
                chars=fmt_number(LIMITS.cell_chars, lang),
                memory=fmt_number(LIMITS.memory_mb, lang),
                seconds=LIMITS.wall_seconds,
            ),
            className="atlas-small",
        ),
        html.Div(
            **{
                "data-file-label": t("upload.choose", lang),
                "data-max-bytes": str(MAX_BYTES),
                "data-too-large": t("upload.error.too_large", lang, size="{size}", limit=MAX_BYTES // (1024 * 1024)),
            },
            children=dcc.Upload(
                id=ids.UPLOAD_FILE,
                className="atlas-upload",
                accept=".csv,.txt,.xlsx",
                max_size=MAX_BYTES,
                multiple=False,
                children=html.Div(
                    [t("upload.drop", lang), " ", html.Span(t("upload.choose", lang), className="atlas-link")]
                ),
            ),
        ),
        html.Div(
            className="atlas-upload-templates",
            children=[
                html.H3(t("upload.spi_title", lang)),
                html.P(t("upload.spi_intro", lang)),
                html.Button(t("upload.template_xlsx", lang), id=ids.UPLOAD_TEMPLATE_XLSX, className="atlas-button"),
                " ",
                html.Button(
                    t("upload.template_csv", lang),
                    id=ids.UPLOAD_TEMPLATE_CSV,
                    className="atlas-button atlas-button-light",
                ),
            ],
        ),
        html.Div(id=ids.UPLOAD_MESSAGE, role="status", className="atlas-upload-message"),
        key_controls(lang),
        html.Div(id=ids.UPLOAD_FORM),
        html.Div(id=ids.UPLOAD_REPORT, **{"aria-live": "polite"}),
        html.Div(
            className="atlas-upload-actions",
            children=[
                html.Button(t("upload.add", lang), id=ids.UPLOAD_ADD, className="atlas-button", disabled=True),
                " ",
                html.Button(
                    t("upload.unmatched_download", lang),
                    id=ids.UPLOAD_UNMATCHED,
                    className="atlas-button atlas-button-light",
                    disabled=True,
                ),
            ],
        ),
        html.H3(t("upload.yours", lang)),
        html.Div(id=ids.UPLOAD_LIST),
        html.Button(
            t("upload.clear", lang), id=ids.UPLOAD_CLEAR, className="atlas-button atlas-button-light", disabled=True
        ),
        dcc.Download(id=ids.UPLOAD_DOWNLOAD),
    ]


def decode_contents(contents) -> bytes:
    """Return the bytes of a dcc.Upload `contents` data URL; raise UploadError when it is none, or when it
    is larger than the limit (measured on the base64 text, before anything is decoded)."""
    if not isinstance(contents, str) or "," not in contents:
        raise UploadError("unreadable")
    size = len(contents) * 3 // 4
    if size > MAX_BYTES + 1024:
        raise UploadError("too_large", size=round(size / (1024 * 1024), 1), limit=MAX_BYTES // (1024 * 1024))
    try:
        return base64.b64decode(contents.split(",", 1)[1], validate=True)
    except (binascii.Error, ValueError):
        raise UploadError("unreadable") from None


def analyse_upload(contents, filename, choices: Choices) -> Analysis:
    """Return the analysis of the uploaded `contents` (an unreadable or oversized upload as an error)."""
    try:
        data = decode_contents(contents)
    except UploadError as exc:
        return Analysis(error=(exc.key, exc.values))
    return analyse(str(filename or ""), data, choices, unit_index())


def form_fields(kind=DashState) -> dict:
    """The form's fields as one Dash grouping, the same for every callback that reads the file: each gets
    the person's choices whole (column key, what it holds, country, column labels, resolved names).
    `kind` is Input for the callback that redraws the report on every change, State for the others."""
    column = {"type": ids.UPLOAD_COLUMN_FIELD, "column": ALL, "field": ALL}
    resolve = {"type": ids.UPLOAD_RESOLVE, "row": ALL}
    return {
        "key_column": kind(ids.UPLOAD_KEY_COLUMN, "value"),
        "key_kind": kind(ids.UPLOAD_KEY_KIND, "value"),
        "country_column": kind(ids.UPLOAD_COUNTRY_COLUMN, "value"),
        "country": kind(ids.UPLOAD_COUNTRY, "value"),
        "column_values": kind(column, "value"),
        "column_ids": DashState(column, "id"),
        "resolve_values": kind(resolve, "value"),
        "resolve_ids": DashState(resolve, "id"),
    }


def choices_from(form: dict) -> Choices:
    """Return the person's choices from the form's values (`form_fields`; anything odd is ignored)."""
    form = form if isinstance(form, dict) else {}
    key_column, key_kind = form.get("key_column"), form.get("key_kind")
    country_column, country = form.get("country_column"), form.get("country")
    column_ids, column_values = _list(form.get("column_ids")), _list(form.get("column_values"))
    resolve_ids, resolve_values = _list(form.get("resolve_ids")), _list(form.get("resolve_values"))
    columns: dict[str, dict] = {}
    for cid, value in zip(column_ids, column_values):
        if (
            isinstance(cid, dict)
            and isinstance(cid.get("column"), str)
            and cid.get("field") in ("label", "unit", "year")
            and isinstance(value, (str, int, float))
            and str(value).strip()
        ):
            columns.setdefault(cid["column"], {})[cid["field"]] = str(value).strip()[:120]
    resolved = {}
    for rid, value in zip(resolve_ids, resolve_values):
        if isinstance(rid, dict) and isinstance(rid.get("row"), int) and isinstance(value, str):
            resolved[rid["row"]] = value
    return Choices(
        key_column=key_column if isinstance(key_column, str) else None,
        key_kind=key_kind if key_kind in KINDS else None,
        country_column=country_column if isinstance(country_column, str) and country_column else None,
        country=country if isinstance(country, str) and len(country) == 2 else None,
        columns=columns,
        resolved=resolved,
    )


def _list(value) -> list:
    return value if isinstance(value, list) else []


def key_controls(lang: str) -> html.Div:
    """Return how rows name their unit: filled in from the file by `on_file`, hidden until there is one."""
    countries = sorted(set(get_atlas().units["country"]))  # the countries of the build, not a list of ours
    country_options = [{"label": country_name(c, lang), "value": c} for c in countries]
    return html.Div(
        id=ids.UPLOAD_KEY_BOX,
        className="atlas-upload-key atlas-hidden",
        children=[
            html.H3(t("upload.form", lang)),
            html.Div(
                className="atlas-field",
                children=[
                    html.Label(t("upload.key_column", lang), htmlFor=ids.UPLOAD_KEY_COLUMN),
                    dcc.Dropdown(labels=dropdown_labels(lang), id=ids.UPLOAD_KEY_COLUMN, options=[], clearable=False),
                ],
            ),
            html.Div(
                className="atlas-field",
                children=[
                    html.Label(t("upload.key_kind", lang), htmlFor=ids.UPLOAD_KEY_KIND),
                    dcc.RadioItems(
                        id=ids.UPLOAD_KEY_KIND,
                        className="atlas-radio",
                        value="unit_id",
                        options=[{"label": t(f"upload.kind_{k}", lang), "value": k} for k in KINDS],
                    ),
                ],
            ),
            html.Div(
                className="atlas-field",
                children=[
                    html.Label(t("upload.country_column", lang), htmlFor=ids.UPLOAD_COUNTRY_COLUMN),
                    dcc.Dropdown(labels=dropdown_labels(lang), id=ids.UPLOAD_COUNTRY_COLUMN, options=[]),
                ],
            ),
            html.Div(
                className="atlas-field",
                children=[
                    html.Label(t("upload.country", lang), htmlFor=ids.UPLOAD_COUNTRY),
                    dcc.Dropdown(labels=dropdown_labels(lang), id=ids.UPLOAD_COUNTRY, options=country_options),
                ],
            ),
        ],
    )


def value_columns_form(analysis: Analysis, lang: str) -> list:
    """Return the small form of label, unit and year of each value column (prefilled from its header)."""
    head = html.Thead(
        html.Tr(
            [html.Th(t(k, lang), scope="col") for k in ("upload.column", "upload.label", "upload.unit", "upload.year")]
        )
    )
    body = []
    for column in analysis.value_columns:
        meta = header_metadata(column)
        body.append(
            html.Tr(
                [
                    html.Th(column, scope="row"),
                    *[
                        html.Td(
                            # The input sits inside its label, which names it for screen readers.
                            html.Label(
                                [
                                    html.Span(
                                        f"{column}: {t('upload.' + field, lang)}", className="atlas-visually-hidden"
                                    ),
                                    dcc.Input(
                                        id={"type": ids.UPLOAD_COLUMN_FIELD, "column": column, "field": field},
                                        value="" if meta[field] is None else str(meta[field]),
                                        debounce=True,
                                        type="number" if field == "year" else "text",
                                    ),
                                ]
                            )
                        )
                        for field in ("label", "unit", "year")
                    ],
                ]
            )
        )
    if not body:
        return [html.P(t("upload.no_values", lang))]
    return [html.Table([head, html.Tbody(body)], className="atlas-table")]


@callback(
    Output(ids.UPLOAD_FORM, "children"),
    Output(ids.UPLOAD_REPORT, "children"),
    Output(ids.UPLOAD_ADD, "disabled"),
    Output(ids.UPLOAD_UNMATCHED, "disabled"),
    Output(ids.UPLOAD_KEY_BOX, "className"),
    Output(ids.UPLOAD_KEY_COLUMN, "options"),
    Output(ids.UPLOAD_KEY_COLUMN, "value"),
    Output(ids.UPLOAD_KEY_KIND, "value"),
    Output(ids.UPLOAD_COUNTRY_COLUMN, "options"),
    Output(ids.UPLOAD_COUNTRY_COLUMN, "value"),
    Output(ids.UPLOAD_COUNTRY, "value"),
    Output(ids.UPLOAD_FILE, "contents"),
    Input(ids.UPLOAD_FILE, "contents"),
    DashState(ids.UPLOAD_FILE, "filename"),
    DashState(ids.STATE, "data"),
    prevent_initial_call=True,
)
def on_file(contents, filename, state_query):
    state, _ = session(state_query)
    lang = state.lang
    hidden = "atlas-upload-key atlas-hidden"
    if contents is None:  # cleared below, after a refusal: the refusal's message stays on the page
        raise PreventUpdate
    analysis = analyse_upload(contents, filename, Choices())
    if analysis.table is None:
        # A refused file is dropped from the page too (None), so nothing of it is sent again, and the
        # same file, once fixed and chosen again, is read again.
        return [], report(analysis, lang), True, True, hidden, [], None, "unit_id", [], None, None, None
    columns = list(analysis.table.frame.columns)
    key = analysis.key
    ok = not analysis.error and bool(analysis.datasets)
    return (
        value_columns_form(analysis, lang),
        report(analysis, lang),
        not ok,
        analysis.unmatched_rows is None,
        "atlas-upload-key",
        columns,
        key.column if key else None,
        key.kind if key else "unit_id",
        columns,
        key.country_column if key else None,
        key.country if key else None,
        no_update,
    )


@callback(
    output=dict(
        report=Output(ids.UPLOAD_REPORT, "children", allow_duplicate=True),
        add_disabled=Output(ids.UPLOAD_ADD, "disabled", allow_duplicate=True),
    ),
    inputs=dict(
        form=form_fields(Input),
        contents=DashState(ids.UPLOAD_FILE, "contents"),
        filename=DashState(ids.UPLOAD_FILE, "filename"),
        state_query=DashState(ids.STATE, "data"),
    ),
    prevent_initial_call=True,
)
def on_form(form, contents, filename, state_query):
    state, _ = session(state_query)
    if not contents:
        return {"report": no_update, "add_disabled": no_update}
    analysis = analyse_upload(contents, filename, choices_from(form))
    return {"report": report(analysis, state.lang), "add_disabled": bool(analysis.error) or not analysis.datasets}


@callback(
    Output(ids.UPLOADS, "data"),
    Output(ids.UPLOAD_MESSAGE, "children"),
    Output(ids.INDICATOR, "value", allow_duplicate=True),
    Output(ids.TABS, "value", allow_duplicate=True),
    inputs=dict(
        _clicks=Input(ids.UPLOAD_ADD, "n_clicks"),
        form=form_fields(),
        contents=DashState(ids.UPLOAD_FILE, "contents"),
        filename=DashState(ids.UPLOAD_FILE, "filename"),
        store=DashState(ids.UPLOADS, "data"),
        state_query=DashState(ids.STATE, "data"),
    ),
    prevent_initial_call=True,
)
def on_add(_clicks, form, contents, filename, store, state_query):
    state, _ = session(state_query)
    lang = state.lang
    analysis = analyse_upload(contents, filename, choices_from(form))
    if analysis.error or not analysis.datasets:
        return no_update, t("upload.nothing_added", lang), no_update, no_update
    units = get_atlas().unit_ids
    new_store = store_with(store, analysis.datasets, units)
    added = load_datasets(new_store, units)[-len(analysis.datasets) :]
    message = t("upload.added", lang, count=len(added), labels=", ".join(d.label for d in added))
    return new_store, message, UPLOAD_PREFIX + added[0].id, "map"


@callback(
    Output(ids.UPLOADS, "data", allow_duplicate=True), Input(ids.UPLOAD_CLEAR, "n_clicks"), prevent_initial_call=True
)
def on_clear(_clicks):
    return {"version": 1, "datasets": []}


@callback(
    Output(ids.UPLOAD_LIST, "children"),
    Output(ids.INDICATOR, "options"),
    Output(ids.UPLOAD_CLEAR, "disabled"),
    Input(ids.UPLOADS, "data"),
    Input(ids.INDEX_KEY, "data"),
    DashState(ids.STATE, "data"),
)
def on_store(store, _index_key, state_query):
    state, indicators = session(state_query, store)
    lang = state.lang
    options = list(indicator_options(get_atlas(), lang))  # a copy: the cached list is shared
    uploaded = indicators.uploaded_ids()
    if uploaded:
        options += [{"label": t("theme.uploaded", lang).upper(), "value": "theme:uploaded", "disabled": True}]
        options += [{"label": indicators.get(i).label(lang), "value": i} for i in uploaded]
    if state.index.components:  # a composite index is defined: it can be mapped like any indicator
        options += index_options(lang)
    return dataset_list(store, lang), options, not uploaded  # nothing to remove: the button says so


@callback(
    Output(ids.UPLOAD_DOWNLOAD, "data"),
    inputs=dict(
        _unmatched=Input(ids.UPLOAD_UNMATCHED, "n_clicks"),
        _xlsx=Input(ids.UPLOAD_TEMPLATE_XLSX, "n_clicks"),
        _csv=Input(ids.UPLOAD_TEMPLATE_CSV, "n_clicks"),
        form=form_fields(),
        contents=DashState(ids.UPLOAD_FILE, "contents"),
        filename=DashState(ids.UPLOAD_FILE, "filename"),
        state_query=DashState(ids.STATE, "data"),
    ),
    prevent_initial_call=True,
)
def on_download(_unmatched, _xlsx, _csv, form, contents, filename, state_query):
    state, _ = session(state_query)
    atlas = get_atlas()
    if ctx.triggered_id in (ids.UPLOAD_TEMPLATE_XLSX, ids.UPLOAD_TEMPLATE_CSV):
        frame = template_frame(atlas.units, list(state.countries) or None)
        if ctx.triggered_id == ids.UPLOAD_TEMPLATE_CSV:
            return dcc.send_string(safe_csv(frame), filename="pluralps-spi-self-assessment_scale-1-5.csv")
        lines = [t("upload.template_help", state.lang)] + [
            f"spi_{i}_{f}: {t(f'theme.{f}', state.lang)}" for i, f in enumerate(SPI_FIELDS, start=1)
        ]
        return dcc.send_bytes(template_xlsx(frame, lines), filename="pluralps-spi-self-assessment.xlsx")
    # The same choices as the report on the page, names resolved by the person included.
    analysis = analyse_upload(contents, filename, choices_from(form))
    if analysis.unmatched_rows is None:
        return no_update
    return dcc.send_string(safe_csv(analysis.unmatched_rows), filename="unmatched-rows.csv")
