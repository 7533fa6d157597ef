"""Voice library repository: quotes, their consent scope, moderation, codebook and import.

Every read of voice items goes through :func:`visible_voice_items`, which applies the
consent scope for the current user; callbacks, downloads and the API all call it, so the
rules live in one place:

- ``own_organisation`` items are visible only to users of the owning organisation;
- ``learning_network`` items to users of organisations in the Learning Network (the research
  team included) when the owning organisation is in the network, and to the owner;
- ``publication`` items to everyone logged in;
- withdrawn items never; pending items only to analysts (and admins) of the owning
  organisation, and only in the moderation queue;
- items past their review date are flagged, and hidden when the admin setting says so.

Every own_organisation item returned is audited (id only, never the text), so pass a
session from ``Database.write()`` when reading for people: the audit rows commit with it.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import and_, delete, false, func, or_, select, true
from sqlalchemy.orm import Session

from analysis.coverage import voice_coverage
from analysis.personal_details import Finding, find_personal_details, summarise_findings
from data_access.annotations import visible_note_clause
from data_access.codebook_owners import record_theme_owner, theme_change_allowed
from data_access.models import (
    Annotation,
    AnnotationVoiceLink,
    Area,
    ImportBatch,
    Indicator,
    Observation,
    Organisation,
    OrganisationSetting,
    User,
    VoiceItem,
    VoiceItemIndicator,
    VoiceItemTheme,
    VoiceTheme,
    VoiceThemeOwner,
    utcnow,
)
from data_access.users import UserRecord, write_audit
from rules.consent import DOWNLOAD_SCOPES
from rules.files import csv_text
from rules.ownership import owns_area

SPEAKER_ROLES = ("child", "young_person", "parent_carer", "practitioner", "community")
SERVICES = ("early_years", "early_help", "care_leavers")
METHODS = (
    "survey",
    "focus_group",
    "interview",
    "participation_group",
    "feedback_form",
    "app_statement",
    "complaint_compliment",
)
CONSENT_SCOPES = ("own_organisation", "learning_network", "publication")
AGE_BANDS = ("under 5", "5-10", "11-15", "16-17", "18-21", "22-25", "adult")
MODERATION_STATUSES = ("pending", "approved", "withdrawn")
RESTRICTED_SCOPE = "own_organisation"
HIDE_PAST_REVIEW_KEY = "hide_voice_past_review"

ROLE_LABELS = {
    "child": "Child",
    "young_person": "Young person",
    "parent_carer": "Parent or carer",
    "practitioner": "Practitioner",
    "community": "Community member",
}
SERVICE_LABELS = {
    "early_years": "early years",
    "early_help": "Early Help",
    "care_leavers": "care leavers",
}
METHOD_LABELS = {m: m.replace("_", " ") for m in METHODS} | {
    "complaint_compliment": "complaint or compliment",
    "app_statement": "app statement",
}
SCOPE_LABELS = {
    "own_organisation": "own organisation only",
    "learning_network": "Learning Network",
    "publication": "may be published",
}
_ANALYST_ROLES = ("analyst", "admin")

VOICE_COLUMNS = [
    "id",
    "text",
    "speaker_role",
    "age_band",
    "sex",
    "ethnicity_group",
    "disability",
    "area_code",
    "area_name",
    "organisation_id",
    "organisation_code",
    "service",
    "method",
    "collected_on",
    "consent_scope",
    "consent_date",
    "review_date",
    "past_review",
    "moderation_status",
    "deidentified",
    "false_alarm_reviewed_by",
    "illustrative",
    "entered_by",
    "entered_by_name",
    "batch_id",
    "created_at",
    "updated_at",
    "themes",
    "theme_labels",
    "indicators",
    "attribution",
    "attribution_coarsened",
]


class VoiceError(ValueError):
    """A voice item or theme could not be saved; the message says why, in plain English."""


class VoiceNotAllowed(PermissionError):
    """The user's role or organisation does not allow this change (checked again here,
    behind the guard on every callback and route)."""


NO_SUCH_ITEM = "There is no such quote in your organisation's library."
THEME_NOT_YOURS = (
    "Only admins change the shared codebook; analysts change their own organisation's themes."
)


class PersonalDetailsFound(VoiceError):
    """The text has suspected personal details; ``findings`` says where."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(
            f"The text may contain personal details ({summarise_findings(findings)}). "
            "Remove them, or ask an analyst to mark a false alarm."
        )
        self.findings = findings


# --------------------------------------------------------------------------- settings


def _settings_value(name: str, env_name: str, default: str) -> str:
    """A setting from the running app when there is one, else from the environment."""
    try:
        from flask import current_app, has_app_context

        if has_app_context() and "chorus_settings" in current_app.extensions:
            return str(getattr(current_app.extensions["chorus_settings"], name))
    except ImportError:  # pragma: no cover - flask is a dependency
        pass
    return os.environ.get(env_name, default)


def disclosure_threshold() -> int:
    """The disclosure threshold (settings.disclosure_threshold, default 5)."""
    return int(_settings_value("disclosure_threshold", "CHORUS_DISCLOSURE_THRESHOLD", "5"))


def hide_past_review_default() -> bool:
    """The global admin setting CHORUS_HIDE_VOICE_PAST_REVIEW."""
    value = _settings_value("hide_voice_past_review", "CHORUS_HIDE_VOICE_PAST_REVIEW", "0")
    return value.lower() in ("1", "true", "yes")


def hide_past_review_overrides(session: Session) -> dict[int, bool]:
    """Per-organisation overrides of the global setting, keyed by organisation id."""
    rows = session.execute(
        select(OrganisationSetting.organisation_id, OrganisationSetting.value).where(
            OrganisationSetting.key == HIDE_PAST_REVIEW_KEY
        )
    ).all()
    return {org_id: value == "1" for org_id, value in rows}


def set_hide_past_review(session: Session, user: UserRecord, hide: bool) -> None:
    """Admin setting for the user's organisation: hide its items past their review date."""
    _require_role(user, ("admin",), "settings.edit")
    row = session.get(OrganisationSetting, (user.organisation_id, HIDE_PAST_REVIEW_KEY))
    if row is None:
        session.add(
            OrganisationSetting(
                organisation_id=user.organisation_id,
                key=HIDE_PAST_REVIEW_KEY,
                value="1" if hide else "0",
            )
        )
    else:
        row.value = "1" if hide else "0"
    write_audit(
        session,
        "settings.hide_voice_past_review",
        user=user,
        object_type="organisation",
        object_id=user.organisation_id,
        detail={"hide": hide},
    )


# --------------------------------------------------------------------------- scope


def _as_list(value: str | Sequence[str] | None) -> list[str] | None:
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, str):
        return [value]
    return [v for v in value if v not in (None, "")] or None


def _is_analyst(user: UserRecord) -> bool:
    return user.role in _ANALYST_ROLES


def _scope_condition(user: UserRecord, owner: type[Organisation]):  # type: ignore[no-untyped-def]
    """The SQL condition for items this user's consent scope reaches (approved or not)."""
    conditions = [VoiceItem.consent_scope == "publication"]
    conditions.append(VoiceItem.organisation_id == user.organisation_id)
    if user.in_learning_network:
        conditions.append(
            and_(
                VoiceItem.consent_scope == "learning_network",
                owner.in_learning_network == true(),
            )
        )
    return or_(*conditions)


def _status_condition(user: UserRecord, moderation: bool):  # type: ignore[no-untyped-def]
    """Approved items for everyone; pending only for the owning organisation's analysts in
    the moderation queue. Withdrawn items never."""
    approved = VoiceItem.moderation_status == "approved"
    if moderation and _is_analyst(user):
        pending = and_(
            VoiceItem.moderation_status == "pending",
            VoiceItem.organisation_id == user.organisation_id,
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
    Own-organisation items returned are audited (ids only) in ``session``.
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
    if purpose == "export":  # a file leaving Chorus: rules.consent
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
    frame = add_attribution(frame, counts, disclosure_threshold())
    if audit:
        audit_restricted_reads(session, user, frame, purpose)
    frame.attrs["total"] = total
    return frame


def _apply_filters(session: Session, query, **f):  # type: ignore[no-untyped-def]
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


# --------------------------------------------------------------------------- attribution


def attribution_counts(session: Session, for_rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """How many approved, current items share each role, age band, area and year.

    Counted over the whole library (not only what one user sees), so the same quote gets the
    same attribution for everyone. ``for_rows`` (voice rows with speaker_role and area_code)
    limits the count to the roles and areas those rows have, which is all
    :func:`add_attribution` looks up for them. Columns speaker_role, age_band, area_code,
    year, items.
    """
    query = select(
        VoiceItem.speaker_role,
        VoiceItem.age_band,
        VoiceItem.area_code,
        VoiceItem.collected_on,
    ).where(VoiceItem.withdrawn == false(), VoiceItem.moderation_status == "approved")
    if for_rows is not None:
        roles = sorted({str(r) for r in for_rows["speaker_role"].dropna()})
        areas = sorted({str(a) for a in for_rows["area_code"].dropna()})
        query = query.where(VoiceItem.speaker_role.in_(roles), VoiceItem.area_code.in_(areas))
    rows = session.execute(query).all()
    frame = pd.DataFrame(rows, columns=["speaker_role", "age_band", "area_code", "collected_on"])
    frame["year"] = [d.year if d else None for d in frame["collected_on"]]
    frame["age_band"] = frame["age_band"].fillna("")
    counts = (
        frame.groupby(["speaker_role", "age_band", "area_code", "year"], dropna=False)
        .size()
        .rename("items")
        .reset_index()
    )
    return counts


def add_attribution(frame: pd.DataFrame, counts: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Add ``attribution`` (text) and ``attribution_coarsened`` (bool) to voice rows.

    Takes voice rows (speaker_role, age_band, area_code, service, collected_on) and
    ``attribution_counts`` output. The full line is "role, age band, service, year"; when
    fewer than ``threshold`` items share the role, age band, area and year, the age band
    is dropped, and if fewer than ``threshold`` share role, area and year the year goes too.
    """
    out = frame.copy()
    if out.empty:
        out["attribution"] = pd.Series(dtype=object)
        out["attribution_coarsened"] = pd.Series(dtype=bool)
        return out
    by_full = {
        (r.speaker_role, r.age_band, r.area_code, r.year): r.items for r in counts.itertuples()
    }
    by_year = counts.groupby(["speaker_role", "area_code", "year"])["items"].sum().to_dict()
    lines, coarsened = [], []
    for row in out.itertuples():
        year = row.collected_on.year if row.collected_on else None
        age = row.age_band or ""
        role = ROLE_LABELS.get(row.speaker_role, str(row.speaker_role))
        service = SERVICE_LABELS.get(row.service, str(row.service))
        full = by_full.get((row.speaker_role, age, row.area_code, year), 0)
        if full >= threshold:
            parts = [role, age, service, str(year) if year else ""]
            coarsened.append(False)
        elif by_year.get((row.speaker_role, row.area_code, year), 0) >= threshold:
            parts = [role, service, str(year) if year else ""]
            coarsened.append(True)
        else:
            parts = [role, service]
            coarsened.append(True)
        lines.append(", ".join(p for p in parts if p))
    out["attribution"] = lines
    out["attribution_coarsened"] = coarsened
    return out


# --------------------------------------------------------------------------- writes


@dataclass(frozen=True)
class VoiceInput:
    """What a practitioner enters (or a CSV row holds) for one voice item."""

    text: str
    speaker_role: str
    service: str
    method: str
    consent_scope: str
    collected_on: date | None = None
    consent_date: date | None = None
    review_date: date | None = None
    age_band: str | None = None
    sex: str | None = None
    ethnicity_group: str | None = None
    disability: str | None = None
    area_code: str | None = None
    themes: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()


def _require_role(user: UserRecord | None, roles: Iterable[str], action: str) -> UserRecord:
    if user is None or not user.active or user.role not in tuple(roles):
        raise VoiceNotAllowed(f"{action}: role too low")
    return user


def _require_owner(session: Session, user: UserRecord, item: VoiceItem, action: str) -> None:
    if item.organisation_id != user.organisation_id:
        write_audit(
            session,
            f"denied:{action}",
            user=user,
            object_type="voice_item",
            object_id=item.id,
            outcome="denied",
        )
        raise VoiceNotAllowed(f"{action}: another organisation's item")


def validate_voice_input(session: Session, data: VoiceInput) -> list[str]:
    """Problems with the fields (not personal details), as plain sentences; empty if fine."""
    problems = []
    if not data.text or not data.text.strip():
        problems.append("The quote text is empty.")
    elif len(data.text) > 2000:
        problems.append("The quote is longer than 2,000 characters.")
    checks = (
        ("speaker role", data.speaker_role, SPEAKER_ROLES),
        ("service", data.service, SERVICES),
        ("method", data.method, METHODS),
        ("consent scope", data.consent_scope, CONSENT_SCOPES),
    )
    for label, value, allowed_values in checks:
        if value not in allowed_values:
            problems.append(f"The {label} {value!r} is not one of: {', '.join(allowed_values)}.")
    if data.age_band and data.age_band not in AGE_BANDS:
        problems.append(f"The age band {data.age_band!r} is not one of: {', '.join(AGE_BANDS)}.")
    if data.consent_date is None:
        problems.append("The consent date is missing.")
    if data.collected_on and data.collected_on > date.today():
        problems.append("The date collected is in the future.")
    if data.review_date and data.consent_date and data.review_date < data.consent_date:
        problems.append("The review date is before the consent date.")
    known_themes = set(session.scalars(select(VoiceTheme.id)))
    unknown = [t for t in data.themes if t not in known_themes]
    if unknown:
        problems.append(f"Unknown themes: {', '.join(unknown)}.")
    known_indicators = set(session.scalars(select(Indicator.id)))
    unknown = [i for i in data.indicators if i not in known_indicators]
    if unknown:
        problems.append(f"Unknown indicators: {', '.join(unknown)}.")
    return problems


def check_text(text: str) -> list[Finding]:
    """Suspected personal details in a quote (the checker in analysis.personal_details)."""
    return find_personal_details(text or "")


def create_voice_item(
    session: Session,
    user: UserRecord,
    data: VoiceInput,
    *,
    false_alarm: bool = False,
    illustrative: bool = False,
    batch_id: int | None = None,
) -> VoiceItem:
    """Save a new pending item for the user's organisation.

    Refused (PersonalDetailsFound) when the checker finds personal details, unless
    ``false_alarm``: an analyst's mark clears it (de-identified); a practitioner's request
    saves it as not de-identified, and it cannot be approved until an analyst marks it.
    Raises VoiceError for invalid fields and PermissionDenied below practitioner.
    """
    _require_role(user, ("practitioner", "analyst", "admin"), "voice.write")
    problems = validate_voice_input(session, data)
    if problems:
        raise VoiceError(" ".join(problems))
    findings = check_text(data.text)
    if findings and not false_alarm:
        raise PersonalDetailsFound(findings)
    analyst_cleared = bool(findings) and _is_analyst(user)
    item = VoiceItem(
        text=data.text.strip(),
        speaker_role=data.speaker_role,
        age_band=data.age_band or None,
        sex=data.sex or None,
        ethnicity_group=data.ethnicity_group or None,
        disability=data.disability or None,
        area_code=data.area_code or user.organisation_code,
        organisation_id=user.organisation_id,
        service=data.service,
        method=data.method,
        collected_on=data.collected_on,
        consent_scope=data.consent_scope,
        consent_date=data.consent_date,
        review_date=data.review_date,
        deidentified=not findings or analyst_cleared,
        false_alarm_reviewed_by=user.id if analyst_cleared else None,
        moderation_status="pending",
        illustrative=illustrative,
        entered_by=user.id,
        batch_id=batch_id,
    )
    session.add(item)
    session.flush()
    _replace_links(session, item.id, data.themes, data.indicators)
    write_audit(
        session,
        "voice.create",
        user=user,
        object_type="voice_item",
        object_id=item.id,
        detail={
            "consent_scope": data.consent_scope,
            "findings": summarise_findings(findings) if findings else None,
            "batch_id": batch_id,
        },
    )
    return item


def _replace_links(
    session: Session, item_id: int, themes: Iterable[str], indicators: Iterable[str]
) -> None:
    session.execute(delete(VoiceItemTheme).where(VoiceItemTheme.voice_item_id == item_id))
    session.execute(delete(VoiceItemIndicator).where(VoiceItemIndicator.voice_item_id == item_id))
    for theme in dict.fromkeys(themes):
        session.add(VoiceItemTheme(voice_item_id=item_id, theme_id=theme))
    for indicator in dict.fromkeys(indicators):
        session.add(VoiceItemIndicator(voice_item_id=item_id, indicator_id=indicator))
    session.flush()


def _moderated_item(session: Session, user: UserRecord, item_id: int, action: str) -> VoiceItem:
    _require_role(user, _ANALYST_ROLES, action)
    item = session.get(VoiceItem, int(item_id))
    # The same answer for no such item and another organisation's: ids reveal nothing.
    if item is None:
        raise VoiceNotAllowed(NO_SUCH_ITEM)
    try:
        _require_owner(session, user, item, action)
    except VoiceNotAllowed:
        raise VoiceNotAllowed(NO_SUCH_ITEM) from None
    return item


def approve_voice_item(session: Session, user: UserRecord, item_id: int) -> VoiceItem:
    """An analyst of the owning organisation approves a pending item.

    Refused while suspected personal details have not been cleared (removed, or marked a
    false alarm by an analyst), and for withdrawn items.
    """
    item = _moderated_item(session, user, item_id, "voice.approve")
    if item.withdrawn:
        raise VoiceError("A withdrawn item cannot be approved.")
    if not item.deidentified:
        findings = check_text(item.text)
        raise VoiceError(
            "This item may contain personal details "
            f"({summarise_findings(findings)}): mark a false alarm or edit it first."
        )
    item.moderation_status = "approved"
    item.updated_at = utcnow()
    write_audit(session, "voice.approve", user=user, object_type="voice_item", object_id=item.id)
    return item


def mark_false_alarm(session: Session, user: UserRecord, item_id: int) -> VoiceItem:
    """An analyst confirms the checker's findings on this item are not personal details."""
    item = _moderated_item(session, user, item_id, "voice.false_alarm")
    if item.withdrawn:
        raise VoiceError("A withdrawn item cannot be changed.")
    item.deidentified = True
    item.false_alarm_reviewed_by = user.id
    item.updated_at = utcnow()
    write_audit(
        session,
        "voice.false_alarm",
        user=user,
        object_type="voice_item",
        object_id=item.id,
        detail={"findings": summarise_findings(check_text(item.text))},
    )
    return item


def edit_voice_item(
    session: Session, user: UserRecord, item_id: int, data: VoiceInput, *, false_alarm: bool = False
) -> VoiceItem:
    """An analyst of the owning organisation edits an item; the text is checked again.

    An edited text with new findings is refused unless ``false_alarm`` (the analyst's mark).
    """
    item = _moderated_item(session, user, item_id, "voice.approve")
    if item.withdrawn:
        raise VoiceError("A withdrawn item cannot be edited.")
    problems = validate_voice_input(session, data)
    if problems:
        raise VoiceError(" ".join(problems))
    findings = check_text(data.text)
    if findings and not false_alarm:
        raise PersonalDetailsFound(findings)
    changed = [
        name
        for name in (
            "text",
            "speaker_role",
            "age_band",
            "service",
            "method",
            "collected_on",
            "consent_scope",
            "consent_date",
            "review_date",
        )
        if getattr(item, name) != (getattr(data, name) or None)
    ]
    item.text = data.text.strip()
    for name in changed:
        if name != "text":
            setattr(item, name, getattr(data, name) or None)
    item.deidentified = True
    if findings:
        item.false_alarm_reviewed_by = user.id
    item.updated_at = utcnow()
    _replace_links(session, item.id, data.themes, data.indicators)
    write_audit(
        session,
        "voice.edit",
        user=user,
        object_type="voice_item",
        object_id=item.id,
        detail={"fields": changed},
    )
    return item


def withdraw_voice_item(
    session: Session, user: UserRecord, item_id: int, reason: str = "consent withdrawn"
) -> VoiceItem:
    """Withdraw an item everywhere at once, keeping a tombstone for audit.

    The text and the speaker's characteristics are blanked; the id, dates, role, service,
    area, who entered it and the audit trail stay. No read path returns withdrawn items.
    """
    item = _moderated_item(session, user, item_id, "voice.withdraw")
    if item.withdrawn:
        return item
    item.withdrawn = True
    item.withdrawn_at = utcnow()
    item.moderation_status = "withdrawn"
    item.text = ""
    item.sex = None
    item.ethnicity_group = None
    item.disability = None
    item.age_band = None
    item.updated_at = utcnow()
    write_audit(
        session,
        "voice.withdraw",
        user=user,
        object_type="voice_item",
        object_id=item.id,
        detail={"reason": reason[:200]},
    )
    return item


def moderation_queue(session: Session, user: UserRecord, status: str = "pending") -> pd.DataFrame:
    """The owning organisation's items awaiting moderation (or approved, for withdrawal).

    A view on :func:`visible_voice_items` with ``moderation=True``; adds ``findings`` (a
    list of Finding) and ``findings_summary`` for each item. Empty below analyst.
    """
    if user is None or not _is_analyst(user):
        return _empty_frame()
    frame = visible_voice_items(
        session,
        user,
        moderation=True,
        statuses=[status],
        area_codes=None,
        purpose="moderation",
    )
    frame = frame[frame["organisation_id"] == user.organisation_id].reset_index(drop=True)
    frame["findings"] = [check_text(t) for t in frame["text"]]
    frame["findings_summary"] = [summarise_findings(f) if f else "" for f in frame["findings"]]
    return frame


def tombstones(session: Session, user: UserRecord) -> pd.DataFrame:
    """Withdrawn items of the user's organisation: id, dates, who withdrew (no text)."""
    _require_role(user, _ANALYST_ROLES, "voice.approve")
    rows = session.execute(
        select(
            VoiceItem.id,
            VoiceItem.speaker_role,
            VoiceItem.service,
            VoiceItem.collected_on,
            VoiceItem.consent_date,
            VoiceItem.withdrawn_at,
            VoiceItem.entered_by,
        )
        .where(VoiceItem.withdrawn == true(), VoiceItem.organisation_id == user.organisation_id)
        .order_by(VoiceItem.withdrawn_at.desc())
    ).all()
    return pd.DataFrame(
        rows,
        columns=[
            "id",
            "speaker_role",
            "service",
            "collected_on",
            "consent_date",
            "withdrawn_at",
            "entered_by",
        ],
    )


# --------------------------------------------------------------------------- codebook


def list_themes(session: Session) -> pd.DataFrame:
    """The codebook: id, label, description, examples, items (approved items using it)."""
    used = dict(
        session.execute(
            select(VoiceItemTheme.theme_id, func.count())
            .join(VoiceItem, VoiceItem.id == VoiceItemTheme.voice_item_id)
            .where(VoiceItem.withdrawn == false())
            .group_by(VoiceItemTheme.theme_id)
        ).all()
    )
    rows = [
        {
            "id": t.id,
            "label": t.label,
            "description": t.description or "",
            "examples": t.examples or "",
            "items": int(used.get(t.id, 0)),
        }
        for t in session.scalars(select(VoiceTheme).order_by(VoiceTheme.label))
    ]
    return pd.DataFrame(rows, columns=["id", "label", "description", "examples", "items"])


def _theme_id(label: str) -> str:
    import re

    slug = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
    return slug[:64] or "theme"


def save_theme(
    session: Session,
    user: UserRecord,
    label: str,
    description: str = "",
    examples: str = "",
    theme_id: str | None = None,
) -> VoiceTheme:
    """Create a theme (id made from the label) or update the one with ``theme_id``."""
    _require_role(user, _ANALYST_ROLES, "codebook.edit")
    label = (label or "").strip()
    if not label:
        raise VoiceError("A theme needs a label.")
    if theme_id:
        theme = session.get(VoiceTheme, theme_id)
        if theme is None:
            raise VoiceError(f"There is no theme {theme_id!r}.")
        if not theme_change_allowed(session, user, theme_id):
            raise VoiceNotAllowed(THEME_NOT_YOURS)
        action = "codebook.update"
    else:
        new_id = _theme_id(label)
        if session.get(VoiceTheme, new_id) is not None:
            raise VoiceError(f"A theme {new_id!r} already exists.")
        theme = VoiceTheme(id=new_id)
        session.add(theme)
        action = "codebook.create"
    theme.label = label[:200]
    theme.description = (description or "").strip() or None
    theme.examples = (examples or "").strip() or None
    session.flush()
    if action == "codebook.create":
        record_theme_owner(session, user, theme.id)
    write_audit(session, action, user=user, object_type="voice_theme", object_id=theme.id)
    return theme


def delete_theme(session: Session, user: UserRecord, theme_id: str) -> None:
    """Delete an unused theme. Themes still on items are kept (say which to recode)."""
    _require_role(user, _ANALYST_ROLES, "codebook.edit")
    in_use = session.scalar(
        select(func.count()).select_from(VoiceItemTheme).where(VoiceItemTheme.theme_id == theme_id)
    )
    if in_use:
        raise VoiceError(f"The theme is used by {in_use} items; recode them first.")
    if not theme_change_allowed(session, user, theme_id):
        raise VoiceNotAllowed(THEME_NOT_YOURS)
    session.execute(delete(VoiceThemeOwner).where(VoiceThemeOwner.theme_id == theme_id))
    session.execute(delete(VoiceTheme).where(VoiceTheme.id == theme_id))
    write_audit(
        session, "codebook.delete", user=user, object_type="voice_theme", object_id=theme_id
    )


def upsert_codebook(session: Session, codebook: pd.DataFrame) -> int:
    """Insert or update themes from rows with id, label, description, examples."""
    for row in codebook.fillna("").itertuples():
        theme = session.get(VoiceTheme, row.id) or VoiceTheme(id=row.id)
        theme.label = row.label
        theme.description = row.description or None
        theme.examples = row.examples or None
        session.add(theme)
    session.flush()
    return len(codebook)


# --------------------------------------------------------------------------- CSV import

IMPORT_REQUIRED = ("text", "speaker_role", "service", "method", "consent_scope", "consent_date")
IMPORT_OPTIONAL = (
    "age_band",
    "sex",
    "ethnicity_group",
    "disability",
    "area_code",
    "collected_on",
    "review_date",
    "themes",
    "indicators",
)


@dataclass
class ImportReport:
    """What a voice CSV import did: rows loaded and rejected rows with line numbers."""

    rows_total: int = 0
    rows_loaded: int = 0
    rejected: list[dict] = field(default_factory=list)  # {"line": n, "reason": "..."}
    batch_id: int | None = None
    item_ids: list[int] = field(default_factory=list)


def _split_list(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(v.strip() for v in str(value).replace(",", ";").split(";") if v.strip())


def _row_to_input(row: dict[str, str]) -> VoiceInput:
    def text(name: str) -> str | None:
        value = (row.get(name) or "").strip()
        return value or None

    def day(name: str) -> date | None:
        value = text(name)
        if value is None:
            return None
        try:
            return date.fromisoformat(value[:10])
        except ValueError as exc:
            raise VoiceError(f"{name} {value!r} is not a date like 2025-03-31.") from exc

    return VoiceInput(
        text=text("text") or "",
        speaker_role=text("speaker_role") or "",
        service=text("service") or "",
        method=text("method") or "",
        consent_scope=text("consent_scope") or "",
        collected_on=day("collected_on"),
        consent_date=day("consent_date"),
        review_date=day("review_date"),
        age_band=text("age_band"),
        sex=text("sex"),
        ethnicity_group=text("ethnicity_group"),
        disability=text("disability"),
        area_code=text("area_code"),
        themes=_split_list(row.get("themes")),
        indicators=_split_list(row.get("indicators")),
    )


def import_voice_csv(
    session: Session, user: UserRecord, content: bytes | str, filename: str = "voice.csv"
) -> ImportReport:
    """Import voice items from CSV as pending items of the user's organisation.

    Columns: ``IMPORT_REQUIRED`` plus any of ``IMPORT_OPTIONAL`` (themes and indicators
    separated by semicolons). Each row gets the same checks as the form, personal details
    included (no false-alarm override in bulk); failing rows are reported with their line
    number in the file (the header is line 1) and the rest are loaded.
    """
    _require_role(user, _ANALYST_ROLES, "data.import")
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
    reader = csv.DictReader(io.StringIO(text))
    report = ImportReport()
    headers = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in IMPORT_REQUIRED if c not in headers]
    if missing:
        report.rejected.append({"line": 1, "reason": f"Missing columns: {', '.join(missing)}."})
        return report
    batch = ImportBatch(
        filename=filename[:300],
        format="voice_csv",
        status="committed",
        # No organisation_id: import batches are shared reference rows that outlive
        # organisations in tests and resets; the organisation is in the report instead.
        created_by=user.username,
    )
    session.add(batch)
    session.flush()
    report.batch_id = batch.id
    for line, row in enumerate(reader, start=2):
        report.rows_total += 1
        row = {(k or "").strip(): v for k, v in row.items()}
        try:
            data = _row_to_input(row)
            if data.area_code and not owns_area(user.organisation_code, data.area_code):
                raise VoiceError("area_code must be your own organisation's area.")
            with session.begin_nested():
                item = create_voice_item(session, user, data, batch_id=batch.id)
            report.item_ids.append(item.id)
            report.rows_loaded += 1
        except PersonalDetailsFound as exc:
            report.rejected.append(
                {"line": line, "reason": f"Personal details: {summarise_findings(exc.findings)}."}
            )
        except VoiceError as exc:
            report.rejected.append({"line": line, "reason": str(exc)})
    batch.rows_total = report.rows_total
    batch.rows_loaded = report.rows_loaded
    batch.rows_rejected = len(report.rejected)
    import json

    batch.report = json.dumps({"organisation": user.organisation_code, "rejected": report.rejected})
    write_audit(
        session,
        "voice.import",
        user=user,
        object_type="import_batch",
        object_id=batch.id,
        detail={"loaded": report.rows_loaded, "rejected": len(report.rejected)},
    )
    return report


# --------------------------------------------------------------------------- coverage

# Who is served, per service: the indicator and the count column that measures it.
SERVICE_POPULATION = {
    "early_help": ("eh_requests", "numerator"),
    "early_years": ("family_hub_reach_0_4", "numerator"),
    "care_leavers": ("pathway_plan_timely", "denominator"),
}
COVERAGE_DIMENSIONS = {
    "speaker_role": "Speaker role",
    "age_band": "Age band",
    "sex": "Sex",
    "ethnicity_group": "Ethnic group",
    "disability": "Disability",
}
# Voice dimension -> the breakdown name in the indicator data.
_BREAKDOWN_OF = {
    "age_band": "age_band",
    "sex": "sex",
    "ethnicity_group": "ethnicity",
    "disability": "disability",
}
# Voice values -> the service data's values, where they differ.
_GROUP_MAP = {
    "sex": {"not recorded": "unknown"},
    "ethnicity_group": {"not recorded": "unknown"},
    "disability": {"yes": "disabled", "no": "not disabled", "not recorded": "unknown"},
    "age_band": {"under 5": "0-4"},
}
# Speakers who use the service themselves (not practitioners or the wider community).
SERVICE_USER_ROLES = ("child", "young_person", "parent_carer")
CHILD_ROLES = ("child", "young_person")


def service_population(
    session: Session, area_code: str, service: str, dimension: str, months: int = 12
) -> pd.DataFrame:
    """Who is served: the service's count by group over its last ``months`` months.

    Columns group, population. Empty when the service data has no such breakdown.
    """
    if service not in SERVICE_POPULATION or dimension not in _BREAKDOWN_OF:
        return pd.DataFrame(columns=["group", "population"])
    indicator, column = SERVICE_POPULATION[service]
    count = Observation.numerator if column == "numerator" else Observation.denominator
    breakdown = _BREAKDOWN_OF[dimension]
    latest = session.scalar(
        select(func.max(Observation.period_start)).where(
            Observation.indicator_id == indicator,
            Observation.area_code == area_code,
            Observation.breakdown == breakdown,
        )
    )
    if latest is None:
        return pd.DataFrame(columns=["group", "population"])
    start = (pd.Timestamp(latest) - pd.DateOffset(months=months - 1)).date()
    rows = session.execute(
        select(Observation.breakdown_value, func.sum(count))
        .where(
            Observation.indicator_id == indicator,
            Observation.area_code == area_code,
            Observation.breakdown == breakdown,
            Observation.period_start >= start,
        )
        .group_by(Observation.breakdown_value)
        .order_by(Observation.breakdown_value)
    ).all()
    return pd.DataFrame(rows, columns=["group", "population"])


def voice_counts_by(frame: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """Count voice rows by a dimension, mapped to the service data's group names.

    Takes voice rows (the dimension column and speaker_role); returns group, voice_count.
    Age bands count only children and young people; the other characteristics count the
    people who use the service (children, young people, parents and carers).
    """
    if frame.empty:
        return pd.DataFrame(columns=["group", "voice_count"])
    if dimension == "speaker_role":
        rows = frame
    elif dimension == "age_band":
        rows = frame[frame["speaker_role"].isin(CHILD_ROLES)]
    else:
        rows = frame[frame["speaker_role"].isin(SERVICE_USER_ROLES)]
    mapping = _GROUP_MAP.get(dimension, {})
    groups = rows[dimension].fillna("not recorded").map(lambda v: mapping.get(v, str(v).lower()))
    counts = groups.value_counts().rename_axis("group").reset_index(name="voice_count")
    return counts


def coverage_for(
    session: Session,
    user: UserRecord,
    area_code: str,
    service: str,
    dimension: str,
    threshold: int | None = None,
) -> pd.DataFrame:
    """Voice coverage for one area, service and dimension (analysis.voice_coverage output).

    Voice counts come from the items ``user`` may see (through visible_voice_items);
    speaker role has no population figure, so its population columns are empty.
    """
    threshold = disclosure_threshold() if threshold is None else threshold
    items = visible_voice_items(
        session, user, area_codes=[area_code], services=[service], purpose="coverage", audit=False
    )
    voices = voice_counts_by(items, dimension)
    population = service_population(session, area_code, service, dimension)
    if population.empty:
        groups = voices["group"] if len(voices) else pd.Series(dtype=object)
        population = pd.DataFrame({"group": groups, "population": float("nan")})
    return voice_coverage(voices, population, threshold=threshold)


# --------------------------------------------------------------------------- you said, we did


def you_said_we_did(session: Session, user: UserRecord, area_code: str | None = None) -> list[dict]:
    """Actions (annotations of kind action) linked to quotes the user may see.

    Returns dicts: annotation_id, indicator, area_code, body, created_at, status,
    organisation_code, quotes (voice rows as dicts). Notes pass through
    :func:`data_access.annotations.visible_note_clause`, quotes through visible_voice_items.
    """
    if user is None:
        return []
    visible = visible_note_clause(user)  # the one rule for every read of notes
    query = (
        select(Annotation, Organisation.code)
        .join(Organisation, Organisation.id == Annotation.organisation_id)
        .where(
            Annotation.kind == "action",
            Annotation.deleted_at.is_(None),
            Annotation.id.in_(select(AnnotationVoiceLink.annotation_id)),
            visible,
        )
        .order_by(Annotation.created_at.desc())
    )
    if area_code:
        query = query.where(Annotation.area_code == area_code)
    annotations = session.execute(query).all()
    if not annotations:
        return []
    links = session.execute(
        select(AnnotationVoiceLink.annotation_id, AnnotationVoiceLink.voice_item_id).where(
            AnnotationVoiceLink.annotation_id.in_([a.id for a, _ in annotations])
        )
    ).all()
    quotes = visible_voice_items(
        session, user, ids=sorted({v for _, v in links}), purpose="actions"
    )
    by_id = {int(r["id"]): r for r in quotes.to_dict("records")}
    out = []
    for annotation, org_code in annotations:
        linked = [by_id[v] for a, v in links if a == annotation.id and v in by_id]
        if not linked:
            continue  # every quote withdrawn or out of scope: nothing to show families
        out.append(
            {
                "annotation_id": annotation.id,
                "indicator": annotation.indicator_id,
                "area_code": annotation.area_code,
                "body": annotation.body,
                "created_at": annotation.created_at,
                "status": annotation.status,
                "organisation_code": org_code,
                "quotes": linked,
            }
        )
    return out


# --------------------------------------------------------------------------- demo

DEMO_VOICE_DIR = Path("demo")


def seed_demo_extra(session: Session, data_dir: Path) -> int:
    """Load the illustrative codebook and voice items (data/demo/*.csv). Returns items added.

    Items belong to the organisation whose code is their area code; areas without a demo
    organisation are skipped. Every item is marked illustrative.
    """
    folder = Path(data_dir) / DEMO_VOICE_DIR
    upsert_codebook(session, pd.read_csv(folder / "voice_codebook.csv", dtype=str))
    items = pd.read_csv(folder / "voice_items.csv", dtype=str, keep_default_na=False)
    organisations = dict(session.execute(select(Organisation.code, Organisation.id)).all())
    known_indicators = set(session.scalars(select(Indicator.id)))
    added = 0
    for row in items.to_dict("records"):
        org_id = organisations.get(row["area_code"])
        if org_id is None:
            continue
        item = VoiceItem(
            text=row["text"],
            speaker_role=row["speaker_role"],
            age_band=row["age_band"] or None,
            sex=row["sex"] or None,
            ethnicity_group=row["ethnicity_group"] or None,
            disability=row["disability"] or None,
            area_code=row["area_code"],
            organisation_id=org_id,
            service=row["service"],
            method=row["method"],
            collected_on=_to_date(row["collected_on"]),
            consent_scope=row["consent_scope"],
            consent_date=_to_date(row["consent_date"]),
            review_date=_to_date(row["review_date"]),
            moderation_status=row["moderation_status"] or "pending",
            deidentified=row["deidentified"].lower() == "true",
            illustrative=True,
        )
        session.add(item)
        session.flush()
        indicators = [i for i in _split_list(row["indicators"]) if i in known_indicators]
        _replace_links(session, item.id, _split_list(row["themes"]), indicators)
        added += 1
    return added


__all__ = [
    "AGE_BANDS",
    "CONSENT_SCOPES",
    "COVERAGE_DIMENSIONS",
    "ImportReport",
    "METHODS",
    "PersonalDetailsFound",
    "SERVICES",
    "SPEAKER_ROLES",
    "VoiceError",
    "VoiceInput",
    "VoiceNotAllowed",
    "add_attribution",
    "approve_voice_item",
    "check_text",
    "coverage_for",
    "create_voice_item",
    "delete_theme",
    "edit_voice_item",
    "import_voice_csv",
    "list_themes",
    "mark_false_alarm",
    "moderation_queue",
    "save_theme",
    "seed_demo_extra",
    "service_population",
    "set_hide_past_review",
    "visible_voice_items",
    "withdraw_voice_item",
    "you_said_we_did",
]


# --------------------------------------------------------------------------- library helpers


def theme_counts_by_year(frame: pd.DataFrame) -> pd.DataFrame:
    """Quotes per theme per year collected, from voice rows (theme_labels, collected_on).

    Returns columns year, theme_label, items (a quote with two themes counts in both).
    """
    if frame.empty:
        return pd.DataFrame(columns=["year", "theme_label", "items"])
    rows = frame[["collected_on", "theme_labels"]].explode("theme_labels").dropna()
    rows = rows.assign(year=[d.year for d in rows["collected_on"]])
    counts = rows.groupby(["year", "theme_labels"]).size().reset_index(name="items")
    return counts.rename(columns={"theme_labels": "theme_label"})


def voice_filter_options(session: Session) -> dict[str, list[dict[str, str]]]:
    """Choices for the library filters: themes, areas with voice, and linked indicators.

    Returns {"themes", "areas", "indicators"}, each a list of {"label", "value"}. Holds no
    quote text; areas are those of organisations that hold voice items.
    """
    themes = [
        {"label": label, "value": theme_id}
        for theme_id, label in session.execute(
            select(VoiceTheme.id, VoiceTheme.label).order_by(VoiceTheme.label)
        )
    ]
    areas = [
        {"label": name or code, "value": code}
        for code, name in session.execute(
            select(VoiceItem.area_code, Area.name)
            .join(Area, Area.code == VoiceItem.area_code, isouter=True)
            .distinct()
            .order_by(Area.name)
        )
    ]
    indicators = [
        {"label": title, "value": ind_id}
        for ind_id, title in session.execute(
            select(Indicator.id, Indicator.short_title)
            .where(Indicator.id.in_(select(VoiceItemIndicator.indicator_id)))
            .order_by(Indicator.short_title)
        )
    ]
    return {"themes": themes, "areas": areas, "indicators": indicators}


def indicator_titles(session: Session) -> dict[str, str]:
    """Indicator id -> short title, for labels."""
    return dict(session.execute(select(Indicator.id, Indicator.short_title)).all())


def voice_export_csv(frame: pd.DataFrame) -> str:
    """CSV text of voice rows for a download (the API's columns; lists joined by ';')."""
    columns = [
        "id",
        "text",
        "attribution",
        "speaker_role",
        "service",
        "method",
        "area_code",
        "collected_on",
        "themes",
        "indicators",
        "consent_scope",
        "illustrative",
    ]
    out = frame.reindex(columns=columns).copy()
    for column in ("themes", "indicators"):
        out[column] = [";".join(v) if isinstance(v, list) else "" for v in out[column]]
    return csv_text(out)
