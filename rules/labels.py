"""Labels shown for annotation visibilities and voice consent scopes: one spelling each."""

from __future__ import annotations

from rules.consent import LEARNING_NETWORK, OWN_ORGANISATION, PUBLICATION

VISIBILITY_LABELS: dict[str, str] = {
    "private": "Only me",
    "organisation": "My organisation",
    "learning_network": "Learning Network",
}

CONSENT_SCOPE_LABELS: dict[str, str] = {
    OWN_ORGANISATION: "Own organisation only",
    LEARNING_NETWORK: "Learning Network",
    PUBLICATION: "May be published",
}
