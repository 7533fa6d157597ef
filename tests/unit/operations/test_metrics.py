"""The Prometheus text format written by metrics.render."""

from __future__ import annotations

import metrics


def test_met001_counters_and_histograms_render_in_prometheus_text_format():
    metrics.reset()
    metrics.inc("chorus_requests_total", route="/health/live", status="200")
    metrics.inc("chorus_requests_total", route="/health/live", status="200")
    metrics.observe("chorus_request_seconds", 0.07, route="/health/live")
    metrics.observe("chorus_request_seconds", 3.0, route="/health/live")
    text = metrics.render()
    assert "# TYPE chorus_requests_total counter" in text
    line = next(x for x in text.splitlines() if x.startswith("chorus_requests_total{"))
    assert 'route="/health/live"' in line and 'status="200"' in line and line.endswith(" 2")
    buckets = {
        x.split('le="')[1].split('"')[0]: x.rsplit(" ", 1)[1]
        for x in text.splitlines()
        if x.startswith("chorus_request_seconds_bucket")
    }
    assert buckets["0.05"] == "0" and buckets["0.1"] == "1" and buckets["2.5"] == "1"
    assert buckets["5"] == "2" and buckets["+Inf"] == "2"
    assert any(
        x.startswith("chorus_request_seconds_count{") and x.endswith(" 2")
        for x in text.splitlines()
    )
    metrics.reset()


def test_met002_label_values_are_escaped():
    metrics.reset()
    metrics.inc("chorus_cache_requests_total", result='a"b\\c\nd')
    text = metrics.render()
    assert 'result="a\\"b\\\\c\\nd"' in text
    metrics.reset()


def test_met003_job_durations_are_shared_through_redis_between_processes():
    from dbsupport import require_redis

    url = require_redis("redis://127.0.0.1:6379/12")
    import redis

    client = redis.Redis.from_url(url)
    client.delete("chorus:metrics:chorus_job_seconds")
    try:
        metrics.reset()
        metrics.share_through(url)
        metrics.observe("chorus_job_seconds", 3.0, job="commit", outcome="done")
        metrics.observe("chorus_job_seconds", 7200.0, job="commit", outcome="done")
        metrics.reset()  # another process: nothing of its own, the same shared numbers
        lines = metrics.render().splitlines()
        count = next(x for x in lines if x.startswith("chorus_job_seconds_count{"))
        assert count == 'chorus_job_seconds_count{job="commit",outcome="done"} 2'
        bucket = next(x for x in lines if 'le="5"' in x)
        assert bucket.endswith(" 1")
        assert any('le="+Inf"' in x and x.endswith(" 2") for x in lines)
    finally:
        metrics.share_through(None)
        client.delete("chorus:metrics:chorus_job_seconds")
