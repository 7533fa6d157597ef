"""SQLAlchemy 2 models for every table Chorus keeps.

All the domain tables are declared here in one module so that one migration history
describes them. Times are stored in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import true as sa_true
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    """Timezone-aware now in UTC (stored naive-UTC by SQLite, aware by PostgreSQL)."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


# --- organisations, users, audit -------------------------------------------------------


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # GSS code or RESEARCH
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), default="local_authority")
    in_learning_network: Mapped[bool] = mapped_column(Boolean, default=False)

    users: Mapped[list[User]] = relationship(back_populates="organisation")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    role: Mapped[str] = mapped_column(String(16))  # viewer, practitioner, analyst, admin
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on logout, deactivation and password change: old session cookies stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    organisation: Mapped[Organisation] = relationship(back_populates="users")


class AuditEvent(Base):
    """Append-only record of who did what. Never holds passwords or quote texts."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str | None] = mapped_column(String(150))
    organisation_code: Mapped[str | None] = mapped_column(String(16), index=True)
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(32), default="success")
    address: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)  # JSON


class LoginAttempt(Base):
    """Failed logins, for rate limiting across workers when Redis is not configured."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    attempted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OrganisationSetting(Base):
    __tablename__ = "organisation_settings"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# --- areas and indicators ----------------------------------------------------------------


class Area(Base):
    __tablename__ = "areas"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)  # ONS GSS code
    la_number: Mapped[int | None] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(200))
    area_type: Mapped[str] = mapped_column(String(16))  # country, region, la
    la_type: Mapped[str | None] = mapped_column(String(8))
    parent_code: Mapped[str | None] = mapped_column(String(16))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    successor_code: Mapped[str | None] = mapped_column(String(16))


class AreaGroup(Base):
    __tablename__ = "area_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))  # statistical_neighbours, combined_authority, ...
    owner_code: Mapped[str | None] = mapped_column(String(16), index=True)

    members: Mapped[list[AreaGroupMember]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="AreaGroupMember.position"
    )


class AreaGroupMember(Base):
    __tablename__ = "area_group_members"

    group_id: Mapped[int] = mapped_column(ForeignKey("area_groups.id"), primary_key=True)
    area_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    group: Mapped[AreaGroup] = relationship(back_populates="members")


class Indicator(Base):
    __tablename__ = "indicators"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # stable slug
    title: Mapped[str] = mapped_column(String(300))
    short_title: Mapped[str] = mapped_column(String(120))
    theme: Mapped[str] = mapped_column(String(32), index=True)
    unit: Mapped[str] = mapped_column(String(16))
    polarity: Mapped[str] = mapped_column(String(16))
    frequency: Mapped[str] = mapped_column(String(32))
    source: Mapped[str | None] = mapped_column(Text)
    publisher_url: Mapped[str | None] = mapped_column(Text)
    definition: Mapped[str | None] = mapped_column(Text)
    caveats: Mapped[str | None] = mapped_column(Text)
    who_is_missing: Mapped[str | None] = mapped_column(Text)
    ci_method: Mapped[str] = mapped_column(String(16), default="none")
    disclosure_rule: Mapped[str | None] = mapped_column(Text)
    last_update: Mapped[str | None] = mapped_column(String(64))
    next_update: Mapped[str | None] = mapped_column(String(64))
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)
    # An analyst's new indicator stays out of every list until an admin publishes it.
    published: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    # None: as the unit says (rules.disclosure.denominator_counts_people).
    denominator_counts_people: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    added_by: Mapped[str | None] = mapped_column(String(150))


class ImportBatch(Base):
    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(300))
    format: Mapped[str] = mapped_column(String(32))
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_loaded: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    rows_changed: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(32), default="committed")
    report: Mapped[str | None] = mapped_column(Text)  # JSON list of problems
    # Provenance: the source whose figures these are (precedence is set per source, e.g.
    # "EES", "LAIT"), and the publication and release the file came from when known.
    source: Mapped[str | None] = mapped_column(String(100))
    publication: Mapped[str | None] = mapped_column(String(300))
    release: Mapped[str | None] = mapped_column(String(100))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    created_by: Mapped[str | None] = mapped_column(String(150))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ImportMapping(Base):
    """A saved column mapping for a publication, reused when it comes out again."""

    __tablename__ = "import_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    format: Mapped[str] = mapped_column(String(32))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    config: Mapped[str] = mapped_column(Text)  # JSON
    created_by: Mapped[str | None] = mapped_column(String(150))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Observation(Base):
    __tablename__ = "observations"
    __table_args__ = (
        UniqueConstraint(
            "indicator_id",
            "area_code",
            "breakdown",
            "breakdown_value",
            "period_start",
            "period_end",
            name="uq_observation_slice",
        ),
        # The panel and explorer read one indicator for a few areas and one breakdown.
        Index("ix_obs_indicator_breakdown_area", "indicator_id", "breakdown", "area_code"),
        Index("ix_obs_indicator_period", "indicator_id", "period_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[str] = mapped_column(ForeignKey("indicators.id"))
    area_code: Mapped[str] = mapped_column(String(16))
    period_label: Mapped[str] = mapped_column(String(32))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    breakdown: Mapped[str] = mapped_column(String(32), default="total")
    breakdown_value: Mapped[str] = mapped_column(String(64), default="total")
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    value: Mapped[float | None] = mapped_column(Float)
    lower_ci: Mapped[float | None] = mapped_column(Float)
    upper_ci: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str | None] = mapped_column(String(8))  # published symbol or None
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"), index=True)
    data_version: Mapped[int] = mapped_column(Integer, default=1)
    source: Mapped[str | None] = mapped_column(String(100))  # e.g. "EES"; None if unknown


class ObservationHistory(Base):
    """The previous values of an observation that a later import revised."""

    __tablename__ = "observation_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    observation_id: Mapped[int] = mapped_column(Integer, index=True)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    value: Mapped[float | None] = mapped_column(Float)
    lower_ci: Mapped[float | None] = mapped_column(Float)
    upper_ci: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str | None] = mapped_column(String(8))
    batch_id: Mapped[int | None] = mapped_column(Integer)
    data_version: Mapped[int] = mapped_column(Integer)
    source: Mapped[str | None] = mapped_column(String(100))
    replaced_by_batch_id: Mapped[int | None] = mapped_column(Integer, index=True)
    replaced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ObservationConfirmation(Base):
    """Another source publishing the same figure as a stored observation.

    A value-only row that agrees with a stored row holding counts does not replace it; it
    is recorded here instead (once per observation and source).
    """

    __tablename__ = "observation_confirmations"
    __table_args__ = (UniqueConstraint("observation_id", "source", name="uq_confirmation_source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    observation_id: Mapped[int] = mapped_column(
        ForeignKey("observations.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(100))
    value: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str | None] = mapped_column(String(8))
    batch_id: Mapped[int | None] = mapped_column(Integer, index=True)
    confirmed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SourcePrecedence(Base):
    """An analyst's order of sources for one indicator: rank 1 wins a conflict."""

    __tablename__ = "source_precedence"

    indicator_id: Mapped[str] = mapped_column(ForeignKey("indicators.id"), primary_key=True)
    source: Mapped[str] = mapped_column(String(100), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer)
    set_by: Mapped[str | None] = mapped_column(String(150))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DataState(Base):
    """Small key/value counters, such as the global data version used to key caches."""

    __tablename__ = "data_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


# --- annotations ---------------------------------------------------------------------------


class Annotation(Base):
    __tablename__ = "annotations"
    __table_args__ = (Index("ix_annotation_indicator_area", "indicator_id", "area_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("annotations.id"), index=True)
    indicator_id: Mapped[str] = mapped_column(ForeignKey("indicators.id"))
    area_code: Mapped[str] = mapped_column(String(16))
    breakdown: Mapped[str] = mapped_column(String(32), default="total")
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    tags: Mapped[str] = mapped_column(Text, default="")  # comma-separated, lower case
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    visibility: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="open")
    version: Mapped[int] = mapped_column(Integer, default=1)
    view_state: Mapped[str | None] = mapped_column(Text)  # JSON of the view written on
    data_version: Mapped[int | None] = mapped_column(Integer)
    seen_value: Mapped[float | None] = mapped_column(Float)  # figure the author saw
    ln_session_id: Mapped[int | None] = mapped_column(ForeignKey("ln_sessions.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AnnotationRevision(Base):
    __tablename__ = "annotation_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    annotation_id: Mapped[int] = mapped_column(ForeignKey("annotations.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    edited_by: Mapped[int] = mapped_column(Integer)
    edited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    conflict: Mapped[bool] = mapped_column(Boolean, default=False)  # kept text of a refused save


class AnnotationVoiceLink(Base):
    __tablename__ = "annotation_voice_links"

    annotation_id: Mapped[int] = mapped_column(ForeignKey("annotations.id"), primary_key=True)
    voice_item_id: Mapped[int] = mapped_column(ForeignKey("voice_items.id"), primary_key=True)


# --- voice ---------------------------------------------------------------------------------


class VoiceTheme(Base):
    __tablename__ = "voice_themes"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    examples: Mapped[str | None] = mapped_column(Text)


class VoiceItem(Base):
    __tablename__ = "voice_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    speaker_role: Mapped[str] = mapped_column(String(32))
    age_band: Mapped[str | None] = mapped_column(String(32))
    sex: Mapped[str | None] = mapped_column(String(32))
    ethnicity_group: Mapped[str | None] = mapped_column(String(32))
    disability: Mapped[str | None] = mapped_column(String(32))
    area_code: Mapped[str] = mapped_column(String(16), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    service: Mapped[str] = mapped_column(String(32))
    method: Mapped[str] = mapped_column(String(32))
    collected_on: Mapped[date | None] = mapped_column(Date)
    consent_scope: Mapped[str] = mapped_column(String(32))
    consent_date: Mapped[date | None] = mapped_column(Date)
    review_date: Mapped[date | None] = mapped_column(Date)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deidentified: Mapped[bool] = mapped_column(Boolean, default=True)
    moderation_status: Mapped[str] = mapped_column(String(16), default="pending")
    false_alarm_reviewed_by: Mapped[int | None] = mapped_column(Integer)
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)
    entered_by: Mapped[int | None] = mapped_column(Integer)
    batch_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class VoiceItemTheme(Base):
    __tablename__ = "voice_item_themes"

    voice_item_id: Mapped[int] = mapped_column(ForeignKey("voice_items.id"), primary_key=True)
    theme_id: Mapped[str] = mapped_column(ForeignKey("voice_themes.id"), primary_key=True)


class VoiceItemIndicator(Base):
    __tablename__ = "voice_item_indicators"

    voice_item_id: Mapped[int] = mapped_column(ForeignKey("voice_items.id"), primary_key=True)
    indicator_id: Mapped[str] = mapped_column(ForeignKey("indicators.id"), primary_key=True)


# --- Learning Network sessions -----------------------------------------------------------------


class LnSession(Base):
    __tablename__ = "ln_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    held_on: Mapped[date | None] = mapped_column(Date)
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    participants: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of org codes
    anonymised: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LnStep(Base):
    __tablename__ = "ln_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("ln_sessions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # indicator, quotes, question, text
    title: Mapped[str] = mapped_column(String(300), default="")
    config: Mapped[str] = mapped_column(Text, default="{}")  # JSON


class LnPoll(Base):
    """A question step run as a poll. ``kind``: single, multiple or prioritise (up to three
    choices each); ``options`` a JSON list of plain-text options; ``version`` goes up on
    every change to the poll or its votes (the live pages compare it)."""

    __tablename__ = "ln_polls"

    step_id: Mapped[int] = mapped_column(
        ForeignKey("ln_steps.id", ondelete="CASCADE"), primary_key=True
    )
    session_id: Mapped[int] = mapped_column(
        ForeignKey("ln_sessions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    options: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of str
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LnVote(Base):
    """One participant's vote set in a poll (changed in place until the poll closes)."""

    __tablename__ = "ln_votes"
    __table_args__ = (UniqueConstraint("step_id", "user_id", name="uq_ln_vote_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(
        ForeignKey("ln_polls.step_id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    choices: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of option indexes
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LnAction(Base):
    """An action agreed in a session, owned by one organisation, open until done. Its
    source is a contribution (an annotation id) or a poll (its step id)."""

    __tablename__ = "ln_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("ln_sessions.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(String(1000))
    owner_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default="open")  # open, done
    source_kind: Mapped[str | None] = mapped_column(String(16))  # contribution, poll
    source_id: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_by: Mapped[int | None] = mapped_column(Integer)


class LnLive(Base):
    """The live state of a session shown on participants' screens (one row per session).

    ``version`` goes up by one on every change a participant's screen must follow (step,
    options, start, end, a new contribution), so a client polls one small number.
    """

    __tablename__ = "ln_live"
    __table_args__ = (UniqueConstraint("join_code", name="uq_ln_live_join_code"),)

    session_id: Mapped[int] = mapped_column(ForeignKey("ln_sessions.id"), primary_key=True)
    join_code: Mapped[str] = mapped_column(String(6))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    step_index: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    allow_anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    show_contributions: Mapped[bool] = mapped_column(Boolean, default=True)


class LnParticipant(Base):
    """Someone who joined a live session with its code."""

    __tablename__ = "ln_participants"
    __table_args__ = (UniqueConstraint("session_id", "user_id", name="uq_ln_participant"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("ln_sessions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LnContributionKey(Base):
    """A participant's client key for one contribution, so a retried send is saved once."""

    __tablename__ = "ln_contribution_keys"
    __table_args__ = (UniqueConstraint("user_id", "client_key", name="uq_ln_contribution_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    client_key: Mapped[str] = mapped_column(String(64))
    session_id: Mapped[int] = mapped_column(ForeignKey("ln_sessions.id"))
    annotation_id: Mapped[int] = mapped_column(ForeignKey("annotations.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# --- journeys and costs --------------------------------------------------------------------------


class JourneyCount(Base):
    """Aggregate flows between steps of a journey. No child-level record is ever stored."""

    __tablename__ = "journey_counts"
    __table_args__ = (Index("ix_journey_area_cohort", "journey", "area_code", "cohort_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    journey: Mapped[str] = mapped_column(String(32))
    area_code: Mapped[str] = mapped_column(String(16))
    cohort_label: Mapped[str] = mapped_column(String(32))
    cohort_start: Mapped[date] = mapped_column(Date)
    step: Mapped[str] = mapped_column(String(64))
    next_step: Mapped[str] = mapped_column(String(64))
    breakdown: Mapped[str] = mapped_column(String(32), default="total")
    breakdown_value: Mapped[str] = mapped_column(String(64), default="total")
    count: Mapped[int] = mapped_column(Integer)
    batch_id: Mapped[int | None] = mapped_column(Integer)


class UnitCost(Base):
    __tablename__ = "unit_costs"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    item: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    cost_gbp: Mapped[float] = mapped_column(Float)
    price_year: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(Text)


class ImportJob(Base):
    """An import started in the browser: its owner, where it stands, and its heartbeat.

    Kept in the database (not on one machine's disk) so that any web server and any worker
    can carry on with it. ``status`` is JSON (stage, fraction, text, and the result or the
    host and process running it); ``files_version`` changes whenever its files do.
    """

    __tablename__ = "import_jobs"

    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, index=True)
    filename: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(Text, default="{}")
    files_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[float] = mapped_column(Float)
    heartbeat_at: Mapped[float] = mapped_column(Float)


class ImportJobFile(Base):
    """One file of an import job: the upload, or a piece of the checked (prepared) import."""

    __tablename__ = "import_job_files"

    job_token: Mapped[str] = mapped_column(
        ForeignKey("import_jobs.token", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)


# --- ethics: taking words back and the check before anything leaves ------------------------


class VoiceWithdrawal(Base):
    """A withdrawal reference given when a quote is collected, and its request if made.

    Only a hash of the reference is kept (the person holds the reference itself). A
    request hides the quote at once (``requested_at`` set); an analyst of the owning
    organisation then confirms, which tombstones the quote (``confirmed_at``).
    """

    __tablename__ = "voice_withdrawals"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference_hash: Mapped[str] = mapped_column(String(64), unique=True)
    voice_item_id: Mapped[int] = mapped_column(ForeignKey("voice_items.id"), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    confirmed_by: Mapped[int | None] = mapped_column(Integer)


class EthicsCheck(Base):
    """A named person's confirmation that they reviewed what an export tells its reader."""

    __tablename__ = "ethics_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    user_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))  # monthly_pack, session_export, public_page
    subject: Mapped[str] = mapped_column(String(200), default="")
    reviewer_name: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of sentences
    confirmed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class VoiceThemeOwner(Base):
    """The organisation whose analyst created a codebook theme. Themes without a row are
    the shared codebook, which only admins change (``rules.ownership.may_change_theme``)."""

    __tablename__ = "voice_theme_owners"

    theme_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("voice_themes.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)


# --- monthly packs: each one generated is kept ------------------------------------------------


class Pack(Base):
    """A monthly pack as it was generated: its HTML, its PDF (None when Chromium was absent)
    and the latest figures it held (JSON), which next month's "since last month" compares."""

    __tablename__ = "packs"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    title: Mapped[str] = mapped_column(String(300))
    indicators: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of indicator ids
    figures: Mapped[str] = mapped_column(Text, default="{}")  # JSON {indicator: {...}}
    html: Mapped[str] = mapped_column(Text)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
