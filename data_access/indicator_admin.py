"""Analysts' own indicators: checked, added to the catalogue unpublished, published by an admin.

An indicator added here (from a file with ``flask add-indicator``, from an EES file's
metadata with ``import-data --create-indicators``, or later from the page) is held in the
catalogue with ``published`` false: figures can be imported into it, but no page, download
or API lists or shows it until an admin publishes it (``flask publish-indicator``); then
every authority sees it, as every other indicator. Each addition and publication is
written to the audit log.

A new indicator's fields (``NEW_INDICATOR_FIELDS``): ``id`` (a slug, never reused),
``title``, ``definition``, ``unit`` (percent, rate, count, days, gbp, gbp_per_child) and,
for a rate, its ``base`` (1,000, 10,000 or 100,000), ``polarity`` (default no judgement),
``frequency``, ``service_area`` (the catalogue's theme), ``source`` and
``denominator_counts_people`` (whether disclosure control protects its denominator and
the complement; default as its unit says).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from data_access.models import Indicator
from data_access.users import UserRecord, write_audit

NEW_INDICATOR_FIELDS = (
    "id",
    "title",
    "definition",
    "unit",
    "base",
    "polarity",
    "frequency",
    "service_area",
    "source",
    "denominator_counts_people",
)
REQUIRED_FIELDS = ("id", "title", "unit", "frequency", "service_area")
SERVICE_AREAS = {
    "early_years": "Early years",
    "early_help": "Early Help",
    "care_leavers": "Care leavers",
    "spend": "Spend",
}
UNITS = ("percent", "rate", "count", "days", "gbp", "gbp_per_child")
RATE_UNITS = {1_000: "rate_per_1k", 10_000: "rate_per_10k", 100_000: "rate_per_100k"}
POLARITIES = {"high_is_good", "low_is_good", "no_judgement"}
FREQUENCIES = {
    "monthly",
    "quarterly",
    "annual_academic",
    "annual_financial",
    "annual_reporting",
    "annual_census",
    "annual_calendar",
}
_ID = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


class IndicatorProblem(ValueError):
    """New indicators that cannot be added; ``problems`` lists each reason in plain words."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


def read_indicator_file(path: Path) -> list[dict[str, Any]]:
    """Rows of a CSV (one indicator a row, a header naming the fields) or JSON file (a list
    of objects, or ``{"indicators": [...]}``)."""
    if path.suffix.lower() == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        rows = data.get("indicators", []) if isinstance(data, dict) else data
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise IndicatorProblem(["The JSON file must hold a list of indicators."])
        return [dict(r) for r in rows]
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return [{k: v for k, v in row.items() if v != ""} for row in frame.to_dict("records")]


def check_new_indicators(
    rows: Sequence[Mapping[str, Any]], existing_ids: set[str]
) -> list[dict[str, Any]]:
    """Catalogue rows for the new indicators, or :class:`IndicatorProblem` naming every
    problem (row number, field and value)."""
    problems: list[str] = []
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=1):
        where = f"Indicator {number}"
        found = [f for f in REQUIRED_FIELDS if not str(row.get(f, "") or "").strip()]
        if found:
            problems.append(f"{where}: {', '.join(found)} missing.")
            continue
        ident = str(row["id"]).strip()
        where = f"Indicator {number} ({ident})"
        if not _ID.match(ident):
            problems.append(
                f"{where}: the id must be 2 to 64 lower-case letters, digits and underscores, "
                "starting with a letter."
            )
        if ident in existing_ids:
            problems.append(f"{where}: the catalogue already has this id (ids are never reused).")
        if ident in seen:
            problems.append(f"{where}: the id is given twice.")
        seen.add(ident)
        unit, unit_problem = _unit(row)
        if unit_problem:
            problems.append(f"{where}: {unit_problem}")
        polarity = str(row.get("polarity") or "no_judgement").strip().lower().replace(" ", "_")
        if polarity not in POLARITIES:
            problems.append(
                f"{where}: polarity {polarity!r} is not high_is_good, low_is_good or no_judgement."
            )
        frequency = str(row["frequency"]).strip()
        if frequency not in FREQUENCIES:
            problems.append(
                f"{where}: frequency {frequency!r} is not one of {', '.join(sorted(FREQUENCIES))}."
            )
        area = _service_area(str(row["service_area"]))
        if area is None:
            problems.append(
                f"{where}: service area {row['service_area']!r} is not one of "
                f"{', '.join(SERVICE_AREAS.values())}."
            )
        people, people_problem = _yes_no(row.get("denominator_counts_people"))
        if people_problem:
            problems.append(f"{where}: denominator_counts_people {people_problem}")
        title = str(row["title"]).strip()
        out.append(
            {
                "id": ident,
                "title": title[:300],
                "short_title": str(row.get("short_title") or title)[:120],
                "theme": area,
                "unit": unit,
                "polarity": polarity,
                "frequency": frequency,
                "source": _text(row.get("source")),
                "definition": _text(row.get("definition")),
                "ci_method": _ci_method(unit, people),
                "disclosure_rule": "standard",
                "illustrative": False,
                "published": False,
                "denominator_counts_people": people,
            }
        )
    if problems:
        raise IndicatorProblem(problems)
    return out


def add_indicators(
    session: Session,
    rows: list[dict[str, Any]],
    *,
    added_by: str,
    user: UserRecord | None = None,
    how: str = "file",
) -> list[str]:
    """Add checked rows (:func:`check_new_indicators`) to the catalogue, unpublished, and
    audit each one. Returns the ids added."""
    added = []
    for row in rows:
        values = {k: v for k, v in row.items() if k in Indicator.__table__.columns.keys()}
        session.add(Indicator(**{**values, "published": False, "added_by": added_by}))
        write_audit(
            session,
            "indicator.add",
            user=user,
            username=None if user else added_by,
            object_type="indicator",
            object_id=row["id"],
            detail={"how": how, "unit": row["unit"], "published": False},
        )
        added.append(row["id"])
    session.flush()
    return added


def publish_indicator(
    session: Session, indicator_id: str, *, by: str, user: UserRecord | None = None
) -> bool:
    """Publish an indicator (every authority sees it from now on); False if unknown.
    Publishing one already published changes nothing and is not audited again."""
    indicator = session.get(Indicator, indicator_id)
    if indicator is None:
        return False
    if not indicator.published:
        indicator.published = True
        write_audit(
            session,
            "indicator.publish",
            user=user,
            username=None if user else by,
            object_type="indicator",
            object_id=indicator_id,
        )
        session.flush()
    return True


def _unit(row: Mapping[str, Any]) -> tuple[str, str | None]:
    unit = str(row.get("unit") or "").strip().lower().replace(" ", "_")
    base_text = str(row.get("base") or "").replace(",", "").strip()
    if unit.startswith("rate_per_"):
        return unit, None if unit in RATE_UNITS.values() else f"unit {unit!r} is not known."
    if unit == "rate":
        try:
            base = int(float(base_text))
        except ValueError:
            return unit, "a rate needs its base: 1000, 10000 or 100000."
        if base not in RATE_UNITS:
            return unit, f"base {base_text} is not 1000, 10000 or 100000."
        return RATE_UNITS[base], None
    if unit not in UNITS:
        return unit, f"unit {unit!r} is not one of {', '.join(UNITS)}."
    if unit == "percent" and base_text not in ("", "100"):
        return unit, "a percentage's base is 100."
    return unit, None


def _service_area(text: str) -> str | None:
    key = text.strip().lower().replace(" ", "_")
    if key in SERVICE_AREAS:
        return key
    by_label = {label.lower(): k for k, label in SERVICE_AREAS.items()}
    return by_label.get(text.strip().lower())


def _yes_no(value: object) -> tuple[bool | None, str | None]:
    if value is None or value == "":
        return None, None
    if isinstance(value, bool):
        return value, None
    text = str(value).strip().lower()
    if text in _TRUE:
        return True, None
    if text in _FALSE:
        return False, None
    return None, f"must be yes or no, not {value!r}."


def _ci_method(unit: str, people: bool | None) -> str:
    if unit == "percent":
        return "wilson"
    if unit.startswith("rate_per_"):
        return "byar"
    return "none"


def _text(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None
