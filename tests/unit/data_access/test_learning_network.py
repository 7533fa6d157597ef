"""Learning Network sessions on SQLite and PostgreSQL: building, permissions, quotes by
consent, contributions as annotations, and the demo session."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import select

from data_access import learning_network as ln
from data_access.annotations import list_annotations
from data_access.demo import learning_network as demo_learning_network
from data_access.models import Annotation, AuditEvent, Observation, VoiceItem
from data_access.users import create_user, get_or_create_organisation, user_by_id

OLDHAM, ROCHDALE, MANCHESTER = "E08000004", "E08000005", "E08000003"
ORGS = (
    (OLDHAM, "Oldham", "local_authority", True, "oldham"),
    (ROCHDALE, "Rochdale", "local_authority", True, "rochdale"),
    (MANCHESTER, "Manchester", "local_authority", False, "manchester"),
    ("RESEARCH", "Research team", "research", True, "research"),
)
ROLES = ("viewer", "practitioner", "analyst", "admin")
GLD_VIEW = f"http://127.0.0.1:8050/explore?indicator=gld&area={OLDHAM}&compare=england,{ROCHDALE}"


@pytest.fixture
def people(any_db):
    ids = {}
    with any_db.write() as s:
        for code, name, kind, network, prefix in ORGS:
            org = get_or_create_organisation(s, code, name, kind, network)
            for role in ROLES:
                user = create_user(s, f"{prefix}.{role}", "not-a-hash", org, role, f"{name} {role}")
                ids[f"{prefix}_{role}"] = user.id
        # Two GLD figures for Oldham so a contribution has a period to sit on.
        for year, value in ((2023, 60.0), (2024, 62.0)):
            s.add(
                Observation(
                    indicator_id="gld",
                    area_code=OLDHAM,
                    period_label=f"{year}/{str(year + 1)[2:]}",
                    period_start=date(year, 9, 1),
                    period_end=date(year + 1, 8, 31),
                    numerator=value * 10,
                    denominator=1000,
                    value=value,
                )
            )
    with any_db.read() as s:
        return {key: user_by_id(s, uid) for key, uid in ids.items()}


def _quote(s, owner: str, scope: str, text: str = "The hub felt welcoming.") -> int:  # type: ignore[no-untyped-def]
    org = get_or_create_organisation(s, owner, owner)
    item = VoiceItem(
        text=text,
        speaker_role="parent_carer",
        age_band="adult",
        area_code=owner,
        organisation_id=org.id,
        service="early_years",
        method="interview",
        collected_on=date(2025, 5, 1),
        consent_scope=scope,
        consent_date=date(2025, 5, 1),
        review_date=date(2030, 1, 1),
        moderation_status="approved",
    )
    s.add(item)
    s.flush()
    return item.id


def _session_with_steps(db, people):  # type: ignore[no-untyped-def]
    analyst = people["oldham_analyst"]
    with db.write() as s:
        record = ln.create_session(
            s, analyst, "Spring session", "2026-03-12", [OLDHAM, ROCHDALE, "RESEARCH"]
        )
        config = ln.parse_explore_url(GLD_VIEW)
        ln.add_step(s, analyst, record.id, "text", "Welcome", {"text": "Hello all"})
        ln.add_step(s, analyst, record.id, "indicator", "", config)
        ln.add_step(s, analyst, record.id, "question", "Why?", {"text": "Why did it rise?"})
        return ln.get_session(s, analyst, record.id)


def test_ln001_parse_explore_url_reads_the_whole_view():
    view = ln.parse_explore_url(GLD_VIEW + "&breakdown=fsm&from=2019-09-01&to=2025-08-31")
    assert view == {
        "indicator": "gld",
        "area": OLDHAM,
        "compare": ["england", ROCHDALE],
        "breakdown": "fsm",
        "from": "2019-09-01",
        "to": "2025-08-31",
    }
    assert ln.parse_explore_url("?indicator=gld&area=E08000004&compare=none")["compare"] == []
    assert ln.parse_explore_url("/explore?area=E08000004") is None
    assert ln.parse_explore_url("") is None


def test_ln002_facilitator_builds_reorders_and_removes_steps(any_db, people):
    record = _session_with_steps(any_db, people)
    assert [s.kind for s in record.steps] == ["text", "indicator", "question"]
    assert [s.position for s in record.steps] == [1, 2, 3]
    # An indicator step without a title takes the indicator's title.
    assert "good level of development" in record.steps[1].title
    assert record.participants == (OLDHAM, ROCHDALE, "RESEARCH")
    assert record.held_on == date(2026, 3, 12)
    analyst = people["oldham_analyst"]
    with any_db.write() as s:
        ln.move_step(s, analyst, record.steps[2].id, -1)
        ln.move_step(s, analyst, record.steps[0].id, -1)  # already first: stays
        moved = ln.get_session(s, analyst, record.id)
        assert [st.kind for st in moved.steps] == ["text", "question", "indicator"]
        ln.remove_step(s, analyst, record.steps[0].id)
        left = ln.get_session(s, analyst, record.id)
    assert [(st.position, st.kind) for st in left.steps] == [(1, "question"), (2, "indicator")]


@pytest.mark.parametrize("key", ["oldham_viewer", "oldham_practitioner"])
def test_ln003_below_analyst_cannot_build_and_is_audited(any_db, people, key):
    with any_db.write() as s, pytest.raises(ln.SessionNotAllowed):
        ln.create_session(s, people[key], "Mine", None, [])
    with any_db.read() as s:
        denied = s.scalars(select(AuditEvent.action).where(AuditEvent.outcome == "denied")).all()
    assert "denied:session.create" in denied


def test_ln004_another_organisation_cannot_edit_but_the_network_can_read(any_db, people):
    record = _session_with_steps(any_db, people)
    with any_db.write() as s, pytest.raises(ln.SessionNotAllowed):
        ln.add_step(s, people["rochdale_analyst"], record.id, "text", "x", {"text": "y"})
    with any_db.read() as s:
        assert ln.get_session(s, people["rochdale_viewer"], record.id) is not None
        assert ln.get_session(s, people["research_viewer"], record.id) is not None
        # Manchester is not in the Learning Network: it cannot see Oldham's session.
        assert ln.get_session(s, people["manchester_admin"], record.id) is None
        assert ln.list_sessions(s, people["manchester_admin"]) == []
        assert [r.id for r in ln.list_sessions(s, people["oldham_viewer"])] == [record.id]


@pytest.mark.parametrize(
    ("kind", "config", "message"),
    [
        ("indicator", {"indicator": "no_such", "area": OLDHAM}, "indicator is not known"),
        ("indicator", {"indicator": "gld", "area": "E99999999"}, "no known area"),
        ("question", {"text": "  "}, "empty"),
        ("text", {"text": "x" * (ln.MAX_TEXT_CHARS + 1)}, "limit"),
        ("quotes", {"voice_ids": []}, "at least one quote"),
        ("chart", {}, "Choose a kind"),
    ],
)
def test_ln005_bad_steps_are_refused_with_a_reason(any_db, people, kind, config, message):
    record = _session_with_steps(any_db, people)
    with any_db.write() as s, pytest.raises(ln.SessionError, match=message):
        ln.add_step(s, people["oldham_analyst"], record.id, kind, "T", config)


def test_ln006_only_learning_network_consented_quotes_reach_a_session(any_db, people):
    record = _session_with_steps(any_db, people)
    analyst = people["oldham_analyst"]
    with any_db.write() as s:
        own = _quote(s, OLDHAM, "own_organisation", "Own organisation only text.")
        network = _quote(s, ROCHDALE, "learning_network", "Network text.")
        public = _quote(s, OLDHAM, "publication", "Public text.")
        # The analyst can see their own organisation's restricted quote in the library...
        frame = ln.session_quotes(s, analyst, [own, network, public], audit=False)
        assert list(frame["id"]) == [network, public]
        with pytest.raises(ln.SessionError, match="consent allows the Learning Network"):
            ln.add_step(s, analyst, record.id, "quotes", "Q", {"voice_ids": [own, network]})
        step = ln.add_step(s, analyst, record.id, "quotes", "Q", {"voice_ids": [public, network]})
    assert step.config == {"voice_ids": [public, network]}


def test_ln007_contributions_are_network_notes_of_the_right_kind_on_the_right_chart(any_db, people):
    record = _session_with_steps(any_db, people)
    text_step, indicator_step, question_step = record.steps
    practitioner = people["oldham_practitioner"]
    with any_db.write() as s:
        on_chart = ln.add_contribution(
            s, practitioner, record.id, indicator_step.id, "It rose after hubs opened.", ROCHDALE
        )
        on_question = ln.add_contribution(
            s, practitioner, record.id, question_step.id, "Did recording change?", None
        )
        on_text = ln.add_contribution(s, practitioner, record.id, text_step.id, "Welcome!", "")
    assert on_chart.ok and on_question.ok and on_text.ok, on_chart.message
    chart, question, text = on_chart.annotation, on_question.annotation, on_text.annotation
    kinds = (chart.kind, question.kind, text.kind)
    assert kinds == ("interpretation", "question", "interpretation")
    for note in (chart, question, text):
        assert (note.indicator, note.area_code) == ("gld", OLDHAM)
        assert note.visibility == "learning_network"
        assert set(note.tags) == {"learning-network", f"ln-session-{record.id}"}
        assert note.period_start == date(2024, 9, 1)  # the latest period shown
    assert ln.contribution_attribution(chart) == ROCHDALE
    assert ln.contribution_attribution(question) is None
    assert ln.contribution_step_id(question) == question_step.id
    with any_db.read() as s:
        ids = set(s.scalars(select(Annotation.ln_session_id)).all())
    assert ids == {record.id}


def test_ln008_contributions_follow_annotation_visibility(any_db, people):
    record = _session_with_steps(any_db, people)
    step = record.steps[1]
    with any_db.write() as s:
        ln.add_contribution(s, people["oldham_analyst"], record.id, step.id, "Seen by all.", None)
        # A note merely tagged like the session is not a contribution.
        from data_access.annotations import NewAnnotation, create_annotation

        create_annotation(
            s,
            people["oldham_analyst"],
            NewAnnotation(
                indicator="gld",
                area_code=OLDHAM,
                kind="interpretation",
                body="Tagged only.",
                visibility="learning_network",
                tags=(f"ln-session-{record.id}",),
            ),
        )
    with any_db.read() as s:
        seen_by_rochdale = ln.session_contributions(s, people["rochdale_viewer"], record.id)
        seen_by_manchester = ln.session_contributions(s, people["manchester_admin"], record.id)
    assert [n.body for n in seen_by_rochdale] == ["Seen by all."]
    assert seen_by_manchester == []


def test_ln009_contributions_are_refused_for_viewers_strangers_and_non_participants(any_db, people):
    record = _session_with_steps(any_db, people)
    step = record.steps[1]
    with any_db.write() as s:
        viewer = ln.add_contribution(s, people["oldham_viewer"], record.id, step.id, "x", None)
        stranger = ln.add_contribution(s, people["manchester_admin"], record.id, step.id, "x", None)
        outsider = ln.add_contribution(
            s, people["oldham_analyst"], record.id, step.id, "x", MANCHESTER
        )
        empty = ln.add_contribution(s, people["oldham_analyst"], record.id, step.id, " ", None)
    assert viewer.outcome == "denied"
    assert stranger.outcome == "not_found"
    assert outsider.outcome == "invalid" and "participants" in outsider.message
    assert empty.outcome == "invalid"
    with any_db.read() as s:
        assert list_annotations(s, people["oldham_analyst"]) == []


def test_ln010_a_session_without_an_indicator_step_says_why_it_cannot_capture(any_db, people):
    analyst = people["oldham_analyst"]
    with any_db.write() as s:
        record = ln.create_session(s, analyst, "Talk only", None, [OLDHAM])
        step = ln.add_step(s, analyst, record.id, "question", "Q", {"text": "Why?"})
        result = ln.add_contribution(s, analyst, record.id, step.id, "Because.", None)
    assert result.outcome == "invalid" and "indicator step" in result.message


def test_ln011_participants_must_be_known_codes(any_db, people):
    with any_db.write() as s, pytest.raises(ln.SessionError, match="No organisation"):
        ln.create_session(s, people["oldham_analyst"], "T", None, ["E99999999"])
    with any_db.write() as s, pytest.raises(ln.SessionError, match="YYYY-MM-DD"):
        ln.create_session(s, people["oldham_analyst"], "T", "12/03/2026", [])


def test_ln012_delete_keeps_contributions_as_notes(any_db, people):
    record = _session_with_steps(any_db, people)
    analyst = people["oldham_analyst"]
    with any_db.write() as s:
        ln.add_contribution(s, analyst, record.id, record.steps[1].id, "Kept.", None)
        ln.delete_session(s, analyst, record.id)
    with any_db.read() as s:
        assert ln.get_session(s, analyst, record.id) is None
        notes = list_annotations(s, analyst)
    assert [n.body for n in notes] == ["Kept."]


def test_ln013_demo_session_has_ten_steps_and_contributions(any_db, people):
    with any_db.write() as s:
        for scope, service in (
            ("learning_network", "early_years"),
            ("publication", "early_years"),
            ("learning_network", "care_leavers"),
            ("own_organisation", "care_leavers"),
        ):
            item_id = _quote(s, OLDHAM, scope, f"{service} {scope}")
            s.get(VoiceItem, item_id).service = service
        demo_learning_network.seed_demo_extra(s, None)  # type: ignore[arg-type]
    with any_db.read() as s:
        research = people["research_analyst"]
        (record,) = ln.list_sessions(s, research)
        notes = ln.session_contributions(s, research, record.id)
        quotes = [st for st in record.steps if st.kind == "quotes"]
        shown = ln.session_quotes(s, research, [i for q in quotes for i in q.config["voice_ids"]])
    assert len(record.steps) == 10
    assert len(notes) == 3
    assert set(shown["consent_scope"]) <= set(ln.LN_CONSENT_SCOPES)
    assert isinstance(shown, pd.DataFrame) and len(shown) == 3
