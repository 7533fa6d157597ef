"""Seeding the demo: real published figures, illustrative local figures, organisations and users.

``seed_demo`` fills an empty, migrated database. Demo passwords are generated here,
returned once for printing, and stored only as argon2id hashes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from data_access.catalogue import replace_area_groups, replace_areas, upsert_indicators
from data_access.db import Database
from data_access.demo import annotations as demo_annotations
from data_access.demo import journeys as demo_journeys
from data_access.demo import learning_network as demo_learning_network
from data_access.demo import voice as demo_voice
from data_access.demo.local import generate_local_monthly
from data_access.importing.intervals import with_intervals
from data_access.models import Base, ImportBatch, User
from data_access.observations import insert_observations
from data_access.users import create_user, get_or_create_organisation
from rules.roles import ROLES

DATA_DIR = Path(__file__).resolve().parents[2] / "data"

# (code, name, kind, in the Learning Network, username prefix)
DEMO_ORGANISATIONS = (
    ("E08000004", "Oldham", "local_authority", True, "oldham"),
    ("E08000005", "Rochdale", "local_authority", True, "rochdale"),
    ("E10000014", "Hampshire", "local_authority", True, "hampshire"),
    ("E06000065", "North Yorkshire", "local_authority", True, "northyorks"),
    ("RESEARCH", "Research team", "research", True, "research"),
)

ROLE_TITLES = {
    "viewer": "service manager",
    "practitioner": "practitioner",
    "analyst": "analyst",
    "admin": "administrator",
}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    organisation: str


class AlreadySeeded(RuntimeError):
    """The database already holds users; seeding again would mix two demos."""


def _record_batch(session: Session, filename: str, fmt: str, rows: int) -> ImportBatch:
    batch = ImportBatch(
        filename=filename,
        format=fmt,
        rows_total=rows,
        rows_loaded=rows,
        status="committed",
        created_by="seed-demo",
        sha256=hashlib.sha256(filename.encode()).hexdigest(),
    )
    session.add(batch)
    session.flush()
    return batch


def load_reference_data(session: Session, data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Areas, area groups and the indicator catalogue; returns the catalogue."""
    from data_access.reference import build_area_groups, build_areas, load_indicator_catalogue

    replace_areas(session, build_areas(data_dir))
    replace_area_groups(session, build_area_groups(data_dir))
    catalogue = load_indicator_catalogue(data_dir)
    upsert_indicators(session, catalogue)
    return catalogue


def load_demo_observations(
    session: Session, catalogue: pd.DataFrame, data_dir: Path = DATA_DIR
) -> dict[str, int]:
    """The published figures and the illustrative local monthly figures."""
    from data_access.demo.published import load_published_observations

    counts = {}
    published = load_published_observations(data_dir, with_source=True)
    sources = published.pop("source").to_numpy()
    published = with_intervals(published, catalogue).assign(source=sources)
    batch = _record_batch(
        session, "published DfE and ONS files (data/public)", "demo", len(published)
    )
    counts["published"] = insert_observations(session, published, batch.id)
    local = with_intervals(generate_local_monthly(), catalogue)
    batch = _record_batch(session, "illustrative local monthly figures", "demo", len(local))
    counts["illustrative"] = insert_observations(session, local, batch.id, source="Local")
    return counts


def create_demo_users(
    session: Session,
    hash_password: Callable[[str], str],
    generate_password: Callable[[], str],
) -> list[DemoLogin]:
    """One user per role for each demo organisation, with fresh random passwords.

    The password functions come from the caller (the CLI passes auth's), so the data layer
    never imports auth.
    """
    logins = []
    for code, name, kind, in_network, prefix in DEMO_ORGANISATIONS:
        org = get_or_create_organisation(session, code, name, kind, in_network)
        for role in ROLES:
            password = generate_password()
            username = f"{prefix}.{role}"
            create_user(
                session,
                username,
                hash_password(password),
                org,
                role,
                display_name=f"{name} {ROLE_TITLES[role]}",
            )
            logins.append(DemoLogin(username, password, role, name))
    return logins


def is_seeded(session: Session) -> bool:
    return (session.scalar(select(func.count()).select_from(User)) or 0) > 0


def clear_all_data(db: Database) -> None:
    """Delete every row of every table (children first). For --reset and the tests."""
    from data_access.audit import audit_purge_allowed

    with db.write() as session, audit_purge_allowed(session):
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(delete(table))


def seed_demo(
    db: Database,
    *,
    hash_password: Callable[[str], str],
    generate_password: Callable[[], str],
    data_dir: Path = DATA_DIR,
    reset: bool = False,
    progress: Callable[[str], None] | None = None,
) -> list[DemoLogin]:
    """Fill a migrated database with the whole demo and return the demo logins.

    ``progress`` is told each step as it starts (the CLI prints them)."""
    say = progress or (lambda _text: None)
    if reset:
        say("Deleting the existing data")
        clear_all_data(db)
    with db.read() as session:
        if is_seeded(session):
            raise AlreadySeeded("The database already has users; use --reset to start again.")
    with db.write() as session:
        say("Loading areas, indicators and comparators")
        catalogue = load_reference_data(session, data_dir)
        say("Loading the published and illustrative figures (the longest step)")
        load_demo_observations(session, catalogue, data_dir)
        say("Creating the demo users")
        logins = create_demo_users(session, hash_password, generate_password)
        for seed_extra in DEMO_EXTRAS:
            # demo_voice.seed_demo_extra -> "voice"
            say(f"Adding the demo {seed_extra.__module__.rsplit('.', 1)[-1].replace('_', ' ')}")
            seed_extra(session, data_dir)
        say("Saving")
    return logins


# What adds its own demo rows once the users exist, in this order (voice before
# annotations, which link to quotes).
DEMO_EXTRAS: tuple[Callable[[Session, Path], object], ...] = (
    demo_voice.seed_demo_extra,
    demo_annotations.seed_demo_extra,
    demo_learning_network.seed_demo_extra,
    demo_journeys.seed_demo_extra,
)
