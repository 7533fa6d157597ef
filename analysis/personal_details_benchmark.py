"""How well the personal-details check does on a labelled set of sentences.

The set (``data/reference/personal_details_labelled.csv``, columns ``label`` and
``sentence``) was written for the purpose: about half the sentences hold a personal detail
(``label`` = ``detail``: names, short forms, self-introductions, a role then a name,
streets with or without a number, phone numbers, emails, postcodes, dates of birth, NHS
numbers) and half are tricky without one (``none``: Hope, Will, Grace, months, names of
services and places, roles with no name). Recall is the share of ``detail`` sentences
flagged; the false-alarm rate is the share of ``none`` sentences flagged.

The set was written alongside the rules it measures, so it shows what they were built to
catch and to let pass; sentences from real moderation, added here as they come, make it a
fairer test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.personal_details import find_personal_details

LABELLED_FILE = (
    Path(__file__).resolve().parent.parent / "data" / "reference" / "personal_details_labelled.csv"
)
LABELS = ("detail", "none")


def load_labelled(path: Path = LABELLED_FILE) -> pd.DataFrame:
    """The labelled sentences: columns ``label`` (detail or none) and ``sentence``."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    unknown = set(frame["label"]) - set(LABELS)
    if unknown:
        raise ValueError(f"unknown labels in {path.name}: {sorted(unknown)}")
    return frame[["label", "sentence"]]


@dataclass(frozen=True)
class DetectionRates:
    positives: int
    negatives: int
    recall: float
    false_alarm_rate: float
    missed: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)


def detection_rates(labelled: pd.DataFrame) -> DetectionRates:
    """Recall and false-alarm rate of :func:`find_personal_details` on ``labelled``
    (columns ``label``, ``sentence``)."""
    flagged = [bool(find_personal_details(s)) for s in labelled["sentence"]]
    is_detail = (labelled["label"] == "detail").tolist()
    missed = [
        s for s, f, d in zip(labelled["sentence"], flagged, is_detail, strict=True) if d and not f
    ]
    alarms = [
        s for s, f, d in zip(labelled["sentence"], flagged, is_detail, strict=True) if f and not d
    ]
    positives = sum(is_detail)
    negatives = len(is_detail) - positives
    return DetectionRates(
        positives=positives,
        negatives=negatives,
        recall=(positives - len(missed)) / positives if positives else 0.0,
        false_alarm_rate=len(alarms) / negatives if negatives else 0.0,
        missed=missed,
        false_alarms=alarms,
    )
