"""The shared codebook is changed only by admins (or analysts of the organisation that owns
a theme); moderation answers the same for no such item and another organisation's item.
Runs on SQLite and PostgreSQL (``any_db``)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from security_helpers import create_scratch_users
from sqlalchemy import select

from data_access import voice
from data_access.models import Organisation, VoiceItem
from data_access.users import user_with_hash


def _user(session, username):  # type: ignore[no-untyped-def]
    return user_with_hash(session, username)[0]


@pytest.fixture
def world(any_db):  # type: ignore[no-untyped-def]
    create_scratch_users(any_db)
    with any_db.write() as s:
        voice.upsert_codebook(
            s,
            pd.DataFrame(
                [{"id": "waiting", "label": "Waiting", "description": "", "examples": ""}]
            ),
        )
    return any_db


def test_cbk001_only_admins_change_the_shared_codebook(world):
    with world.write() as s:
        with pytest.raises(voice.VoiceNotAllowed):
            voice.save_theme(s, _user(s, "oldham.analyst"), "Renamed", theme_id="waiting")
    with world.write() as s:
        with pytest.raises(voice.VoiceNotAllowed):
            voice.delete_theme(s, _user(s, "oldham.analyst"), "waiting")
    with world.write() as s:
        voice.save_theme(s, _user(s, "rochdale.admin"), "Waiting times", theme_id="waiting")


def test_cbk002_an_analysts_theme_is_their_organisations(world):
    with world.write() as s:
        voice.save_theme(s, _user(s, "oldham.analyst"), "Bus routes")
    with world.write() as s:
        with pytest.raises(voice.VoiceNotAllowed):
            voice.save_theme(s, _user(s, "rochdale.analyst"), "Buses", theme_id="bus_routes")
    with world.write() as s:
        voice.save_theme(s, _user(s, "oldham.analyst"), "Buses", theme_id="bus_routes")
    with world.write() as s:
        voice.delete_theme(s, _user(s, "oldham.analyst"), "bus_routes")


def test_mod001_no_such_item_and_another_organisations_item_answer_the_same(world):
    with world.write() as s:
        rochdale = s.scalar(select(Organisation).where(Organisation.code == "E08000005"))
        item = VoiceItem(
            text="The hub felt welcoming.",
            speaker_role="parent_carer",
            age_band="adult",
            area_code="E08000005",
            organisation_id=rochdale.id,
            service="early_years",
            method="interview",
            collected_on=date(2025, 5, 1),
            consent_scope="publication",
            consent_date=date(2025, 5, 1),
            review_date=date(2030, 1, 1),
            moderation_status="pending",
        )
        s.add(item)
        s.flush()
        theirs, missing = item.id, item.id + 10_000
    answers = []
    for item_id in (theirs, missing):
        for action in (voice.approve_voice_item, voice.withdraw_voice_item):
            with world.write() as s, pytest.raises(Exception) as refused:
                action(s, _user(s, "oldham.analyst"), item_id)
            answers.append((type(refused.value), str(refused.value)))
    assert len(set(answers)) == 1, answers
