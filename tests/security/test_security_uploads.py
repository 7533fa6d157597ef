"""Bounded uploads: the request limit follows the import limit (and every other request is
held to less), an upload is written to disk with the limit enforced while reading, a
workbook bomb is refused from its zip directory before parsing, and a refused file is
deleted at once. The upload route itself: test_security_upload_route.py."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from security_helpers import CALLBACK_URL, login_as, upload_to_import_page

from data_access.importing.limits import (
    OTHER_REQUEST_LIMIT_BYTES,
    UploadTooLarge,
    body_limit_bytes,
    check_xlsx_archive,
    request_limit_bytes,
)
from data_access.importing.safety import FileRejected, inspect_file
from data_access.importing.uploads import stream_to_file


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


def test_upl002_the_upload_is_written_with_the_limit_enforced(tmp_path):
    path = tmp_path / "upload.csv"
    assert stream_to_file(io.BytesIO(b"a,b\n1,2\n"), path, 1024) == 8
    assert path.read_bytes() == b"a,b\n1,2\n"
    body = io.BytesIO(b"x" * (3 * 1024 * 1024))
    with pytest.raises(UploadTooLarge):
        stream_to_file(body, path, 1024 * 1024 + 10)
    assert not path.exists()  # the partial file is deleted
    assert body.tell() <= 2 * 1024 * 1024 + 10  # one block past the limit, not the rest


def test_upl003_the_request_limit_follows_the_import_limit(server, client, users):
    settings = server.extensions["chorus_settings"]
    assert server.config["MAX_CONTENT_LENGTH"] == request_limit_bytes(settings.import_max_mb)
    # The upload is the raw body now: no base64 third on top of the limit.
    assert request_limit_bytes(100) < 101 * 1024 * 1024
    # Any other request (a Dash callback above all) is held to far less.
    assert body_limit_bytes("/import/upload", 100, "/import/upload") == request_limit_bytes(100)
    assert body_limit_bytes(CALLBACK_URL, 100, "/import/upload") == OTHER_REQUEST_LIMIT_BYTES
    login_as(client, users, "oldham_analyst")
    big = b"{" + b" " * (OTHER_REQUEST_LIMIT_BYTES + 10)
    response = client.post(CALLBACK_URL, data=big, content_type="application/json")
    assert response.status_code == 413


def test_upl004_a_refused_upload_is_deleted_at_once(server, users, db, tmp_path):
    _bomb(tmp_path / "b.xlsx", 80 * 1024 * 1024)
    content = (tmp_path / "b.xlsx").read_bytes()
    upload = upload_to_import_page(server, users, "oldham_analyst", content, "bomb.xlsx")
    assert upload.status == 422
    assert "Excel" in upload.message or "workbook" in upload.message
    assert upload.outputs is None and upload.jobs_kept == 0 and upload.staged == []
