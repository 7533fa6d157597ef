"""The authorisation matrix, generated from the permission table (auth.permissions.PERMISSIONS)
and Dash's callback registry.

1. Roles: every guarded callback is driven through the real callback route by every role of
   two organisations; a role below the action's minimum is refused (403), a role at or
   above it is not.
2. Objects: every callback that writes (an action other than a read) must name where its
   object-level check lives (organisation and object, on the server) in OBJECT_CHECKS, or
   say in WRITES_NO_OBJECT why it touches no organisation's object. A new write callback
   fails here until its object-level check is named; the named check must exist.
3. Objects of both organisations: each callback of OBJECT_CHECKS whose inputs name an
   object has a scenario (OBJECT_SCENARIOS) that makes one such object for each of two
   organisations; Oldham's user drives the callback through the callback route at
   Rochdale's object (refused, the object unchanged in the database) and at its own
   (done). The rest say where their objects are driven (OBJECT_CHECKS_ELSEWHERE: imports
   in test_security_import_ownership, moderation and codebook in
   test_security_codebook_moderation, sessions in test_sessions) or that their inputs
   name no object; a callback of OBJECT_CHECKS in neither list fails.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from security_helpers import (
    callback_body,
    csrf_headers,
    find_callback,
    login_as,
    permission_marker,
    post_callback,
)

from auth.permissions import PERMISSIONS
from rules.roles import ROLE_RANK

READ_ACTIONS = {"read", "data.export", "audit.read"}
ORGANISATIONS = ("oldham", "rochdale")
ROLES = ("viewer", "practitioner", "analyst", "admin")

# Write callback -> "module:function" that checks organisation and object on the server.
OBJECT_CHECKS = {
    "receive_upload": "data_access.importing.jobs:take_upload",
    "check_file": "data_access.importing.jobs:job_folder",
    "commit_import": "rules.ownership:may_write_figure",
    "restore_job": "data_access.importing.jobs:job_folder",
    "download_report": "data_access.importing.jobs:job_folder",
    "roll_back": "data_access.importing.commit:rollback_batch",
    "choose_saved_mapping": "data_access.importing.mappings:load_mapping",
    "save_mapping_clicked": "data_access.importing.mappings:save_mapping",
    "save_note": "data_access.annotations:create_annotation",
    "show_thread": "data_access.annotations:get_thread",
    "save_reply": "data_access.annotations:reply_to_annotation",
    "link_quote": "data_access.voice.note_links:link_quote_to_note",
    "save_edit": "data_access.annotations:edit_annotation",
    "toggle_resolved": "data_access.annotations:set_status",
    "delete_note": "data_access.annotations:delete_annotation",
    "restore_note": "data_access.annotations:restore_annotation",
    "refresh_notes": "data_access.annotations:visibility_clause",
    "fill_panel_slots": "data_access.annotations:visibility_clause",
    "create_new_session": "data_access.learning_network:create_session",
    "change_agenda": "data_access.learning_network:_editable",
    "save_details": "data_access.learning_network:_editable",
    "save_contribution": "data_access.ln_anonymity:add_contribution",
    "show_step": "data_access.learning_network:get_session",
    "control_live": "data_access.live:_facilitated",
    "send_contribution": "data_access.live:contribute",
    "show_users": "data_access.users:list_users",
    "create_user": "auth.admin:create_account",
    "change_user": "auth.admin:ensure_same_organisation",
    "moderate": "data_access.voice.writes:_moderated_item",
    "import_csv": "rules.ownership:owns_area",
    "pick_theme": "data_access.voice:list_themes",
    "change_theme": "data_access.codebook_owners:theme_change_allowed",
    "change_hide_setting": "data_access.voice.guards:_require_role",
    "show_tab": "data_access.voice:visible_voice_items",
    "save_cost": "data_access.journeys:save_unit_cost",
    "remove_cost": "data_access.journeys:delete_unit_cost",
    "show_scatter": "data_access.journeys:unit_costs_frame",
    "save_quote": "data_access.voice:create_voice_item",
    # The information page acts only on the signed-in admin's own organisation.
    "save_contact": "data_access.public_info:set_public_contact",
    "save_lawful_bases": "data_access.processing_record:set_lawful_bases",
    "publish_public_page": "data_access.ethics_check:record_ethics_check",
    "download_record": "data_access.processing_record:processing_record",
    "watch_job": "data_access.importing.jobs:owns",
    "save_poll": "data_access.learning_network:_editable",
    "open_or_close_poll": "data_access.learning_network:_editable",
    "cast_vote": "data_access.ln_polls:may_vote",
    "add_action": "data_access.learning_network:_editable",
    "mark_action_done": "data_access.ln_actions:may_mark_done",
}
# Write-marked callbacks that touch no organisation's object, and why.
WRITES_NO_OBJECT = {
    "download_template": "the blank template is the same for everyone",
}


def _name(function) -> str:  # type: ignore[no-untyped-def]
    while getattr(function, "__wrapped__", None) is not None:
        function = function.__wrapped__
    return function.__name__


def _guarded(registered_callbacks):  # type: ignore[no-untyped-def]
    out = []
    for callback in registered_callbacks:
        marker = permission_marker(callback.function)
        if marker and marker[0] == "action":
            out.append((callback, marker[1]))
    return out


def test_mtx001_every_write_callback_names_its_object_level_check(registered_callbacks):
    writes = {
        _name(c.function)
        for c, action in _guarded(registered_callbacks)
        if action not in READ_ACTIONS
    }
    unnamed = sorted(writes - set(OBJECT_CHECKS) - set(WRITES_NO_OBJECT))
    assert unnamed == [], f"write callbacks without a named object-level check: {unnamed}"
    for target in OBJECT_CHECKS.values():
        module, _, function = target.partition(":")
        assert hasattr(importlib.import_module(module), function), target


@pytest.mark.parametrize("organisation", ORGANISATIONS)
def test_mtx002_every_guarded_callback_refuses_roles_below_its_minimum(
    app, server, users, registered_callbacks, organisation
):
    guarded = _guarded(registered_callbacks)
    assert guarded, "the registry walk found no guarded callback"
    failures = []
    for role in ROLES:
        client = server.test_client()
        login_as(client, users, f"{organisation}_{role}")
        headers = csrf_headers(client)
        for callback, action in guarded:
            try:
                status = post_callback(client, callback_body(callback), headers).status_code
            except Exception:  # past the guard, the callback failed on empty inputs
                status = 500
            below = ROLE_RANK[role] < ROLE_RANK[PERMISSIONS[action]]
            if callback.entry.get("background") and status == 200:
                continue  # a job: its guard runs in the job (see mtx003)
            if below and status != 403:
                failures.append(f"{role} got {status} from {_name(callback.function)}")
            if not below and status in (401, 403):
                failures.append(f"{role} refused by {_name(callback.function)} ({action})")
    assert failures == []


@pytest.mark.parametrize("role", ["viewer", "practitioner"])
def test_mtx003_background_jobs_refuse_roles_below_their_minimum(server, users, role):
    """Background callbacks (the import's check and commit) run their guard in the job:
    called as the job calls them, inside the caller's request, they refuse low roles."""
    from flask_login import login_user

    from auth.current import CurrentUser
    from auth.permissions import PermissionDenied
    from data_access.db import get_database
    from data_access.users import user_with_hash
    from pages import _import_jobs as page

    with server.test_request_context("/"), get_database().read() as session:
        record, _ = user_with_hash(session, users[f"oldham_{role}"].username)
        login_user(CurrentUser(record))
        job = {"token": "0" * 32}
        with pytest.raises(PermissionDenied):
            page.check_file(lambda _p: None, 1, job, "", "template")
        with pytest.raises(PermissionDenied):
            page.commit_import(lambda _p: None, 1, job, "valid_only")


# --- 3. Objects of both organisations -------------------------------------------------------
#
# For each write callback whose inputs name an object, a scenario makes one such object for
# each organisation, says which inputs point the callback at it and reads the object's state.
# Oldham's user then drives the callback through the real callback route at Rochdale's object
# (refused: 403 or a refusal, the object unchanged in the database) and at Oldham's own
# (allowed: the object changed). mtx004 fails when a callback of OBJECT_CHECKS has neither a
# scenario nor a reason in OBJECT_CHECKS_ELSEWHERE.

OWN, OTHER = "oldham", "rochdale"


def _user(db, key: str, users):  # type: ignore[no-untyped-def]
    from data_access.users import user_by_username

    with db.read() as s:
        return user_by_username(s, users[key].username)


def _note(db, users, prefix: str) -> int:  # type: ignore[no-untyped-def]
    from datetime import date

    from data_access.annotations import NewAnnotation, create_annotation

    author = _user(db, f"{prefix}_practitioner", users)
    with db.write() as s:
        result = create_annotation(
            s,
            author,
            NewAnnotation(
                indicator="gld",
                area_code=author.organisation_code,
                kind="question",
                body=f"A note of {prefix}",
                visibility="organisation",
                period_start=date(2024, 9, 1),
                period_end=date(2025, 8, 31),
            ),
        )
        return result.annotation.id


def _note_state(db, note_id: int) -> tuple:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from data_access.models import Annotation

    with db.read() as s:
        note = s.get(Annotation, note_id)
        replies = s.scalar(
            select(func.count()).select_from(Annotation).where(Annotation.parent_id == note_id)
        )
        return (note.body, note.status, note.version, note.deleted_at is not None, replies)


def _hidden_note(db, users, prefix: str) -> int:  # type: ignore[no-untyped-def]
    from data_access.annotations import delete_annotation

    note_id = _note(db, users, prefix)
    with db.write() as s:
        assert delete_annotation(s, _user(db, f"{prefix}_practitioner", users), note_id).ok
    return note_id


def _cost(db, users, prefix: str) -> int:  # type: ignore[no-untyped-def]
    from data_access.models import UnitCost

    owner = _user(db, f"{prefix}_analyst", users)
    with db.write() as s:
        row = UnitCost(
            organisation_id=owner.organisation_id,
            item="family_support_hour",
            description="An hour of family support",
            cost_gbp=40.0,
            price_year="2024-25",
            source="Local finance team",
        )
        s.add(row)
        s.flush()
        return row.id


def _cost_state(db, cost_id: int) -> tuple:  # type: ignore[no-untyped-def]
    from data_access.models import UnitCost

    with db.read() as s:
        return (s.get(UnitCost, cost_id) is not None,)


def _account(db, users, prefix: str) -> int:  # type: ignore[no-untyped-def]
    return _user(db, f"{prefix}_viewer", users).id


def _account_state(db, user_id: int) -> tuple:  # type: ignore[no-untyped-def]
    from data_access.users import user_by_id

    with db.read() as s:
        record = user_by_id(s, user_id)
        return (record.active, record.role, record.session_version)


def _theme(db, users, prefix: str) -> str:  # type: ignore[no-untyped-def]
    from data_access.voice.codebook import save_theme

    with db.write() as s:
        return save_theme(s, _user(db, f"{prefix}_analyst", users), f"Matrix theme {prefix}").id


def _theme_state(db, theme_id: str) -> tuple:  # type: ignore[no-untyped-def]
    from data_access.models import VoiceTheme

    with db.read() as s:
        return (s.get(VoiceTheme, theme_id) is not None,)


def _quote(db, users, prefix: str) -> int:  # type: ignore[no-untyped-def]
    from datetime import date

    from data_access.models import VoiceItem

    owner = _user(db, f"{prefix}_practitioner", users)
    with db.write() as s:
        item = VoiceItem(
            text="Coming to the group every week has helped us both.",
            speaker_role="parent_carer",
            area_code=owner.organisation_code,
            organisation_id=owner.organisation_id,
            service="early_years",
            method="survey",
            collected_on=date(2025, 6, 1),
            consent_scope="own_organisation",
            consent_date=date(2025, 6, 1),
            review_date=date(2030, 1, 1),
            moderation_status="pending",
            deidentified=True,
            entered_by=owner.id,
        )
        s.add(item)
        s.flush()
        return item.id


def _quote_state(db, item_id: int) -> tuple:  # type: ignore[no-untyped-def]
    from data_access.models import VoiceItem

    with db.read() as s:
        return (s.get(VoiceItem, item_id).moderation_status,)


def _ln_session(db, users, prefix: str) -> int:  # type: ignore[no-untyped-def]
    from datetime import date

    from data_access import learning_network as ln

    analyst = _user(db, f"{prefix}_analyst", users)
    with db.write() as s:
        return ln.create_session(
            s, analyst, f"Session of {prefix}", date(2026, 3, 12), [analyst.organisation_code]
        ).id


def _live_state(db, session_id: int) -> tuple:  # type: ignore[no-untyped-def]
    from data_access.models import LnLive

    with db.read() as s:
        row = s.get(LnLive, session_id)
        return (row is not None, row is not None and row.ended_at is not None)


def _ln_state(db, session_id: int) -> tuple:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from data_access.models import LnSession, LnStep

    with db.read() as s:
        steps = s.scalar(
            select(func.count()).select_from(LnStep).where(LnStep.session_id == session_id)
        )
        return (s.get(LnSession, session_id).title, steps)


def _ln_question(db, users, prefix: str) -> int:  # type: ignore[no-untyped-def]
    """A question step of the organisation's own session (its organisation taking part)."""
    from data_access import learning_network as ln

    analyst = _user(db, f"{prefix}_analyst", users)
    session_id = _ln_session(db, users, prefix)
    with db.write() as s:
        return ln.add_step(s, analyst, session_id, "question", "Poll", {"text": "Which?"}).id


def _ln_poll(db, users, prefix: str) -> int:  # type: ignore[no-untyped-def]
    from data_access import ln_polls

    step_id = _ln_question(db, users, prefix)
    with db.write() as s:
        ln_polls.set_poll(s, _user(db, f"{prefix}_analyst", users), step_id, "single", "A\nB")
    return step_id


def _poll_state(db, step_id: int) -> tuple:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from data_access.models import LnPoll, LnVote

    with db.read() as s:
        poll = s.get(LnPoll, step_id)
        votes = s.scalar(select(func.count()).where(LnVote.step_id == step_id))
        return (poll is not None, poll.is_open if poll else None, votes)


def _ln_action(db, users, prefix: str) -> int:  # type: ignore[no-untyped-def]
    from datetime import date

    from data_access import ln_actions

    analyst = _user(db, f"{prefix}_analyst", users)
    session_id = _ln_session(db, users, prefix)
    with db.write() as s:
        return ln_actions.create_action(
            s, analyst, session_id, "Map the hubs", analyst.organisation_code, date(2099, 1, 1)
        ).id


def _action_state(db, action_id: int) -> tuple:  # type: ignore[no-untyped-def]
    from data_access.models import LnAction

    with db.read() as s:
        return (s.get(LnAction, action_id).status,)


def _session_actions_state(db, session_id: int) -> tuple:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from data_access.models import LnAction

    with db.read() as s:
        return (s.scalar(select(func.count()).where(LnAction.session_id == session_id)),)


def _stringify(component_id: object) -> str:
    import json

    if isinstance(component_id, dict):
        return json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return str(component_id)


def _slot_name(slot_id: object) -> str:
    return str(slot_id.get("type")) if isinstance(slot_id, dict) else str(slot_id)


def _object_body(callback, values: dict, trigger: str):  # type: ignore[no-untyped-def]
    """The callback's body with inputs and states filled by component name ("type" for
    pattern ids: ``{"note-thread-id.data": 5}``), the ``trigger`` as the changed input.
    A trigger ``"name[index].prop"`` presses one button of an ALL pattern."""
    body = callback_body(callback)
    trigger_name, _, trigger_prop = trigger.partition(".")
    index = None
    if "[" in trigger_name:
        trigger_name, _, rest = trigger_name.partition("[")
        index = int(rest.rstrip("]"))
    changed = None
    for position, slot in enumerate(body["inputs"] + body["state"]):
        if isinstance(slot, list):  # an ALL pattern: one member, the button pressed
            spec = (callback.entry.get("inputs", []) + callback.entry.get("state", []))[position]
            pattern = json.loads(spec["id"])
            if pattern.get("type") == trigger_name and index is not None:
                member = {"type": trigger_name, "index": index}
                slot.append({"id": member, "property": spec["property"], "value": 1})
                changed = f"{_stringify(member)}.{spec['property']}"
            continue
        name = f"{_slot_name(slot['id'])}.{slot['property']}"
        if name in values:
            slot["value"] = values[name]
        if name == trigger:
            slot["value"] = values.get(name, 1)
            changed = f"{_stringify(slot['id'])}.{slot['property']}"
    assert changed is not None, f"no input {trigger} on {_name(callback.function)}"
    body["changedPropIds"] = [changed]
    return body


@dataclass(frozen=True)
class ObjectScenario:
    """A write: ``state`` must not change for another organisation's object and must for
    one's own. A read (``shows`` given): the answer must not hold the text that shows the
    other organisation's object, and must hold one's own."""

    actor: str  # the role of Oldham's user who acts
    make: Callable[..., Any]  # (db, users, prefix) -> object id
    state: Callable[..., tuple] | None  # (db, object id) -> what must not change
    values: Callable[[Any], dict]  # object id -> inputs and states
    trigger: str
    shows: Callable[[str], str] | None = None  # prefix -> the text that shows the object


def _mapping(db, users, prefix: str) -> int:  # type: ignore[no-untyped-def]
    from data_access.importing.mappings import save_mapping

    owner = _user(db, f"{prefix}_analyst", users)
    with db.write() as s:
        return save_mapping(
            s,
            f"Mapping of {prefix}",
            "ees",
            {"marker": f"mapping-of-{prefix}"},
            organisation_id=owner.organisation_id,
            created_by=owner.username,
        )


def _note_scenario(trigger: str, **extra: Any) -> ObjectScenario:
    return ObjectScenario(
        "practitioner",
        _note,
        _note_state,
        lambda i: {"note-thread-id.data": i, **extra, "note-thread-version.data": 1},
        trigger,
    )


OBJECT_SCENARIOS: dict[str, ObjectScenario] = {
    "save_reply": _note_scenario("note-reply-save.n_clicks", **{"note-reply-text.value": "Yes."}),
    "save_edit": _note_scenario("note-edit-save.n_clicks", **{"note-edit-text.value": "Edited"}),
    "toggle_resolved": _note_scenario("note-resolve.n_clicks"),
    "delete_note": _note_scenario("note-delete.n_clicks"),
    "restore_note": ObjectScenario(
        "analyst", _hidden_note, _note_state, lambda i: {}, "discussion-restore[{id}].n_clicks"
    ),
    "show_thread": ObjectScenario(
        "viewer",
        _note,
        None,
        lambda i: {"note-open.data": i},
        "note-open.data",
        shows=lambda prefix: f"A note of {prefix}",
    ),
    "choose_saved_mapping": ObjectScenario(
        "analyst",
        _mapping,
        None,
        lambda i: {"imp-saved-mapping.value": str(i)},
        "imp-saved-mapping.value",
        shows=lambda prefix: f"mapping-of-{prefix}",
    ),
    "remove_cost": ObjectScenario(
        "analyst",
        _cost,
        _cost_state,
        lambda i: {"cost-remove-item.value": i},
        "cost-remove.n_clicks",
    ),
    "change_user": ObjectScenario(
        "admin",
        _account,
        _account_state,
        lambda i: {"admin-target.value": i, "admin-role.value": "analyst"},
        "admin-deactivate.n_clicks",
    ),
    "change_theme": ObjectScenario(
        "analyst",
        _theme,
        _theme_state,
        lambda i: {"voice-theme-pick.value": i},
        "voice-theme-delete.n_clicks",
    ),
    "moderate": ObjectScenario(
        "analyst", _quote, _quote_state, lambda i: {}, "voice-mod-approve[{id}].n_clicks"
    ),
    "save_details": ObjectScenario(
        "analyst",
        _ln_session,
        _ln_state,
        lambda i: {
            "ln-session-id.data": i,
            "ln-edit-title.value": "Renamed",
            "ln-edit-date.value": "2026-03-12",
            "ln-edit-participants.value": ["E08000004", "E08000005"],
            "ln-edit-anonymised.value": [],
        },
        "ln-edit-save.n_clicks",
    ),
    "change_agenda": ObjectScenario(
        "analyst",
        _ln_session,
        _ln_state,
        lambda i: {
            "ln-session-id.data": i,
            "ln-step-kind.value": "question",
            "ln-step-title.value": "What changed?",
            "ln-step-text.value": "What changed in the cohort?",
        },
        "ln-step-add.n_clicks",
    ),
    "save_poll": ObjectScenario(
        "analyst",
        _ln_question,
        _poll_state,
        lambda i: {
            "ln-poll-step-pick.value": i,
            "ln-poll-kind.value": "single",
            "ln-poll-options.value": "Hubs\nOutreach",
        },
        "ln-poll-save.n_clicks",
    ),
    "open_or_close_poll": ObjectScenario(
        "analyst",
        _ln_poll,
        _poll_state,
        lambda i: {"present-poll-step.data": i},
        "present-poll-close.n_clicks",
    ),
    "cast_vote": ObjectScenario(
        "practitioner",
        _ln_poll,
        _poll_state,
        lambda i: {"ln-poll-step.data": i, "ln-poll-choice.value": 1},
        "ln-poll-vote.n_clicks",
    ),
    "add_action": ObjectScenario(
        "analyst",
        _ln_session,
        _session_actions_state,
        lambda i: {
            "summary-session.data": i,
            "ln-action-text.value": "Share the outreach plan",
            "ln-action-owner.value": "E08000004",
            "ln-action-due.value": "2099-01-01",
        },
        "ln-action-add.n_clicks",
    ),
    "mark_action_done": ObjectScenario(
        "practitioner",
        _ln_action,
        _action_state,
        lambda i: {},
        "ln-action-done[{id}].n_clicks",
    ),
    "control_live": ObjectScenario(
        "analyst",
        _ln_session,
        _live_state,
        lambda i: {"present-session.data": i, "live-changed.data": 0},
        "live-start.n_clicks",
    ),
}
# Callbacks of OBJECT_CHECKS without a scenario here, and where their objects of both
# organisations are driven instead (or why their inputs name no object).
OBJECT_CHECKS_ELSEWHERE = {
    "link_quote": "notes and quotes of both organisations: test_note_quote_links (nql002)",
    "receive_upload": "an upload token of another user or organisation: upr006, upr007",
    "check_file": "a job token of another user: test_import_page.py::test_impp008",
    "commit_import": "figures of another area: test_security_import_ownership (own001-004)",
    "restore_job": "a job token of another user: test_import_page.py::test_impp008",
    "download_report": "a job token, checked by job_folder as check_file (test_impp008)",
    "watch_job": "a job token of another user: test_import_page.py::test_impp008",
    "roll_back": "batches of both organisations: test_security_import_ownership (own003)",
    "save_mapping_clicked": "saves under the signed-in user's organisation only",
    "save_note": "creates a note of the user's own organisation (visibility rules: vis001)",
    "refresh_notes": "read through visibility_clause: test_security_notes_visibility",
    "fill_panel_slots": "read through visibility_clause: test_security_notes_visibility",
    "create_new_session": "creates a session of the user's own organisation",
    "save_contribution": "contributions to sessions: test_security_ln_anonymity.py",
    "show_step": "a read through get_session's readable clause (test_sessions.py::test_ses008)",
    "send_contribution": "sessions joined or not, of both organisations: test_live.py (live008)",
    "show_users": "lists the admin's own organisation: test_sec015",
    "create_user": "creates an account in the admin's own organisation: test_sec035",
    "import_csv": "rows of another area: the one rule owns_area (test_own004)",
    "pick_theme": "reads the codebook (shared by design)",
    "change_hide_setting": "the admin's own organisation's setting (no object in its inputs)",
    "show_tab": "a read through the voice consent scope (visible_voice_items)",
    "save_cost": "adds to the user's own organisation's table (no object in its inputs)",
    "show_scatter": "reads the user's own organisation's costs",
    "save_quote": "adds a quote of the user's own organisation",
    "save_contact": "the admin's own organisation (no object in its inputs)",
    "save_lawful_bases": "the admin's own organisation (no object in its inputs)",
    "publish_public_page": "the admin's own organisation (no object in its inputs)",
    "download_record": "the admin's own organisation (no object in its inputs)",
}


def test_mtx004_every_object_check_is_driven_against_both_organisations(registered_callbacks):
    """Every callback of OBJECT_CHECKS that the registry holds has a scenario here or says
    where its objects of both organisations are driven; the lists hold no stale names."""
    registered = {_name(c.function) for c, _ in _guarded(registered_callbacks)}
    checked = set(OBJECT_CHECKS) & registered
    missing = sorted(checked - set(OBJECT_SCENARIOS) - set(OBJECT_CHECKS_ELSEWHERE))
    assert missing == [], f"object checks never driven against another organisation: {missing}"
    assert set(OBJECT_SCENARIOS) <= registered
    assert not set(OBJECT_SCENARIOS) & set(OBJECT_CHECKS_ELSEWHERE)


@pytest.mark.parametrize("name", sorted(OBJECT_SCENARIOS))
def test_mtx005_another_organisations_object_is_refused_and_ones_own_is_not(
    server, db, users, registered_callbacks, name
):
    scenario = OBJECT_SCENARIOS[name]
    callback = find_callback(registered_callbacks, name)
    action = next(a for c, a in _guarded(registered_callbacks) if c is callback)
    assert ROLE_RANK[scenario.actor] >= ROLE_RANK[PERMISSIONS[action]]
    theirs = scenario.make(db, users, OTHER)
    mine = scenario.make(db, users, OWN)
    client = server.test_client()
    login_as(client, users, f"{OWN}_{scenario.actor}")
    headers = csrf_headers(client)

    def drive(object_id: object):  # type: ignore[no-untyped-def]
        trigger = scenario.trigger.replace("{id}", str(object_id))
        return post_callback(
            client, _object_body(callback, scenario.values(object_id), trigger), headers
        )

    before = scenario.state(db, theirs) if scenario.state else ()
    refused = drive(theirs)
    assert refused.status_code in (200, 204, 403), refused.status_code
    if scenario.state is None:  # a read
        assert scenario.shows is not None
        assert scenario.shows(OTHER) not in refused.get_data(as_text=True), name
        allowed = drive(mine)
        assert allowed.status_code == 200, allowed.get_data(as_text=True)[:300]
        assert scenario.shows(OWN) in allowed.get_data(as_text=True), name
        return
    assert scenario.state(db, theirs) == before, f"{name} changed another organisation's object"
    before = scenario.state(db, mine)
    allowed = drive(mine)
    assert allowed.status_code == 200, allowed.get_data(as_text=True)[:300]
    assert scenario.state(db, mine) != before, f"{name} did not act on the user's own object"
