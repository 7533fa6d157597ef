"""What the public pages say, read from the live settings and rules.

"How we use your information" is built from the same things Chorus enforces: the consent
scopes (``rules.consent.CONSENT_SCOPES``), the disclosure threshold, the retention
settings and the contact the authority's admin sets. Change a setting and the page
changes. The public "You said, we did" reads quotes through
:func:`data_access.voice.visible_voice_items` as a reader with no organisation, so only
publication-consent quotes can appear, and withdrawn or held quotes never.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.personal_details import find_personal_details
from data_access.annotations import shared_notes_of_clause
from data_access.models import (
    Annotation,
    AnnotationVoiceLink,
    EthicsCheck,
    Organisation,
    OrganisationSetting,
    VoiceTheme,
    VoiceWithdrawal,
)
from data_access.users import UserRecord, write_audit
from data_access.voice import (
    disclosure_threshold,
    hide_past_review_default,
    visible_voice_items,
)
from rules.consent import CONSENT_SCOPES
from settings import Settings

CONTACT_KEY = "public_contact"
MAX_CONTACT_CHARS = 500

# Each consent scope in plain words, for a reader of about 11. A test holds that every
# scope Chorus enforces is here, so a new scope cannot go unexplained.
SCOPE_PLAIN_WORDS: dict[str, str] = {
    "own_organisation": "Only staff at {name} council who use Chorus can read it.",
    "learning_network": (
        "Staff at {name} council, and staff at other councils in our learning group, "
        "can read it. They do not learn who said it."
    ),
    "publication": (
        "It can be shared in reports and on this website. We never put your name with it."
    ),
}
SCOPE_HEADINGS: dict[str, str] = {
    "own_organisation": "If you said your words can stay with us",
    "learning_network": "If you said your words can be shared with other councils",
    "publication": "If you said your words can be published",
}
ROLE_PLAIN = {
    "child": "A child",
    "young_person": "A young person",
    "parent_carer": "A parent or carer",
    "practitioner": "A member of staff",
    "community": "Someone who lives here",
}

# The reader behind the public pages: no organisation, not in the network, so the consent
# rule in visible_voice_items leaves publication-consent quotes only.
PUBLIC_READER = UserRecord(
    id=0,
    username="public",
    display_name="Public page",
    role="viewer",
    active=True,
    session_version=0,
    organisation_id=-1,
    organisation_code="PUBLIC",
    organisation_name="Public",
    organisation_kind="public",
    in_learning_network=False,
)


@dataclass(frozen=True)
class Authority:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class PublicFacts:
    """Everything the information page states, each from its live source."""

    authority: Authority
    threshold: int
    voice_days_past_review: int
    audit_days: int
    hide_past_review: bool
    contact: str
    scopes: list[tuple[str, str, str]] = field(default_factory=list)  # scope, heading, words


def public_authorities(session: Session) -> list[tuple[str, str]]:
    """(code, name) of every local authority, by name, for the public index."""
    return [
        (code, name)
        for code, name in session.execute(
            select(Organisation.code, Organisation.name)
            .where(Organisation.kind == "local_authority")
            .order_by(Organisation.name)
        ).all()
    ]


def withdrawal_state(session: Session) -> tuple:
    """How many quotes have been asked back and when last: part of the quotes page's cache
    key, so a request empties the cache in every worker at once."""
    return tuple(
        session.execute(
            select(func.count(VoiceWithdrawal.id), func.max(VoiceWithdrawal.requested_at)).where(
                VoiceWithdrawal.requested_at.is_not(None)
            )
        ).one()
    )


def authority_for_code(session: Session, code: str) -> Authority | None:
    """The local authority with this area code, or None (also for the research team)."""
    if not code or len(code) > 16:
        return None
    row = session.scalar(
        select(Organisation).where(
            Organisation.code == code, Organisation.kind == "local_authority"
        )
    )
    return Authority(row.id, row.code, row.name) if row else None


def public_contact(session: Session, organisation_id: int) -> str:
    row = session.get(OrganisationSetting, (organisation_id, CONTACT_KEY))
    return row.value if row else ""


def set_public_contact(session: Session, user: UserRecord | None, contact: str) -> str:
    """An admin sets whom the public page names for questions (plain text, kept as typed).

    Returns '' when saved, else the problem in plain words.
    """
    if user is None or user.role != "admin" or not user.active:
        return "Only an administrator can change this."
    text = " ".join((contact or "").split())
    if len(text) > MAX_CONTACT_CHARS:
        return f"Use at most {MAX_CONTACT_CHARS} characters."
    row = session.get(OrganisationSetting, (user.organisation_id, CONTACT_KEY))
    if row is None:
        session.add(
            OrganisationSetting(organisation_id=user.organisation_id, key=CONTACT_KEY, value=text)
        )
    else:
        row.value = text
    write_audit(
        session,
        "settings.public_contact",
        user=user,
        object_type="organisation",
        object_id=user.organisation_id,
    )
    return ""


def public_facts(session: Session, authority: Authority, settings: Settings) -> PublicFacts:
    """The page's facts from ``settings`` (a :class:`settings.Settings`) and the database."""
    scopes = [
        (
            scope,
            SCOPE_HEADINGS[scope],
            SCOPE_PLAIN_WORDS[scope].format(name=authority.name),
        )
        for scope in CONSENT_SCOPES
    ]
    return PublicFacts(
        authority=authority,
        threshold=disclosure_threshold(),
        voice_days_past_review=settings.voice_retention_days_past_review,
        audit_days=settings.audit_retention_days,
        hide_past_review=hide_past_review_default(),
        contact=public_contact(session, authority.id),
        scopes=scopes,
    )


def settings_fingerprint(
    session: Session, authority: Authority, settings: Settings
) -> tuple[Any, ...]:
    """What the public pages depend on besides the quotes, for their cache key."""
    org_settings = tuple(
        session.execute(
            select(OrganisationSetting.key, OrganisationSetting.value)
            .where(OrganisationSetting.organisation_id == authority.id)
            .order_by(OrganisationSetting.key)
        ).all()
    )
    return (
        disclosure_threshold(),
        settings.voice_retention_days_past_review,
        settings.audit_retention_days,
        hide_past_review_default(),
        org_settings,
        latest_publication(session, authority.id),
    )


def latest_publication(session: Session, organisation_id: int) -> int | None:
    """The id of the authority's latest ethics check for its public page (None: never)."""
    return session.scalar(
        select(EthicsCheck.id)
        .where(EthicsCheck.organisation_id == organisation_id, EthicsCheck.kind == "public_page")
        .order_by(EthicsCheck.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class PublicAction:
    """One action and the published quotes it answers."""

    theme: str
    action: str
    recorded_on: date
    status: str
    quotes: list[tuple[str, str]]  # (text, who said it in plain words)


def public_actions(session: Session, authority: Authority) -> list[PublicAction]:
    """Actions of the authority (organisation or network notes of kind action, never
    private ones) answering its publication-consent quotes, oldest theme first.

    Only quotes the public reader may see are shown, and an action with none left is
    dropped. An action whose text the personal-details check flags is left out.
    """
    rows = session.execute(
        select(Annotation.id, Annotation.body, Annotation.created_at, Annotation.status).where(
            shared_notes_of_clause(authority.id),
            Annotation.kind == "action",
        )
    ).all()
    if not rows:
        return []
    links = session.execute(
        select(AnnotationVoiceLink.annotation_id, AnnotationVoiceLink.voice_item_id).where(
            AnnotationVoiceLink.annotation_id.in_([r.id for r in rows])
        )
    ).all()
    if not links:
        return []
    quotes = visible_voice_items(
        session,
        PUBLIC_READER,
        ids=sorted({v for _, v in links}),
        purpose="public",
        audit=False,
    )
    quotes = quotes[
        (quotes["consent_scope"] == "publication") & (quotes["organisation_id"] == authority.id)
    ]
    by_id = {int(q["id"]): q for q in quotes.to_dict("records")}
    theme_labels = dict(session.execute(select(VoiceTheme.id, VoiceTheme.label)).all())
    out = []
    for row in rows:
        linked = [by_id[v] for a, v in links if a == row.id and v in by_id]
        if not linked or find_personal_details(row.body):
            continue
        themes = [t for q in linked for t in (q["themes"] or [])]
        theme = theme_labels.get(themes[0], "Other things you told us") if themes else None
        out.append(
            PublicAction(
                theme=theme or "Other things you told us",
                action=row.body,
                recorded_on=row.created_at.date(),
                status="Done" if row.status == "resolved" else "In progress",
                quotes=[(q["text"], _said_by(q)) for q in linked],
            )
        )
    out.sort(key=lambda a: (a.theme, a.recorded_on))
    return out


def _said_by(quote: dict) -> str:
    year = quote["collected_on"].year if quote.get("collected_on") else None
    who = ROLE_PLAIN.get(quote["speaker_role"], "Someone")
    return f"{who}, {year}" if year else who
