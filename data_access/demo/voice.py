"""The illustrative demo codebook and voice items."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.models import Indicator, Organisation, VoiceItem
from data_access.voice.codebook import upsert_codebook
from data_access.voice.csv_import import _split_list
from data_access.voice.scope import _to_date
from data_access.voice.writes import _replace_links

DEMO_VOICE_DIR = Path("demo")


def seed_demo_extra(session: Session, data_dir: Path) -> int:
    """Load the illustrative codebook and voice items (data/demo/*.csv). Returns items added.

    Items belong to the organisation whose code is their area code; areas without a demo
    organisation are skipped. Every item is marked illustrative.
    """
    folder = Path(data_dir) / DEMO_VOICE_DIR
    upsert_codebook(session, pd.read_csv(folder / "voice_codebook.csv", dtype=str))
    items = pd.read_csv(folder / "voice_items.csv", dtype=str, keep_default_na=False)
    organisations = dict(session.execute(select(Organisation.code, Organisation.id)).all())
    known_indicators = set(session.scalars(select(Indicator.id)))
    added = 0
    for row in items.to_dict("records"):
        org_id = organisations.get(row["area_code"])
        if org_id is None:
            continue
        item = VoiceItem(
            text=row["text"],
            speaker_role=row["speaker_role"],
            age_band=row["age_band"] or None,
            sex=row["sex"] or None,
            ethnicity_group=row["ethnicity_group"] or None,
            disability=row["disability"] or None,
            area_code=row["area_code"],
            organisation_id=org_id,
            service=row["service"],
            method=row["method"],
            collected_on=_to_date(row["collected_on"]),
            consent_scope=row["consent_scope"],
            consent_date=_to_date(row["consent_date"]),
            review_date=_to_date(row["review_date"]),
            moderation_status=row["moderation_status"] or "pending",
            deidentified=row["deidentified"].lower() == "true",
            illustrative=True,
        )
        session.add(item)
        session.flush()
        indicators = [i for i in _split_list(row["indicators"]) if i in known_indicators]
        _replace_links(session, item.id, _split_list(row["themes"]), indicators)
        added += 1
    return added
