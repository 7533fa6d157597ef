"""Disclosure rules: the threshold, the small-count rule and which units count people.

Two forms share these rules. The table form is ``analysis.disclosure.apply_disclosure_control``
(primary and secondary suppression of observation rows; it takes the threshold and whether
the denominator counts people as arguments, so analysis stays pure). The single-value form
is :func:`is_small` (and :func:`complement_is_small` for a figure shown with its
denominator), used where one figure is shown on its own (revisions on the data quality
page). Both take the threshold from ``settings.disclosure_threshold``, whose default is
:data:`DEFAULT_THRESHOLD`.
"""

from __future__ import annotations

from collections.abc import Mapping

# A count from 1 to this many people is hidden unless the settings say otherwise.
DEFAULT_THRESHOLD = 5

# Units whose denominator is a count of people (a percentage of three children describes
# them); a rate's denominator is a population estimate, not people to protect.
PEOPLE_DENOMINATOR_UNITS: frozenset[str] = frozenset({"percent", "count", "days"})
# Units whose figure is itself a count of people.
PEOPLE_VALUE_UNITS: frozenset[str] = frozenset({"count"})


def is_small(number: object, threshold: int) -> bool:
    """The small-count rule for one figure: from 1 to ``threshold`` (0 discloses nobody)."""
    return isinstance(number, int | float) and 0 < number <= threshold


def complement_is_small(numerator: object, denominator: object, threshold: int) -> bool:
    """The small-count rule for the people a figure leaves out: the denominator minus the
    numerator from 1 to ``threshold`` ("6 of 9" says three children did not). Only for a
    denominator that counts people (:func:`denominator_counts_people`)."""
    if not isinstance(numerator, int | float) or not isinstance(denominator, int | float):
        return False
    return is_small(denominator - numerator, threshold)


def denominator_counts_people(unit: str | None) -> bool:
    """Whether an indicator with ``unit`` has a denominator that counts people."""
    return unit in PEOPLE_DENOMINATOR_UNITS


def indicator_denominator_counts_people(indicator: Mapping[str, object]) -> bool:
    """Whether an indicator's denominator counts people: as set in the catalogue
    (``denominator_counts_people``) when it is, otherwise as its unit says."""
    given = indicator.get("denominator_counts_people")
    # True or False (numpy's booleans too); None or NaN means "not set".
    if given is not None and not isinstance(given, float) and given in (True, False):
        return bool(given)
    unit = indicator.get("unit")
    return denominator_counts_people(unit if isinstance(unit, str) else None)


def value_counts_people(unit: str | None) -> bool:
    """Whether an indicator with ``unit`` publishes a figure that is a count of people."""
    return unit in PEOPLE_VALUE_UNITS
