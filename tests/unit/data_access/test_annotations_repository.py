"""Annotations repository on SQLite and PostgreSQL: writes, threads, locking, visibility."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import func, select

from data_access.annotations import (
    MAX_BODY_CHARS,
    AnnotationFilters,
    NewAnnotation,
    create_annotation,
    delete_annotation,
    edit_annotation,
    get_thread,
    list_annotations,
    moderation_queue,
    normalise_tags,
    reply_to_annotation,
    restore_annotation,
    revisions,
    set_status,
)
from data_access.models import AnnotationRevision, AuditEvent
from data_access.observations import bump_data_version, insert_observations
from data_access.users import create_user, get_or_create_organisation, user_by_id

OLDHAM, ROCHDALE, MANCHESTER = "E08000004", "E08000005", "E08000003"
ORGS = (
    (OLDHAM, "Oldham", "local_authority", True, "oldham"),
    (ROCHDALE, "Rochdale", "local_authority", True, "rochdale"),
    (MANCHESTER, "Manchester", "local_authority", False, "manchester"),
    ("RESEARCH", "Research team", "research", True, "research"),
)
ROLES = ("viewer", "practitioner", "analyst", "admin")


@pytest.fixture
def people(any_db):
    """One user per role in each organisation (no real password: these never log in)."""
    ids = {}
    with any_db.write() as s:
        for code, name, kind, network, prefix in ORGS:
            org = get_or_create_organisation(s, code, name, kind, network)
            for role in ROLES:
                user = create_user(s, f"{prefix}.{role}", "not-a-hash", org, role, f"{name} {role}")
                ids[f"{prefix}_{role}"] = user.id
    with any_db.read() as s:
        return {key: user_by_id(s, uid) for key, uid in ids.items()}


def _note(visibility: str = "organisation", **overrides) -> NewAnnotation:
    fields = dict(
        indicator="gld",
        area_code=OLDHAM,
        kind="interpretation",
        body="GLD dipped this year.",
        visibility=visibility,
        period_start=date(2024, 9, 1),
        period_end=date(2025, 8, 31),
        tags="School readiness, EYFSP",
        view_state={"comparators": ["E92000001"], "period_label": "2024/25"},
    )
    fields.update(overrides)
    return NewAnnotation(**fields)


def _create(db, user, **kwargs):
    with db.write() as s:
        result = create_annotation(s, user, _note(**kwargs))
    assert result.ok, result.message
    return result.annotation


def _gld_row(value: float) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "indicator": "gld",
                "area_code": OLDHAM,
                "period_label": "2024/25",
                "period_start": date(2024, 9, 1),
                "period_end": date(2025, 8, 31),
                "breakdown": "total",
                "breakdown_value": "total",
                "numerator": None,
                "denominator": None,
                "value": value,
                "lower_ci": None,
                "upper_ci": None,
                "status": None,
            }
        ]
    )


def test_ann001_create_stores_view_seen_value_tags_and_audit(any_db, people):
    with any_db.write() as s:
        insert_observations(s, _gld_row(63.1))
    note = _create(any_db, people["oldham_practitioner"])
    assert note.body == "GLD dipped this year."
    assert note.tags == ("school-readiness", "eyfsp")
    assert note.seen_value == pytest.approx(63.1)
    assert note.data_version == 1
    assert note.view_state["comparators"] == ["E92000001"]
    assert note.status == "open" and note.version == 1
    assert note.organisation_code == OLDHAM and note.author == "Oldham practitioner"
    with any_db.read() as s:
        actions = s.scalars(select(AuditEvent.action)).all()
    assert "annotation.create" in actions


@pytest.mark.parametrize(
    "body, message",
    [
        ("", "empty"),
        ("   \n\t  ", "empty"),
        ("x" * (MAX_BODY_CHARS + 1), "limit is 4,000"),
    ],
)
def test_ann002_empty_and_too_long_text_refused_with_a_clear_message(any_db, people, body, message):
    with any_db.write() as s:
        result = create_annotation(s, people["oldham_practitioner"], _note(body=body))
    assert result.outcome == "invalid"
    assert message in result.message
    with any_db.read() as s:
        assert list_annotations(s, people["oldham_practitioner"]) == []


def test_ann003_exactly_the_limit_is_accepted_and_control_characters_dropped(any_db, people):
    note = _create(
        any_db, people["oldham_practitioner"], body="a\x00b" + "c" * (MAX_BODY_CHARS - 2)
    )
    assert len(note.body) == MAX_BODY_CHARS
    assert "\x00" not in note.body


def test_ann004_viewer_cannot_write_and_refusal_is_audited(any_db, people):
    with any_db.write() as s:
        result = create_annotation(s, people["oldham_viewer"], _note())
    assert result.outcome == "denied"
    with any_db.read() as s:
        assert (
            s.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "denied:annotation.create")
            )
            == 1
        )
        assert list_annotations(s, people["oldham_analyst"]) == []


def test_ann005_learning_network_visibility_needs_a_network_organisation(any_db, people):
    with any_db.write() as s:
        result = create_annotation(s, people["manchester_practitioner"], _note("learning_network"))
    assert result.outcome == "invalid"
    assert "Learning Network" in result.message


def test_ann006_replies_join_the_thread_and_inherit_its_visibility(any_db, people):
    root = _create(any_db, people["oldham_analyst"], visibility="learning_network")
    with any_db.write() as s:
        first = reply_to_annotation(s, people["rochdale_practitioner"], root.id, "Same here.")
        # A reply to a reply is added to the same thread.
        second = reply_to_annotation(s, people["oldham_analyst"], first.annotation.id, "Thanks")
    assert first.ok and second.ok
    assert second.annotation.parent_id == root.id
    with any_db.read() as s:
        thread = get_thread(s, people["research_viewer"], root.id)
    assert [r.body for r in thread.replies] == ["Same here.", "Thanks"]
    assert thread.replies[0].organisation_code == ROCHDALE
    assert thread.replies[0].visibility == "learning_network"


def test_ann007_edit_keeps_history_and_bumps_version(any_db, people):
    author = people["oldham_practitioner"]
    note = _create(any_db, author)
    with any_db.write() as s:
        result = edit_annotation(s, author, note.id, "Revised text", expected_version=1, tags="a b")
    assert result.ok
    assert result.annotation.body == "Revised text"
    assert result.annotation.version == 2
    assert result.annotation.tags == ("a-b",)
    assert result.annotation.edited
    with any_db.read() as s:
        history = revisions(s, author, note.id)
    assert history == [
        {
            "version": 1,
            "body": "GLD dipped this year.",
            "edited_at": history[0]["edited_at"],
            "conflict": False,
        }
    ]


def test_ann008_stale_edit_is_a_conflict_carrying_both_texts(any_db, people):
    author = people["oldham_practitioner"]
    note = _create(any_db, author)
    with any_db.write() as s:
        assert edit_annotation(s, author, note.id, "First save", expected_version=1).ok
    with any_db.write() as s:
        result = edit_annotation(s, author, note.id, "Second save, from an old tab", 1)
    assert result.outcome == "conflict"
    assert "Someone else saved" in result.message
    assert result.conflict.your_text == "Second save, from an old tab"
    assert result.conflict.current_text == "First save"
    assert result.conflict.current_version == 2
    with any_db.read() as s:
        kept = (
            s.execute(select(AnnotationRevision.body).where(AnnotationRevision.conflict.is_(True)))
            .scalars()
            .all()
        )
        assert kept == ["Second save, from an old tab"]
        assert get_thread(s, author, note.id).body == "First save"
        outcomes = (
            s.execute(select(AuditEvent.outcome).where(AuditEvent.action == "annotation.edit"))
            .scalars()
            .all()
        )
    assert sorted(outcomes) == ["conflict", "success"]


def test_ann009_only_the_author_edits(any_db, people):
    note = _create(any_db, people["oldham_practitioner"])
    for key in ("oldham_analyst", "oldham_admin", "oldham_viewer"):
        with any_db.write() as s:
            result = edit_annotation(s, people[key], note.id, "Not mine", 1)
        assert result.outcome == "denied", key
    with any_db.read() as s:
        assert get_thread(s, people["oldham_viewer"], note.id).body == "GLD dipped this year."


def test_ann010_resolve_and_reopen_by_the_organisation_not_by_others(any_db, people):
    note = _create(
        any_db, people["oldham_practitioner"], kind="question", visibility="learning_network"
    )
    with any_db.write() as s:
        refused = set_status(s, people["rochdale_admin"], note.id, "resolved")
        resolved = set_status(s, people["oldham_analyst"], note.id, "resolved")
    assert refused.outcome == "denied"
    assert resolved.ok and resolved.annotation.status == "resolved"
    with any_db.write() as s:
        reopened = set_status(s, people["oldham_practitioner"], note.id, "open")
    assert reopened.annotation.status == "open"
    with any_db.read() as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.outcome == "success")).all()
    assert {"annotation.resolve", "annotation.reopen"} <= set(actions)


def test_ann011_soft_delete_hides_but_keeps_the_row_and_moderator_restores(any_db, people):
    note = _create(any_db, people["oldham_practitioner"])
    with any_db.write() as s:
        refused = delete_annotation(s, people["rochdale_admin"], note.id)
        deleted = delete_annotation(s, people["oldham_practitioner"], note.id)
    assert refused.outcome == "not_found"  # another organisation cannot even see it
    assert deleted.ok
    with any_db.read() as s:
        assert list_annotations(s, people["oldham_practitioner"]) == []
        assert get_thread(s, people["oldham_admin"], note.id) is None
    with any_db.write() as s:
        assert restore_annotation(s, people["rochdale_admin"], note.id).outcome == "denied"
        assert restore_annotation(s, people["oldham_analyst"], note.id).ok
    with any_db.read() as s:
        assert [r.id for r in list_annotations(s, people["oldham_viewer"])] == [note.id]
        actions = s.scalars(select(AuditEvent.action)).all()
    assert "annotation.delete" in actions and "annotation.moderate" in actions


def test_ann011b_moderators_list_their_organisations_hidden_notes_only(any_db, people):
    shared = _create(any_db, people["oldham_practitioner"], body="Hidden <b>shared</b> note")
    private = _create(any_db, people["oldham_practitioner"], visibility="private")
    live = _create(any_db, people["oldham_practitioner"], body="Still shown")
    theirs = _create(any_db, people["rochdale_practitioner"], area_code=ROCHDALE)
    with any_db.write() as s:
        for note, user in (
            (shared, "oldham_analyst"),
            (private, "oldham_practitioner"),
            (theirs, "rochdale_analyst"),
        ):
            assert delete_annotation(s, people[user], note.id).ok
    with any_db.read() as s:
        hidden = moderation_queue(s, people["oldham_analyst"])
        assert moderation_queue(s, people["oldham_admin"])[0].id == shared.id
        assert moderation_queue(s, people["oldham_practitioner"]) == []
        assert moderation_queue(s, people["oldham_viewer"]) == []
    assert [n.id for n in hidden] == [shared.id]  # not private, not live, not Rochdale's
    assert hidden[0].body == "Hidden <b>shared</b> note" and hidden[0].deleted_at is not None
    assert hidden[0].author == "Oldham practitioner"
    with any_db.write() as s:
        # Another member's private note stays with its author; a live note is not hidden.
        assert restore_annotation(s, people["oldham_analyst"], private.id).outcome == "denied"
        assert restore_annotation(s, people["oldham_analyst"], live.id).outcome == "invalid"
        assert restore_annotation(s, people["oldham_practitioner"], shared.id).outcome == "denied"
        assert restore_annotation(s, people["oldham_admin"], shared.id).ok
    with any_db.read() as s:
        assert moderation_queue(s, people["oldham_analyst"]) == []
        assert shared.id in [r.id for r in list_annotations(s, people["oldham_viewer"])]


def test_ann012_moderator_deletes_another_members_note_in_own_organisation_only(any_db, people):
    note = _create(any_db, people["oldham_practitioner"], visibility="learning_network")
    with any_db.write() as s:
        other_practitioner = delete_annotation(
            s,
            people["oldham_practitioner"].__class__(
                **{
                    **people["oldham_practitioner"].__dict__,
                    "id": people["oldham_admin"].id,
                    "role": "practitioner",
                }
            ),
            note.id,
        )
        outsider = delete_annotation(s, people["rochdale_analyst"], note.id)
        moderator = delete_annotation(s, people["oldham_analyst"], note.id)
    assert other_practitioner.outcome == "denied"
    assert outsider.outcome == "denied"
    assert moderator.ok


# --- the visibility matrix -----------------------------------------------------------------

READERS = [f"{prefix}_{role}" for *_, prefix in ORGS for role in ROLES]


def _expected_readers(visibility: str) -> set[str]:
    if visibility == "private":
        return {"oldham_practitioner"}
    oldham = {f"oldham_{role}" for role in ROLES}
    if visibility == "organisation":
        return oldham
    network = {f"{p}_{role}" for p in ("rochdale", "research") for role in ROLES}
    return oldham | network


@pytest.mark.parametrize("visibility", ["private", "organisation", "learning_network"])
def test_ann013_visibility_matrix_for_every_organisation_and_role(any_db, people, visibility):
    note = _create(any_db, people["oldham_practitioner"], visibility=visibility)
    seen = set()
    with any_db.read() as s:
        for key in READERS:
            listed = [r.id for r in list_annotations(s, people[key])]
            single = get_thread(s, people[key], note.id)
            assert (single is not None) == (note.id in listed), key
            if listed:
                seen.add(key)
    assert seen == _expected_readers(visibility)


def test_ann014_outsiders_cannot_reply_edit_resolve_or_delete_a_private_note(any_db, people):
    note = _create(any_db, people["oldham_practitioner"], visibility="private")
    with any_db.write() as s:
        outcomes = [
            reply_to_annotation(s, people["oldham_admin"], note.id, "hi").outcome,
            reply_to_annotation(s, people["rochdale_admin"], note.id, "hi").outcome,
            edit_annotation(s, people["manchester_admin"], note.id, "x", 1).outcome,
            set_status(s, people["oldham_analyst"], note.id, "resolved").outcome,
            delete_annotation(s, people["oldham_admin"], note.id).outcome,
        ]
    assert outcomes == ["not_found"] * 5
    with any_db.read() as s:
        thread = get_thread(s, people["oldham_practitioner"], note.id)
    assert thread.replies == () and thread.status == "open" and thread.body == note.body


def test_ann015_network_note_hidden_when_author_organisation_leaves_the_network(any_db, people):
    note = _create(any_db, people["rochdale_practitioner"], visibility="learning_network")
    from data_access.models import Organisation

    with any_db.write() as s:
        org = s.scalar(select(Organisation).where(Organisation.code == ROCHDALE))
        org.in_learning_network = False
    with any_db.read() as s:
        assert get_thread(s, people["oldham_viewer"], note.id) is None
        assert get_thread(s, people["rochdale_viewer"], note.id) is not None


def test_ann016_filters_and_open_questions_first(any_db, people):
    author = people["oldham_practitioner"]
    _create(any_db, author, body="older interpretation")
    question = _create(any_db, author, kind="question", body="why?", tags="why")
    _create(any_db, author, indicator="eh_assessments_timely", body="newest", tags="")
    resolved_q = _create(any_db, author, kind="question", body="answered")
    with any_db.write() as s:
        set_status(s, author, resolved_q.id, "resolved")
    with any_db.read() as s:
        everything = list_annotations(s, author)
        assert everything[0].id == question.id
        assert [r.kind for r in everything[1:]].count("question") == 1
        assert [r.id for r in list_annotations(s, author, AnnotationFilters(tag="WHY"))] == [
            question.id
        ]
        early_help = list_annotations(s, author, AnnotationFilters(theme="early_help"))
        assert [r.body for r in early_help] == ["newest"]
        assert len(list_annotations(s, author, AnnotationFilters(status="resolved"))) == 1
        assert len(list_annotations(s, author, AnnotationFilters(kind="question"))) == 2
        today = date.today()
        assert len(list_annotations(s, author, AnnotationFilters(written_from=today))) == 4
        assert list_annotations(s, author, AnnotationFilters(written_to=date(2000, 1, 1))) == []
        assert len(list_annotations(s, author, limit=2)) == 2
        assert len(list_annotations(s, author, limit=2, offset=3)) == 1


def test_ann017_note_says_when_the_figure_changed_after_it_was_written(any_db, people):
    with any_db.write() as s:
        insert_observations(s, _gld_row(63.1))
    note = _create(any_db, people["oldham_practitioner"])
    with any_db.read() as s:
        assert get_thread(s, people["oldham_viewer"], note.id).data_changed is False
    # A re-import revises the figure: the observation carries a newer data version.
    from sqlalchemy import update

    from data_access.models import Observation

    with any_db.write() as s:
        version = bump_data_version(s)
        s.execute(update(Observation).values(value=64.0, data_version=version))
    with any_db.read() as s:
        thread = get_thread(s, people["oldham_viewer"], note.id)
    assert thread.data_changed is True
    assert thread.current_value == pytest.approx(64.0)
    assert thread.seen_value == pytest.approx(63.1)


def test_ann018_tags_are_normalised():
    assert normalise_tags(" Family Hubs, family-hubs,<script>, ,x") == (
        "family-hubs",
        "script",
        "x",
    )
    assert len(normalise_tags([str(i) for i in range(20)])) == 8
