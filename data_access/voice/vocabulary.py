"""The voice vocabulary: speaker roles, services, methods, consent scopes, their labels,
and the columns of a voice frame."""

from __future__ import annotations

from rules.consent import CONSENT_SCOPES as CONSENT_SCOPES
from rules.consent import RESTRICTED_SCOPE as RESTRICTED_SCOPE
from rules.labels import CONSENT_SCOPE_LABELS
from rules.roles import ANALYST, roles_at_least

SPEAKER_ROLES = ("child", "young_person", "parent_carer", "practitioner", "community")
SERVICES = ("early_years", "early_help", "care_leavers")
METHODS = (
    "survey",
    "focus_group",
    "interview",
    "participation_group",
    "feedback_form",
    "app_statement",
    "complaint_compliment",
)
AGE_BANDS = ("under 5", "5-10", "11-15", "16-17", "18-21", "22-25", "adult")
MODERATION_STATUSES = ("pending", "approved", "withdrawn")
HIDE_PAST_REVIEW_KEY = "hide_voice_past_review"

ROLE_LABELS = {
    "child": "Child",
    "young_person": "Young person",
    "parent_carer": "Parent or carer",
    "practitioner": "Practitioner",
    "community": "Community member",
}
SERVICE_LABELS = {
    "early_years": "early years",
    "early_help": "Early Help",
    "care_leavers": "care leavers",
}
METHOD_LABELS = {m: m.replace("_", " ") for m in METHODS} | {
    "complaint_compliment": "complaint or compliment",
    "app_statement": "app statement",
}
SCOPE_LABELS = CONSENT_SCOPE_LABELS
_ANALYST_ROLES = roles_at_least(ANALYST)

VOICE_COLUMNS = [
    "id",
    "text",
    "speaker_role",
    "age_band",
    "sex",
    "ethnicity_group",
    "disability",
    "area_code",
    "area_name",
    "organisation_id",
    "organisation_code",
    "service",
    "method",
    "collected_on",
    "consent_scope",
    "consent_date",
    "review_date",
    "past_review",
    "moderation_status",
    "deidentified",
    "false_alarm_reviewed_by",
    "illustrative",
    "entered_by",
    "entered_by_name",
    "batch_id",
    "created_at",
    "updated_at",
    "themes",
    "theme_labels",
    "indicators",
    "attribution",
    "attribution_coarsened",
]
