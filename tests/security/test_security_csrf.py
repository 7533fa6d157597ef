"""Promise: a forged request cannot drive a callback or a form.

Callback requests need the X-CSRFToken header equal to the session's token (Dash's
renderer copies it from the ``_csrf_token`` cookie), an Origin or Referer of this site
and a JSON body; the login and logout forms need their hidden token."""

from __future__ import annotations

import json

from security_helpers import CALLBACK_URL, body_with, csrf_headers


def _admin_list(login, callback_named):  # type: ignore[no-untyped-def]
    client = login("oldham_admin")
    return client, body_with(callback_named("show_users"), {"admin-users-search.value": ""})


def test_sec020_renderer_style_request_is_accepted(login, callback_named):
    client, body = _admin_list(login, callback_named)
    response = client.post(CALLBACK_URL, json=body, headers=csrf_headers(client))
    assert response.status_code == 200


def test_sec021_csrf_cookie_is_readable_by_the_page_but_strict(login):
    client = login("oldham_viewer")
    cookie = client.get_cookie("_csrf_token")
    assert cookie is not None and len(cookie.value) >= 32
    assert not cookie.http_only  # the renderer must read it
    assert cookie.same_site == "Strict"
    session_cookie = client.get_cookie("chorus_session")
    assert session_cookie.http_only and session_cookie.same_site == "Lax"


def test_sec028_static_files_are_served_without_reading_the_user(login, db):
    from sqlalchemy import event

    client = login("oldham_viewer")
    statements: list[str] = []

    def record(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    engines = {db.read_engine, db.write_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get("/assets/chorus.css")
        assert response.status_code == 200
        assert statements == []
        # A page request still reads the user (and so keeps the CSRF cookie up to date).
        assert client.get("/health").status_code == 200
        client.get("/api/v1/indicators")
        assert any("users" in s for s in statements)
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)


def test_sec022_missing_or_wrong_token_is_refused(login, callback_named, audit_rows):
    client, body = _admin_list(login, callback_named)
    good = csrf_headers(client)
    for headers in (
        {"Origin": good["Origin"]},
        {"Origin": good["Origin"], "X-CSRFToken": "not-the-token"},
        {"Origin": good["Origin"], "X-CSRFToken": ""},
    ):
        response = client.post(CALLBACK_URL, json=body, headers=headers)
        assert response.status_code == 403, headers
        assert "oldham" not in response.get_data(as_text=True)
    assert any(e.action == "denied:csrf" for e in audit_rows())


def test_sec023_cross_site_or_missing_origin_is_refused(login, callback_named):
    client, body = _admin_list(login, callback_named)
    token = csrf_headers(client)["X-CSRFToken"]
    for headers in (
        {"X-CSRFToken": token},  # neither Origin nor Referer
        {"X-CSRFToken": token, "Origin": "https://evil.example"},
        {"X-CSRFToken": token, "Origin": "null"},
        {"X-CSRFToken": token, "Referer": "https://evil.example/page"},
        {"X-CSRFToken": token, "Origin": "http://localhost.evil.example"},
    ):
        assert client.post(CALLBACK_URL, json=body, headers=headers).status_code == 403, headers
    same_site_referer = {"X-CSRFToken": token, "Referer": "http://localhost/admin/users"}
    assert client.post(CALLBACK_URL, json=body, headers=same_site_referer).status_code == 200


def test_sec024_form_and_text_plain_posts_are_refused(login, callback_named):
    client, body = _admin_list(login, callback_named)
    headers = csrf_headers(client)
    text_plain = client.post(
        CALLBACK_URL, data=json.dumps(body), content_type="text/plain", headers=headers
    )
    assert text_plain.status_code == 403
    # What a hostile page's auto-submitting form sends: urlencoded, other origin, no header.
    form = client.post(
        CALLBACK_URL,
        data={"output": body["output"]},
        headers={"Origin": "https://evil.example"},
    )
    assert form.status_code == 403
    same_origin_form = client.post(
        CALLBACK_URL, data={"payload": json.dumps(body)}, headers=headers
    )
    assert same_origin_form.status_code == 403


def test_sec025_token_from_another_session_is_refused(login, callback_named, server, users):
    from security_helpers import login_as

    other = server.test_client()
    login_as(other, users, "oldham_admin")
    stolen = other.get_cookie("_csrf_token").value
    client, body = _admin_list(login, callback_named)
    headers = {"X-CSRFToken": stolen, "Origin": "http://localhost"}
    assert client.post(CALLBACK_URL, json=body, headers=headers).status_code == 403


def test_sec026_logout_needs_its_form_token(login, plain_client):
    client = login("oldham_viewer")
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200  # still signed in
    token = client.get_cookie("_csrf_token").value
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_sec027_other_unsafe_requests_need_the_token_too(login):
    client = login("oldham_viewer")
    # Any POST outside the two forms (e.g. a future upload route) is checked the same way.
    response = client.post("/api/v1/indicators", headers={"Origin": "http://localhost"})
    assert response.status_code == 403
