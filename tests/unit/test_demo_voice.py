"""The illustrative demo voice library: shape, allowed values, safety and coverage."""

from __future__ import annotations

import re
import sys
from itertools import combinations
from pathlib import Path

import pandas as pd
import pytest

from analysis.personal_details import find_personal_details

DEMO_DIR = Path(__file__).resolve().parents[2] / "data" / "demo"
AS_OF = "2026-11-28"

COLUMNS = [
    "demo_id",
    "text",
    "speaker_role",
    "age_band",
    "sex",
    "ethnicity_group",
    "disability",
    "area_code",
    "service",
    "method",
    "collected_on",
    "themes",
    "indicators",
    "consent_scope",
    "consent_date",
    "review_date",
    "moderation_status",
    "deidentified",
]
ALLOWED = {
    "speaker_role": {"child", "young_person", "parent_carer", "practitioner", "community"},
    "age_band": {"under 5", "5-10", "11-15", "16-17", "18-21", "22-25", "adult"},
    "sex": {"female", "male", "not recorded"},
    "ethnicity_group": {"White", "Asian", "Black", "Mixed", "Other", "not recorded"},
    "disability": {"yes", "no", "not recorded"},
    "area_code": {"E08000004", "E08000005", "E10000014", "E06000065"},
    "service": {"early_years", "early_help", "care_leavers"},
    "method": {
        "survey",
        "focus_group",
        "interview",
        "participation_group",
        "feedback_form",
        "app_statement",
        "complaint_compliment",
    },
    "consent_scope": {"own_organisation", "learning_network", "publication"},
    "moderation_status": {"approved", "pending"},
}
INDICATORS = {
    "gld",
    "comm_lang",
    "two_year_takeup",
    "slc_waiting_18wk",
    "family_hub_reach_0_4",
    "eh_requests",
    "eh_assessments_timely",
    "eh_closed_needs_met",
    "eh_stepup_csc",
    "cin_rereferral",
    "care_leavers_eet_19_21",
    "care_leavers_accommodation_19_21",
    "care_leavers_not_in_touch",
    "staying_put",
    "pathway_plan_timely",
}


@pytest.fixture(scope="module")
def items() -> pd.DataFrame:
    return pd.read_csv(DEMO_DIR / "voice_items.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def codebook() -> pd.DataFrame:
    return pd.read_csv(DEMO_DIR / "voice_codebook.csv", dtype=str, keep_default_na=False)


def _split(cell: str) -> list[str]:
    return [part for part in cell.split(";") if part]


def test_dvo001_columns_and_about_300_rows(items: pd.DataFrame) -> None:
    assert list(items.columns) == COLUMNS
    assert 280 <= len(items) <= 320
    assert items["demo_id"].is_unique


@pytest.mark.parametrize("column", sorted(ALLOWED))
def test_dvo002_values_are_allowed(items: pd.DataFrame, column: str) -> None:
    assert set(items[column]) <= ALLOWED[column]


def test_dvo003_texts_unique_and_not_near_duplicates(items: pd.DataFrame) -> None:
    assert items["text"].is_unique
    word_sets = [set(re.findall(r"[a-z']+", text.lower())) for text in items["text"]]
    worst = max(len(a & b) / len(a | b) for a, b in combinations(word_sets, 2))
    assert worst < 0.6


def test_dvo004_dates_in_range_and_ordered(items: pd.DataFrame) -> None:
    assert items["collected_on"].between("2024-01-01", "2026-10-31").all()
    for column in ("collected_on", "consent_date", "review_date"):
        pd.to_datetime(items[column], format="%Y-%m-%d")  # raises on a malformed date
    assert (items["consent_date"] <= items["collected_on"]).all()
    assert (items["review_date"] > items["consent_date"]).all()
    past = (items["review_date"] < AS_OF).mean()
    assert 0.05 < past < 0.5


def test_dvo005_consent_scope_spread(items: pd.DataFrame) -> None:
    share = items["consent_scope"].value_counts(normalize=True)
    assert share["own_organisation"] == pytest.approx(0.4, abs=0.05)
    assert share["learning_network"] == pytest.approx(0.4, abs=0.05)
    assert share["publication"] == pytest.approx(0.2, abs=0.05)


def test_dvo006_mostly_approved_all_deidentified(items: pd.DataFrame) -> None:
    approved = (items["moderation_status"] == "approved").mean()
    assert 0.75 < approved < 1.0
    assert set(items["deidentified"]) == {"true"}


def test_dvo007_age_bands_match_roles(items: pd.DataFrame) -> None:
    bands = items.groupby("speaker_role")["age_band"].agg(set)
    assert bands["child"] <= {"under 5", "5-10"}
    assert bands["young_person"] <= {"11-15", "16-17", "18-21", "22-25"}
    for role in ("parent_carer", "practitioner", "community"):
        assert bands[role] == {"adult"}


def test_dvo008_every_theme_in_codebook(items: pd.DataFrame, codebook: pd.DataFrame) -> None:
    assert list(codebook.columns) == ["id", "label", "description", "examples"]
    assert 15 <= len(codebook) <= 25 and codebook["id"].is_unique
    assert (codebook[["label", "description", "examples"]] != "").all().all()
    used = {theme for cell in items["themes"] for theme in _split(cell)}
    assert used <= set(codebook["id"])
    assert all(_split(cell) for cell in items["themes"])


def test_dvo009_indicators_are_known_ids(items: pd.DataFrame) -> None:
    used = {ind for cell in items["indicators"] for ind in _split(cell)}
    assert used <= INDICATORS
    assert used == INDICATORS  # every listed indicator has some voice
    assert all(_split(cell) for cell in items["indicators"])


def test_dvo010_checker_finds_no_personal_details(items: pd.DataFrame) -> None:
    flagged = {text: find_personal_details(text) for text in items["text"]}
    assert {text: found for text, found in flagged.items() if found} == {}


def test_dvo011_oldham_speech_language_quotes(items: pd.DataFrame) -> None:
    oldham = items[
        (items["area_code"] == "E08000004")
        & (items["moderation_status"] == "approved")
        & items["themes"].map(lambda cell: "speech_language" in _split(cell))
        & items["indicators"].map(lambda cell: {"gld", "comm_lang"} <= set(_split(cell)))
    ]
    assert len(oldham) >= 5
    assert oldham["speaker_role"].nunique() >= 2


def test_dvo012_all_roles_and_services_heard(items: pd.DataFrame) -> None:
    assert set(items["speaker_role"]) == ALLOWED["speaker_role"]
    assert set(items["service"]) == ALLOWED["service"]
    assert items["area_code"].value_counts().min() >= 30


def test_dvo013_generator_reproduces_committed_csv(items: pd.DataFrame) -> None:
    import importlib.util

    script = DEMO_DIR.parents[1] / "tools" / "make_demo_voice.py"
    spec = importlib.util.spec_from_file_location("make_demo_voice", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    regenerated = pd.DataFrame(module.make_items())
    pd.testing.assert_frame_equal(regenerated, items)
