"""The LAIT-style verdict: rank, quartile band, gap to England and change since last time."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.verdicts import (
    attention_order,
    build_verdict,
    change_text,
    ordinal,
    verdict_sentence,
    verdict_tone,
    verdict_word,
)

# Eight authorities; "H" is the lowest, so last when high is good.
VALUES = pd.Series({c: v for c, v in zip("ABCDEFGH", [70, 69, 68, 67, 66, 65, 64, 63.1])})


def test_ordinals():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 112, 146, 153)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "112th", "146th", "153rd",
    ]  # fmt: skip


def test_without_counts_the_verdict_is_rank_band_and_gap():
    verdict = build_verdict(
        VALUES, "H", "high_is_good", period_label="2024/25", england=68.3, unit="percent"
    )
    assert (verdict.rank, verdict.ranked, verdict.band) == (8, 8, "D")
    assert verdict.gap == pytest.approx(-5.2)
    assert verdict_sentence(verdict) == (
        "5.2 points below England; 8th of 8, bottom quartile; not tested for significance: "
        "the publisher gives percentages only"
    )
    assert verdict_tone(verdict) == "attention"
    assert verdict_word(verdict) == "Bottom quartile"


def test_polarity_decides_which_end_is_good():
    verdict = build_verdict(VALUES, "H", "low_is_good", period_label="2024/25", england=68.3)
    assert (verdict.rank, verdict.band) == (1, "A")
    assert verdict_tone(verdict) == "good"
    neutral = build_verdict(VALUES, "H", "no_judgement", period_label="2024/25", england=68.3)
    assert verdict_tone(neutral) == "neutral"
    assert "lowest quartile" in verdict_sentence(neutral)


def test_with_counts_the_significance_verdict_leads():
    verdict = build_verdict(
        VALUES, "A", "high_is_good", period_label="2024/25", england=68.3, significance="better"
    )
    assert verdict_word(verdict) == "Better than England"
    assert "significantly better than England" in verdict_sentence(verdict)
    assert "not tested" not in verdict_sentence(verdict)
    # "not compared" from the interval test is no verdict: the rank stands instead.
    untested = build_verdict(
        VALUES, "A", "high_is_good", period_label="x", england=68.3, significance="not compared"
    )
    assert untested.significance is None and verdict_word(untested) == "Top quartile"


def test_not_compared_only_when_no_rank():
    missing = build_verdict(VALUES, "Z", "high_is_good", period_label="2024/25", england=68.3)
    assert missing.rank is None
    assert verdict_sentence(missing).startswith("Not compared")
    assert verdict_word(missing) == "Not compared"
    assert attention_order(missing) > attention_order(
        build_verdict(VALUES, "A", "high_is_good", period_label="2024/25", england=68.3)
    )


def test_change_in_rank_and_band_since_the_previous_period():
    before = pd.Series({c: v for c, v in zip("ABCDEFGH", [70, 69, 68, 67, 66, 65, 61, 64])})
    verdict = build_verdict(
        VALUES, "G", "high_is_good", period_label="2024/25", england=68.3,
        previous_values=before, previous_period_label="2023/24",
    )  # fmt: skip
    assert (verdict.previous_rank, verdict.previous_band) == (8, "D")
    assert change_text(verdict) == "up 1 place from 8th of 8 in 2023/24; still bottom quartile"
    same_band = build_verdict(
        VALUES, "E", "high_is_good", period_label="2024/25", england=68.3,
        previous_values=VALUES.rename({"E": "E"}), previous_period_label="2023/24",
    )  # fmt: skip
    assert change_text(same_band) == "same rank as in 2023/24; still third quartile"
    moved = build_verdict(
        before, "H", "high_is_good", period_label="2024/25", england=68.3,
        previous_values=VALUES, previous_period_label="2023/24",
    )  # fmt: skip
    assert change_text(moved) == "up 1 place from 8th of 8 in 2023/24; still bottom quartile"
    down = build_verdict(
        VALUES, "D", "high_is_good", period_label="2024/25", england=68.3,
        previous_values=pd.Series({"D": 99.0, "A": 1.0}), previous_period_label="2023/24",
    )  # fmt: skip
    assert (
        change_text(down)
        == "down 3 places from 1st of 2 in 2023/24; was top quartile, now second quartile"
    )


def test_round_trip_through_a_dict():
    verdict = build_verdict(VALUES, "H", "high_is_good", period_label="2024/25", england=68.3)
    assert type(verdict).from_dict(verdict.as_dict()) == verdict
