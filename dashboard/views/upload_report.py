"""The upload report as a person reads it: counts first, then each kind of problem with its row numbers,
names to resolve, and the list of the session's datasets."""

from __future__ import annotations

import json

from dash import dcc, html

from dashboard import ids
from dashboard.context import atlas as get_atlas
from dashboard.i18n import dropdown_labels, fmt_number, t
from dashboard.upload.analyse import Analysis
from dashboard.upload.datasets import load_datasets

MAX_SHOWN = 50
DELIMITER_NAMES = {",": "« , »", ";": "« ; »", "\t": "« ⇥ »", "|": "« | »"}


def report(analysis: Analysis, lang: str) -> list:
    """Return the report of an analysis: counts first, then each kind of problem with row numbers."""
    if analysis.error:
        key, values = analysis.error
        shown = {k: fmt_number(v, lang) if isinstance(v, (int, float)) else v for k, v in values.items()}
        return [html.P(t(f"upload.error.{key}", lang, **shown), className="atlas-error", role="alert")]
    r = analysis.report
    summary = [
        t("upload.rows", lang, count=fmt_number(r["rows"], lang)),
        t("upload.matched", lang, count=fmt_number(r["matched"], lang)),
        t("upload.unmatched", lang, count=fmt_number(r["unmatched_count"], lang)),
        t("upload.duplicates", lang, count=fmt_number(r["duplicate_count"], lang)),
        t("upload.not_numbers", lang, count=fmt_number(r["not_numbers_count"], lang)),
        t("upload.empty_rows", lang, count=fmt_number(r["empty_count"], lang)),
    ]
    if analysis.spi:
        summary.append(t("upload.out_of_scale", lang, count=fmt_number(r["out_of_scale_count"], lang)))
    if r.get("encoding"):
        summary.append(
            t("upload.read_as", lang, encoding=r["encoding"], delimiter=DELIMITER_NAMES.get(r["delimiter"], "?"))
        )
    parts = [html.H3(t("upload.report", lang)), html.Ul([html.Li(s) for s in summary], id="upload-summary")]
    for note in r.get("notes", []):
        parts.append(html.P(t(f"upload.note.{note['key']}", lang, **note["values"]), className="atlas-small"))
    parts += _problem_table(
        t("upload.unmatched_title", lang),
        r["unmatched"],
        lambda p: [p["row"], p["key"], t(f"upload.reason.{p['reason']}", lang)],
        [t("upload.row", lang), t("upload.key", lang), t("upload.reason_title", lang)],
        r["unmatched_count"],
    )
    parts += _problem_table(
        t("upload.duplicates_title", lang),
        r["duplicates"],
        lambda p: [p["row"], p["unit_id"], t("upload.first_row", lang, row=p["first_row"])],
        [t("upload.row", lang), "unit_id", ""],
        r["duplicate_count"],
    )
    parts += _problem_table(
        t("upload.not_numbers_title", lang),
        r["not_numbers"],
        lambda p: [p["row"], p["column"], p["value"]],
        [t("upload.row", lang), t("upload.column", lang), t("upload.value", lang)],
        r["not_numbers_count"],
    )
    parts += _problem_table(
        t("upload.out_of_scale_title", lang),
        r["out_of_scale"],
        lambda p: [p["row"], p["column"], fmt_number(p["value"], lang)],
        [t("upload.row", lang), t("upload.column", lang), t("upload.value", lang)],
        r["out_of_scale_count"],
    )
    if r["empty_rows"]:
        parts.append(html.P(t("upload.empty_list", lang, rows=", ".join(map(str, r["empty_rows"][:MAX_SHOWN])))))
    if r["ambiguous"]:
        atlas = get_atlas()
        names = atlas.units.set_index("unit_id")
        parts.append(html.H4(t("upload.ambiguous_title", lang)))
        for item in r["ambiguous"][:MAX_SHOWN]:
            options = [
                {"label": f"{names.at[u, 'name']} – {names.at[u, 'nuts3']} ({u})", "value": u}
                for u in item["candidates"]
            ]
            parts.append(
                html.Div(
                    className="atlas-field",
                    children=[
                        html.Label(
                            t("upload.ambiguous_row", lang, row=item["row"], name=item["name"]),
                            # Dash writes a dict id into the page as sorted, compact JSON.
                            htmlFor=json.dumps({"row": item["row"], "type": ids.UPLOAD_RESOLVE}, separators=(",", ":")),
                        ),
                        dcc.Dropdown(
                            labels=dropdown_labels(lang),
                            id={"type": ids.UPLOAD_RESOLVE, "row": item["row"]},
                            options=options,
                            placeholder=t("upload.ambiguous_choose", lang),
                        ),
                    ],
                )
            )
    return parts


def _problem_table(title: str, items: list[dict], cells, headers: list[str], total: int) -> list:
    """Return a table of the first MAX_SHOWN problems and, below, how many more there are in all
    (`total` counts every problem, not only the listed ones; the CSV of unmatched rows has them all)."""
    if not items:
        return []
    rows = [html.Tr([html.Td(str(c)) for c in cells(item)]) for item in items[:MAX_SHOWN]]
    shown = min(len(items), MAX_SHOWN)
    more = [html.P(f"… +{total - shown}")] if total > shown else []
    return [
        html.H4(title),
        html.Table(
            [html.Thead(html.Tr([html.Th(h, scope="col") for h in headers])), html.Tbody(rows)], className="atlas-table"
        ),
        *more,
    ]


def dataset_list(store, lang: str) -> list:
    datasets = load_datasets(store, get_atlas().unit_ids)
    if not datasets:
        return [html.P(t("upload.none_yet", lang), className="atlas-small")]
    return [
        html.Ul(
            [
                html.Li(t("upload.dataset", lang, label=d.label, count=fmt_number(len(d.values), lang), file=d.file))
                for d in datasets
            ]
        )
    ]
