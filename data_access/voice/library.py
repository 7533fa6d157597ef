"""Helpers for the voice library page: theme counts, filter choices, export."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.models import Area, Indicator, VoiceItem, VoiceItemIndicator, VoiceTheme
from rules.files import csv_text


def theme_counts_by_year(frame: pd.DataFrame) -> pd.DataFrame:
    """Quotes per theme per year collected, from voice rows (theme_labels, collected_on).

    Returns columns year, theme_label, items (a quote with two themes counts in both).
    """
    if frame.empty:
        return pd.DataFrame(columns=["year", "theme_label", "items"])
    rows = frame[["collected_on", "theme_labels"]].explode("theme_labels").dropna()
    rows = rows.assign(year=[d.year for d in rows["collected_on"]])
    counts = rows.groupby(["year", "theme_labels"]).size().reset_index(name="items")
    return counts.rename(columns={"theme_labels": "theme_label"})


def voice_filter_options(session: Session) -> dict[str, list[dict[str, str]]]:
    """Choices for the library filters: themes, areas with voice, and linked indicators.

    Returns {"themes", "areas", "indicators"}, each a list of {"label", "value"}. Holds no
    quote text; areas are those of organisations that hold voice items.
    """
    themes = [
        {"label": label, "value": theme_id}
        for theme_id, label in session.execute(
            select(VoiceTheme.id, VoiceTheme.label).order_by(VoiceTheme.label)
        )
    ]
    areas = [
        {"label": name or code, "value": code}
        for code, name in session.execute(
            select(VoiceItem.area_code, Area.name)
            .join(Area, Area.code == VoiceItem.area_code, isouter=True)
            .distinct()
            .order_by(Area.name)
        )
    ]
    indicators = [
        {"label": title, "value": ind_id}
        for ind_id, title in session.execute(
            select(Indicator.id, Indicator.short_title)
            .where(Indicator.id.in_(select(VoiceItemIndicator.indicator_id)))
            .order_by(Indicator.short_title)
        )
    ]
    return {"themes": themes, "areas": areas, "indicators": indicators}


def indicator_titles(session: Session) -> dict[str, str]:
    """Indicator id -> short title, for labels."""
    return dict(session.execute(select(Indicator.id, Indicator.short_title)).all())


def voice_export_csv(frame: pd.DataFrame) -> str:
    """CSV text of voice rows for a download (the API's columns; lists joined by ';')."""
    columns = [
        "id",
        "text",
        "attribution",
        "speaker_role",
        "service",
        "method",
        "area_code",
        "collected_on",
        "themes",
        "indicators",
        "consent_scope",
        "illustrative",
    ]
    out = frame.reindex(columns=columns).copy()
    for column in ("themes", "indicators"):
        out[column] = [";".join(v) if isinstance(v, list) else "" for v in out[column]]
    return csv_text(out)
