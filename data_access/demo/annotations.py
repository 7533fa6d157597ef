"""Demo notes: what practitioners, analysts and managers of each site wrote on the charts.

The texts are made up and describe no real person. They sit on real charts (published GLD,
care leaver and take-up figures) and on the illustrative local monthly figures, whose built-in
stories (``data_access.demo.local.ILLUSTRATIVE_STORIES``) they explain. Every kind, status and
visibility appears, with a few threads across organisations in the Learning Network.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from data_access.annotations import (
    NewAnnotation,
    create_annotation,
    reply_to_annotation,
    set_status,
)
from data_access.models import Annotation, Observation, User
from data_access.users import user_by_id
from rules.areas import ENGLAND

OLDHAM = "E08000004"
ROCHDALE = "E08000005"
HAMPSHIRE = "E10000014"
NORTH_YORKSHIRE = "E06000065"


@dataclass(frozen=True)
class DemoNote:
    author: str  # demo username
    indicator: str
    area_code: str
    kind: str
    visibility: str
    body: str
    first_period: str
    last_period: str | None = None  # a range when given
    tags: str = ""
    written: str = "2025-10-01T10:00"
    resolved_by: str | None = None
    replies: tuple[tuple[str, str, str], ...] = ()  # (author, written, text)
    comparators: tuple[str, ...] = (ENGLAND,)
    # For a note written on an earlier release: the figure then, and a data version of 0.
    seen_then: float | None = None


DEMO_NOTES: tuple[DemoNote, ...] = (
    DemoNote(
        author="oldham.analyst",
        indicator="gld",
        area_code=OLDHAM,
        kind="interpretation",
        visibility="learning_network",
        first_period="2024/25",
        tags="school-readiness, eyfsp",
        written="2025-11-20T09:30",
        body=(
            "GLD fell slightly to 63.1% in 2024/25 after two years of recovery, while England "
            "kept rising (68.3%), so the gap has widened to about five points. The fall is "
            "within the range we would expect from year to year, but the gap is not. Our "
            "reading: the cohort born in 2019/20 had fewer health visitor contacts face to "
            "face, and it shows most in communication and language."
        ),
        replies=(
            (
                "rochdale.practitioner",
                "2025-11-21T14:05",
                "We see the same in Rochdale (61.0%). Communication and language is where "
                "most children miss GLD. Has anyone looked at whether the two-year-old "
                "offer take-up for this cohort explains part of it?",
            ),
            (
                "oldham.analyst",
                "2025-11-24T11:40",
                "Good question. Take-up for this cohort was lower than before the pandemic. "
                "I will bring a chart of the two together to the next Learning Network session.",
            ),
            (
                "hampshire.analyst",
                "2025-11-25T16:20",
                "For comparison, Hampshire's gap to England is much smaller, but our most "
                "deprived quintile looks very like yours. Happy to share our EYFSP breakdown "
                "by IMD quintile.",
            ),
        ),
    ),
    DemoNote(
        author="oldham.practitioner",
        indicator="gld",
        area_code=OLDHAM,
        kind="question",
        visibility="learning_network",
        first_period="2021/22",
        last_period="2024/25",
        tags="school-readiness, speech-and-language",
        written="2025-12-02T10:15",
        body=(
            "Question for the network: since 2021/22 our GLD has moved between 60% and 64%. "
            "Which early language programmes made a visible difference in your reception "
            "results, and how long did it take to show?"
        ),
        replies=(
            (
                "northyorks.practitioner",
                "2025-12-04T09:00",
                "We rolled out a language screening at the 2-year check in 2022. It took about "
                "two cohorts before anything showed in reception, and only in the early "
                "adopter areas.",
            ),
        ),
    ),
    DemoNote(
        author="oldham.practitioner",
        indicator="gld",
        area_code=OLDHAM,
        kind="context_event",
        visibility="private",
        first_period="2023/24",
        tags="to-check",
        written="2025-10-14T15:45",
        body=(
            "Note to self: check with the school readiness lead whether the 2023/24 figure "
            "includes the two schools that changed trust during the year."
        ),
    ),
    DemoNote(
        author="oldham.analyst",
        indicator="gld",
        area_code=OLDHAM,
        kind="data_quality",
        visibility="organisation",
        first_period="2023/24",
        tags="provisional",
        written="2024-11-28T12:00",
        seen_then=63.4,
        body=(
            "Written on the provisional release: 63.4%. The final figure may move slightly "
            "once late returns are in, so compare with care until the revised file is loaded."
        ),
    ),
    DemoNote(
        author="oldham.admin",
        indicator="gld",
        area_code=OLDHAM,
        kind="action",
        visibility="organisation",
        first_period="2024/25",
        tags="board",
        written="2025-11-26T08:30",
        body=(
            "Action: take the 2024/25 EYFSP results by free school meals and by sex to the "
            "Best Start partnership board in January. Owner: early years lead."
        ),
    ),
    DemoNote(
        author="oldham.practitioner",
        indicator="family_hub_reach_0_4",
        area_code=OLDHAM,
        kind="context_event",
        visibility="learning_network",
        first_period="Mar 2025",
        tags="family-hubs",
        written="2025-04-08T13:20",
        body=(
            "New Family Hub opened in March 2025 in one of our most deprived wards. "
            "Registrations started with the health visitor 8-week checks held there, so "
            "expect reach to build over the next 12 months."
        ),
        replies=(
            (
                "rochdale.practitioner",
                "2025-04-10T10:05",
                "Did most registrations come through the health visitor contacts? We are "
                "planning our next hub for the spring and want to copy what worked.",
            ),
            (
                "oldham.practitioner",
                "2025-04-11T09:50",
                "About two thirds did. Stay and play sessions brought in most of the rest.",
            ),
        ),
    ),
    DemoNote(
        author="oldham.analyst",
        indicator="family_hub_reach_0_4",
        area_code=OLDHAM,
        kind="interpretation",
        visibility="organisation",
        first_period="Mar 2025",
        last_period="Feb 2026",
        tags="family-hubs",
        written="2026-03-12T11:00",
        resolved_by="oldham.analyst",
        body=(
            "Twelve months after the new hub opened, reach among under-5s has risen steadily. "
            "The rise is concentrated in the hub's catchment, which supports reading it as "
            "the hub's effect rather than a recording change."
        ),
    ),
    DemoNote(
        author="rochdale.analyst",
        indicator="eh_assessments_timely",
        area_code=ROCHDALE,
        kind="data_quality",
        visibility="learning_network",
        first_period="Sep 2025",
        tags="recording-change",
        written="2025-10-20T09:10",
        body=(
            "Recording change in September 2025: the 45 working day clock now starts at "
            "consent rather than at request. The step up from the mid-60s to over 80% is "
            "mostly this change, not faster practice. Do not compare months either side of "
            "September 2025 without saying so."
        ),
        replies=(
            (
                "rochdale.practitioner",
                "2025-10-21T12:30",
                "Agreed. From the front line nothing changed in how fast we assess; families "
                "still wait for the first visit as long as before.",
            ),
            (
                "oldham.analyst",
                "2025-10-22T15:10",
                "Thanks for flagging. Oldham still starts the clock at request, so our "
                "figures are not comparable with yours from September 2025.",
            ),
        ),
    ),
    DemoNote(
        author="rochdale.practitioner",
        indicator="eh_assessments_timely",
        area_code=ROCHDALE,
        kind="question",
        visibility="organisation",
        first_period="Sep 2025",
        last_period="Jan 2026",
        tags="recording-change",
        written="2026-02-03T10:00",
        body=(
            "Can we report timeliness from request as well as from consent for a few months, "
            "so the board can see like with like?"
        ),
    ),
    DemoNote(
        author="rochdale.analyst",
        indicator="two_year_takeup",
        area_code=ROCHDALE,
        kind="question",
        visibility="organisation",
        first_period="Jan 2025",
        tags="take-up",
        written="2025-07-15T14:00",
        resolved_by="rochdale.analyst",
        body=(
            "Take-up of the two-year-old offer dropped from 77% to 66% in January 2025. Is "
            "this fewer families taking places, or more eligible families on the DWP list?"
        ),
        replies=(
            (
                "rochdale.practitioner",
                "2025-07-16T09:25",
                "The DWP list grew a lot in autumn 2024; several settings also closed their "
                "funded two-year-old rooms. Probably both.",
            ),
        ),
    ),
    DemoNote(
        author="hampshire.practitioner",
        indicator="slc_waiting_18wk",
        area_code=HAMPSHIRE,
        kind="context_event",
        visibility="learning_network",
        first_period="Sep 2024",
        last_period="Mar 2025",
        tags="speech-and-language, workforce",
        written="2025-04-30T10:45",
        body=(
            "Therapist vacancies from autumn 2024 to early 2025 lengthened waits. A waiting "
            "list initiative from spring 2025 (extra clinics and group sessions) is bringing "
            "them down."
        ),
        replies=(
            (
                "hampshire.analyst",
                "2025-05-02T13:15",
                "The share waiting over 18 weeks peaked in winter and has fallen each month "
                "since the initiative started.",
            ),
        ),
    ),
    DemoNote(
        author="hampshire.analyst",
        indicator="cin_rereferral",
        area_code=HAMPSHIRE,
        kind="data_quality",
        visibility="private",
        first_period="2023-24",
        tags="missing",
        written="2025-01-09T16:30",
        body="No published figure for 2023-24: check the return with the DfE data team.",
    ),
    DemoNote(
        author="northyorks.practitioner",
        indicator="pathway_plan_timely",
        area_code=NORTH_YORKSHIRE,
        kind="context_event",
        visibility="organisation",
        first_period="Dec 2024",
        last_period="Feb 2025",
        tags="workforce",
        written="2025-03-18T11:20",
        body=(
            "Staffing gap in the leaving care team over winter 2024/25 delayed pathway plan "
            "reviews. Two personal advisers started in February."
        ),
    ),
    DemoNote(
        author="northyorks.analyst",
        indicator="pathway_plan_timely",
        area_code=NORTH_YORKSHIRE,
        kind="action",
        visibility="organisation",
        first_period="Feb 2025",
        tags="workforce",
        written="2025-03-19T09:00",
        resolved_by="northyorks.analyst",
        body="Action: monthly check of overdue pathway plans until the backlog clears.",
    ),
    DemoNote(
        author="research.analyst",
        indicator="care_leavers_eet_19_21",
        area_code=ENGLAND,
        kind="question",
        visibility="learning_network",
        first_period="2020-21",
        last_period="2024-25",
        tags="care-leavers, employment",
        written="2025-12-10T10:30",
        comparators=(),
        body=(
            "Question for the network: the national rate of 19 to 21 year old care leavers "
            "in education, employment or training has stayed in the mid-50s for five years. "
            "Which authorities have ring-fenced apprenticeships, and can we see it in your "
            "figures?"
        ),
        replies=(
            (
                "northyorks.analyst",
                "2025-12-12T14:40",
                "North Yorkshire has run a council apprenticeship guarantee since 2021; our "
                "rate rose to 68% in 2022-23 and has settled at 62%.",
            ),
        ),
    ),
)


def seed_demo_annotations(session: Session, data_dir: Path | None = None) -> int:
    """Write DEMO_NOTES through the same repository functions the app uses; returns notes."""
    users = _demo_users(session)
    written = 0
    for note in DEMO_NOTES:
        author = users.get(note.author)
        if author is None:
            continue
        new = _new_annotation(session, note)
        result = create_annotation(session, author, new, created_at=_when(note.written))
        if not result.ok or result.annotation is None:
            raise ValueError(f"demo note on {note.indicator} refused: {result.message}")
        note_id = result.annotation.id
        for reply_author, when, text in note.replies:
            if reply_author in users:
                reply_to_annotation(
                    session, users[reply_author], note_id, text, created_at=_when(when)
                )
        if note.resolved_by in users:
            set_status(session, users[note.resolved_by], note_id, "resolved")
        _set_times(session, note, note_id)
        written += 1
    return written


def _demo_users(session: Session) -> dict:  # type: ignore[type-arg]
    rows = session.execute(select(User.id, User.username)).all()
    return {username: user_by_id(session, uid) for uid, username in rows}


def _period(session: Session, indicator: str, area_code: str, label: str) -> tuple[date, date]:
    row = session.execute(
        select(Observation.period_start, Observation.period_end)
        .where(
            Observation.indicator_id == indicator,
            Observation.area_code == area_code,
            Observation.period_label == label,
            Observation.breakdown == "total",
        )
        .limit(1)
    ).first()
    if row is None:
        raise ValueError(f"no {indicator} figure for {area_code} in {label}")
    return row[0], row[1]


def _new_annotation(session: Session, note: DemoNote) -> NewAnnotation:
    start, end = _period(session, note.indicator, note.area_code, note.first_period)
    view_state = {
        "comparators": list(note.comparators),
        "breakdown": "total",
        "breakdown_value": "total",
        "period_label": note.first_period,
        "scope": "point",
    }
    if note.last_period:
        _, end = _period(session, note.indicator, note.area_code, note.last_period)
        view_state.update(
            scope="range",
            period_from_label=note.first_period,
            period_to_label=note.last_period,
        )
    view_state["period_from"] = start.isoformat()
    view_state["period_to"] = end.isoformat()
    return NewAnnotation(
        indicator=note.indicator,
        area_code=note.area_code,
        kind=note.kind,
        body=note.body,
        visibility=note.visibility,
        period_start=start,
        period_end=end,
        tags=note.tags,
        view_state=view_state,
    )


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _set_times(session: Session, note: DemoNote, note_id: int) -> None:
    """Activity times as written (resolving would stamp now); an early-release note keeps
    the figure it saw and data version 0 so the app flags the revised figure."""
    last = max([_when(note.written)] + [_when(w) for _, w, _ in note.replies])
    values: dict = {"updated_at": last}  # type: ignore[type-arg]
    if note.seen_then is not None:
        values.update(seen_value=note.seen_then, data_version=0)
    session.execute(update(Annotation).where(Annotation.id == note_id).values(**values))


def seed_demo_extra(session: Session, data_dir: Path) -> None:
    """Demo notes by demo users of each site on the real charts (see DEMO_THREADS)."""
    seed_demo_annotations(session, data_dir)
