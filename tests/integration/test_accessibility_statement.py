"""The accessibility statement: public, in the GOV.UK model's sections, listing every known
issue with its date, and linked from the sign-in page and every page's footer."""

from __future__ import annotations

import json
import re

from components.accessibility import KNOWN_ISSUES, STATEMENT_PATH


def test_a11ys001_statement_is_public_and_follows_the_model(server):
    plain = server.test_client()
    response = plain.get(STATEMENT_PATH)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert re.search(r"<h1>Accessibility statement</h1>", page)
    assert "<title>Accessibility statement - Chorus</title>" in page
    for section in (
        "How accessible this service is",
        "Reporting accessibility problems with this service",
        "Enforcement procedure",
        "Compliance status",
        "Preparation of this accessibility statement",
    ):
        assert f">{section}</h" in page, section
    assert "axe-core 4" in page and "keyboard" in page


def test_a11ys002_every_known_issue_is_listed_with_its_date(server):
    from html import escape

    page = server.test_client().get(STATEMENT_PATH).get_data(as_text=True)
    # With no known issue the statement must say it is fully compliant, never "partially".
    if not KNOWN_ISSUES:
        assert "This service is fully compliant with the" in page
        assert "partially compliant" not in page
        assert "We know of no part of this service that is not accessible" in page
    else:
        assert "This service is partially compliant with the" in page
    for issue in KNOWN_ISSUES:
        assert escape(issue.summary) in page
        assert f"{issue.fix_by.day} {issue.fix_by:%B %Y}" in page


def test_a11ys003_linked_from_sign_in_and_every_page_footer(server, client, auth):
    assert f'href="{STATEMENT_PATH}"' in client.get("/login").get_data(as_text=True)
    auth.login("oldham_viewer")
    layout = json.dumps(client.get("/_dash-layout").get_json())  # plain slashes again
    footer = layout[layout.index('"chorus-footer"') - 2000 : layout.index('"chorus-footer"')]
    assert '{"children": "Accessibility statement", "href": "/accessibility"}' in footer
