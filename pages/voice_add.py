"""Add a quote: practitioners enter voice gathered in practice, checked before it is saved.

The text is checked for personal details when the practitioner asks and again on the server
when they save: a quote with suspected details is not saved until they are removed, or an
analyst marks them a false alarm. New quotes wait for an analyst's approval.
"""

from __future__ import annotations

from datetime import date, timedelta

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from analysis.personal_details import highlight_spans, summarise_findings
from auth.current import current_record
from auth.permissions import allowed, guarded
from components.controls import checkboxes, date_input, radios, select
from components.shell import refused_page
from components.voice import METHOD_TEXT, SCOPE_TEXT, findings_panel
from data_access.db import get_database
from data_access.voice import (
    AGE_BANDS,
    CONSENT_SCOPES,
    METHODS,
    ROLE_LABELS,
    SERVICE_LABELS,
    SERVICES,
    SPEAKER_ROLES,
    PersonalDetailsFound,
    VoiceError,
    VoiceInput,
    VoiceNotAllowed,
    check_text,
    create_voice_item,
    indicator_titles,
    voice_filter_options,
)
from data_access.withdrawals import issue_reference

PERMISSION = "voice.write"  # the nav and this page's guard both follow it
dash.register_page(
    __name__,
    path="/voice/add",
    name="Add a quote",
    title="Add a quote - Chorus",
    order=21,
    nav_group="Voice",
    permission=PERMISSION,
)

SEX_OPTIONS = ("female", "male", "another way", "not recorded")
ETHNICITY_OPTIONS = ("Asian", "Black", "Mixed", "White", "Other", "not recorded")
DISABILITY_OPTIONS = ("yes", "no", "not recorded")


def _field(label: str, control, control_id: str, hint: str | None = None) -> html.Div:  # type: ignore[no-untyped-def]
    if isinstance(control, html.Fieldset):  # a group of checkboxes names itself (legend)
        return html.Div([control], className="voice-field")
    children = [html.Label(label, htmlFor=control_id, className="voice-filter-label")]
    if hint:
        children.append(html.P(hint, className="voice-hint", id=f"{control_id}-hint"))
    children.append(control)
    return html.Div(children, className="voice-field")


def _select(control_id: str, options, value, multi: bool = False, legend: str = ""):  # type: ignore[no-untyped-def]
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


def _labelled(values, labels) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    return [{"label": labels.get(v, v).capitalize(), "value": v} for v in values]


def _plain(values) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    return [{"label": v, "value": v} for v in values]


def layout(**kwargs: object) -> html.Div:
    user = current_record()
    if user is None or not allowed(user, PERMISSION):
        return refused_page("Add a quote", PERMISSION, user.role if user else None)
    with get_database().read() as session:
        choices = voice_filter_options(session)
        all_indicators = [
            {"label": title, "value": ind}
            for ind, title in sorted(indicator_titles(session).items(), key=lambda x: x[1])
        ]
    today = date.today()
    indicator = str(kwargs.get("indicator") or "")
    is_analyst = allowed(user, "voice.false_alarm")
    false_alarm_label = (
        "I am an analyst and have checked: the marked words are not personal details"
        if is_analyst
        else "The marked words are not personal details: send to an analyst to confirm"
    )
    return html.Div(
        [
            html.H1("Add a quote"),
            html.P(
                f"For {user.organisation_name}. Write the words as said, without names, "
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
                    html.Div(id="voice-add-findings", **{"aria-live": "polite"}),
                    html.Div(
                        [
                            _field(
                                "Who said it",
                                _select(
                                    "voice-add-role",
                                    _labelled(SPEAKER_ROLES, ROLE_LABELS),
                                    "parent_carer",
                                ),
                                "voice-add-role",
                            ),
                            _field(
                                "Age band",
                                _select("voice-add-age", _plain(AGE_BANDS), "adult"),
                                "voice-add-age",
                            ),
                            _field(
                                "Service",
                                _select(
                                    "voice-add-service",
                                    _labelled(SERVICES, SERVICE_LABELS),
                                    "early_years",
                                ),
                                "voice-add-service",
                            ),
                            _field(
                                "How it was gathered",
                                _select(
                                    "voice-add-method", _labelled(METHODS, METHOD_TEXT), "interview"
                                ),
                                "voice-add-method",
                            ),
                            _field(
                                "Themes",
                                _select(
                                    "voice-add-themes",
                                    choices["themes"],
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
                                    all_indicators,
                                    [indicator] if indicator else [],
                                    multi=True,
                                    legend="Indicators it speaks to",
                                ),
                                "voice-add-indicators",
                            ),
                            _field(
                                "Sex (optional)",
                                _select("voice-add-sex", _plain(SEX_OPTIONS), "not recorded"),
                                "voice-add-sex",
                            ),
                            _field(
                                "Ethnic group (optional)",
                                _select(
                                    "voice-add-ethnicity", _plain(ETHNICITY_OPTIONS), "not recorded"
                                ),
                                "voice-add-ethnicity",
                            ),
                            _field(
                                "Disability (optional)",
                                _select(
                                    "voice-add-disability",
                                    _plain(DISABILITY_OPTIONS),
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
                                _labelled(CONSENT_SCOPES, SCOPE_TEXT),
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


def _findings_view(text: str) -> tuple[html.Div, list]:
    findings = check_text(text or "")
    return findings_panel(
        highlight_spans(text or "", findings), summarise_findings(findings)
    ), findings


@callback(
    Output("voice-add-findings", "children"),
    Input("voice-add-check", "n_clicks"),
    State("voice-add-text", "value"),
    prevent_initial_call=True,
)
@guarded(None, reason="checks the text typed in the form; reads and writes nothing stored")
def check_for_personal_details(_clicks, text):  # type: ignore[no-untyped-def]
    """Highlight suspected personal details in the typed text."""
    view, _ = _findings_view(text)
    return view


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


@callback(
    Output("voice-add-result", "children"),
    Output("voice-add-findings", "children", allow_duplicate=True),
    Output("voice-add-text", "value"),
    Input("voice-add-save", "n_clicks"),
    State("voice-add-text", "value"),
    State("voice-add-role", "value"),
    State("voice-add-age", "value"),
    State("voice-add-service", "value"),
    State("voice-add-method", "value"),
    State("voice-add-themes", "value"),
    State("voice-add-indicators", "value"),
    State("voice-add-sex", "value"),
    State("voice-add-ethnicity", "value"),
    State("voice-add-disability", "value"),
    State("voice-add-scope", "value"),
    State("voice-add-collected", "value"),
    State("voice-add-consent-date", "value"),
    State("voice-add-review-date", "value"),
    State("voice-add-false-alarm", "value"),
    prevent_initial_call=True,
)
@guarded("voice.write")
def save_quote(  # type: ignore[no-untyped-def]
    _clicks,
    text,
    role,
    age,
    service,
    method,
    themes,
    indicators,
    sex,
    ethnicity,
    disability,
    scope,
    collected,
    consent_date,
    review_date,
    false_alarm,
):
    """Check again on the server, then save as pending (or say why not)."""
    user = current_record()
    data = VoiceInput(
        text=text or "",
        speaker_role=role or "",
        age_band=age,
        service=service or "",
        method=method or "",
        themes=tuple(themes or ()),
        indicators=tuple(indicators or ()),
        sex=sex,
        ethnicity_group=ethnicity,
        disability=disability,
        consent_scope=scope or "",
        collected_on=_day(collected),
        consent_date=_day(consent_date),
        review_date=_day(review_date),
    )
    try:
        with get_database().write() as session:
            item = create_voice_item(session, user, data, false_alarm=bool(false_alarm))
            item_id, checked = item.id, item.deidentified
            reference = issue_reference(session, user, item_id)
    except PersonalDetailsFound as exc:
        view, _ = _findings_view(text)
        message = html.P(
            ["Not saved. ", str(exc)], className="voice-result-bad", id="voice-add-blocked"
        )
        return message, view, no_update
    except (VoiceError, VoiceNotAllowed) as exc:
        return html.P(["Not saved. ", str(exc)], className="voice-result-bad"), no_update, no_update
    note = (
        "An analyst will approve it before anyone else sees it."
        if checked
        else "An analyst must confirm the marked words are not personal details, then approve it."
    )
    return (
        html.Div(
            [
                html.P(
                    f"Saved as quote {item_id}, pending approval. {note}",
                    className="voice-result-ok",
                    id="voice-add-saved",
                ),
                _reference_slip(reference, user.organisation_code),
            ]
        ),
        None,
        "",
    )


def _reference_slip(reference: str, area_code: str) -> html.Div:
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
