"""Scale-out: two gunicorn processes (as on two machines) on one PostgreSQL and one Redis.

A note saved through one instance is seen through the other; a cached answer is shared
through Redis and is invalidated on both when an import bumps the data version.
Skips only when PostgreSQL or Redis is unreachable and CI is not set.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from dbsupport import create_postgres_database, require_postgres, require_redis
from sqlalchemy import text

from bench.harness import BenchUser, Client, app_environment, gunicorn, match_callback_body

REDIS_URL = os.environ.get("CHORUS_TEST_REDIS", "redis://127.0.0.1:6379/15")
OLDHAM, ENGLAND = "E08000004", "E92000001"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _gld_rows(value: float) -> pd.DataFrame:
    start, end = date(2023, 9, 1), date(2024, 8, 31)
    return pd.DataFrame(
        {
            "indicator": ["gld", "gld"],
            "area_code": [OLDHAM, ENGLAND],
            "period_label": ["2023/24", "2023/24"],
            "period_start": [start, start],
            "period_end": [end, end],
            "breakdown": ["total", "total"],
            "breakdown_value": ["total", "total"],
            "numerator": [np.nan, np.nan],
            "denominator": [np.nan, np.nan],
            "value": [value, 66.7],
            "lower_ci": [np.nan, np.nan],
            "upper_ci": [np.nan, np.nan],
            "status": [None, None],
        }
    )


@pytest.fixture(scope="module")
def shared_database():
    """A fresh PostgreSQL database with reference data, two GLD figures and one analyst."""
    require_postgres()
    require_redis(REDIS_URL)
    from auth.passwords import hash_password
    from data_access.db import Database
    from data_access.demo import load_reference_data
    from data_access.migrate import upgrade_to_head
    from data_access.observations import insert_observations
    from data_access.users import create_user, get_or_create_organisation

    url = create_postgres_database(f"chorus_scale_out_{os.getpid()}")
    upgrade_to_head(url)
    database = Database(url)
    password = secrets.token_urlsafe(16)
    with database.write() as session:
        load_reference_data(session)
        insert_observations(session, _gld_rows(61.0))
        org = get_or_create_organisation(session, OLDHAM, "Oldham", "local_authority", True)
        create_user(session, "scale.analyst", hash_password(password), org, "analyst", "Analyst")
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match="chorus:*"):
        client.delete(key)
    yield url, database, BenchUser("scale.analyst", password, OLDHAM)
    database.dispose()
    for key in client.scan_iter(match="chorus:*"):
        client.delete(key)
    _drop_database(url)


def _drop_database(url: str) -> None:
    import psycopg
    from dbsupport import POSTGRES_ADMIN_URL

    name = url.rsplit("/", 1)[1]
    admin = POSTGRES_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def two_instances(shared_database):
    """Two gunicorns (one worker each) sharing the database, Redis and the secret key."""
    url, _, user = shared_database
    shared = {"SECRET_KEY": secrets.token_hex(32)}
    with (
        gunicorn(url, workers=1, threads=2, cache="on", redis_url=REDIS_URL, env_extra=shared) as a,
        gunicorn(url, workers=1, threads=2, cache="on", redis_url=REDIS_URL, env_extra=shared) as b,
    ):
        yield a, b, Client(a.base_url, user), Client(b.base_url, user)


def _gld_value(client: Client) -> float:
    elapsed, response = client.get(f"/api/v1/observations?indicator=gld&area={OLDHAM}")
    assert response.status_code == 200, response.text[:300]
    rows = [
        r for r in response.json()["data"] if r["area_code"] == OLDHAM and r["period"] == "2023/24"
    ]
    assert len(rows) == 1
    return rows[0]["value"]


def _save_note_body(dependencies: list[dict], body_text: str) -> dict:
    from components.panel import panel_state

    save = next(
        d
        for d in dependencies
        if "note-message" in d["output"] and any("note-save" in i["id"] for i in d["inputs"])
    )
    index = "scale-out-panel"
    series = pd.DataFrame(
        {
            "period_label": ["2023/24"],
            "period_start": ["2023-09-01"],
            "period_end": ["2024-08-31"],
        }
    )
    state = panel_state("gld", OLDHAM, "total", ["england"], None, None, series)

    def key(kind: str) -> str:
        return json.dumps({"index": index, "type": kind}, sort_keys=True)

    props = {
        key("note-save"): {"n_clicks": 1},
        key("note-kind"): {"value": "interpretation"},
        key("note-scope"): {"value": "point"},
        key("note-from"): {"value": "2023-09-01"},
        key("note-to"): {"value": None},
        key("note-text"): {"value": body_text},
        key("note-tags"): {"value": ""},
        key("note-visibility"): {"value": "organisation"},
        key("panel-state"): {"data": state},
    }
    return match_callback_body(save, index, props, changed=0)


def test_scale001_note_saved_through_one_instance_is_seen_through_the_other(two_instances):
    a, b, client_a, client_b = two_instances
    dependencies = client_a.get("/_dash-dependencies")[1].json()
    note = f"Family Hub opened in March ({secrets.token_hex(4)})"
    _, response = client_a.callback(_save_note_body(dependencies, note), "/early-years")
    assert response.status_code == 200, response.text[:500]

    _, listing = client_b.get(f"/api/v1/annotations?indicator=gld&area={OLDHAM}")
    assert listing.status_code == 200
    assert note in [item["body"] for item in listing.json()["data"]]


def test_scale002_shared_cache_is_invalidated_on_both_instances_by_an_import(
    two_instances, shared_database, tmp_path
):
    a, b, client_a, client_b = two_instances
    url, database, _ = shared_database
    assert _gld_value(client_b) == 61.0  # computed by B, stored in Redis
    assert _gld_value(client_a) == 61.0

    import redis

    assert any(redis.Redis.from_url(REDIS_URL).scan_iter(match="chorus:*")), "nothing cached"

    # A change that bypasses the importer (no data version bump) is not seen: both
    # instances answer from the shared cache.
    with database.write() as session:
        session.execute(
            text(
                "UPDATE observations SET value = 99 WHERE indicator_id = 'gld' AND area_code = :a"
            ),
            {"a": OLDHAM},
        )
    assert _gld_value(client_a) == 61.0
    assert _gld_value(client_b) == 61.0

    # An import through instance A's configuration (its environment, the CLI) revises the
    # figure and bumps the data version: both instances read the new figure at once. LAIT
    # is another source than the stored figure's, so the analyst first says it wins.
    lait = tmp_path / "lait.csv"
    lait.write_text(
        "Short Desc,Data item,Years,LA and Regions,Values,LA Number,Region\n"
        "FSP_NEW_GOODDEV,Good level of development,2024,Oldham,64.2,353,North West\n"
    )
    env = app_environment(url, a.instance_dir, "on", REDIS_URL)
    flask = str(Path(sys.executable).parent / "flask")
    for command in (
        ["set-precedence", "gld", "LAIT"],
        ["import-data", str(lait), "--format", "lait"],
    ):
        completed = subprocess.run(
            [flask, "--app", "app:server", *command],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert completed.returncode == 0, completed.stdout[-1500:] + completed.stderr[-1500:]
    assert _gld_value(client_b) == 64.2
    assert _gld_value(client_a) == 64.2
