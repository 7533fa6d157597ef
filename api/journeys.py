"""/api/v1/journeys: the Early Help journey exactly as the Journeys page shows it, after
protection, as JSON or CSV, for the caller's own authority.

``?cohort=2025-06-01,2025-07-01,2025-08-01`` (a month or the three months of a season, as
the page's picker; default the newest whole season), ``breakdown`` (for example ``sex``;
default everyone) and ``value`` (the group, for example ``female``), ``format=csv``.
``area`` may be given but must be the caller's own authority: journey counts are held
per authority and shown only to it, as on the page.

The rows are the page's download (``components.journeys.journey_csv_frame``): the people
at each step, then the flows between steps, with ``count`` and ``share_percent`` as text
("c" where protected). For a group, everyone's steps follow as ``kind`` "everyone_step",
as the page draws them beside the group. JSON: ``{"data": [...], "next": null, "cohort":
label, "cohorts": [{"label", "value"}, ...]}``.
"""

from __future__ import annotations

import orjson
import pandas as pd
from flask import Blueprint, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from analysis.journeys import EARLY_HELP, TOTAL, cohort_choices
from api import URL_PREFIX
from auth.current import current_record
from auth.permissions import guarded
from components.journeys import journey_csv_frame, step_csv_rows
from data_access.db import get_database
from data_access.journeys import (
    default_cohort_value,
    early_help_page_view,
    journey_breakdowns,
    journey_cohorts,
)
from rules.files import csv_text

blueprint = Blueprint("api_journeys", __name__, url_prefix=URL_PREFIX)

API_COLUMNS = [
    "area_code",
    "cohort",
    "breakdown",
    "breakdown_value",
    "kind",
    "step",
    "next_step",
    "label",
    "count",
    "share_percent",
    "illustrative",
]


def _error(message: str, status: int = 400) -> tuple[Response, int]:
    return jsonify({"error": message}), status


def _everyone_rows(everyone: pd.DataFrame, template: pd.DataFrame) -> pd.DataFrame:
    """Everyone's summary steps in the download's columns, beside a group's."""
    first = template.iloc[0]
    rows = step_csv_rows(everyone, kind="everyone_step")
    rows.insert(0, "breakdown_value", TOTAL)
    rows.insert(0, "breakdown", TOTAL)
    rows.insert(0, "cohort", first["cohort"])
    rows.insert(0, "area_code", first["area_code"])
    rows["illustrative"] = True
    return rows


@blueprint.get("/journeys")
@guarded("read")
def journeys() -> ResponseReturnValue:
    """The protected Early Help journey of the caller's authority (see the module)."""
    user = current_record()
    if user is None or user.organisation_kind != "local_authority":
        return _error("journeys are held for a local authority and shown only to it", 403)
    area_code = user.organisation_code
    asked = request.args.get("area", "").strip().upper()
    if asked and asked != area_code:
        return _error("journeys are shown only for your own authority", 403)
    breakdown = request.args.get("breakdown") or TOTAL
    value = request.args.get("value") or None
    threshold = int(current_app.extensions["chorus_settings"].disclosure_threshold)
    with get_database().read() as session:
        cohorts = journey_cohorts(session, EARLY_HELP.name, area_code)
        if not cohorts:
            return _error("no journey counts are held for your authority", 404)
        choices = [
            {"label": str(c["label"]), "value": str(c["value"])} for c in cohort_choices(cohorts)
        ]
        cohort_value = request.args.get("cohort") or default_cohort_value(cohorts) or ""
        if cohort_value not in {c["value"] for c in choices}:
            return _error("cohort must be one of the values listed in cohorts", 404)
        if breakdown != TOTAL:
            groups = journey_breakdowns(session, EARLY_HELP.name, area_code).get(breakdown)
            if not groups or value not in groups:
                return _error("breakdown and value must name a group held for your authority")
        shown = early_help_page_view(session, area_code, cohort_value, breakdown, value, threshold)
    if shown.view is None:
        return _error("groups are shown for a whole season at a time, not one month")
    view = shown.view
    rows = journey_csv_frame(
        view.flows, view.steps, area_code, shown.label, breakdown, value or TOTAL
    )
    if shown.everyone is not None:
        rows = pd.concat([rows, _everyone_rows(shown.everyone, rows)], ignore_index=True)
    rows = rows.reindex(columns=API_COLUMNS)
    if request.args.get("format") == "csv":
        response = Response(csv_text(rows), mimetype="text/csv")
        response.headers["Content-Disposition"] = "attachment; filename=journeys.csv"
        return response
    body = {
        "data": rows.astype(object).where(rows.notna(), None).to_dict("records"),
        "next": None,
        "cohort": shown.label,
        "cohorts": choices,
    }
    return Response(orjson.dumps(body), mimetype="application/json")
