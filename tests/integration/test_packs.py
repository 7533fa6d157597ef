"""Monthly packs: the preview is the exported file, the file is small, the PDF is a PDF,
each pack is kept and listed, and another organisation cannot open it."""

from __future__ import annotations

import json
import os

import pandas as pd
import pytest
from test_ethics_check import _confirm
from test_voice_integration import call

from components.pack import chromium_path, render_pdf, svg_chart


def _default() -> list[str]:
    """The page's default choice (imported late: pages register with the app)."""
    from pages.overview import KEY_INDICATORS

    return [i for i, _ in KEY_INDICATORS][:6]


def _make(client, indicators=None):  # type: ignore[no-untyped-def]
    indicators = indicators or _default()
    response = call(
        client,
        "pack-download.data",
        {"pack-button.n_clicks": 1, "pack-indicators.value": indicators, "pack-area.data": "x"},
        "pack-button.n_clicks",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["response"]


def _open(client, pack_id: int, fmt: str = "html"):  # type: ignore[no-untyped-def]
    target = {"format": fmt, "pack": pack_id, "type": "pack-open"}
    response = call(
        client,
        "pack-history-download.data",
        {"pack-open.n_clicks": [{"id": target, "property": "n_clicks", "value": 1}]},
        json.dumps(target, sort_keys=True, separators=(",", ":")) + ".n_clicks",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["response"]


def _srcdoc(component) -> str:  # type: ignore[no-untyped-def]
    return component["children"]["props"]["srcDoc"]


def test_pack001_the_preview_is_exactly_the_exported_file(client, auth, db):
    auth.login("oldham_viewer")
    _confirm(client, "Ada Lovelace", _default())
    outcome = _make(client)
    content = outcome["pack-download"]["data"]["content"]
    assert _srcdoc(outcome["pack-preview"]) == content
    assert "<h2>Since last month</h2>" in content


def test_pack002_the_full_default_pack_is_under_1_mb(client, auth, db):
    auth.login("oldham_viewer")
    _confirm(client, "Ada Lovelace", _default())
    content = _make(client)["pack-download"]["data"]["content"]
    assert content.count("<svg") >= 5
    assert "Plotly" not in content and "<script" not in content
    assert len(content.encode("utf-8")) < 1_000_000


def test_pack003_the_pdf_is_a_pdf():
    if chromium_path() is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium must be installed in CI")
        pytest.skip("Chromium is not installed")
    pdf = render_pdf("<!DOCTYPE html><html><body><h1>Pack</h1></body></html>", timeout=120)
    assert pdf is not None and pdf.startswith(b"%PDF")


def test_pack004_history_lists_earlier_packs_and_another_organisation_cannot_open_them(
    client, auth, db
):
    from data_access import packs
    from data_access.users import user_by_username

    auth.login("oldham_viewer")
    _confirm(client, "Ada Lovelace", ["gld"])
    first = _make(client, ["gld"])
    second = _make(client, ["gld"])
    history = json.dumps(second["pack-history"])
    assert history.count('"type": "pack-open"') >= 2 or history.count("pack-open") >= 2
    with db.read() as session:
        oldham = user_by_username(session, "oldham.viewer")
        kept = packs.list_packs(session, oldham)
    assert len(kept) == 2 and kept[0].id > kept[1].id
    earlier = kept[1].id
    # Last month's pack opens again, exactly as made; the second compares with the first.
    assert (
        _open(client, earlier)["pack-history-download"]["data"]["content"]
        == (first["pack-download"]["data"]["content"])
    )
    assert "Compared with the pack of" in second["pack-download"]["data"]["content"]
    auth.logout()
    auth.login("rochdale_analyst")
    refused = _open(client, earlier)
    assert "pack-history-download" not in refused
    assert "cannot be found" in json.dumps(refused)
    with db.read() as session:
        rochdale = user_by_username(session, "rochdale.analyst")
        assert packs.list_packs(session, rochdale) == []
        with pytest.raises(packs.PackNotFound):
            packs.open_pack(session, rochdale, earlier)


def test_pack005_chart_labels_are_escaped():
    series = pd.DataFrame(
        {
            "series_name": ["<script>alert(1)</script>", "<script>alert(1)</script>"],
            "period_label": ["2023/24", "2024/25"],
            "period_start": pd.to_datetime(["2023-09-01", "2024-09-01"]),
            "value": [60.0, 63.1],
            "lower_ci": [58.0, None],
            "upper_ci": [62.0, None],
        }
    )
    svg = svg_chart(series, "percent", 'Chart "x" <b>')
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "<b>" not in svg
