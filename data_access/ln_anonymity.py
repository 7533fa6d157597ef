"""The "Authority A, B, C" mapping of a Learning Network session, and anonymised storage of
contributions made in an anonymised session.

The mapping is built here (not in the pages) so that a contribution is anonymised when it
is saved: in an anonymised session nothing stored with a contribution names a participant
(its text, who said it, the step title) and the note is held by the session's facilitator
and organisation, so the annotations API, the Discussion page and every export serve it
anonymised without a rule of their own. The original text is not kept.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from analysis.anonymise import authority_labels
from data_access import learning_network as ln
from data_access import views
from data_access.annotations import WriteResult
from data_access.users import UserRecord


def authority_mapping(session: Session, record: ln.SessionRecord) -> dict[str, str]:
    """Codes and names of every authority the session touches -> "Authority A" ..."""
    return authority_labels(views.session_authorities(session, record))


def add_contribution(
    session: Session,
    user: UserRecord,
    session_id: int,
    step_id: int,
    body: str,
    said_by: str | None = None,
    *,
    kind: str | None = None,
) -> WriteResult:
    """:func:`data_access.learning_network.add_contribution` with the session's labels, so
    a contribution to an anonymised session is stored anonymised."""
    record = ln.get_session(session, user, session_id)
    mapping = authority_mapping(session, record) if record and record.anonymised else None
    return ln.add_contribution(
        session, user, session_id, step_id, body, said_by, mapping, kind=kind
    )
