"""Every server callback, sent forged and random values over HTTP, answers without an error.

The values are what a hand-made request could carry: hostile strings, numbers out of range, wrong types,
nested junk. A callback may answer with new content, with nothing to update (204), or with a safe default;
it must never fail with a 500.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.state import INDEX_CONTROLS

pytestmark = pytest.mark.integration

HOSTILE = st.sampled_from(
    [
        "",
        "?indicator=<script>alert(1)</script>",
        "../../etc/passwd",
        "AT_70101",
        "upload:u1",
        "latest",
        "9" * 400,
        "?classes=-1&countries=XX,,AT&unit=%00",
        "data:text/csv;base64,!!!",
        "data:;base64," + "QUJD" * 10,
        "natural_breaks",
        "CH_261",
        "\u202e\u0000",
        "{}",
    ]
)
JUNK = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=True)
    | HOSTILE
    | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=8,
)


@pytest.fixture(scope="module")
def client_and_callbacks(dash_app):
    client = dash_app.server.test_client()
    deps = client.get("/_dash-dependencies").get_json()
    return client, [d for d in deps if not d.get("clientside_function")]


def _outputs(output: str):
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    result = []
    for part in parts:
        component, prop = part.rsplit(".", 1)
        if component.startswith("{"):  # a pattern id: as a dict, and a wildcard as the page's matches
            pattern = json.loads(component)
            if pattern.get("name") == ["ALL"]:  # the index builder's controls, one per state.INDEX_CONTROLS
                result.append([{"id": pattern | {"name": n}, "property": prop} for n in INDEX_CONTROLS])
                continue
            result.append({"id": pattern, "property": prop})
            continue
        result.append({"id": component, "property": prop})
    return result if output.startswith("..") else result[0]


def _entry(item: dict, value):
    if item["id"].startswith("{"):  # pattern-matching (ALL): a list of matches, here none
        return []
    return {"id": item["id"], "property": item["property"], "value": value}


def _body(dep: dict, values: list, states: list, changed: int = 0) -> dict:
    first = dep["inputs"][changed % len(dep["inputs"])]
    return {
        "output": dep["output"],
        "outputs": _outputs(dep["output"]),
        "inputs": [_entry(i, v) for i, v in zip(dep["inputs"], values)],
        "changedPropIds": [f"{first['id']}.{first['property']}"],
        "state": [_entry(s, v) for s, v in zip(dep["state"], states)],
    }


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=st.data())
def test_no_callback_fails_on_forged_values(client_and_callbacks, data):
    client, callbacks = client_and_callbacks
    for dep in callbacks:
        values = [data.draw(JUNK) for _ in dep["inputs"]]
        states = [data.draw(JUNK) for _ in dep["state"]]
        changed = data.draw(st.integers(0, 20))
        response = client.post(
            "/_dash-update-component",
            data=json.dumps(_body(dep, values, states, changed)),
            content_type="application/json",
        )
        assert response.status_code in (200, 204), (
            dep["output"],
            values,
            states,
            response.get_data(as_text=True)[:300],
        )


def test_every_input_as_the_trigger_with_nothing_sent_answers(client_and_callbacks):
    # Each input in turn names itself as the trigger, with every value missing: a pattern input's id then
    # arrives as its wildcard (`"name": ["ALL"]`), a list where the callback looks up a name.
    client, callbacks = client_and_callbacks
    for dep in callbacks:
        for changed in range(len(dep["inputs"])):
            body = _body(dep, [None] * len(dep["inputs"]), [None] * len(dep["state"]), changed)
            response = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
            assert response.status_code in (200, 204), (dep["output"], changed, response.get_data(as_text=True)[:200])
