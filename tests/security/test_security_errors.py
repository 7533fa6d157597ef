"""Promises: generic error pages without stack traces outside development; the cache
folder is private (0700) and outside anything the web server serves."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from auth.errors import SERVER_ERROR
from auth.hardening import UnsafeCacheLocation, prepare_cache_dir
from settings import Settings


def test_sec080_server_errors_are_generic_in_production(app, tmp_path):
    from app import create_server

    settings = Settings.from_env(env="production", instance_dir=tmp_path, cache_dir=tmp_path / "c")
    server = create_server(settings)
    assert not server.debug and not server.testing
    assert not server.config.get("PROPAGATE_EXCEPTIONS")
    for path in ("/_dash-update-component", "/overview"):
        with server.test_request_context(path):
            response = server.make_response(
                server.handle_exception(RuntimeError("secret detail /srv/app/module.py line 42"))
            )
        body = response.get_data(as_text=True)
        assert response.status_code == 500
        assert SERVER_ERROR in body
        assert "secret detail" not in body and "Traceback" not in body


def test_sec081_login_failure_message_is_generic(plain_client, users):
    import re

    page = plain_client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    texts = []
    for username in ("oldham.viewer", "no.such.user"):
        response = plain_client.post(
            "/login",
            data={"username": username, "password": "wrong password x", "csrf_token": token},
        )
        assert response.status_code == 401
        texts.append(re.sub(r'value="[^"]*"', "", response.get_data(as_text=True)))
    assert texts[0] == texts[1]


def test_sec082_cache_dir_is_private(server):
    cache = Path(server.extensions["chorus_settings"].cache_dir)
    assert cache.is_dir()
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700


def test_sec083_cache_dir_refuses_web_served_folders(tmp_path):
    from app import ROOT

    with pytest.raises(UnsafeCacheLocation):
        prepare_cache_dir(ROOT / "assets" / "cache", web_folders=[ROOT / "assets"])
    made = prepare_cache_dir(tmp_path / "deep" / "cache", web_folders=[ROOT / "assets"])
    assert stat.S_IMODE(made.stat().st_mode) == 0o700
