"""/api/v1/indicators and /api/v1/observations, JSON or CSV, behind login.

Observations: ``?indicator=gld&area=E08000004,E92000001&breakdown=fsm&from=2021-09-01
&to=2025-08-31&limit=1000&offset=0&format=csv``. ``indicator`` is required; ``area`` is
one or more GSS codes (old codes such as E10000023 are read as their successor);
``breakdown`` omitted means every breakdown; ``from``/``to`` are ISO dates compared with
``period_start`` and ``period_end``. Rows carry ``API_COLUMNS`` (see
``data_access.indicators_query``): the DESIGN's stable columns plus ``england_value`` and
``comparison_england`` (better, similar, worse, higher, lower, not compared; null for
England itself). Disclosure control is applied before paging; values and intervals are
rounded to one decimal place, as on screen.

JSON: ``{"data": [...], "next": URL or null}``. CSV: the same columns, the same page, the
next page's URL in a ``Link: <...>; rel="next"`` header.
"""

from __future__ import annotations

import functools
import json
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pandas as pd
from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask.typing import ResponseReturnValue

from api import URL_PREFIX
from auth.permissions import guarded
from data_access import indicators_query as iq
from data_access.db import get_database
from data_access.observations import indicator_catalogue
from data_access.reference import DEFAULT_DATA_DIR, code_aliases
from rules.files import csv_text

blueprint = Blueprint("api_observations", __name__, url_prefix=URL_PREFIX)

DEFAULT_LIMIT = 1000
MAX_LIMIT = 5000
BOUNDARY_FILE = Path("public") / "boundaries" / "utla_may2021_buc_england.geojson"
INDICATOR_COLUMNS = [
    "id",
    "title",
    "short_title",
    "theme",
    "unit",
    "polarity",
    "frequency",
    "source",
    "publisher_url",
    "definition",
    "caveats",
    "who_is_missing",
    "ci_method",
    "disclosure_rule",
    "last_update",
    "next_update",
    "illustrative",
]


class BadRequest(ValueError):
    """A query parameter the API cannot use."""


def _error(message: str, status: int = 400) -> tuple[Response, int]:
    return jsonify({"error": message}), status


def _paging() -> tuple[int, int]:
    try:
        limit = int(request.args.get("limit", DEFAULT_LIMIT))
        offset = int(request.args.get("offset", 0))
    except ValueError as exc:
        raise BadRequest("limit and offset must be whole numbers") from exc
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise BadRequest(f"limit must be 1 to {MAX_LIMIT} and offset at least 0")
    return limit, offset


def _iso_date(name: str) -> date | None:
    text = request.args.get(name)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise BadRequest(f"{name} must be an ISO date such as 2021-09-01") from exc


@functools.lru_cache(maxsize=1)
def _aliases() -> dict[str, str]:
    return code_aliases(DEFAULT_DATA_DIR)


def _area_codes() -> list[str] | None:
    text = request.args.get("area")
    if not text:
        return None
    codes = [c.strip().upper() for c in text.split(",") if c.strip()]
    return [_aliases().get(c, c) for c in codes]


def _json_safe(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = frame.copy()
    for column in ("period_start", "period_end"):
        if column in out:
            out[column] = out[column].astype(str)
    for column in ("numerator", "denominator"):
        if column in out:
            out[column] = pd.to_numeric(out[column], errors="coerce").astype("Int64")
    out = out.astype(object).where(out.notna(), None)
    return out.to_dict("records")


def _envelope(frame: pd.DataFrame, limit: int, offset: int, endpoint: str) -> Response:
    return _records_envelope(_json_safe(frame), list(frame.columns), limit, offset, endpoint)


def _records_envelope(
    records: list[dict[str, Any]], columns: list[str], limit: int, offset: int, endpoint: str
) -> Response:
    """One page of JSON-safe records as JSON (orjson) or CSV, with the next page's URL."""
    page = records[offset : offset + limit]
    next_url = None
    if offset + limit < len(records):
        args: dict[str, Any] = {**request.args.to_dict(), "offset": offset + limit, "limit": limit}
        next_url = url_for(endpoint, _external=True, **args)
    if request.args.get("format") == "csv":
        frame = pd.DataFrame(page, columns=columns)
        csv = csv_text(_csv_frame(frame))
        response = Response(csv, mimetype="text/csv")
        response.headers["Content-Disposition"] = "attachment; filename=observations.csv"
        if next_url:
            response.headers["Link"] = f'<{next_url}>; rel="next"'
        return response
    body = orjson.dumps({"data": page, "next": next_url}, option=orjson.OPT_SERIALIZE_NUMPY)
    return Response(body, mimetype="application/json")


def _csv_frame(page: pd.DataFrame) -> pd.DataFrame:
    out = page.copy()
    for column in ("numerator", "denominator"):
        if column in out:
            out[column] = pd.to_numeric(out[column], errors="coerce").astype("Int64")
    return out


@blueprint.get("/indicators")
@guarded("read")
def indicators() -> ResponseReturnValue:
    """The indicator catalogue (``INDICATOR_COLUMNS``), paginated."""
    try:
        limit, offset = _paging()
    except BadRequest as exc:
        return _error(str(exc))
    with get_database().read() as session:
        catalogue = indicator_catalogue(session)
    catalogue = catalogue.reindex(columns=INDICATOR_COLUMNS)
    catalogue["illustrative"] = catalogue["illustrative"].astype(bool)
    return _envelope(catalogue, limit, offset, "api_observations.indicators")


@blueprint.get("/observations")
@guarded("read")
def observations() -> ResponseReturnValue:
    """Observations with intervals, England verdicts and disclosure control, paginated."""
    indicator_id = request.args.get("indicator", "").strip()
    if not indicator_id:
        return _error("indicator is required, for example ?indicator=gld")
    try:
        limit, offset = _paging()
        period_from, period_to = _iso_date("from"), _iso_date("to")
    except BadRequest as exc:
        return _error(str(exc))
    threshold = int(current_app.extensions["chorus_settings"].disclosure_threshold)
    areas, breakdown = _area_codes(), request.args.get("breakdown") or None
    with get_database().read() as session:
        indicator = iq.indicator_record(session, indicator_id)
        if indicator is None:
            return _error(f"unknown indicator {indicator_id!r}", 404)
        # The observations come through their cache (data_access.observations); the
        # suppression and rounding are redone for each page asked for.
        records = _json_safe(
            iq.api_observation_rows(
                session, indicator, areas, breakdown, period_from, period_to, threshold
            )
        )
    return _records_envelope(
        records, iq.API_COLUMNS, limit, offset, "api_observations.observations"
    )


@functools.lru_cache(maxsize=1)
def boundaries_geojson() -> str:
    """Upper-tier boundaries with each feature's ``code`` set to today's GSS code.

    The May 2021 file predates North Yorkshire's and Somerset's new codes (E10000023 is
    now E06000065, E10000027 is E06000066); ``code_aliases`` maps them.
    """
    data = json.loads((DEFAULT_DATA_DIR / BOUNDARY_FILE).read_text(encoding="utf-8"))
    aliases = _aliases()
    for feature in data["features"]:
        code = feature["properties"]["utla21_code"]
        feature["properties"]["code"] = aliases.get(code, code)
        feature["geometry"] = wound_for_plotly(feature["geometry"])
    data.pop("crs", None)
    return json.dumps(data, separators=(",", ":"))


def wound_for_plotly(geometry: dict) -> dict:
    """A Polygon or MultiPolygon with each outer ring clockwise and each hole
    counter-clockwise (longitude east, latitude north), as plotly's map drawing (d3-geo)
    reads them.

    The published file follows GeoJSON's rule (RFC 7946: outer rings counter-clockwise),
    which d3-geo takes for the rest of the globe: each authority would be drawn as
    everything outside it, one colour filling the whole map.
    """
    if geometry["type"] == "Polygon":
        return {**geometry, "coordinates": _wound_polygon(geometry["coordinates"])}
    if geometry["type"] == "MultiPolygon":
        polygons = [_wound_polygon(polygon) for polygon in geometry["coordinates"]]
        return {**geometry, "coordinates": polygons}
    return geometry


def _wound_polygon(rings: list) -> list:
    return [
        ring if (_signed_area(ring) < 0) == (number == 0) else ring[::-1]
        for number, ring in enumerate(rings)
    ]


def _signed_area(ring: list) -> float:
    """Twice the signed area of a ring (shoelace): positive when counter-clockwise."""
    pairs = zip(ring[:-1], ring[1:], strict=True)
    return sum(x1 * y2 - x2 * y1 for (x1, y1, *_), (x2, y2, *_) in pairs)


@blueprint.get("/boundaries/utla.geojson")
@guarded(None, reason="public boundary file (OGL); no organisation data")
def boundaries() -> ResponseReturnValue:
    """Upper-tier local authority boundaries for the Explore map (cached by the browser)."""
    response = Response(boundaries_geojson(), mimetype="application/geo+json")
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response
