"""Every read of notes uses the one visibility rule, "You said, we did" included.

Runs on SQLite and PostgreSQL (``any_db``).
"""

from __future__ import annotations

import ast
from dataclasses import replace
from datetime import date
from pathlib import Path

from security_helpers import create_scratch_users
from sqlalchemy import select

from data_access import voice
from data_access.models import Annotation, AnnotationVoiceLink, Organisation, User, VoiceItem
from data_access.users import user_with_hash

ROOT = Path(__file__).resolve().parents[2]


def _user(session, username):  # type: ignore[no-untyped-def]
    return user_with_hash(session, username)[0]


def _quote(session, org: Organisation) -> VoiceItem:
    item = VoiceItem(
        text=f"{org.name}: the hub felt welcoming.",
        speaker_role="parent_carer",
        age_band="adult",
        area_code=org.code,
        organisation_id=org.id,
        service="early_years",
        method="interview",
        collected_on=date(2025, 5, 1),
        consent_scope="publication",
        consent_date=date(2025, 5, 1),
        review_date=date(2030, 1, 1),
        moderation_status="approved",
    )
    session.add(item)
    session.flush()
    return item


def _action(session, author_username: str, visibility: str, body: str) -> int:  # type: ignore[no-untyped-def]
    author = session.scalar(select(User).where(User.username == author_username))
    org = session.get(Organisation, author.organisation_id)
    quote = _quote(session, org)
    note = Annotation(
        indicator_id="gld",
        area_code=org.code,
        kind="action",
        body=body,
        author_id=author.id,
        organisation_id=org.id,
        visibility=visibility,
    )
    session.add(note)
    session.flush()
    session.add(AnnotationVoiceLink(annotation_id=note.id, voice_item_id=quote.id))
    return note.id


def _bodies(session, username: str, active: bool = True) -> set[str]:  # type: ignore[no-untyped-def]
    reader = replace(_user(session, username), active=active)
    return {entry["body"] for entry in voice.you_said_we_did(session, reader)}


def test_vis001_you_said_we_did_applies_the_one_visibility_rule(any_db):
    create_scratch_users(any_db)
    with any_db.write() as s:
        # Manchester is outside the Learning Network; a learning_network note it holds
        # (written before it left, say) is its own, not the network's.
        _action(s, "manchester.analyst", "learning_network", "Manchester network note")
        _action(s, "oldham.analyst", "learning_network", "Oldham network note")
        _action(s, "oldham.analyst", "private", "Oldham private note")
    with any_db.write() as s:
        assert _bodies(s, "rochdale.viewer") == {"Oldham network note"}
        assert _bodies(s, "manchester.viewer") == {"Manchester network note"}
        assert _bodies(s, "oldham.viewer") == {"Oldham network note"}
        assert _bodies(s, "oldham.analyst") == {"Oldham network note", "Oldham private note"}
        assert _bodies(s, "oldham.analyst", active=False) == set()


def test_vis002_no_read_of_notes_outside_annotations_keeps_its_own_rule():
    """Reading Annotation.visibility is the rule's job: only data_access/annotations.py."""
    offenders = []
    for folder in ("data_access", "api", "pages", "components", "auth"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.name == "annotations.py" and path.parent.name == "data_access":
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Attribute)
                    and node.attr == "visibility"
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "Annotation"
                ):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
