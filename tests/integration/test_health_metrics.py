"""/health, /health/live, /health/ready and /metrics through the app."""

from __future__ import annotations

from sqlalchemy import text

import metrics


def test_hlt001_live_and_the_old_health_answer_ok_without_login(client):
    for path in ("/health", "/health/live"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.get_json() == {"status": "ok"}


def test_hlt002_ready_checks_the_database_and_its_migrations(client, db):
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok"}}


def test_hlt003_ready_is_503_json_when_the_schema_is_behind(client, db):
    with db.write() as session:
        (old,) = session.execute(text("SELECT version_num FROM alembic_version")).one()
        session.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    try:
        response = client.get("/health/ready")
        assert response.status_code == 503
        body = response.get_json()
        assert body["status"] == "unavailable"
        assert body["checks"]["database"].startswith("migrations behind")
    finally:
        with db.write() as session:
            session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": old})


def test_hlt004_ready_is_503_json_when_the_database_fails(client, db, server, monkeypatch):
    database = server.extensions["chorus_db"]

    def refuse():  # type: ignore[no-untyped-def]
        raise ConnectionRefusedError("database down")

    monkeypatch.setattr(database.read_engine, "connect", refuse)
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"] == "failed (ConnectionRefusedError)"
    assert client.get("/health/live").status_code == 200


def test_hlt005_metrics_needs_its_own_token(client, server, monkeypatch, auth):
    settings = server.extensions["chorus_settings"]
    assert client.get("/metrics").status_code == 404  # no token set: not offered at all
    object.__setattr__(settings, "metrics_token", "scrape-me")
    try:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        metrics.reset()
        client.get("/health/live")
        auth.login("oldham_viewer", password="not-the-password")
        response = client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
        assert response.status_code == 200
        assert response.mimetype == "text/plain"
        body = response.get_data(as_text=True)
        assert 'chorus_requests_total{process="' not in body  # every series has its labels
        assert 'route="/health/live"' in body and 'status="200"' in body
        assert any(
            line.startswith('chorus_login_failures_total{process="') is False
            and line.startswith('chorus_login_failures_total{reason="wrong"')
            for line in body.splitlines()
        )
    finally:
        object.__setattr__(settings, "metrics_token", None)


def test_hlt006_every_answer_carries_a_request_id(client):
    response = client.get("/health/live", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"
    invented = client.get("/health/live", headers={"X-Request-ID": "<script>"})
    assert invented.headers["X-Request-ID"] not in ("", "<script>")
