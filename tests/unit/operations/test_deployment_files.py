"""The Procfile, Dockerfile and compose file, checked as far as this machine allows (no
container runtime): parsed, and held to the same commands, health checks and users."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]


def _procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))


def _compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def _dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, rest = line.partition(" ")
            found.append((instruction.upper(), rest.strip()))
    return found


def _shell_command(command: list[str]) -> str:
    """The command a compose service runs through `sh -c`, with compose's "$$" undone."""
    assert command[:2] == ["sh", "-c"], command
    return command[2].replace("$$", "$")


def test_dep001_the_procfile_has_web_worker_beat_and_release():
    processes = _procfile()
    assert set(processes) == {"release", "web", "worker", "beat"}
    assert processes["release"] == "flask --app app:server init-db"
    assert processes["web"].startswith("gunicorn ") and processes["web"].endswith(" app:server")
    assert "--bind 0.0.0.0:${PORT:-8050}" in processes["web"]
    assert processes["worker"].startswith("celery -A app:celery_app worker")
    assert processes["beat"].startswith("celery -A app:celery_app beat")


def test_dep002_compose_runs_the_procfile_topology_with_the_same_commands():
    services = _compose()["services"]
    processes = _procfile()
    assert {"db", "redis", "proxy", "web1", "web2", "worker", "beat", "release"} <= set(services)
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    for name, process in [
        ("web1", "web"),
        ("web2", "web"),
        ("worker", "worker"),
        ("beat", "beat"),
        ("release", "release"),
    ]:
        assert _shell_command(services[name]["command"]) == processes[process], name
    # Each machine has its own CACHE_DIR: nothing may rely on a shared disk.
    cache_dirs = {services[n]["environment"]["CACHE_DIR"] for n in ("web1", "web2", "worker")}
    assert len(cache_dirs) == 3
    for name in ("web1", "web2", "worker", "beat"):
        env = services[name]["environment"]
        assert (
            env["DATABASE_URL"].startswith("postgresql://") and "@db:5432/" in env["DATABASE_URL"]
        )
        assert env["REDIS_URL"].startswith("redis://redis:")
        assert env["CHORUS_ENV"] == "production"
        assert services[name]["depends_on"]["release"]["condition"] == (
            "service_completed_successfully"
        )


def test_dep003_compose_services_have_health_checks():
    services = _compose()["services"]
    for name in ("db", "redis", "web1", "web2", "worker", "proxy"):
        check = services[name]["healthcheck"]
        assert not check.get("disable"), name
        assert check["test"], name
    for name in ("web1", "web2"):
        assert "/health/live" in " ".join(services[name]["healthcheck"]["test"])
    assert "/health/ready" in " ".join(services["proxy"]["healthcheck"]["test"])
    proxy_conf = (ROOT / services["proxy"]["volumes"][0].split(":")[0]).read_text()
    assert "server web1:8050" in proxy_conf and "server web2:8050" in proxy_conf


def test_dep004_the_image_is_slim_runs_as_a_user_and_checks_its_health():
    steps = _dockerfile()
    instructions = [i for i, _ in steps]
    base = next(rest for i, rest in steps if i == "FROM")
    assert re.fullmatch(r"python:3\.1[1-3]-slim", base), base
    users = [rest for i, rest in steps if i == "USER"]
    assert users and users[-1] not in ("root", "0")
    # USER comes before the command, so the processes never run as root.
    assert instructions.index("USER") < instructions.index("CMD")
    health = next(rest for i, rest in steps if i == "HEALTHCHECK")
    assert "/health/live" in health and "--interval" in health
    command = yaml.safe_load(next(rest for i, rest in steps if i == "CMD"))
    assert command[:2] == ["sh", "-c"] and command[2] == _procfile()["web"]
    assert any("[jobs]" in rest for i, rest in steps if i == "RUN")


@pytest.mark.parametrize("process", ["web", "worker", "beat", "release"])
def test_dep005_procfile_commands_parse_as_shell_words(process):
    words = shlex.split(_procfile()[process])
    assert words[0] in {"gunicorn", "celery", "flask"}
