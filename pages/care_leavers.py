"""Care leavers: education, employment or training, accommodation, pathway plans."""

from __future__ import annotations

import dash
from dash import html

from pages._panel_support import service_page

dash.register_page(
    __name__,
    path="/care-leavers",
    name="Care leavers",
    title="Care leavers - Chorus",
    order=3,
    nav_group="Indicators",
)

PANELS = [
    (
        "care_leavers_eet_19_21",
        "Being in education, employment or training at 19 to 21 is the clearest published "
        "sign that leaving care has gone well, and it is where care leavers fall furthest "
        "behind their peers.",
    ),
    (
        "care_leavers_accommodation_19_21",
        "A safe, suitable home is the foundation for everything else after care.",
    ),
    (
        "pathway_plan_timely",
        "An up-to-date pathway plan is the authority's promise to each young person, "
        "reviewed with them.",
    ),
    (
        "staying_put",
        "Staying with former foster carers after 18 gives young people a gradual transition, "
        "as other young people have.",
    ),
]


def layout(area: str | None = None, **_kwargs: object) -> html.Div:
    return service_page(
        "Care leavers",
        "How young people who have left care are doing at 19 to 21, and whether the "
        "authority keeps its promises to them. Published figures come from the Department "
        "for Education; pathway plans are illustrative local figures.",
        PANELS,
        area,
    )
