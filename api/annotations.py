"""/api/v1/annotations: the notes the caller may see, as JSON, CSV or an HTML document.

Filters (all optional) as on the Discussion page: ``indicator``, ``area``, ``kind``,
``status``, ``theme`` (service area), ``author`` (user id), ``tag``, ``breakdown``,
``organisation`` (author's organisation code), ``from`` and ``to`` (written on, ISO dates);
paging with ``limit`` (default 100, at most 1000) and ``offset``; ``format=csv`` or
``format=html``. Every note comes through ``data_access.annotations.list_annotations``, the
same visibility filter the pages and exports use.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for
from flask.typing import ResponseReturnValue

from api import URL_PREFIX
from auth.current import current_record
from auth.permissions import guarded
from components.annotation_exports import annotations_csv, annotations_html
from data_access.annotations import AnnotationFilters, list_annotations
from data_access.db import get_database

blueprint = Blueprint("api_annotations", __name__, url_prefix=URL_PREFIX)

API_FIELDS = [
    "id",
    "indicator",
    "indicator_title",
    "area_code",
    "area_name",
    "breakdown",
    "period_start",
    "period_end",
    "period",
    "scope",
    "kind",
    "body",
    "tags",
    "author",
    "organisation_code",
    "visibility",
    "status",
    "version",
    "view_state",
    "seen_value",
    "current_value",
    "data_changed",
    "edited",
    "created_at",
    "updated_at",
    "replies",
]
REPLY_FIELDS = ["id", "body", "author", "organisation_code", "created_at", "updated_at", "edited"]
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def _int_arg(name: str, default: int, maximum: int | None = None) -> int:
    try:
        value = max(0, int(request.args.get(name, default)))
    except ValueError:
        value = default
    return min(value, maximum) if maximum is not None else value


def _date_arg(name: str) -> date | None:
    raw = request.args.get(name) or ""
    try:
        return date.fromisoformat(raw[:10]) if raw else None
    except ValueError:
        return None


def filters_from_args() -> AnnotationFilters:
    """The Discussion page's filters read from the query string."""
    author = request.args.get("author")
    return AnnotationFilters(
        theme=request.args.get("theme") or None,
        indicator=request.args.get("indicator") or None,
        area_code=request.args.get("area") or None,
        kind=request.args.get("kind") or None,
        status=request.args.get("status") or None,
        author_id=int(author) if author and author.isdigit() else None,
        tag=request.args.get("tag") or None,
        written_from=_date_arg("from"),
        written_to=_date_arg("to"),
        breakdown=request.args.get("breakdown") or None,
        organisation_code=request.args.get("organisation") or None,
    )


def api_item(record: dict) -> dict:
    """One note in the API's shape (replies trimmed to their own fields)."""
    out = {field: record.get(field) for field in API_FIELDS}
    out["replies"] = [{f: r.get(f) for f in REPLY_FIELDS} for r in record.get("replies") or []]
    return out


@blueprint.get("/annotations", endpoint="annotations")
@guarded("read")
def annotation_list() -> ResponseReturnValue:
    """Notes the caller may see, open questions first, in the {"data", "next"} envelope."""
    limit = _int_arg("limit", DEFAULT_LIMIT, MAX_LIMIT) or DEFAULT_LIMIT
    offset = _int_arg("offset", 0)
    user = current_record()
    with get_database().read() as session:
        records = list_annotations(
            session, user, filters_from_args(), limit=limit + 1, offset=offset
        )
    more = len(records) > limit
    notes = [r.as_dict() for r in records[:limit]]
    fmt = request.args.get("format")
    if fmt == "csv":
        return Response(
            annotations_csv(notes),
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=annotations.csv"},
        )
    if fmt == "html":
        document = annotations_html(
            notes,
            title="Notes and discussion",
            generated_for=f"{user.display_name}, {user.organisation_name}" if user else "",
        )
        return Response(
            document,
            mimetype="text/html",
            headers={"Content-Disposition": "attachment; filename=annotations.html"},
        )
    next_url = None
    if more:
        args: dict[str, Any] = request.args.to_dict()
        args.update(offset=str(offset + limit), limit=str(limit))
        next_url = url_for("api_annotations.annotations", **args)
    return jsonify({"data": [api_item(n) for n in notes], "next": next_url})
