"""The demo: real published figures, illustrative local figures, organisations and users.

``seed_demo`` fills an empty, migrated database. Demo passwords are generated here,
returned once for printing, and stored only as argon2id hashes.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from analysis.intervals import add_byar_columns, add_wilson_columns
from data_access.catalogue import replace_area_groups, replace_areas, upsert_indicators
from data_access.db import Database
from data_access.models import Base, ImportBatch, User
from data_access.observations import insert_observations
from data_access.users import ROLES, create_user, get_or_create_organisation

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

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


def with_intervals(frame: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Add 95% intervals where the catalogue's method allows and counts exist.

    Takes canonical observation rows and the catalogue (columns id, ci_method); rows that
    already carry published bounds keep them.
    """
    methods = catalogue.set_index("id")["ci_method"].to_dict()
    out = frame.copy()
    method = out["indicator"].map(methods).fillna("none")
    has_bounds = out["lower_ci"].notna() & out["upper_ci"].notna()
    for name, compute in (("wilson", add_wilson_columns), ("byar", add_byar_columns)):
        rows = (method == name) & ~has_bounds
        if rows.any():
            computed = compute(out.loc[rows, ["numerator", "denominator"]])
            out.loc[rows, "lower_ci"] = computed["lower_ci"].to_numpy()
            out.loc[rows, "upper_ci"] = computed["upper_ci"].to_numpy()
    return out


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
    from data_access.demo_local import generate_local_monthly
    from data_access.importers.demo_published import load_published_observations

    counts = {}
    published = with_intervals(load_published_observations(data_dir), catalogue)
    batch = _record_batch(
        session, "published DfE and ONS files (data/public)", "demo", len(published)
    )
    counts["published"] = insert_observations(session, published, batch.id)
    local = with_intervals(generate_local_monthly(), catalogue)
    batch = _record_batch(session, "illustrative local monthly figures", "demo", len(local))
    counts["illustrative"] = insert_observations(session, local, batch.id)
    return counts


def create_demo_users(session: Session) -> list[DemoLogin]:
    """One user per role for each demo organisation, with fresh random passwords."""
    from auth.passwords import generate_password, hash_password

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
        logins = create_demo_users(session)
        for module_name in DEMO_EXTRA_MODULES:
            say(f"Adding the demo {module_name.rsplit('.', 1)[-1].replace('_', ' ')}")
            importlib.import_module(module_name).seed_demo_extra(session, data_dir)
        say("Saving")
    return logins


# Modules that add their own demo rows once the users exist, in this order (voice before
# annotations, which link to quotes). Each defines ``seed_demo_extra(session, data_dir)``.
DEMO_EXTRA_MODULES: list[str] = [
    "data_access.voice",
    "data_access.annotations",
    "data_access.learning_network",
    "data_access.journeys",
]
