"""Counters and histograms for ``/metrics`` in Prometheus's text format (version 0.0.4).

A few dozen lines instead of prometheus_client: Chorus needs counters and one kind of
histogram, and no extra dependency. Every process keeps its own numbers; each series is
labelled with ``process`` (host and pid), so a scraper that reaches different gunicorn
workers gets separate series rather than numbers that jump back. Sum them in queries
(``sum by (route) (rate(chorus_requests_total[5m]))``).

Importable without Flask (data_access counts its cache hits here).
"""

from __future__ import annotations

import json
import os
import socket
import threading
from collections import defaultdict

LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
JOB_BUCKETS = (1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0)

HELP = {
    "chorus_requests_total": ("counter", "HTTP requests by route (or Dash callback) and status."),
    "chorus_request_seconds": ("histogram", "Time to answer, by route or Dash callback."),
    "chorus_cache_requests_total": ("counter", "Shared cache look-ups by result (hit or miss)."),
    "chorus_job_seconds": ("histogram", "Background job durations by job and outcome."),
    "chorus_login_failures_total": ("counter", "Sign-in attempts that failed."),
}

Labels = tuple[tuple[str, str], ...]

_lock = threading.Lock()
_counters: dict[str, dict[Labels, float]] = defaultdict(lambda: defaultdict(float))
_histograms: dict[str, dict[Labels, list[float]]] = defaultdict(dict)
_buckets: dict[str, tuple[float, ...]] = {
    "chorus_request_seconds": LATENCY_BUCKETS,
    "chorus_job_seconds": JOB_BUCKETS,
}


def _labels(labels: dict[str, str]) -> Labels:
    return tuple(sorted((k, str(v)) for k, v in labels.items()))


def inc(name: str, amount: float = 1.0, **labels: str) -> None:
    """Add ``amount`` to the counter ``name`` with these labels."""
    with _lock:
        _counters[name][_labels(labels)] += amount


# Histograms recorded in Redis when it is configured: background jobs run in worker
# processes that nobody scrapes, so their durations are kept where every web process
# can read them (``chorus:metrics:<name>`` hashes).
SHARED = frozenset({"chorus_job_seconds"})
_shared: dict[str, object] = {}


def share_through(redis_url: str | None) -> None:
    """Keep the SHARED histograms in this Redis (None: in this process only)."""
    _shared.clear()
    if redis_url:
        import redis

        _shared["client"] = redis.Redis.from_url(
            redis_url, socket_timeout=2, socket_connect_timeout=2
        )


def _bucket_index(bounds: tuple[float, ...], value: float) -> int:
    return next((i for i, bound in enumerate(bounds) if value <= bound), len(bounds))


def observe(name: str, value: float, **labels: str) -> None:
    """Record one observation (seconds) in the histogram ``name``."""
    bounds = _buckets[name]
    key = _labels(labels)
    client = _shared.get("client")
    if name in SHARED and client is not None:
        try:
            field = json.dumps(key)
            pipe = client.pipeline()  # type: ignore[attr-defined]
            index = _bucket_index(bounds, value)
            if index < len(bounds):  # above the last bound: only in +Inf (the count)
                pipe.hincrbyfloat(f"chorus:metrics:{name}", f"{field}|{index}", 1)
            pipe.hincrbyfloat(f"chorus:metrics:{name}", f"{field}|sum", value)
            pipe.hincrbyfloat(f"chorus:metrics:{name}", f"{field}|count", 1)
            pipe.execute()
            return
        except Exception:  # noqa: BLE001, S110 - Redis down: keep the number here instead
            pass
    with _lock:
        # counts per bucket (cumulative at render time), then sum and count
        state = _histograms[name].setdefault(key, [0.0] * (len(bounds) + 2))
        for index, bound in enumerate(bounds):
            if value <= bound:
                state[index] += 1
                break
        state[-2] += value
        state[-1] += 1


def reset() -> None:
    """Forget every number of this process (tests)."""
    with _lock:
        _counters.clear()
        _histograms.clear()


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _format(labels: Labels, extra: Labels = ()) -> str:
    pairs = (*labels, *extra)
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in pairs) + "}" if pairs else ""


def _shared_histograms(name: str) -> dict[Labels, list[float]]:
    """The SHARED histogram ``name`` as kept in Redis ({} without Redis or on failure)."""
    client = _shared.get("client")
    if client is None:
        return {}
    try:
        raw = client.hgetall(f"chorus:metrics:{name}")  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - Redis down: show what this process has
        return {}
    size = len(_buckets[name])
    found: dict[Labels, list[float]] = {}
    for field, value in raw.items():
        labels_text, _, slot = field.decode().rpartition("|")
        labels = tuple(tuple(pair) for pair in json.loads(labels_text))
        state = found.setdefault(labels, [0.0] * (size + 2))  # type: ignore[arg-type]
        index = {"sum": size, "count": size + 1}.get(slot)
        state[int(slot) if index is None else index] += float(value)
    return found


def render() -> str:
    """Every metric in Prometheus's text exposition format."""
    here = (("process", f"{socket.gethostname()}:{os.getpid()}"),)
    shared = {name: _shared_histograms(name) for name in SHARED}
    lines: list[str] = []
    with _lock:
        for name, (kind, text) in HELP.items():
            lines += [f"# HELP {name} {text}", f"# TYPE {name} {kind}"]
            if kind == "counter":
                for labels, value in sorted(_counters.get(name, {}).items()):
                    lines.append(f"{name}{_format(labels + here)} {value:g}")
                continue
            bounds = _buckets[name]
            series: list[tuple[Labels, list[float], Labels]] = [
                (labels, state, here) for labels, state in _histograms.get(name, {}).items()
            ]
            # Shared numbers belong to no one process.
            series += [(labels, state, ()) for labels, state in shared.get(name, {}).items()]
            for labels, state, process in sorted(series):
                running = 0.0
                for bound, count in zip(bounds, state, strict=False):
                    running += count
                    le = (("le", f"{bound:g}"),)
                    lines.append(f"{name}_bucket{_format(labels + process, le)} {running:g}")
                total = state[-1]
                inf = (("le", "+Inf"),)
                lines.append(f"{name}_bucket{_format(labels + process, inf)} {total:g}")
                lines.append(f"{name}_sum{_format(labels + process)} {state[-2]:g}")
                lines.append(f"{name}_count{_format(labels + process)} {total:g}")
    return "\n".join(lines) + "\n"
