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

# Breakdowns (the dimensions a figure is split by), in words: the one list every page,
# chart, table and export uses.
BREAKDOWN_NAMES: dict[str, str] = {
    "total": "Whole population",
    "fsm": "Free school meals",
    "sex": "Sex",
    "sen": "Special educational needs",
    "eal": "English as an additional language",
    "ethnicity": "Ethnicity",
    "age_band": "Age band",
    "imd_quintile": "Deprivation (IMD quintile)",
    "uasc": "Unaccompanied asylum-seeking",
    "disability": "Disability",
}


def breakdown_name(code: str) -> str:
    """A breakdown's name in words; an unknown code is written out, never shown raw."""
    if code in BREAKDOWN_NAMES:
        return BREAKDOWN_NAMES[code]
    words = code.replace("_", " ").strip()
    return words[:1].upper() + words[1:]
