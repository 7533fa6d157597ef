"""The research team has no area of its own: its Overview must still load."""

from __future__ import annotations


def test_ovr001_research_team_overview_renders(client, auth):
    auth.login("research_viewer")
    response = client.get("/_dash-layout")
    assert response.status_code == 200
    # The Overview page body is built by Dash's page-routing callback; render it directly.
    import dash
    from flask_login import login_user

    from auth.current import CurrentUser
    from data_access.db import get_database
    from data_access.users import user_by_username

    page = next(p for p in dash.page_registry.values() if p["path"] == "/")
    with client.application.test_request_context("/"):
        with get_database().read() as session:
            record = user_by_username(session, "research.viewer")
        login_user(CurrentUser(record))
        layout = page["layout"]()
    text = str(layout)
    assert "Overview" in text
    assert "Traceback" not in text
