"""The one place that reads the environment.

Every setting has a default that works for a newcomer on one machine (SQLite under
``instance/``); production must set SECRET_KEY and should set DATABASE_URL and REDIS_URL.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"

ENVIRONMENTS = ("development", "test", "production")
# The key under which the app factory keeps its Settings in ``Flask.extensions``.
APP_EXTENSION = "chorus_settings"


class SettingsError(RuntimeError):
    """A setting is missing or has a value Chorus cannot use."""


@dataclass(frozen=True)
class Settings:
    """Configuration for one Chorus process. Build it with :func:`Settings.from_env`."""

    env: str = "development"
    database_url: str = ""
    secret_key: str = ""
    redis_url: str | None = None
    cache_dir: Path = field(default_factory=lambda: DEFAULT_INSTANCE / "cache")
    cache: str = "auto"  # on, off, or auto (on except in the test environment)
    instance_dir: Path = DEFAULT_INSTANCE
    disclosure_threshold: int = 5
    session_idle_minutes: int = 30
    session_absolute_hours: int = 8
    secure_cookies: bool = False
    # Plain-HTTP trial of production mode: cookies without Secure (warned about at start).
    allow_insecure_cookies: bool = False
    # Reverse proxies in front of Chorus whose X-Forwarded-For/-Proto/-Host are trusted.
    trusted_proxies: int = 0
    hide_voice_past_review: bool = False
    login_max_failures: int = 5
    login_window_minutes: int = 15
    # Retention, applied by `flask apply-retention`: audit events older than this many days,
    # and voice items this many days after their review date, are deleted.
    audit_retention_days: int = 2190
    voice_retention_days_past_review: int = 90
    import_max_mb: int = 100
    # Operations (see the README's Deployment section).
    metrics_token: str | None = None  # CHORUS_METRICS_TOKEN: /metrics answers 404 without it
    log_format: str = "text"  # CHORUS_LOG_FORMAT: json (production default) or text
    job_stale_seconds: int = 30  # a running import silent this long has lost its worker
    web_concurrency: int = 1  # WEB_CONCURRENCY: gunicorn workers per machine (the Procfile)
    # CHORUS_WARM_SECONDS: how long a new web worker may spend drawing the default panels
    # before it takes traffic (gunicorn.conf.py; 0 = no warm-up).
    warm_seconds: float = 20.0

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Read CHORUS_* and the documented variables from the environment."""
        env_vars = os.environ if environ is None else environ
        env = env_vars.get("CHORUS_ENV", "development")
        if env not in ENVIRONMENTS:
            raise SettingsError(f"CHORUS_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
        instance_dir = Path(env_vars.get("CHORUS_INSTANCE_DIR", str(DEFAULT_INSTANCE)))
        database_url = env_vars.get("DATABASE_URL") or f"sqlite:///{instance_dir / 'chorus.db'}"
        secret_key = env_vars.get("SECRET_KEY", "")
        if not secret_key:
            if env == "production":
                raise SettingsError("SECRET_KEY must be set when CHORUS_ENV=production")
            # A fresh random key per process is safe for development: sessions just end
            # on restart. Several workers need a shared key, hence required in production.
            secret_key = _development_secret(instance_dir)
        values: dict[str, object] = dict(
            env=env,
            database_url=_normalise_database_url(database_url),
            secret_key=secret_key,
            redis_url=env_vars.get("REDIS_URL") or None,
            cache_dir=Path(env_vars.get("CACHE_DIR", str(instance_dir / "cache"))),
            cache=_cache_choice(env_vars.get("CHORUS_CACHE", "auto")),
            instance_dir=instance_dir,
            disclosure_threshold=int(env_vars.get("CHORUS_DISCLOSURE_THRESHOLD", "5")),
            session_idle_minutes=int(env_vars.get("CHORUS_SESSION_IDLE_MINUTES", "30")),
            session_absolute_hours=int(env_vars.get("CHORUS_SESSION_ABSOLUTE_HOURS", "8")),
            secure_cookies=_secure_cookies(env, env_vars),
            allow_insecure_cookies=_flag(env_vars.get("CHORUS_ALLOW_INSECURE_COOKIES")),
            trusted_proxies=_trusted_proxies(env_vars.get("CHORUS_TRUSTED_PROXIES", "0")),
            hide_voice_past_review=env_vars.get("CHORUS_HIDE_VOICE_PAST_REVIEW", "0").lower()
            in ("1", "true", "yes"),
            login_max_failures=int(env_vars.get("CHORUS_LOGIN_MAX_FAILURES", "5")),
            login_window_minutes=int(env_vars.get("CHORUS_LOGIN_WINDOW_MINUTES", "15")),
            audit_retention_days=int(env_vars.get("CHORUS_AUDIT_RETENTION_DAYS", "2190")),
            voice_retention_days_past_review=int(
                env_vars.get("CHORUS_VOICE_RETENTION_DAYS_PAST_REVIEW", "90")
            ),
            import_max_mb=int(env_vars.get("CHORUS_IMPORT_MAX_MB", "100")),
            metrics_token=env_vars.get("CHORUS_METRICS_TOKEN") or None,
            log_format=_log_format(
                env_vars.get("CHORUS_LOG_FORMAT", "json" if env == "production" else "text")
            ),
            job_stale_seconds=int(env_vars.get("CHORUS_JOB_STALE_SECONDS", "30")),
            web_concurrency=int(env_vars.get("WEB_CONCURRENCY", "1") or "1"),
            warm_seconds=float(env_vars.get("CHORUS_WARM_SECONDS", "20") or "0"),
        )
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


MIN_SECRET_KEY_BYTES = 32


def production_warnings(settings: Settings) -> list[str]:
    """What a production start-up should tell the operator (plain sentences; empty if none).

    Nothing here stops Chorus: each is a setting that works but is unsafe or will not scale.
    Outside production there is nothing to say.
    """
    if settings.env != "production":
        return []
    found = []
    if settings.allow_insecure_cookies or not settings.secure_cookies:
        found.append(
            "Session cookies are sent without the Secure flag (insecure cookies were allowed): "
            "serve Chorus over HTTPS and remove CHORUS_ALLOW_INSECURE_COOKIES."
        )
    if settings.redis_url and importlib.util.find_spec("celery") is None:
        found.append(
            "REDIS_URL is set but Celery is not installed: background jobs run as local "
            "processes on each web machine. Install the jobs extra and start a worker."
        )
    if len(settings.secret_key.encode()) < MIN_SECRET_KEY_BYTES:
        found.append(
            f"SECRET_KEY is shorter than {MIN_SECRET_KEY_BYTES} bytes: use a long random value "
            "(for example `python -c 'import secrets; print(secrets.token_hex(32))'`)."
        )
    if settings.is_sqlite and (settings.web_concurrency > 1 or settings.redis_url):
        found.append(
            "The database is SQLite but several workers or machines are configured "
            "(WEB_CONCURRENCY above 1 or REDIS_URL set): SQLite lets one writer at a time and "
            "lives on one disk. Set DATABASE_URL to PostgreSQL."
        )
    return found


def _log_format(text: str) -> str:
    choice = text.strip().lower()
    if choice not in ("json", "text"):
        raise SettingsError(f"CHORUS_LOG_FORMAT must be json or text, not {text!r}")
    return choice


def _flag(text: str | None) -> bool:
    return (text or "").strip().lower() in ("1", "true", "yes", "on")


def _secure_cookies(env: str, env_vars: Mapping[str, str]) -> bool:
    """Secure cookies: asked for with CHORUS_SECURE_COOKIES, and on by default in
    production unless CHORUS_ALLOW_INSECURE_COOKIES=1 opts out (plain-HTTP trials)."""
    if _flag(env_vars.get("CHORUS_SECURE_COOKIES")):
        return True
    return env == "production" and not _flag(env_vars.get("CHORUS_ALLOW_INSECURE_COOKIES"))


def _trusted_proxies(text: str) -> int:
    try:
        count = int(text.strip() or "0")
    except ValueError:
        count = -1
    if count < 0:
        raise SettingsError(
            f"CHORUS_TRUSTED_PROXIES must be a whole number of proxies (0 or more), not {text!r}"
        )
    return count


def _cache_choice(text: str) -> str:
    choice = text.strip().lower()
    if choice in ("1", "on", "true", "yes"):
        return "on"
    if choice in ("0", "off", "false", "no"):
        return "off"
    if choice in ("", "auto"):
        return "auto"
    raise SettingsError(f"CHORUS_CACHE must be on, off or auto, not {text!r}")


def _normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given in the common short forms."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _development_secret(instance_dir: Path) -> str:
    """A per-machine development key kept in instance/, so several dev workers agree."""
    path = instance_dir / "dev_secret_key"
    try:
        instance_dir.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
        return path.read_text().strip()
    except OSError:
        return secrets.token_hex(32)


def current() -> Settings:
    """The settings in force: the running app's inside a Flask app context, else the
    environment's (the command line outside the app, scripts, unit tests).

    The one accessor for code below the app factory; nothing else reads the environment.
    Flask is imported here only when installed and in use, so settings stays importable by
    the Flask-free layers (rules/, data_access/).
    """
    try:
        from flask import current_app, has_app_context
    except ImportError:  # pragma: no cover - flask is a dependency of the app
        return Settings.from_env()
    if has_app_context() and APP_EXTENSION in current_app.extensions:
        return current_app.extensions[APP_EXTENSION]  # type: ignore[no-any-return]
    return Settings.from_env()
