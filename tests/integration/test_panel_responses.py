"""A repeated panel redraw is answered from the bytes of its earlier answer
(pages/_panel_responses.py): built once, never shared across organisations or roles,
and never served after an import."""

from __future__ import annotations

import pytest
from dash_requests import callback_body, dependency, id_type, post_callback

import pages._panel_support as panel_support
from pages._panel_responses import panel_response_store, response_key

GLD_STATE = {
    "indicator": "gld",
    "area_code": "E08000004",
    "breakdown": "total",
    "comparators": ["england", "region", "neighbours"],
    "period_from": None,
    "period_to": None,
    "periods": [],
    "x_axis": "date",
}
VALUES = {
    "panel-comparators": ["england", "region"],
    "panel-breakdown-choice": "total",
    "panel-from": None,
    "panel-to": None,
    "panel-state": GLD_STATE,
}


@pytest.fixture
def builds(server, monkeypatch) -> list[int]:
    """Counts the panel redraws actually built (figure, caption, tables), store emptied."""
    panel_response_store(server).clear()
    counted: list[int] = []
    build = panel_support._panel_update_outputs

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        counted.append(1)
        return build(*args, **kwargs)

    monkeypatch.setattr(panel_support, "_panel_update_outputs", counting)
    return counted


def _redraw(client, values: dict | None = None):  # type: ignore[no-untyped-def]
    dep = dependency(
        client, lambda d: any(id_type(i["id"]) == "panel-comparators" for i in d["inputs"])
    )
    body = callback_body(dep, values or VALUES, "panel-comparators", "gld")
    return post_callback(client, body)


def test_resp001_the_second_identical_redraw_is_not_built_again(client, auth, server, builds):
    auth.login("oldham_viewer")
    first = _redraw(client)
    assert first.status_code == 200 and len(builds) == 1
    second = _redraw(client)
    assert second.status_code == 200 and len(builds) == 1
    assert second.get_data() == first.get_data()
    assert panel_response_store(server).hits == 1
    # A different view is built.
    other = _redraw(client, {**VALUES, "panel-comparators": ["england"]})
    assert other.status_code == 200 and len(builds) == 2
    assert other.get_data() != first.get_data()


def test_resp002_never_shared_across_organisations_or_roles(client, auth, server, builds):
    auth.login("oldham_viewer")
    oldham = _redraw(client)
    assert len(builds) == 1
    auth.logout()
    auth.login("rochdale_viewer")
    rochdale = _redraw(client)
    assert rochdale.status_code == 200 and len(builds) == 2
    assert panel_response_store(server).hits == 0
    auth.logout()
    auth.login("oldham_analyst")
    _redraw(client)
    assert len(builds) == 3 and panel_response_store(server).hits == 0
    assert oldham.status_code == 200
    # The keys say why: the organisation and the role are part of them.
    body = {"outputs": [{"id": {"type": t}, "property": p} for t, p in _outputs()]}
    keys = {
        response_key(body, 1, 5, org, role)
        for org, role in (
            ("E08000004", "viewer"),
            ("E08000005", "viewer"),
            ("E08000004", "analyst"),
        )
    }
    assert len(keys) == 3


def _outputs() -> list[tuple[str, str]]:
    from pages._panel_responses import PANEL_OUTPUTS

    return list(PANEL_OUTPUTS)


def test_resp003_an_import_invalidates_every_kept_answer(client, auth, server, db, builds):
    from data_access.data_state import bump_data_version

    auth.login("oldham_viewer")
    _redraw(client)
    _redraw(client)
    assert len(builds) == 1
    with db.write() as session:
        bump_data_version(session)
    after = _redraw(client)
    assert after.status_code == 200 and len(builds) == 2
    # And the threshold is part of the key too.
    body = {"outputs": [{"id": {"type": t}, "property": p} for t, p in _outputs()]}
    assert response_key(body, 1, 5, "E08000004", "viewer") != response_key(
        body, 1, 10, "E08000004", "viewer"
    )


def test_resp004_only_the_panel_redraw_for_a_signed_in_reader(client, auth, server, builds):
    auth.login("oldham_viewer")
    dep = dependency(
        client, lambda d: any(id_type(i["id"]) == "panel-comparators" for i in d["inputs"])
    )
    body = callback_body(dep, VALUES, "panel-comparators", "gld")
    assert post_callback(client, body).status_code == 200 and len(builds) == 1
    auth.logout()
    # Signed out: refused as before, though the same request's answer is kept.
    refused = post_callback(client, body)
    assert refused.status_code in (302, 401, 403)
    assert b"Oldham" not in refused.get_data()
    assert panel_response_store(server).hits == 0
    # Another callback's request has no key.
    other = {"outputs": [{"id": {"type": "note-list"}, "property": "children"}]}
    assert response_key(other, 1, 5, "E08000004", "viewer") is None
