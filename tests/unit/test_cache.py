"""The data-version-keyed cache: round trips, invalidation by import, both backends."""

from __future__ import annotations

import os
from datetime import date

import numpy as np
import pandas as pd
import pytest
from dbsupport import require_redis
from sqlalchemy import text

from data_access import cache
from data_access.observations import bump_data_version, insert_observations, observations_frame

REDIS_TEST_URL = os.environ.get("CHORUS_TEST_REDIS", "redis://127.0.0.1:6379/15")


@pytest.fixture
def disk_cache(tmp_path):
    cache.configure_cache(cache_dir=tmp_path / "cache", enabled=True)
    yield tmp_path / "cache"
    cache.reset_cache_configuration()


def _rows(value: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": ["gld", "gld"],
            "area_code": ["E08000004", "E92000001"],
            "period_label": ["2023/24", "2023/24"],
            "period_start": [date(2023, 9, 1)] * 2,
            "period_end": [date(2024, 8, 31)] * 2,
            "breakdown": ["total", "total"],
            "breakdown_value": ["total", "total"],
            "numerator": [np.nan, 400.0],
            "denominator": [np.nan, 600.0],
            "value": [value, 66.7],
            "lower_ci": [np.nan, 62.8],
            "upper_ci": [np.nan, 70.3],
            "status": ["x", None],
        }
    )


def test_cache001_frame_round_trip_keeps_dates_nan_none_and_kinds():
    frame = _rows(61.0).assign(
        count=pd.Series([1, 2], dtype="int64"),
        maybe=pd.Series([3, None], dtype="Int64"),
        flag=[True, False],
        when=pd.to_datetime(["2024-01-02", None]),
        symbol=pd.Series(["x", None], dtype=object),
    )
    back = cache.frame_from_bytes(cache.frame_to_bytes(frame))
    pd.testing.assert_frame_equal(back, frame)
    assert back.loc[0, "symbol"] == "x" and back.loc[1, "symbol"] is None
    assert isinstance(back.loc[0, "period_start"], date)
    # Missing values of any kind in a column of objects come back as None; numpy scalars
    # come back as plain numbers.
    odd = pd.DataFrame({"mixed": pd.Series([np.int64(4), np.nan, pd.NA, "c"], dtype=object)})
    assert cache.frame_from_bytes(cache.frame_to_bytes(odd))["mixed"].tolist() == [
        4,
        None,
        None,
        "c",
    ]


def test_cache002_empty_frame_keeps_its_columns():
    empty = _rows(1.0).iloc[0:0]
    back = cache.frame_from_bytes(cache.frame_to_bytes(empty))
    assert list(back.columns) == list(empty.columns) and back.empty


def test_cache003_disk_folder_is_private(disk_cache):
    assert disk_cache.is_dir()
    assert (disk_cache.stat().st_mode & 0o777) == 0o700


def test_cache004_observations_are_served_from_cache_until_the_data_version_moves(
    any_db, disk_cache
):
    with any_db.write() as session:
        insert_observations(session, _rows(61.0))
    with any_db.read() as session:
        first = observations_frame(session, "gld", ["E08000004", "E92000001"])
    assert first.loc[first["area_code"] == "E08000004", "value"].item() == 61.0

    # A write that does not bump the version is not seen: the answer is memoised.
    with any_db.write() as session:
        session.execute(text("UPDATE observations SET value = 99 WHERE area_code = 'E08000004'"))
    with any_db.read() as session:
        cached = observations_frame(session, "gld", ["E92000001", "E08000004"])
    assert cached.loc[cached["area_code"] == "E08000004", "value"].item() == 61.0

    # An import bumps the version: every key changes and the new figure is read.
    with any_db.write() as session:
        bump_data_version(session)
    with any_db.read() as session:
        fresh = observations_frame(session, "gld", ["E08000004", "E92000001"])
    assert fresh.loc[fresh["area_code"] == "E08000004", "value"].item() == 99.0


def test_cache005_cached_json_returns_a_copy_each_time(disk_cache, any_db):
    calls = []

    def compute():
        calls.append(1)
        return {"points": [1, 2, 3]}

    with any_db.read() as session:
        first = cache.cached_json("demo", ["a"], compute, session=session)
        first["points"].append(4)
        second = cache.cached_json("demo", ["a"], compute, session=session)
    assert second == {"points": [1, 2, 3]}
    assert len(calls) == 1


def test_cache006_disabled_cache_always_computes(any_db):
    cache.configure_cache(enabled=False)
    try:
        calls = []
        with any_db.read() as session:
            for _ in range(2):
                cache.cached_frame(
                    "demo", ["b"], lambda: calls.append(1) or _rows(1.0), session=session
                )
        assert len(calls) == 2
        assert cache.describe_cache() == "off"
    finally:
        cache.reset_cache_configuration()


def test_cache007_redis_backend_is_shared_and_keys_are_namespaced(any_db):
    require_redis(REDIS_TEST_URL)
    backend = cache.configure_cache(redis_url=REDIS_TEST_URL, enabled=True)
    try:
        backend.clear()
        with any_db.read() as session:
            cache.cached_frame("demo", ["c"], lambda: _rows(2.0), session=session)
        import redis

        client = redis.Redis.from_url(REDIS_TEST_URL)
        keys = [k.decode() for k in client.scan_iter(match="chorus:demo:*")]
        assert len(keys) == 1 and keys[0].startswith("chorus:demo:v")
        # A second process sees the same entry: drop the local copy and read again.
        cache.configure_cache(redis_url=REDIS_TEST_URL, enabled=True)
        with any_db.read() as session:
            again = cache.cached_frame(
                "demo", ["c"], lambda: pytest.fail("should come from Redis"), session=session
            )
        assert again["value"].tolist()[0] == 2.0
    finally:
        cache.configure_cache(redis_url=REDIS_TEST_URL, enabled=True).clear()
        cache.reset_cache_configuration()


def _assert_same_view(cached, direct) -> None:  # type: ignore[no-untyped-def]
    pd.testing.assert_frame_equal(cached.series, direct.series.reset_index(drop=True))
    pd.testing.assert_frame_equal(
        cached.breakdown_summary.groups,
        direct.breakdown_summary.groups.reset_index(drop=True),
    )
    for name in ("indicator", "area", "breakdown", "counted_point", "trend"):
        assert getattr(cached, name) == getattr(direct, name), name
    for name in ("breakdown_options", "comparator_options", "period_options"):
        assert getattr(cached, name) == getattr(direct, name), name
    assert cached.comparisons == direct.comparisons
    assert cached.breakdown_summary.gap == direct.breakdown_summary.gap


def test_cache008_cached_panel_view_equals_the_built_one(db, tmp_path):
    """The view layer gives back exactly the view it built (frames, records, options),
    the first time and from the cache."""
    from data_access import views

    cache.configure_cache(cache_dir=tmp_path / "panel-cache", enabled=True)
    try:
        with db.read() as session:
            for breakdown in ("total", "fsm"):
                request = views.ViewRequest.of(
                    session, "gld", "E08000004", threshold=5, breakdown=breakdown
                )
                first = views.build_panel_view(session, request)
                second = views.build_panel_view(session, request)  # from the cache
                direct = views._build_panel_view(session, request)
                assert len(direct.series) > 0
                _assert_same_view(first, direct)
                _assert_same_view(second, direct)
                second.series["value"] = None  # a caller changes its copy
                assert views.build_panel_view(session, request).series["value"].notna().any()
    finally:
        cache.reset_cache_configuration()


def test_cache009_suppressed_rows_from_cached_observations_equal_a_direct_read(db, tmp_path):
    """Rows read through the observations cache, for any mix of areas and time range,
    suppress to what the same rows read straight from the database give."""
    from data_access import indicators_query as iq

    slices = [
        (["E08000004", "E92000001"], None, None),
        (["E08000004", "E08000005", "E92000001"], "2024-01-01", "2025-06-30"),
        (["E08000005"], "2024-06-01", None),
        (["E08000004", "E08000005", "E92000001", "E99999999"], None, "2024-12-31"),
    ]

    def read_all() -> list[pd.DataFrame]:
        with db.read() as session:
            indicator = iq.indicator_record(session, "eh_assessments_timely")
            return [
                iq.suppressed_rows(session, indicator, areas, threshold, start, end)
                for areas, start, end in slices
                for threshold in (5, 50)  # a small threshold and a large one
            ]

    cache.configure_cache(enabled=False)
    direct = read_all()
    cache.configure_cache(cache_dir=tmp_path / "area-cache", enabled=True)
    try:
        for cached_rows in (read_all(), read_all()):  # the second from the cache
            for ours, theirs in zip(cached_rows, direct, strict=True):
                assert len(theirs) > 0
                assert (theirs["status"] == "c").any()
                pd.testing.assert_frame_equal(ours, theirs.reset_index(drop=True))
    finally:
        cache.reset_cache_configuration()


def test_cache010_keys_change_with_the_release_of_the_code(tmp_path):
    """An answer cached by one release is not served by the next: the key carries a digest
    of the sources that read, suppress and draw figures (and the packages they use)."""
    for folder in cache.CODE_FOLDERS:
        (tmp_path / folder).mkdir()
    module = tmp_path / "analysis" / "disclosure.py"
    module.write_text("THRESHOLD = 5\n")
    first = cache.code_version(tmp_path)
    assert first == cache.code_version(tmp_path)
    module.write_text("THRESHOLD = 10\n")
    cache.code_version.cache_clear()
    changed = cache.code_version(tmp_path)
    (tmp_path / "pages" / "explore.py").write_text("")
    cache.code_version.cache_clear()
    added = cache.code_version(tmp_path)
    (tmp_path / "pages" / "notes.txt").write_text("not code")
    cache.code_version.cache_clear()
    assert len({first, changed, added}) == 3
    assert cache.code_version(tmp_path) == added
    cache.code_version.cache_clear()

    key = cache.cache_key("panel", ["gld", "E08000004"], 3, "sqlite://", code=first)
    assert key.startswith("chorus:panel:v3:")
    assert key == cache.cache_key("panel", ["gld", "E08000004"], 3, "sqlite://", code=first)
    assert key != cache.cache_key("panel", ["gld", "E08000004"], 3, "sqlite://", code=changed)
    # Without a code given, the running release's digest is used.
    running = cache.code_version()
    assert cache.cache_key("panel", ["gld"], 3, "sqlite://") == cache.cache_key(
        "panel", ["gld"], 3, "sqlite://", code=running
    )
