"""Renew the accessibility screenshots in docs/screenshots (a11y-*.png).

Usage: python tools/a11y_screenshots.py

Runs tests/browser/test_a11y_screenshots.py with CHORUS_SCREENSHOTS=1, so the pictures come
from the same seeded demo data, sign-in and headless Chromium as the browser tests: Early
years, Explore, Discussion and a present-mode chart step, each at 640, 1280 and 1920 CSS
pixels wide. Open them afterwards and check them by eye before committing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    env = {**os.environ, "CHORUS_SCREENSHOTS": "1"}
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-q",
        "tests/browser/test_a11y_screenshots.py",
    ]
    return subprocess.call(command, env=env, cwd=ROOT)  # noqa: S603 (a fixed command)


if __name__ == "__main__":
    sys.exit(main())
