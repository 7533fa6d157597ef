"""No message shows a server path, a class name or a library's exception text."""

from __future__ import annotations

import json
import re

import pytest
from security_helpers import logged_in, upload_to_import_page

from data_access.importing.safety import FileRejected, inspect_file

# What leaks look like: a path, a Python class or error name, a parser's own words.
LEAKS = re.compile(
    r"(/tmp|/home|/var|/work|\\\\|[A-Za-z]:\\|Error\b|Exception|zipfile|openpyxl|"
    r"BadZip|Expecting value|char \d+|Errno|File is not)"
)


def test_msg001_a_broken_workbook_is_refused_in_plain_words(tmp_path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    with pytest.raises(FileRejected) as refused:
        inspect_file(path, allow_xlsx=True)
    assert not LEAKS.search(refused.value.message), refused.value.message
    assert str(tmp_path) not in refused.value.message


def test_msg002_the_import_page_never_shows_exception_text(server, users, db):
    from pages._import_mapping import save_mapping_clicked

    junk = b"PK\x03\x04" + b"\x00" * 200
    upload = upload_to_import_page(server, users, "oldham_analyst", junk, "book.xlsx")
    assert upload.status == 422
    with logged_in(server, users["oldham_analyst"].username):
        mapping = save_mapping_clicked(1, "m", "{not json", "ees")
    for text in (upload.message, json.dumps(mapping, default=str)):
        assert not LEAKS.search(text), text


def test_msg003_mapping_json_errors_name_the_place_not_the_parser():
    from data_access.importing.mappings import resolve_mapping_argument

    with pytest.raises(ValueError) as bad:
        resolve_mapping_argument(None, "{not json", None)
    assert "line 1" in str(bad.value)
    assert not LEAKS.search(str(bad.value)), str(bad.value)
