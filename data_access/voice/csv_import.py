"""Importing voice items from a CSV file, with the same checks as the form."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from analysis.personal_details import summarise_findings
from data_access.models import ImportBatch
from data_access.users import UserRecord, write_audit
from data_access.voice.errors import PersonalDetailsFound, VoiceError
from data_access.voice.guards import _require_role
from data_access.voice.vocabulary import _ANALYST_ROLES
from data_access.voice.writes import VoiceInput, create_voice_item
from rules.ownership import owns_area

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
