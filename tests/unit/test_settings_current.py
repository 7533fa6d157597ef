"""``settings.current()`` is the one accessor, and nothing else reads the environment."""

from __future__ import annotations

import ast
from pathlib import Path

from flask import Flask

import settings
from data_access import voice

ROOT = Path(__file__).resolve().parents[2]
APP_FOLDERS = ["analysis", "api", "auth", "components", "data_access", "pages", "rules"]
APP_FILES = ["app.py", "cli.py"]
# Still reads the environment for the administrator's password prompt; reworked in parallel.
KNOWN_REMAINING = {"cli.py"}


def test_set001_outside_the_app_current_reads_the_environment(monkeypatch):
    monkeypatch.setenv("CHORUS_DISCLOSURE_THRESHOLD", "7")
    monkeypatch.setenv("CHORUS_HIDE_VOICE_PAST_REVIEW", "yes")
    assert settings.current().disclosure_threshold == 7
    assert voice.disclosure_threshold() == 7
    assert voice.hide_past_review_default() is True


def test_set002_inside_the_app_current_is_the_app_settings(monkeypatch):
    monkeypatch.setenv("CHORUS_DISCLOSURE_THRESHOLD", "7")
    app = Flask(__name__)
    chosen = settings.Settings(disclosure_threshold=9, hide_voice_past_review=False)
    app.extensions[settings.APP_EXTENSION] = chosen
    with app.app_context():
        assert settings.current() is chosen
        assert voice.disclosure_threshold() == 9
        assert voice.hide_past_review_default() is False


def _reads_environment(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            if any(alias.name in ("environ", "getenv") for alias in node.names):
                lines.append(node.lineno)
    return lines


def test_set003_no_environment_reads_outside_settings():
    files = [p for folder in APP_FOLDERS for p in sorted((ROOT / folder).rglob("*.py"))]
    files += [ROOT / name for name in APP_FILES if (ROOT / name).exists()]
    readers = {p.relative_to(ROOT).as_posix() for p in files if _reads_environment(p)}
    assert readers == KNOWN_REMAINING
