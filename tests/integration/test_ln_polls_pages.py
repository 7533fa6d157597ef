"""Polls and actions through the real app: callbacks over HTTP (login, role and
organisation), the present screen's poll area and its refresh, the session record and its
exports, the Overview and "You said, we did" lists, and the participant page's builder.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import plotly.utils
import pytest
from dash_requests import callback_body, dependency, post_callback
from flask_login import login_user
from sqlalchemy import func, select

from analysis.anonymise import leaked_names
from data_access import learning_network as ln
from data_access import ln_actions, ln_polls
from data_access.models import LnAction, LnVote
from data_access.users import user_by_username

OLDHAM, ROCHDALE = "E08000004", "E08000005"
DUE = date(2099, 1, 1)


def _user(db, key: str):  # type: ignore[no-untyped-def]
    with db.read() as s:
        return user_by_username(s, key.replace("_", ".", 1))


@pytest.fixture
def polled(db, users):  # type: ignore[no-untyped-def]
    """An Oldham session (Oldham and Rochdale taking part): step 1 a chart, step 2 a poll
    whose question names Rochdale, one Rochdale vote, and an action owned by Rochdale."""
    analyst = _user(db, "oldham_analyst")
    with db.write() as s:
        record = ln.create_session(s, analyst, "Polls in Oldham", DUE, [OLDHAM, ROCHDALE])
        ln.add_step(s, analyst, record.id, "indicator", "", {"indicator": "gld", "area": OLDHAM})
        step = ln.add_step(
            s, analyst, record.id, "question", "Rochdale first?", {"text": "Rochdale's plan?"}
        )
        ln_polls.set_poll(s, analyst, step.id, "single", "Rochdale hubs\nOutreach")
    with db.write() as s:
        ln_polls.vote(s, _user(db, "rochdale_practitioner"), step.id, [0])
    with db.write() as s:
        action = ln_actions.create_action(
            s, analyst, record.id, "Rochdale maps its hubs", ROCHDALE, DUE, "poll", step.id
        )
    return {"id": record.id, "step": step.id, "action": action.id}


def _dep(client, output: str):  # type: ignore[no-untyped-def]
    return dependency(client, lambda d: output in d["output"])


def _present(client, session_id: int, index: int, names: str = "names"):  # type: ignore[no-untyped-def]
    dep = _dep(client, "present-poll.children")
    values = {"present-index": index, "present-names": names, "present-session": session_id}
    return post_callback(client, callback_body(dep, values, "present-index"))


def test_lpp001_present_poll_area_only_on_a_poll_step(client, auth, db, polled):
    auth.login("oldham_analyst")
    on_chart = _present(client, polled["id"], 0)
    assert on_chart.status_code == 200
    assert "present-poll-tick" not in on_chart.get_data(as_text=True)  # no timer
    on_poll = _present(client, polled["id"], 1)
    text = on_poll.get_data(as_text=True)
    assert "present-poll-tick" in text and "present-poll-close" in text
    assert "1 person has voted" in text and "Rochdale hubs" in text
    anonymised = _present(client, polled["id"], 1, "anonymised").get_data(as_text=True)
    assert "1 person has voted" in anonymised
    assert leaked_names(anonymised, ["Rochdale", "Oldham"]) == []


def test_lpp002_viewers_watch_results_without_the_close_button(client, auth, db, polled):
    auth.login("rochdale_viewer")
    text = _present(client, polled["id"], 1).get_data(as_text=True)
    assert "1 person has voted" in text and "present-poll-close" not in text


def test_lpp003_refresh_only_when_the_version_changed(client, auth, db, polled):
    auth.login("oldham_analyst")
    dep = _dep(client, "present-poll-results.children")
    with db.read() as s:
        version = ln_polls.poll_results(s, _user(db, "oldham_analyst"), polled["step"]).version
    values = {
        "present-poll-tick": 1,
        "present-poll-step": polled["step"],
        "present-poll-version": version,
        "present-names": "names",
    }
    same = post_callback(client, callback_body(dep, values, "present-poll-tick"))
    assert same.status_code == 204
    with db.write() as s:
        ln_polls.vote(s, _user(db, "oldham_practitioner"), polled["step"], [1])
    changed = post_callback(client, callback_body(dep, values, "present-poll-tick"))
    assert changed.status_code == 200
    assert "2 people have voted" in changed.get_data(as_text=True)


def _vote_over_http(client, dep, step_id: int, choice: object):  # type: ignore[no-untyped-def]
    values = {"ln-poll-vote": 1, "ln-poll-choice": choice, "ln-poll-step": step_id}
    body = callback_body(dep, values, None, index=str(step_id))
    changed = json.dumps({"step": str(step_id), "type": "ln-poll-vote"}, separators=(",", ":"))
    body["changedPropIds"] = [f"{changed}.n_clicks"]
    return post_callback(client, body)


def test_lpp004_vote_callback_checks_login_role_and_organisation(client, auth, db, polled):
    step = polled["step"]
    auth.login("rochdale_viewer")
    dep = _dep(client, "ln-poll-status")
    assert _vote_over_http(client, dep, step, 1).status_code == 403  # role too low
    auth.logout()
    assert _vote_over_http(client, dep, step, 1).status_code in (401, 403)  # not signed in
    auth.logout()
    auth.login("hampshire_practitioner")  # in the network, not taking part
    refused = _vote_over_http(client, dep, step, 1)
    assert "not taking part" in refused.get_data(as_text=True)
    auth.logout()
    auth.login("rochdale_practitioner")
    changed = _vote_over_http(client, dep, step, 1)
    assert "Your vote is changed" in changed.get_data(as_text=True)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(LnVote)) == 1
        assert ln_polls.poll_results(s, _user(db, "oldham_viewer"), step).counts == (0, 1)


def test_lpp005_session_record_and_exports_keep_results_and_actions(server, db, polled):
    from auth.current import CurrentUser
    from components.ln_export import export_csv, export_html
    from pages._ln_support import session_document

    user = _user(db, "oldham_analyst")
    with server.test_request_context("/"):
        login_user(CurrentUser(user))
        with db.read() as s:
            record = ln.get_session(s, user, polled["id"])
            named, _ = session_document(s, user, record, False)
            anonymous, _ = session_document(s, user, record, True)
    rows = list(csv.DictReader(io.StringIO(export_csv(named["title"], named["sections"]))))
    results = {r["text"]: r["value"] for r in rows if r["row_type"] == "poll_result"}
    assert results == {"Rochdale hubs": "1", "Outreach": "0"}
    actions = [r for r in rows if r["row_type"] == "action"]
    assert [(a["text"], a["owner"], a["due_by"]) for a in actions] == [
        ("Rochdale maps its hubs", "Rochdale", DUE.isoformat())
    ]
    page = export_html(named)
    assert "Rochdale maps its hubs" in page and "Votes" in page
    hidden = export_csv(anonymous["title"], anonymous["sections"])
    hidden_html = re.sub(r"<script>.*?</script>", "", export_html(anonymous), flags=re.S)
    for text in (hidden, hidden_html):
        assert "maps its hubs" in text
        assert leaked_names(text, ["Rochdale", "Oldham"]) == []


def _layout(server, db, key: str, module: str, **kwargs) -> str:  # type: ignore[no-untyped-def]
    from auth.current import CurrentUser

    page = __import__(f"pages.{module}", fromlist=["layout"])
    with server.test_request_context("/"):
        login_user(CurrentUser(_user(db, key)))
        return json.dumps(page.layout(**kwargs), cls=plotly.utils.PlotlyJSONEncoder)


def test_lpp006_overview_lists_the_owners_open_actions_only(server, db, polled):
    assert "Rochdale maps its hubs" in _layout(server, db, "rochdale_viewer", "overview")
    assert "Rochdale maps its hubs" not in _layout(server, db, "oldham_analyst", "overview")
    assert "Rochdale maps its hubs" not in _layout(server, db, "hampshire_admin", "overview")


def test_lpp007_mark_done_over_http(client, auth, db, polled):
    auth.login("hampshire_practitioner")  # not the owner
    dep = _dep(client, "overview-ln-actions-wrap.children")

    def press(action_id: int):  # type: ignore[no-untyped-def]
        body = callback_body(dep, {}, None)
        member = {"index": action_id, "type": "ln-action-done"}
        body["inputs"][0] = [{"id": member, "property": "n_clicks", "value": 1}]
        body["changedPropIds"] = [f"{json.dumps(member, separators=(',', ':'))}.n_clicks"]
        return post_callback(client, body)

    assert "cannot mark" in press(polled["action"]).get_data(as_text=True)
    auth.logout()
    auth.login("rochdale_viewer")
    assert press(polled["action"]).status_code == 403
    auth.logout()
    auth.login("rochdale_practitioner")
    done = press(polled["action"])
    assert "Marked done" in done.get_data(as_text=True)
    with db.read() as s:
        assert s.get(LnAction, polled["action"]).status == "done"


def test_lpp008_you_said_we_did_shows_the_owners_actions(client, auth, db, polled):
    auth.login("rochdale_viewer")
    dep = _dep(client, "you-said-we-did.children")
    body = callback_body(dep, {"coverage-service": "early_years"}, "coverage-service")
    text = post_callback(client, body).get_data(as_text=True)
    assert "Rochdale maps its hubs" in text and "most votes for Rochdale hubs" in text
    auth.logout()
    auth.login("hampshire_viewer")
    assert "Rochdale maps its hubs" not in post_callback(client, body).get_data(as_text=True)


def test_lpp009_participant_page_builder_and_session_page(server, db, polled):
    from auth.current import CurrentUser
    from pages._ln_poll_views import live_poll_children

    def build(key: str) -> str:
        with server.test_request_context("/"):
            login_user(CurrentUser(_user(db, key)))
            return json.dumps(
                live_poll_children(polled["step"]), cls=plotly.utils.PlotlyJSONEncoder
            )

    form = build("rochdale_practitioner")
    assert "ln-poll-vote" in form and "Change vote" in form and "ln-poll-graph" in form
    assert build("manchester_practitioner") == "[]"  # cannot read the session
    page = _layout(server, db, "rochdale_practitioner", "sessions", id=str(polled["id"]))
    assert "ln-poll-vote" in page and "ln-poll-save" not in page  # votes, does not build
    builder = _layout(server, db, "oldham_analyst", "sessions", id=str(polled["id"]))
    assert "ln-poll-save" in builder


def test_lpp010_add_action_from_the_summary(client, auth, db, polled):
    values = {
        "ln-action-add": 1,
        "ln-action-source": f"poll:{polled['step']}",
        "ln-action-text": "Share the outreach plan",
        "ln-action-owner": OLDHAM,
        "ln-action-due": "2000-01-01",
        "summary-session": polled["id"],
        "summary-names": "names",
    }
    auth.login("oldham_analyst")
    dep = _dep(client, "ln-action-message.children")
    past = post_callback(client, callback_body(dep, values, "ln-action-add"))
    assert "in the past" in past.get_data(as_text=True)
    values["ln-action-due"] = DUE.isoformat()
    saved = post_callback(client, callback_body(dep, values, "ln-action-add"))
    assert "Action added" in saved.get_data(as_text=True)
    assert "Share the outreach plan" in saved.get_data(as_text=True)
    auth.logout()
    auth.login("rochdale_analyst")  # not the session's facilitator
    refused = post_callback(client, callback_body(dep, values, "ln-action-add"))
    assert "cannot do that" in refused.get_data(as_text=True)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(LnAction)) == 2
