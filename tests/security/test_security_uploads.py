"""Bounded uploads: the request limit follows the import limit, an upload is decoded to disk
with the limit enforced while writing, a workbook bomb is refused from its zip directory
before parsing, and a refused file is deleted at once."""

from __future__ import annotations

import base64
import contextlib
import io
import zipfile
from pathlib import Path

import pytest

from data_access.importing.limits import (
    check_xlsx_archive,
    request_limit_bytes,
    write_base64_limited,
)
from data_access.importing.safety import FileRejected, inspect_file


def _bomb(path: Path, text_bytes: int) -> None:
    """A tiny .xlsx whose shared strings decompress to ``text_bytes`` of one repeated cell."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        body = "<sst><si><t>" + "A" * text_bytes + "</t></si></sst>"
        archive.writestr("xl/sharedStrings.xml", body)


def test_upl001_a_workbook_bomb_is_refused_before_parsing(tmp_path, monkeypatch):
    path = tmp_path / "bomb.xlsx"
    _bomb(path, 80 * 1024 * 1024)  # 80 MB of one cell, about 80 KB on disk
    assert path.stat().st_size < 1024 * 1024
    import openpyxl

    def never(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    with pytest.raises(FileRejected) as refused:
        inspect_file(path, max_bytes=100 * 1024 * 1024, allow_xlsx=True)
    assert refused.value.code in ("cell_too_large", "too_large")
    with pytest.raises(FileRejected):
        check_xlsx_archive(path, 100 * 1024 * 1024)


def test_upl002_the_upload_is_decoded_with_the_limit_enforced(tmp_path):
    path = tmp_path / "upload.csv"
    small = base64.b64encode(b"a,b\n1,2\n").decode()
    assert write_base64_limited(small, path, 1024) == 8
    big = base64.b64encode(b"x" * 5000).decode()
    with pytest.raises(FileRejected):
        write_base64_limited(big, path, 1000)
    assert not path.exists()


def test_upl003_the_request_limit_follows_the_import_limit(server):
    settings = server.extensions["chorus_settings"]
    assert server.config["MAX_CONTENT_LENGTH"] == request_limit_bytes(settings.import_max_mb)
    assert request_limit_bytes(100) < 140 * 1024 * 1024  # not the old fixed 250 MB


@contextlib.contextmanager
def _logged_in(server, username: str):  # type: ignore[no-untyped-def]
    from flask_login import login_user

    from auth.current import CurrentUser
    from data_access.db import get_database
    from data_access.users import user_with_hash

    with server.test_request_context():
        with get_database().read() as session:
            record, _ = user_with_hash(session, username)
        login_user(CurrentUser(record))
        yield record


def test_upl004_a_refused_upload_is_deleted_at_once(server, users, db, tmp_path):
    from pages import import_data as page

    buffer = io.BytesIO()
    _bomb(tmp_path / "b.xlsx", 80 * 1024 * 1024)
    buffer.write((tmp_path / "b.xlsx").read_bytes())
    contents = (
        "data:application/octet-stream;base64," + base64.b64encode(buffer.getvalue()).decode()
    )
    with _logged_in(server, users["oldham_analyst"].username):
        out = page.receive_upload(contents, "bomb.xlsx", "template", [])
        base = page._jobs_base()
    job = out[0]
    assert "Excel" in str(out[1]) or "workbook" in str(out[1])
    assert not (base / job["token"]).exists()
