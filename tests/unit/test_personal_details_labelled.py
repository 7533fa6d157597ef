"""The personal-details check on the labelled sentences written for it: recall at least
95% and false alarms at most 10% (``make bench`` reports both)."""

from __future__ import annotations

import pandas as pd

from analysis.personal_details_benchmark import detection_rates, load_labelled
from bench.personal_details import markdown_lines, run_personal_details


def test_pdl001_the_labelled_set_is_large_and_balanced():
    labelled = load_labelled()
    counts = labelled["label"].value_counts()
    assert len(labelled) >= 200
    assert counts["detail"] >= 100 and counts["none"] >= 100
    assert labelled["sentence"].is_unique
    tricky = " ".join(labelled.loc[labelled["label"] == "none", "sentence"])
    for word in ("Hope", "Will", "Grace", "May", "April", "Centre", "Hub"):
        assert word in tricky, word


def test_pdl002_recall_and_false_alarms_hold():
    rates = detection_rates(load_labelled())
    assert rates.recall >= 0.95, rates.missed
    assert rates.false_alarm_rate <= 0.10, rates.false_alarms


def test_pdl003_the_rates_count_what_they_say():
    frame = pd.DataFrame(
        {
            "label": ["detail", "detail", "none", "none"],
            "sentence": [
                "Ring me on 07700 900123.",
                "nothing to see here",
                "I hope it helps.",
                "My foster carer Dave came.",
            ],
        }
    )
    rates = detection_rates(frame)
    assert (rates.recall, rates.false_alarm_rate) == (0.5, 0.5)
    assert rates.missed == ["nothing to see here"]
    assert rates.false_alarms == ["My foster carer Dave came."]


def test_pdl004_bench_reports_both_rates():
    result = run_personal_details()
    assert result["sentences"] >= 200
    text = "\n".join(markdown_lines(result))
    assert "Recall" in text and "false alarms" in text


def test_pdl005_the_new_kinds_of_detail_are_caught():
    from analysis.personal_details import find_personal_details

    cases = {
        "My foster carer Dave always listens.": "Dave",
        "I'm Jordan, I'm 15.": "Jordan",
        "We lived in the house on Union Street.": "Union Street",
        "My carer Will takes me to football.": "Will",
        "Auntie Bernie took us in.": "Bernie",
    }
    for text, flagged in cases.items():
        assert flagged in [f.text for f in find_personal_details(text)], text
    for text in (
        "I'm Muslim and proud of it.",
        "Hope Street Family Centre gave us a cot.",
        "The High Street is busy.",
        "My foster carer always listens.",
    ):
        assert find_personal_details(text) == [], text
