"""Memoisation of database reads, keyed by the data version so an import invalidates it.

Every key carries the global data version (``data_state.data_version``, bumped by each
import), the database it was read from and the release of the code that computed it
(``code_version``), so a cached answer can never outlive the data or the code it came
from: after an import or a deploy every worker on every machine asks for new keys. Old
entries are simply never read again and expire (``DEFAULT_TTL_SECONDS``).

Where entries live:

- ``REDIS_URL`` set: Redis, shared by every worker on every machine;
- otherwise: diskcache under ``settings.cache_dir`` (created 0700), shared by the workers of
  one machine;
- in front of either, a small in-process LRU of decoded values, safe for the same reason
  (the version is part of the key).

Values are serialised with orjson: DataFrames column by column (dates, floats with NaN,
None kept). A cache that fails (Redis down, disk full) is logged and bypassed: it must
never take the app down.

Use ``cached_frame(namespace, key_parts, compute)`` for a DataFrame and
``cached_json(namespace, key_parts, compute)`` for plain JSON values (dicts, lists,
figures as dicts).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import date
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import orjson
import pandas as pd
from sqlalchemy.orm import Session

from data_access.data_state import current_data_version
from settings import Settings

log = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 6 * 3600
LOCAL_ENTRIES = 256  # decoded values kept per process
LOCAL_MAX_BYTES = 2_000_000  # larger values are only kept in the shared cache
KEY_PREFIX = "chorus"


class CacheBackend(Protocol):
    """Bytes in, bytes out; implementations must be safe across processes."""

    name: str

    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes, ttl: int) -> None: ...

    def clear(self) -> None: ...


class DiskBackend:
    """diskcache on one machine: the workers of one host share a SQLite-backed folder."""

    name = "disk"

    def __init__(self, folder: Path) -> None:
        import diskcache

        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700)  # cached figures are organisation data: owner only
        self._cache = diskcache.Cache(str(folder), size_limit=2**30)

    def get(self, key: str) -> bytes | None:
        value = self._cache.get(key)
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes, ttl: int) -> None:
        self._cache.set(key, value, expire=ttl)

    def clear(self) -> None:
        self._cache.clear()


class RedisBackend:
    """Redis, shared by every worker on every machine (REDIS_URL)."""

    name = "redis"

    def __init__(self, url: str) -> None:
        import redis

        self._client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def get(self, key: str) -> bytes | None:
        value = self._client.get(key)
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes, ttl: int) -> None:
        self._client.set(key, value, ex=ttl)

    def clear(self) -> None:
        # Only our keys: the Redis database may be shared with rate limits or job queues.
        for key in self._client.scan_iter(match=f"{KEY_PREFIX}:*", count=1000):
            self._client.delete(key)


class _LocalLru:
    """A bounded, thread-safe, in-process map of key -> decoded value."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Any | None:
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: str, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_backend: CacheBackend | None = None
_backend_pid: int | None = None
_enabled: bool | None = None
_local = _LocalLru(LOCAL_ENTRIES)
_lock = threading.Lock()


_app_settings: Settings | None = None


def use_settings(settings: Settings) -> None:
    """The settings the cache configures itself from (the app factory passes its own)."""
    global _app_settings
    _app_settings = settings
    reset_cache_configuration()


def _settings() -> Settings:
    """The app's settings when an app was built in this process, else the environment's."""
    return _app_settings if _app_settings is not None else Settings.from_env()


def configure_cache(
    redis_url: str | None = None, cache_dir: Path | None = None, enabled: bool = True
) -> CacheBackend | None:
    """Choose the backend explicitly (tests, the benchmark). Returns it, or None if disabled."""
    global _backend, _backend_pid, _enabled
    with _lock:
        _local.clear()
        _enabled = enabled
        _backend_pid = os.getpid()
        if not enabled:
            _backend = None
        elif redis_url:
            _backend = RedisBackend(redis_url)
        else:
            _backend = DiskBackend(cache_dir or _settings().cache_dir)
        return _backend


def reset_cache_configuration() -> None:
    """Forget the chosen backend; the next read configures it from the settings again."""
    global _backend, _backend_pid, _enabled
    with _lock:
        _backend, _backend_pid, _enabled = None, None, None
        _local.clear()


def cache_backend() -> CacheBackend | None:
    """The backend in use (configured from the settings on first use), or None if disabled."""
    # After a fork (gunicorn preload) connections must not be shared: configure again.
    if _enabled is None or _backend_pid != os.getpid():
        settings = _settings()
        configure_cache(settings.redis_url, settings.cache_dir, _enabled_by(settings))
    return _backend


def _enabled_by(settings: Settings) -> bool:
    """CHORUS_CACHE on/off; "auto" (the default) is on except in the test environment,
    whose fixtures empty tables without bumping the data version."""
    choice = getattr(settings, "cache", "auto")
    if choice == "auto":
        return getattr(settings, "env", "development") != "test"
    return choice == "on"


def clear_cache() -> None:
    """Drop every entry (shared and local). Imports need not call this: keys are versioned."""
    backend = cache_backend()
    _local.clear()
    if backend is not None:
        backend.clear()


# --- keys ------------------------------------------------------------------------------------


def data_version_of(session: Session) -> int:
    """The global data version the cache keys carry (one primary-key read)."""
    return current_data_version(session)


def cache_key(
    namespace: str,
    key_parts: Sequence[object],
    version: int,
    database: str,
    code: str | None = None,
) -> str:
    """``chorus:<namespace>:v<version>:<hash of database, code and key parts>``; ``code``
    defaults to this release's ``code_version()``."""
    code = code_version() if code is None else code
    payload = orjson.dumps(
        [database, code, list(key_parts)], default=str, option=orjson.OPT_SERIALIZE_NUMPY
    )
    digest = hashlib.blake2b(payload, digest_size=16).hexdigest()
    return f"{KEY_PREFIX}:{namespace}:v{version}:{digest}"


PROJECT_ROOT = Path(__file__).resolve().parents[1]
# The code that decides what a cached answer holds: how figures are read and suppressed,
# the statistics, and how panels, maps and API answers are drawn.
CODE_FOLDERS = ("analysis", "api", "components", "data_access", "pages")
CODE_PACKAGES = ("dash", "plotly", "pandas", "numpy")


@functools.lru_cache(maxsize=4)
def code_version(root: Path = PROJECT_ROOT) -> str:
    """A digest of the sources under ``CODE_FOLDERS`` and the versions of the packages that
    shape cached answers. A deploy that changes how figures are suppressed or drawn must
    not be served answers the previous release cached (in Redis or on disk they outlive
    the processes); workers of one release on any machine share the same digest."""
    digest = hashlib.blake2b(digest_size=8)
    for folder in CODE_FOLDERS:
        for path in sorted((root / folder).rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    for package in CODE_PACKAGES:
        digest.update(f"{package}=={installed_version(package)}".encode())
    return digest.hexdigest()


def _database_identity(session: Session) -> str:
    # Two databases (SQLite file and PostgreSQL, or two scratch databases) may sit at the
    # same data version; the URL (without password) keeps their entries apart.
    return session.get_bind().engine.url.render_as_string(hide_password=True)


# --- DataFrames <-> bytes --------------------------------------------------------------------


_NUMPY_KINDS = {"b": "bool", "i": "int", "u": "int", "f": "float", "M": "datetime64"}


def _column_kind(series: pd.Series) -> str:
    dtype = series.dtype
    # Plain numpy dtypes by their one-letter kind (cheap: this runs for every column of every
    # frame the cache stores); pandas' own checks for its extension dtypes.
    if isinstance(dtype, np.dtype) and dtype.kind in _NUMPY_KINDS:
        return _NUMPY_KINDS[dtype.kind]
    if isinstance(dtype, np.dtype) and dtype.kind == "O":
        return _object_kind(series)
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "Int64" if isinstance(dtype, pd.Int64Dtype) else "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime64"
    if isinstance(dtype, pd.StringDtype):
        return "string"
    return _object_kind(series)


def _object_kind(series: pd.Series) -> str:
    """ "date" for a column holding only dates (and missing values), else "object"."""
    values = series.to_numpy(dtype=object)
    present = values[~pd.isna(values)]
    if len(present) and all(type(v) is date for v in present):
        return "date"
    return "object"


def frame_to_bytes(frame: pd.DataFrame) -> bytes:
    """orjson bytes of a DataFrame: column names, kinds and values (the index is dropped)."""
    return orjson.dumps(
        frame_to_document(frame),
        option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS,
        default=str,
    )


def frame_to_document(frame: pd.DataFrame) -> dict[str, Any]:
    """A DataFrame as ``{"columns": [{"name", "kind", "values"}], "rows"}``, ready for
    orjson (with ``OPT_SERIALIZE_NUMPY``); ``frame_from_document`` reads it back."""
    columns = []
    for name in frame.columns:
        series = frame[name]
        kind = _column_kind(series)
        if kind in ("float", "int", "bool"):
            values: object = series.to_numpy()
        elif kind == "datetime64":
            values = [None if pd.isna(v) else v.isoformat() for v in series]
        else:
            # Missing values (None, NaN, NA, NaT) become None in one vectorised step; orjson
            # writes dates, strings and numpy scalars itself.
            objects = series.to_numpy(dtype=object)
            missing = pd.isna(objects)
            if missing.any():
                objects = objects.copy()
                objects[missing] = None
            values = objects.tolist()
        columns.append({"name": name, "kind": kind, "values": values})
    return {"columns": columns, "rows": len(frame)}


def frame_from_bytes(payload: bytes) -> pd.DataFrame:
    """The DataFrame :func:`frame_to_bytes` wrote (RangeIndex, same columns and kinds)."""
    return frame_from_document(orjson.loads(payload))


def frame_from_document(document: dict[str, Any]) -> pd.DataFrame:
    """The DataFrame of a :func:`frame_to_document` document after a JSON round trip."""
    data: dict[object, object] = {}
    for column in document["columns"]:
        kind, values = column["kind"], column["values"]
        # numpy arrays rather than Series where the kind allows: this runs for every column
        # of every frame read from the cache.
        if kind == "float":
            # None (JSON null) becomes NaN in numpy's own conversion.
            data[column["name"]] = np.array(values, dtype=float)
        elif kind == "int":
            data[column["name"]] = np.array(values, dtype=np.int64)
        elif kind == "Int64":
            data[column["name"]] = pd.array(values, dtype="Int64")
        elif kind == "bool":
            data[column["name"]] = np.array(values, dtype=bool)
        elif kind == "date":
            # A column of periods repeats a few dates: parse each distinct one once.
            parsed = {v: date.fromisoformat(v) for v in set(values) if v is not None}
            dates = np.empty(len(values), dtype=object)
            dates[:] = [parsed.get(v) for v in values]
            data[column["name"]] = dates
        elif kind == "datetime64":
            data[column["name"]] = pd.to_datetime(pd.Series(values))
        elif kind == "string":
            data[column["name"]] = pd.Series(values, dtype="str")
        else:
            data[column["name"]] = pd.Series(values, dtype=object)
    frame = pd.DataFrame(data, columns=[c["name"] for c in document["columns"]])
    if not document["columns"]:
        frame = pd.DataFrame(index=range(document["rows"]))
    return frame


# --- the memoisers ---------------------------------------------------------------------------


def _version_and_database(session: Session | None, version: int | None = None) -> tuple[int, str]:
    if session is not None and version is not None:
        return version, _database_identity(session)
    if session is None:
        from data_access.db import get_database

        with get_database().read() as own_session:
            return data_version_of(own_session), _database_identity(own_session)
    return data_version_of(session), _database_identity(session)


_MISSING = object()  # neither this process nor the shared cache holds the key


def _read_shared(backend: CacheBackend, key: str, decode: Callable[[bytes], Any]) -> Any:
    """The value under ``key`` from this process's copies, else from the shared cache (then
    kept here too when small); ``_MISSING`` when neither has it. A backend failure raises."""
    value = _local.get(key)
    if value is not None:
        return value
    payload = backend.get(key)
    if payload is None:
        return _MISSING
    value = decode(payload)
    if len(payload) <= LOCAL_MAX_BYTES:
        _local.put(key, value)
    return value


def _write_shared(
    backend: CacheBackend, key: str, value: Any, payload: bytes, ttl: int, namespace: str
) -> None:
    """Store ``value`` (encoded as ``payload``) in the shared cache and, when small, here."""
    try:
        backend.set(key, payload, ttl)
    except Exception:  # noqa: BLE001 - a broken cache must not break the page
        log.warning("cache write failed for %s", namespace, exc_info=True)
    if len(payload) <= LOCAL_MAX_BYTES:
        _local.put(key, value)


def _memoise(
    namespace: str,
    key_parts: Sequence[object],
    compute: Callable[[], Any],
    encode: Callable[[Any], bytes],
    decode: Callable[[bytes], Any],
    copy: Callable[[Any], Any],
    session: Session | None,
    ttl: int,
    version: int | None = None,
) -> Any:
    backend = cache_backend()
    if backend is None:
        return compute()
    version, database = _version_and_database(session, version)
    key = cache_key(namespace, key_parts, version, database)
    try:
        value = _read_shared(backend, key, decode)
    except Exception:  # noqa: BLE001 - a broken cache must not break the page
        log.warning("cache read failed for %s; computing directly", namespace, exc_info=True)
        return compute()
    if value is _MISSING:
        value = compute()
        _write_shared(backend, key, value, encode(value), ttl, namespace)
    return copy(value)


def cached_frame(
    namespace: str,
    key_parts: Sequence[object],
    compute: Callable[[], pd.DataFrame],
    session: Session | None = None,
    ttl: int = DEFAULT_TTL_SECONDS,
) -> pd.DataFrame:
    """``compute()``'s DataFrame, memoised under (namespace, key_parts, data version).

    ``key_parts`` must name everything the answer depends on except the data version
    (indicator, areas, breakdown, period range...); ``session`` is reused to read the data
    version (one primary-key query) when given. The result is a copy the caller may
    change; its index is a fresh RangeIndex.
    """
    return _memoise(
        namespace,
        key_parts,
        lambda: compute().reset_index(drop=True),
        frame_to_bytes,
        frame_from_bytes,
        lambda frame: frame.copy(),
        session,
        ttl,
    )


def cached_frames(
    namespace: str,
    keys: Sequence[Sequence[object]],
    compute_missing: Callable[[list[Sequence[object]]], list[pd.DataFrame]],
    session: Session | None = None,
    ttl: int = DEFAULT_TTL_SECONDS,
) -> list[pd.DataFrame]:
    """One DataFrame per key, each memoised on its own under (namespace, key, data version).

    ``compute_missing(missing_keys)`` returns the frames of the keys not in the cache, in
    the same order, worked out together (one query for all of them). The data version is
    read once. With the cache off every key is computed. Each result is a copy with a fresh
    RangeIndex.
    """
    keys = list(keys)
    backend = cache_backend()
    if backend is None:
        return [frame.reset_index(drop=True) for frame in compute_missing(keys)]
    version, database = _version_and_database(session)
    full_keys = [cache_key(namespace, key, version, database) for key in keys]
    found: dict[str, pd.DataFrame] = {}
    for full_key in full_keys:
        try:
            value = _read_shared(backend, full_key, frame_from_bytes)
        except Exception:  # noqa: BLE001 - a broken cache must not break the page
            log.warning("cache read failed for %s", namespace, exc_info=True)
            value = _MISSING
        if value is not _MISSING:
            found[full_key] = value
    missing = [(k, fk) for k, fk in zip(keys, full_keys, strict=True) if fk not in found]
    if missing:
        frames = compute_missing([key for key, _ in missing])
        for (_key, full_key), frame in zip(missing, frames, strict=True):
            frame = frame.reset_index(drop=True)
            _write_shared(backend, full_key, frame, frame_to_bytes(frame), ttl, namespace)
            found[full_key] = frame
    return [found[full_key].copy() for full_key in full_keys]


def cached_json(
    namespace: str,
    key_parts: Sequence[object],
    compute: Callable[[], Any],
    session: Session | None = None,
    ttl: int = DEFAULT_TTL_SECONDS,
) -> Any:
    """Like :func:`cached_frame` for JSON values (dict, list, str, numbers, dates as ISO)."""
    return _memoise(
        namespace,
        key_parts,
        compute,
        lambda value: orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY, default=str),
        orjson.loads,
        lambda value: orjson.loads(orjson.dumps(value)),
        session,
        ttl,
    )


def cached_value(
    namespace: str,
    key_parts: Sequence[object],
    compute: Callable[[], Any],
    encode: Callable[[Any], bytes],
    decode: Callable[[bytes], Any],
    copy: Callable[[Any], Any],
    session: Session,
    version: int,
    ttl: int = DEFAULT_TTL_SECONDS,
) -> Any:
    """Any value, memoised under (namespace, key_parts) at the data ``version`` the caller
    already read; ``encode``/``decode`` turn it into bytes and back, and ``copy`` gives
    each caller a value it may change."""
    return _memoise(
        namespace,
        key_parts,
        compute,
        encode,
        decode,
        copy,
        session,
        ttl,
        version,
    )


def describe_cache() -> str:
    """'redis', 'disk' or 'off' (for /health-style diagnostics and the benchmark)."""
    backend = cache_backend()
    return "off" if backend is None else backend.name


__all__ = [
    "cached_frame",
    "cached_json",
    "cached_value",
    "clear_cache",
    "configure_cache",
    "reset_cache_configuration",
    "cache_backend",
    "describe_cache",
    "frame_to_bytes",
    "frame_from_bytes",
    "cache_key",
]
