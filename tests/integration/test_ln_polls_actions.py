"""Polls and actions of Learning Network sessions, through the services (issue 21).

Vote rules (kinds, change of vote, closed poll, one vote set per user, other organisation
refused), result counts, anonymised results, actions (owner organisation, due date, who may
mark done, "You said, we did" and the Overview list for the owner only) and the audit rows.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from data_access import learning_network as ln
from data_access import ln_actions, ln_polls
from data_access.models import AuditEvent, LnVote
from data_access.users import user_by_username

OLDHAM, ROCHDALE, HAMPSHIRE, NORTH_YORKS = "E08000004", "E08000005", "E10000014", "E06000065"
TODAY = date(2026, 3, 12)


def _user(db, key: str):  # type: ignore[no-untyped-def]
    with db.read() as s:
        return user_by_username(s, key.replace("_", ".", 1))


@pytest.fixture
def polled(db, users):  # type: ignore[no-untyped-def]
    """An Oldham session with Oldham and Rochdale taking part: an indicator step, and a
    question step made a single-choice poll. Returns (session id, poll step id)."""
    analyst = _user(db, "oldham_analyst")
    with db.write() as s:
        record = ln.create_session(s, analyst, "Spring in Rochdale", TODAY, [OLDHAM, ROCHDALE])
        ln.add_step(s, analyst, record.id, "indicator", "", {"indicator": "gld", "area": OLDHAM})
        step = ln.add_step(
            s, analyst, record.id, "question", "Next", {"text": "Which first in Rochdale?"}
        )
        ln_polls.set_poll(s, analyst, step.id, "single", "Hubs\nOutreach\n\nhubs\nData")
    return record.id, step.id


def _vote(db, key: str, step_id: int, choices):  # type: ignore[no-untyped-def]
    with db.write() as s:
        return ln_polls.vote(s, _user(db, key), step_id, choices)


def _results(db, key: str, step_id: int, anonymised=None):  # type: ignore[no-untyped-def]
    with db.read() as s:
        return ln_polls.poll_results(s, _user(db, key), step_id, anonymised)


def test_options_are_cleaned_and_counted(db, polled):
    _, step_id = polled
    results = _results(db, "oldham_viewer", step_id)
    assert results.options == ("Hubs", "Outreach", "Data")  # blank and repeat dropped
    assert results.counts == (0, 0, 0) and results.voters == 0
    with pytest.raises(ln_polls.PollError):
        ln_polls.clean_options("Only one")
    with pytest.raises(ln_polls.PollError):
        ln_polls.clean_options([f"Option {n}" for n in range(9)])


def test_only_the_facilitator_makes_a_poll_and_only_on_a_question(db, polled):
    session_id, step_id = polled
    for key in ("rochdale_analyst", "oldham_practitioner"):
        with db.write() as s, pytest.raises(ln.SessionNotAllowed):
            ln_polls.set_poll(s, _user(db, key), step_id, "multiple", "A\nB")
    with db.read() as s:
        indicator = ln.get_session(s, _user(db, "oldham_analyst"), session_id).steps[0]
    with db.write() as s, pytest.raises(ln_polls.PollError):
        ln_polls.set_poll(s, _user(db, "oldham_analyst"), indicator.id, "single", "A\nB")
    with db.read() as s:
        denied = s.scalar(
            select(func.count()).where(
                AuditEvent.action == "denied:poll.set", AuditEvent.outcome == "denied"
            )
        )
    assert denied == 2


def test_single_choice_vote_change_and_one_set_per_user(db, polled):
    _, step_id = polled
    with pytest.raises(ln_polls.PollError):
        _vote(db, "rochdale_practitioner", step_id, [0, 1])  # two for single
    with pytest.raises(ln_polls.PollError):
        _vote(db, "rochdale_practitioner", step_id, [])
    with pytest.raises(ln_polls.PollError):
        _vote(db, "rochdale_practitioner", step_id, [7])
    assert _vote(db, "rochdale_practitioner", step_id, ["1"]) == ([1], False)
    assert _vote(db, "rochdale_practitioner", step_id, [2]) == ([2], True)
    _vote(db, "oldham_analyst", step_id, [2])
    results = _results(db, "rochdale_viewer", step_id)
    assert results.counts == (0, 0, 2) and results.voters == 2
    with db.read() as s:
        rows = s.scalar(select(func.count()).select_from(LnVote).where(LnVote.step_id == step_id))
        assert rows == 2
        assert ln_polls.my_vote(s, _user(db, "rochdale_practitioner"), step_id) == [2]


def test_multiple_and_prioritise_kinds(db, polled):
    _, step_id = polled
    analyst = _user(db, "oldham_analyst")
    with db.write() as s:
        ln_polls.set_poll(s, analyst, step_id, "multiple", "A\nB\nC\nD\nE")
    _vote(db, "rochdale_practitioner", step_id, [0, 1, 2, 3, 4])
    assert _results(db, "oldham_viewer", step_id).counts == (1, 1, 1, 1, 1)
    with db.write() as s:  # changing the kind clears votes made under the old rules
        ln_polls.set_poll(s, analyst, step_id, "prioritise", "A\nB\nC\nD\nE")
    assert _results(db, "oldham_viewer", step_id).voters == 0
    with pytest.raises(ln_polls.PollError, match="up to 3"):
        _vote(db, "rochdale_practitioner", step_id, [0, 1, 2, 3])
    _vote(db, "rochdale_practitioner", step_id, [0, 3, 4])
    _vote(db, "oldham_practitioner", step_id, [3])
    results = _results(db, "oldham_viewer", step_id)
    assert results.counts == (1, 0, 0, 2, 1) and results.voters == 2


def test_closed_poll_refuses_votes_until_reopened(db, polled):
    session_id, step_id = polled
    _vote(db, "rochdale_practitioner", step_id, [0])
    with db.read() as s:
        before = ln_polls.poll_version(s, session_id)
    with db.write() as s, pytest.raises(ln.SessionNotAllowed):
        ln_polls.close_poll(s, _user(db, "rochdale_analyst"), step_id)
    with db.write() as s:
        assert ln_polls.close_poll(s, _user(db, "oldham_analyst"), step_id).is_open is False
    with pytest.raises(ln_polls.PollError, match="closed"):
        _vote(db, "rochdale_practitioner", step_id, [1])
    assert _results(db, "oldham_viewer", step_id).counts == (1, 0, 0)
    with db.write() as s:
        ln_polls.reopen_poll(s, _user(db, "oldham_analyst"), step_id)
        assert ln_polls.poll_version(s, session_id) > before
    _vote(db, "rochdale_practitioner", step_id, [1])
    assert _results(db, "oldham_viewer", step_id).counts == (0, 1, 0)


def test_version_changes_with_each_vote(db, polled):
    session_id, step_id = polled
    with db.read() as s:
        first = ln_polls.poll_version(s, session_id)
    _vote(db, "rochdale_practitioner", step_id, [0])
    with db.read() as s:
        second = ln_polls.poll_version(s, session_id)
    _vote(db, "rochdale_practitioner", step_id, [1])
    with db.read() as s:
        assert first != second != ln_polls.poll_version(s, session_id)


@pytest.mark.parametrize(
    "key",
    [
        "hampshire_practitioner",  # in the network, can read, but not taking part
        "manchester_practitioner",  # outside the network: cannot read the session
        "rochdale_viewer",  # taking part, but viewers do not vote
    ],
)
def test_votes_from_outside_the_session_are_refused_and_audited(db, polled, key):
    _, step_id = polled
    with db.write() as s, pytest.raises(ln.SessionNotAllowed):
        ln_polls.vote(s, _user(db, key), step_id, [0])
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(LnVote)) == 0
        assert s.scalar(select(func.count()).where(AuditEvent.action == "denied:poll.vote")) == 1


def test_results_are_not_readable_outside_the_session(db, polled):
    _, step_id = polled
    assert _results(db, "manchester_analyst", step_id) is None
    assert _results(db, "hampshire_viewer", step_id) is not None  # the network reads


def test_anonymised_results_name_no_authority(db, polled):
    session_id, step_id = polled
    _vote(db, "rochdale_practitioner", step_id, [0])
    plain = _results(db, "oldham_viewer", step_id)
    assert "Rochdale" in plain.question
    results = _results(db, "oldham_viewer", step_id, anonymised=True)
    text = " ".join([results.question, results.title, *results.options])
    assert "Rochdale" not in text and "Oldham" not in text
    assert "Authority" in results.question
    assert results.counts == (1, 0, 0)


# --- actions ---------------------------------------------


def _action(db, key: str, session_id: int, owner: str, due, **source):  # type: ignore[no-untyped-def]
    with db.write() as s:
        return ln_actions.create_action(
            s, _user(db, key), session_id, "Map the hubs", owner, due, today=TODAY, **source
        )


def test_action_owner_due_date_and_source_rules(db, polled):
    session_id, step_id = polled
    with pytest.raises(ln_actions.ActionError, match="owner"):
        _action(db, "oldham_analyst", session_id, HAMPSHIRE, TODAY)  # not taking part
    with pytest.raises(ln_actions.ActionError, match="past"):
        _action(db, "oldham_analyst", session_id, ROCHDALE, TODAY - timedelta(days=1))
    with pytest.raises(ln_actions.ActionError, match="not in this session"):
        _action(
            db, "oldham_analyst", session_id, ROCHDALE, TODAY, source_kind="poll", source_id=9999
        )
    with pytest.raises(ln.SessionNotAllowed):
        _action(db, "rochdale_analyst", session_id, ROCHDALE, TODAY)  # not the facilitator
    with pytest.raises(ln.SessionNotAllowed):
        _action(db, "oldham_practitioner", session_id, ROCHDALE, TODAY)
    action = _action(
        db, "oldham_analyst", session_id, ROCHDALE, TODAY, source_kind="poll", source_id=step_id
    )
    assert action.owner_code == ROCHDALE and action.status == "open"
    own = _action(db, "oldham_analyst", session_id, OLDHAM, TODAY + timedelta(days=30))
    with db.read() as s:
        listed = ln_actions.session_actions(s, _user(db, "hampshire_viewer"), session_id)
        assert [a.id for a in listed] == [action.id, own.id]
        assert ln_actions.session_actions(s, _user(db, "manchester_admin"), session_id) == []


def test_mark_done_permissions(db, polled):
    session_id, _ = polled
    action = _action(db, "oldham_analyst", session_id, ROCHDALE, TODAY)
    for key in ("rochdale_viewer", "hampshire_admin", "oldham_practitioner"):
        with db.write() as s, pytest.raises(ln.SessionNotAllowed):
            ln_actions.mark_done(s, _user(db, key), action.id)
    with db.write() as s:
        done = ln_actions.mark_done(s, _user(db, "rochdale_practitioner"), action.id)
    assert done.status == "done" and done.done_at is not None
    second = _action(db, "oldham_analyst", session_id, ROCHDALE, TODAY)
    with db.write() as s:  # the facilitator may close it too
        assert ln_actions.mark_done(s, _user(db, "oldham_admin"), second.id).status == "done"
    with db.read() as s:
        audited = s.scalar(select(func.count()).where(AuditEvent.action == "action.done"))
        refused = s.scalar(select(func.count()).where(AuditEvent.action == "denied:action.done"))
    assert (audited, refused) == (2, 3)


def test_owner_sees_open_actions_and_you_said_we_did_other_orgs_do_not(db, polled):
    session_id, step_id = polled
    _vote(db, "rochdale_practitioner", step_id, [1])
    action = _action(
        db, "oldham_analyst", session_id, ROCHDALE, TODAY, source_kind="poll", source_id=step_id
    )
    with db.read() as s:
        rochdale = _user(db, "rochdale_viewer")
        assert [a.id for a in ln_actions.organisation_actions(s, rochdale)] == [action.id]
        assert ln_actions.organisation_actions(s, _user(db, "oldham_viewer")) == []
        assert ln_actions.organisation_actions(s, _user(db, "hampshire_viewer")) == []
        said = ln_actions.you_said_we_did_actions(s, rochdale)
        assert [a["id"] for a in said] == [action.id]
        assert "most votes for Outreach (1)" in said[0]["said"]
        assert ln_actions.you_said_we_did_actions(s, _user(db, "hampshire_admin")) == []
    with db.write() as s:  # asking for another organisation's list is refused
        other = _user(db, "oldham_viewer")
        assert ln_actions.organisation_actions(s, other, rochdale.organisation_id) == []
    with db.write() as s:
        ln_actions.mark_done(s, _user(db, "rochdale_analyst"), action.id)
    with db.read() as s:
        assert ln_actions.organisation_actions(s, _user(db, "rochdale_viewer")) == []
        still = ln_actions.you_said_we_did_actions(s, _user(db, "rochdale_viewer"))
        assert still[0]["status"] == "done"


def test_removing_the_step_or_session_removes_poll_votes_and_actions(db, polled):
    session_id, step_id = polled
    _vote(db, "rochdale_practitioner", step_id, [0])
    _action(db, "oldham_analyst", session_id, ROCHDALE, TODAY)
    analyst = _user(db, "oldham_analyst")
    with db.write() as s:
        ln.remove_step(s, analyst, step_id)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(LnVote)) == 0
        assert ln_polls.session_polls(s, analyst, session_id) == {}
    with db.write() as s:
        ln.delete_session(s, analyst, session_id)
    with db.read() as s:
        assert ln_actions.organisation_actions(s, _user(db, "rochdale_viewer")) == []
