"""Long lists of choices wait in an attribute until someone reaches them (LAZY_OPTIONS),
and long chart lines draw a marker every few points."""

from __future__ import annotations

import json

import pandas as pd

from components.charts import LONG_SERIES, MARKERS_ON_LONG_SERIES, trend_figure
from components.controls import LAZY_OPTIONS, checkbox_menu, lazy_select

MONTHS = [{"label": f"Month {n}", "value": f"2024-{n:02d}-01"} for n in range(1, 13)]


def test_lazy001_a_select_draws_its_choice_and_keeps_the_rest_for_its_label():
    control, attribute = lazy_select("pick", MONTHS, "2024-03-01", clearable=True)
    assert [o["value"] for o in control.options] == ["", "2024-03-01"]
    assert control.value == "2024-03-01"
    whole = json.loads(attribute[LAZY_OPTIONS])
    assert whole["id"] == "pick"
    assert [o["value"] for o in whole["options"]] == ["", *[m["value"] for m in MONTHS]]


def test_lazy002_nothing_chosen_shows_the_empty_choice_and_a_short_list_is_drawn_whole():
    control, attribute = lazy_select({"type": "t", "index": "i"}, MONTHS, None, placeholder="All")
    assert control.options == [{"label": "All", "value": ""}]
    assert json.loads(attribute[LAZY_OPTIONS])["id"] == {"type": "t", "index": "i"}
    short, none = lazy_select("one", MONTHS[:1], MONTHS[0]["value"])
    assert short.options == [{"label": "Month 1", "value": "2024-01-01"}] and none == {}


def test_lazy003_a_folded_menu_holds_its_ticked_boxes_until_opened():
    menu = checkbox_menu("menu", MONTHS, ["2024-02-01"], legend="Months")
    checks = menu.children[1].children[1]
    assert [o["value"] for o in checks.options] == ["2024-02-01"]
    assert checks.value == ["2024-02-01"]
    assert len(json.loads(getattr(menu, LAZY_OPTIONS))["options"]) == 12
    whole = checkbox_menu("menu", MONTHS[:2], [m["value"] for m in MONTHS[:2]], legend="Months")
    assert not hasattr(whole, LAZY_OPTIONS) or getattr(whole, LAZY_OPTIONS, None) is None


def _series(points: int) -> pd.DataFrame:
    starts = pd.date_range("2020-01-01", periods=points, freq="MS")
    return pd.DataFrame(
        {
            "series_key": "area",
            "series_name": "Oldham",
            "breakdown_value": "total",
            "period_label": [d.strftime("%b %Y") for d in starts],
            "period_start": starts,
            "value": range(points),
            "lower_ci": None,
            "upper_ci": None,
            "status": None,
        }
    )


def test_lazy004_long_lines_draw_a_marker_every_few_points_short_ones_every_point():
    (long_trace,) = trend_figure(_series(LONG_SERIES + 12), "count")["data"]
    assert long_trace["marker"]["maxdisplayed"] == MARKERS_ON_LONG_SERIES
    assert len(long_trace["y"]) == LONG_SERIES + 12  # every point still hovers
    (short_trace,) = trend_figure(_series(LONG_SERIES), "count")["data"]
    assert "maxdisplayed" not in short_trace["marker"]
