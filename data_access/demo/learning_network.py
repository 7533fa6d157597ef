"""The demo's Learning Network session: ten prepared steps run by the research team."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.learning_network import (
    StepRecord,
    add_contribution,
    add_step,
    create_session,
    session_quotes,
)
from data_access.models import User
from data_access.users import UserRecord, user_by_id

# --- demo ---------------------------------------------


DEMO_TITLE = "Learning Network, spring: school readiness, Early Help and leaving care"
DEMO_PARTICIPANTS = ("E08000004", "E08000005", "E10000014", "E06000065")


def _demo_user(session: Session, username: str) -> UserRecord | None:
    user_id = session.scalar(select(User.id).where(User.username == username))
    return None if user_id is None else user_by_id(session, user_id)


def _demo_quotes(session: Session, user: UserRecord, service: str, count: int) -> list[int]:
    frame = session_quotes(session, user, None, audit=False, services=[service])
    return [int(i) for i in frame["id"].head(count)]


def seed_demo_extra(session: Session, data_dir: Path) -> None:
    """One prepared ten-step session run by the research team, with a few contributions.

    Made-up discussion; the figures are the real published ones. Skipped quietly if the
    demo users are missing (a partial demo).
    """
    facilitator = _demo_user(session, "research.analyst")
    if facilitator is None:
        return
    record = create_session(
        session,
        facilitator,
        DEMO_TITLE,
        held_on=date(2026, 3, 12),
        participants=list(DEMO_PARTICIPANTS),
        anonymised=False,
    )
    sites = ",".join(["england", "region", "E08000005", "E10000014", "E06000065"])
    steps: list[tuple[str, str, dict[str, Any]]] = [
        (
            "text",
            "Welcome: what we are testing today",
            {
                "text": "Four sites, three services. For each we look at the figures, hear "
                "what children, young people and families say, and agree one thing to test "
                "before we meet again."
            },
        ),
        (
            "indicator",
            "Good level of development: the four sites",
            {"indicator": "gld", "area": "E08000004", "compare": sites.split(",")},
        ),
        (
            "indicator",
            "The free school meals gap in Oldham",
            {"indicator": "gld", "area": "E08000004", "compare": ["england"], "breakdown": "fsm"},
        ),
        ("quotes", "What parents say about the early years", {"voice_ids": []}),
        (
            "question",
            "Question: early years",
            {
                "text": "Where the gap narrowed, what did the sites do differently in the "
                "two years before school?"
            },
        ),
        (
            "indicator",
            "Re-referrals to children's social care",
            {
                "indicator": "cin_rereferral",
                "area": "E08000005",
                "compare": ["england", "region", "neighbours"],
            },
        ),
        (
            "indicator",
            "Care leavers in education, employment or training (19 to 21)",
            {
                "indicator": "care_leavers_eet_19_21",
                "area": "E06000065",
                "compare": ["england", "region", "E08000004", "E10000014"],
            },
        ),
        ("quotes", "What care leavers say", {"voice_ids": []}),
        (
            "question",
            "Question: leaving care",
            {"text": "What would a care leaver say helped most in their first year on their own?"},
        ),
        (
            "text",
            "Before we meet again",
            {
                "text": "Each site picks one change to test, writes it on the chart as an "
                "action, and brings what happened to the next session."
            },
        ),
    ]
    quote_sets = {
        3: _demo_quotes(session, facilitator, "early_years", 3),
        7: _demo_quotes(session, facilitator, "care_leavers", 3),
    }
    added: list[StepRecord] = []
    for index, (kind, title, config) in enumerate(steps):
        if kind == "quotes":
            ids = quote_sets.get(index) or []
            if not ids:
                continue  # no Learning Network quotes in this demo: leave the step out
            config = {"voice_ids": ids}
        added.append(add_step(session, facilitator, record.id, kind, title, config))
    contributions = [
        (1, "E08000005", "Our rise started the year we moved speech checks into Family Hubs."),
        (4, None, "Two of us changed the two-year check at the same time; worth comparing."),
        (8, "E06000065", "Having one named worker who stays after 18 came up in every group."),
    ]
    for index, said_by, text in contributions:
        if index < len(added):
            add_contribution(session, facilitator, record.id, added[index].id, text, said_by)
