"""Annotation UI: chart markers, the list beside a chart, a thread, the "Add a note" form.

Components take plain dicts (``AnnotationRecord.as_dict()``: id, parent_id, indicator,
indicator_title, area_code, area_name, period_start, period_end, period, scope, kind, body,
tags, author, organisation_code, organisation_name, visibility, status, version, view_state,
seen_value, current_value, data_changed, edited, created_at, updated_at, replies). They never
query the database. Every user text is passed to Dash as a plain string child, which React
renders as text, never as HTML; chart hover texts are entity-escaped because plotly reads a
few tags in them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from dash import dcc, html

from components.controls import lazy_select, radios, select
from components.figure_text import plot_text
from rules.labels import VISIBILITY_LABELS

KIND_LABELS: dict[str, str] = {
    "interpretation": "Interpretation",
    "context_event": "Context or event",
    "data_quality": "Data quality",
    "question": "Question",
    "action": "Action",
}
STATUS_LABELS: dict[str, str] = {"open": "Open", "resolved": "Resolved"}

# Shape and line pattern per kind, so kinds differ without colour; the legend names them.
KIND_SYMBOLS: dict[str, str] = {
    "interpretation": "circle",
    "context_event": "diamond",
    "data_quality": "triangle-up",
    "question": "square",
    "action": "star",
}
KIND_DASHES: dict[str, str] = {
    "interpretation": "solid",
    "context_event": "dash",
    "data_quality": "dot",
    "question": "dashdot",
    "action": "longdash",
}
KIND_COLOURS: dict[str, str] = {
    "interpretation": "#12436D",
    "context_event": "#801650",
    "data_quality": "#F46A25",
    "question": "#28A197",
    "action": "#3D3D3D",
}
NOTE_UID_PREFIX = "chorus-note-"
NOTE_SHAPE_PREFIX = "chorus-note-range-"
NOTE_AXIS = "yaxis9"  # a hidden 0..1 axis over the chart for the point markers
MARKER_HEIGHT = 0.96


def pid(kind: str, panel_id: str) -> dict[str, str]:
    """Pattern-matching id of one annotation element of a panel."""
    return {"type": kind, "index": panel_id}


# --- chart markers -----------------------------------------------------------------------


def _plot_text(text: str, limit: int = 160) -> str:
    """Short, entity-escaped text for plotly (the one helper: components.figure_text)."""
    return plot_text(text, limit)


def _period_x(periods: Sequence[dict[str, Any]]) -> tuple[dict[str, str], timedelta]:
    """Start date of each period (the chart's x) and a small padding for spans."""
    starts = sorted({p["start"] for p in periods if p.get("start")})
    gaps = [
        (date.fromisoformat(b) - date.fromisoformat(a)).days
        for a, b in zip(starts, starts[1:], strict=False)
    ]
    pad = timedelta(days=max(3, int(min(gaps) * 0.35)) if gaps else 10)
    return {p["start"]: p["start"] for p in periods if p.get("start")}, pad


def _periods_in(note: dict[str, Any], periods: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    start, end = note.get("period_start"), note.get("period_end") or note.get("period_start")
    if not start:
        return []
    return [
        p
        for p in periods
        if p.get("start") and p["start"] >= start and (p.get("end") or p["start"]) <= end
    ]


def annotation_overlay(
    notes: Sequence[dict[str, Any]], periods: Sequence[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Plotly traces (points) and shapes (ranges) for notes on a date-axis trend chart.

    ``periods`` are the chart's periods (``[{"label", "start", "end"}]``, ISO dates); a
    note is drawn when its period is on the chart. Points are markers on a hidden axis at
    the top of the plot, one trace per kind with its own symbol and legend name; ranges are
    shaded spans with a kind-specific border pattern and a text label. Returns
    ``(traces, shapes)`` as plain dicts, each marked with NOTE_UID_PREFIX/NOTE_SHAPE_PREFIX.
    """
    _, pad = _period_x(periods)
    by_kind: dict[str, dict[str, list]] = {}
    shapes: list[dict[str, Any]] = []
    for note in notes:
        covered = _periods_in(note, periods)
        if not covered:
            continue
        kind = note.get("kind", "interpretation")
        label = KIND_LABELS.get(kind, kind)
        hover = (
            f"{label}: {_plot_text(note.get('body', ''))}<br>{_plot_text(note.get('author', ''))}"
        )
        if note.get("scope") == "range":
            first = date.fromisoformat(covered[0]["start"]) - pad
            last = date.fromisoformat(covered[-1]["start"]) + pad
            shapes.append(
                {
                    "type": "rect",
                    "name": f"{NOTE_SHAPE_PREFIX}{note['id']}",
                    "xref": "x",
                    "yref": "paper",
                    "x0": first.isoformat(),
                    "x1": last.isoformat(),
                    "y0": 0,
                    "y1": 1,
                    "layer": "below",
                    "fillcolor": KIND_COLOURS.get(kind, "#3D3D3D"),
                    "opacity": 0.12,
                    "line": {
                        "color": KIND_COLOURS.get(kind, "#3D3D3D"),
                        "width": 2,
                        "dash": KIND_DASHES.get(kind, "solid"),
                    },
                    "label": {
                        "text": _plot_text(f"{label} (range)", 40),
                        "textposition": "top left",
                        "font": {"size": 12, "color": "#0b0c0c"},
                    },
                }
            )
            # The span's first period also gets a hoverable marker, so the text is reachable.
            x = covered[0]["start"]
        else:
            x = covered[0]["start"]
        bucket = by_kind.setdefault(kind, {"x": [], "text": [], "ids": []})
        bucket["x"].append(x)
        bucket["text"].append(hover)
        bucket["ids"].append(note["id"])
    traces = [
        {
            "type": "scatter",
            "uid": f"{NOTE_UID_PREFIX}{kind}",
            "name": f"Note: {KIND_LABELS.get(kind, kind).lower()}",
            "legendgroup": "chorus-notes",
            "x": bucket["x"],
            "y": [MARKER_HEIGHT] * len(bucket["x"]),
            "yaxis": "y9",
            "mode": "markers",
            "marker": {
                "symbol": KIND_SYMBOLS.get(kind, "circle"),
                "size": 15,
                "color": "#ffffff",
                "line": {"color": KIND_COLOURS.get(kind, "#3D3D3D"), "width": 3},
            },
            "hovertext": bucket["text"],
            "hoverinfo": "text",
            "customdata": bucket["ids"],
            "cliponaxis": False,
        }
        for kind, bucket in sorted(by_kind.items(), key=lambda kv: list(KIND_SYMBOLS).index(kv[0]))
    ]
    return traces, shapes


def overlay_axis() -> dict[str, Any]:
    """The hidden axis the point markers sit on (0..1 over the plot)."""
    return {
        "overlaying": "y",
        "range": [0, 1],
        "visible": False,
        "fixedrange": True,
        "showgrid": False,
    }


def marker_overlay(
    notes: Sequence[dict[str, Any]], periods: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """What the browser draws on a chart for these notes (the ``note-markers`` Store's data).

    ``{"traces", "shapes"}`` from :func:`annotation_overlay`, and the hidden axis the point
    markers sit on (``"axis"``, set on the layout as ``"axis_name"``). assets/annotations.js
    takes the chart's own note traces (:func:`is_note_trace`) and spans
    (:func:`is_note_shape`) out and puts these in, so applying it again changes nothing; a
    chart with no notes before or after is left as drawn.
    """
    traces, shapes = annotation_overlay(notes, periods)
    return {"traces": traces, "shapes": shapes, "axis_name": NOTE_AXIS, "axis": overlay_axis()}


def is_note_trace(trace: dict[str, Any]) -> bool:
    return str(trace.get("uid") or "").startswith(NOTE_UID_PREFIX)


def is_note_shape(shape: dict[str, Any]) -> bool:
    return str(shape.get("name") or "").startswith(NOTE_SHAPE_PREFIX)


# --- list and thread -------------------------------------------------------------------------


def _when(iso: str | None) -> str:
    return (iso or "")[:10]


def kind_badge(kind: str) -> html.Span:
    return html.Span(
        KIND_LABELS.get(kind, kind), className=f"note-kind note-kind-{kind}", title="Kind of note"
    )


def note_meta(note: dict[str, Any]) -> html.P:
    """Who wrote it, for which period, when, visibility and status, in words."""
    parts = [
        f"{note.get('author', '')}, {note.get('organisation_name', '')}",
        note.get("period") or "",
        f"written {_when(note.get('created_at'))}",
        VISIBILITY_LABELS.get(note.get("visibility", ""), note.get("visibility", "")),
    ]
    children: list[Any] = [" · ".join(p for p in parts if p)]
    if note.get("edited"):
        children.append(" · edited")
    return html.P(children, className="note-meta")


def data_changed_notice(note: dict[str, Any], unit_text: str | None = None) -> html.P | None:
    """'The figure has changed since this was written' when a re-import revised it."""
    if not note.get("data_changed"):
        return None
    seen, now = note.get("seen_value"), note.get("current_value")
    text = "The figures behind this note have been revised since it was written"
    if seen is not None and now is not None:
        text += f" (then {seen:.1f}, now {now:.1f})"
    return html.P(text + ".", className="note-data-changed", role="note")


def note_status(note: dict[str, Any]) -> html.Span:
    status = note.get("status", "open")
    return html.Span(STATUS_LABELS.get(status, status), className=f"note-status note-{status}")


def note_tags(note: dict[str, Any]) -> html.Ul | None:
    tags = note.get("tags") or []
    if not tags:
        return None
    return html.Ul(
        [html.Li(tag, className="note-tag") for tag in tags],
        className="note-tags",
        **{"aria-label": "Tags"},
    )


def note_summary(
    note: dict[str, Any],
    open_button_id: dict[str, Any] | None = None,
    href: str | None = None,
    show_replies: bool = False,
) -> html.Li:
    """One note in a list: kind, status, text, meta, links and (optionally) its replies."""
    replies = note.get("replies") or []
    actions: list[Any] = []
    if open_button_id is not None:
        actions.append(
            html.Button(
                f"Open thread ({len(replies)} {'reply' if len(replies) == 1 else 'replies'})",
                id=open_button_id,
                n_clicks=0,
                className="btn btn-link note-open",
                type="button",
            )
        )
    if href:
        actions.append(
            dcc.Link(
                f"Open the chart as written: {note.get('indicator_title', '')}, "
                f"{note.get('area_name', '')}",
                href=href,
                className="note-chart-link",
            )
        )
    children = [
        html.Div([kind_badge(note.get("kind", "")), note_status(note)], className="note-badges"),
        html.P(note.get("body", ""), className="note-body"),
        note_meta(note),
        note_tags(note),
        data_changed_notice(note),
    ]
    if show_replies and replies:
        children.append(
            html.Details(
                [
                    html.Summary(f"{len(replies)} {'reply' if len(replies) == 1 else 'replies'}"),
                    html.Ol([reply_item(r) for r in replies], className="thread-replies"),
                ],
                className="note-replies",
            )
        )
    if actions:
        children.append(html.Div(actions, className="note-actions"))
    return html.Li(
        [c for c in children if c is not None],
        className=f"note-item note-item-{note.get('kind', '')}",
        id=f"note-{note['id']}",
    )


def notes_list(
    notes: Sequence[dict[str, Any]],
    heading: str = "Notes on this chart",
    open_button: Any = None,
    href_for: Any = None,
    empty_text: str = "No notes yet.",
    show_replies: bool = False,
    heading_level: int = 3,
    shown_first: int | None = None,
    thread_slot: Any = None,
) -> html.Section:
    """The list of notes; ``open_button(note) -> id`` and ``href_for(note) -> str`` optional.
    ``heading_level`` 2 where the list sits directly under the page's h1.

    With ``shown_first`` (a panel: 1), the heading gives the count and only the first notes
    (open questions first, then the most recently changed) show; the rest sit in a "Show
    all notes" disclosure the browser opens without asking the server.
    ``thread_slot(note)`` adds a place under each note where its thread opens (Discussion).
    """
    items = [
        note_summary(
            note,
            open_button(note) if open_button else None,
            href_for(note) if href_for else None,
            show_replies,
        )
        for note in notes
    ]
    if thread_slot is not None:
        for item, note in zip(items, notes, strict=True):
            item.children.append(thread_slot(note))
    heading_tag = html.H2 if heading_level == 2 else html.H3
    if shown_first is None or len(items) <= shown_first:
        title = heading if shown_first is None else f"{heading} ({len(items)})"
        body: list[Any] = [html.Ol(items, className="notes-list") if items else html.P(empty_text)]
    else:
        title = f"{heading} ({len(items)})"
        rest = items[shown_first:]
        body = [
            html.Ol(items[:shown_first], className="notes-list"),
            html.Details(
                [
                    html.Summary(f"Show all {len(items)} notes", className="notes-more"),
                    html.Ol(rest, className="notes-list", start=shown_first + 1),
                ],
                className="notes-rest",
            ),
        ]
    return html.Section(
        [heading_tag(title, className="notes-heading"), *body],
        className="notes-section",
    )


DISCUSSION_THREAD_PREFIX = "discussion-"


def discussion_thread_key(note_id: int) -> str:
    """The pattern-id index of a note's thread on the Discussion page: each note has its
    own, so its thread opens under it, driven by the same callbacks as a panel's threads."""
    return f"{DISCUSSION_THREAD_PREFIX}{note_id}"


def discussion_thread_slot(note: dict[str, Any]) -> html.Div:
    """Under a note on Discussion: the button that opens its thread in place, and the
    places the thread callbacks (pages/annotation_callbacks.py) fill: the thread, a
    message, and the stores saying which thread is open and when it last changed."""
    key = discussion_thread_key(int(note["id"]))
    replies = note.get("replies") or []
    count = f"{len(replies)} {'reply' if len(replies) == 1 else 'replies'}"
    return html.Div(
        [
            # Read by the thread callback, as on a panel; a thread needs no chart view.
            dcc.Store(id=pid("panel-state", key), data=None),
            dcc.Store(id=pid("note-refresh", key), data=0),
            dcc.Store(id=pid("note-open", key), data=0),
            html.Button(
                f"Open the discussion ({count}): reply, edit or resolve",
                id={"type": "note-open-btn", "index": key, "note": note["id"]},
                n_clicks=0,
                className="btn btn-outline-primary note-open",
                type="button",
            ),
            html.Div(
                id=pid("note-message", key),
                className="note-message",
                role="status",
                **{"aria-live": "polite"},
            ),
            html.Div(id=pid("note-thread", key), className="note-thread-wrap"),
        ],
        className="discussion-thread-slot",
    )


def reply_item(reply: dict[str, Any]) -> html.Li:
    who = f"{reply.get('author', '')}, {reply.get('organisation_name', '')}"
    meta = f"{who}, {_when(reply.get('created_at'))}"
    if reply.get("edited"):
        meta += ", edited"
    return html.Li(
        [html.P(reply.get("body", ""), className="note-body"), html.P(meta, className="note-meta")],
        className="note-reply",
    )


def thread_view(
    note: dict[str, Any],
    panel_id: str,
    *,
    can_reply: bool,
    can_resolve: bool,
    can_edit: bool,
    can_delete: bool,
    href: str | None = None,
    heading_level: int = 4,
    quotes: list[dict[str, Any]] | None = None,
    quote_choices: list[dict[str, Any]] | None = None,
) -> html.Section:
    """One thread: the note, its replies, the voice quotes linked to it, and the
    reply/link/edit/resolve/delete controls. ``heading_level`` 3 where the thread sits
    under an h2 list (Discussion). ``quotes`` are the linked quotes the reader may see
    (voice rows as dicts); ``quote_choices`` the quotes they may link (None: no control)."""
    replies = note.get("replies") or []
    heading_tag, replies_tag = (html.H3, html.H4) if heading_level == 3 else (html.H4, html.H5)
    children: list[Any] = [
        heading_tag(
            f"{KIND_LABELS.get(note.get('kind', ''), '')}: {note.get('period', '')}",
            className="thread-heading",
            id=f"thread-heading-{panel_id}",
            tabIndex="-1",
        ),
        html.Div([kind_badge(note.get("kind", "")), note_status(note)], className="note-badges"),
        html.P(note.get("body", ""), className="note-body"),
        note_meta(note),
        note_tags(note),
        data_changed_notice(note),
        replies_tag(f"Replies ({len(replies)})", className="thread-replies-heading"),
        html.Ol([reply_item(r) for r in replies], className="thread-replies")
        if replies
        else html.P("No replies yet."),
        *linked_quotes_list(quotes or [], replies_tag),
    ]
    if href:
        children.append(dcc.Link("Open the chart as this was written", href=href))
    children.append(dcc.Store(id=pid("note-thread-id", panel_id), data=note["id"]))
    children.append(dcc.Store(id=pid("note-thread-version", panel_id), data=note.get("version")))
    controls: list[Any] = []
    if can_reply:
        controls += [
            html.Label("Your reply", htmlFor=_dom_id("note-reply-text", panel_id)),
            dcc.Textarea(
                id=pid("note-reply-text", panel_id),
                maxLength=4000,
                className="note-textarea",
                value="",
            ),
            html.Button(
                "Reply",
                id=pid("note-reply-save", panel_id),
                n_clicks=0,
                className="btn btn-primary",
                type="button",
            ),
        ]
    if quote_choices:
        controls.append(quote_link_control(quote_choices, panel_id))
    if can_edit:
        controls.append(
            html.Details(
                [
                    html.Summary("Edit your note"),
                    html.Label("Text", htmlFor=_dom_id("note-edit-text", panel_id)),
                    dcc.Textarea(
                        id=pid("note-edit-text", panel_id),
                        value=note.get("body", ""),
                        maxLength=4000,
                        className="note-textarea",
                    ),
                    html.Button(
                        "Save changes",
                        id=pid("note-edit-save", panel_id),
                        n_clicks=0,
                        className="btn btn-primary",
                        type="button",
                    ),
                ],
                className="note-edit",
            )
        )
    buttons: list[Any] = []
    if can_resolve:
        resolved = note.get("status") == "resolved"
        buttons.append(
            html.Button(
                "Reopen" if resolved else "Mark as resolved",
                id=pid("note-resolve", panel_id),
                n_clicks=0,
                className="btn btn-outline-primary",
                type="button",
            )
        )
    if can_delete:
        buttons.append(
            html.Button(
                "Delete this note",
                id=pid("note-delete", panel_id),
                n_clicks=0,
                className="btn btn-outline-danger",
                type="button",
            )
        )
    if buttons:
        controls.append(html.Div(buttons, className="note-thread-buttons"))
    if controls:
        children.append(html.Div(controls, className="note-thread-controls"))
    return html.Section(
        [c for c in children if c is not None],
        className="note-thread",
        **{"aria-labelledby": f"thread-heading-{panel_id}"},
    )


def linked_quotes_list(quotes: list[dict[str, Any]], heading_tag: Any) -> list[Any]:
    """The voice quotes linked to a thread: heading, then each quote's text and its coarse
    attribution (as text, never HTML)."""
    if not quotes:
        return []
    items = [
        html.Li(
            [
                html.Blockquote(html.P(q.get("text") or ""), className="voice-quote"),
                html.P(q.get("attribution") or "", className="voice-attribution"),
            ],
            className="thread-quote",
            id=f"thread-quote-{q.get('id')}",
        )
        for q in quotes
    ]
    return [
        heading_tag(
            f"Quotes linked to this note ({len(quotes)})", className="thread-quotes-heading"
        ),
        html.Ul(items, className="thread-quotes"),
    ]


def quote_choice_label(quote: dict[str, Any], length: int = 90) -> str:
    """A quote as a choice in a list: its start and its attribution."""
    text = " ".join(str(quote.get("text") or "").split())
    if len(text) > length:
        text = text[: length - 1].rstrip() + "…"
    attribution = quote.get("attribution") or ""
    return f"“{text}” ({attribution})" if attribution else f"“{text}”"


def quote_link_control(quote_choices: list[dict[str, Any]], panel_id: str) -> html.Details:
    """Choose a quote (one the user may see, about the note's indicator) and link it."""
    options = [{"label": quote_choice_label(q), "value": str(q["id"])} for q in quote_choices]
    return html.Details(
        [
            html.Summary("Link a quote to this note"),
            html.Label("Quote", htmlFor=_dom_id("note-quote-choice", panel_id)),
            select(pid("note-quote-choice", panel_id), options, options[0]["value"]),
            html.Button(
                "Link this quote",
                id=pid("note-quote-link", panel_id),
                n_clicks=0,
                className="btn btn-outline-primary",
                type="button",
            ),
        ],
        className="note-quote-link",
    )


def conflict_view(your_text: str, current_text: str) -> html.Div:
    """Both texts after a refused save, so nothing typed is lost."""
    return html.Div(
        [
            html.P(
                "Someone else saved this note while you were editing it, so your save was "
                "not applied. Your text is kept in the note's history. Copy what you need "
                "from below and save again.",
                className="note-conflict-message",
            ),
            html.H5("Your text (not saved)"),
            html.Pre(your_text, className="note-conflict-text"),
            html.H5("The saved text now"),
            html.Pre(current_text, className="note-conflict-text"),
        ],
        className="note-conflict",
        role="alert",
    )


def _dom_id(kind: str, panel_id: str) -> str:
    """Dash writes a pattern id to the DOM as sorted compact JSON; labels point at that."""
    import json

    return json.dumps({"index": panel_id, "type": kind}, separators=(",", ":"))


# --- the form --------------------------------------------------------------------------------


def period_options(periods: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"label": p["label"], "value": p["start"]} for p in periods if p.get("start")]


def _period_label(
    text: str, id_: dict[str, str], options: list[dict[str, str]], value: str | None
) -> html.Label:
    """A period picker of the form: the chart's periods arrive when the form opens or the
    pointer or focus reaches it (see components.controls.LAZY_OPTIONS)."""
    control, lazy = lazy_select(id_, options, value, className="note-dropdown")
    return html.Label([html.Span(text), control], className="note-period", **lazy)


NOTE_TEXT_CLASS = "note-textarea"
NOTE_TEXT_INVALID_CLASS = "note-textarea note-textarea-invalid"


def note_form(
    panel_id: str,
    periods: Sequence[dict[str, Any]],
    *,
    in_learning_network: bool,
) -> html.Section:
    """The "Add a note" form: kind, point or range chosen from the chart's periods (keyboard
    accessible; a click on the chart fills them in too), text, tags and visibility."""
    options = period_options(periods)
    latest = options[-1]["value"] if options else None
    visibilities = [
        {"label": label, "value": value}
        for value, label in VISIBILITY_LABELS.items()
        if value != "learning_network" or in_learning_network
    ]
    return html.Section(
        hidden=True,
        id=f"note-form-{panel_id}",
        children=[
            html.H3("Add a note", className="notes-heading", id=f"note-form-heading-{panel_id}"),
            html.Fieldset(
                [
                    html.Legend("Kind of note"),
                    radios(
                        pid("note-kind", panel_id),
                        [{"label": v, "value": k} for k, v in KIND_LABELS.items()],
                        "interpretation",
                        legend="",
                        inline=True,
                        bare=True,
                    ),
                ],
                className="note-fieldset",
            ),
            html.Fieldset(
                [
                    html.Legend("What it is about"),
                    radios(
                        pid("note-scope", panel_id),
                        [
                            {"label": "One period", "value": "point"},
                            {"label": "A range of periods", "value": "range"},
                        ],
                        "point",
                        legend="",
                        inline=True,
                        bare=True,
                    ),
                ],
                className="note-fieldset",
            ),
            # The period pickers sit outside the radio fieldset: a fieldset of radios must
            # hold only that group.
            html.Div(
                [
                    html.Div(
                        [
                            _period_label(
                                "Period (or first period)",
                                pid("note-from", panel_id),
                                options,
                                latest,
                            ),
                            _period_label(
                                "Last period (for a range)",
                                pid("note-to", panel_id),
                                options,
                                latest,
                            ),
                        ],
                        className="note-periods",
                    ),
                    html.P(
                        "Tip: clicking a point on the chart chooses its period.",
                        className="note-hint",
                    ),
                ],
                className="note-period-choice",
            ),
            html.Label(
                "Your note (required; plain text, up to 4,000 characters)",
                htmlFor=_dom_id("note-text", panel_id),
            ),
            # Not ``required``: the browser would mark the box invalid as soon as a saved note
            # empties it. It is marked invalid only after an attempt to save it empty.
            dcc.Textarea(
                id=pid("note-text", panel_id),
                value="",
                maxLength=4000,
                className=NOTE_TEXT_CLASS,
            ),
            html.Label(
                "Tags (optional, separated by commas)", htmlFor=_dom_id("note-tags", panel_id)
            ),
            dcc.Input(id=pid("note-tags", panel_id), type="text", value="", className="note-input"),
            html.Fieldset(
                [
                    html.Legend("Who can see it"),
                    radios(
                        pid("note-visibility", panel_id),
                        visibilities,
                        "organisation",
                        legend="",
                        inline=True,
                        bare=True,
                    ),
                ],
                className="note-fieldset",
            ),
            html.Div(
                [
                    html.Button(
                        "Save note",
                        id=pid("note-save", panel_id),
                        n_clicks=0,
                        className="btn btn-primary",
                        type="button",
                    ),
                    html.Button(
                        "Cancel",
                        className="btn btn-outline-secondary note-form-cancel",
                        type="button",
                        **{"data-note-form": f"note-form-{panel_id}"},
                    ),
                ],
                className="note-form-buttons",
            ),
        ],
        className="note-form",
        # Every panel has a form headed "Add a note": the panel's title tells them apart.
        **{"aria-labelledby": f"note-form-heading-{panel_id} title-{panel_id}"},
    )


def add_note_button(panel_id: str) -> html.Button:
    """The button that opens a panel's note form (assets/annotations.js opens and closes it
    in the browser: no request to the server)."""
    return html.Button(
        "Add a note",
        className="btn btn-outline-primary note-form-open",
        type="button",
        id=f"note-form-open-{panel_id}",
        **{
            "aria-expanded": "false",
            "aria-controls": f"note-form-{panel_id}",
            "data-note-form": f"note-form-{panel_id}",
        },
    )


def annotation_slot_children(
    panel_id: str,
    periods: Sequence[dict[str, Any]],
    *,
    can_write: bool,
    in_learning_network: bool,
    listing: Any = None,
    markers: dict[str, Any] | None = None,
) -> list[Any]:
    """What fills a panel's annotation slot: stores, list, thread and (for writers) form.

    ``listing`` is the list of notes shown at once (:func:`notes_list`) and ``markers``
    their chart overlay (:func:`marker_overlay`), so a panel needs no second round trip.
    """
    children: list[Any] = [
        dcc.Store(id=pid("note-refresh", panel_id), data=0),
        # 0, not None: a memory Store mounted with None reports a change of its data at once
        # (undefined to null), which would fire the thread callback for nothing.
        dcc.Store(id=pid("note-open", panel_id), data=0),
        dcc.Store(id=pid("note-markers", panel_id), data=markers),
        html.Div(listing, id=pid("note-list", panel_id), className="note-list-wrap"),
        html.Div(
            id=pid("note-message", panel_id),
            className="note-message",
            role="status",
            **{"aria-live": "polite"},
        ),
        html.Div(id=pid("note-thread", panel_id), className="note-thread-wrap"),
    ]
    if can_write:
        children.append(add_note_button(panel_id))
        children.append(note_form(panel_id, periods, in_learning_network=in_learning_network))
    else:
        children.append(
            html.P(
                "You can read notes. Practitioners, analysts and administrators can write them.",
                className="note-hint",
            )
        )
    return children


def message(text: str, ok: bool) -> html.P:
    return html.P(text, className="note-ok" if ok else "note-problem")


RESTORE_BUTTON = "discussion-restore"


def hidden_note_item(note: dict[str, Any]) -> html.Li:
    """One hidden note for a moderator: its text (as plain text), who wrote it, on which
    chart, when it was hidden, and a Restore button (its name says whose note it is)."""
    where = f"{note.get('indicator_title', '')}, {note.get('area_name', '')}"
    written = f"Written by {note.get('author', '')} on {_when(note.get('created_at'))}"
    kind = "Reply" if note.get("parent_id") else KIND_LABELS.get(note.get("kind", ""), "Note")
    return html.Li(
        [
            html.P(note.get("body", ""), className="note-body"),
            html.P(
                f"{kind} on {where}. {written}. Hidden on {_when(note.get('deleted_at'))}.",
                className="note-meta",
            ),
            html.Button(
                [
                    "Restore",
                    html.Span(
                        f" the note by {note.get('author', '')} on {where}",
                        className="visually-hidden",
                    ),
                ],
                id={"type": RESTORE_BUTTON, "index": note["id"]},
                n_clicks=0,
                className="btn btn-outline-primary note-restore",
                type="button",
            ),
        ],
        className="note-item note-item-hidden",
    )


def hidden_notes_list(notes: Sequence[dict[str, Any]]) -> list[Any]:
    """The moderators' list of their organisation's hidden notes, newest hidden first."""
    if not notes:
        return [html.P("Your organisation has no hidden notes.", className="hidden-notes-none")]
    return [html.Ol([hidden_note_item(n) for n in notes], className="notes-list hidden-notes")]


def marker_data(notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the chart needs of each note (short, so the Store stays small)."""
    keys = ("id", "kind", "scope", "period_start", "period_end", "author")
    return [{**{k: n.get(k) for k in keys}, "body": (n.get("body") or "")[:200]} for n in notes]


def panel_notes_list(panel_id: str, notes: list[dict[str, Any]]) -> Any:
    """The list beside the chart, each note with a button that opens its thread."""
    return notes_list(
        notes,
        open_button=lambda n: {"type": "note-open-btn", "index": panel_id, "note": n["id"]},
        empty_text="No notes on this chart yet.",
        shown_first=1,
    )


def panel_markers(notes: list[dict[str, Any]], state: dict[str, Any]) -> dict[str, Any]:
    """The ``note-markers`` Store's data: the overlay the browser draws on the chart."""
    return marker_overlay(marker_data(notes), state.get("periods") or [])
