"""Pieces moved out of the pages (components and data_access helpers), on hand-made values:
no database, no app."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

from components.discussion import discussion_summary
from components.pack_page import history_table, html_download
from components.voice_moderation import import_report
from data_access.annotations import filters_from_values, new_annotation_from_form


@dataclass(frozen=True)
class _Pack:
    id: int
    title: str
    created_at: datetime
    has_pdf: bool
    indicators: tuple[str, ...]


def _ids(component: object) -> list[object]:
    found = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("id"), dict):
                found.append(node["id"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(json.dumps(component, default=lambda c: c.to_plotly_json())))
    return found


def test_pgp001_pack_history_offers_pdf_only_where_kept():
    made = datetime(2026, 3, 5, 9, 30, tzinfo=UTC)
    table = history_table(
        [
            _Pack(7, "Monthly pack: Oldham, March 2026", made, True, ("gld",)),
            _Pack(6, "Monthly pack: Oldham, February 2026", made, False, ("gld", "eet")),
        ]
    )
    buttons = [i for i in _ids(table) if i.get("type") == "pack-open"]
    assert buttons == [
        {"type": "pack-open", "pack": 7, "format": "html"},
        {"type": "pack-open", "pack": 7, "format": "pdf"},
        {"type": "pack-open", "pack": 6, "format": "html"},
    ]
    assert "5 March 2026, 09:30 UTC" in json.dumps(table.to_plotly_json(), default=str)
    assert history_table([]).children == "No pack has been made for your organisation yet."
    assert html_download("<p>x</p>", "pack.html")["type"] == "text/html"


def test_pgp002_discussion_filters_read_from_the_form():
    filters = filters_from_values(
        ["early_years", "", None, "question", "open", "12", "", "2026-01-31", "not a date"]
    )
    assert filters.theme == "early_years" and filters.indicator is None
    assert filters.author_id == 12 and filters.kind == "question"
    assert filters.written_from == date(2026, 1, 31) and filters.written_to is None


def test_pgp003_discussion_summary_counts_open_questions():
    notes = [
        {"kind": "question", "status": "open"},
        {"kind": "observation", "status": "open"},
    ]
    assert discussion_summary(notes, has_more=True) == "2+ notes match; 1 open question."
    assert discussion_summary(notes[:1], has_more=False) == "1 note matches; 1 open question."
    assert discussion_summary([], has_more=False) == "No notes you can see match these filters."


def test_pgp004_a_note_needs_a_period_shown_on_the_chart():
    state = {
        "indicator": "gld",
        "area_code": "E08000004",
        "periods": [{"start": "2024-09-01", "end": "2025-08-31", "label": "2024/25"}],
    }
    refused = new_annotation_from_form(
        state, "observation", "point", "2019-09-01", None, "x", "", "own"
    )
    assert refused == "Choose a period shown on the chart."
    note = new_annotation_from_form(
        state, "observation", "point", "2024-09-01", None, "x", "", "own"
    )
    assert not isinstance(note, str)
    assert note.period_start == date(2024, 9, 1) and note.period_end == date(2025, 8, 31)
    assert note.view_state["period_label"] == "2024/25"


def test_pgp005_voice_import_report_lists_rejected_rows_by_line():
    @dataclass
    class Report:
        rows_loaded: int
        rows_total: int
        rejected: list[dict[str, object]]

    shown = import_report(Report(2, 3, [{"line": 4, "reason": "No consent date."}]))
    text = json.dumps([c.to_plotly_json() for c in shown], default=lambda c: c.to_plotly_json())
    assert "2 of 3 rows loaded as pending; 1 rejected." in text
    assert "No consent date." in text and "Rejected rows" in text
    assert len(import_report(Report(1, 1, []))) == 1
