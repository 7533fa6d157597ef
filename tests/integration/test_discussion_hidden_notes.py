"""Hidden notes on Discussion: moderators restore their own organisation's notes only,
through the real callback route (the repository checks organisation and role)."""

from __future__ import annotations

import json
from datetime import date

from data_access.annotations import NewAnnotation, create_annotation, delete_annotation
from data_access.models import Annotation
from data_access.users import user_by_username

RESTORE = "discussion-restore"


def _user(db, users, key: str):  # type: ignore[no-untyped-def]
    with db.read() as s:
        return user_by_username(s, users[key].username)


def _hidden_note(db, users, prefix: str, body: str) -> int:  # type: ignore[no-untyped-def]
    """A note of ``prefix``'s practitioner, deleted by its organisation's analyst."""
    author = _user(db, users, f"{prefix}_practitioner")
    with db.write() as s:
        note = create_annotation(
            s,
            author,
            NewAnnotation(
                indicator="gld",
                area_code=author.organisation_code,
                kind="question",
                body=body,
                visibility="learning_network",
                period_start=date(2024, 9, 1),
                period_end=date(2025, 8, 31),
            ),
        ).annotation
        assert delete_annotation(s, _user(db, users, f"{prefix}_analyst"), note.id).ok
        return note.id


def _hidden(db, note_id: int) -> bool:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return s.get(Annotation, note_id).deleted_at is not None


def _restore(client, note_id: int):  # type: ignore[no-untyped-def]
    """Press the Restore button of ``note_id`` as the renderer sends it (an ALL pattern)."""
    dep = next(
        d
        for d in client.get("/_dash-dependencies").get_json()
        if any(i["id"].startswith("{") and RESTORE in i["id"] for i in d["inputs"])
    )
    button = {"index": note_id, "type": RESTORE}
    parts = dep["output"][2:-2].split("...")
    outputs = [
        {"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1].split("@")[0]} for p in parts
    ]
    body = {
        "output": dep["output"],
        "outputs": outputs,
        "inputs": [[{"id": button, "property": "n_clicks", "value": 1}]],
        "state": [],
        "changedPropIds": [json.dumps(button, separators=(",", ":")) + ".n_clicks"],
    }
    return client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )


def test_hid001_practitioner_is_refused_with_403(client, auth, db, users):
    note_id = _hidden_note(db, users, "oldham", "Hidden question of Oldham")
    auth.login("oldham_practitioner")
    assert _restore(client, note_id).status_code == 403
    assert _hidden(db, note_id)


def test_hid002_another_organisations_analyst_cannot_restore(client, auth, db, users):
    note_id = _hidden_note(db, users, "oldham", "Hidden question of Oldham")
    mine = _hidden_note(db, users, "rochdale", "Hidden question of Rochdale")
    auth.login("rochdale_analyst")
    response = _restore(client, note_id)
    assert response.status_code == 200
    text = json.dumps(response.get_json())
    assert "You cannot restore this note." in text
    assert "Hidden question of Oldham" not in text  # the list shows Rochdale's own only
    assert "Hidden question of Rochdale" in text and f'"index": {mine}' in text
    assert _hidden(db, note_id)


def test_hid003_own_organisations_analyst_restores_and_the_note_reappears(client, auth, db, users):
    body = "Hidden <script>alert(1)</script> question"
    note_id = _hidden_note(db, users, "oldham", body)
    auth.login("oldham_analyst")
    response = _restore(client, note_id)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    answer = response.get_json()["response"]
    assert "The note is restored" in json.dumps(answer["discussion-restore-message"])
    assert "no hidden notes" in json.dumps(answer["discussion-hidden"])
    assert answer["discussion-restored"]["data"]  # the list of notes redraws
    assert not _hidden(db, note_id)
    # The list of notes now holds it again, as plain text.
    notes = client.post(
        "/_dash-update-component",
        data=json.dumps(_notes_body(client)),
        content_type="application/json",
    )
    assert body in json.dumps(notes.get_json())


def _notes_body(client) -> dict:  # type: ignore[no-untyped-def]
    from dash_requests import callback_body, dependency

    dep = dependency(client, lambda d: any(i["id"] == "discussion-restored" for i in d["inputs"]))
    return callback_body(dep, {"discussion-restored": 1}, "discussion-restored")
