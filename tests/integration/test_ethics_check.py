"""The ethics check before anything leaves: the monthly pack cannot be downloaded without
a named confirmation; the check is in the audit log and on the pack's last page."""

from __future__ import annotations

import json

import test_sessions
from sqlalchemy import select
from test_voice_integration import call

from data_access.models import AuditEvent, EthicsCheck

INDICATORS = ["gld", "eh_requests"]
built = test_sessions.built  # the Learning Network session fixture


def _download(client, indicators=INDICATORS):  # type: ignore[no-untyped-def]
    response = call(
        client,
        "pack-download.data",
        {"pack-button.n_clicks": 1, "pack-indicators.value": indicators, "pack-area.data": "x"},
        "pack-button.n_clicks",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["response"]


def _confirm(client, name: str, indicators=INDICATORS) -> str:  # type: ignore[no-untyped-def]
    response = call(
        client,
        "pack-ethics-status.children@",
        {
            "pack-ethics-confirm.n_clicks": 1,
            "pack-ethics-name.value": name,
            "pack-indicators.value": indicators,
        },
        "pack-ethics-confirm.n_clicks",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.dumps(response.get_json()["response"])


def test_eth001_pack_cannot_be_downloaded_without_the_check(client, auth, db):
    auth.login("oldham_viewer")
    outcome = _download(client)
    assert "pack-download" not in outcome
    assert "Before the pack can leave" in json.dumps(outcome)


def test_eth002_a_named_check_lets_the_pack_out_and_is_on_its_last_page(client, auth, db):
    auth.login("oldham_viewer")
    assert "Type your name" in _confirm(client, " ")
    assert "Reviewed by Ada Lovelace" in _confirm(client, "Ada Lovelace")
    content = _download(client)["pack-download"]["data"]["content"]
    last_section = content.rsplit("<section>", 1)[1]
    assert "<h2>Ethics check</h2>" in last_section
    assert "Reviewed by Ada Lovelace" in last_section
    assert "Small groups are protected: counts under 5 are not shown" in last_section
    with db.read() as s:
        events = s.execute(
            select(AuditEvent.username, AuditEvent.detail).where(
                AuditEvent.action == "ethics.check"
            )
        ).all()
        checks = s.execute(select(EthicsCheck.kind, EthicsCheck.reviewer_name)).all()
    assert len(events) == 1 and events[0].username == "oldham.viewer"
    detail = json.loads(events[0].detail)
    assert detail["reviewer"] == "Ada Lovelace" and detail["notes"]
    assert [tuple(c) for c in checks] == [("monthly_pack", "Ada Lovelace")]


def test_eth003_a_check_covers_only_the_pack_it_reviewed(client, auth, db):
    auth.login("oldham_viewer")
    _confirm(client, "Ada Lovelace", ["gld"])
    assert "pack-download" not in _download(client, ["gld", "eh_requests"])
    assert "pack-download" in _download(client, ["gld"])


def test_eth004_the_notes_name_voices_missing_groups_and_revisions(db, users):
    from data_access.demo import DATA_DIR
    from data_access.demo.voice import seed_demo_extra
    from data_access.ethics_check import reader_notes
    from data_access.users import user_by_username

    with db.write() as session:
        seed_demo_extra(session, DATA_DIR)
    with db.read() as session:
        user = user_by_username(session, "oldham.viewer")
        notes = reader_notes(session, user, [("gld", "E08000004")])
    text = " ".join(notes)
    assert "Small groups are protected" in text
    assert text.count("Voices:") == 1 and "whose consent allows publication" in text
    assert "Revisions:" in text
    assert any(n.startswith(("Missing from the voices", "Children or young people")) for n in notes)


def test_eth005_the_pack_page_shows_the_check_with_a_labelled_name_field(server, db, users):
    from test_sessions import _layout_as

    page = _layout_as(server, db, "oldham_viewer", "monthly_pack")
    assert "Before it leaves: what readers should know" in page
    assert '"htmlFor": "pack-ethics-name"' in page and "Small groups are protected" in page


def test_eth006_a_session_record_leaves_only_after_the_check(
    client, auth, server, db, built, monkeypatch
):
    from test_sessions import TEXTS, _layout_as

    summary = _layout_as(server, db, "oldham_analyst", "session_summary", id=str(built["id"]))
    assert "Voices: 2 quotes" in summary and TEXTS["own_organisation"] not in summary
    auth.login("oldham_analyst")
    values = {
        "summary-html-button.n_clicks": 1,
        "summary-names.value": "names",
        "summary-session.data": built["id"],
    }
    refused = call(client, "summary-html-download.data", values, "summary-html-button.n_clicks")
    assert "Before the record can leave" in refused.get_data(as_text=True)
    assert "summary-html-download" not in refused.get_json()["response"]
    import test_voice_integration as tvi

    # Several callbacks write the status line: post to the confirm button's own one.
    call(client, "summary-ethics-status.children", {}, "x")  # loads the dependency list
    confirm = tvi._DEPENDENCIES["summary-ethics-status.children"]
    monkeypatch.setattr(tvi, "_dependency", lambda _client, _fragment: confirm)
    confirmed = call(
        client,
        "summary-ethics-status.children",
        {
            "summary-ethics-confirm.n_clicks": 1,
            "summary-ethics-name.value": "Grace Hopper",
            "summary-names.value": "names",
            "summary-session.data": built["id"],
        },
        "summary-ethics-confirm.n_clicks",
    )
    assert "Reviewed by Grace Hopper" in confirmed.get_data(as_text=True)
    monkeypatch.undo()
    sent = call(client, "summary-html-download.data", values, "summary-html-button.n_clicks")
    content = sent.get_json()["response"]["summary-html-download"]["data"]["content"]
    assert "Reviewed by Grace Hopper" in content.rsplit("<section>", 1)[1]
