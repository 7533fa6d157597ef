"""The Import page's mapping callbacks: a saved mapping chosen, the EES tables turned into
mapping text, a mapping saved. Registered by the app factory (``mapping_callbacks``)."""

from __future__ import annotations

import json
from typing import Any

from dash import Input, Output, State, html, no_update

from auth.current import current_record
from auth.permissions import guarded
from components.callbacks import CallbackSet
from components.import_forms import message
from data_access.db import get_database
from data_access.importing.forms import mapping_from_tables
from data_access.importing.mappings import json_problem, load_mapping, save_mapping
from data_access.users import write_audit

mapping_callbacks = CallbackSet("import-mapping")


@mapping_callbacks.callback(
    Output("imp-mapping-json", "value", allow_duplicate=True),
    Input("imp-saved-mapping", "value"),
    prevent_initial_call=True,
)
@guarded("data.import")
def choose_saved_mapping(choice: str | None) -> Any:
    user = current_record()
    if not choice or user is None:
        return no_update
    with get_database().read() as session:
        mapping = load_mapping(session, choice, user.organisation_id)
    return json.dumps(mapping, indent=2) if mapping else no_update


@mapping_callbacks.callback(
    Output("imp-indicator-table", "data", allow_duplicate=True),
    Input("imp-add-indicator", "n_clicks"),
    State("imp-indicator-table", "data"),
    prevent_initial_call=True,
)
@guarded(None, reason="adds an empty row to the form; reads and writes nothing")
def add_indicator_row(_clicks: int | None, rows: list[dict] | None) -> list[dict]:
    return [*(rows or []), {"indicator": "", "value": None, "numerator": None, "denominator": None}]


@mapping_callbacks.callback(
    Output("imp-mapping-json", "value", allow_duplicate=True),
    Input("imp-build-mapping", "n_clicks"),
    State("imp-mapping-json", "value"),
    State("imp-indicator-table", "data"),
    State("imp-breakdown-table", "data"),
    prevent_initial_call=True,
)
@guarded(None, reason="turns the form's tables into mapping text; reads and writes nothing")
def build_mapping(
    _clicks: int | None, text: str, indicator_rows: list, breakdown_rows: list
) -> str:
    try:
        current = json.loads(text) if text else {}
    except json.JSONDecodeError:
        current = {}
    return json.dumps(mapping_from_tables(current, indicator_rows, breakdown_rows), indent=2)


@mapping_callbacks.callback(
    Output("imp-mapping-message", "children"),
    Input("imp-save-mapping", "n_clicks"),
    State("imp-mapping-name", "value"),
    State("imp-mapping-json", "value"),
    State("imp-format", "value"),
    prevent_initial_call=True,
)
@guarded("data.import")
def save_mapping_clicked(_clicks: int | None, name: str | None, text: str, fmt: str) -> html.Div:
    user = current_record()
    assert user is not None  # guarded: signed in with the role
    name = name or ""
    try:
        mapping = json.loads(text or "")
    except json.JSONDecodeError as exc:
        return message(json_problem(exc), "error")
    if not (name or "").strip():
        return message("Give the mapping a name first.", "error")
    with get_database().write() as session:
        mapping_id = save_mapping(
            session,
            name,
            fmt,
            mapping,
            organisation_id=user.organisation_id,
            created_by=user.username,
        )
        write_audit(
            session, "mapping.save", user=user, object_type="import_mapping", object_id=mapping_id
        )
    return message(f"Saved the mapping '{name.strip()}'.", "success")
