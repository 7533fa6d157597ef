"""Add a quote: practitioners enter voice gathered in practice, checked before it is saved.

The text is checked for personal details when the practitioner asks and again on the server
when they save: a quote with suspected details is not saved until they are removed, or an
analyst marks them a false alarm. New quotes wait for an analyst's approval.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import dash
from dash import Input, Output, State, callback, html, no_update

from analysis.personal_details import highlight_spans, summarise_findings
from auth.current import current_record, signed_in_record
from auth.permissions import allowed, guarded
from components.shell import refused_page
from components.voice import METHOD_TEXT, SCOPE_TEXT, findings_panel
from components.voice_add import (
    add_quote_page,
    labelled_options,
    plain_options,
    saved_message,
)
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
    options = {
        "role": labelled_options(SPEAKER_ROLES, ROLE_LABELS),
        "age": plain_options(AGE_BANDS),
        "service": labelled_options(SERVICES, SERVICE_LABELS),
        "method": labelled_options(METHODS, METHOD_TEXT),
        "scope": labelled_options(CONSENT_SCOPES, SCOPE_TEXT),
        "themes": choices["themes"],
        "indicators": all_indicators,
    }
    return add_quote_page(
        user.organisation_name,
        options,
        str(kwargs.get("indicator") or ""),
        allowed(user, "voice.false_alarm"),
        date.today(),
    )


def _findings_view(text: str | None) -> tuple[html.Div, list[Any]]:
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
def check_for_personal_details(_clicks: int | None, text: str | None) -> html.Div:
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
def save_quote(
    _clicks: int | None,
    text: str | None,
    role: str | None,
    age: str | None,
    service: str | None,
    method: str | None,
    themes: list[str] | None,
    indicators: list[str] | None,
    sex: str | None,
    ethnicity: str | None,
    disability: str | None,
    scope: str | None,
    collected: str | None,
    consent_date: str | None,
    review_date: str | None,
    false_alarm: list[str] | None,
) -> tuple[Any, Any, Any]:
    """Check again on the server, then save as pending (or say why not)."""
    user = signed_in_record()
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
    return saved_message(item_id, checked, reference, user.organisation_code), None, ""
