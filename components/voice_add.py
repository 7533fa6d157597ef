"""The Add a quote page's pieces: the form, and what it says once a quote is saved.

Pure layout: pages.voice_add reads the vocabulary and the indicators and passes the
options in (``labelled_options`` and ``plain_options`` make them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from dash import dcc, html

from components.aria import aria
from components.controls import checkboxes, date_input, radios, select

SEX_OPTIONS = ("female", "male", "another way", "not recorded")
ETHNICITY_OPTIONS = ("Asian", "Black", "Mixed", "White", "Other", "not recorded")
DISABILITY_OPTIONS = ("yes", "no", "not recorded")


def _field(label: str, control: Any, control_id: str, hint: str | None = None) -> html.Div:
    if isinstance(control, html.Fieldset):  # a group of checkboxes names itself (legend)
        return html.Div([control], className="voice-field")
    children: list[Any] = [html.Label(label, htmlFor=control_id, className="voice-filter-label")]
    if hint:
        children.append(html.P(hint, className="voice-hint", id=f"{control_id}-hint"))
    children.append(control)
    return html.Div(children, className="voice-field")


def _select(
    control_id: str, options: list[Any], value: Any, multi: bool = False, legend: str = ""
) -> Any:
    """A native select, or for several answers a fieldset of checkboxes named ``legend``."""
    if multi:
        return checkboxes(
            control_id,
            options,
            value,
            legend=legend,
            className="chorus-scroll-group voice-checks",
        )
    return select(control_id, options, value, placeholder="Choose one")


def labelled_options(values: Sequence[str], labels: Mapping[str, str]) -> list[dict[str, str]]:
    """Options for a control, each value shown by its label (capitalised)."""
    return [{"label": labels.get(v, v).capitalize(), "value": v} for v in values]


def plain_options(values: Sequence[str]) -> list[dict[str, str]]:
    """Options for a control, each value shown as it is."""
    return [{"label": v, "value": v} for v in values]


def add_quote_page(
    organisation_name: str,
    options: Mapping[str, list[dict[str, str]]],
    indicator: str,
    is_analyst: bool,
    today: date,
) -> html.Div:
    """The Add a quote form. ``options`` holds each control's choices by name: role, age,
    service, method, scope (from the Voice vocabulary), themes and indicators; ``indicator``
    is ticked when the page was opened from one."""
    false_alarm_label = (
        "I am an analyst and have checked: the marked words are not personal details"
        if is_analyst
        else "The marked words are not personal details: send to an analyst to confirm"
    )
    return html.Div(
        [
            html.H1("Add a quote"),
            html.P(
                f"For {organisation_name}. Write the words as said, without names, "
                "addresses, phone numbers, dates of birth or anything else that could "
                "identify someone. An analyst approves each quote before others see it.",
                className="lead-text",
            ),
            html.Div(
                [
                    _field(
                        "What was said",
                        dcc.Textarea(
                            id="voice-add-text",
                            value="",
                            rows=4,
                            maxLength=2000,
                            className="form-control",
                        ),
                        "voice-add-text",
                        "Up to 2,000 characters.",
                    ),
                    html.Button(
                        "Check for personal details",
                        id="voice-add-check",
                        className="btn btn-outline-primary",
                    ),
                    html.Div(id="voice-add-findings", **aria(live="polite")),
                    html.Div(
                        [
                            _field(
                                "Who said it",
                                _select(
                                    "voice-add-role",
                                    options["role"],
                                    "parent_carer",
                                ),
                                "voice-add-role",
                            ),
                            _field(
                                "Age band",
                                _select("voice-add-age", options["age"], "adult"),
                                "voice-add-age",
                            ),
                            _field(
                                "Service",
                                _select(
                                    "voice-add-service",
                                    options["service"],
                                    "early_years",
                                ),
                                "voice-add-service",
                            ),
                            _field(
                                "How it was gathered",
                                _select("voice-add-method", options["method"], "interview"),
                                "voice-add-method",
                            ),
                            _field(
                                "Themes",
                                _select(
                                    "voice-add-themes",
                                    options["themes"],
                                    [],
                                    multi=True,
                                    legend="Themes",
                                ),
                                "voice-add-themes",
                            ),
                            _field(
                                "Indicators it speaks to",
                                _select(
                                    "voice-add-indicators",
                                    options["indicators"],
                                    [indicator] if indicator else [],
                                    multi=True,
                                    legend="Indicators it speaks to",
                                ),
                                "voice-add-indicators",
                            ),
                            _field(
                                "Sex (optional)",
                                _select(
                                    "voice-add-sex", plain_options(SEX_OPTIONS), "not recorded"
                                ),
                                "voice-add-sex",
                            ),
                            _field(
                                "Ethnic group (optional)",
                                _select(
                                    "voice-add-ethnicity",
                                    plain_options(ETHNICITY_OPTIONS),
                                    "not recorded",
                                ),
                                "voice-add-ethnicity",
                            ),
                            _field(
                                "Disability (optional)",
                                _select(
                                    "voice-add-disability",
                                    plain_options(DISABILITY_OPTIONS),
                                    "not recorded",
                                ),
                                "voice-add-disability",
                            ),
                        ],
                        className="voice-form-grid",
                    ),
                    html.Fieldset(
                        [
                            html.Legend("Consent", className="voice-filter-label"),
                            radios(
                                "voice-add-scope",
                                options["scope"],
                                "own_organisation",
                                legend="",
                                bare=True,
                            ),
                        ],
                        className="voice-fieldset",
                    ),
                    html.Div(
                        [
                            _date_field("Collected on", "voice-add-collected", today),
                            _date_field("Consent given on", "voice-add-consent-date", today),
                            _date_field(
                                "Review consent by",
                                "voice-add-review-date",
                                today + timedelta(days=730),
                            ),
                        ],
                        className="voice-form-grid",
                    ),
                    checkboxes(
                        "voice-add-false-alarm",
                        [{"label": false_alarm_label, "value": "yes"}],
                        [],
                        legend="Checked for identifying details",
                        legend_hidden=True,
                        className="voice-check-option",
                    ),
                    html.Button("Save quote", id="voice-add-save", className="btn btn-primary"),
                    html.Div(id="voice-add-result", role="status", className="voice-result"),
                ],
                className="voice-form",
            ),
        ],
        className="voice-page",
    )


def _date_field(label: str, control_id: str, value: date) -> html.Div:
    return html.Div(
        [
            html.Label(label, htmlFor=control_id, className="voice-filter-label"),
            date_input(control_id, value.isoformat()),
        ],
        className="voice-field",
    )


def reference_slip(reference: str, area_code: str) -> html.Div:
    """The withdrawal reference to give the speaker: shown once, never kept in clear."""
    return html.Div(
        [
            html.H2("Give this code to the person who said it", className="voice-slip-heading"),
            html.P(reference, className="voice-slip-reference", id="voice-add-reference"),
            html.P(
                [
                    "Write it on a slip or read it out. With it, they can take their words back "
                    "at any time on the public page ",
                    html.Code(f"/public/{area_code}/take-back"),
                    ". Chorus does not keep the code, so it is shown only now.",
                ],
                className="voice-hint",
            ),
        ],
        className="voice-slip",
    )


def saved_message(item_id: int, checked: bool, reference: str, area_code: str) -> html.Div:
    """Saved, pending approval: what happens next, and the speaker's withdrawal reference."""
    note = (
        "An analyst will approve it before anyone else sees it."
        if checked
        else "An analyst must confirm the marked words are not personal details, then approve it."
    )
    return html.Div(
        [
            html.P(
                f"Saved as quote {item_id}, pending approval. {note}",
                className="voice-result-ok",
                id="voice-add-saved",
            ),
            reference_slip(reference, area_code),
        ]
    )
