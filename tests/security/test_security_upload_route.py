"""``POST /import/upload``: the Import page's file streamed to disk outside Dash.

Refused without a login (401), below the analyst role (403), without the CSRF header or
from another site (403), and over the limit (413) without reading the whole body or ever
writing more than the limit to disk. The token it answers with is taken by the Import
page once, by the same user of the same organisation, before it expires; a taken upload
gives the same preview as the file read directly, and the uploaded file is dropped after
the commit.
"""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from security_helpers import (
    ORIGIN,
    UPLOAD_URL,
    logged_in,
    login_as,
    post_upload,
    upload_to_import_page,
)
from sqlalchemy import func, select, update

from data_access.models import ImportJob, ImportJobFile

CSV = (
    b"indicator,area_code,period,breakdown,breakdown_value,numerator,denominator,value,status\n"
    + b"".join(
        f"eh_requests,E08000004,{m} 2041,total,total,,,{100 + i},\n".encode()
        for i, m in enumerate(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug"] * 3)
    )
)


def _client(server, users, key: str | None = None) -> FlaskClient:  # type: ignore[no-untyped-def]
    client = FlaskClient(server, server.response_class, use_cookies=True)
    if key:
        login_as(client, users, key)
    return client


def _jobs(db) -> int:  # type: ignore[no-untyped-def]
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(ImportJob)) or 0


def _staged(server) -> list[Path]:  # type: ignore[no-untyped-def]
    from pages._import_upload import staging_folder

    with server.app_context():
        folder = staging_folder()
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def _take(server, users, key: str, token: str, fmt: str = "template") -> tuple:  # type: ignore[no-untyped-def]
    from pages._import_files import receive_upload

    with logged_in(server, users[key].username):
        return receive_upload({"token": token, "filename": "figures.csv"}, fmt, [])


def test_upr001_anonymous_uploads_are_refused_unread(server, users, db):
    client = _client(server, users)
    response = client.post(
        UPLOAD_URL,
        data=CSV,
        content_type="application/octet-stream",
        headers={"Origin": ORIGIN, "X-Filename": "figures.csv"},
    )
    assert response.status_code == 401
    assert _jobs(db) == 0 and _staged(server) == []


@pytest.mark.parametrize("role", ["viewer", "practitioner"])
def test_upr002_roles_below_analyst_are_refused(server, users, db, role):
    client = _client(server, users, f"oldham_{role}")
    response = post_upload(client, CSV, "figures.csv")
    assert response.status_code == 403
    assert _jobs(db) == 0 and _staged(server) == []


@pytest.mark.parametrize(
    "headers",
    [
        {"X-CSRFToken": ""},  # no token
        {"X-CSRFToken": "not-the-token"},  # a wrong one
        {"Origin": "https://elsewhere.example"},  # another site
    ],
    ids=["missing", "wrong", "cross-site"],
)
def test_upr003_no_csrf_token_no_upload(server, users, db, headers):
    client = _client(server, users, "oldham_analyst")
    response = post_upload(client, CSV, "figures.csv", headers=headers)
    assert response.status_code == 403
    assert _jobs(db) == 0 and _staged(server) == []


def test_upr004_a_body_declared_over_the_limit_is_refused_before_it_is_read(
    server, users, db, monkeypatch
):
    import pages._import_upload as route

    monkeypatch.setattr(route, "max_upload_bytes", lambda: 4096)
    client = _client(server, users, "oldham_analyst")
    response = post_upload(client, b"a,b\n" + b"1,2\n" * 5000, "big.csv")
    assert response.status_code == 413
    message = response.get_json()["error"]
    assert message.startswith("big.csv: The file is larger than the limit")
    assert "/" not in message.partition(": ")[2]
    assert _jobs(db) == 0 and _staged(server) == []


class _CountingStream(io.RawIOBase):
    """A request body of ``total`` bytes that records how much was read and, at each read,
    the largest file in the staging folder."""

    def __init__(self, total: int, staging: Path) -> None:
        self.left, self.read_bytes, self.staging, self.largest = total, 0, staging, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        if self.staging.exists():
            sizes = [p.stat().st_size for p in self.staging.rglob("*") if p.is_file()]
            self.largest = max([self.largest, *sizes])
        n = min(len(buffer), self.left, 64 * 1024)
        buffer[:n] = b"1,2\n" * (n // 4) + b"\n" * (n % 4)
        self.left -= n
        self.read_bytes += n
        return n


def test_upr005_a_streamed_body_is_cut_off_at_the_limit(server, users, db, monkeypatch):
    """No Content-Length (a chunked request): the body is read block by block, and the
    upload stops, refused, one block past the limit; the file on disk never passes it."""
    import data_access.importing.uploads as uploads
    import pages._import_upload as route

    limit = 256 * 1024
    monkeypatch.setattr(route, "max_upload_bytes", lambda: limit)
    monkeypatch.setattr(uploads, "BLOCK_BYTES", 64 * 1024)
    client = _client(server, users, "oldham_analyst")
    with server.app_context():
        staging = route.staging_folder()
    body = _CountingStream(20 * 1024 * 1024, staging)
    headers = {
        "X-CSRFToken": client.get_cookie("_csrf_token").value,  # type: ignore[union-attr]
        "Origin": ORIGIN,
        "X-Filename": quote("endless.csv"),
    }
    response = client.post(
        UPLOAD_URL,
        content_type="application/octet-stream",
        headers=headers,
        environ_overrides={
            "wsgi.input": io.BufferedReader(body),
            "wsgi.input_terminated": True,
            "HTTP_TRANSFER_ENCODING": "chunked",
        },
    )
    assert response.status_code == 413, response.get_data(as_text=True)
    assert body.read_bytes < 2 * limit  # the 20 MB were never all read
    assert 0 < body.largest <= limit  # written while arriving, never past the limit
    assert _jobs(db) == 0 and _staged(server) == []


def test_upr006_a_token_is_taken_only_by_its_own_user_once(server, users, db):
    upload = upload_to_import_page(server, users, "oldham_analyst", CSV, "figures.csv")
    token = upload.answer["token"]
    # upload_to_import_page took it already, as the page does: a second take is refused.
    assert upload.status == 201 and "token" in upload.outputs[0]  # type: ignore[index]
    again = _take(server, users, "oldham_analyst", token)
    assert "expired or was not made here" in json.dumps(again[1], default=str)
    client = _client(server, users, "oldham_analyst")
    fresh = post_upload(client, CSV, "figures.csv").get_json()["token"]
    for other in ("rochdale_analyst", "oldham_admin", "rochdale_admin"):
        refused = _take(server, users, other, fresh)
        assert refused[0] is not None  # no_update: no job handed over
        assert "expired or was not made here" in json.dumps(refused[1], default=str), other
    taken = _take(server, users, "oldham_analyst", fresh)  # the owner still can
    assert taken[0]["token"] == fresh and "columns" in json.dumps(taken[1], default=str)


def test_upr007_an_expired_token_is_refused_and_its_file_removed(server, users, db):
    from data_access.importing import jobs
    from pages._import_files import jobs_base

    client = _client(server, users, "oldham_analyst")
    token = post_upload(client, CSV, "figures.csv").get_json()["token"]
    with db.write() as session:
        status = json.loads(
            session.scalar(select(ImportJob.status).where(ImportJob.token == token))
        )
        status["expires"] = time.time() - 1
        session.execute(
            update(ImportJob).where(ImportJob.token == token).values(status=json.dumps(status))
        )
    refused = _take(server, users, "oldham_analyst", token)
    assert "expired or was not made here" in json.dumps(refused[1], default=str)
    with server.app_context():
        base = jobs_base()
    later = time.time() + jobs.UPLOAD_TTL_SECONDS + 60
    assert jobs.remove_old_jobs(db, now=later, base=base) >= 1
    with db.read() as session:
        left = session.scalar(
            select(func.count()).select_from(ImportJobFile).where(ImportJobFile.job_token == token)
        )
    assert left == 0 and _jobs(db) == 0


def test_upr008_a_streamed_csv_gives_the_preview_of_the_file_itself(server, users, db, tmp_path):
    """The preview and file facts are those of the file as sent, byte for byte."""
    from components.import_forms import PREVIEW_ROWS, table
    from data_access.importing.safety import inspect_file, read_chunks

    upload = upload_to_import_page(server, users, "oldham_analyst", CSV, "figures.csv")
    assert upload.status == 201 and upload.outputs is not None
    path = tmp_path / "figures.csv"
    path.write_bytes(CSV)
    facts = inspect_file(path, allow_xlsx=True)
    sample = next(read_chunks(facts, 5_000)).frame
    expected = table(sample.head(PREVIEW_ROWS), "First rows of the file")
    shown = upload.outputs[2].children[1]
    assert json.dumps(shown.to_plotly_json(), default=str) == json.dumps(
        expected.to_plotly_json(), default=str
    )
    assert "9 columns, about 24 rows" in upload.message
    stored = upload.jobs_base / upload.outputs[0]["token"] / "upload.csv"
    assert stored.read_bytes() == CSV
    assert upload.staged == []  # the staging copy is gone once the job holds the file


def test_upr009_the_uploaded_file_is_dropped_after_the_commit(server, users, db):
    from data_access.importing import jobs

    upload = upload_to_import_page(server, users, "oldham_analyst", CSV, "figures.csv")
    token = upload.outputs[0]["token"]  # type: ignore[index]
    jobs.drop_upload(db, token, upload.jobs_base)
    with db.read() as session:
        names = session.scalars(
            select(ImportJobFile.name).where(ImportJobFile.job_token == token)
        ).all()
    assert not [n for n in names if n.startswith("upload.")]
    assert not list((upload.jobs_base / token).glob("upload.*"))
