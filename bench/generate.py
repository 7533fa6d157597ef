"""A national-scale observation table for the benchmark, written straight into a database.

Every current authority, England and the regions (``data_access.reference.build_areas``);
about 60 indicators per unit of scale (the catalogue's ids plus synthetic ``bench_nnn``
ids, a quarter of them monthly); 10 years of annual figures and 36 months of monthly
figures; annual indicators broken down by sex, ethnicity, FSM, SEN, EAL and IMD quintile
(20 cells), monthly ones by sex and age band (7 cells). Scale 1 is about 2.1 million
observations; scale 10 multiplies the indicators, so the table grows tenfold while the
slice one chart shows stays the same size ("cost grows with the answer, not the table").

Rows are made with numpy per indicator and written with COPY on PostgreSQL and
``executemany`` batches on SQLite, with the secondary indexes dropped during the load and
rebuilt after it. Deterministic from a seed. Run:

    python -m bench.generate --scale 1 --databases sqlite,postgresql
"""

from __future__ import annotations

import argparse
import io
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import text

from data_access.importing.canonical import annual_period, month_period
from rules.areas import ENGLAND

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = PROJECT_ROOT / "instance" / "bench"
POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

ANNUAL_YEARS = list(range(2016, 2026))  # 10 end years
MONTHS = [(2023 + (m + 3) // 12, (m + 3) % 12 + 1) for m in range(36)]  # Apr 2023..Mar 2026
INDICATORS_PER_SCALE = 60
MONTHLY_SHARE = 0.25

ANNUAL_CELLS: list[tuple[str, str]] = [
    ("total", "total"),
    ("sex", "female"),
    ("sex", "male"),
    *[("ethnicity", v) for v in ("white", "mixed", "asian", "black", "other")],
    ("fsm", "eligible"),
    ("fsm", "not_eligible"),
    ("sen", "ehc_plan"),
    ("sen", "sen_support"),
    ("sen", "no_sen"),
    ("eal", "eal"),
    ("eal", "not_eal"),
    *[("imd_quintile", f"q{q}") for q in range(1, 6)],
]
MONTHLY_CELLS: list[tuple[str, str]] = [
    ("total", "total"),
    ("sex", "female"),
    ("sex", "male"),
    *[("age_band", v) for v in ("0_4", "5_9", "10_15", "16_17")],
]

OBSERVATION_COLUMNS = [
    "indicator_id",
    "area_code",
    "period_label",
    "period_start",
    "period_end",
    "breakdown",
    "breakdown_value",
    "numerator",
    "denominator",
    "value",
    "lower_ci",
    "upper_ci",
    "status",
    "batch_id",
    "data_version",
]


@dataclass(frozen=True)
class GenerationResult:
    database: str
    url: str
    scale: int
    rows: int
    indicators: int
    areas: int
    load_seconds: float
    index_seconds: float
    size_bytes: int | None


# --- what to generate ------------------------------------------------------------------------


def bench_catalogue(scale: int = 1) -> pd.DataFrame:
    """The catalogue rows for the benchmark: the real catalogue plus synthetic indicators.

    Returns data/indicators.csv's columns; synthetic rows have ids ``bench_001``..., are
    percentages with Wilson intervals and are marked illustrative.
    """
    from data_access.reference import load_indicator_catalogue

    real = load_indicator_catalogue()
    wanted = INDICATORS_PER_SCALE * scale
    monthly_wanted = round(wanted * MONTHLY_SHARE)
    real_monthly = int((real["frequency"] == "monthly").sum())
    synthetic = []
    for number in range(1, wanted - len(real) + 1):
        monthly = number <= monthly_wanted - real_monthly
        synthetic.append(
            {
                "id": f"bench_{number:03d}",
                "title": f"Benchmark indicator {number} (synthetic)",
                "short_title": f"Benchmark {number}",
                "theme": ("early_years", "early_help", "care_leavers")[number % 3],
                "unit": "percent",
                "polarity": "high_is_good",
                "frequency": "monthly" if monthly else "annual_academic",
                "source": "Synthetic benchmark data",
                "ci_method": "wilson",
                "illustrative": True,
            }
        )
    extra = pd.DataFrame(synthetic).reindex(columns=real.columns)
    return pd.concat([real, extra], ignore_index=True)


def bench_areas() -> pd.DataFrame:
    """England, the regions and every current authority (codes valid today)."""
    from data_access.reference import build_areas

    areas = build_areas()
    return areas[areas["valid_to"].isna()].reset_index(drop=True)


def _periods(frequency: str) -> pd.DataFrame:
    if frequency == "monthly":
        rows = [month_period(year, month) for year, month in MONTHS]
    else:
        rows = [annual_period(frequency, year) for year in ANNUAL_YEARS]
    return pd.DataFrame(rows, columns=["period_label", "period_start", "period_end"])


def indicator_rows(
    indicator: pd.Series, area_codes: list[str], rng: np.random.Generator
) -> pd.DataFrame:
    """Every observation of one indicator: areas x periods x breakdown cells.

    Returns canonical columns (with ``indicator_id`` for ``indicator``) plus batch_id and
    data_version, sorted as the unique index is (indicator, area, breakdown, value, period).
    """
    periods = _periods(indicator["frequency"])
    cells = MONTHLY_CELLS if indicator["frequency"] == "monthly" else ANNUAL_CELLS
    n_areas, n_cells, n_periods = len(area_codes), len(cells), len(periods)
    shape = (n_areas, n_cells, n_periods)

    # Plausible series: an area level, a cell offset, a gentle trend and noise.
    base = rng.uniform(0.35, 0.85, size=(n_areas, 1, 1))
    offset = rng.normal(0, 0.06, size=(1, n_cells, 1))
    trend = np.linspace(-0.03, 0.03, n_periods).reshape(1, 1, n_periods)
    share = np.clip(base + offset + trend + rng.normal(0, 0.02, size=shape), 0.01, 0.99)
    size = rng.lognormal(mean=6.0, sigma=1.0, size=(n_areas, 1, 1))
    # England and the regions are sums of many authorities: much larger denominators.
    scale_up = np.array(
        [150.0 if c == ENGLAND else 15.0 if c.startswith("E12") else 1.0 for c in area_codes]
    )
    size = size * scale_up.reshape(n_areas, 1, 1)
    cell_share = np.where(np.arange(n_cells) == 0, 1.0, 1.0 / max(n_cells - 1, 1) * 2)
    denominator = np.maximum(np.round(size * cell_share.reshape(1, n_cells, 1)), 1)
    denominator = np.broadcast_to(denominator, shape).astype(float)
    numerator = rng.binomial(denominator.astype(np.int64), share).astype(float)

    unit = indicator["unit"]
    if unit == "rate_per_10k":
        value = numerator / denominator * 10_000
    elif unit in ("count", "gbp", "gbp_per_child", "days"):
        value = numerator.copy()
    else:
        value = numerator / denominator * 100

    flat = n_areas * n_cells * n_periods
    frame = pd.DataFrame(
        {
            "indicator": indicator["id"],
            "area_code": np.repeat(np.array(area_codes, dtype=object), n_cells * n_periods),
            "period_label": np.tile(periods["period_label"].to_numpy(), n_areas * n_cells),
            "period_start": np.tile(
                periods["period_start"].astype(str).to_numpy(), n_areas * n_cells
            ),
            "period_end": np.tile(periods["period_end"].astype(str).to_numpy(), n_areas * n_cells),
            "breakdown": np.tile(np.repeat([c[0] for c in cells], n_periods), n_areas),
            "breakdown_value": np.tile(np.repeat([c[1] for c in cells], n_periods), n_areas),
            "numerator": numerator.reshape(flat),
            "denominator": denominator.reshape(flat),
            "value": value.reshape(flat),
            "lower_ci": np.nan,
            "upper_ci": np.nan,
            "status": None,
        }
    )
    frame = _with_intervals(frame, indicator)
    # Small counts are suppressed as published files do: "c", no value.
    small = (frame["numerator"] > 0) & (frame["numerator"] <= 5)
    frame.loc[small, ["numerator", "value", "lower_ci", "upper_ci"]] = np.nan
    frame.loc[small, "status"] = "c"
    return frame.rename(columns={"indicator": "indicator_id"})


def _with_intervals(frame: pd.DataFrame, indicator: pd.Series) -> pd.DataFrame:
    from data_access.demo import with_intervals

    catalogue = pd.DataFrame({"id": [indicator["id"]], "ci_method": [indicator["ci_method"]]})
    return with_intervals(frame, catalogue)


def generate_frames(
    catalogue: pd.DataFrame, area_codes: list[str], seed: int = 20260101
) -> Iterator[pd.DataFrame]:
    """One DataFrame per indicator (see :func:`indicator_rows`), deterministic from ``seed``."""
    rng = np.random.default_rng(seed)
    for _, indicator in catalogue.sort_values("id").iterrows():
        yield indicator_rows(indicator, area_codes, rng)


def expected_rows(catalogue: pd.DataFrame, n_areas: int) -> int:
    monthly = int((catalogue["frequency"] == "monthly").sum())
    annual = len(catalogue) - monthly
    per_area = annual * len(ANNUAL_YEARS) * len(ANNUAL_CELLS)
    per_area += monthly * len(MONTHS) * len(MONTHLY_CELLS)
    return per_area * n_areas


# --- where it goes ---------------------------------------------------------------------------


def empty_database(kind: str, name: str, load: Any = None) -> str:
    """A fresh, migrated scratch database called ``name`` (a SQLite file in BENCH_DIR, or a
    database on the PostgreSQL server, dropped first), with the reference data; ``load``,
    if given, is called with a write session and the catalogue to add more. Its URL."""
    from data_access.db import Database
    from data_access.demo import load_reference_data
    from data_access.migrate import upgrade_to_head

    if kind == "sqlite":
        path = BENCH_DIR / f"{name}.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        import psycopg

        admin = POSTGRES_SERVER.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        url = POSTGRES_SERVER.rsplit("/", 1)[0] + f"/{name}"
    upgrade_to_head(url)
    database = Database(url)
    with database.write() as session:
        catalogue = load_reference_data(session)
        if load is not None:
            load(session, catalogue)
    database.dispose()
    return url


def sqlite_path(scale: int) -> Path:
    return BENCH_DIR / f"chorus-bench-x{scale}.db"


def database_url(kind: str, scale: int) -> str:
    if kind == "sqlite":
        return f"sqlite:///{sqlite_path(scale)}"
    return POSTGRES_SERVER.rsplit("/", 1)[0] + f"/chorus_bench_x{scale}"


def _recreate_database(kind: str, scale: int) -> str:
    url = database_url(kind, scale)
    if kind == "sqlite":
        path = sqlite_path(scale)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return url
    import psycopg

    admin = POSTGRES_SERVER.replace("postgresql+psycopg://", "postgresql://")
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url


def _prepare_schema(url: str, catalogue: pd.DataFrame) -> int:
    """Migrate, load areas, groups and the catalogue; returns the batch id for the rows."""
    from data_access.catalogue import upsert_indicators
    from data_access.db import Database
    from data_access.demo import load_reference_data
    from data_access.migrate import upgrade_to_head
    from data_access.models import ImportBatch

    upgrade_to_head(url)
    database = Database(url)
    try:
        with database.write() as session:
            load_reference_data(session)
            upsert_indicators(session, catalogue)
            batch = ImportBatch(
                filename="benchmark (synthetic national-scale data)",
                format="bench",
                status="committed",
                created_by="bench",
            )
            session.add(batch)
            session.flush()
            return batch.id
    finally:
        database.dispose()


def _index_definitions(conn: Any, kind: str) -> dict[str, str]:
    """CREATE INDEX statements of the secondary indexes, as the migrations made them."""
    if kind == "sqlite":
        rows = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type='index' "
            "AND tbl_name='observations' AND sql IS NOT NULL"
        ).fetchall()
    else:
        rows = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename='observations' "
            "AND indexname NOT IN ('observations_pkey', 'uq_observation_slice')"
        ).fetchall()
    return {name: sql for name, sql in rows}


def _load_sqlite(path: Path, frames: Iterator[pd.DataFrame], batch_id: int) -> tuple[int, float]:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-400000")
    definitions = _index_definitions(conn, "sqlite")
    for name in definitions:
        conn.execute(f'DROP INDEX "{name}"')
    placeholders = ", ".join("?" for _ in OBSERVATION_COLUMNS)
    statement = (
        # Column names are constants of this module, not input.
        f"INSERT INTO observations ({', '.join(OBSERVATION_COLUMNS)}) VALUES ({placeholders})"  # noqa: S608
    )
    rows = 0
    conn.execute("BEGIN")
    for frame in frames:
        frame = frame.assign(batch_id=batch_id, data_version=1)[OBSERVATION_COLUMNS]
        records = frame.astype(object).where(frame.notna(), None).itertuples(index=False)
        conn.executemany(statement, records)
        rows += len(frame)
    conn.execute("COMMIT")
    started = time.perf_counter()
    for sql in definitions.values():
        conn.execute(sql)
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return rows, time.perf_counter() - started


def _load_postgres(url: str, frames: Iterator[pd.DataFrame], batch_id: int) -> tuple[int, float]:
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    rows = 0
    with psycopg.connect(plain) as conn:
        definitions = _index_definitions(conn, "postgresql")
        for name in definitions:
            conn.execute(f'DROP INDEX "{name}"')
        conn.execute("ALTER TABLE observations DROP CONSTRAINT uq_observation_slice")
        # Foreign-key checks run per row during COPY: drop them and add them back after.
        foreign_keys = conn.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'observations'::regclass AND contype = 'f'"
        ).fetchall()
        for name, _definition in foreign_keys:
            conn.execute(f'ALTER TABLE observations DROP CONSTRAINT "{name}"')
        copy_sql = f"COPY observations ({', '.join(OBSERVATION_COLUMNS)}) FROM STDIN (FORMAT csv)"
        with conn.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for frame in frames:
                frame = frame.assign(batch_id=batch_id, data_version=1)[OBSERVATION_COLUMNS]
                buffer = io.StringIO()
                frame.to_csv(buffer, header=False, index=False)
                copy.write(buffer.getvalue())
                rows += len(frame)
        conn.commit()
        started = time.perf_counter()
        conn.execute(
            "ALTER TABLE observations ADD CONSTRAINT uq_observation_slice UNIQUE "
            "(indicator_id, area_code, breakdown, breakdown_value, period_start, period_end)"
        )
        for sql in definitions.values():
            conn.execute(sql)
        for name, definition in foreign_keys:
            conn.execute(f'ALTER TABLE observations ADD CONSTRAINT "{name}" {definition}')
        conn.commit()
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE observations")
    return rows, time.perf_counter() - started


def _size_bytes(kind: str, url: str, scale: int) -> int | None:
    if kind == "sqlite":
        return sqlite_path(scale).stat().st_size
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
    finally:
        engine.dispose()


def generate(kind: str, scale: int = 1, seed: int = 20260101) -> GenerationResult:
    """Recreate the benchmark database of ``kind`` ('sqlite' or 'postgresql') at ``scale``."""
    catalogue = bench_catalogue(scale)
    areas = bench_areas()
    area_codes = areas["code"].tolist()
    url = _recreate_database(kind, scale)
    batch_id = _prepare_schema(url, catalogue)
    started = time.perf_counter()
    frames = generate_frames(catalogue, area_codes, seed)
    if kind == "sqlite":
        rows, index_seconds = _load_sqlite(sqlite_path(scale), frames, batch_id)
    else:
        rows, index_seconds = _load_postgres(url, frames, batch_id)
    total = time.perf_counter() - started
    return GenerationResult(
        database=kind,
        url=url,
        scale=scale,
        rows=rows,
        indicators=len(catalogue),
        areas=len(area_codes),
        load_seconds=round(total - index_seconds, 1),
        index_seconds=round(index_seconds, 1),
        size_bytes=_size_bytes(kind, url, scale),
    )


def is_generated(kind: str, scale: int) -> bool:
    """True when the benchmark database exists with the expected number of rows."""
    from sqlalchemy import create_engine

    if kind == "sqlite" and not sqlite_path(scale).exists():
        return False
    expected = expected_rows(bench_catalogue(scale), len(bench_areas()))
    engine = create_engine(database_url(kind, scale))
    try:
        with engine.connect() as conn:
            count = conn.execute(text("SELECT count(*) FROM observations")).scalar()
    except Exception:
        return False
    finally:
        engine.dispose()
    return count == expected


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1, help="1 = about 2.1 million rows")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=20260101)
    args = parser.parse_args(argv)
    for kind in args.databases.split(","):
        result = generate(kind.strip(), args.scale, args.seed)
        print(
            f"{result.database}: {result.rows:,} rows, {result.indicators} indicators, "
            f"{result.areas} areas, load {result.load_seconds} s, indexes "
            f"{result.index_seconds} s, size {(result.size_bytes or 0) / 2**20:,.0f} MiB"
        )


if __name__ == "__main__":
    main()
