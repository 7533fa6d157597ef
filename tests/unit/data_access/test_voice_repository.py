"""Voice repository on SQLite and PostgreSQL: consent scope, moderation, withdrawal, import."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from data_access import voice
from data_access.models import AuditEvent, Observation, Organisation, VoiceItem
from data_access.users import create_user, get_or_create_organisation, user_with_hash

# (code, name, in the Learning Network)
ORGS = (
    ("E08000004", "Oldham", True),
    ("E08000005", "Rochdale", True),
    ("E08000003", "Manchester", False),
    ("RESEARCH", "Research team", True),
)
ROLES = ("viewer", "practitioner", "analyst", "admin")
CODEBOOK = Path(__file__).resolve().parents[3] / "data" / "demo" / "voice_codebook.csv"
CLEAN = "Waiting for speech therapy felt endless, but the talk group helped us."


def _user(session, username):  # type: ignore[no-untyped-def]
    return user_with_hash(session, username)[0]


def _item(session, org_code, scope, status="approved", **extra):  # type: ignore[no-untyped-def]
    org = get_or_create_organisation(session, org_code, org_code)
    values = dict(
        text=f"{org_code} {scope} {status}: the hub felt welcoming.",
        speaker_role="parent_carer",
        age_band="adult",
        area_code=org_code if org_code != "RESEARCH" else "E08000004",
        organisation_id=org.id,
        service="early_years",
        method="interview",
        collected_on=date(2025, 5, 1),
        consent_scope=scope,
        consent_date=date(2025, 5, 1),
        review_date=date(2030, 1, 1),
        moderation_status=status,
    )
    values.update(extra)
    item = VoiceItem(**values)
    session.add(item)
    session.flush()
    return item


@pytest.fixture
def world(any_db):  # type: ignore[no-untyped-def]
    """Organisations, one user per role each, the demo codebook and a grid of items."""
    with any_db.write() as s:
        for code, name, network in ORGS:
            org = get_or_create_organisation(s, code, name, "local_authority", network)
            for role in ROLES:
                create_user(s, f"{name.split()[0].lower()}.{role}", "not-a-hash", org, role)
        voice.upsert_codebook(s, pd.read_csv(CODEBOOK, dtype=str))
        items = []
        for code, _, _ in ORGS[:3]:
            for scope in voice.CONSENT_SCOPES:
                items.append(_item(s, code, scope).id)
            items.append(_item(s, code, "learning_network", status="pending").id)
            items.append(
                _item(s, code, "publication", status="withdrawn", withdrawn=True, text="").id
            )
    return any_db


def _expected(user, item: VoiceItem, owner_in_network: bool, moderation: bool) -> bool:  # type: ignore[no-untyped-def]
    """The consent rules, written out independently of the SQL."""
    if item.withdrawn or item.moderation_status == "withdrawn":
        return False
    same_org = item.organisation_id == user.organisation_id
    if item.moderation_status == "pending":
        return moderation and same_org and user.role in ("analyst", "admin")
    if item.consent_scope == "publication":
        return True
    if item.consent_scope == "own_organisation":
        return same_org
    return same_org or (user.in_learning_network and owner_in_network)


@pytest.mark.parametrize("moderation", [False, True])
def test_voi001_scope_matrix_every_role_and_organisation(world, moderation):
    network = {code: flag for code, _, flag in ORGS}
    with world.write() as s:
        items = list(s.scalars(select(VoiceItem)))
        owners = {o.id: o.code for o in s.scalars(select(Organisation))}
        checked = 0
        for _, name, _ in ORGS:
            for role in ROLES:
                user = _user(s, f"{name.split()[0].lower()}.{role}")
                seen = set(
                    voice.visible_voice_items(s, user, moderation=moderation)["id"].astype(int)
                )
                for item in items:
                    expected = _expected(
                        user, item, network[owners[item.organisation_id]], moderation
                    )
                    assert (item.id in seen) == expected, (name, role, item.consent_scope, item.id)
                    checked += 1
    assert checked == len(ORGS) * len(ROLES) * 15


def test_voi002_rochdale_cannot_see_oldham_own_organisation_items(world):
    with world.write() as s:
        rochdale = _user(s, "rochdale.admin")
        oldham = _user(s, "oldham.viewer")
        seen_by_rochdale = voice.visible_voice_items(s, rochdale, area_codes="E08000004")
        seen_by_oldham = voice.visible_voice_items(s, oldham, area_codes="E08000004")
    assert "own_organisation" not in set(seen_by_rochdale["consent_scope"])
    assert "own_organisation" in set(seen_by_oldham["consent_scope"])


def test_voi003_restricted_reads_are_audited_without_text(world):
    with world.write() as s:
        user = _user(s, "oldham.viewer")
        frame = voice.visible_voice_items(s, user, purpose="library")
    restricted = set(frame.loc[frame["consent_scope"] == "own_organisation", "id"].astype(int))
    assert restricted
    with world.read() as s:
        events = s.execute(
            select(AuditEvent.object_id, AuditEvent.username, AuditEvent.detail).where(
                AuditEvent.action == "voice.read_restricted"
            )
        ).all()
    assert {int(e.object_id) for e in events} == restricted
    for event in events:
        assert event.username == "oldham.viewer"
        assert "welcoming" not in (event.detail or "")
        assert json.loads(event.detail)["purpose"] == "library"


def test_voi004_withdrawal_keeps_a_tombstone_and_hides_everywhere(world):
    with world.write() as s:
        analyst = _user(s, "oldham.analyst")
        target = voice.visible_voice_items(s, analyst, consent_scopes="publication")
        target_id = int(target.loc[target["organisation_code"] == "E08000004", "id"].iloc[0])
        voice.withdraw_voice_item(s, analyst, target_id)
    with world.write() as s:
        item = s.get(VoiceItem, target_id)
        assert item.text == "" and item.withdrawn and item.moderation_status == "withdrawn"
        assert item.collected_on == date(2025, 5, 1) and item.withdrawn_at is not None
        for username in ("oldham.analyst", "rochdale.viewer", "manchester.viewer"):
            user = _user(s, username)
            for purpose, moderation in (("library", False), ("export", False), ("mod", True)):
                frame = voice.visible_voice_items(s, user, purpose=purpose, moderation=moderation)
                assert target_id not in set(frame["id"].astype(int))
        stones = voice.tombstones(s, _user(s, "oldham.analyst"))
        assert target_id in set(stones["id"])
        audit = s.scalar(
            select(AuditEvent.username).where(
                AuditEvent.action == "voice.withdraw", AuditEvent.object_id == str(target_id)
            )
        )
    assert audit == "oldham.analyst"


def _input(text: str = CLEAN, **extra) -> voice.VoiceInput:  # type: ignore[no-untyped-def]
    values = dict(
        text=text,
        speaker_role="parent_carer",
        service="early_years",
        method="interview",
        consent_scope="own_organisation",
        consent_date=date(2026, 1, 5),
        collected_on=date(2026, 1, 5),
        review_date=date(2028, 1, 5),
        age_band="adult",
        themes=("speech_language",),
        indicators=("gld",),
    )
    values.update(extra)
    return voice.VoiceInput(**values)


def test_voi005_phone_number_blocks_saving_until_removed(world):
    with world.write() as s:
        practitioner = _user(s, "oldham.practitioner")
        with pytest.raises(voice.PersonalDetailsFound) as raised:
            voice.create_voice_item(s, practitioner, _input(CLEAN + " Ring me on 07700 900123."))
        assert raised.value.findings[0].kind == "phone"
        item = voice.create_voice_item(s, practitioner, _input())
        assert item.moderation_status == "pending" and item.deidentified
        item_id = item.id
    with world.write() as s:
        viewer = _user(s, "oldham.viewer")
        assert item_id not in set(voice.visible_voice_items(s, viewer)["id"].astype(int))
        voice.approve_voice_item(s, _user(s, "oldham.analyst"), item_id)
    with world.write() as s:
        shown = voice.visible_voice_items(s, _user(s, "oldham.viewer"), indicator="gld")
    assert item_id in set(shown["id"].astype(int))
    assert shown.set_index("id").loc[item_id, "themes"] == ["speech_language"]


def test_voi006_false_alarm_needs_an_analyst_before_approval(world):
    text = "Sarah Church at the hub always rang back."
    with world.write() as s:
        practitioner = _user(s, "oldham.practitioner")
        item = voice.create_voice_item(s, practitioner, _input(text), false_alarm=True)
        assert not item.deidentified
        item_id = item.id
    with world.write() as s:
        analyst = _user(s, "oldham.analyst")
        with pytest.raises(voice.VoiceError, match="personal details"):
            voice.approve_voice_item(s, analyst, item_id)
    with world.write() as s:
        with pytest.raises(voice.VoiceNotAllowed):
            voice.mark_false_alarm(s, _user(s, "rochdale.analyst"), item_id)
    with world.write() as s:
        with pytest.raises(voice.VoiceNotAllowed):
            voice.mark_false_alarm(s, _user(s, "oldham.practitioner"), item_id)
    with world.write() as s:
        analyst = _user(s, "oldham.analyst")
        voice.mark_false_alarm(s, analyst, item_id)
        voice.approve_voice_item(s, analyst, item_id)
        assert s.get(VoiceItem, item_id).moderation_status == "approved"


def test_voi007_viewer_cannot_write_and_other_org_cannot_moderate(world):
    with world.write() as s:
        with pytest.raises(voice.VoiceNotAllowed):
            voice.create_voice_item(s, _user(s, "oldham.viewer"), _input())
        pending = s.scalar(
            select(VoiceItem.id).where(
                VoiceItem.moderation_status == "pending", VoiceItem.area_code == "E08000004"
            )
        )
    for username in ("rochdale.analyst", "oldham.practitioner"):
        with world.write() as s:
            with pytest.raises(voice.VoiceNotAllowed):
                voice.approve_voice_item(s, _user(s, username), pending)
    with world.read() as s:
        assert s.get(VoiceItem, pending).moderation_status == "pending"


def test_voi008_past_review_is_flagged_and_hidden_by_the_setting(world, monkeypatch):
    with world.write() as s:
        old = _item(s, "E08000004", "publication", review_date=date.today() - timedelta(days=1))
        old_id = old.id
    monkeypatch.setenv("CHORUS_HIDE_VOICE_PAST_REVIEW", "0")
    with world.write() as s:
        frame = voice.visible_voice_items(s, _user(s, "rochdale.viewer"))
        assert bool(frame.set_index("id").loc[old_id, "past_review"])
        assert not frame.set_index("id").drop(old_id)["past_review"].any()
    monkeypatch.setenv("CHORUS_HIDE_VOICE_PAST_REVIEW", "1")
    with world.write() as s:
        assert old_id not in set(voice.visible_voice_items(s, _user(s, "rochdale.viewer"))["id"])
        # The moderation queue still shows it, so an analyst can review it.
        queue = voice.moderation_queue(s, _user(s, "oldham.analyst"), "approved")
        assert old_id in set(queue["id"])
        # Oldham's admin overrides the global setting for Oldham's items.
        voice.set_hide_past_review(s, _user(s, "oldham.admin"), False)
    with world.write() as s:
        assert old_id in set(voice.visible_voice_items(s, _user(s, "rochdale.viewer"))["id"])


def test_voi009_attribution_is_coarsened_for_small_groups():
    rows = pd.DataFrame(
        {
            "speaker_role": ["young_person", "young_person", "child"],
            "age_band": ["16-17", "16-17", "5-10"],
            "area_code": ["A", "A", "A"],
            "service": ["care_leavers", "care_leavers", "early_years"],
            "collected_on": [date(2025, 3, 1), date(2024, 3, 1), date(2025, 3, 1)],
        }
    )
    counts = pd.DataFrame(
        {
            "speaker_role": ["young_person", "young_person", "young_person", "child"],
            "age_band": ["16-17", "18-21", "16-17", "5-10"],
            "area_code": ["A", "A", "A", "A"],
            "year": [2025, 2025, 2024, 2025],
            "items": [6, 2, 3, 1],
        }
    )
    out = voice.add_attribution(rows, counts, threshold=5)
    assert out["attribution"].tolist() == [
        "Young person, 16-17, care leavers, 2025",
        "Young person, care leavers",
        "Child, early years",
    ]
    assert out["attribution_coarsened"].tolist() == [False, True, True]
    # Role, area and year together reach the threshold: only the age band goes.
    counts.loc[counts["year"] == 2024, "items"] = 1
    counts.loc[len(counts)] = ["young_person", "11-15", "A", 2024, 4]
    out = voice.add_attribution(rows.iloc[[1]], counts, threshold=5)
    assert out["attribution"].tolist() == ["Young person, care leavers, 2024"]


def test_voi010_csv_import_reports_rejected_rows_with_line_numbers(world):
    content = "\n".join(
        [
            "text,speaker_role,service,method,consent_scope,consent_date,themes,indicators",
            f'"{CLEAN}",parent_carer,early_years,survey,publication,2026-01-01,speech_language,gld',
            '"Call me on 07700 900123 any time.",parent_carer,early_years,survey,publication,'
            "2026-01-01,,",
            '"The hub was warm.",alien,early_years,survey,publication,2026-01-01,,',
            '"The hub was warm.",child,early_years,survey,publication,not-a-date,,',
            '"Family time matters.",child,early_years,survey,own_organisation,2026-02-01,,gld',
        ]
    )
    with world.write() as s:
        report = voice.import_voice_csv(s, _user(s, "oldham.analyst"), content, "survey.csv")
    assert report.rows_total == 5 and report.rows_loaded == 2
    assert [r["line"] for r in report.rejected] == [3, 4, 5]
    assert "phone number" in report.rejected[0]["reason"]
    assert "speaker role" in report.rejected[1]["reason"]
    assert "not a date" in report.rejected[2]["reason"]
    with world.read() as s:
        loaded = s.execute(
            select(VoiceItem.moderation_status, VoiceItem.batch_id).where(
                VoiceItem.id.in_(report.item_ids)
            )
        ).all()
    assert loaded == [("pending", report.batch_id)] * 2
    with world.write() as s:
        with pytest.raises(voice.VoiceNotAllowed):
            voice.import_voice_csv(s, _user(s, "oldham.practitioner"), content)


def test_voi011_codebook_create_update_and_delete(world):
    with world.write() as s:
        analyst = _user(s, "oldham.analyst")
        theme = voice.save_theme(s, analyst, "Food and hunger", "Having enough to eat.", "")
        assert theme.id == "food_and_hunger"
        voice.save_theme(s, analyst, "Food", "Enough to eat.", "school dinners", theme.id)
        with pytest.raises(voice.VoiceError):
            voice.save_theme(s, analyst, "Food and hunger")
    with world.write() as s:
        analyst = _user(s, "oldham.analyst")
        themes = voice.list_themes(s).set_index("id")
        assert themes.loc["food_and_hunger", "label"] == "Food"
        item = voice.create_voice_item(s, analyst, _input(themes=("food_and_hunger",)))
        with pytest.raises(voice.VoiceError, match="used by 1"):
            voice.delete_theme(s, analyst, "food_and_hunger")
        voice.withdraw_voice_item(s, analyst, item.id)
        s.execute(voice.delete(voice.VoiceItemTheme))
        voice.delete_theme(s, analyst, "food_and_hunger")
        assert "food_and_hunger" not in set(voice.list_themes(s)["id"])
        with pytest.raises(voice.VoiceNotAllowed):
            voice.save_theme(s, _user(s, "oldham.practitioner"), "Anything")


def test_voi012_filters_indicator_theme_search_dates_and_export(world):
    with world.write() as s:
        analyst = _user(s, "oldham.analyst")
        linked = voice.create_voice_item(s, analyst, _input(consent_scope="publication"))
        general = voice.create_voice_item(
            s, analyst, _input("Nursery staff know us by name.", indicators=())
        )
        other = voice.create_voice_item(
            s, analyst, _input("Leaving care was lonely.", service="care_leavers", indicators=())
        )
        for item in (linked, general, other):
            voice.approve_voice_item(s, analyst, item.id)
        ids = {linked.id, general.id, other.id}
    with world.write() as s:
        user = _user(s, "oldham.viewer")

        def found(**filters):  # type: ignore[no-untyped-def]
            return set(voice.visible_voice_items(s, user, **filters)["id"].astype(int)) & ids

        assert found(indicator="gld") == {linked.id}
        assert found(indicator="gld", include_indicator_theme=True) == {linked.id, general.id}
        assert found(search="LONELY") == {other.id}
        assert found(search="%") == set()
        assert found(themes="speech_language", services="early_years") == {linked.id, general.id}
        assert found(date_from="2026-01-06") == set()
        assert found(date_to=date(2026, 1, 5)) == ids
        assert found(purpose="export") == {linked.id}


def test_voi013_seed_demo_loads_oldham_speech_quotes_beside_gld(world):
    from data_access.demo import DATA_DIR
    from data_access.demo import voice as demo_voice

    with world.write() as s:
        s.execute(voice.delete(VoiceItem).where(VoiceItem.id > 0))
        added = demo_voice.seed_demo_extra(s, DATA_DIR)
    # Hampshire and North Yorkshire are not in this test's organisations.
    assert added == 104 + 72
    with world.write() as s:
        frame = voice.visible_voice_items(
            s, _user(s, "oldham.viewer"), indicator="gld", area_codes="E08000004"
        )
    speech = frame[frame["themes"].map(lambda t: "speech_language" in t)]
    assert len(speech) >= 5
    assert frame["illustrative"].all()
    assert frame["collected_on"].is_monotonic_decreasing


def test_voi014_coverage_flags_under_represented_groups(world):
    with world.write() as s:
        analyst = _user(s, "oldham.analyst")
        for index in range(12):
            item = voice.create_voice_item(
                s,
                analyst,
                _input(
                    f"Early help made a difference, visit {index}.",
                    service="early_help",
                    ethnicity_group="White",
                    indicators=(),
                ),
            )
            voice.approve_voice_item(s, analyst, item.id)
        for group, count in (("white", 600.0), ("asian", 400.0)):
            s.add(
                Observation(
                    indicator_id="eh_requests",
                    area_code="E08000004",
                    period_label="Jan 2026",
                    period_start=date(2026, 1, 1),
                    period_end=date(2026, 1, 31),
                    breakdown="ethnicity",
                    breakdown_value=group,
                    numerator=count,
                )
            )
    with world.write() as s:
        coverage = voice.coverage_for(
            s, _user(s, "oldham.viewer"), "E08000004", "early_help", "ethnicity_group", 5
        ).set_index("group")
    assert bool(coverage.loc["asian", "under_represented"])
    assert not bool(coverage.loc["white", "under_represented"])
    assert coverage.loc["white", "population_share"] == pytest.approx(60.0)


def test_voi015_you_said_we_did_drops_withdrawn_quotes(world):
    from data_access.models import Annotation, AnnotationVoiceLink, User

    with world.write() as s:
        analyst = _user(s, "oldham.analyst")
        quote = voice.create_voice_item(s, analyst, _input())
        voice.approve_voice_item(s, analyst, quote.id)
        oldham = s.scalar(select(Organisation).where(Organisation.code == "E08000004"))
        author = s.scalar(select(User).where(User.username == "oldham.analyst"))
        note = Annotation(
            indicator_id="gld",
            area_code="E08000004",
            kind="action",
            body="We opened a Saturday talk group.",
            author_id=author.id,
            organisation_id=oldham.id,
            visibility="organisation",
        )
        s.add(note)
        s.flush()
        s.add(AnnotationVoiceLink(annotation_id=note.id, voice_item_id=quote.id))
    with world.write() as s:
        entries = voice.you_said_we_did(s, _user(s, "oldham.viewer"), "E08000004")
        assert [q["id"] for q in entries[0]["quotes"]] == [quote.id]
        assert voice.you_said_we_did(s, _user(s, "rochdale.viewer")) == []
        voice.withdraw_voice_item(s, _user(s, "oldham.analyst"), quote.id)
    with world.write() as s:
        assert voice.you_said_we_did(s, _user(s, "oldham.viewer")) == []


def test_voi016_edit_checks_the_text_again_and_is_audited(world):
    with world.write() as s:
        analyst = _user(s, "oldham.analyst")
        item_id = voice.create_voice_item(s, analyst, _input()).id
    with world.write() as s:
        analyst = _user(s, "oldham.analyst")
        with pytest.raises(voice.PersonalDetailsFound):
            voice.edit_voice_item(s, analyst, item_id, _input(CLEAN + " Email a.b@example.org"))
    with world.write() as s:
        analyst = _user(s, "oldham.analyst")
        voice.edit_voice_item(
            s, analyst, item_id, _input("Shorter, kinder words.", age_band="16-17")
        )
        with pytest.raises(voice.VoiceNotAllowed):
            voice.edit_voice_item(s, _user(s, "rochdale.analyst"), item_id, _input())
    with world.read() as s:
        item = s.get(VoiceItem, item_id)
        assert (item.text, item.age_band) == ("Shorter, kinder words.", "16-17")
        detail = s.scalar(
            select(AuditEvent.detail).where(
                AuditEvent.action == "voice.edit", AuditEvent.object_id == str(item_id)
            )
        )
    assert set(json.loads(detail)["fields"]) == {"text", "age_band"}
    assert "kinder" not in detail


def test_voi017_attribution_counted_for_the_page_equals_counting_the_whole_library(world):
    """A page of quotes is attributed from counts of its own roles and areas only; the
    lines are the same as when the whole library is counted."""
    with world.write() as s:
        first_area = ORGS[0][0]
        for _ in range(5):
            _item(s, first_area, "publication", speaker_role="child", age_band="5-10")
            _item(s, ORGS[1][0], "publication")  # parent or carer, adult
        _item(s, first_area, "publication", speaker_role="child", age_band="11-15")
        _item(s, ORGS[1][0], "publication", speaker_role="young_person", age_band="16-17")
    with world.read() as s:
        user = _user(s, f"{ORGS[0][1].split()[0].lower()}.analyst")
        everything = voice.visible_voice_items(s, user, audit=False)
        assert everything["attribution_coarsened"].any()
        assert not everything["attribution_coarsened"].all()
        for limit in (1, 3, None):
            page = voice.visible_voice_items(s, user, limit=limit, audit=False)
            whole = voice.add_attribution(
                page.drop(columns=["attribution", "attribution_coarsened"]),
                voice.attribution_counts(s),
                voice.disclosure_threshold(),
            )
            assert page["attribution"].tolist() == whole["attribution"].tolist()
            assert len(page) == (limit or len(everything))
