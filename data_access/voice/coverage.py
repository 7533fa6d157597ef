"""Voice coverage: who has been heard against who the service serves."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.coverage import voice_coverage
from data_access.models import Observation
from data_access.users import UserRecord
from data_access.voice.preferences import disclosure_threshold
from data_access.voice.scope import visible_voice_items

# Who is served, per service: the indicator and the count column that measures it.
SERVICE_POPULATION = {
    "early_help": ("eh_requests", "numerator"),
    "early_years": ("family_hub_reach_0_4", "numerator"),
    "care_leavers": ("pathway_plan_timely", "denominator"),
}
COVERAGE_DIMENSIONS = {
    "speaker_role": "Speaker role",
    "age_band": "Age band",
    "sex": "Sex",
    "ethnicity_group": "Ethnic group",
    "disability": "Disability",
}
# Voice dimension -> the breakdown name in the indicator data.
_BREAKDOWN_OF = {
    "age_band": "age_band",
    "sex": "sex",
    "ethnicity_group": "ethnicity",
    "disability": "disability",
}
# Voice values -> the service data's values, where they differ.
_GROUP_MAP = {
    "sex": {"not recorded": "unknown"},
    "ethnicity_group": {"not recorded": "unknown"},
    "disability": {"yes": "disabled", "no": "not disabled", "not recorded": "unknown"},
    "age_band": {"under 5": "0-4"},
}
# Speakers who use the service themselves (not practitioners or the wider community).
SERVICE_USER_ROLES = ("child", "young_person", "parent_carer")
CHILD_ROLES = ("child", "young_person")


def service_population(
    session: Session, area_code: str, service: str, dimension: str, months: int = 12
) -> pd.DataFrame:
    """Who is served: the service's count by group over its last ``months`` months.

    Columns group, population. Empty when the service data has no such breakdown.
    """
    if service not in SERVICE_POPULATION or dimension not in _BREAKDOWN_OF:
        return pd.DataFrame(columns=["group", "population"])
    indicator, column = SERVICE_POPULATION[service]
    count = Observation.numerator if column == "numerator" else Observation.denominator
    breakdown = _BREAKDOWN_OF[dimension]
    latest = session.scalar(
        select(func.max(Observation.period_start)).where(
            Observation.indicator_id == indicator,
            Observation.area_code == area_code,
            Observation.breakdown == breakdown,
        )
    )
    if latest is None:
        return pd.DataFrame(columns=["group", "population"])
    start = (pd.Timestamp(latest) - pd.DateOffset(months=months - 1)).date()
    rows = session.execute(
        select(Observation.breakdown_value, func.sum(count))
        .where(
            Observation.indicator_id == indicator,
            Observation.area_code == area_code,
            Observation.breakdown == breakdown,
            Observation.period_start >= start,
        )
        .group_by(Observation.breakdown_value)
        .order_by(Observation.breakdown_value)
    ).all()
    return pd.DataFrame(rows, columns=["group", "population"])


def voice_counts_by(frame: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """Count voice rows by a dimension, mapped to the service data's group names.

    Takes voice rows (the dimension column and speaker_role); returns group, voice_count.
    Age bands count only children and young people; the other characteristics count the
    people who use the service (children, young people, parents and carers).
    """
    if frame.empty:
        return pd.DataFrame(columns=["group", "voice_count"])
    if dimension == "speaker_role":
        rows = frame
    elif dimension == "age_band":
        rows = frame[frame["speaker_role"].isin(CHILD_ROLES)]
    else:
        rows = frame[frame["speaker_role"].isin(SERVICE_USER_ROLES)]
    mapping = _GROUP_MAP.get(dimension, {})
    groups = rows[dimension].fillna("not recorded").map(lambda v: mapping.get(v, str(v).lower()))
    counts = groups.value_counts().rename_axis("group").reset_index(name="voice_count")
    return counts


def coverage_for(
    session: Session,
    user: UserRecord,
    area_code: str,
    service: str,
    dimension: str,
    threshold: int | None = None,
) -> pd.DataFrame:
    """Voice coverage for one area, service and dimension (analysis.voice_coverage output).

    Voice counts come from the items ``user`` may see (through visible_voice_items);
    speaker role has no population figure, so its population columns are empty.
    """
    threshold = disclosure_threshold() if threshold is None else threshold
    items = visible_voice_items(
        session,
        user,
        area_codes=[area_code],
        services=[service],
        purpose="coverage",
        audit=False,
        threshold=threshold,
    )
    voices = voice_counts_by(items, dimension)
    population = service_population(session, area_code, service, dimension)
    if population.empty:
        groups = voices["group"] if len(voices) else pd.Series(dtype=object)
        population = pd.DataFrame({"group": groups, "population": float("nan")})
    return voice_coverage(voices, population, threshold=threshold)
