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

from sqlalchemy.orm import Session

from analysis.anonymise import anonymise_text, authority_labels
from data_access import learning_network as ln
from data_access import views


def authority_mapping(session: Session, record: ln.SessionRecord) -> dict[str, str]:
    """Codes and names of every authority the session touches -> "Authority A" ..."""
    return authority_labels(views.session_authorities(session, record))


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
