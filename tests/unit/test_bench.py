"""The benchmark's own pieces: dataset shape, statistics and callback bodies (fast, no I/O)."""

from __future__ import annotations

import json

import numpy as np

from bench.generate import (
    ANNUAL_CELLS,
    ANNUAL_YEARS,
    MONTHLY_CELLS,
    MONTHS,
    bench_areas,
    bench_catalogue,
    expected_rows,
    indicator_rows,
)
from bench.harness import component_props, match_callback_body, percentile, summary


def test_bench001_scale_one_has_sixty_indicators_and_over_two_million_rows():
    catalogue = bench_catalogue(1)
    areas = bench_areas()
    assert len(catalogue) == 60 and catalogue["id"].is_unique
    assert {"gld", "care_leavers_eet_19_21"} <= set(catalogue["id"])
    assert len(areas) > 150 and "E92000001" in set(areas["code"])
    assert expected_rows(catalogue, len(areas)) >= 2_000_000
    assert len(bench_catalogue(10)) == 600


def test_bench002_indicator_rows_are_unique_cells_with_intervals_and_suppression():
    catalogue = bench_catalogue(1).set_index("id", drop=False)
    codes = ["E92000001", "E08000004", "E08000005"]
    annual = indicator_rows(catalogue.loc["gld"], codes, np.random.default_rng(1))
    monthly = indicator_rows(catalogue.loc["eh_requests"], codes, np.random.default_rng(1))
    assert len(annual) == len(codes) * len(ANNUAL_CELLS) * len(ANNUAL_YEARS)
    assert len(monthly) == len(codes) * len(MONTHLY_CELLS) * len(MONTHS)
    key = ["indicator_id", "area_code", "breakdown", "breakdown_value", "period_start"]
    assert not annual.duplicated(key).any()
    counted = annual[annual["status"].isna()]
    assert (counted["lower_ci"] <= counted["value"]).all()
    assert (counted["value"] <= counted["upper_ci"]).all()
    suppressed = annual[annual["status"] == "c"]
    assert suppressed["value"].isna().all()


def test_bench003_nearest_rank_percentile_and_summary():
    values = [float(v) for v in range(1, 21)]
    assert percentile(values, 0.95) == 19.0
    assert percentile(values, 0.5) == 10.0
    assert summary([]) == {"n": 0, "median": None, "p95": None}
    assert summary(values)["p95"] == 19.0


def test_bench004_match_callback_body_fills_values_from_the_layout():
    dependency = {
        "output": '..{"index":["MATCH"],"type":"g"}.figure'
        '...{"index":["MATCH"],"type":"c"}.children..',
        "inputs": [{"id": '{"index":["MATCH"],"type":"pick"}', "property": "value"}],
        "state": [{"id": '{"index":["MATCH"],"type":"store"}', "property": "data"}],
    }
    layout = {
        "type": "Div",
        "namespace": "dash_html_components",
        "props": {
            "children": [
                {
                    "type": "Checklist",
                    "props": {"id": {"type": "pick", "index": "p1"}, "value": ["x"]},
                },
                {
                    "type": "Store",
                    "props": {"id": {"type": "store", "index": "p1"}, "data": {"a": 1}},
                },
            ]
        },
    }
    body = match_callback_body(dependency, "p1", component_props(layout))
    assert body["outputs"][0] == {"id": {"index": "p1", "type": "g"}, "property": "figure"}
    assert body["inputs"][0]["value"] == ["x"]
    assert body["state"][0]["value"] == {"a": 1}
    changed = body["changedPropIds"][0]
    assert json.loads(changed.rsplit(".", 1)[0]) == {"index": "p1", "type": "pick"}


def test_bench005_import_child_reports_its_own_peak_memory_not_its_parents():
    """Linux carries ru_maxrss across exec; the import benchmark's child must not report the
    memory of the large benchmark process that started it."""
    import subprocess
    import sys

    ballast = bytearray(600 * 2**20)  # the parent holds 600 MiB, every page touched
    ballast[::4096] = b"x" * len(ballast[::4096])
    script = "from bench.importbench import peak_rss_mb; print(peak_rss_mb())"
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    del ballast
    assert 5 < float(out) < 300


def test_bench006_lait_bench_skips_with_a_message_without_the_file(capsys, monkeypatch):
    from bench import laitbench

    monkeypatch.delenv(laitbench.ENV_FILE, raising=False)
    assert laitbench.main(["/no/such/lait_long.parquet"]) == 0
    assert "Skipped: LAIT's full long file is not here" in capsys.readouterr().out


def test_bench007_lait_proxy_has_the_rows_asked_in_lait_layout(tmp_path):
    import pandas as pd

    from bench import laitbench

    path = laitbench.write_proxy(tmp_path / "proxy.csv", rows=100_000)
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert len(table) == 100_000
    assert list(table.columns)[:5] == [
        "Short Desc",
        "Data item",
        "Years",
        "LA and Regions",
        "Values",
    ]
    assert {"2025", "2015"} <= set(table["Years"])  # the subset, then moved ten years back
    assert laitbench._moved_year("2016-17 (OT)", -10) == "2026-27 (OT)"
