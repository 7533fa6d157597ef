"""A panel's notes and quotes arrive in one request, through the real callback route.

On page load each panel asks once (``fill_panel_slots``): the notes list, the note markers
for the chart and the quotes come back together, with the visibility and consent rules
applied as before. The callbacks that follow a save do not run when the slot is drawn, and
the markers are put on the chart in the browser, not by another request.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from dash_requests import post_callback
from gld_panel_state import PANEL, STATE
from sqlalchemy import select

from data_access.models import AuditEvent, VoiceItem

SLOTS_OUTPUT = (
    '..{"index":["MATCH"],"type":"annotation-slot"}.children...'
    '{"index":["MATCH"],"type":"voice-slot"}.children..'
)


def _panel_id(kind: str) -> dict[str, str]:
    return {"index": PANEL, "type": kind}


def _post_slots(client, state: dict | None = None):  # type: ignore[no-untyped-def]
    """POST the slots callback for the gld panel as the renderer does on page load."""
    body = {
        "output": SLOTS_OUTPUT,
        "outputs": [
            {"id": _panel_id("annotation-slot"), "property": "children"},
            {"id": _panel_id("voice-slot"), "property": "children"},
        ],
        "inputs": [{"id": _panel_id("panel-state"), "property": "data", "value": state or STATE}],
        "state": [],
        "changedPropIds": [],
    }
    return post_callback(client, body)


def _fill_slots(client, state: dict | None = None):  # type: ignore[no-untyped-def]
    """The annotation slot's and voice slot's children from one slots request."""
    response = _post_slots(client, state)
    assert response.status_code == 200, response.get_data(as_text=True)
    found = response.get_json()["response"]
    slot = found[json.dumps(_panel_id("annotation-slot"), separators=(",", ":"))]["children"]
    voice = found[json.dumps(_panel_id("voice-slot"), separators=(",", ":"))]["children"]
    return slot, voice


def _component(tree, kind: str):  # type: ignore[no-untyped-def]
    """The component whose pattern id has this type, anywhere in a JSON component tree."""
    if isinstance(tree, list):
        for child in tree:
            found = _component(child, kind)
            if found is not None:
                return found
    elif isinstance(tree, dict) and "props" in tree:
        ident = tree["props"].get("id")
        if isinstance(ident, dict) and ident.get("type") == kind:
            return tree
        return _component(tree["props"].get("children"), kind)
    return None


def _write_note(db, author_role: str, body: str, visibility: str = "organisation") -> int:  # type: ignore[no-untyped-def]
    from data_access.annotations import NewAnnotation, create_annotation
    from data_access.users import find_organisation, list_users

    with db.write() as session:
        organisation = find_organisation(session, "E08000004")
        author = next(u for u in list_users(session, organisation.id) if u.role == author_role)
        result = create_annotation(
            session,
            author,
            NewAnnotation(
                indicator="gld",
                area_code="E08000004",
                kind="question",
                body=body,
                visibility=visibility,
                period_start=date(2024, 9, 1),
                period_end=date(2025, 8, 31),
            ),
        )
    assert result.ok, result.message
    return result.annotation.id


def test_slot001_one_request_brings_the_notes_list_markers_form_and_quotes(client, auth, db):
    note_id = _write_note(db, "practitioner", "Why did GLD dip in 2024/25?")
    auth.login("oldham_practitioner")
    slot, voice = _fill_slots(client)

    listing = json.dumps(_component(slot, "note-list"))
    assert "Why did GLD dip in 2024/25?" in listing
    assert f'"note": {note_id}' in listing or f'"note":{note_id}' in listing
    markers = _component(slot, "note-markers")["props"]["data"]
    (trace,) = markers["traces"]
    assert trace["uid"] == "chorus-note-question" and trace["x"] == ["2024-09-01"]
    assert markers["axis_name"] == "yaxis9" and markers["axis"]["overlaying"] == "y"
    assert _component(slot, "note-text") is not None  # the form, for a writer
    assert _component(slot, "note-open")["props"]["data"] == 0  # no thread open
    assert "What people say about" in json.dumps(voice)


def test_slot002_a_viewer_gets_no_form_and_another_organisation_no_private_notes(client, auth, db):
    _write_note(db, "practitioner", "Only for Oldham.", visibility="organisation")
    auth.login("oldham_viewer")
    slot, _voice = _fill_slots(client)
    assert "Only for Oldham." in json.dumps(slot)
    assert _component(slot, "note-text") is None
    auth.logout()

    auth.login("rochdale_analyst")
    slot, _voice = _fill_slots(client)
    assert "Only for Oldham." not in json.dumps(slot)
    assert _component(slot, "note-markers")["props"]["data"]["traces"] == []


def test_slot003_the_slots_need_a_login(client):
    assert _post_slots(client).status_code == 401


def test_slot004_only_the_slots_callback_runs_when_a_slot_is_drawn(client, auth):
    auth.login("oldham_viewer")
    deps = client.get("/_dash-dependencies").get_json()

    def by_output(fragment: str) -> list[dict]:
        return [d for d in deps if fragment in d["output"]]

    (slots,) = by_output('"annotation-slot"}.children')
    assert '"voice-slot"' in slots["output"] and not slots["prevent_initial_call"]
    for fragment in ('"note-list"}.children', '"note-thread"}.children'):
        (dep,) = by_output(fragment)
        assert dep["prevent_initial_call"], fragment
    # The markers are drawn by a clientside function, with no request.
    markers = [d for d in deps if any('"note-markers"' in i["id"] for i in d["inputs"])]
    assert len(markers) == 1
    assert markers[0]["clientside_function"] == {
        "namespace": "chorusNotes",
        "function_name": "drawMarkers",
    }


@pytest.fixture
def voice_library(db, users):  # type: ignore[no-untyped-def]
    from data_access.demo import DATA_DIR
    from data_access.demo.voice import seed_demo_extra

    with db.write() as session:
        seed_demo_extra(session, DATA_DIR)
    return db


def test_slot005_own_organisation_quotes_shown_beside_a_panel_are_audited(
    client, auth, voice_library
):
    auth.login("oldham_viewer")
    _slot, voice = _fill_slots(client, {"indicator": "gld", "area_code": "E08000004"})
    text = json.dumps(voice)
    shown = {int(i) for i in _quote_ids(voice)}
    assert shown, text
    with voice_library.read() as session:
        restricted = set(
            session.scalars(
                select(VoiceItem.id).where(
                    VoiceItem.id.in_(shown), VoiceItem.consent_scope == "own_organisation"
                )
            )
        )
        audited = {
            int(e.object_id)
            for e in session.scalars(
                select(AuditEvent).where(AuditEvent.action == "voice.read_restricted")
            )
            if e.object_type == "voice_item" and "panel" in (e.detail or "")
        }
    assert restricted, "the Oldham panel should show an own-organisation quote"
    assert audited == restricted


def _quote_ids(tree) -> list[str]:  # type: ignore[no-untyped-def]
    found: list[str] = []
    if isinstance(tree, list):
        for child in tree:
            found += _quote_ids(child)
    elif isinstance(tree, dict) and "props" in tree:
        ident = tree["props"].get("id")
        if isinstance(ident, str) and ident.startswith("voice-item-"):
            found.append(ident.rsplit("-", 1)[1])
        found += _quote_ids(tree["props"].get("children"))
    return found
