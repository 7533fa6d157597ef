"""The page shell: skip link, header with organisation and user, navigation, footer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash
from dash import dcc, html

ILLUSTRATIVE_NOTE = (
    "Published figures come from the Department for Education and the Office for National "
    "Statistics under the Open Government Licence v3.0. Local monthly figures, journeys and "
    "voice quotes in this demo are illustrative: they are made up and describe no real person."
)


def nav_links(pages: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """The pages to list in the navigation, in their registered order.

    Takes Dash page registry entries (dicts with ``name``, ``relative_path``, ``order`` and
    an optional ``nav`` flag); returns ``[{"name", "href"}]``. Pages with ``nav=False``
    (present mode, detail pages) are left out.
    """
    shown = [p for p in pages if p.get("nav", True)]
    shown.sort(key=lambda p: (p.get("order") if p.get("order") is not None else 99, p["name"]))
    return [{"name": p["name"], "href": p["relative_path"]} for p in shown]


def page_shell(
    *,
    user_name: str,
    role: str,
    organisation_name: str,
    csrf_token: str,
    links: Sequence[dict[str, str]],
    content: Any,
) -> html.Div:
    """The whole page around ``content`` (usually ``dash.page_container``)."""
    return html.Div(
        className="chorus-app",
        children=[
            html.A("Skip to main content", href="#main", className="skip-link"),
            dcc.Location(id="shell-url", refresh=False),
            html.Header(
                className="chorus-header",
                children=[
                    html.Div(
                        className="chorus-brand",
                        children=[
                            html.Span("Chorus", className="chorus-logo"),
                            html.Span(organisation_name, className="chorus-org", id="shell-org"),
                        ],
                    ),
                    html.Div(
                        className="chorus-user",
                        children=[
                            html.Span(f"{user_name} ({role})", id="shell-user"),
                            html.Form(
                                action="/logout",
                                method="POST",
                                className="logout-form",
                                children=[
                                    dcc.Input(type="hidden", name="csrf_token", value=csrf_token),
                                    html.Button("Sign out", type="submit", className="btn-link"),
                                ],
                            ),
                        ],
                    ),
                ],
            ),
            html.Nav(
                className="chorus-nav",
                **{"aria-label": "Main"},
                children=html.Ul(
                    [html.Li(dcc.Link(link["name"], href=link["href"])) for link in links]
                ),
            ),
            html.Main(id="main", tabIndex="-1", className="chorus-main", children=content),
            html.Footer(className="chorus-footer", children=html.P(ILLUSTRATIVE_NOTE)),
        ],
    )


def anonymous_shell() -> html.Div:
    """What the layout shows when no user is in the request (never served to a browser:
    the login guard redirects first). Used by Dash's own layout validation."""
    return html.Div(
        [dcc.Location(id="shell-url"), html.Main(id="main", children=dash.page_container)]
    )


# Present mode (a shared screen) shows no header, navigation or footer: not even hidden,
# so an anonymised session carries no organisation name in the page at all.
PRESENT_PATH = "/sessions/present"


def present_shell() -> html.Div:
    """The shell for present mode: the main region only."""
    return html.Div(
        className="chorus-app chorus-present",
        children=[
            dcc.Location(id="shell-url", refresh=False),
            html.Main(
                id="main", tabIndex="-1", className="chorus-main", children=dash.page_container
            ),
        ],
    )
