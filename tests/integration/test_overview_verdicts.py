"""Oldham's Overview gives a verdict on good level of development 2024/25 without counts:
its rank among authorities with a value, its quartile band and the gap to England."""

from __future__ import annotations

import re

import dash
import pytest
from flask_login import login_user

from auth.current import CurrentUser
from data_access.db import get_database
from data_access.users import user_by_username


def _overview_text(client, username: str) -> str:  # type: ignore[no-untyped-def]
    page = next(p for p in dash.page_registry.values() if p["path"] == "/")
    with client.application.test_request_context("/"):
        with get_database().read() as session:
            record = user_by_username(session, username)
        assert record is not None
        login_user(CurrentUser(record))
        return str(page["layout"]())


def test_oldham_gld_has_rank_band_and_gap_to_england(client, users):
    text = _overview_text(client, users["oldham_viewer"].username)
    # The table row and the tile both carry the LAIT-style verdict.
    sentence = re.search(
        r"(\d+\.\d) points below England; (\d+)(?:st|nd|rd|th) of (\d+), bottom quartile; "
        r"not tested for significance: the publisher gives percentages only",
        text,
    )
    assert sentence is not None, "no rank verdict for good level of development"
    gap, rank, ranked = float(sentence[1]), int(sentence[2]), int(sentence[3])
    assert gap > 0 and 0.75 * ranked < rank <= ranked
    assert "Overview: " in text and "Key indicators for Oldham" in text


def test_no_tile_reads_not_compared_where_a_rank_exists(client, users):
    from analysis.verdicts import verdict_sentence
    from data_access import views
    from pages.overview import KEY_INDICATORS

    text = _overview_text(client, users["oldham_viewer"].username)
    with get_database().read() as session:
        for indicator_id, _href in KEY_INDICATORS:
            request = views.ViewRequest.of(
                session, indicator_id, "E08000004", threshold=5,
                comparators=["england", "region", "neighbours"],
            )  # fmt: skip
            verdict = views.build_panel_view(session, request).verdict
            if verdict is not None and verdict.rank is not None:
                assert verdict_sentence(verdict) in text
                assert not verdict_sentence(verdict).startswith("Not compared")
    assert "not compared with England" not in text


@pytest.mark.parametrize("how", ["attention", "theme"])
def test_the_sort_control_reorders_the_summary(client, users, how):
    from pages.overview import sort_summary

    with client.application.test_request_context("/"):
        with get_database().read() as session:
            record = user_by_username(session, users["oldham_viewer"].username)
        assert record is not None
        login_user(CurrentUser(record))
        table = str(sort_summary(how))
    services = re.findall(r"Td\('(Early years|Early Help|Care leavers)'\)", table)
    assert len(services) >= 6
    if how == "theme":
        order = {"Early years": 0, "Early Help": 1, "Care leavers": 2}
        assert [order[s] for s in services] == sorted(order[s] for s in services)
    else:
        tones = re.findall(r"className='summary-row summary-(\w+)'", table)
        ranks = ["attention", "watch", "neutral", "good", "none"]
        assert [ranks.index(t) for t in tones] == sorted(ranks.index(t) for t in tones)
        assert tones[0] == "attention"  # Oldham's school readiness leads
