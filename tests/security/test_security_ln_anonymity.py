"""Anonymised Learning Network sessions stay anonymised: the annotations API, the Discussion
list and the exports serve a contribution without the participant's name, code, author or
organisation (SQLite and PostgreSQL with CHORUS_TEST_DATABASE=postgresql)."""

from __future__ import annotations

import json

from sqlalchemy import select

from data_access import learning_network as ln
from data_access.annotations import AnnotationFilters, list_annotations
from data_access.ln_anonymity import add_contribution
from data_access.models import User
from data_access.users import user_by_id

OLDHAM, ROCHDALE, HAMPSHIRE = "E08000004", "E08000005", "E10000014"


def _record(db, username):  # type: ignore[no-untyped-def]
    with db.read() as s:
        return user_by_id(s, s.scalar(select(User.id).where(User.username == username)))


def _anonymised_session(db) -> int:  # type: ignore[no-untyped-def]
    oldham = _record(db, "oldham.analyst")
    rochdale = _record(db, "rochdale.analyst")
    with db.write() as s:
        record = ln.create_session(
            s, oldham, "Readiness", "2026-03-12", [OLDHAM, ROCHDALE, HAMPSHIRE], anonymised=True
        )
        chart = ln.add_step(
            s, oldham, record.id, "indicator", "GLD", {"indicator": "gld", "area": OLDHAM,
                                                       "compare": [ROCHDALE]},
        )  # fmt: skip
    with db.write() as s:
        result = add_contribution(
            s, rochdale, record.id, chart.id, "In Rochdale we copied Oldham's hub.", ROCHDALE
        )
        assert result.outcome == "saved"
    return record.id


def test_anon001_the_api_serves_anonymised_contributions_to_every_member(
    db, users, login, plain_client
):
    session_id = _anonymised_session(db)
    login("hampshire_viewer")
    response = plain_client.get(f"/api/v1/annotations?tag=ln-session-{session_id}")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Authority" in text  # the contribution is there, anonymised
    # The note sits on the session's chart (Oldham's, the facilitator's): only the
    # contributor, Rochdale, must not be named.
    for leak in ("Rochdale", ROCHDALE, "rochdale.analyst"):
        assert leak not in text, leak
    rochdale_id = _record(db, "rochdale.analyst").id
    by_author = plain_client.get(f"/api/v1/annotations?tag=ln-session-{session_id}"
                                 f"&author={rochdale_id}")  # fmt: skip
    assert json.loads(by_author.get_data(as_text=True)).get("annotations", []) == []


def test_anon002_discussion_and_exports_read_the_stored_anonymised_note(db, users):
    session_id = _anonymised_session(db)
    reader = _record(db, "hampshire.viewer")
    with db.read() as s:
        notes = list_annotations(s, reader, AnnotationFilters(tag=f"ln-session-{session_id}"))
    assert len(notes) == 1
    note = notes[0]
    stored = json.dumps(note.__dict__, default=str)
    for leak in ("Rochdale", ROCHDALE, "rochdale"):
        assert leak not in stored, leak
    assert ln.contribution_attribution(note).startswith("Authority")
