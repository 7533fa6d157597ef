"""Voice quotes linked to a note on Discussion: who may link, which quotes, who sees them,
through the repository and the real callback route."""

from __future__ import annotations

import json
from datetime import date

import pytest
from dash_requests import callback_body, dependency, id_type, post_callback
from sqlalchemy import select

from data_access.models import AnnotationVoiceLink, AuditEvent, VoiceItem

OLDHAM = "E08000004"
INDEX = "discussion-1"


@pytest.fixture
def voice_demo(db, users):  # type: ignore[no-untyped-def]
    from data_access.demo import DATA_DIR
    from data_access.demo.voice import seed_demo_extra

    with db.write() as session:
        seed_demo_extra(session, DATA_DIR)
    return db


def _user(db, key: str):  # type: ignore[no-untyped-def]
    from data_access.users import user_by_username

    with db.read() as session:
        return user_by_username(session, key)


def _note(db, author: str, visibility: str = "organisation") -> int:  # type: ignore[no-untyped-def]
    from data_access.annotations import NewAnnotation, create_annotation

    with db.write() as session:
        result = create_annotation(
            session,
            _user(db, author),
            NewAnnotation(
                indicator="gld",
                area_code=OLDHAM,
                kind="question",
                body="What do families say about starting school?",
                visibility=visibility,
                period_start=date(2024, 9, 1),
                period_end=date(2025, 8, 31),
                view_state={"scope": "point"},
            ),
        )
        assert result.annotation is not None
        return result.annotation.id


def _quote(db, organisation_code: str, scope: str) -> int:  # type: ignore[no-untyped-def]
    """An approved quote of an organisation with a consent scope."""
    from data_access.models import Organisation

    with db.read() as session:
        org_id = session.scalar(
            select(Organisation.id).where(Organisation.code == organisation_code)
        )
        found = session.scalar(
            select(VoiceItem.id).where(
                VoiceItem.organisation_id == org_id,
                VoiceItem.consent_scope == scope,
                VoiceItem.moderation_status == "approved",
                VoiceItem.withdrawn.is_(False),
            )
        )
    assert found is not None, (organisation_code, scope)
    return int(found)


def _links(db, note_id: int) -> list[int]:  # type: ignore[no-untyped-def]
    with db.read() as session:
        query = select(AnnotationVoiceLink.voice_item_id).where(
            AnnotationVoiceLink.annotation_id == note_id
        )
        return list(session.scalars(query))


def test_nql001_practitioner_links_a_quote_and_the_organisation_sees_it(voice_demo, users):
    from data_access.voice.note_links import link_quote_to_note, linkable_quotes, linked_quotes

    db = voice_demo
    note_id = _note(db, users["oldham_analyst"].username)
    practitioner = _user(db, users["oldham_practitioner"].username)
    with db.write() as session:
        choices = linkable_quotes(session, practitioner, note_id)
    assert len(choices), "no quote offered to link"
    quote_id = int(choices["id"].iloc[0])
    with db.write() as session:
        result = link_quote_to_note(session, practitioner, note_id, quote_id)
    assert result.ok, result.message
    assert _links(db, note_id) == [quote_id]
    with db.write() as session:
        again = link_quote_to_note(session, practitioner, note_id, quote_id)
        offered = set(linkable_quotes(session, practitioner, note_id)["id"].astype(int))
        seen = linked_quotes(session, _user(db, users["oldham_viewer"].username), note_id)
    assert again.outcome == "invalid" and quote_id not in offered
    assert list(seen["id"].astype(int)) == [quote_id]
    with db.read() as session:
        audited = session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_id == str(note_id))
        ).all()
    assert "annotation.link_quote" in audited


def test_nql002_refused_for_viewers_hidden_notes_and_quotes_out_of_scope(voice_demo, users):
    from data_access.voice.note_links import link_quote_to_note, linkable_quotes, linked_quotes

    db = voice_demo
    note_id = _note(db, users["oldham_analyst"].username)
    own_quote = _quote(db, OLDHAM, "own_organisation")
    rochdale_quote = _quote(db, "E08000005", "own_organisation")
    with db.write() as session:
        viewer = link_quote_to_note(
            session, _user(db, users["oldham_viewer"].username), note_id, own_quote
        )
        # Rochdale cannot see Oldham's organisation note, nor link to it.
        rochdale = _user(db, users["rochdale_analyst"].username)
        other_org = link_quote_to_note(session, rochdale, note_id, rochdale_quote)
        # Oldham cannot link Rochdale's own-organisation quote.
        out_of_scope = link_quote_to_note(
            session,
            _user(db, users["oldham_practitioner"].username),
            note_id,
            rochdale_quote,
        )
        assert linkable_quotes(session, rochdale, note_id).empty
    assert viewer.outcome == "denied"
    assert other_org.outcome == "not_found" and out_of_scope.outcome == "not_found"
    assert _links(db, note_id) == []
    # A linked quote is shown to each reader only within its consent scope.
    with db.write() as session:
        ok = link_quote_to_note(
            session, _user(db, users["oldham_practitioner"].username), note_id, own_quote
        )
        assert ok.ok
    learning_network_note = _note(db, users["oldham_analyst"].username, "learning_network")
    with db.write() as session:
        link_quote_to_note(
            session,
            _user(db, users["oldham_practitioner"].username),
            learning_network_note,
            own_quote,
        )
        rochdale = _user(db, users["rochdale_analyst"].username)
        assert linked_quotes(session, rochdale, learning_network_note).empty
        assert linked_quotes(session, rochdale, note_id).empty


def _call(client, trigger: str, values: dict):  # type: ignore[no-untyped-def]
    dep = dependency(client, lambda d: any(id_type(i["id"]) == trigger for i in d["inputs"]))
    return post_callback(client, callback_body(dep, values, trigger, INDEX))


def test_nql003_link_through_the_callback_route_and_see_it_in_the_thread(
    client, auth, voice_demo, users
):
    db = voice_demo
    note_id = _note(db, users["oldham_analyst"].username)
    quote_id = _quote(db, OLDHAM, "own_organisation")
    values = {"note-quote-link": 1, "note-quote-choice": str(quote_id), "note-thread-id": note_id}

    auth.login("oldham_viewer")
    assert _call(client, "note-quote-link", values).status_code == 403
    assert _links(db, note_id) == []
    auth.logout()

    auth.login("oldham_practitioner")
    response = _call(client, "note-quote-link", values)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert "The quote is linked to this note." in json.dumps(response.get_json())
    assert _links(db, note_id) == [quote_id]
    thread = _call(client, "note-open", {"note-open": note_id, "note-refresh": 1})
    assert thread.status_code == 200
    text = json.dumps(thread.get_json())
    with db.read() as session:
        quote_text = session.get(VoiceItem, quote_id).text
    assert "Quotes linked to this note (1)" in text
    assert json.dumps(quote_text)[1:-1] in text
    assert "Link a quote to this note" in text  # more quotes may still be linked
