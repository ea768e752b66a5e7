"""The My data view over HTTP, as the page sends its requests: the form's choices reach every callback
that reads the file (analysis, adding, the unmatched-rows download)."""

from __future__ import annotations

import base64
import csv
import io
import json

import pytest

from tests.test_upload import MIXED

pytestmark = pytest.mark.integration

CONTENTS = "data:text/csv;base64," + base64.b64encode(MIXED).decode()


@pytest.fixture(scope="module")
def client_and_deps(dash_app):
    client = dash_app.server.test_client()
    return client, client.get("/_dash-dependencies").get_json()


def _value(item: dict, values: dict):
    """The request entry of one input or state: pattern ids (ALL) take the list given for their type."""
    if item["id"].startswith("{"):
        kind = json.loads(item["id"])["type"]
        return [
            {"id": match_id, "property": item["property"], "value": match_id if item["property"] == "id" else value}
            for match_id, value in values.get(kind, [])
        ]
    return {"id": item["id"], "property": item["property"], "value": values.get(f"{item['id']}.{item['property']}")}


def _call(client, deps, first_input: str, values: dict):
    dep = next(d for d in deps if d["inputs"] and d["inputs"][0]["id"] == first_input)
    outputs = [
        {"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1]} for o in dep["output"].strip(".").split("...")
    ]
    body = {
        "output": dep["output"],
        "outputs": outputs if dep["output"].startswith("..") else outputs[0],
        "inputs": [_value(i, values) for i in dep["inputs"]],
        "state": [_value(s, values) for s in dep["state"]],
        "changedPropIds": [f"{first_input}.{dep['inputs'][0]['property']}"],
    }
    response = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()["response"]


FORM = {
    "upload-file.contents": CONTENTS,
    "upload-file.filename": "mixed.csv",
    "upload-key-column.value": "Gemeinde",
    "upload-key-kind.value": "name",
    "upload-country-column.value": "Land",
    # Row 9 (Altdorf, a name three Gemeinden share) resolved by the person to the one in Bavaria.
    "upload-resolve": [({"type": "upload-resolve", "row": 9}, "DE_09274113")],
}


def test_the_unmatched_rows_download_leaves_out_the_names_just_resolved(client_and_deps):
    client, deps = client_and_deps
    response = _call(client, deps, "upload-unmatched", {**FORM, "upload-unmatched.n_clicks": 1})
    download = (
        response["download-upload"]["data"] if "download-upload" in response else next(iter(response.values()))["data"]
    )
    rows = list(csv.DictReader(io.StringIO(download["content"])))
    assert [row["row"] for row in rows] == ["6", "7"]  # Nowhere and the second Innsbruck; not Altdorf


def test_adding_uses_the_resolved_names_too(client_and_deps):
    client, deps = client_and_deps
    response = _call(client, deps, "upload-add", {**FORM, "upload-add.n_clicks": 1})
    [store] = [v["data"] for k, v in response.items() if "data" in v and isinstance(v["data"], dict)]
    values = dict(map(tuple, store["datasets"][0]["values"]))
    assert values["DE_09274113"] == 4.2


def test_every_callback_that_reads_the_file_gets_the_whole_form(client_and_deps):
    from dashboard.views.upload import form_fields

    _, deps = client_and_deps
    fields = {(d.component_id_str(), d.component_property) for d in form_fields().values()}
    for first_input in ("upload-key-column", "upload-add", "upload-unmatched"):
        dep = next(d for d in deps if d["inputs"] and d["inputs"][0]["id"] == first_input)
        declared = {(i["id"], i["property"]) for i in dep["inputs"] + dep["state"]}
        assert fields - declared == set(), first_input


def test_the_country_menu_offers_the_countries_of_the_build(atlas):
    from dashboard.views.upload import key_controls

    menu = key_controls("en").children[-1].children[-1]
    assert [o["value"] for o in menu.options] == sorted(set(atlas.units["country"]))
