"""You said, we did: actions linked to quotes the user may see."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.annotations import visible_note_clause
from data_access.models import Annotation, AnnotationVoiceLink, Organisation
from data_access.users import UserRecord
from data_access.voice.scope import visible_voice_items


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
