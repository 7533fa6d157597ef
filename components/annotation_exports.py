"""Exports of the notes a user may see: CSV (safe to open in a spreadsheet) and a readable,
self-contained HTML document.

Both take plain dicts (``AnnotationRecord.as_dict()``, replies included). The caller has
already applied the visibility rules; nothing here reads the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from typing import Any

from components.annotations import KIND_LABELS, STATUS_LABELS, VISIBILITY_LABELS
from rules.files import csv_text
from rules.files import neutralise_cell as rules_neutralise_cell

CSV_COLUMNS = [
    "id",
    "parent_id",
    "indicator",
    "indicator_title",
    "area_code",
    "area_name",
    "breakdown",
    "period_start",
    "period_end",
    "period",
    "kind",
    "body",
    "tags",
    "author",
    "organisation_code",
    "visibility",
    "status",
    "replies",
    "seen_value",
    "current_value",
    "data_changed",
    "created_at",
    "updated_at",
]


def neutralise_cell(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula with a single quote (the rule
    and the writer are ``rules.files``)."""
    return rules_neutralise_cell(value)


def flat_rows(notes: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per note and per reply (replies follow their note, with parent_id set)."""
    rows: list[dict[str, Any]] = []
    for note in notes:
        replies = note.get("replies") or []
        rows.append(_row(note, len(replies)))
        rows.extend(_row(reply, None) for reply in replies)
    return rows


def _row(note: dict[str, Any], replies: int | None) -> dict[str, Any]:
    row = {column: note.get(column) for column in CSV_COLUMNS}
    row["tags"] = ";".join(note.get("tags") or [])
    row["replies"] = replies
    if note.get("parent_id") is not None:
        row["kind"] = "reply"
    return row


def annotations_csv(notes: Sequence[dict[str, Any]]) -> str:
    """CSV text of the notes and replies, formula starts neutralised in every text cell."""
    return csv_text(flat_rows(notes), CSV_COLUMNS, lineterminator="\r\n")


_STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#0b0c0c;
max-width:50rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
h1{font-size:1.8rem}h2{font-size:1.25rem;margin:0 0 .25rem}
article{border-left:5px solid #12436D;padding:.5rem 1rem;margin:1.5rem 0;background:#f8f8f8}
.meta{color:#505a5f;font-size:.95rem;margin:.25rem 0}
.body{white-space:pre-wrap;margin:.5rem 0}
.changed{border-left:4px solid #F46A25;padding-left:.5rem}
ol.replies{border-left:2px solid #b1b4b6;margin:.5rem 0 0 .5rem;padding-left:1.5rem}
@media print{article{break-inside:avoid}}
"""


def annotations_html(
    notes: Sequence[dict[str, Any]],
    *,
    title: str = "Notes and discussion",
    description: str = "",
    generated_for: str = "",
    generated_at: datetime | None = None,
) -> str:
    """A self-contained HTML document (inline style, no script, no external resource).

    Every piece of user text is HTML-escaped, so stored markup is shown as text.
    """
    when = (generated_at or datetime.now(UTC)).strftime("%d %B %Y %H:%M UTC")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">",
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">{escape(description)}</p>' if description else "",
        f'<p class="meta">Exported {escape(when)}'
        + (f" for {escape(generated_for)}" if generated_for else "")
        + f". {len(notes)} notes. Only notes the reader may see are included.</p>",
    ]
    for note in notes:
        parts.append(_article(note))
    if not notes:
        parts.append("<p>No notes match.</p>")
    parts.append("</body></html>")
    return "\n".join(p for p in parts if p)


def _article(note: dict[str, Any]) -> str:
    kind = KIND_LABELS.get(note.get("kind", ""), note.get("kind", ""))
    heading = (
        f"{kind}: {note.get('indicator_title', '')}, {note.get('area_name', '')}, "
        f"{note.get('period', '')}"
    )
    meta = (
        f"{note.get('author', '')} ({note.get('organisation_name', '')}), written "
        f"{(note.get('created_at') or '')[:10]}. "
        f"{STATUS_LABELS.get(note.get('status', ''), note.get('status', ''))}. "
        f"Visible to: {VISIBILITY_LABELS.get(note.get('visibility', ''), '')}."
    )
    tags = note.get("tags") or []
    lines = [
        "<article>",
        f"<h2>{escape(heading)}</h2>",
        f'<p class="meta">{escape(meta)}</p>',
        f'<p class="body">{escape(note.get("body", ""))}</p>',
    ]
    if tags:
        lines.append(f'<p class="meta">Tags: {escape(", ".join(tags))}</p>')
    if note.get("data_changed"):
        lines.append(
            '<p class="changed">The figures behind this note have been revised since it was '
            "written.</p>"
        )
    replies = note.get("replies") or []
    if replies:
        lines.append('<ol class="replies">')
        for reply in replies:
            who = (
                f"{reply.get('author', '')} ({reply.get('organisation_name', '')}), "
                f"{(reply.get('created_at') or '')[:10]}"
            )
            lines.append(
                f'<li><p class="body">{escape(reply.get("body", ""))}</p>'
                f'<p class="meta">{escape(who)}</p></li>'
            )
        lines.append("</ol>")
    lines.append("</article>")
    return "\n".join(lines)
