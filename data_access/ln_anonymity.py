"""The "Authority A, B, C" mapping of a Learning Network session, and anonymised storage of
contributions made in an anonymised session.

The mapping is built here (not in the pages) so that a contribution is anonymised when it
is saved: in an anonymised session nothing stored with a contribution names a participant
(its text, who said it, the step title) and the note is held by the session's facilitator
and organisation, so the annotations API, the Discussion page and every export serve it
anonymised without a rule of their own. The original text is not kept.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.anonymise import anonymise_text, authority_labels
from data_access import indicators_query as iq
from data_access import learning_network as ln
from data_access.models import Area, Organisation


def _is_authority(session: Session, code: str) -> bool:
    area = session.get(Area, code)
    if area is not None:
        return area.area_type == "la"
    kind = session.scalar(select(Organisation.kind).where(Organisation.code == code))
    return kind == "local_authority"


def _name_of(session: Session, code: str) -> str:
    return ln.participant_names(session, [code])[code]


def authority_mapping(session: Session, record: ln.SessionRecord) -> dict[str, str]:
    """Codes and names of every authority the session touches -> "Authority A" ..."""
    codes: list[str] = [c for c in record.participants if _is_authority(session, c)]
    for step in record.steps:
        if step.kind != "indicator":
            continue
        for code in [step.config.get("area"), *(step.config.get("compare") or [])]:
            if code and code not in iq.FIXED_COMPARATORS and _is_authority(session, code):
                codes.append(code)
    unique = list(dict.fromkeys(codes))
    pairs = [(code, _name_of(session, code)) for code in unique]
    # An authority's other code (North Yorkshire before 2023) shares its name and label.
    for code, name in list(pairs):
        area = session.get(Area, code)
        if area is not None and area.la_number is not None:
            for other in session.scalars(
                select(Area.code).where(Area.la_number == area.la_number, Area.code != code)
            ):
                pairs.append((other, name))
    return authority_labels(pairs)


def anonymised_contribution(
    session: Session,
    record: ln.SessionRecord,
    body: str,
    said_by: str | None,
    view_state: dict[str, Any],
) -> tuple[str, dict[str, Any]]:
    """The body and view state to store for a contribution to an anonymised session.

    Authority names and codes in the text and step title become their labels; who said it
    becomes the label ("Authority B"), never the participant's code.
    """
    mapping = authority_mapping(session, record)
    state = dict(view_state)
    state["ln_attribution"] = mapping.get(said_by, "Authority") if said_by else None
    state["ln_step_title"] = anonymise_text(str(state.get("ln_step_title") or ""), mapping)
    state["comparators"] = []  # the chart's comparators would name the other authorities
    state["ln_anonymised"] = True
    return anonymise_text(body, mapping), state
