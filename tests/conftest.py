"""Shared fixtures: one app per test process, a database reset between tests.

Which database the app uses is chosen by CHORUS_TEST_DATABASE (``sqlite``, the default,
or ``postgresql``). The data_access suite runs on both regardless, through ``any_db``.
When CI is set, an unreachable PostgreSQL fails the run instead of skipping.

Fixtures, after Flask's tutorial: ``app`` (the Dash app), ``server`` (its Flask server),
``client`` (a test client), ``auth`` (log in and out), ``users`` (one known user per
role and organisation, password ``TEST_PASSWORD``), ``db`` (the app's Database).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from dbsupport import (  # noqa: F401  (re-exported for older imports)
    POSTGRES_ADMIN_URL,
    create_postgres_database,
    postgres_available,
    postgres_url,
    require_postgres,
)

TEST_PASSWORD = "correct horse battery staple 42"
APP_DATABASE = os.environ.get("CHORUS_TEST_DATABASE", "sqlite")

_INSTANCE = Path(tempfile.mkdtemp(prefix="chorus-test-"))
os.environ["CHORUS_ENV"] = "test"
os.environ["CHORUS_INSTANCE_DIR"] = str(_INSTANCE)
os.environ["SECRET_KEY"] = "test-secret-key-not-for-production"
os.environ.pop("REDIS_URL", None)


if APP_DATABASE == "postgresql":
    if not postgres_available():
        if os.environ.get("CI"):
            raise RuntimeError("PostgreSQL is not reachable and CI is set")
    else:
        os.environ["DATABASE_URL"] = create_postgres_database(f"chorus_app_{os.getpid()}")
else:
    os.environ["DATABASE_URL"] = f"sqlite:///{_INSTANCE / 'chorus-test.db'}"


@dataclass(frozen=True)
class TestUser:
    key: str
    username: str
    role: str
    organisation_code: str
    password: str = TEST_PASSWORD


TEST_ORGANISATIONS = (
    ("E08000004", "Oldham", "local_authority", True, "oldham"),
    ("E08000005", "Rochdale", "local_authority", True, "rochdale"),
    ("E10000014", "Hampshire", "local_authority", True, "hampshire"),
    ("E06000065", "North Yorkshire", "local_authority", True, "northyorks"),
    ("E08000003", "Manchester", "local_authority", False, "manchester"),
    ("RESEARCH", "Research team", "research", True, "research"),
)
ROLES = ("viewer", "practitioner", "analyst", "admin")

# Tables holding reference data and observations that the whole session shares; every
# other table is emptied before each test that asks for ``db`` (users are re-created).
SHARED_TABLES = {
    "areas",
    "area_groups",
    "area_group_members",
    "indicators",
    "observations",
    "import_batches",
    "observation_history",
    "data_state",
    "voice_themes",
}


def _seed_reference(database) -> None:  # type: ignore[no-untyped-def]
    from data_access.demo import load_demo_observations, load_reference_data

    with database.write() as session:
        catalogue = load_reference_data(session)
        load_demo_observations(session, catalogue)


_PASSWORD_HASH: str | None = None


def _password_hash() -> str:
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        from auth.passwords import hash_password

        _PASSWORD_HASH = hash_password(TEST_PASSWORD)
    return _PASSWORD_HASH


def create_test_users(database) -> dict[str, TestUser]:  # type: ignore[no-untyped-def]
    """Organisations and one user per role in each; returns them keyed 'oldham_viewer'..."""
    from data_access.users import create_user, get_or_create_organisation

    users = {}
    with database.write() as session:
        for code, name, kind, in_network, prefix in TEST_ORGANISATIONS:
            org = get_or_create_organisation(session, code, name, kind, in_network)
            for role in ROLES:
                username = f"{prefix}.{role}"
                create_user(session, username, _password_hash(), org, role, f"{name} {role}")
                users[f"{prefix}_{role}"] = TestUser(f"{prefix}_{role}", username, role, code)
    return users


def reset_mutable_tables(database) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import delete

    from data_access.audit import audit_purge_allowed
    from data_access.models import Base

    # The audit log is append-only; emptying it between tests needs the explicit opt-in.
    with database.write() as session, audit_purge_allowed(session):
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in SHARED_TABLES:
                session.execute(delete(table))


@pytest.fixture(scope="session")
def app():
    """The Dash app, built once for the process, on a migrated and seeded database."""
    if APP_DATABASE == "postgresql":
        require_postgres()
    from data_access.migrate import upgrade_to_head

    upgrade_to_head(os.environ["DATABASE_URL"])
    import app as app_module

    database = app_module.server.extensions["chorus_db"]
    _seed_reference(database)
    yield app_module.app
    database.dispose()
    shutil.rmtree(_INSTANCE, ignore_errors=True)


@pytest.fixture(scope="session")
def server(app):
    return app.server


@pytest.fixture
def db(server):
    """The app's database, with users re-created and per-test tables emptied."""
    database = server.extensions["chorus_db"]
    reset_mutable_tables(database)
    return database


@pytest.fixture
def users(db) -> dict[str, TestUser]:
    return create_test_users(db)


class RendererLikeClient:
    """Mixin for Flask's test client that does what Dash's renderer does in a browser.

    On a POST to the callback endpoint it sends the ``_csrf_token`` cookie back as the
    X-CSRFToken header and the page's Origin, unless the test set them itself. The
    security suite uses a plain client to check that requests without them are refused.
    """

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        path = args[0] if args and isinstance(args[0], str) else kwargs.get("path", "")
        if path.startswith("/_dash-update-component"):
            headers = dict(kwargs.pop("headers", None) or {})
            cookie = self.get_cookie("_csrf_token")
            if cookie is not None:
                headers.setdefault("X-CSRFToken", cookie.value)
            headers.setdefault("Origin", "http://localhost")
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)


@pytest.fixture
def client(server, users):
    from flask.testing import FlaskClient

    client_class = type("DashTestClient", (RendererLikeClient, FlaskClient), {})
    return client_class(server, server.response_class, use_cookies=True)


class AuthActions:
    """Log in and out through the real form, as a browser would."""

    def __init__(self, client, users: dict[str, TestUser]) -> None:  # type: ignore[no-untyped-def]
        self._client = client
        self._users = users

    def csrf_token(self) -> str:
        page = self._client.get("/login").get_data(as_text=True)
        match = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert match, "login form has no CSRF token"
        return match.group(1)

    def login(self, key: str = "oldham_viewer", password: str | None = None):  # type: ignore[no-untyped-def]
        user = self._users[key]
        return self._client.post(
            "/login",
            data={
                "username": user.username,
                "password": password if password is not None else user.password,
                "csrf_token": self.csrf_token(),
            },
        )

    def logout(self):  # type: ignore[no-untyped-def]
        # The page layout puts the session's token in the sign-out form, as in a browser.
        self._client.get("/_dash-layout")
        with self._client.session_transaction() as session:
            token = session.get("csrf_token", "")
        return self._client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client, users) -> AuthActions:
    return AuthActions(client, users)


# --- data_access on both databases -------------------------------------------------------


@pytest.fixture(scope="session")
def _sqlite_scratch_url(tmp_path_factory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('da') / 'scratch.db'}"


@pytest.fixture(scope="session")
def _postgresql_scratch_url() -> str:
    require_postgres()
    return create_postgres_database(f"chorus_da_{os.getpid()}")


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request):
    """A migrated, empty Database on SQLite and then on PostgreSQL (reference data loaded
    once per database; other tables emptied per test)."""
    from data_access.db import Database
    from data_access.migrate import upgrade_to_head

    url = request.getfixturevalue(f"_{request.param}_scratch_url")
    database = _SCRATCH.get(url)
    if database is None:
        upgrade_to_head(url)
        database = Database(url)
        with database.write() as session:
            from data_access.demo import load_reference_data

            load_reference_data(session)
        _SCRATCH[url] = database
    reset_mutable_tables(database)
    from sqlalchemy import delete

    from data_access.models import DataState, ImportBatch, Observation, ObservationHistory

    with database.write() as session:
        session.execute(delete(ObservationHistory))
        session.execute(delete(Observation))
        session.execute(delete(ImportBatch))
        # Every test starts at data version 1, whatever an earlier test imported.
        session.execute(delete(DataState))
    return database


_SCRATCH: dict = {}


def pytest_sessionfinish(session, exitstatus):  # type: ignore[no-untyped-def]
    for database in _SCRATCH.values():
        database.dispose()
