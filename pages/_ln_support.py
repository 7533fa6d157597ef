"""Data for the Learning Network pages (builder, present, summary) and the monthly pack.

Builds plain "payload" dicts for ``components.present`` and ``components.ln_export`` from
the repositories, applying the anonymisation mapping (``analysis.anonymise``) to every text
that can hold a name: chart traces, captions, tables, titles, quotes and contributions.

Anonymised mode replaces every local authority the session touches (its participants,
each indicator step's area and named comparators) with "Authority A, B, C" in the order
participants were listed, then the order the steps show them. England, regions,
"Statistical neighbours (mean)" and the Learning Network stay named (they identify no
single authority); "Greater Manchester" becomes "Combined authority group" because it
would narrow the field to ten. Area codes of anonymised authorities are replaced too.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from analysis.anonymise import anonymise_frame, anonymise_text, authority_labels
from analysis.series import latest_comparisons
from components.annotations import KIND_LABELS, STATUS_LABELS
from components.charts import trend_figure
from components.panel import panel_caption, symbol_notes
from data_access import learning_network as ln
from data_access import views
from data_access.db import Session
from data_access.users import UserRecord
from pages._panel_support import disclosure_threshold

GROUP_ANONYMOUS_NAME = "Combined authority group"
ILLUSTRATIVE_FOOTER = (
    "Published figures: Department for Education and Office for National Statistics, Open "
    "Government Licence v3.0. Local monthly figures and quotes in the demo are illustrative."
)


def authority_mapping(session: Session, record: ln.SessionRecord) -> dict[str, str]:
    """Codes and names of every authority the session touches -> "Authority A" ..."""
    return authority_labels(views.session_authorities(session, record))


def anonymise_series(series: pd.DataFrame, mapping: dict[str, str]) -> pd.DataFrame:
    """Series rows with authority names and codes replaced (``SERIES_COLUMNS`` kept)."""
    out = series.copy()
    out.loc[out["series_key"] == "gm", "series_name"] = GROUP_ANONYMOUS_NAME
    return anonymise_frame(out, mapping, ["series_name", "area_code"])


def _text(value: object, mapping: dict[str, str] | None) -> str:
    text = "" if value is None else str(value)
    return anonymise_text(text, mapping) if mapping else text


def indicator_payload(
    session: Session, step: ln.StepRecord, mapping: dict[str, str] | None
) -> dict[str, Any]:
    """Figure, caption and table of an indicator step (suppressed, maybe anonymised)."""
    config = step.config
    base = {"kind": "indicator", "title": _text(step.title, mapping), "position": step.position}
    try:
        request = views.ViewRequest.of(
            session,
            config.get("indicator") or "",
            config.get("area") or "",
            threshold=disclosure_threshold(),
            breakdown=config.get("breakdown") or "total",
            comparators=list(config.get("compare") or []),
            period_from=config.get("from"),
            period_to=config.get("to"),
        )
        view = views.build_panel_view(session, request)
    except views.UnknownView:
        return {**base, "missing": "The indicator or area of this step no longer exists."}
    except ValueError:
        # A view with no figures at all (pandas has nothing to combine): say so, live.
        return {**base, "missing": "There are no figures for this view."}
    indicator, series = view.indicator, view.series
    if series.empty:
        return {**base, "missing": "There are no figures for this view."}
    area_name = view.area.name
    if mapping:
        series = anonymise_series(series, mapping)
        area_name = mapping.get(view.area.code, area_name)
        view = replace(
            view, series=series, comparisons=latest_comparisons(series, indicator.polarity)
        )
    caption = _text(panel_caption(indicator, area_name, view) + symbol_notes(series), mapping)
    return {
        **base,
        "indicator": indicator.id,
        "indicator_title": indicator.title,
        "figure": trend_figure(series, indicator.unit, height=480),
        "caption": caption,
        "series": series,
        "unit": indicator.unit,
        "table_caption": _text(f"{indicator.title}: {area_name}", mapping),
        "illustrative": bool(indicator.illustrative),
    }


def quotes_payload(
    session: Session,
    user: UserRecord | None,
    step: ln.StepRecord,
    mapping: dict[str, str] | None,
    purpose: str = "ln_session",
) -> dict[str, Any]:
    """The step's quotes that are still visible and consented for the Learning Network."""
    ids = [int(i) for i in step.config.get("voice_ids") or []]
    frame = ln.session_quotes(session, user, ids, purpose=purpose, audit=False)
    quotes = [
        {
            "id": int(row["id"]),
            "text": _text(row["text"], mapping),
            "attribution": _text(row["attribution"], mapping),
            "illustrative": bool(row["illustrative"]),
            "consent_scope": row["consent_scope"],
        }
        for row in frame.to_dict("records")
    ]
    return {
        "kind": "quotes",
        "title": _text(step.title, mapping),
        "position": step.position,
        "quotes": quotes,
    }


def step_payload(
    session: Session,
    user: UserRecord | None,
    step: ln.StepRecord,
    mapping: dict[str, str] | None,
    purpose: str = "ln_session",
) -> dict[str, Any]:
    """The payload of any step (see ``components.present``)."""
    if step.kind == "indicator":
        return indicator_payload(session, step, mapping)
    if step.kind == "quotes":
        return quotes_payload(session, user, step, mapping, purpose)
    return {
        "kind": step.kind,
        "title": _text(step.title, mapping),
        "position": step.position,
        "text": _text(step.config.get("text"), mapping),
    }


def said_by_label(code: str | None, names: dict[str, str], mapping: dict[str, str] | None) -> str:
    """Who said it: a participant's name, its "Authority X" label, or "Anonymous"."""
    if not code:
        return "Anonymous"
    if mapping and code in mapping:
        return mapping[code]
    return _text(names.get(code, code), mapping)


def contributions(
    session: Session,
    user: UserRecord | None,
    record: ln.SessionRecord,
    mapping: dict[str, str] | None,
) -> list[dict[str, Any]]:
    """The session's contributions the user may see, as plain dicts for the components.

    Keys: id, step_id, said_by, body, kind, status, kind_label, status_label, noted_by
    (the note-taker; left out when anonymised, since a user's name may carry their
    authority's), when (date), replies (list of reply texts).
    """
    names = ln.participant_names(session, list(record.participants))
    out = []
    for note in ln.session_contributions(session, user, record.id):
        out.append(
            {
                "id": note.id,
                "step_id": ln.contribution_step_id(note),
                "said_by": said_by_label(ln.contribution_attribution(note), names, mapping),
                "body": _text(note.body, mapping),
                "kind": note.kind,
                "status": note.status,
                "kind_label": KIND_LABELS.get(note.kind, note.kind),
                "status_label": STATUS_LABELS.get(note.status, note.status),
                "noted_by": None if mapping else note.author,
                "when": note.created_at.date().isoformat(),
                "replies": [_text(r.body, mapping) for r in note.replies],
            }
        )
    return out


def open_questions(payloads: list[dict[str, Any]], notes: list[dict[str, Any]]) -> list[str]:
    """Question steps and open question-kind contributions, in agenda order."""
    out = []
    for payload in payloads:
        if payload["kind"] == "question":
            out.append(f"Step {payload['position']}: {payload.get('text') or payload['title']}")
    for note in notes:
        if note["kind"] == "question" and note["status"] == "open":
            out.append(f"{note['said_by']}: {note['body']}")
    return out


def session_lines(
    session: Session, record: ln.SessionRecord, mapping: dict[str, str] | None
) -> list[str]:
    """Sentences under a session's title: date, facilitator, participants, mode."""
    names = ln.participant_names(session, list(record.participants))
    taking_part = [said_by_label(code, names, mapping) for code in record.participants]
    held = record.held_on.strftime("%d %B %Y").lstrip("0") if record.held_on else "date not set"
    lines = [f"Held on {held}. {len(record.steps)} steps."]
    if not mapping:
        lines.append(f"Facilitated by {record.facilitator_name} ({record.organisation_name}).")
    if taking_part:
        lines.append("Taking part: " + ", ".join(taking_part) + ".")
    if mapping:
        lines.append(
            "Authorities are anonymised (Authority A, B, C ...). England, regions and "
            "groups of authorities keep their names."
        )
    return lines


def session_document(
    session: Session,
    user: UserRecord | None,
    record: ln.SessionRecord,
    anonymised: bool,
    purpose: str = "ln_export",
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The export document of a session and its step payloads (for the summary page)."""
    mapping = authority_mapping(session, record) if anonymised else None
    payloads = [step_payload(session, user, step, mapping, purpose) for step in record.steps]
    notes = contributions(session, user, record, mapping)
    from data_access.ln_actions import session_polls_and_actions

    _, results, actions = session_polls_and_actions(session, user, record, anonymised)
    polls = {step_id: r.as_dict() for step_id, r in results.items()}
    sections = []
    for step, payload in zip(record.steps, payloads, strict=True):
        said = [n for n in notes if n["step_id"] == step.id]
        section = {
            "heading": f"{step.position}. {payload['title']}",
            "kind": payload["kind"],
            "figure": payload.get("figure"),
            "caption": payload.get("caption"),
            "table": payload.get("series"),
            "unit": payload.get("unit"),
            "quotes": payload.get("quotes"),
            "text": payload.get("text"),
            "missing": payload.get("missing"),
            "contributions": said,
            "poll": polls.get(step.id),
        }
        sections.append(section)
    if actions:
        sections.append({"heading": "Actions", "kind": "actions", "actions": actions})
    document = {
        "title": _text(record.title, mapping),
        "lines": session_lines(session, record, mapping),
        "generated_at": datetime.now(UTC),
        "sections": sections,
        "open_questions": open_questions(payloads, notes),
        "footer": ILLUSTRATIVE_FOOTER,
    }
    return document, payloads


def export_filename(title: str, suffix: str) -> str:
    """A safe file name from a title, e.g. ``learning-network-spring.html``."""
    import re

    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "session"
    return f"{slug}.{suffix}"
