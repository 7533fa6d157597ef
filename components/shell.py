"""The page shell: skip link, header with organisation and user, navigation, footer."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import dash
from dash import dcc, html

from rules.roles import ADMIN, ANALYST, PERMISSIONS, PRACTITIONER, VIEWER, role_may

ILLUSTRATIVE_NOTE = (
    "Published figures come from the Department for Education and the Office for National "
    "Statistics under the Open Government Licence v3.0. Local monthly figures, journeys and "
    "voice quotes in this demo are illustrative: they are made up and describe no real person."
)


# The navigation's groups, in the order shown. Each page names its group when it registers
# (``nav_group=``; Indicators when it names none).
NAV_GROUPS: tuple[str, ...] = (
    "Indicators",
    "Voice",
    "Discussion",
    "Learning Network",
    "Data",
    "Administration",
)

# Words for the smallest role an action needs, as a person would ask for it.
ROLE_ACCOUNT_WORDS = {
    VIEWER: "a Chorus account",
    PRACTITIONER: "a practitioner, analyst or administrator account",
    ANALYST: "an analyst or administrator account",
    ADMIN: "an administrator account",
}

SIGNED_IN_AS = {
    VIEWER: "a viewer account",
    PRACTITIONER: "a practitioner account",
    ANALYST: "an analyst account",
    ADMIN: "an administrator account",
}


def page_permission(page: dict[str, Any]) -> str:
    """The action a registered page needs (``permission=`` at registration; "read" else).

    The page's own layout guard checks the same action, so the navigation and the page
    follow one rule: the permission table in ``rules.roles``.
    """
    return str(page.get("permission") or "read")


def nav_groups(pages: Iterable[dict[str, Any]], role: str) -> list[dict[str, Any]]:
    """The navigation for ``role``: groups of the pages that role may use.

    Takes Dash page registry entries (dicts with ``name``, ``relative_path``, ``order`` and
    optional ``nav``, ``nav_group`` and ``permission``); returns
    ``[{"group": str, "links": [{"name", "href"}]}]`` in ``NAV_GROUPS`` order, empty
    groups left out. Pages with ``nav=False`` (present mode, detail pages) are left out.
    """
    shown = [p for p in pages if p.get("nav", True) and role_may(role, page_permission(p))]
    shown.sort(key=lambda p: (p.get("order") if p.get("order") is not None else 99, p["name"]))
    groups: list[dict[str, Any]] = []
    for group in NAV_GROUPS:
        links = [
            {"name": p["name"], "href": p["relative_path"]}
            for p in shown
            if p.get("nav_group", "Indicators") == group
        ]
        if links:
            groups.append({"group": group, "links": links})
    return groups


def nav_links(pages: Iterable[dict[str, Any]], role: str) -> list[dict[str, str]]:
    """Every link of :func:`nav_groups` for ``role``, in the order shown."""
    return [link for group in nav_groups(pages, role) for link in group["links"]]


def refused_page(title: str, action: str, role: str | None) -> html.Div:
    """What a page says to someone whose role may not use it: why, and whom to ask."""
    needed = ROLE_ACCOUNT_WORDS[PERMISSIONS[action]]
    yours = f"You are signed in with {SIGNED_IN_AS[role]}." if role in SIGNED_IN_AS else ""
    return html.Div(
        className="refused-page",
        children=[
            html.H1(title),
            html.P(f"This page needs {needed}. {yours}".strip()),
            html.P(
                "If your work needs it, ask an administrator in your organisation to change "
                "your role. They can do this on the Users page."
            ),
            html.P(dcc.Link("Go to the Overview", href="/")),
        ],
    )


def _nav(groups: Sequence[dict[str, Any]]) -> html.Nav:
    """The main navigation: a "Menu" button (shown on narrow screens only) and the groups."""
    return html.Nav(
        className="chorus-nav",
        id="chorus-nav",
        **{"aria-label": "Main"},
        children=[
            html.Button(
                "Menu",
                id="chorus-nav-toggle",
                className="chorus-nav-toggle",
                type="button",
                **{"aria-expanded": "false", "aria-controls": "chorus-nav-groups"},
            ),
            html.Div(
                id="chorus-nav-groups",
                className="chorus-nav-groups",
                children=[
                    html.Div(
                        className="chorus-nav-group",
                        children=[
                            html.Span(
                                group["group"],
                                className="chorus-nav-heading",
                                id=f"nav-group-{index}",
                            ),
                            html.Ul(
                                [
                                    html.Li(dcc.Link(link["name"], href=link["href"]))
                                    for link in group["links"]
                                ],
                                **{"aria-labelledby": f"nav-group-{index}"},
                            ),
                        ],
                    )
                    for index, group in enumerate(groups)
                ],
            ),
        ],
    )


def page_shell(
    *,
    user_name: str,
    role: str,
    organisation_name: str,
    csrf_token: str,
    groups: Sequence[dict[str, Any]],
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
            _nav(groups),
            html.Main(id="main", tabIndex="-1", className="chorus-main", children=content),
            html.Footer(className="chorus-footer", children=footer_children()),
        ],
    )


def footer_children() -> list:
    """The footer: the data note and the link to the accessibility statement."""
    return [
        html.P(ILLUSTRATIVE_NOTE),
        html.P(html.A("Accessibility statement", href="/accessibility")),
    ]


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
