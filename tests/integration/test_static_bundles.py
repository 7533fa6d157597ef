"""How the page's scripts and stylesheets are served: compressed once, cached, preloaded.

Static bundles are the same for everyone: their compressed bytes are kept per worker
(callback responses never are); versioned addresses may be cached by browsers for a year;
the page preloads plotly.js and Dash's chart chunks and the renderer runs them once it has
asked for the layout (the renderer's inline script stays allowed by its CSP hash).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import re

from app import StaticCompressionCache, static_compression_key


def _page(client, auth) -> str:  # type: ignore[no-untyped-def]
    auth.login("oldham_viewer")
    response = client.get("/early-years")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_stat001_a_bundle_is_served_whole_compressed_and_the_same_each_time(client, auth):
    page = _page(client, auth)
    (src,) = re.findall(r'src="([^"]+dash_core_components\.v[^"]+\.js)"', page)
    plain = client.get(src, headers={"Accept-Encoding": "identity"})
    first = client.get(src, headers={"Accept-Encoding": "gzip"})
    again = client.get(src, headers={"Accept-Encoding": "gzip"})
    assert plain.headers.get("Content-Encoding") is None
    assert first.headers["Content-Encoding"] == again.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(first.get_data()) == plain.get_data()
    assert again.get_data() == first.get_data()
    assert "max-age=31536000" in first.headers["Cache-Control"]


def test_stat002_only_static_files_are_kept(server):
    keep = StaticCompressionCache()
    with server.test_request_context("/_dash-update-component", method="POST"):
        from flask import request

        callback_key = static_compression_key(request)
    with server.test_request_context("/_dash-component-suites/dash/dcc/x.v1_2m3.js"):
        from flask import request

        bundle_key = static_compression_key(request)
    with server.test_request_context(
        "/_dash-component-suites/dash/dcc/x.v9_9m9.js", headers={"Range": "bytes=0-9"}
    ):
        from flask import request

        range_key = static_compression_key(request)
    assert callback_key == "" and range_key == ""
    # Any fingerprint names the same file: one entry, so invented addresses cannot grow it.
    assert bundle_key == "static:/_dash-component-suites/dash/dcc/x.js"
    keep.set(f"gzip;{callback_key}", b"a user's callback response")
    keep.set(f"gzip;{bundle_key}", b"bundle")
    assert keep.get(f"gzip;{callback_key}") is None
    assert keep.get(f"gzip;{bundle_key}") == b"bundle"


def test_stat003_a_range_request_does_not_stand_for_the_whole_file(client, auth):
    page = _page(client, auth)
    (src,) = re.findall(r'src="([^"]+dash_html_components\.v[^"]+\.js)"', page)
    client.get(src, headers={"Accept-Encoding": "gzip", "Range": "bytes=0-99"})
    whole = client.get(src, headers={"Accept-Encoding": "gzip"})
    plain = client.get(src, headers={"Accept-Encoding": "identity"})
    assert gzip.decompress(whole.get_data()) == plain.get_data()


def test_stat004_versioned_assets_are_kept_by_browsers(client, auth):
    page = _page(client, auth)
    (href,) = re.findall(r'href="(/assets/chorus\.css\?m=[^"]+)"', page)
    versioned = client.get(href)
    assert versioned.status_code == 200
    assert "max-age=31536000" in versioned.headers["Cache-Control"]
    assert "immutable" in versioned.headers["Cache-Control"]
    unversioned = client.get("/assets/chorus.css")
    assert "max-age=31536000" not in unversioned.headers.get("Cache-Control", "")
    assert "immutable" not in unversioned.headers.get("Cache-Control", "")


def test_stat006_fingerprinted_bundles_are_kept_for_a_year_and_never_asked_again(client, auth):
    page = _page(client, auth)
    (src,) = re.findall(r'src="([^"]+dash_core_components\.v[^"]+\.js)"', page)
    bundle = client.get(src, headers={"Accept-Encoding": "br, gzip"})
    assert bundle.status_code == 200
    kept = {part.strip() for part in bundle.headers["Cache-Control"].split(",")}
    assert {"public", "max-age=31536000", "immutable"} <= kept
    assert bundle.headers["Content-Encoding"] in ("br", "gzip")
    # The same file at its plain address (no version in the name): an hour, then asked again.
    plain = client.get(re.sub(r"\.v[^.]+\.js$", ".js", src.split("?")[0]))
    assert plain.status_code == 200
    assert plain.headers["Cache-Control"] == "public, max-age=3600"
    # Bootstrap is linked once (it used to be linked twice).
    assert len(re.findall(r"bootstrap-[\d.]+\.min\.css", page)) == 1


def test_stat005_the_page_preloads_the_chart_scripts_and_the_renderer_runs_them(client, auth):
    page = _page(client, auth)
    preloads = re.findall(r'<link rel="preload" as="script"[^>]*href="([^"]+)"[^>]*>', page)
    assert len(preloads) == 3
    assert any("plotly" in url for url in preloads)
    for url in preloads:
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype.endswith("javascript")
    assert "/assets/early_scripts.js" in page
    (renderer,) = re.findall(r'<script id="_dash-renderer"[^>]*>(.*?)</script>', page, re.S)
    assert "chorusRunEarlyScripts" in renderer
    digest = base64.b64encode(hashlib.sha256(renderer.encode()).digest()).decode()
    policy = client.get("/early-years").headers["Content-Security-Policy"]
    assert f"'sha256-{digest}'" in policy
    assert "unsafe-eval" not in policy
