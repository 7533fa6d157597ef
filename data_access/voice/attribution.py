"""The attribution line shown with a quote, coarsened when few items share it."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import false, select
from sqlalchemy.orm import Session

from data_access.models import VoiceItem
from data_access.voice.vocabulary import ROLE_LABELS, SERVICE_LABELS


def attribution_counts(session: Session, for_rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """How many approved, current items share each role, age band, area and year.

    Counted over the whole library (not only what one user sees), so the same quote gets the
    same attribution for everyone. ``for_rows`` (voice rows with speaker_role and area_code)
    limits the count to the roles and areas those rows have, which is all
    :func:`add_attribution` looks up for them. Columns speaker_role, age_band, area_code,
    year, items.
    """
    query = select(
        VoiceItem.speaker_role,
        VoiceItem.age_band,
        VoiceItem.area_code,
        VoiceItem.collected_on,
    ).where(VoiceItem.withdrawn == false(), VoiceItem.moderation_status == "approved")
    if for_rows is not None:
        roles = sorted({str(r) for r in for_rows["speaker_role"].dropna()})
        areas = sorted({str(a) for a in for_rows["area_code"].dropna()})
        query = query.where(VoiceItem.speaker_role.in_(roles), VoiceItem.area_code.in_(areas))
    rows = session.execute(query).all()
    frame = pd.DataFrame(rows, columns=["speaker_role", "age_band", "area_code", "collected_on"])
    frame["year"] = [d.year if d else None for d in frame["collected_on"]]
    frame["age_band"] = frame["age_band"].fillna("")
    counts = (
        frame.groupby(["speaker_role", "age_band", "area_code", "year"], dropna=False)
        .size()
        .rename("items")
        .reset_index()
    )
    return counts


def add_attribution(frame: pd.DataFrame, counts: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Add ``attribution`` (text) and ``attribution_coarsened`` (bool) to voice rows.

    Takes voice rows (speaker_role, age_band, area_code, service, collected_on) and
    ``attribution_counts`` output. The full line is "role, age band, service, year"; when
    fewer than ``threshold`` items share the role, age band, area and year, the age band
    is dropped, and if fewer than ``threshold`` share role, area and year the year goes too.
    """
    out = frame.copy()
    if out.empty:
        out["attribution"] = pd.Series(dtype=object)
        out["attribution_coarsened"] = pd.Series(dtype=bool)
        return out
    by_full = {
        (r.speaker_role, r.age_band, r.area_code, r.year): r.items for r in counts.itertuples()
    }
    by_year = counts.groupby(["speaker_role", "area_code", "year"])["items"].sum().to_dict()
    lines, coarsened = [], []
    for row in out.itertuples():
        year = row.collected_on.year if row.collected_on else None
        age = row.age_band or ""
        role = ROLE_LABELS.get(row.speaker_role, str(row.speaker_role))
        service = SERVICE_LABELS.get(row.service, str(row.service))
        full = by_full.get((row.speaker_role, age, row.area_code, year), 0)
        if full >= threshold:
            parts = [role, age, service, str(year) if year else ""]
            coarsened.append(False)
        elif by_year.get((row.speaker_role, row.area_code, year), 0) >= threshold:
            parts = [role, service, str(year) if year else ""]
            coarsened.append(True)
        else:
            parts = [role, service]
            coarsened.append(True)
        lines.append(", ".join(p for p in parts if p))
    out["attribution"] = lines
    out["attribution_coarsened"] = coarsened
    return out
