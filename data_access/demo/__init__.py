"""The demo, in its own package: real published figures, illustrative local figures,
organisations, users, and the illustrative voice, notes, Learning Network session and
journeys that go with them.

``seed_demo`` (in :mod:`data_access.demo.seed`) fills an empty, migrated database; each
module of this package seeds one part and is imported explicitly, so the repository
modules it fills never import the demo.
"""

from data_access.demo.seed import (
    DATA_DIR,
    DEMO_ORGANISATIONS,
    ROLE_TITLES,
    AlreadySeeded,
    DemoLogin,
    clear_all_data,
    create_demo_users,
    is_seeded,
    load_demo_observations,
    load_reference_data,
    seed_demo,
    with_intervals,
)

__all__ = [
    "DATA_DIR",
    "DEMO_ORGANISATIONS",
    "ROLE_TITLES",
    "AlreadySeeded",
    "DemoLogin",
    "clear_all_data",
    "create_demo_users",
    "is_seeded",
    "load_demo_observations",
    "load_reference_data",
    "seed_demo",
    "with_intervals",
]
