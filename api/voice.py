"""/api/v1/voice: voice items within the caller's consent scope, as JSON or CSV.

Filters (all optional, repeat a parameter or separate with commas for "any of"):
``indicator``, ``area``, ``theme``, ``service``, ``speaker_role``, ``age_band``, ``method``,
``consent_scope``, ``from`` and ``to`` (collected on, ISO dates), ``q`` (text search);
paging with ``limit`` (default 100, at most 1000) and ``offset``. Every item comes through
``data_access.voice.visible_voice_items``, the same read path the pages use.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for
from flask.typing import ResponseReturnValue

from api import URL_PREFIX
from auth.current import current_record
from auth.permissions import guarded
from data_access.db import get_database
from data_access.voice import visible_voice_items
from rules.files import csv_text

blueprint = Blueprint("api_voice", __name__, url_prefix=URL_PREFIX)

API_COLUMNS = [
    "id",
    "text",
    "speaker_role",
    "age_band",
    "area_code",
    "service",
    "method",
    "collected_on",
    "themes",
    "indicators",
    "consent_scope",
    "attribution",
    "illustrative",
]
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def _many(name: str) -> list[str] | None:
    values = [v.strip() for raw in request.args.getlist(name) for v in raw.split(",")]
    return [v for v in values if v] or None


def _int_arg(name: str, default: int, maximum: int | None = None) -> int:
    try:
        value = max(0, int(request.args.get(name, default)))
    except ValueError:
        value = default
    return min(value, maximum) if maximum is not None else value


def _date_arg(name: str) -> date | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        return None


def _row(record: dict) -> dict:
    out = {column: record.get(column) for column in API_COLUMNS}
    collected = out["collected_on"]
    out["collected_on"] = collected.isoformat() if collected else None
    out["themes"] = list(out["themes"] or [])
    out["indicators"] = list(out["indicators"] or [])
    out["illustrative"] = bool(out["illustrative"])
    return out


def _csv(rows: list[dict]) -> Response:
    flat = (
        row | {"themes": ";".join(row["themes"]), "indicators": ";".join(row["indicators"])}
        for row in rows
    )
    return Response(
        csv_text(flat, API_COLUMNS, lineterminator="\r\n"),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=voice.csv"},
    )


@blueprint.get("/voice")
@guarded("read")
def voice_items() -> ResponseReturnValue:
    """Voice items the caller may see, newest first, in the {"data", "next"} envelope."""
    limit = _int_arg("limit", DEFAULT_LIMIT, MAX_LIMIT) or DEFAULT_LIMIT
    offset = _int_arg("offset", 0)
    indicators = _many("indicator")
    with get_database().write() as session:
        frame = visible_voice_items(
            session,
            current_record(),
            indicator=indicators[0] if indicators else None,
            area_codes=_many("area"),
            themes=_many("theme"),
            services=_many("service"),
            speaker_roles=_many("speaker_role"),
            age_bands=_many("age_band"),
            methods=_many("method"),
            consent_scopes=_many("consent_scope"),
            date_from=_date_arg("from"),
            date_to=_date_arg("to"),
            search=request.args.get("q"),
            # A CSV is a file leaving Chorus: publication-consented quotes only.
            purpose="export" if request.args.get("format") == "csv" else "api",
            limit=limit,
            offset=offset,
        )
    rows = [_row(r) for r in frame.to_dict("records")]
    if request.args.get("format") == "csv":
        return _csv(rows)
    total = frame.attrs.get("total", len(rows))
    next_url = None
    if offset + limit < total:
        args: dict[str, Any] = request.args.to_dict(flat=False)
        args.update({"offset": [str(offset + limit)], "limit": [str(limit)]})
        next_url = url_for("api_voice.voice_items", _external=False, **args)
    return jsonify({"data": rows, "next": next_url})
