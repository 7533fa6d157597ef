"""The server clock the session timeouts and login rate limits read.

One function, so tests can move time forward (``monkeypatch.setattr(clock, "now", ...)``)
to check idle and absolute expiry without waiting.
"""

from __future__ import annotations

import time


def now() -> float:
    """Seconds since the epoch, UTC."""
    return time.time()
