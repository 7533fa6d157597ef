"""Notes through the real callback route and the API: roles, organisations, exports."""

from __future__ import annotations

import csv
import io
import json

import pytest
from gld_panel_state import PANEL, STATE
from sqlalchemy import func, select

from data_access.models import Annotation


def _dependency(client, trigger_type: str) -> dict:
    deps = client.get("/_dash-dependencies").get_json()
    for dep in deps:
        for item in dep["inputs"]:
            if item["id"] == trigger_type:
                return dep
            if item["id"].startswith("{") and json.loads(item["id"]).get("type") == trigger_type:
                return dep
    raise AssertionError(f"no callback triggered by {trigger_type}")


def _concrete(id_text: str, index: str) -> dict | str:
    if not id_text.startswith("{"):
        return id_text
    parsed = json.loads(id_text)
    return {k: (index if v == ["MATCH"] else v) for k, v in parsed.items()}


def _outputs(dep: dict, index: str) -> list[dict]:
    text = dep["output"]
    parts = text[2:-2].split("...") if text.startswith("..") else [text]
    out = []
    for part in parts:
        id_text, prop = part.rsplit(".", 1)
        out.append({"id": _concrete(id_text, index), "property": prop.split("@")[0]})
    return out


def call(client, trigger_type: str, values: dict, index: str = PANEL):  # type: ignore[no-untyped-def]
    """POST to /_dash-update-component as the renderer does; values keyed by id type."""
    dep = _dependency(client, trigger_type)

    def items(kind: str) -> list[dict]:
        rows = []
        for item in dep[kind]:
            concrete = _concrete(item["id"], index)
            key = concrete["type"] if isinstance(concrete, dict) else concrete
            rows.append({"id": concrete, "property": item["property"], "value": values.get(key)})
        return rows

    outputs = _outputs(dep, index)
    inputs = items("inputs")
    trigger = next(
        i
        for i in inputs
        if i["id"] == trigger_type
        or (isinstance(i["id"], dict) and i["id"]["type"] == trigger_type)
    )
    trigger_id = (
        json.dumps(trigger["id"], separators=(",", ":"), sort_keys=True)
        if isinstance(trigger["id"], dict)
        else trigger["id"]
    )
    body = {
        "output": dep["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": inputs,
        "state": items("state"),
        "changedPropIds": [f"{trigger_id}.{trigger['property']}"],
    }
    return client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )


def _form(text: str, visibility: str = "organisation", **extra) -> dict:
    values = {
        "note-save": 1,
        "note-kind": "question",
        "note-scope": "point",
        "note-from": "2024-09-01",
        "note-to": "2024-09-01",
        "note-text": text,
        "note-tags": "test",
        "note-visibility": visibility,
        "panel-state": STATE,
    }
    values.update(extra)
    return values


def _count(db) -> int:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Annotation))


def _note_ids(db) -> list[int]:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return list(s.scalars(select(Annotation.id).order_by(Annotation.id)))


def test_annsec001_viewer_write_refused_through_the_callback_route(client, auth, db):
    auth.login("oldham_viewer")
    response = call(client, "note-save", _form("A viewer should not write this."))
    assert response.status_code == 403
    assert _count(db) == 0


def test_annsec002_practitioner_saves_a_note_with_its_view(client, auth, db):
    auth.login("oldham_practitioner")
    response = call(client, "note-save", _form("Why did GLD dip in 2024/25?"))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "saved" in response.get_data(as_text=True)
    with db.read() as s:
        note = s.scalar(select(Annotation))
        assert note.body == "Why did GLD dip in 2024/25?"
        assert json.loads(note.view_state)["comparators"] == ["E92000001"]
        assert note.seen_value == pytest.approx(63.1)
        assert str(note.period_start) == "2024-09-01"


def test_annsec003_empty_text_gets_a_clear_message(client, auth, db):
    auth.login("oldham_practitioner")
    response = call(client, "note-save", _form("   "))
    assert response.status_code == 200
    assert "empty" in response.get_data(as_text=True)
    assert _count(db) == 0


def test_annsec004_other_organisation_cannot_read_or_change_a_private_note(client, auth, db):
    auth.login("oldham_practitioner")
    secret = "Private: check the two schools that changed trust."
    call(client, "note-save", _form(secret, visibility="private"))
    (note_id,) = _note_ids(db)
    auth.logout()
    auth.login("rochdale_admin")
    shown = call(client, "note-open", {"note-open": note_id, "panel-state": STATE})
    assert shown.status_code == 200
    assert secret not in shown.get_data(as_text=True)
    assert "cannot see it" in shown.get_data(as_text=True)
    listed = call(client, "note-refresh", {"note-refresh": 1, "panel-state": STATE})
    assert secret not in listed.get_data(as_text=True)
    for trigger, values in (
        (
            "note-reply-save",
            {"note-reply-save": 1, "note-reply-text": "hi", "note-thread-id": note_id},
        ),
        (
            "note-edit-save",
            {
                "note-edit-save": 1,
                "note-edit-text": "changed",
                "note-thread-id": note_id,
                "note-thread-version": 1,
            },
        ),
        ("note-resolve", {"note-resolve": 1, "note-thread-id": note_id}),
        ("note-delete", {"note-delete": 1, "note-thread-id": note_id}),
    ):
        response = call(client, trigger, values)
        assert response.status_code == 200, trigger
        assert "does not exist or you cannot see it" in response.get_data(as_text=True)
    api = client.get("/api/v1/annotations").get_json()
    assert api["data"] == []
    with db.read() as s:
        note = s.get(Annotation, note_id)
        assert (note.body, note.status, note.deleted_at, note.version) == (secret, "open", None, 1)
        assert _count(db) == 1


def test_annsec005_same_organisation_reads_shared_note_and_replies(client, auth, db):
    auth.login("oldham_practitioner")
    call(client, "note-save", _form("Shared with Oldham.", visibility="organisation"))
    (note_id,) = _note_ids(db)
    auth.logout()
    auth.login("oldham_analyst")
    shown = call(client, "note-open", {"note-open": note_id, "panel-state": STATE})
    assert "Shared with Oldham." in shown.get_data(as_text=True)
    reply = call(
        client,
        "note-reply-save",
        {"note-reply-save": 1, "note-reply-text": "Agreed.", "note-thread-id": note_id},
    )
    assert "reply is saved" in reply.get_data(as_text=True)
    data = client.get("/api/v1/annotations?indicator=gld").get_json()["data"]
    assert [n["body"] for n in data] == ["Shared with Oldham."]
    assert [r["body"] for r in data[0]["replies"]] == ["Agreed."]


def test_annsec006_api_respects_visibility_and_network_membership(client, auth, db):
    auth.login("oldham_practitioner")
    call(client, "note-save", _form("For the network.", visibility="learning_network"))
    call(client, "note-save", _form("For Oldham only.", visibility="organisation"))
    auth.logout()
    auth.login("rochdale_viewer")
    bodies = [n["body"] for n in client.get("/api/v1/annotations").get_json()["data"]]
    assert bodies == ["For the network."]
    auth.logout()
    auth.login("manchester_viewer")  # Manchester is not in the Learning Network
    assert client.get("/api/v1/annotations").get_json()["data"] == []


def test_annsec007_exports_neutralise_formulas_and_escape_markup(client, auth, db):
    auth.login("oldham_practitioner")
    call(client, "note-save", _form('=HYPERLINK("http://evil.example","x")'))
    call(client, "note-save", _form("<script>window.__xss=1</script><img src=x onerror=alert(1)>"))
    text = client.get("/api/v1/annotations?format=csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    bodies = {r["body"] for r in rows}
    assert '\'=HYPERLINK("http://evil.example","x")' in bodies
    document = client.get("/api/v1/annotations?format=html").get_data(as_text=True)
    assert "<script>window" not in document and "<img src=x" not in document
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in document


def test_annsec008_api_pages_with_next_link(client, auth, db):
    auth.login("oldham_practitioner")
    for i in range(3):
        call(client, "note-save", _form(f"Note {i}"))
    first = client.get("/api/v1/annotations?limit=2").get_json()
    assert len(first["data"]) == 2 and first["next"]
    second = client.get(first["next"]).get_json()
    assert len(second["data"]) == 1 and second["next"] is None


def test_annsec009_discussion_lists_visible_notes_with_chart_links(client, auth, db):
    auth.login("oldham_practitioner")
    call(client, "note-save", _form("Open question on GLD."))
    response = call(client, "discussion-theme", {}, index="")
    text = json.dumps(response.get_json())
    assert "Open question on GLD." in text
    assert "/explore?indicator=gld" in text and "compare=E92000001" in text
    assert client.get("/discussion").status_code == 200
