"""The authorisation matrix, generated from the permission table (auth.permissions.PERMISSIONS)
and Dash's callback registry.

1. Roles: every guarded callback is driven through the real callback route by every role of
   two organisations; a role below the action's minimum is refused (403), a role at or
   above it is not.
2. Objects: every callback that writes (an action other than a read) must name where its
   object-level check lives (organisation and object, on the server) in OBJECT_CHECKS, or
   say in WRITES_NO_OBJECT why it touches no organisation's object. A new write callback
   fails here until its object-level check is named; the named check must exist. The
   checks themselves are driven against objects of both organisations by the item tests
   (imports: test_security_import_ownership; moderation and codebook:
   test_security_codebook_moderation; notes: test_annotations_security; sessions:
   test_sessions).
"""

from __future__ import annotations

import importlib

import pytest
from security_helpers import callback_body, csrf_headers, login_as, permission_marker, post_callback

from auth.permissions import PERMISSIONS
from rules.roles import ROLE_RANK

READ_ACTIONS = {"read", "data.export", "audit.read"}
ORGANISATIONS = ("oldham", "rochdale")
ROLES = ("viewer", "practitioner", "analyst", "admin")

# Write callback -> "module:function" that checks organisation and object on the server.
OBJECT_CHECKS = {
    "receive_upload": "data_access.importing.jobs:job_folder",
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
    "refresh_notes": "data_access.annotations:visibility_clause",
    "fill_panel_slots": "data_access.annotations:visibility_clause",
    "create_new_session": "data_access.learning_network:create_session",
    "change_agenda": "data_access.learning_network:_editable",
    "save_details": "data_access.learning_network:_editable",
    "save_contribution": "data_access.ln_anonymity:add_contribution",
    "show_step": "data_access.learning_network:get_session",
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
    from pages import import_data as page

    with server.test_request_context("/"), get_database().read() as session:
        record, _ = user_with_hash(session, users[f"oldham_{role}"].username)
        login_user(CurrentUser(record))
        job = {"token": "0" * 32}
        with pytest.raises(PermissionDenied):
            page.check_file(lambda _p: None, 1, job, "", "template")
        with pytest.raises(PermissionDenied):
            page.commit_import(lambda _p: None, 1, job, "valid_only")
