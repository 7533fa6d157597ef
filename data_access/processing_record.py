"""Record of processing for one authority: every kind of information Chorus holds, why,
on what lawful basis (chosen by the authority's admin), from where, who can see it, how
long it is kept and where it is deleted.

Built from the same rules the app enforces: the consent scopes and their reach
(``data_access.voice``), the note visibilities (``data_access.annotations``), the
disclosure threshold and the retention settings; a changed setting changes the record.
Shown to admins and downloaded as CSV for the data protection officer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import pandas as pd
from sqlalchemy.orm import Session

from data_access.annotations import VISIBILITIES
from data_access.models import OrganisationSetting
from data_access.users import UserRecord, write_audit
from data_access.voice import SCOPE_LABELS, disclosure_threshold
from rules.consent import CONSENT_SCOPES

RECORD_COLUMNS = [
    "information",
    "purpose",
    "lawful_basis",
    "source",
    "who_can_see",
    "retention",
    "where_deleted",
]
LAWFUL_BASES = (
    "Public task (UK GDPR Article 6(1)(e))",
    "Legal obligation (UK GDPR Article 6(1)(c))",
    "Legitimate interests (UK GDPR Article 6(1)(f))",
    "Consent (UK GDPR Article 6(1)(a))",
    "Vital interests (UK GDPR Article 6(1)(d))",
    "Contract (UK GDPR Article 6(1)(b))",
)
NOT_CHOSEN = "Not chosen yet: an administrator must choose one"
BASIS_KEY_PREFIX = "lawful_basis:"

# Who sees a quote under each consent scope, in the staff's words (the reach is enforced in
# data_access.voice._scope_condition). A test holds that every scope is described.
SCOPE_REACH = {
    "own_organisation": "Signed-in staff of {name} only (each reading is audited)",
    "learning_network": (
        "Signed-in staff of {name} and of other Learning Network members, while {name} is "
        "in the network"
    ),
    "publication": (
        "Every signed-in user; may leave Chorus in downloads, packs and the public "
        "'You said, we did' page"
    ),
}
VISIBILITY_REACH = {
    "private": "the author only",
    "organisation": "signed-in staff of {name}",
    "learning_network": "signed-in staff of Learning Network members",
}


@dataclass(frozen=True)
class Kind:
    """One kind of information: an id (for the admin's lawful basis) and its row."""

    id: str
    information: str
    purpose: str
    source: str
    who_can_see: str
    retention: str
    where_deleted: str


class RetentionSettings(Protocol):
    """The settings the record's retention wording reads (a :class:`settings.Settings`)."""

    @property
    def voice_retention_days_past_review(self) -> int: ...
    @property
    def audit_retention_days(self) -> int: ...


def kinds_of_information(name: str, settings: RetentionSettings) -> list[Kind]:
    """Every kind of information Chorus holds for the authority called ``name``."""
    threshold = disclosure_threshold()
    voice_days = settings.voice_retention_days_past_review
    audit_days = settings.audit_retention_days
    voice_retention = (
        f"Until {voice_days} days after the quote's review date (flask apply-retention); "
        "withdrawn at once on request"
    )
    voice_deleted = (
        "voice_items, with their theme, indicator, note and withdrawal links; a withdrawn "
        "quote keeps only a tombstone (no text, no characteristics)"
    )
    kinds = [
        Kind(
            "published_figures",
            "Published figures (official statistics by area)",
            "To compare services with England, the region and similar areas over time",
            "Official publications (Department for Education, ONS, OHID)",
            f"Every signed-in user; counts under {threshold} are suppressed",
            "While published; earlier values kept when a publication revises them",
            "observations and observation_history, replaced by later imports",
        ),
        Kind(
            "local_counts",
            "Local counts (aggregate, never about one child)",
            "To follow children's journeys through services and the cost of help",
            f"{name}'s own case systems, imported by its analysts as totals",
            f"Every signed-in user; counts under {threshold} are suppressed",
            "Until replaced by a later import",
            "journey_counts and observations, replaced by later imports",
        ),
    ]
    for scope in CONSENT_SCOPES:
        kinds.append(
            Kind(
                f"quotes_{scope}",
                f"Quotes: consent '{SCOPE_LABELS[scope]}' (names and contact details removed)",
                "So that children's, young people's and families' views shape services",
                "Said to practitioners in surveys, groups, interviews, forms and apps",
                SCOPE_REACH[scope].format(name=name) + "; pending quotes: analysts of " + name,
                voice_retention,
                voice_deleted,
            )
        )
    kinds += [
        Kind(
            "speaker_characteristics",
            "Characteristics of the speaker (age band, sex, ethnicity, disability)",
            "To see whose voices are missing",
            "Recorded with the quote by the practitioner",
            f"Analysts of {name}; elsewhere only in counts of at least {threshold}",
            voice_retention,
            "Blanked when a quote is withdrawn; deleted with the quote",
        ),
        Kind(
            "withdrawal_references",
            "Withdrawal references (kept only as a one-way hash)",
            "So a speaker can take their words back without giving their name",
            "Made by Chorus when a quote is saved; the speaker holds the reference",
            "Nobody: the reference is not stored; analysts see requests only",
            "As long as the quote",
            "voice_withdrawals, deleted with the quote",
        ),
        Kind(
            "notes",
            "Notes and actions by staff on the figures",
            "To record what the figures mean and what was done about them",
            f"Written by staff of {name}",
            "By its visibility: "
            + "; ".join(
                f"{label.lower()}: {VISIBILITY_REACH.get(v, v).format(name=name)}"
                for v, label in VISIBILITIES.items()
            )
            + "; actions answering publishable quotes also on the public page",
            "Until the author or an analyst deletes them",
            "annotations and annotation_revisions",
        ),
        Kind(
            "session_records",
            "Learning Network session records",
            "To learn from other authorities in facilitated sessions",
            "Agendas and contributions by the facilitator and participants",
            "Staff of the participating authorities",
            "Until the facilitator's organisation deletes the session",
            "ln_sessions and ln_steps",
        ),
        Kind(
            "staff_accounts",
            "Staff accounts (name, username, role)",
            "To sign staff in and check what each may do",
            f"Set up by {name}'s Chorus administrator",
            f"Administrators of {name}",
            "While the account exists; deactivated accounts cannot sign in",
            "users",
        ),
        Kind(
            "audit_log",
            "Audit log (who did what, and when; never quote texts or passwords)",
            "To show how information was used and to find misuse",
            "Written by Chorus on every sign-in, change, refusal and ethics check",
            f"Administrators of {name}",
            f"{audit_days} days (flask apply-retention)",
            "audit_events, which accepts no change and deletes only by the retention command",
        ),
    ]
    return kinds


def _bases(session: Session, organisation_id: int) -> dict[str, str]:
    rows = (
        session.query(OrganisationSetting)
        .filter(
            OrganisationSetting.organisation_id == organisation_id,
            OrganisationSetting.key.like(BASIS_KEY_PREFIX + "%"),
        )
        .all()
    )
    return {row.key[len(BASIS_KEY_PREFIX) :]: row.value for row in rows}


def processing_record(
    session: Session, user: UserRecord, settings: RetentionSettings
) -> pd.DataFrame:
    """The record for the user's organisation: ``RECORD_COLUMNS`` plus ``kind_id``."""
    bases = _bases(session, user.organisation_id)
    rows = [
        {
            "kind_id": kind.id,
            "information": kind.information,
            "purpose": kind.purpose,
            "lawful_basis": bases.get(kind.id) or NOT_CHOSEN,
            "source": kind.source,
            "who_can_see": kind.who_can_see,
            "retention": kind.retention,
            "where_deleted": kind.where_deleted,
        }
        for kind in kinds_of_information(user.organisation_name, settings)
    ]
    return pd.DataFrame(rows, columns=["kind_id", *RECORD_COLUMNS])


def set_lawful_bases(session: Session, user: UserRecord | None, chosen: dict[str, str]) -> str:
    """An admin chooses the lawful basis of each kind; '' when saved, else the problem."""
    if user is None or not user.active or user.role != "admin":
        return "Only an administrator can choose lawful bases."
    known = {k.id for k in kinds_of_information(user.organisation_name, _AnySettings())}
    problems = [k for k, v in chosen.items() if k not in known or (v and v not in LAWFUL_BASES)]
    if problems:
        return "Choose a lawful basis from the list for each kind of information."
    for kind_id, basis in chosen.items():
        key = BASIS_KEY_PREFIX + kind_id
        row = session.get(OrganisationSetting, (user.organisation_id, key))
        if not basis:
            if row is not None:
                session.delete(row)
            continue
        if row is None:
            session.add(
                OrganisationSetting(organisation_id=user.organisation_id, key=key, value=basis)
            )
        else:
            row.value = basis
    write_audit(
        session,
        "settings.lawful_basis",
        user=user,
        object_type="organisation",
        object_id=user.organisation_id,
        detail={"chosen": chosen},
    )
    return ""


class _AnySettings:
    """Stand-in settings for listing the kinds' ids (their wording is not used)."""

    voice_retention_days_past_review = 0
    audit_retention_days = 0
