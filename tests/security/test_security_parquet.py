"""Parquet imports, read and bounded like workbooks: the same rows as the equivalent CSV
(through the command line and the Import page), a file whose footer promises too much is
refused before a row is read, a dictionary-encoded very long cell is refused before it is
decoded, and a file named .parquet that is not one (or a damaged one) gets a plain
message naming no path, class or library. Refused uploads are deleted at once.

Observations are shared by the whole test session: the import test writes only periods
in 2034 and removes them afterwards.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from security_helpers import upload_to_import_page
from sqlalchemy import delete, select, update

from data_access.importing.safety import FileRejected, inspect_file, read_chunks
from data_access.models import ImportBatch, Observation, ObservationHistory

OLDHAM = "E08000004"
ANALYST = "oldham_analyst"
LIMIT = 100 * 1024 * 1024
COLUMNS = ["indicator", "area_code", "period", "breakdown", "breakdown_value"]
ROWS = [
    # indicator, area, period, breakdown, value, numerator, denominator, value, status
    ("eh_requests", OLDHAM, "Oct 2034", "total", "total", None, None, 412.0, None),
    ("eh_requests", OLDHAM, "Nov 2034", "total", "total", None, None, 398.0, None),
    ("eh_assessments_timely", OLDHAM, "Oct 2034", "total", "total", 301, 342, None, None),
    ("eh_assessments_timely", OLDHAM, "Oct 2034", "sex", "female", 150, 170, None, None),
    ("eh_assessments_timely", OLDHAM, "Oct 2034", "sex", "male", 149, 170, None, None),
    ("eh_assessments_timely", OLDHAM, "Oct 2034", "sex", "unknown", None, None, None, "c"),
    ("eh_closed_needs_met", OLDHAM, "Oct 2034", "total", "total", None, None, 78.4, None),
]
# Words a message must not hold: a path, a class or a library's own text.
LEAKS = ("/", "\\", "pyarrow", "arrow", "Error", "Exception", "Invalid", "thrift", ".py")


def _csv(path: Path) -> None:
    lines = [",".join([*COLUMNS, "numerator", "denominator", "value", "status"])]
    for row in ROWS:
        cells = ["" if v is None else (f"{v:g}" if isinstance(v, float) else str(v)) for v in row]
        lines.append(",".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _parquet(path: Path) -> None:
    """The same rows as :func:`_csv`, typed as a Parquet writer would: numbers as numbers."""
    table = pa.table(
        {
            **{name: pa.array([r[i] for r in ROWS], pa.string()) for i, name in enumerate(COLUMNS)},
            "numerator": pa.array([r[5] for r in ROWS], pa.int64()),
            "denominator": pa.array([r[6] for r in ROWS], pa.int64()),
            "value": pa.array([r[7] for r in ROWS], pa.float64()),
            "status": pa.array([r[8] for r in ROWS], pa.string()),
        }
    )
    pq.write_table(table, path)


def _bomb(path: Path, cells: int = 300, cell_bytes: int = 1_000_000, **options: object) -> None:
    """A small Parquet file whose one text column repeats a long text: plain-encoded and
    compressed its footer promises ``cells * cell_bytes`` bytes once decompressed."""
    column = pa.array(["A" * cell_bytes] * cells)
    pq.write_table(pa.table({"indicator": column}), path, compression="zstd", **options)


def _clean_message(message: str) -> None:
    assert "Parquet" in message
    for leak in LEAKS:
        assert leak not in message, (leak, message)


def test_pq001_a_parquet_file_gives_the_same_rows_as_the_equivalent_csv(tmp_path):
    _csv(tmp_path / "figures.csv")
    _parquet(tmp_path / "figures.parquet")
    frames = []
    for name in ("figures.csv", "figures.parquet"):
        facts = inspect_file(tmp_path / name, max_bytes=LIMIT)
        assert facts.line_count == len(ROWS) + 1
        frames.append(next(read_chunks(facts)).frame)
    assert [f.columns.tolist() for f in frames] == [frames[0].columns.tolist()] * 2
    assert frames[1].to_dict("records") == frames[0].to_dict("records")
    assert frames[1].index.tolist() == frames[0].index.tolist()  # the same line numbers


@pytest.fixture
def clean_2034(db):  # type: ignore[no-untyped-def]
    yield
    with db.write() as session:
        ids = select(Observation.id).where(Observation.period_label.like("%2034%"))
        session.execute(
            delete(ObservationHistory).where(ObservationHistory.observation_id.in_(ids))
        )
        session.execute(delete(Observation).where(Observation.period_label.like("%2034%")))
        # Batches outlive the test's organisations, which the next test re-creates.
        mine = ImportBatch.filename.in_(["figures.csv", "figures.parquet"])
        session.execute(update(ImportBatch).where(mine).values(organisation_id=None))


def _stored_2034(db) -> list[tuple]:  # type: ignore[no-untyped-def]
    with db.read() as session:
        rows = session.execute(
            select(
                Observation.indicator_id,
                Observation.area_code,
                Observation.period_label,
                Observation.breakdown,
                Observation.breakdown_value,
                Observation.numerator,
                Observation.denominator,
                Observation.value,
                Observation.lower_ci,
                Observation.upper_ci,
                Observation.status,
            )
            .where(Observation.period_label.like("%2034%"))
            .order_by(
                Observation.indicator_id,
                Observation.period_label,
                Observation.breakdown,
                Observation.breakdown_value,
            )
        ).all()
    return [tuple(r) for r in rows]


def test_pq002_the_command_line_imports_a_parquet_file_as_the_csv(
    server, db, users, tmp_path, clean_2034
):
    runner = server.test_cli_runner()
    stored = []
    for name, write in (("figures.csv", _csv), ("figures.parquet", _parquet)):
        write(tmp_path / name)
        result = runner.invoke(
            args=[
                "import-data",
                str(tmp_path / name),
                "--format",
                "template",
                "--org",
                OLDHAM,
                "--no-warm",
            ]
        )
        assert result.exit_code == 0, result.output
        assert f"new {len(ROWS)}," in result.output, result.output
        stored.append(_stored_2034(db))
        with db.write() as session:  # start the second file afresh
            ids = select(Observation.id).where(Observation.period_label.like("%2034%"))
            session.execute(
                delete(ObservationHistory).where(ObservationHistory.observation_id.in_(ids))
            )
            session.execute(delete(Observation).where(Observation.period_label.like("%2034%")))
    assert len(stored[0]) == len(ROWS)
    assert stored[1] == stored[0]


def test_pq003_a_footer_promising_too_much_is_refused_before_a_row_is_read(tmp_path, monkeypatch):
    path = tmp_path / "bomb.parquet"
    _bomb(path, use_dictionary=False)  # 300 MB of text, a few KB on disk
    assert path.stat().st_size < 100 * 1024
    metadata = pq.read_metadata(path)
    assert metadata.row_group(0).column(0).total_uncompressed_size > 250 * 1024 * 1024

    def never(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("rows of the file were read")

    monkeypatch.setattr(pq, "ParquetFile", never)
    monkeypatch.setattr(pq, "read_table", never)
    with pytest.raises(FileRejected) as refused:
        inspect_file(path, max_bytes=LIMIT)
    assert refused.value.code in ("too_large", "cell_too_large")
    _clean_message(refused.value.message)


_PEAK_SCRIPT = """
import sys
from bench.uploadbench import peak_rss_mb
from data_access.importing.safety import FileRejected, inspect_file
import pyarrow.parquet
before = peak_rss_mb()
try:
    inspect_file(sys.argv[1], max_bytes=100 * 1024 * 1024)
    code = "accepted"
except FileRejected as exc:
    code = exc.code
print(code, int(peak_rss_mb() - before))
"""


def test_pq004_a_long_repeated_cell_is_refused_before_it_is_decoded(tmp_path):
    """Dictionary-encoded, 300 copies of a 1 MB cell cost 1 MB in the footer's sizes: the
    batch is checked while still encoded, and never turned into 300 MB of text (the
    check runs in a fresh process, whose peak memory is measured)."""
    import subprocess
    import sys

    path = tmp_path / "repeated.parquet"
    _bomb(path)  # dictionary-encoded (the writers' default)
    assert pq.read_metadata(path).row_group(0).column(0).total_uncompressed_size < 4 << 20
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", _PEAK_SCRIPT, str(path)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    code, grown = done.stdout.split()
    assert code == "cell_too_large"
    assert int(grown) < 100, f"inspecting the file took {grown} MB"
    with pytest.raises(FileRejected) as refused:
        inspect_file(path, max_bytes=LIMIT)
    _clean_message(refused.value.message)


def test_pq005_column_count_and_cell_length_limits(tmp_path):
    wide = tmp_path / "wide.parquet"
    pq.write_table(pa.table({f"c{i}": [1] for i in range(501)}), wide)
    with pytest.raises(FileRejected) as refused:
        inspect_file(wide, max_bytes=LIMIT)
    assert refused.value.code == "too_many_columns"
    long_cell = tmp_path / "long.parquet"
    pq.write_table(pa.table({"indicator": ["eh_requests", "x" * 40_000]}), long_cell)
    with pytest.raises(FileRejected) as refused:
        inspect_file(long_cell, max_bytes=LIMIT)
    assert refused.value.code == "cell_too_large"


def test_pq006_not_parquet_or_damaged_gets_a_plain_message(tmp_path):
    named = tmp_path / "figures.parquet"
    _csv(named)  # text, named .parquet
    with pytest.raises(FileRejected) as refused:
        inspect_file(named, max_bytes=LIMIT)
    _clean_message(refused.value.message)
    assert "not a Parquet file" in refused.value.message

    _parquet(tmp_path / "good.parquet")
    damaged = tmp_path / "damaged.parquet"
    data = (tmp_path / "good.parquet").read_bytes()
    damaged.write_bytes(data[:4] + b"\x00" * (len(data) - 12) + data[-8:])
    truncated = tmp_path / "truncated.parquet"
    truncated.write_bytes(data[: len(data) // 2])
    for path in (damaged, truncated):
        with pytest.raises(FileRejected) as refused:
            inspect_file(path, max_bytes=LIMIT)
        _clean_message(refused.value.message)
        assert "cannot be read" in refused.value.message


@pytest.mark.parametrize("fmt", ["template", "lait"])
def test_pq007_the_import_page_reads_a_parquet_upload(server, users, db, tmp_path, fmt):
    _parquet(tmp_path / "figures.parquet")
    content = (tmp_path / "figures.parquet").read_bytes()
    upload = upload_to_import_page(server, users, ANALYST, content, "figures.parquet", fmt)
    assert upload.status == 201 and upload.outputs is not None
    job = upload.outputs[0]
    assert "token" in job
    assert "9 columns" in upload.message and f"about {len(ROWS)} rows" in upload.message
    assert (upload.jobs_base / job["token"]).exists()


def test_pq008_a_refused_parquet_upload_is_deleted_at_once(server, users, db, tmp_path):
    for name, write in (
        ("bomb.parquet", lambda p: _bomb(p, use_dictionary=False)),
        ("repeated.parquet", _bomb),
        ("figures.parquet", _csv),
    ):
        write(tmp_path / name)
        upload = upload_to_import_page(server, users, ANALYST, (tmp_path / name).read_bytes(), name)
        assert upload.status == 422, (name, upload.answer)
        assert "Parquet" in upload.message, upload.message
        _clean_message(upload.message.partition(": ")[2])
        assert upload.outputs is None and upload.jobs_kept == 0 and upload.staged == [], name
