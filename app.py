"""Chorus: the app factory. ``app = create_app()``; gunicorn serves ``app:server``."""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dash
from dash import Dash, html
from dash.fingerprint import check_fingerprint
from flask import Flask, Request, Response, has_request_context, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.security import safe_join

import metrics
from api import annotations as api_annotations
from api import journeys as api_journeys
from api import live as api_live
from api import observations as api_observations
from api import voice as api_voice
from auth import init_auth
from auth.csrf import csrf_token
from auth.hardening import prepare_cache_dir
from auth.headers import use_dash_script_hashes
from auth.permissions import PermissionDenied
from components.shell import (
    PRESENT_PATH,
    anonymous_shell,
    nav_groups,
    page_shell,
    present_shell,
)
from data_access.cache import use_settings as use_cache_settings
from data_access.db import init_database
from data_access.importing.limits import body_limit_bytes, request_limit_bytes
from health import register_health
from observability import configure_logging, init_observability
from settings import Settings, production_warnings

log = logging.getLogger("chorus")

ROOT = Path(__file__).resolve().parent

# Dash's default page with a language attribute (screen readers need it).
INDEX_STRING = """<!DOCTYPE html>
<html lang="en-GB">
<head>
{%metas%}
<title>{%title%}</title>
{%favicon%}
{%css%}
</head>
<body>
{%app_entry%}
<div class="dash-scripts">
{%config%}
{%scripts%}
{%renderer%}
</div>
</body>
</html>"""


# Files that are the same for everyone and change only with a deploy.
SUITES_PREFIX = "/_dash-component-suites/"
ASSETS_PREFIX = "/assets/"
STATIC_KEY = "static:"
ONE_YEAR = 31536000  # seconds, as Dash gives its fingerprinted bundles
ONE_HOUR = 3600


def static_compression_key(req: Request) -> str:
    """flask-compress cache key: which static file this is, else "" (never kept).

    Dash's bundles are keyed by their path without the fingerprint (any fingerprint
    serves the same file), assets by path and file time, so a client cannot grow the
    cache by inventing query strings. A Range request gets "": its partial body must not
    stand for the whole file.
    """
    if req.method != "GET" or "Range" in req.headers:
        return ""
    if req.path.startswith(SUITES_PREFIX):
        path, _fingerprinted = check_fingerprint(req.path)
        return STATIC_KEY + path
    if req.path.startswith(ASSETS_PREFIX):
        file_path = safe_join(str(ROOT / "assets"), req.path[len(ASSETS_PREFIX) :])
        try:
            modified = os.stat(file_path).st_mtime_ns if file_path else None
        except OSError:
            modified = None
        return f"{STATIC_KEY}{req.path}@{modified}" if modified else ""
    return ""


class StaticCompressionCache:
    """flask-compress cache that keeps compressed static files only (keys from
    ``static_compression_key``); anything else, callback responses above all, is
    compressed afresh and never stored."""

    def __init__(self) -> None:
        self._data: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self._data.get(key)

    def set(self, key: str, value: bytes) -> None:
        _algorithm, _, name = key.partition(";")
        if name.startswith(STATIC_KEY):
            self._data[key] = value


def _permission_denied(error: PermissionDenied) -> ResponseReturnValue:
    status = 401 if error.reason == "login required" else 403
    return jsonify({"error": "You do not have permission to do that."}), status


def create_server(settings: Settings) -> Flask:
    """The Flask server with sessions, the database and login wired in."""
    server = Flask(__name__, instance_path=str(settings.instance_dir))
    server.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        SESSION_COOKIE_NAME="chorus_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_absolute_hours),
        # Refused before the body is read: the import limit (the upload is the raw body of
        # POST /import/upload). Every other request is held to less (_limit_body below).
        MAX_CONTENT_LENGTH=request_limit_bytes(settings.import_max_mb),
        # Compression (Dash compress=True) for JSON, scripts and styles, not for HTML pages:
        # those carry the CSRF token beside reflected input (BREACH).
        COMPRESS_MIMETYPES=[
            "application/json",
            "application/javascript",
            "text/javascript",
            "text/css",
            "text/csv",
        ],
        COMPRESS_MIN_SIZE=1024,
        # Bundles and stylesheets are compressed once per worker, not on every request
        # (plotly.js alone is 4.6 MB); callback responses are never kept.
        COMPRESS_CACHE_BACKEND=StaticCompressionCache,
        COMPRESS_CACHE_KEY=static_compression_key,
        TESTING=settings.env == "test",
    )
    server.extensions["chorus_settings"] = settings
    use_cache_settings(settings)
    if settings.trusted_proxies:
        # Behind N proxies: the client's address, scheme and host come from the headers
        # those proxies set (the rate limit and the audit log need the real address).
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = settings.trusted_proxies
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    prepare_cache_dir(settings.cache_dir, web_folders=[ROOT / "assets", ROOT / "pages"])
    server.extensions["chorus_db"] = init_database(settings.database_url)
    init_auth(server)
    # The API's collections, each its own blueprint under /api/v1.
    for blueprint in (
        api_observations.blueprint,
        api_voice.blueprint,
        api_annotations.blueprint,
        api_journeys.blueprint,
    ):
        server.register_blueprint(blueprint)
    # Live Learning Network sessions: conditional polling of a version (api/live.py).
    server.register_blueprint(api_live.blueprint)
    # The public information pages under /public/ (no sign-in; see pages/_public_site.py).
    from pages._public_site import blueprint as public_blueprint

    server.register_blueprint(public_blueprint)
    # The Import page's upload, streamed to disk outside Dash (see pages/_import_upload.py).
    from pages._import_upload import UPLOAD_PATH
    from pages._import_upload import blueprint as upload_blueprint

    server.register_blueprint(upload_blueprint)

    def _limit_body() -> None:
        # Only the upload route may take a body as large as the import limit. First of the
        # hooks, so no check (the CSRF form field) reads a body under the larger limit.
        request.max_content_length = body_limit_bytes(
            request.path, settings.import_max_mb, UPLOAD_PATH
        )

    server.before_request_funcs.setdefault(None, []).insert(0, _limit_body)
    server.register_error_handler(PermissionDenied, _permission_denied)

    @server.after_request
    def _keep_versioned_assets(response: Response) -> Response:
        # Dash links each asset with its file time (?m=...) and each bundle with its
        # package version and file time in the name: a changed file gets a new address,
        # so a browser may keep every such address for good without asking again
        # (immutable). An address without a version is checked again after an hour.
        if response.status_code not in (200, 304):
            return response
        if request.path.startswith(ASSETS_PREFIX):
            versioned = bool(request.args.get("m"))
        elif request.path.startswith(SUITES_PREFIX):
            versioned = check_fingerprint(request.path)[1]
        else:
            return response
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = ONE_YEAR if versioned else ONE_HOUR
        response.cache_control.immutable = versioned
        return response

    from cli import register_commands

    register_commands(server)
    return server


def background_manager(settings: Settings) -> dash.CeleryManager | dash.DiskcacheManager:
    """Runs long callbacks (imports) off the request: Celery on Redis when REDIS_URL is set
    and Celery is installed (workers on any machine; see worker.py), else subprocesses
    with a disk cache under CACHE_DIR (one machine; production warns at start)."""
    import diskcache

    cache_dir = Path(settings.cache_dir) / "background"
    cache_dir.mkdir(parents=True, exist_ok=True)
    local = dash.DiskcacheManager(diskcache.Cache(str(cache_dir)))
    if settings.redis_url and importlib.util.find_spec("celery") is not None:
        from worker import make_manager

        # Celery; a job runs here instead (with a warning) while Redis does not answer.
        return make_manager(settings, local)
    return local


def _is_present_request() -> bool:
    # Dash fetches the layout from the page itself, so the page's path is the referrer
    # (the Referrer-Policy is same-origin).
    return urlsplit(request.referrer or "").path.startswith(PRESENT_PATH)


def serve_shell() -> html.Div:
    """Dash layout function: the shell for the logged-in user of this request."""
    if not has_request_context() or not current_user.is_authenticated:
        return anonymous_shell()
    if _is_present_request():
        return present_shell()
    record = current_user.record
    return page_shell(
        user_name=record.display_name,
        role=record.role,
        organisation_name=record.organisation_name,
        csrf_token=csrf_token(),
        groups=nav_groups(dash.page_registry.values(), record.role),
        content=dash.page_container,
    )


def register_panel_callbacks(app: Dash) -> None:
    """The callbacks every indicator panel uses (its views, and its notes and quotes), those
    of Learning Network polls and actions (on the session, present, summary, Overview and
    Voice coverage pages) and the Import page's, declared beside their support code and
    registered here explicitly. Imported here, once the app exists: page modules register
    pages when imported."""
    from pages import _panel_responses
    from pages._annotation_thread_callbacks import thread_callbacks
    from pages._import_batches import batch_callbacks
    from pages._import_files import file_callbacks
    from pages._import_jobs import job_callbacks
    from pages._import_mapping import mapping_callbacks
    from pages._ln_action_callbacks import ln_action_callbacks
    from pages._ln_poll_callbacks import ln_poll_callbacks
    from pages._panel_support import panel_callbacks
    from pages.annotation_callbacks import annotation_callbacks

    panel_callbacks.register(app)
    # A repeated panel redraw is answered with the bytes of its earlier answer.
    _panel_responses.install(app.server)
    annotation_callbacks.register(app)
    ln_poll_callbacks.register(app)  # Learning Network polls
    ln_action_callbacks.register(app)  # and actions
    thread_callbacks.register(app)
    # The Import page's callbacks (pages/import_data.py holds its layout only).
    for callbacks in (file_callbacks, mapping_callbacks, job_callbacks, batch_callbacks):
        callbacks.register(app)


def create_app(settings: Settings | None = None) -> Dash:
    """Build the Dash app. Dash registers callbacks globally: build it once per process."""
    settings = settings or Settings.from_env()
    configure_logging(settings)
    metrics.share_through(settings.redis_url)
    for warning in production_warnings(settings):
        log.warning("Production warning: %s", warning)
    server = create_server(settings)
    manager = background_manager(settings)
    app = Dash(
        __name__,
        server=server,
        use_pages=True,
        pages_folder=str(ROOT / "pages"),
        assets_folder=str(ROOT / "assets"),
        title="Chorus",
        update_title=None,
        suppress_callback_exceptions=True,
        serve_locally=True,
        # gzip/brotli for callback responses and the bundles (flask-compress): charts and
        # tables are JSON that compresses about tenfold.
        compress=True,
        # Bootstrap is vendored (no CDN) and comes in with the assets: Dash matches
        # assets_ignore against file names only, so it has always been linked from
        # assets/vendor after our own stylesheets (and its rules win ties with them).
        background_callback_manager=manager,
        hooks=RENDERER_HOOKS,
    )
    register_panel_callbacks(app)
    app.index_string = INDEX_STRING.replace("{%css%}", "{%css%}\n" + early_script_links(app))
    # The CSP allows Dash's inline scripts by hash (the renderer start-up and any
    # clientside callbacks) and no other inline script.
    use_dash_script_hashes(server, app.csp_hashes)
    register_health(server, settings, uses_celery=isinstance(manager, dash.CeleryManager))
    init_observability(server, settings, lambda: app.callback_map)
    _finish_dash_setup_before_any_request(app)
    app.layout = serve_shell
    return app


# Scripts Dash fetches only once the first chart or dropdown appears, that is after the
# page content has arrived: plotly.js (4.6 MB) and dcc's graph and dropdown chunks. The
# page preloads them at low priority (after the bundles the page needs first; downloaded,
# not run), and assets/early_scripts.js runs them just after Dash has asked for the
# layout, so they run while the layout and page content are on their way. Dash's graph
# loader then finds ``window.Plotly`` set and the chunks installed, and fetches nothing.
# (Measured: a plain ``defer`` runs plotly.js before the layout request and delays it;
# high-priority preloads hold up the bundles.)
EARLY_SCRIPTS = (
    ("plotly", "package_data/plotly.min.js"),
    ("dash", "dcc/async-graph.js"),
    ("dash", "dcc/async-dropdown.js"),
)
# Called by Dash's renderer right before it requests the layout (a renderer hook: it is
# part of the renderer's inline script, whose hash the CSP allows).
RENDERER_HOOKS = {
    "layout_pre": "function () { if (window.chorusRunEarlyScripts) { chorusRunEarlyScripts(); } }"
}


def early_script_links(app: Dash) -> str:
    """``<link rel="preload">`` tags for EARLY_SCRIPTS at Dash's fingerprinted addresses
    (cached for a year; registering them also lets Dash serve them)."""
    links = []
    for namespace, path in EARLY_SCRIPTS:
        (url,) = app._collect_and_register_resources(
            [{"relative_package_path": path, "namespace": namespace}]
        )
        links.append(
            f'<link rel="preload" as="script" fetchpriority="low" href="{url}" '
            f'data-chorus-early="{namespace}">'
        )
    return "\n".join(links)


def _finish_dash_setup_before_any_request(app: Dash) -> None:
    """Run Dash's one-off setup under a lock, ahead of Dash's own hook.

    Dash sets its "set up" flag at the start of the setup, so in a threaded worker the
    second of several simultaneous first requests (a browser fetching scripts in
    parallel) skips ahead before the scripts are registered and gets a 500.
    """
    lock = threading.Lock()
    state = {"ready": False}

    def setup_once() -> None:
        if state["ready"]:
            return
        with lock:
            if not state["ready"]:
                app._setup_server()
                state["ready"] = True

    app.server.before_request_funcs.setdefault(None, []).insert(0, setup_once)


app = create_app()
server = app.server
# The Celery app when REDIS_URL is set (for `celery -A app:celery_app worker`), else None.
_manager = app._background_manager
celery_app = _manager.handle if isinstance(_manager, dash.CeleryManager) else None

__all__ = ["app", "create_app", "server", "dash"]
