"""A new web worker warms itself before it takes traffic (warmup.py, gunicorn.conf.py)."""

from __future__ import annotations

import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest

import warmup

ROOT = Path(__file__).resolve().parents[2]


def test_warm001_the_service_pages_default_panels_are_the_ones_warmed(server):
    indicators = warmup.default_panel_indicators()
    # Early years, Early Help and Care leavers each list their panels.
    assert {"gld", "comm_lang", "care_leavers_eet_19_21"} <= set(indicators)
    assert len(indicators) == len(set(indicators))


def test_warm002_a_worker_draws_the_default_panels_for_the_areas_in_use(server, users, monkeypatch):
    drawn: list[tuple[str, str]] = []
    monkeypatch.setattr(
        "pages._panel_support.render_panel",
        lambda panel_id, indicator, area, **_k: drawn.append((indicator, area)),
    )
    ticks: list[int] = []
    result = warmup.warm_server(server, budget_seconds=60, tick=lambda: ticks.append(1))
    assert result.complete and result.panels == len(drawn) == len(ticks) > 0
    areas = {area for _indicator, area in drawn}
    assert "E92000001" in areas  # England, then every authority with an active user
    assert users["oldham_viewer"].organisation_code in areas
    assert result.areas == len(areas)


def test_warm003_time_limit_and_failures_never_stop_the_worker(server, monkeypatch):
    assert warmup.warm_server(server, budget_seconds=0) == warmup.Warmed(0, 0, 0.0, True)

    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("database away")

    monkeypatch.setattr("pages._panel_support.render_panel", broken)
    result = warmup.warm_server(server, budget_seconds=60)
    assert not result.complete and result.panels == 0


def test_warm004_gunicorn_config_warms_each_worker_with_its_heartbeat(monkeypatch):
    calls: list[tuple[object, object]] = []
    monkeypatch.setattr(warmup, "warm_server", lambda wsgi, tick=None: calls.append((wsgi, tick)))
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    worker = SimpleNamespace(wsgi=object(), notify=lambda: None)
    config["post_worker_init"](worker)
    assert calls == [(worker.wsgi, worker.notify)]
    for started_by in ("Procfile", "Makefile", "Dockerfile", "compose.yaml"):
        assert "gunicorn -c gunicorn.conf.py" in (ROOT / started_by).read_text(), started_by


@pytest.mark.parametrize("value, expected", [("0", 0.0), ("7.5", 7.5), ("", 0.0)])
def test_warm005_the_time_limit_is_a_setting(value, expected):
    from settings import Settings

    assert Settings.from_env({"CHORUS_WARM_SECONDS": value}).warm_seconds == expected
    assert Settings.from_env({}).warm_seconds == 20.0
