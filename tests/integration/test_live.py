"""Live Learning Network sessions (issue 21): join rules, the step kept on the server,
contributions saved once and anonymised, the version transport (ETag, 304) and login on
every route."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from analysis.anonymise import leaked_names
from data_access import learning_network as ln
from data_access import live
from data_access.models import Annotation, Area, AuditEvent, LnContributionKey
from data_access.users import user_by_id

OLDHAM, ROCHDALE, HAMPSHIRE = "E08000004", "E08000005", "E10000014"


def _user(db, username: str):  # type: ignore[no-untyped-def]
    from data_access.models import User

    with db.read() as s:
        return user_by_id(s, s.scalar(select(User.id).where(User.username == username)))


@pytest.fixture
def session_live(db, users):  # type: ignore[no-untyped-def]
    """An Oldham session with Rochdale and Hampshire taking part, three steps, started."""
    analyst = _user(db, "oldham.analyst")
    live.forget_access()
    with db.write() as s:
        record = ln.create_session(s, analyst, "Live GLD", "2026-03-12", [ROCHDALE, HAMPSHIRE])
        ln.add_step(
            s, analyst, record.id, "indicator", "GLD in Oldham",
            {"indicator": "gld", "area": OLDHAM, "compare": ["england", ROCHDALE]},
        )  # fmt: skip
        ln.add_step(s, analyst, record.id, "question", "What helps in Rochdale?", {"text": "Why?"})
        ln.add_step(s, analyst, record.id, "text", "Close", {"text": "Thank you"})
        state = live.start_live(s, analyst, record.id)
    assert state.join_code is not None
    return {"id": record.id, "code": state.join_code, "analyst": analyst}


def _anonymise(db, session_id: int) -> None:  # type: ignore[no-untyped-def]
    from data_access.models import LnSession

    with db.write() as s:
        s.get(LnSession, session_id).anonymised = True


def _step_ids(db, user, session_id):  # type: ignore[no-untyped-def]
    with db.read() as s:
        return [step.id for step in ln.get_session(s, user, session_id).steps]


def test_live001_join_code_shape_and_start_is_idempotent(db, session_live):
    code = session_live["code"]
    assert len(code) == 6 and all(ch in live.CODE_ALPHABET for ch in code)
    assert not set(code) & set("0O1IL")
    with db.write() as s:
        again = live.start_live(s, session_live["analyst"], session_live["id"])
    assert again.join_code == code and again.version == 1


def test_live002_join_rules(db, session_live):
    code = session_live["code"]
    with db.write() as s:
        assert live.join(s, _user(db, "rochdale.viewer"), code.lower()).outcome == "joined"
        assert live.join(s, _user(db, "oldham.practitioner"), code).outcome == "joined"
        # Manchester is not taking part (and not in the network); North Yorkshire is in the
        # network but not taking part.
        assert live.join(s, _user(db, "manchester.analyst"), code).outcome == "not_allowed"
        assert live.join(s, _user(db, "northyorks.admin"), code).outcome == "not_allowed"
        assert live.join(s, _user(db, "rochdale.viewer"), "ZZZZZZ").outcome == "invalid"
        assert live.join(s, _user(db, "rochdale.viewer"), "<script>").outcome == "invalid"
    with db.read() as s:
        denied = s.scalar(select(func.count()).where(AuditEvent.action == "denied:live.join"))
        assert denied == 2
        state = live.live_state(s, session_live["analyst"], session_live["id"])
        assert state is not None and state.joined == 2
        # The code is for facilitators; a participant's state does not carry it.
        seen = live.live_state(s, _user(db, "rochdale.viewer"), session_live["id"])
        assert seen is not None and seen.join_code is None
        assert live.live_state(s, _user(db, "hampshire.viewer"), session_live["id"]) is None


def test_live003_ended_code_is_refused_and_restart_gives_a_new_code(db, session_live):
    code = session_live["code"]
    with db.write() as s:
        live.end_live(s, session_live["analyst"], session_live["id"])
    with db.write() as s:
        assert live.join(s, _user(db, "rochdale.viewer"), code).outcome == "ended"
        again = live.start_live(s, session_live["analyst"], session_live["id"])
    assert again.join_code != code and not again.ended


def test_live004_only_the_owning_facilitator_controls(db, session_live):
    with db.write() as s:
        for username in ("oldham.practitioner", "rochdale.analyst"):
            with pytest.raises(live.LiveNotAllowed):
                live.set_live_step(s, _user(db, username), session_live["id"], 2)
            with pytest.raises(live.LiveNotAllowed):
                live.end_live(s, _user(db, username), session_live["id"])


def test_live005_step_is_kept_on_the_server_and_bumps_the_version(db, session_live):
    analyst = session_live["analyst"]
    with db.write() as s:
        before = live.current_version(s, session_live["id"])
        assert live.move_live_step(s, analyst, session_live["id"], 1) == 1
        assert live.set_live_step(s, analyst, session_live["id"], 99) == 2
    with db.read() as s:
        after = live.current_version(s, session_live["id"])
        assert live.saved_step(s, analyst, session_live["id"]) == 2
    assert before is not None and after is not None
    assert after.version == before.version + 2 and after.step_index == 2


def test_live006_present_screen_reload_keeps_the_live_step(server, db, session_live):
    from flask_login import login_user

    from auth.current import CurrentUser

    with db.write() as s:
        live.set_live_step(s, session_live["analyst"], session_live["id"], 1)
    import pages.present as present

    with server.test_request_context("/"):
        login_user(CurrentUser(session_live["analyst"]))
        page = json.dumps(present.layout(id=str(session_live["id"])).to_plotly_json(), default=str)
    assert "What helps in Rochdale?" in page
    assert session_live["code"] in page and "session-join-code" in page


def _joined(db, session_live, username: str):  # type: ignore[no-untyped-def]
    user = _user(db, username)
    with db.write() as s:
        assert live.join(s, user, session_live["code"]).outcome == "joined"
    return user


def test_live007_a_retried_contribution_is_saved_once(db, session_live):
    user = _joined(db, session_live, "rochdale.practitioner")
    step = _step_ids(db, user, session_live["id"])[1]
    results = []
    for _ in range(3):
        with db.write() as s:
            results.append(
                live.contribute(
                    s,
                    user,
                    session_live["id"],
                    step,
                    "Family hubs opened.",
                    kind="question",
                    client_key="k-123",
                )  # fmt: skip
            )
    assert all(r.ok for r in results)
    assert len({r.annotation.id for r in results if r.annotation}) == 1
    with db.read() as s:
        notes = list(
            s.scalars(select(Annotation).where(Annotation.ln_session_id == session_live["id"]))
        )
        assert len(notes) == 1 and notes[0].kind == "question"
        assert s.scalar(select(func.count()).select_from(LnContributionKey)) == 1
        said = ln.session_contributions(s, user, session_live["id"])
        assert ln.contribution_attribution(said[0]) == ROCHDALE


def test_live008_anonymous_only_when_allowed_and_rules_for_who(db, session_live):
    user = _joined(db, session_live, "rochdale.practitioner")
    step = _step_ids(db, user, session_live["id"])[0]
    with db.write() as s:
        live.set_options(s, session_live["analyst"], session_live["id"], allow_anonymous=False)
    # A viewer who joined follows but cannot write; someone who did not join cannot.
    viewer = _joined(db, session_live, "rochdale.viewer")
    with db.write() as s:
        refused = live.contribute(s, user, session_live["id"], step, "x", anonymous=True)
        assert refused.outcome == "invalid" and "anonymous" in refused.message
        assert live.contribute(s, viewer, session_live["id"], step, "x").outcome == "denied"
        stranger = _user(db, "hampshire.practitioner")
        assert live.contribute(s, stranger, session_live["id"], step, "x").outcome == "denied"
        assert (
            live.contribute(s, user, session_live["id"], step, "x", kind="vote").outcome
            == "invalid"
        )
    with db.write() as s:
        live.set_options(s, session_live["analyst"], session_live["id"], allow_anonymous=True)
    with db.write() as s:
        saved = live.contribute(s, user, session_live["id"], step, "Unsigned.", anonymous=True)
    assert saved.ok and saved.annotation is not None
    with db.read() as s:
        note = ln.session_contributions(s, user, session_live["id"])[0]
    assert ln.contribution_attribution(note) is None


def test_live009_anonymised_session_stores_and_serves_no_authority_name(
    db, client, auth, session_live
):
    _anonymise(db, session_live["id"])
    user = _joined(db, session_live, "rochdale.practitioner")
    step = _step_ids(db, user, session_live["id"])[1]
    with db.write() as s:
        result = live.contribute(
            s, user, session_live["id"], step, "Rochdale and Oldham differ.", client_key="a1"
        )
    assert result.ok
    with db.read() as s:
        names = list(
            s.scalars(select(Area.name).where(Area.code.in_([OLDHAM, ROCHDALE, HAMPSHIRE])))
        )
        stored = s.get(Annotation, result.annotation.id)
        text = json.dumps([stored.body, stored.view_state])
        assert leaked_names(text, names) == [] and ROCHDALE not in text
    auth.login("rochdale_practitioner")
    api = client.get(f"/api/v1/annotations?tag=ln-session-{session_live['id']}")
    assert api.status_code == 200 and len(api.get_json()["data"]) == 1
    body = api.get_data(as_text=True)
    # The note sits on the session's chart (the facilitator's, Oldham): the contributor,
    # Rochdale, is named nowhere, as for every anonymised session's note.
    assert "Authority" in body
    for leak in ("Rochdale", ROCHDALE, "rochdale.practitioner"):
        assert leak not in body, leak
    state = client.get(f"/api/live/{session_live['id']}/state").get_json()
    assert state["title"] and leaked_names(state["title"], names) == []


def test_live010_version_etag_and_304(db, client, auth, session_live):
    _joined(db, session_live, "rochdale.viewer")
    auth.login("rochdale_viewer")
    url = f"/api/live/{session_live['id']}/version"
    first = client.get(url)
    assert first.status_code == 200 and first.headers["ETag"]
    assert set(first.get_json()) == {"version", "step", "ended", "anonymous", "poll"}
    same = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert same.status_code == 304 and same.get_data() == b""
    with db.write() as s:
        live.move_live_step(s, session_live["analyst"], session_live["id"], 1)
    changed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.get_json()["step"] == 1


def test_live010b_a_vote_changes_the_poll_version_and_not_the_step(db, client, auth, session_live):
    from data_access import ln_polls

    _joined(db, session_live, "rochdale.practitioner")
    auth.login("rochdale_practitioner")
    url = f"/api/live/{session_live['id']}/version"
    first = client.get(url)
    question = _step_ids(db, session_live["analyst"], session_live["id"])[1]
    with db.write() as s:
        ln_polls.set_poll(s, session_live["analyst"], question, "single", ["Hubs", "Outreach"])
    made = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert made.status_code == 200
    assert made.get_json()["poll"] != first.get_json()["poll"]
    with db.write() as s:
        ln_polls.vote(s, _user(db, "rochdale.practitioner"), question, [1])
    voted = client.get(url, headers={"If-None-Match": made.headers["ETag"]})
    assert voted.status_code == 200, "a vote must not be answered 304"
    after = voted.get_json()
    assert after["poll"] != made.get_json()["poll"]
    # The step and the session's own version did not move: screens redraw only the poll.
    assert after["step"] == first.get_json()["step"]
    assert after["version"] == first.get_json()["version"]


def test_live011_version_is_refused_to_who_did_not_join(db, client, auth, session_live):
    auth.login("hampshire_viewer")  # taking part, but has not joined
    assert client.get(f"/api/live/{session_live['id']}/version").status_code == 404
    auth.login("manchester_admin")
    assert client.get(f"/api/live/{session_live['id']}/state").status_code == 404


def test_live012_api_contribution_with_csrf_saves_once(db, client, auth, session_live):
    _joined(db, session_live, "hampshire.practitioner")
    auth.login("hampshire_practitioner")
    client.get("/join")  # sets the CSRF cookie as a page load does
    token = client.get_cookie("_csrf_token").value
    step = _step_ids(db, session_live["analyst"], session_live["id"])[0]
    url = f"/api/live/{session_live['id']}/contributions"
    body = {"step_id": step, "body": "Our hub opened.", "kind": "context_event", "client_key": "z9"}
    forged = client.post(url, json=body, headers={"Origin": "http://localhost"})
    assert forged.status_code == 403
    headers = {"Origin": "http://localhost", "X-CSRFToken": token}
    first = client.post(url, json=body, headers=headers)
    retry = client.post(url, json=body, headers=headers)
    assert first.status_code == 201 and retry.status_code == 200
    assert first.get_json()["id"] == retry.get_json()["id"]


@pytest.mark.parametrize(
    "path",
    ["/api/live/1/version", "/api/live/1/state", "/join", "/live?id=1", "/join?code=ABCDEF"],
)
def test_live013_login_required_on_every_route(client, path):
    response = client.get(path)
    assert response.status_code in (302, 401)
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]
    assert client.post("/api/live/1/contributions", json={}).status_code in (401, 403)


def test_live014_join_page_and_participant_page_through_callbacks(db, client, auth, session_live):
    from tests.integration.test_sessions import call

    auth.login("rochdale_viewer")
    client.get("/join")
    response = call(
        client, "join-message", "join-submit",
        {"join-submit": 1, "join-code": session_live["code"]},
    )  # fmt: skip
    assert response.status_code == 200, response.get_data(as_text=True)
    outputs = response.get_json()["response"]
    assert outputs["join-go"]["href"] == f"/live?id={session_live['id']}"
    with db.write() as s:
        live.set_live_step(s, session_live["analyst"], session_live["id"], 1)
    followed = call(
        client, "live-step", "live-signal",
        {"live-signal": {"step": 1}, "live-session": session_live["id"], "live-look": None},
    )  # fmt: skip
    assert followed.status_code == 200
    assert "What helps in Rochdale?" in followed.get_data(as_text=True)
