"""Files that are not what they claim get a clear message; formula cells are caught."""

from __future__ import annotations

import pytest

from data_access.importing import safety
from data_access.importing.safety import FileRejected, inspect_file, neutralise_formula


def _reject(path, **kwargs):  # type: ignore[no-untyped-def]
    with pytest.raises(FileRejected) as caught:
        inspect_file(path, **kwargs)
    return caught.value


def test_imp001_empty_and_header_only_files_are_refused(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert _reject(empty).code == "empty"
    blank = tmp_path / "blank.csv"
    blank.write_text("   \n\n")
    assert _reject(blank).code == "empty"
    header = tmp_path / "header.csv"
    header.write_text("indicator,area_code\n")
    error = _reject(header)
    assert error.code == "empty" and "no rows" in error.message


def test_imp002_binary_files_are_refused_with_a_hint(tmp_path):
    png = tmp_path / "chart.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    assert "PNG" in _reject(png).message
    workbook = tmp_path / "book.csv"
    workbook.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    error = _reject(workbook)
    assert error.code == "binary" and "CSV UTF-8" in error.message
    nul = tmp_path / "nul.csv"
    nul.write_bytes(b"a,b\n1,\x002\n")
    assert "NUL" in _reject(nul).message
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes("a,b\n1,2\n".encode("utf-16"))
    assert "UTF-16" in _reject(utf16).message


def test_imp003_windows_1252_is_read_with_a_note_and_other_bytes_refused(tmp_path):
    latin = tmp_path / "latin.csv"
    latin.write_bytes("area,name\nE1,Café £\n".encode("cp1252"))
    facts = inspect_file(latin)
    assert facts.encoding == "cp1252"
    assert "Windows-1252" in facts.notes[0]
    utf8 = tmp_path / "utf8.csv"
    utf8.write_bytes("\ufeffarea,name\nE1,Café\n".encode())
    assert inspect_file(utf8).encoding == "utf-8-sig" and inspect_file(utf8).notes == []
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"area,name\nE1,\xc3\x28\x81\x8d\n")
    error = _reject(broken)
    assert error.code == "encoding" and "CSV UTF-8" in error.message


def test_imp004_files_over_the_size_limit_are_refused_before_reading(tmp_path):
    big = tmp_path / "big.csv"
    big.write_text("a,b\n" + "1,2\n" * 3000)
    error = _reject(big, max_bytes=10_000)
    assert error.code == "too_large" and "limit" in error.message
    assert inspect_file(big, max_bytes=100_000).line_count == 3001


def test_imp005_ten_thousand_columns_are_refused(tmp_path):
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"c{i}" for i in range(10_000)) + "\n" + ",".join("1" * 10_000) + "\n")
    error = _reject(wide)
    assert error.code == "too_many_columns" and "10,000" in error.message
    repeated = tmp_path / "repeated.csv"
    repeated.write_text("a,b,a\n1,2,3\n")
    assert _reject(repeated).code == "duplicate_columns"


@pytest.mark.parametrize(
    "cell",
    ['=HYPERLINK("http://x","click")', "@SUM(A1)", "+cmd|' /C calc'!A0", "-2+3", "\t=1+1", "=1"],
)
def test_imp006_formula_cells_are_detected_and_neutralised(cell):
    assert safety.is_formula(cell)
    assert neutralise_formula(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["-", "-5.2", "+3", "63.1", "c", "Oldham", "", "1,234", None, 4.5])
def test_imp007_ordinary_cells_are_left_alone(cell):
    assert not safety.is_formula(cell)
    assert neutralise_formula(cell) == cell


def test_imp008_chunks_carry_file_line_numbers_and_formula_cells(tmp_path):
    path = tmp_path / "lines.csv"
    rows = [f"r{i}, {i} " for i in range(25)]
    rows[17] = "=HYPERLINK(1),17"
    path.write_text("name,n\n" + "\n".join(rows) + "\n")
    chunks = list(safety.read_csv_chunks(inspect_file(path), chunk_rows=10))
    assert [len(c.frame) for c in chunks] == [10, 10, 5]
    assert list(chunks[1].frame.index) == list(range(12, 22))
    assert chunks[0].frame.loc[3, "n"] == "1"  # stripped text, line 3 is r1
    assert chunks[1].formula_cells == [(19, "name", "=HYPERLINK(1)")]
    assert sum(len(c.formula_cells) for c in chunks) == 1
