"""Each rule has one definition in ``rules/``, and the layers use that definition."""

from __future__ import annotations

import subprocess
import sys

import pytest

from rules import areas, consent, disclosure, labels, observations, roles


def test_rul010_roles_rank_lowest_first():
    assert roles.ROLES == ("viewer", "practitioner", "analyst", "admin")
    assert [roles.ROLE_RANK[r] for r in roles.ROLES] == [0, 1, 2, 3]
    assert roles.is_at_least("admin", "analyst")
    assert not roles.is_at_least("practitioner", "analyst")
    assert roles.roles_at_least("analyst") == ("analyst", "admin")


def test_rul011_every_permission_names_a_role():
    assert set(roles.PERMISSIONS.values()) <= set(roles.ROLES)
    assert roles.roles_for("voice.write") == ("practitioner", "analyst", "admin")
    assert roles.roles_for("settings.edit") == ("admin",)
    assert roles.role_may("viewer", "read") and not roles.role_may("viewer", "voice.write")
    with pytest.raises(KeyError):
        roles.role_may("admin", "no.such.action")


def test_rul012_auth_and_data_access_use_the_one_definition_of_roles():
    from auth import permissions
    from data_access import annotations, learning_network, users
    from data_access.voice import guards, vocabulary

    assert permissions.PERMISSIONS is roles.PERMISSIONS
    assert users.ROLES is roles.ROLES
    assert vocabulary._ANALYST_ROLES == roles.roles_at_least(roles.ANALYST)
    assert not hasattr(annotations, "_ROLE_RANK")
    assert not hasattr(learning_network, "_ROLE_RANK")
    assert guards._ANALYST_ROLES is vocabulary._ANALYST_ROLES


@pytest.mark.parametrize(
    ("scope", "same_org", "reader_in", "owner_in", "expected"),
    [
        ("publication", False, False, False, True),
        ("own_organisation", True, False, False, True),
        ("own_organisation", False, True, True, False),
        ("learning_network", False, True, True, True),
        ("learning_network", False, True, False, False),
        ("learning_network", False, False, True, False),
        ("learning_network", True, False, False, True),
    ],
)
def test_rul020_consent_scope_decides_who_reads(scope, same_org, reader_in, owner_in, expected):
    allowed = consent.may_read(
        scope, same_organisation=same_org, reader_in_network=reader_in, owner_in_network=owner_in
    )
    assert allowed is expected


def test_rul021_only_publishable_quotes_are_downloaded_and_the_voice_code_agrees():
    from data_access import learning_network
    from data_access.voice import vocabulary

    assert [s for s in consent.CONSENT_SCOPES if consent.may_leave_chorus(s)] == ["publication"]
    assert not consent.may_leave_chorus(None)
    assert vocabulary.CONSENT_SCOPES is consent.CONSENT_SCOPES
    assert vocabulary.RESTRICTED_SCOPE == consent.OWN_ORGANISATION
    assert learning_network.LN_CONSENT_SCOPES is consent.LEARNING_NETWORK_SCOPES


def test_rul030_labels_have_one_spelling_everywhere():
    from components import annotations as annotation_components
    from components import voice as voice_components
    from data_access import annotations
    from data_access.voice import vocabulary

    assert set(labels.CONSENT_SCOPE_LABELS) == set(consent.CONSENT_SCOPES)
    assert voice_components.SCOPE_TEXT is labels.CONSENT_SCOPE_LABELS
    assert vocabulary.SCOPE_LABELS is labels.CONSENT_SCOPE_LABELS
    assert annotation_components.VISIBILITY_LABELS is labels.VISIBILITY_LABELS
    assert annotations.VISIBILITIES is labels.VISIBILITY_LABELS


@pytest.mark.parametrize(
    ("number", "small"),
    [(0, False), (1, True), (5, True), (5.0, True), (6, False), (None, False), ("3", False)],
)
def test_rul040_the_small_count_rule(number, small):
    assert disclosure.is_small(number, disclosure.DEFAULT_THRESHOLD) is small


def test_rul041_which_units_count_people():
    assert [
        u
        for u in ("percent", "count", "days", "rate_per_10k", "gbp")
        if disclosure.denominator_counts_people(u)
    ] == ["percent", "count", "days"]
    assert disclosure.value_counts_people("count")
    assert not disclosure.value_counts_people("percent")
    assert not disclosure.denominator_counts_people(None)


def test_rul042_the_default_threshold_is_the_settings_default():
    from settings import Settings

    assert Settings().disclosure_threshold == disclosure.DEFAULT_THRESHOLD


def test_rul050_the_observation_schema_and_england_are_defined_once():
    from data_access import observations as observation_repository
    from data_access import reference
    from data_access.importing import canonical

    assert canonical.OBSERVATION_COLUMNS is observations.OBSERVATION_COLUMNS
    assert observation_repository.CANONICAL_COLUMNS == observations.OBSERVATION_COLUMNS
    assert reference.ENGLAND is areas.ENGLAND


def test_rul060_rules_import_without_flask():
    # A fresh interpreter: importing every rule home must not load Flask or our other layers.
    code = (
        "import sys, rules.roles, rules.consent, rules.disclosure, rules.labels, "
        "rules.observations, rules.areas\n"
        "loaded = {m.split('.')[0] for m in sys.modules}\n"
        "print(sorted(loaded & {'flask', 'dash', 'sqlalchemy', 'auth', 'data_access', "
        "'components', 'pages', 'api', 'analysis'}))\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
