"""The navigation follows the permission table: each role sees exactly the pages it may use,
and a page reached directly by a role that may not use it says why and whom to ask."""

from __future__ import annotations

from typing import Any

import dash
import pytest

from components.shell import page_permission
from rules.roles import ROLES, role_may


def _find(tree: Any, wanted_id: str) -> Any:
    """The component with ``wanted_id`` in a Dash layout JSON tree (None if absent)."""
    if isinstance(tree, dict):
        props = tree.get("props", {})
        if props.get("id") == wanted_id:
            return tree
        for value in props.values():
            found = _find(value, wanted_id)
            if found is not None:
                return found
    elif isinstance(tree, list):
        for item in tree:
            found = _find(item, wanted_id)
            if found is not None:
                return found
    return None


def _hrefs(tree: Any) -> list[str]:
    """Every link's href under ``tree``, in order."""
    found: list[str] = []
    if isinstance(tree, dict):
        props = tree.get("props", {})
        if tree.get("type") == "Link" and "href" in props:
            found.append(props["href"])
        for value in props.values():
            found.extend(_hrefs(value))
    elif isinstance(tree, list):
        for item in tree:
            found.extend(_hrefs(item))
    return found


def _nav_hrefs(client: Any) -> list[str]:
    layout = client.get("/_dash-layout").get_json()
    nav = _find(layout, "chorus-nav")
    assert nav is not None, "no navigation in the layout"
    return _hrefs(nav)


@pytest.mark.parametrize("role", ROLES)
def test_nav001_navigation_lists_exactly_the_pages_the_role_may_use(client, auth, app, role):
    auth.login(f"oldham_{role}")
    hrefs = _nav_hrefs(client)
    pages = {p["relative_path"]: p for p in dash.page_registry.values()}
    # Nothing the role may not use ...
    for href in hrefs:
        assert role_may(role, page_permission(pages[href])), (role, href)
    # ... and everything it may use (pages meant for the navigation), each once.
    usable = {
        path
        for path, page in pages.items()
        if page.get("nav", True) and role_may(role, page_permission(page))
    }
    assert set(hrefs) == usable
    assert len(hrefs) == len(set(hrefs))


def test_nav002_a_viewer_sees_no_page_for_analysts_or_administrators(client, auth, app):
    auth.login("oldham_viewer")
    hrefs = set(_nav_hrefs(client))
    for path in ("/import", "/admin/users", "/admin/audit", "/voice/moderation", "/voice/add"):
        assert path not in hrefs
    assert {"/", "/early-years", "/discussion", "/voice"} <= hrefs
    auth.logout()
    auth.login("oldham_admin")
    assert {"/import", "/admin/users", "/admin/audit", "/voice/moderation"} <= set(
        _nav_hrefs(client)
    )


def test_nav003_navigation_is_grouped_in_plain_words(client, auth, app):
    auth.login("oldham_admin")
    layout = client.get("/_dash-layout").get_json()
    headings = [
        _find(layout, f"nav-group-{i}")["props"]["children"]
        for i in range(6)
        if _find(layout, f"nav-group-{i}") is not None
    ]
    assert headings == [
        "Indicators",
        "Voice",
        "Discussion",
        "Learning Network",
        "Data",
        "Administration",
    ]


def _layout_text_as(client: Any, username: str, path: str) -> str:
    """The text of the page at ``path`` as ``username`` sees it (its layout function)."""
    from flask_login import login_user

    from auth.current import CurrentUser
    from data_access.db import get_database
    from data_access.users import user_by_username

    page = next(p for p in dash.page_registry.values() if p["relative_path"] == path)
    with client.application.test_request_context(path):
        with get_database().read() as session:
            record = user_by_username(session, username)
        login_user(CurrentUser(record))
        return str(page["layout"]())


@pytest.mark.parametrize("role", ROLES)
def test_nav004_a_page_reached_directly_says_why_and_whom_to_ask(client, users, role):
    for page in dash.page_registry.values():
        if role_may(role, page_permission(page)):
            continue
        text = _layout_text_as(client, users[f"oldham_{role}"].username, page["relative_path"])
        assert "This page needs" in text, page["relative_path"]
        assert "ask an administrator in your organisation" in text
        assert f"You are signed in with {'an' if role[0] in 'aeiou' else 'a'} " in text
