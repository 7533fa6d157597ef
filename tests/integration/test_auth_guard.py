"""Login is required everywhere by default; the login form fails generically."""

from __future__ import annotations

import json

import dash


def test_auth001_unauthenticated_page_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/")


def test_auth002_every_registered_page_redirects_without_login(client, app):
    for page in dash.page_registry.values():
        response = client.get(page["relative_path"])
        assert response.status_code == 302, page["relative_path"]
        assert "/login" in response.headers["Location"]


def test_auth003_callback_endpoint_is_401_and_runs_nothing(client, app, db):
    from sqlalchemy import func, select

    from data_access.models import AuditEvent

    with db.read() as s:
        before = s.scalar(select(func.count()).select_from(AuditEvent))
    body = {"output": "x.children", "outputs": {"id": "x", "property": "children"}, "inputs": []}
    response = client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 401
    assert response.get_json() == {"error": "login required"}
    for path in ("/_dash-layout", "/_dash-dependencies", "/api/v1/indicators"):
        assert client.get(path).status_code == 401, path
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_auth004_health_and_login_are_open(client):
    assert client.get("/health").get_json() == {"status": "ok"}
    page = client.get("/login")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for field in ('name="username"', 'name="password"', 'name="csrf_token"'):
        assert field in html
    assert 'autocomplete="current-password"' in html


def test_auth005_wrong_password_gets_generic_message(client, auth):
    wrong = auth.login("oldham_viewer", password="not the password at all")
    assert wrong.status_code == 401
    text = wrong.get_data(as_text=True)
    assert "did not match" in text
    unknown = client.post(
        "/login",
        data={"username": "nobody", "password": "whatever12345", "csrf_token": auth.csrf_token()},
    )
    assert unknown.status_code == 401
    # Same message for an unknown user as for a wrong password: no user enumeration.
    assert "did not match" in unknown.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_auth006_login_then_page_loads(client, auth):
    response = auth.login("oldham_viewer")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    layout = client.get("/_dash-layout")
    assert layout.status_code == 200
    assert "Oldham" in layout.get_data(as_text=True)


def test_auth007_login_without_csrf_token_is_refused(client, users):
    response = client.post(
        "/login", data={"username": "oldham.viewer", "password": users["oldham_viewer"].password}
    )
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_auth008_next_parameter_cannot_leave_the_site(client, auth):
    token = auth.csrf_token()
    response = client.post(
        "/login",
        data={
            "username": "oldham.viewer",
            "password": auth._users["oldham_viewer"].password,
            "csrf_token": token,
            "next": "//evil.example/steal",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_auth009_logout_ends_the_session_and_old_cookie_replay_fails(client, auth):
    auth.login("oldham_viewer")
    assert client.get("/").status_code == 200
    cookie = client.get_cookie("chorus_session")
    assert cookie is not None
    assert auth.logout().status_code == 302
    assert client.get("/").status_code == 302
    # Replaying the cookie from before logout must not bring the session back.
    client.set_cookie("chorus_session", cookie.value)
    assert client.get("/").status_code == 302


def test_auth010_failed_and_successful_logins_are_audited(client, auth, db):
    from sqlalchemy import select

    from data_access.models import AuditEvent

    auth.login("oldham_viewer", password="wrong password here")
    auth.login("oldham_viewer")
    with db.read() as s:
        events = s.execute(select(AuditEvent.action, AuditEvent.outcome, AuditEvent.detail)).all()
    assert ("login", "failure", None) in events
    assert ("login", "success", None) in events
    assert all("password" not in (detail or "") for _, _, detail in events)
