"""Live Learning Network sessions under load (issue 21), run by ``make bench``.

100 simulated participants (threads, bounded, 127.0.0.1 only), each signed in through the
real form, follow a 10-step session on gunicorn with 2 workers:

- every participant polls ``/api/live/<id>/version`` about once a second with the ETag it
  last saw (304 while nothing changed) and, when the step changes, fetches the new step as
  its page does (the participant page's Dash callback, which draws the chart) and the live
  state; *delivery* is the time from the facilitator's Next (answered by the server) to
  the participant holding the new step;
- the facilitator presses Next through the present screen's Dash callback every ~15 s
  and watches the contributions as the shared screen does (version poll, then the
  contributions panel's Dash callback);
- a fifth of the participants contribute on each step through ``POST
  /api/live/<id>/contributions`` with a client key, a third of them sending it twice (a
  retry); *round trip* is from the first send until the shared screen has the note;
- at the end every acknowledged key is looked up: lost and duplicated contributions must
  be 0;
- the server's CPU (user+system seconds of the master and workers over the run), each
  worker's memory (resident now and peak) and the machine's load average are recorded.

Then the same with two app servers (2 workers each) sharing the database and Redis
(``REDIS_URL``; participants split between them, the facilitator on the first), so a
step reaches participants of the other server through Redis pub/sub.

    python -m bench.livebench --seconds 180            # both runs, 3 minutes each
    python -m bench.livebench --seconds 40 --no-redis  # a short run, one server

Results: a table on stdout and bench/results/live-<date>.md and .json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from bench.harness import AppServer, BenchUser, Client, gunicorn, percentile

RESULTS_DIR = Path(__file__).resolve().parent / "results"
PARTICIPANTS = 100
ORGANISATIONS = 20
STEPS = 10
POLL_SECONDS = 1.0
STEP_SECONDS = 15.0
CONTRIBUTORS = 0.2
RETRY_SHARE = 1 / 3
DEFAULT_REDIS = "redis://127.0.0.1:6379/11"


# --- the database ------------------------------------------------------------------------


def prepare_database(folder: Path) -> tuple[str, int, list[BenchUser], BenchUser]:
    """A fresh SQLite database with the demo figures, 100 participants in 20 authorities
    (practitioners), an Oldham facilitator and a 10-step session. Returns (url, session id,
    participants, facilitator)."""
    import secrets

    from sqlalchemy import select

    from auth.passwords import hash_password
    from data_access import learning_network as ln
    from data_access.db import Database
    from data_access.demo import load_demo_observations, load_reference_data
    from data_access.migrate import upgrade_to_head
    from data_access.models import Area
    from data_access.users import create_user, get_or_create_organisation, user_by_username

    url = f"sqlite:///{folder / 'live.db'}"
    upgrade_to_head(url)
    database = Database(url)
    password = secrets.token_urlsafe(18)
    hashed = hash_password(password)
    try:
        with database.write() as session:
            catalogue = load_reference_data(session)
            load_demo_observations(session, catalogue)
        with database.write() as session:
            areas = list(
                session.execute(
                    select(Area.code, Area.name)
                    .where(Area.area_type == "la", Area.valid_to.is_(None))
                    .order_by(Area.code)
                ).all()
            )
            oldham = next(a for a in areas if a[0] == "E08000004")
            others = [a for a in areas if a[0] != "E08000004"][: ORGANISATIONS - 1]
            orgs = [
                get_or_create_organisation(session, code, name, "local_authority", True)
                for code, name in [oldham, *others]
            ]
            create_user(session, "live.facilitator", hashed, orgs[0], "analyst", "Facilitator")
            people = []
            for number in range(PARTICIPANTS):
                org = orgs[number % len(orgs)]
                name = f"live.person{number:03d}"
                create_user(session, name, hashed, org, "practitioner", name)
                people.append(BenchUser(name, password, org.code))
            facilitator = user_by_username(session, "live.facilitator")
            assert facilitator is not None
            record = ln.create_session(
                session, facilitator, "Benchmark session", "2026-03-12",
                [o.code for o in orgs[1:]],
            )  # fmt: skip
            for position in range(STEPS):
                if position % 3 == 0:
                    ln.add_step(
                        session, facilitator, record.id, "indicator", f"Chart {position + 1}",
                        {"indicator": "gld", "area": "E08000004", "compare": ["england"]},
                    )  # fmt: skip
                else:
                    ln.add_step(
                        session, facilitator, record.id, "question", f"Question {position + 1}",
                        {"text": f"What do you make of step {position + 1}?"},
                    )  # fmt: skip
            session_id = record.id
    finally:
        database.dispose()
    return url, session_id, people, BenchUser("live.facilitator", password, "E08000004")


# --- Dash callbacks as the renderer sends them ---------------------------------------------


class DashCall:
    """Builds a callback body from ``/_dash-dependencies`` for the callback writing
    ``output`` (a "component.prop" string)."""

    def __init__(self, dependencies: list[dict], output: str) -> None:
        self.dep = next(d for d in dependencies if output in d["output"])

    def body(self, trigger: str, values: dict[str, Any]) -> dict[str, Any]:
        text = self.dep["output"]
        parts = text[2:-2].split("...") if text.startswith("..") else [text]
        outputs = [dict(zip(("id", "property"), p.rsplit(".", 1), strict=True)) for p in parts]

        def items(kind: str) -> list[dict]:
            return [
                {"id": i["id"], "property": i["property"], "value": values.get(i["id"])}
                for i in self.dep[kind]
            ]

        prop = next(i["property"] for i in self.dep["inputs"] if i["id"] == trigger)
        return {
            "output": text,
            "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": items("inputs"),
            "state": items("state"),
            "changedPropIds": [f"{trigger}.{prop}"],
        }


# --- the run --------------------------------------------------------------------------------


class Shared:
    """What the threads record, under one lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.advanced: dict[int, float] = {0: time.monotonic()}  # step -> when Next answered
        self.delivery: list[float] = []
        self.sent: dict[str, float] = {}  # body -> first send
        self.acknowledged: dict[str, int] = {}  # body -> note id
        self.seen: dict[str, float] = {}  # body -> seen on the shared screen
        self.round_trip: list[float] = []
        self.ack_ms: list[float] = []
        self.polls = 0
        self.not_modified = 0
        self.errors = 0
        self.stop = threading.Event()
        self.go = threading.Event()
        self.ready = 0  # participants signed in and joined (or given up)


def _participant(
    server: AppServer, user: BenchUser, session_id: int, code: str, shared: Shared, seed: int
) -> None:
    rng = random.Random(seed)
    try:
        client = Client(server.base_url, user)
    except (RuntimeError, requests.RequestException):
        with shared.lock:
            shared.errors += 1
            shared.ready += 1
        return
    http = client.session
    headers = {
        "Origin": server.base_url,
        "Referer": f"{server.base_url}/join",
        "X-CSRFToken": http.cookies.get("_csrf_token") or "",
        "Content-Type": "application/json",
    }
    deps = http.get(server.base_url + "/_dash-dependencies", timeout=60).json()
    join = DashCall(deps, "join-message.children")
    follow = DashCall(deps, "live-step.children")
    response = http.post(
        server.base_url + "/_dash-update-component",
        data=json.dumps(join.body("join-submit", {"join-submit": 1, "join-code": code})),
        headers=headers,
        timeout=60,
    )
    with shared.lock:
        shared.ready += 1
    if response.status_code != 200 or "live?id=" not in response.text:
        with shared.lock:
            shared.errors += 1
        return
    shared.go.wait()
    contributes = rng.random() < CONTRIBUTORS
    etag = None
    step = -1
    step_id = None
    planned: dict[int, float] = {}
    time.sleep(rng.random() * POLL_SECONDS)  # spread the polls over the second
    while not shared.stop.is_set():
        started = time.monotonic()
        try:
            request_headers = {"If-None-Match": etag} if etag else {}
            answer = http.get(
                f"{server.base_url}/api/live/{session_id}/version",
                headers=request_headers,
                timeout=30,
            )
            with shared.lock:
                shared.polls += 1
                shared.not_modified += answer.status_code == 304
            if answer.status_code == 200:
                etag = answer.headers.get("ETag")
                now_step = int(answer.json()["step"])
                if now_step != step:
                    state = http.get(
                        f"{server.base_url}/api/live/{session_id}/state", timeout=30
                    ).json()
                    body = follow.body(
                        "live-signal",
                        {
                            "live-signal": answer.json(),
                            "live-session": session_id,
                            "live-look": None,
                        },
                    )
                    drawn = http.post(
                        server.base_url + "/_dash-update-component",
                        data=json.dumps(body),
                        headers=headers,
                        timeout=60,
                    )
                    done = time.monotonic()
                    if drawn.status_code != 200:
                        with shared.lock:
                            shared.errors += 1
                    with shared.lock:
                        if step >= 0 and now_step in shared.advanced:
                            shared.delivery.append((done - shared.advanced[now_step]) * 1000)
                    step, step_id = now_step, state["step_id"]
                    if contributes:
                        planned[step] = done + rng.uniform(1.0, STEP_SECONDS * 0.6)
            elif answer.status_code != 304:
                with shared.lock:
                    shared.errors += 1
            if contributes and step in planned and time.monotonic() >= planned[step]:
                del planned[step]
                _contribute(http, server, headers, session_id, step_id, user, shared, rng)
        except requests.RequestException:
            with shared.lock:
                shared.errors += 1
            etag = None
        time.sleep(max(0.0, POLL_SECONDS - (time.monotonic() - started)))


def _contribute(  # type: ignore[no-untyped-def]
    http: requests.Session, server, headers, session_id, step_id, user, shared, rng
) -> None:
    text = f"Bench {user.username} {uuid.uuid4().hex[:12]}"
    payload = {
        "step_id": step_id,
        "body": text,
        "kind": rng.choice(["interpretation", "question", "context_event"]),
        "client_key": uuid.uuid4().hex,
    }
    first = time.monotonic()
    with shared.lock:
        shared.sent[text] = first
    sends = 2 if rng.random() < RETRY_SHARE else 1
    for _ in range(sends + 3):  # the retries, and up to three more on an error
        try:
            response = http.post(
                f"{server.base_url}/api/live/{session_id}/contributions",
                data=json.dumps(payload),
                headers=headers,
                timeout=30,
            )
        except requests.RequestException:
            continue
        if response.status_code in (200, 201):
            with shared.lock:
                shared.acknowledged[text] = int(response.json()["id"])
                shared.ack_ms.append((time.monotonic() - first) * 1000)
            sends -= 1
            if sends <= 0:
                return
        else:
            with shared.lock:
                shared.errors += 1


def _facilitator(
    server: AppServer, user: BenchUser, session_id: int, shared: Shared, step_seconds: float
) -> None:
    client = Client(server.base_url, user)
    http = client.session
    headers = {
        "Origin": server.base_url,
        "Referer": f"{server.base_url}/sessions/present?id={session_id}",
        "X-CSRFToken": http.cookies.get("_csrf_token") or "",
        "Content-Type": "application/json",
    }
    deps = http.get(server.base_url + "/_dash-dependencies", timeout=60).json()
    show = DashCall(deps, "present-index.data")
    panel = DashCall(deps, "live-contributions-panel.children")
    index = 0
    next_at = time.monotonic() + step_seconds
    etag = None
    while not shared.stop.is_set():
        now = time.monotonic()
        if now >= next_at and index < STEPS - 1:
            body = show.body(
                "present-next",
                {
                    "present-next": index + 1,
                    "present-prev": 0,
                    "present-table": 0,
                    "present-names": "names",
                    "present-saved": 0,
                    "present-index": index,
                    "present-show-table": False,
                    "present-session": session_id,
                },
            )
            pressed = time.monotonic()  # delivery counts from the press, not the answer
            with shared.lock:
                shared.advanced[index + 1] = pressed
            response = http.post(
                server.base_url + "/_dash-update-component",
                data=json.dumps(body),
                headers=headers,
                timeout=60,
            )
            if response.status_code == 200:
                index += 1
            next_at += step_seconds
        # The shared screen: poll the version; when it changes, redraw the contributions
        # panel through its Dash callback (this step's and, for a send that crossed a step
        # change, the one before).
        try:
            answer = http.get(
                f"{server.base_url}/api/live/{session_id}/version",
                headers={"If-None-Match": etag} if etag else {},
                timeout=30,
            )
            if answer.status_code == 200:
                etag = answer.headers.get("ETag")
                drawn = ""
                for shown in {index, max(0, index - 1)}:
                    drawn += http.post(
                        server.base_url + "/_dash-update-component",
                        data=json.dumps(
                            panel.body(
                                "present-signal",
                                {
                                    "present-signal": answer.json(),
                                    "live-changed": 0,
                                    "present-index": shown,
                                    "present-session": session_id,
                                },
                            )
                        ),
                        headers=headers,
                        timeout=60,
                    ).text
                seen_at = time.monotonic()
                with shared.lock:
                    for text in list(shared.sent):
                        if text in drawn and text not in shared.seen:
                            shared.seen[text] = seen_at
                            shared.round_trip.append((seen_at - shared.sent[text]) * 1000)
        except requests.RequestException:
            with shared.lock:
                shared.errors += 1
        time.sleep(max(0.0, POLL_SECONDS - (time.monotonic() - now)))


# --- measuring the servers -------------------------------------------------------------------


def _pids(servers: list[AppServer]) -> list[int]:
    return [p for s in servers for p in (s.process.pid, *s.worker_pids())]


def _cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def _memory(servers: list[AppServer]) -> dict[str, float]:
    rss, peak = [], []
    for server in servers:
        for pid in server.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            now = re.search(r"VmRSS:\s+(\d+) kB", status)
            high = re.search(r"VmHWM:\s+(\d+) kB", status)
            if now and high:
                rss.append(int(now.group(1)) / 1024)
                peak.append(int(high.group(1)) / 1024)
    return {
        "workers": len(rss),
        "rss_total_mb": round(sum(rss), 1),
        "peak_worker_mb": round(max(peak), 1) if peak else 0.0,
    }


def _lost_and_duplicated(database_url: str, session_id: int, shared: Shared) -> tuple[int, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            bodies = [
                row[0]
                for row in conn.execute(
                    text("SELECT body FROM annotations WHERE ln_session_id = :s"), {"s": session_id}
                )
            ]
    finally:
        engine.dispose()
    counts: dict[str, int] = {}
    for body in bodies:
        counts[body] = counts.get(body, 0) + 1
    lost = sum(1 for body in shared.sent if counts.get(body, 0) == 0)
    duplicated = sum(n - 1 for n in counts.values() if n > 1)
    return lost, duplicated


def _p(values: list[float], fraction: float) -> float | None:
    found = percentile(values, fraction)
    return None if found is None else round(found, 1)


def run_once(
    label: str,
    servers: list[AppServer],
    database_url: str,
    session_id: int,
    people: list[BenchUser],
    facilitator: BenchUser,
    seconds: float,
) -> dict[str, Any]:
    """One run: start the live session, let everyone follow it for ``seconds``."""
    shared = Shared()
    starter = Client(servers[0].base_url, facilitator)
    deps = starter.session.get(servers[0].base_url + "/_dash-dependencies", timeout=60).json()
    start = DashCall(deps, "live-changed.data")
    _ms, response = starter.callback(
        start.body(
            "live-start",
            {"live-start": 1, "live-end": 0, "live-options": [], "present-session": session_id},
        ),
        page=f"/sessions/present?id={session_id}",
    )
    response.raise_for_status()
    code = _join_code(database_url, session_id)
    step_seconds = min(STEP_SECONDS, max(3.0, seconds / (STEPS + 1)))
    threads = [
        threading.Thread(
            target=_participant,
            args=(servers[n % len(servers)], user, session_id, code, shared, n),
            daemon=True,
        )
        for n, user in enumerate(people)
    ]
    for thread in threads:
        thread.start()
        time.sleep(0.05)  # people arrive over a few seconds, not in one instant
    # Everyone signed in and joined before the clock starts.
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and shared.ready < len(people):
        time.sleep(0.5)
    joined = _joined(database_url, session_id)
    load_before = os.getloadavg()
    pids = _pids(servers)
    cpu_before = _cpu_seconds(pids)
    started = time.monotonic()
    with shared.lock:
        shared.advanced[0] = started
    shared.go.set()
    boss = threading.Thread(
        target=_facilitator,
        args=(servers[0], facilitator, session_id, shared, step_seconds),
        daemon=True,
    )
    boss.start()
    while time.monotonic() - started < seconds:
        time.sleep(0.5)
    # A few seconds more for the last contributions to reach the shared screen.
    settle = time.monotonic() + 5
    while time.monotonic() < settle and len(shared.seen) < len(shared.sent):
        time.sleep(0.25)
    shared.stop.set()
    elapsed = time.monotonic() - started
    cpu = _cpu_seconds(pids) - cpu_before
    memory = _memory(servers)
    load_after = os.getloadavg()
    for thread in [*threads, boss]:
        thread.join(timeout=30)
    lost, duplicated = _lost_and_duplicated(database_url, session_id, shared)
    polls = max(1, shared.polls)
    return {
        "label": label,
        "servers": len(servers),
        "workers_per_server": 2,
        "participants": len(people),
        "joined": joined,
        "seconds": round(elapsed, 1),
        "steps_advanced": len(shared.advanced) - 1,
        "step_interval_s": round(step_seconds, 1),
        "delivery_ms": {
            "n": len(shared.delivery),
            "median": round(statistics.median(shared.delivery), 1) if shared.delivery else None,
            "p95": _p(shared.delivery, 0.95),
            "max": round(max(shared.delivery), 1) if shared.delivery else None,
        },
        "contribution_round_trip_ms": {
            "n": len(shared.round_trip),
            "seen_of_sent": f"{len(shared.seen)} of {len(shared.sent)}",
            "median": round(statistics.median(shared.round_trip), 1) if shared.round_trip else None,
            "p95": _p(shared.round_trip, 0.95),
        },
        "contribution_saved_ms_p95": _p(shared.ack_ms, 0.95),
        "contributions_sent": len(shared.sent),
        "lost": lost,
        "duplicated": duplicated,
        "polls_per_second": round(shared.polls / elapsed, 1),
        "not_modified_share": round(shared.not_modified / polls, 3),
        "errors": shared.errors,
        "server_cpu_cores": round(cpu / elapsed, 2),
        "server_cpu_seconds": round(cpu, 1),
        "memory": memory,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "cpu_count": os.cpu_count(),
    }


def _join_code(database_url: str, session_id: int) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return str(
                conn.execute(
                    text("SELECT join_code FROM ln_live WHERE session_id = :s"), {"s": session_id}
                ).scalar_one()
            )
    finally:
        engine.dispose()


def _joined(database_url: str, session_id: int) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    text("SELECT count(*) FROM ln_participants WHERE session_id = :s"),
                    {"s": session_id},
                ).scalar_one()
            )
    finally:
        engine.dispose()


def _reset(database_url: str, session_id: int) -> None:
    """Back to a session never started (between the two runs)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            for table in ("ln_contribution_keys", "ln_participants", "ln_live"):
                conn.execute(text(f"DELETE FROM {table} WHERE session_id = :s"), {"s": session_id})  # noqa: S608
    finally:
        engine.dispose()


@contextmanager
def _servers(database_url: str, count: int, redis_url: str | None) -> Iterator[list[AppServer]]:
    with ExitStack() as stack:
        yield [
            stack.enter_context(
                gunicorn(
                    database_url,
                    workers=2,
                    threads=8,
                    redis_url=redis_url,
                    # 100 people signing in from one loopback address at once.
                    env_extra={"CHORUS_LOGIN_MAX_FAILURES": "1000"},
                )
            )
            for _ in range(count)
        ]


def table(results: list[dict[str, Any]]) -> str:
    """The results as a Markdown table."""
    lines = [
        "| run | joined | delivery p95 ms | contribution round trip p95 ms | sent | lost "
        "| duplicated "
        "| polls/s | 304 share | errors | server CPU cores | worker RSS total MB "
        "| load average before -> after |",
        "| --- " + "| ---: " * 11 + "| --- |",
    ]
    for r in results:
        lines.append(
            f"| {r['label']} | {r['joined']} | {r['delivery_ms']['p95']}"
            f" | {r['contribution_round_trip_ms']['p95']}"
            f" | {r['contributions_sent']} | {r['lost']} | {r['duplicated']}"
            f" | {r['polls_per_second']} | {r['not_modified_share']} | {r['errors']}"
            f" | {r['server_cpu_cores']} | {r['memory']['rss_total_mb']}"
            f" | {' '.join(map(str, r['load_average_before']))} -> "
            f"{' '.join(map(str, r['load_average_after']))} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=180.0, help="length of each run")
    parser.add_argument("--participants", type=int, default=PARTICIPANTS)
    parser.add_argument("--no-redis", action="store_true", help="skip the two-server run")
    parser.add_argument("--redis-url", default=os.environ.get("LIVEBENCH_REDIS_URL", DEFAULT_REDIS))
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="chorus-livebench-"))
    url, session_id, people, facilitator = prepare_database(folder)
    people = people[: args.participants]
    results = []
    with _servers(url, 1, None) as servers:
        results.append(
            run_once(
                "1 server, 2 workers", servers, url, session_id, people, facilitator, args.seconds
            )
        )
    if not args.no_redis:
        _reset(url, session_id)
        with _servers(url, 2, args.redis_url) as servers:
            results.append(
                run_once(
                    "2 servers x 2 workers, Redis",
                    servers,
                    url,
                    session_id,
                    people,
                    facilitator,
                    args.seconds,
                )  # fmt: skip
            )
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    (RESULTS_DIR / f"live-{stamp}.json").write_text(json.dumps(results, indent=2))
    (RESULTS_DIR / f"live-{stamp}.md").write_text(table(results) + "\n")
    print(table(results))
    return results


if __name__ == "__main__":
    main()
