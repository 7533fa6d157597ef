"""The live session benchmark's pieces that need no server: callback bodies and the table."""

from __future__ import annotations

from bench.livebench import DashCall, table


def test_livebench001_dash_call_builds_the_renderer_body():
    deps = [
        {"output": "other.children", "inputs": [], "state": []},
        {
            "output": "..live-step.children...live-look.data..",
            "inputs": [{"id": "live-signal", "property": "data"}],
            "state": [{"id": "live-session", "property": "data"}],
        },
    ]
    body = DashCall(deps, "live-step.children").body(
        "live-signal", {"live-signal": {"step": 2}, "live-session": 7}
    )
    assert body["outputs"] == [
        {"id": "live-step", "property": "children"},
        {"id": "live-look", "property": "data"},
    ]
    assert body["inputs"][0]["value"] == {"step": 2}
    assert body["state"][0]["value"] == 7
    assert body["changedPropIds"] == ["live-signal.data"]


def test_livebench002_table_has_one_row_per_run_with_lost_and_load():
    run = {
        "label": "1 server",
        "joined": 100,
        "delivery_ms": {"p95": 900.0},
        "contribution_round_trip_ms": {"p95": 1200.0},
        "contributions_sent": 40,
        "lost": 0,
        "duplicated": 0,
        "polls_per_second": 99.0,
        "not_modified_share": 0.95,
        "errors": 0,
        "server_cpu_cores": 0.4,
        "memory": {"rss_total_mb": 500.0},
        "load_average_before": [1.0, 1.0, 1.0],
        "load_average_after": [2.0, 1.5, 1.0],
    }
    lines = table([run]).splitlines()
    assert len(lines) == 3
    assert "| 1 server | 100 | 900.0 | 1200.0 | 40 | 0 | 0 |" in lines[2]
    assert lines[0].count("|") == lines[1].count("|") == lines[2].count("|")
