"""What consent lets a quote go where: the one rule for a file that leaves Chorus.

A quote's consent scope is own_organisation, learning_network or publication. Screens
inside Chorus show what the reader may see (``data_access.voice``); a downloaded file
(the Voice page's CSV, the API's CSV, a session record's CSV or HTML, the monthly pack)
can be forwarded anywhere, so it carries only quotes consented for publication.
"""

from __future__ import annotations

DOWNLOAD_SCOPES: tuple[str, ...] = ("publication",)


def may_leave_chorus(consent_scope: object) -> bool:
    """Whether a quote with this consent scope may be written into a downloaded file.

    A missing scope is refused: a quote whose consent is unknown stays inside.
    """
    return consent_scope in DOWNLOAD_SCOPES
