"""Early years: school readiness, communication, funded places, Family Hubs, speech waits."""

from __future__ import annotations

import dash
from dash import html

from pages._panel_support import service_page

dash.register_page(
    __name__,
    path="/early-years",
    name="Early years",
    title="Early years - Chorus",
    order=1,
    nav_group="Indicators",
)

PANELS = [
    (
        "gld",
        "The headline measure of school readiness: the share of children at the expected "
        "level across the early learning goals by the end of reception. The gap for children "
        "eligible for free school meals shows who is being left behind.",
    ),
    (
        "comm_lang",
        "Speech, language and communication underpin everything else in the early years; "
        "this is the area where delays are most often picked up late.",
    ),
    (
        "two_year_takeup",
        "Funded places for the most disadvantaged two-year-olds only help if families use "
        "them: low take-up points to outreach and sufficiency problems.",
    ),
    (
        "family_hub_reach_0_4",
        "How many young children the Family Hubs reach each month, and whether the most "
        "deprived neighbourhoods are reached as well as the rest.",
    ),
    (
        "slc_waiting_18wk",
        "Long waits for speech and language therapy mean children start school without the "
        "help they needed at two or three.",
    ),
]


def layout(area: str | None = None, **_kwargs: object) -> html.Div:
    return service_page(
        "Early years",
        "School readiness, communication and the services that support families with young "
        "children.",
        PANELS,
        area,
    )
