"""Anonymising authorities: labels, whole-word replacement, frames, leak check."""

from __future__ import annotations

import pandas as pd

from analysis.anonymise import (
    anonymise_frame,
    anonymise_text,
    authority_labels,
    leaked_names,
    letter_label,
)

SITES = [
    ("E08000004", "Oldham"),
    ("E06000065", "North Yorkshire"),
    ("E10000023", "North Yorkshire"),
    ("E06000014", "York"),
]


def test_anon001_labels_follow_the_order_given_and_share_a_name():
    mapping = authority_labels(SITES)
    assert mapping["Oldham"] == mapping["E08000004"] == "Authority A"
    assert mapping["E06000065"] == mapping["E10000023"] == "Authority B"
    assert mapping["York"] == "Authority C"
    assert letter_label(25) == "Authority Z" and letter_label(26) == "Authority AA"


def test_anon002_whole_words_longest_first_any_case():
    mapping = authority_labels(SITES)
    text = "OLDHAM and North Yorkshire (E06000065) met York; Yorkshire and Oldhamish stay."
    assert anonymise_text(text, mapping) == (
        "Authority A and Authority B (Authority B) met Authority C; Yorkshire and Oldhamish stay."
    )
    assert anonymise_text(None, mapping) == ""
    assert anonymise_text("no names", {}) == "no names"


def test_anon003_frames_keep_numbers_and_columns():
    frame = pd.DataFrame(
        {
            "series_name": ["Oldham", "England"],
            "area_code": ["E08000004", "E92000001"],
            "value": [1.5, None],
        }
    )
    out = anonymise_frame(frame, authority_labels(SITES), ["series_name", "area_code"])
    assert list(out["series_name"]) == ["Authority A", "England"]
    assert list(out["area_code"]) == ["Authority A", "E92000001"]
    assert out["value"].iloc[0] == 1.5 and pd.isna(out["value"].iloc[1])
    assert list(frame["series_name"]) == ["Oldham", "England"]  # the input is untouched


def test_anon004_leak_check_finds_whole_words_only():
    assert leaked_names("Oldhamish York-based", ["Oldham", "York"]) == ["York"]
    assert leaked_names("Authority A", ["Oldham"]) == []
