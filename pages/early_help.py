"""Early Help: requests, timely assessments, outcomes, step-ups and re-referrals."""

from __future__ import annotations

import dash
from dash import html

from pages._panel_support import service_page

dash.register_page(
    __name__,
    path="/early-help",
    name="Early Help",
    title="Early Help - Chorus",
    order=2,
    nav_group="Indicators",
)

PANELS = [
    (
        "eh_closed_needs_met",
        "Whether Early Help works: the share of episodes that close because the family's "
        "needs were met, rather than because they disengaged or were stepped up.",
    ),
    (
        "eh_assessments_timely",
        "Families wait for help while an assessment is outstanding; timeliness is the first "
        "thing families notice.",
    ),
    (
        "eh_stepup_csc",
        "Step-ups to children's social care show where Early Help could not hold the risk; "
        "read together with re-referrals.",
    ),
    (
        "cin_rereferral",
        "A re-referral within a year suggests the first response did not resolve the "
        "family's difficulties: a published measure of whether help lasts.",
    ),
]


def layout(area: str | None = None, **_kwargs: object) -> html.Div:
    return service_page(
        "Early Help",
        "Help for families before problems escalate: how quickly it starts, whether it works "
        "and how often families come back. Monthly figures are illustrative local management "
        "information; re-referrals are published by the Department for Education.",
        PANELS,
        area,
    )
