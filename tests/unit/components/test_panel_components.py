"""Panel, chart, table, tile and download builders on small hand-made frames."""

from __future__ import annotations

import csv
import io
import math

import pandas as pd
import pytest

from analysis.panel_view import AreaRecord, BreakdownSummary, IndicatorRecord, PanelView
from components.charts import SERIES_STYLES, trend_figure
from components.downloads import CSV_COLUMNS, csv_text, download_filename, series_csv_frame
from components.panel import (
    comparison_phrase,
    comparison_phrases,
    gap_sentence,
    indicator_panel,
    panel_caption,
    panel_state,
    pid,
)
from components.tables import series_table
from components.tiles import comparison_chip

INDICATOR = IndicatorRecord(
    id="gld",
    title="Children reaching a good level of development at the end of reception",
    short_title="Good level of development",
    unit="percent",
    polarity="high_is_good",
    frequency="annual_academic",
    illustrative=False,
)


def _series() -> pd.DataFrame:
    rows = []
    for key, name, code, values in (
        (
            "area",
            "Oldham",
            "E08000004",
            [(59.8, 58.1, 61.5, 2008, 3357), (63.1, None, None, None, None)],
        ),
        (
            "england",
            "England",
            "E92000001",
            [(65.2, 65.0, 65.3, 405723, 622583), (68.3, None, None, None, None)],
        ),
    ):
        for (value, lower, upper, num, den), (label, start, end) in zip(
            values,
            [("2021/22", "2021-09-01", "2022-08-31"), ("2024/25", "2024-09-01", "2025-08-31")],
            strict=True,
        ):
            rows.append(
                {
                    "series_key": key,
                    "series_name": name,
                    "area_code": code,
                    "period_label": label,
                    "period_start": pd.Timestamp(start).date(),
                    "period_end": pd.Timestamp(end).date(),
                    "breakdown": "total",
                    "breakdown_value": "total",
                    "numerator": num if num is not None else math.nan,
                    "denominator": den if den is not None else math.nan,
                    "value": value,
                    "lower_ci": lower if lower is not None else math.nan,
                    "upper_ci": upper if upper is not None else math.nan,
                    "status": None,
                    "england_value": 65.2 if label == "2021/22" else 68.3,
                    "comparison": None
                    if key == "england"
                    else ("worse" if lower else "not compared"),
                }
            )
    return pd.DataFrame(rows)


def _view() -> PanelView:
    series = _series()
    return PanelView(
        indicator=INDICATOR,
        area=AreaRecord(code="E08000004", name="Oldham"),
        series=series,
        breakdown="total",
        comparisons=[
            {
                "key": "england",
                "name": "England",
                "period_label": "2024/25",
                "value": 63.1,
                "benchmark": 68.3,
                "verdict": "not compared",
                "reason": "the publisher gives no counts",
            }
        ],
        counted_point={
            "period_label": "2021/22",
            "value": 59.8,
            "lower_ci": 58.1,
            "upper_ci": 61.5,
            "england_value": 65.2,
            "comparison": "worse",
        },
        trend="cannot be calculated",
        breakdown_summary=BreakdownSummary(breakdown="total"),
        breakdown_options=["total", "fsm"],
        comparator_options=[{"label": "England", "value": "england"}],
        period_options=[],
    )


def _not_compared(name: str, benchmark: float, reason: str) -> dict:
    return {"name": name, "benchmark": benchmark, "verdict": "not compared", "reason": reason}


def test_comp001b_comparisons_not_made_for_one_reason_share_it():
    no_counts = "the publisher gives no counts"
    better = {"name": "Learning Network", "benchmark": 60.0, "verdict": "better", "value": 63.1}
    phrases = comparison_phrases(
        [
            _not_compared("England", 68.3, no_counts),
            _not_compared("North West", 65.0, no_counts),
            better,
            _not_compared("Statistical neighbours (mean)", 64.1, no_counts),
            _not_compared("Greater Manchester", 62.0, "no interval"),
        ],
        "percent",
    )
    assert phrases == [
        "England 68.3% and North West 65.0% (not compared: the publisher gives no counts)",
        "significantly above Learning Network (60.0%), which is better",
        "Statistical neighbours (mean) 64.1% (not compared: the publisher gives no counts)",
        "Greater Manchester 62.0% (not compared: no interval)",
    ]


def test_comp001_caption_states_value_comparison_and_verdict_in_words():
    caption = panel_caption(INDICATOR, "Oldham", _view())
    assert caption.startswith(
        "The chart shows children reaching a good level of development at the end of "
        "reception in Oldham with England, 2021/22 to 2024/25."
    )
    assert (
        "In 2024/25, Oldham: 63.1%; England 68.3% (not compared: the publisher gives no counts)."
        in caption
    )
    assert "significantly below England (65.2%), which is worse." in caption
    assert caption.endswith("Recent trend: trend cannot be calculated.")


def test_comp002_comparison_phrases_name_direction_and_judgement():
    base = {"name": "England", "value": 70.0, "benchmark": 65.0, "reason": None}
    assert comparison_phrase({**base, "verdict": "better"}, "percent") == (
        "significantly above England (65.0%), which is better"
    )
    assert comparison_phrase({**base, "verdict": "higher"}, "percent") == (
        "significantly above England (65.0%)"
    )
    assert comparison_phrase({**base, "verdict": "similar"}, "percent") == (
        "not significantly different from England (65.0%)"
    )


def test_comp003_gap_sentence_with_and_without_interval():
    gap = {
        "group_a": "eligible",
        "group_b": "not_eligible",
        "gap": -17.09,
        "lower_ci": -20.9,
        "upper_ci": -13.2,
        "significant": True,
    }
    assert gap_sentence(gap, "2021/22") == (
        "In 2021/22, eligible minus not eligible: -17.1 percentage points "
        "(95% interval -20.9 to -13.2), a significant gap."
    )
    no_ci = {**gap, "lower_ci": None, "upper_ci": None, "significant": False, "gap": -20.5}
    assert gap_sentence(no_ci, "2024/25").endswith("(no interval: the publisher gives no counts).")


def test_comp004_panel_has_the_shared_contract_ids():
    panel = indicator_panel(
        "p1", INDICATOR, "E08000004", "Oldham", view=_view(), comparators=["england"]
    )
    found = set()

    def walk(node):  # type: ignore[no-untyped-def]
        node_id = getattr(node, "id", None)
        if isinstance(node_id, dict):
            found.add(node_id["type"])
        children = getattr(node, "children", None)
        for child in children if isinstance(children, list) else [children]:
            if child is not None and not isinstance(child, str):
                walk(child)

    walk(panel)
    assert {
        "panel-graph",
        "panel-state",
        "annotation-slot",
        "voice-slot",
        "panel-caption",
        "panel-download",
    } <= found
    assert pid("panel-graph", "p1") == {"type": "panel-graph", "index": "p1"}


def test_comp005_panel_state_lists_periods_drawn_on_a_date_axis():
    state = panel_state("gld", "E08000004", "total", ["england"], None, "2025-08-31", _series())
    assert state["x_axis"] == "date"
    assert state["period_to"] == "2025-08-31" and state["period_from"] is None
    assert state["periods"] == [
        {"label": "2021/22", "start": "2021-09-01", "end": "2022-08-31"},
        {"label": "2024/25", "start": "2024-09-01", "end": "2025-08-31"},
    ]


def test_comp006_every_series_differs_by_marker_and_dash_not_only_colour():
    styles = list(SERIES_STYLES.values())
    assert len({(dash, marker) for _colour, dash, marker in styles}) == len(styles)
    figure = trend_figure(_series(), "percent")
    area, england = figure["data"]
    assert area["marker"]["symbol"] != england["marker"]["symbol"]
    assert area["line"]["dash"] != england["line"]["dash"]
    assert area["error_y"]["array"][0] == pytest.approx(61.5 - 59.8)
    assert area["error_y"]["array"][1] is None and "error_y" not in england
    assert figure["layout"]["xaxis"]["type"] == "date"
    assert area["x"] == ["2021-09-01", "2024-09-01"]
    assert figure["layout"]["xaxis"]["ticktext"] == ["2021/22", "2024/25"]


def test_comp007_csv_is_the_table_rounded_with_symbols_kept():
    series = _series()
    series.loc[1, "status"] = "x"
    series.loc[1, "value"] = math.nan
    frame = series_csv_frame(series, "gld")
    rows = list(csv.DictReader(io.StringIO(csv_text(frame))))
    assert list(rows[0]) == CSV_COLUMNS
    assert rows[0]["numerator"] == "2008" and rows[0]["value"] == "59.8"
    assert rows[0]["comparison_england"] == "worse"
    assert rows[1]["status"] == "x" and rows[1]["value"] == ""
    table = series_table(series, "percent", "caption")
    assert len(table.children[2].children) == len(rows)
    assert download_filename("gld", "Oldham", "total") == "gld_oldham_total.csv"


def test_comp008_chips_say_the_verdict_in_words():
    chip = comparison_chip("worse", "England")
    assert chip.children == "worse than England"
    assert "chip-worse" in chip.className
    assert comparison_chip("not compared", "England").children == "not compared with England"


def test_comp009_map_keeps_every_authority_beneath_and_says_why_a_figure_is_missing():
    from components.charts import NO_FIGURE_GREY, choropleth_figure

    values = pd.DataFrame(
        {
            "area_code": ["E08000004", "E08000005"],
            "area_name": ["Oldham", "Rochdale"],
            "value": [63.1, float("nan")],
            "status": [None, "c"],
            "band": ["D", None],
        }
    )
    every_area = pd.DataFrame(
        {"code": ["E08000004", "E08000005", "E08000002"], "name": ["Oldham", "Rochdale", "Bury"]}
    )
    figure = choropleth_figure(values, "/boundaries.geojson", "percent", every_area=every_area)
    base, coloured = figure["data"]
    assert base["locations"] == ["E08000004", "E08000005", "E08000002"]
    assert base["colorscale"] == [[0, NO_FIGURE_GREY], [1, NO_FIGURE_GREY]]
    assert base["showscale"] is False
    assert base["hovertext"][1] == "Rochdale: c (suppressed to protect privacy)"
    assert base["hovertext"][2] == "Bury: no figure"
    # Only shown figures are coloured; without every_area the map is that layer alone.
    assert coloured["locations"] == ["E08000004"]
    assert coloured["hovertext"] == ["Oldham: 63.1%, band D"]
    alone = choropleth_figure(values, "/boundaries.geojson", "percent")
    assert alone["data"] == [coloured]


def test_trend_layout_reflows_legend_below_and_fewer_ticks_when_narrow():
    """The legend sits at the figure's foot (not a fraction of the plot's height, which let
    tick labels run under it) and narrow charts get at most four tick labels."""
    import pandas as pd

    from components.charts import NARROW_TICKS, trend_figure

    periods = pd.date_range("2010-09-01", periods=12, freq="YS-SEP")
    series = pd.DataFrame(
        {
            "series_key": "area",
            "series_name": "Oldham",
            "breakdown_value": "total",
            "period_label": [f"{p.year}/{(p.year + 1) % 100:02d}" for p in periods],
            "period_start": periods.date,
            "value": range(12),
            "lower_ci": float("nan"),
            "upper_ci": float("nan"),
            "status": None,
        }
    )
    layout = trend_figure(series, "percent")["layout"]
    assert layout["legend"]["yref"] == "container" and layout["legend"]["yanchor"] == "bottom"
    assert layout["xaxis"]["automargin"] is True
    narrow, wide = layout["meta"]["narrow"], layout["meta"]["wide"]
    assert len(narrow["xaxis.ticktext"]) <= NARROW_TICKS < len(wide["xaxis.ticktext"])
    assert narrow["xaxis.ticktext"][-1] == "2021/22"  # the latest period is always labelled
    assert set(narrow) == set(wide)  # every narrow setting can be put back


def test_present_figure_text_is_24_px_and_lines_differ_in_shape_and_dash():
    """On a shared screen every line has a marker shape and a dash of its own (so colour is
    not needed, in greyscale or with red-green colour blindness) and no chart text is
    under 24 px. The breakdown view, where the comparators' groups are all dotted, is the
    hard case."""
    import itertools

    import pandas as pd

    from components.charts import trend_figure
    from components.present import present_figure

    rows = []
    for key, name in (("area", "Oldham"), ("england", "England"), ("region", "North West")):
        for group in ("eligible", "not_eligible", "unknown"):
            for year in (2022, 2023, 2024):
                rows.append(
                    {
                        "series_key": key,
                        "series_name": name,
                        "breakdown_value": group,
                        "period_label": f"{year}/{(year + 1) % 100}",
                        "period_start": pd.Timestamp(f"{year}-09-01").date(),
                        "value": 50.0 + year % 10,
                        "lower_ci": float("nan"),
                        "upper_ci": float("nan"),
                        "status": None,
                    }
                )
    panel = trend_figure(pd.DataFrame(rows), "percent")
    panel_dashes = [t["line"]["dash"] for t in panel["data"]]
    assert len(set(panel_dashes)) < len(panel_dashes)  # the panel's styles repeat a dash
    fig = present_figure(panel)
    styles = [(t.marker.symbol, t.line.dash) for t in fig.data]
    assert len(styles) == 9
    for (symbol_a, dash_a), (symbol_b, dash_b) in itertools.combinations(styles, 2):
        assert symbol_a != symbol_b and dash_a != dash_b, styles
    layout = fig.layout
    sizes = [
        layout.font.size,
        layout.legend.font.size,
        layout.xaxis.tickfont.size,
        layout.yaxis.tickfont.size,
        layout.yaxis.title.font.size,
    ]
    assert min(sizes) >= 24, sizes
    assert layout.meta is None  # no narrow-screen settings on a shared screen


def test_present_caption_is_two_sentences_with_the_rest_one_key_away():
    from components.present import caption_block, short_caption

    caption = (
        "The chart shows Oldham with England, 2015/16 to 2024/25. In 2024/25, Oldham: 63.1%; "
        "England 68.3%. Oldham was below England in every year. The gap narrowed."
    )
    short, rest = short_caption(caption)
    assert short == (
        "The chart shows Oldham with England, 2015/16 to 2024/25. In 2024/25, Oldham: 63.1%; "
        "England 68.3%."
    )
    assert rest == "Oldham was below England in every year. The gap narrowed."
    block = caption_block(caption)
    toggle = block[1]
    assert toggle.id == "present-details-toggle" and block[2].hidden is True
    assert getattr(toggle, "aria-keyshortcuts") == "D"
    assert block[3].role == "status"
    assert len(caption_block("One sentence only.")) == 1  # nothing to hide, no button
