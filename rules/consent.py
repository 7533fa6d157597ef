"""Voice consent scope: who may read, list and download a quote.

- ``own_organisation``: read only inside the owning organisation; every such read is
  audited (the restricted scope);
- ``learning_network``: read by organisations in the Learning Network when the owning
  organisation is in it too, and by the owner;
- ``publication``: read by everyone logged in, and the only scope that may be downloaded
  (a download leaves Chorus's control).

Withdrawn and unapproved items are outside these rules (the moderation status decides).
The SQL form of :func:`may_read` is ``data_access.voice.scope._scope_condition``.
"""

from __future__ import annotations

OWN_ORGANISATION = "own_organisation"
LEARNING_NETWORK = "learning_network"
PUBLICATION = "publication"

CONSENT_SCOPES: tuple[str, ...] = (OWN_ORGANISATION, LEARNING_NETWORK, PUBLICATION)
# Reads of these items are audited (the id and purpose, never the text).
RESTRICTED_SCOPE = OWN_ORGANISATION
# The scopes a Learning Network session may list for its participants.
LEARNING_NETWORK_SCOPES: tuple[str, ...] = (LEARNING_NETWORK, PUBLICATION)
# The scopes a downloaded file may hold: a file can be forwarded anywhere.
DOWNLOAD_SCOPES: tuple[str, ...] = (PUBLICATION,)


def may_read(
    scope: str, *, same_organisation: bool, reader_in_network: bool, owner_in_network: bool
) -> bool:
    """Whether a reader may read an (approved, current) item with this consent scope."""
    if scope == PUBLICATION or same_organisation:
        return True
    return scope == LEARNING_NETWORK and reader_in_network and owner_in_network


def may_leave_chorus(consent_scope: object) -> bool:
    """Whether a quote with this consent scope may be written into a downloaded file.

    A missing scope is refused: a quote whose consent is unknown stays inside.
    """
    return consent_scope in DOWNLOAD_SCOPES
