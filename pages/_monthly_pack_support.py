"""The Monthly pack's making, shared by its page and callbacks (pages.monthly_pack): whose
area, which indicators, the pack document, the notes readers should know, and keeping a
made pack. Database reads and writes go through data_access (packs, annotations, voice,
ethics_check); the document's pieces are components (components.pack_page, components.pack).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import dash
from dash import html

from auth.current import signed_in_record
from components.ln_export import export_html
from components.pack import latest_figures, render_pdf, since_last_month_section
from components.pack_page import history_table, indicator_section, pack_lines
from data_access import indicators_query as iq
from data_access import packs
from data_access.annotations import AnnotationFilters, list_annotations
from data_access.db import get_database
from data_access.ethics_check import CheckRecord, ethics_section, reader_notes
from data_access.users import UserRecord
from data_access.voice import visible_voice_items
from pages._ln_support import ILLUSTRATIVE_FOOTER, indicator_payload

PACK_COMPARATORS = ["england", "region", "neighbours"]
QUOTES_PER_INDICATOR = 3


def pack_area(user: UserRecord | None) -> tuple[str, str]:
    with get_database().read() as session:
        code = user.organisation_code if user else iq.ENGLAND
        area = iq.area_record(session, code) or iq.area_record(session, iq.ENGLAND)
    if area is None:
        raise LookupError("England is not in the areas table")
    return area["code"], area["name"]


def chosen_indicators(indicator_ids: list[Any] | None) -> list[str]:
    return [i for i in (indicator_ids or []) if isinstance(i, str)][:15]


def pack_request(
    n_clicks: int | None, indicator_ids: list[Any] | None
) -> tuple[UserRecord, str, str, list[str]]:
    """What every pack button starts from: the signed-in user, their own area (never another
    authority's: the area is the user's) and the chosen indicators. No click, no update."""
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    user = signed_in_record()
    own_code, area_name = pack_area(user)
    return user, own_code, area_name, chosen_indicators(indicator_ids)


def pack_subject(area_code: str, indicator_ids: list[str]) -> str:
    """What one ethics check covers: this area and exactly these indicators."""
    return f"{area_code}:" + ",".join(sorted(indicator_ids))


def pack_notes(user: UserRecord, area_code: str, indicator_ids: list[str]) -> list[str]:
    """What readers of the pack should know (see data_access.ethics_check)."""
    with get_database().read() as session:
        return reader_notes(session, user, [(i, area_code) for i in indicator_ids])


def pack_document(
    user: UserRecord | None, area_code: str, area_name: str, indicator_ids: list[str]
) -> dict[str, Any]:
    """The pack as an export document: one section per chosen indicator, with its chart,
    caption, table, the notes the user may see and up to three publishable quotes."""
    from data_access.learning_network import StepRecord

    sections: list[dict[str, Any]] = []
    with get_database().write() as session:  # voice reads may audit (ids only)
        for indicator_id in indicator_ids:
            config = {"indicator": indicator_id, "area": area_code, "compare": PACK_COMPARATORS}
            step = StepRecord(
                id=0,
                session_id=0,
                position=len(sections) + 1,
                kind="indicator",
                title="",
                config=config,
            )
            payload = indicator_payload(session, step, None)
            if payload.get("missing"):
                continue
            notes = list_annotations(
                session,
                user,
                AnnotationFilters(indicator=indicator_id, area_code=area_code),
                limit=8,
            )
            quotes = visible_voice_items(
                session, user, indicator=indicator_id, purpose="export", limit=QUOTES_PER_INDICATOR
            )
            sections.append(
                indicator_section(indicator_id, payload, quotes.to_dict("records"), notes)
            )
        figures = latest_figures(sections, area_code)
        since, previous, activity = packs.since_last_pack(session, user, area_code, indicator_ids)
    since_section = since_last_month_section(
        since=since,
        previous_figures=previous,
        current_figures=figures,
        new_notes=activity["notes"],
        resolved=activity["resolved"],
        new_quotes=activity["quotes"],
    )
    month = datetime.now(UTC).strftime("%B %Y")
    return {
        "figures": figures,
        "title": f"Monthly pack: {area_name}, {month}",
        "lines": pack_lines(len(sections)),
        "generated_at": datetime.now(UTC),
        "sections": [since_section, *sections],
        "footer": ILLUSTRATIVE_FOOTER,
    }


def history_list(user: UserRecord | None) -> html.Table | html.P:
    """The organisation's kept packs, newest first, each openable as HTML and PDF."""
    with get_database().read() as session:
        return history_table(packs.list_packs(session, user))


def make_pack(
    user: UserRecord, own_code: str, area_name: str, chosen: list[str], check: CheckRecord
) -> tuple[int, str, bytes | None, dict[str, Any]]:
    """Build the pack, print its PDF, and keep both; returns (id, html, pdf, document)."""
    document = pack_document(user, own_code, area_name, chosen)
    document["ethics"] = ethics_section(check)
    content = export_html(document)
    pdf = render_pdf(content)
    with get_database().write() as session:
        pack_id = packs.save_pack(
            session,
            user,
            title=document["title"],
            indicators=chosen,
            figures=document["figures"],
            html=content,
            pdf=pdf,
        )
    return pack_id, content, pdf, document


def needs_check() -> str:
    return (
        "Before the pack can leave, read what readers should know and confirm with "
        "your name (above)."
    )
