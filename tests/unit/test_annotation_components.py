"""Chart markers, exports and chart links for notes (pure functions, no database)."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlsplit

from components.annotation_exports import annotations_csv, annotations_html, neutralise_cell
from components.annotations import annotation_overlay, is_note_shape, is_note_trace, marker_overlay
from data_access.annotations import explore_href

PERIODS = [
    {"label": "Jan 2025", "start": "2025-01-01", "end": "2025-01-31"},
    {"label": "Feb 2025", "start": "2025-02-01", "end": "2025-02-28"},
    {"label": "Mar 2025", "start": "2025-03-01", "end": "2025-03-31"},
]


def _note(note_id: int, kind: str, scope: str, start: str, end: str, body: str = "text") -> dict:
    return {
        "id": note_id,
        "kind": kind,
        "scope": scope,
        "period_start": start,
        "period_end": end,
        "body": body,
        "author": "A",
    }


def test_annc001_points_are_markers_per_kind_and_ranges_are_patterned_spans():
    notes = [
        _note(1, "question", "point", "2025-02-01", "2025-02-28", "<b>bold</b>"),
        _note(2, "context_event", "range", "2025-01-01", "2025-03-31"),
        _note(3, "question", "point", "2024-01-01", "2024-01-31"),  # not on the chart
    ]
    traces, shapes = annotation_overlay(notes, PERIODS)
    by_name = {t["name"]: t for t in traces}
    assert by_name["Note: question"]["marker"]["symbol"] == "square"
    assert by_name["Note: question"]["x"] == ["2025-02-01"]
    assert "&lt;b&gt;bold&lt;/b&gt;" in by_name["Note: question"]["hovertext"][0]
    assert by_name["Note: context or event"]["marker"]["symbol"] == "diamond"
    (span,) = shapes
    assert span["line"]["dash"] == "dash" and "range" in span["label"]["text"]
    assert span["x0"] < "2025-01-01" and span["x1"] > "2025-03-01"


def test_annc002_marker_overlay_holds_what_the_browser_swaps_in():
    notes = [
        _note(1, "action", "point", "2025-03-01", "2025-03-31"),
        _note(2, "data_quality", "range", "2025-01-01", "2025-02-28"),
    ]
    overlay = marker_overlay(notes, PERIODS)
    # A range has a hoverable marker at its first period too; traces follow the kinds' order.
    assert [t["uid"] for t in overlay["traces"]] == [
        "chorus-note-data_quality",
        "chorus-note-action",
    ]
    assert all(is_note_trace(t) for t in overlay["traces"])
    assert [s["name"] for s in overlay["shapes"]] == ["chorus-note-range-2"]
    assert all(is_note_shape(s) for s in overlay["shapes"])
    assert overlay["axis_name"] == "yaxis9" and overlay["axis"]["visible"] is False
    # The chart's own traces and shapes are not mistaken for notes.
    assert not is_note_trace({"uid": "line"}) and not is_note_shape({"name": "panel-own"})
    assert marker_overlay([], PERIODS)["traces"] == []


def test_annc003_formula_cells_are_neutralised_in_csv():
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert neutralise_cell(f"{start}SUM(A1)") == f"'{start}SUM(A1)"
    assert neutralise_cell(-1.5) == -1.5
    assert neutralise_cell("fine") == "fine"
    note = {**_note(1, "question", "point", "2025-01-01", "2025-01-31", "=1+1"), "tags": ["@x"]}
    note["replies"] = [{"id": 2, "parent_id": 1, "body": "-2+A1", "tags": []}]
    rows = list(csv.DictReader(io.StringIO(annotations_csv([note]))))
    assert [r["body"] for r in rows] == ["'=1+1", "'-2+A1"]
    # A plain number as text ("-2") is read by a spreadsheet as the number: left alone.
    assert neutralise_cell("-2") == "-2"
    assert rows[0]["tags"] == "'@x" and rows[1]["kind"] == "reply"


def test_annc004_html_export_escapes_all_user_text():
    note = {
        **_note(1, "question", "point", "2025-01-01", "2025-01-31", "<script>x()</script>"),
        "author": "<img src=x onerror=y>",
        "tags": ["<t>"],
        "replies": [{"body": "<a href='javascript:z'>r</a>", "author": "B"}],
    }
    document = annotations_html([note], title="<Notes>")
    assert "<script>x()" not in document and "<img" not in document and "<a href" not in document
    assert "&lt;script&gt;x()&lt;/script&gt;" in document
    assert "<script" not in document.lower()


def test_annc005_chart_link_uses_the_explore_query_format():
    href = explore_href(
        {
            "id": 7,
            "indicator": "gld",
            "area_code": "E08000004",
            "breakdown": "total",
            "view_state": {
                "comparators": ["E92000001", "E12000002"],
                "breakdown": "fsm",
                "period_from": "2021-09-01",
                "period_to": "2025-08-31",
            },
        }
    )
    parts = urlsplit(href)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert parts.path == "/explore"
    assert query == {
        "indicator": "gld",
        "area": "E08000004",
        "compare": "E92000001,E12000002",
        "breakdown": "fsm",
        "from": "2021-09-01",
        "to": "2025-08-31",
        "note": "7",
    }
