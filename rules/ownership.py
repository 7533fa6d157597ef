"""Who may write figures and items for an area: the object-level rule for every import.

An organisation's code is its area's GSS code (E08000004 is Oldham), so "the area is
yours" is a comparison of codes. The Import page, the command line when it acts for an
organisation (``--org``) and the voice CSV import all ask these two functions.
"""

from __future__ import annotations


def owns_area(organisation_code: str | None, area_code: str | None) -> bool:
    """Whether the organisation is the authority for the area (same code)."""
    return bool(organisation_code) and bool(area_code) and organisation_code == area_code


def may_write_figure(
    organisation_code: str | None, area_code: str | None, *, published: bool
) -> bool:
    """Whether an import made for ``organisation_code`` may write a figure for ``area_code``.

    Published national figures (the indicator has a publisher) may be imported by any
    analyst, for any area: everyone loads the same publication. Local figures (management
    information no one publishes) are written only by the area's own organisation.
    ``organisation_code`` None is the operator at the command line, acting for no
    organisation, who may load anything.
    """
    if organisation_code is None:
        return True
    return published or owns_area(organisation_code, area_code)


REFUSED_AREA_MESSAGE = (
    "{count:,} rows were not written: they are local figures for another authority's area. "
    "Only that authority can import its own local figures."
)


def may_change_theme(
    role: str, organisation_id: int | None, owner_organisation_id: int | None
) -> bool:
    """Whether a user may edit or delete a codebook theme.

    The shared codebook (no owner) is everyone's, so only admins change it; a theme an
    analyst created belongs to their organisation, whose analysts (and any admin) may
    change it. Any analyst may create a theme (it becomes their organisation's).
    """
    if role == "admin":
        return True
    return (
        role == "analyst"
        and owner_organisation_id is not None
        and owner_organisation_id == organisation_id
    )
