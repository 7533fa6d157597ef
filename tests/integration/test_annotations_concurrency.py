"""Several processes write notes at once, on SQLite and on PostgreSQL.

Each process creates notes and edits one shared note from the version it last read. Every
write must either land or come back as a clear conflict: nothing is lost and no process
sees "database is locked".
"""

from __future__ import annotations

import multiprocessing
from datetime import date

from sqlalchemy import func, select

from data_access.models import Annotation, AnnotationRevision, AuditEvent

PROCESSES = 4
CREATES_PER_PROCESS = 6
EDITS_PER_PROCESS = 6


def _worker(url: str, user_id: int, shared_id: int, worker: int, results) -> None:  # type: ignore[no-untyped-def]
    """Runs in its own process: its own engine, its own sessions."""
    from data_access.annotations import NewAnnotation, create_annotation, edit_annotation
    from data_access.db import Database
    from data_access.users import user_by_id

    database = Database(url)
    outcomes: list[tuple[str, str]] = []
    try:
        with database.read() as s:
            user = user_by_id(s, user_id)
        for i in range(max(CREATES_PER_PROCESS, EDITS_PER_PROCESS)):
            if i < CREATES_PER_PROCESS:
                with database.write() as s:
                    result = create_annotation(
                        s,
                        user,
                        NewAnnotation(
                            indicator="gld",
                            area_code="E08000004",
                            kind="interpretation",
                            body=f"worker {worker} note {i}",
                            visibility="organisation",
                            period_start=date(2024, 9, 1),
                            period_end=date(2025, 8, 31),
                        ),
                    )
                outcomes.append(("create", result.outcome))
            if i < EDITS_PER_PROCESS:
                with database.read() as s:
                    version = s.scalar(select(Annotation.version).where(Annotation.id == shared_id))
                with database.write() as s:
                    result = edit_annotation(
                        s, user, shared_id, f"worker {worker} edit {i}", expected_version=version
                    )
                outcomes.append(("edit", result.outcome))
    except Exception as exc:  # reported to the parent, which fails the test
        outcomes.append(("error", repr(exc)))
    finally:
        database.dispose()
    results.put((worker, outcomes))


def _setup(database) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    from data_access.annotations import NewAnnotation, create_annotation
    from data_access.users import create_user, get_or_create_organisation, user_by_id

    with database.write() as s:
        org = get_or_create_organisation(s, "E08000004", "Oldham", "local_authority", True)
        user = create_user(s, "oldham.practitioner", "not-a-hash", org, "practitioner")
        record = user_by_id(s, user.id)
        shared = create_annotation(
            s,
            record,
            NewAnnotation(
                indicator="gld",
                area_code="E08000004",
                kind="question",
                body="shared note",
                visibility="organisation",
            ),
        )
        return user.id, shared.annotation.id


def test_anncon001_parallel_creates_and_edits_land_or_conflict(any_db):
    user_id, shared_id = _setup(any_db)
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    processes = [
        context.Process(target=_worker, args=(any_db.url, user_id, shared_id, n, results))
        for n in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    collected = dict(results.get(timeout=240) for _ in processes)
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    outcomes = [o for worker in collected.values() for o in worker]
    errors = [detail for kind, detail in outcomes if kind == "error"]
    assert errors == []
    assert all(o in ("saved", "conflict") for _, o in outcomes)
    creates = [o for kind, o in outcomes if kind == "create"]
    edits = [o for kind, o in outcomes if kind == "edit"]
    assert creates == ["saved"] * PROCESSES * CREATES_PER_PROCESS
    saved_edits = edits.count("saved")
    conflicts = edits.count("conflict")
    assert saved_edits + conflicts == PROCESSES * EDITS_PER_PROCESS
    assert saved_edits >= 1
    with any_db.read() as s:
        notes = s.scalar(
            select(func.count()).select_from(Annotation).where(Annotation.id != shared_id)
        )
        shared_version = s.scalar(select(Annotation.version).where(Annotation.id == shared_id))
        history = s.execute(
            select(AnnotationRevision.conflict, func.count())
            .where(AnnotationRevision.annotation_id == shared_id)
            .group_by(AnnotationRevision.conflict)
        ).all()
        edit_events = s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "annotation.edit")
        )
    # Nothing lost: every note created is there, the version counts every saved edit, and
    # every refused text is kept as a conflict revision.
    assert notes == PROCESSES * CREATES_PER_PROCESS
    assert shared_version == 1 + saved_edits
    expected = {False: saved_edits, True: conflicts}
    assert dict(history) == {kept: n for kept, n in expected.items() if n}
    assert edit_events == PROCESSES * EDITS_PER_PROCESS
