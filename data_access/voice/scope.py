"""The one read path for voice items: the consent scope, filters and read audit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, true
from sqlalchemy.orm import Session

from data_access.models import (
    Area,
    Indicator,
    Organisation,
    User,
    VoiceItem,
    VoiceItemIndicator,
    VoiceItemTheme,
    VoiceTheme,
    VoiceWithdrawal,
)
from data_access.users import UserRecord, write_audit
from data_access.voice.attribution import add_attribution, attribution_counts
from data_access.voice.guards import _is_analyst
from data_access.voice.preferences import (
    disclosure_threshold,
    hide_past_review_default,
    hide_past_review_overrides,
)
from data_access.voice.vocabulary import RESTRICTED_SCOPE, VOICE_COLUMNS
from rules.consent import DOWNLOAD_SCOPES, LEARNING_NETWORK, PUBLICATION


def _as_list(value: str | Sequence[str] | None) -> list[str] | None:
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, str):
        return [value]
    return [v for v in value if v not in (None, "")] or None


def _scope_condition(user: UserRecord, owner: type[Organisation]) -> ColumnElement[bool]:
    """The SQL condition for items this user's consent scope reaches (approved or not):
    ``rules.consent.may_read`` as SQL."""
    conditions = [VoiceItem.consent_scope == PUBLICATION]
    conditions.append(VoiceItem.organisation_id == user.organisation_id)
    if user.in_learning_network:
        conditions.append(
            and_(
                VoiceItem.consent_scope == LEARNING_NETWORK,
                owner.in_learning_network == true(),
            )
        )
    return or_(*conditions)


def _status_condition(user: UserRecord, moderation: bool) -> ColumnElement[bool]:
    """Approved items for everyone; pending only for the owning organisation's analysts in
    the moderation queue. Withdrawn items never, nor items whose withdrawal has been requested."""
    approved = VoiceItem.moderation_status == "approved"
    # A quote its speaker asked to take back is hidden at once, before an analyst confirms.
    held = VoiceItem.id.in_(
        select(VoiceWithdrawal.voice_item_id).where(VoiceWithdrawal.requested_at.is_not(None))
    )
    approved = and_(approved, ~held)
    if moderation and _is_analyst(user):
        pending = and_(
            VoiceItem.moderation_status == "pending",
            VoiceItem.organisation_id == user.organisation_id,
            ~held,
        )
        return and_(VoiceItem.withdrawn == false(), or_(approved, pending))
    return and_(VoiceItem.withdrawn == false(), approved)


def visible_voice_items(
    session: Session,
    user: UserRecord | None,
    *,
    indicator: str | None = None,
    include_indicator_theme: bool = False,
    area_codes: str | Sequence[str] | None = None,
    themes: str | Sequence[str] | None = None,
    services: str | Sequence[str] | None = None,
    speaker_roles: str | Sequence[str] | None = None,
    age_bands: str | Sequence[str] | None = None,
    methods: str | Sequence[str] | None = None,
    consent_scopes: str | Sequence[str] | None = None,
    date_from: date | str | None = None,
    date_to: date | str | None = None,
    search: str | None = None,
    ids: Sequence[int] | None = None,
    purpose: str = "library",
    moderation: bool = False,
    statuses: str | Sequence[str] | None = None,
    limit: int | None = None,
    offset: int = 0,
    today: date | None = None,
    audit: bool = True,
    threshold: int | None = None,
) -> pd.DataFrame:
    """The voice items ``user`` may see, newest first, with the filters applied.

    The one read path for voice items. ``purpose`` names the reader in the audit trail
    (library, panel, api, export, coverage, moderation, actions); ``purpose="export"``
    keeps only items whose consent allows publication, because downloads leave Chinook's
    control. ``moderation=True`` adds the owning organisation's pending items for analysts
    and shows items past review even when the setting hides them. ``statuses`` narrows to
    some of pending/approved. ``indicator`` with ``include_indicator_theme`` also returns
    items linked to no indicator whose service is the indicator's theme.

    Returns ``VOICE_COLUMNS`` (themes, theme_labels and indicators are lists; past_review is
    a bool; attribution is the coarse, possibly coarsened, attribution line).
    ``frame.attrs["total"]`` is the number of matching items before ``limit``/``offset``.
    Own-organisation items returned are audited (ids only) in ``session``. ``threshold`` is
    the disclosure threshold for the attribution line (None: the setting).
    """
    if user is None or not user.active:
        return _empty_frame()
    today = today or date.today()
    owner = Organisation
    query = (
        select(VoiceItem, owner.code, owner.in_learning_network, Area.name, User.display_name)
        .join(owner, owner.id == VoiceItem.organisation_id)
        .join(Area, Area.code == VoiceItem.area_code, isouter=True)
        .join(User, User.id == VoiceItem.entered_by, isouter=True)
        .where(_scope_condition(user, owner))
        .where(_status_condition(user, moderation))
    )
    if purpose == "export":
        query = query.where(VoiceItem.consent_scope.in_(DOWNLOAD_SCOPES))
    query = _apply_filters(
        session,
        query,
        indicator=indicator,
        include_indicator_theme=include_indicator_theme,
        area_codes=_as_list(area_codes),
        themes=_as_list(themes),
        services=_as_list(services),
        speaker_roles=_as_list(speaker_roles),
        age_bands=_as_list(age_bands),
        methods=_as_list(methods),
        consent_scopes=_as_list(consent_scopes),
        date_from=_to_date(date_from),
        date_to=_to_date(date_to),
        search=search,
        ids=ids,
        statuses=_as_list(statuses),
    )
    query = query.order_by(VoiceItem.collected_on.desc(), VoiceItem.id.desc())
    rows = session.execute(query).all()
    frame = _rows_to_frame(rows, today)
    if not moderation and not frame.empty:
        frame = _drop_hidden_past_review(session, frame)
    total = len(frame)
    if offset:
        frame = frame.iloc[offset:]
    if limit is not None:
        frame = frame.iloc[:limit]
    frame = frame.reset_index(drop=True)
    frame = _attach_links(session, frame)
    # Counted for the roles and areas on this page only: a panel shows three quotes.
    counts = attribution_counts(session, for_rows=frame)
    threshold = disclosure_threshold() if threshold is None else threshold
    frame = add_attribution(frame, counts, threshold)
    if audit:
        audit_restricted_reads(session, user, frame, purpose)
    frame.attrs["total"] = total
    return frame


def _apply_filters(session: Session, query: Select[Any], **f: Any) -> Select[Any]:
    if f["indicator"]:
        linked = select(VoiceItemIndicator.voice_item_id).where(
            VoiceItemIndicator.indicator_id == f["indicator"]
        )
        condition = VoiceItem.id.in_(linked)
        if f["include_indicator_theme"]:
            theme = session.scalar(select(Indicator.theme).where(Indicator.id == f["indicator"]))
            any_link = select(VoiceItemIndicator.voice_item_id)
            if theme:
                condition = or_(
                    condition, and_(VoiceItem.service == theme, VoiceItem.id.not_in(any_link))
                )
        query = query.where(condition)
    if f["area_codes"]:
        query = query.where(VoiceItem.area_code.in_(f["area_codes"]))
    if f["themes"]:
        tagged = select(VoiceItemTheme.voice_item_id).where(
            VoiceItemTheme.theme_id.in_(f["themes"])
        )
        query = query.where(VoiceItem.id.in_(tagged))
    for column, key in (
        (VoiceItem.service, "services"),
        (VoiceItem.speaker_role, "speaker_roles"),
        (VoiceItem.age_band, "age_bands"),
        (VoiceItem.method, "methods"),
        (VoiceItem.consent_scope, "consent_scopes"),
        (VoiceItem.moderation_status, "statuses"),
    ):
        if f[key]:
            query = query.where(column.in_(f[key]))
    if f["date_from"]:
        query = query.where(VoiceItem.collected_on >= f["date_from"])
    if f["date_to"]:
        query = query.where(VoiceItem.collected_on <= f["date_to"])
    if f["search"] and f["search"].strip():
        query = query.where(
            func.lower(VoiceItem.text).contains(f["search"].strip().lower(), autoescape=True)
        )
    if f["ids"] is not None:
        query = query.where(VoiceItem.id.in_([int(i) for i in f["ids"]]))
    return query


def _to_date(value: date | str | None) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _empty_frame() -> pd.DataFrame:
    frame = pd.DataFrame(columns=VOICE_COLUMNS)
    frame.attrs["total"] = 0
    return frame


def _rows_to_frame(rows: list, today: date) -> pd.DataFrame:
    records = []
    for item, org_code, _in_network, area_name, entered_by_name in rows:
        records.append(
            {
                "id": item.id,
                "text": item.text,
                "speaker_role": item.speaker_role,
                "age_band": item.age_band,
                "sex": item.sex,
                "ethnicity_group": item.ethnicity_group,
                "disability": item.disability,
                "area_code": item.area_code,
                "area_name": area_name or item.area_code,
                "organisation_id": item.organisation_id,
                "organisation_code": org_code,
                "service": item.service,
                "method": item.method,
                "collected_on": item.collected_on,
                "consent_scope": item.consent_scope,
                "consent_date": item.consent_date,
                "review_date": item.review_date,
                "past_review": bool(item.review_date and item.review_date < today),
                "moderation_status": item.moderation_status,
                "deidentified": bool(item.deidentified),
                "false_alarm_reviewed_by": item.false_alarm_reviewed_by,
                "illustrative": bool(item.illustrative),
                "entered_by": item.entered_by,
                "entered_by_name": entered_by_name,
                "batch_id": item.batch_id,
                "created_at": item.created_at,
                "updated_at": item.updated_at,
            }
        )
    if not records:
        return _empty_frame()
    return pd.DataFrame(records)


def _drop_hidden_past_review(session: Session, frame: pd.DataFrame) -> pd.DataFrame:
    """Hide items past review where the owning organisation's (or global) setting says so."""
    default = hide_past_review_default()
    overrides = hide_past_review_overrides(session)
    hide = frame["organisation_id"].map(lambda org: overrides.get(org, default)).astype(bool)
    return frame[~(frame["past_review"].astype(bool) & hide)]


def _attach_links(session: Session, frame: pd.DataFrame) -> pd.DataFrame:
    ids = [int(i) for i in frame["id"]] if not frame.empty else []
    themes: dict[int, list[str]] = {i: [] for i in ids}
    labels: dict[int, list[str]] = {i: [] for i in ids}
    indicators: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        for item_id, theme_id, label in session.execute(
            select(VoiceItemTheme.voice_item_id, VoiceTheme.id, VoiceTheme.label)
            .join(VoiceTheme, VoiceTheme.id == VoiceItemTheme.theme_id)
            .where(VoiceItemTheme.voice_item_id.in_(ids))
            .order_by(VoiceItemTheme.voice_item_id, VoiceTheme.label)
        ):
            themes[item_id].append(theme_id)
            labels[item_id].append(label)
        for item_id, indicator_id in session.execute(
            select(VoiceItemIndicator.voice_item_id, VoiceItemIndicator.indicator_id)
            .where(VoiceItemIndicator.voice_item_id.in_(ids))
            .order_by(VoiceItemIndicator.voice_item_id, VoiceItemIndicator.indicator_id)
        ):
            indicators[item_id].append(indicator_id)
    out = frame.copy()
    out["themes"] = [themes.get(int(i), []) for i in out["id"]]
    out["theme_labels"] = [labels.get(int(i), []) for i in out["id"]]
    out["indicators"] = [indicators.get(int(i), []) for i in out["id"]]
    return out


def has_restricted_items(frame: pd.DataFrame) -> bool:
    """Whether voice rows (``VOICE_COLUMNS``) hold an own-organisation item, whose reading
    must be audited."""
    return not frame.empty and bool((frame["consent_scope"] == RESTRICTED_SCOPE).any())


def audit_restricted_reads(
    session: Session, user: UserRecord, frame: pd.DataFrame, purpose: str
) -> None:
    """One audit event per own-organisation item read: the id and purpose, never the text.

    ``visible_voice_items`` calls this itself unless told ``audit=False``; a reader that
    read with ``audit=False`` in a read-only session calls it with a write session before
    showing the rows (on SQLite a read then takes no write lock when nothing is restricted).
    """
    if frame.empty:
        return
    restricted = frame[frame["consent_scope"] == RESTRICTED_SCOPE]
    for item_id in restricted["id"]:
        write_audit(
            session,
            "voice.read_restricted",
            user=user,
            object_type="voice_item",
            object_id=int(item_id),
            detail={"purpose": purpose},
        )
    if len(restricted):
        session.flush()
