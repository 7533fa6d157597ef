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

The package is split by concern (each module's docstring says which); every public name is
importable from ``data_access.voice`` as before.
"""

# sqlalchemy's delete and the VoiceItemTheme model: reached through this module by existing
# tests before the split, so still importable from here.
from sqlalchemy import delete

from data_access.models import VoiceItemTheme
from data_access.voice.attribution import add_attribution, attribution_counts
from data_access.voice.codebook import delete_theme, list_themes, save_theme, upsert_codebook
from data_access.voice.coverage import (
    CHILD_ROLES,
    COVERAGE_DIMENSIONS,
    SERVICE_POPULATION,
    SERVICE_USER_ROLES,
    coverage_for,
    service_population,
    voice_counts_by,
)
from data_access.voice.csv_import import (
    IMPORT_OPTIONAL,
    IMPORT_REQUIRED,
    ImportReport,
    import_voice_csv,
)
from data_access.voice.errors import PersonalDetailsFound, VoiceError, VoiceNotAllowed
from data_access.voice.library import (
    indicator_titles,
    theme_counts_by_year,
    voice_export_csv,
    voice_filter_options,
)
from data_access.voice.preferences import (
    disclosure_threshold,
    hide_past_review_default,
    hide_past_review_overrides,
    set_hide_past_review,
)
from data_access.voice.scope import (
    audit_restricted_reads,
    has_restricted_items,
    visible_voice_items,
)
from data_access.voice.vocabulary import (
    AGE_BANDS,
    CONSENT_SCOPES,
    HIDE_PAST_REVIEW_KEY,
    METHOD_LABELS,
    METHODS,
    MODERATION_STATUSES,
    RESTRICTED_SCOPE,
    ROLE_LABELS,
    SCOPE_LABELS,
    SERVICE_LABELS,
    SERVICES,
    SPEAKER_ROLES,
    VOICE_COLUMNS,
)
from data_access.voice.writes import (
    VoiceInput,
    approve_voice_item,
    check_text,
    create_voice_item,
    edit_voice_item,
    mark_false_alarm,
    moderation_queue,
    tombstones,
    validate_voice_input,
    withdraw_voice_item,
)
from data_access.voice.you_said_we_did import you_said_we_did

__all__ = [
    "add_attribution",
    "AGE_BANDS",
    "approve_voice_item",
    "attribution_counts",
    "audit_restricted_reads",
    "check_text",
    "CHILD_ROLES",
    "CONSENT_SCOPES",
    "COVERAGE_DIMENSIONS",
    "coverage_for",
    "create_voice_item",
    "delete",
    "delete_theme",
    "disclosure_threshold",
    "edit_voice_item",
    "has_restricted_items",
    "hide_past_review_default",
    "HIDE_PAST_REVIEW_KEY",
    "hide_past_review_overrides",
    "IMPORT_OPTIONAL",
    "IMPORT_REQUIRED",
    "import_voice_csv",
    "ImportReport",
    "indicator_titles",
    "list_themes",
    "mark_false_alarm",
    "METHOD_LABELS",
    "METHODS",
    "moderation_queue",
    "MODERATION_STATUSES",
    "PersonalDetailsFound",
    "RESTRICTED_SCOPE",
    "ROLE_LABELS",
    "save_theme",
    "SCOPE_LABELS",
    "SERVICE_LABELS",
    "SERVICE_POPULATION",
    "service_population",
    "SERVICE_USER_ROLES",
    "SERVICES",
    "set_hide_past_review",
    "SPEAKER_ROLES",
    "theme_counts_by_year",
    "tombstones",
    "upsert_codebook",
    "validate_voice_input",
    "visible_voice_items",
    "VOICE_COLUMNS",
    "voice_counts_by",
    "voice_export_csv",
    "voice_filter_options",
    "VoiceError",
    "VoiceInput",
    "VoiceItemTheme",
    "VoiceNotAllowed",
    "withdraw_voice_item",
    "you_said_we_did",
]
