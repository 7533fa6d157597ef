"""Self-contained HTML and safe CSV records of a Learning Network session or a monthly pack.

The HTML file needs nothing but a browser: its style is inline and plotly.js is embedded
from the installed plotly package (no CDN), so the charts draw offline, and it prints to
PDF from the browser (each chart has its table of figures under it, which also prints).
A Content-Security-Policy in the file allows exactly its own scripts (by hash) and no
network access. Every user text is HTML-escaped; chart data goes in as plotly's JSON,
which escapes ``<``, ``>`` and ``/``.

Both exports take plain data built by the page (already anonymised when asked); nothing
here reads the database.

``document`` keys: ``title``, ``lines`` (sentences under the title), ``generated_at``
(datetime), ``sections`` (list), ``open_questions`` (list of str), ``ethics`` (a text
section, printed last), ``footer`` (str).
A section: ``heading``, ``kind`` (indicator, quotes, question, text, notes), and by kind
``figure`` (plotly Figure or dict) or ``svg`` (static chart markup built by
``components.pack``, its texts already escaped), ``caption``, ``table`` (DataFrame of
``SERIES_COLUMNS``),
``unit``, ``quotes`` ([{"text", "attribution"}]), ``text``; every section may carry
``contributions`` ([{"said_by", "body", "kind", "status", "noted_by", "when"}]) and
``contributions_heading``; a question section may carry ``poll`` (``{"options",
"counts", "voters", "is_open"}``); a section of kind ``actions`` carries ``actions``
([{"text", "owner_name", "owner_label", "due_on", "status", "said"}]).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from html import escape
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from components.formatting import clean_status, short_value
from rules.consent import may_leave_chorus
from rules.files import csv_text

_STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#0b0c0c;
background:#fff;max-width:62rem;margin:2rem auto;padding:0 1rem;line-height:1.5;font-size:17px}
h1{font-size:2rem;margin:0 0 .5rem}h2{font-size:1.4rem;margin:2rem 0 .5rem;
border-top:4px solid #12436D;padding-top:.75rem}h3{font-size:1.1rem;margin:1rem 0 .25rem}
.meta{color:#505a5f;margin:.25rem 0}
figure{margin:1rem 0}figcaption{margin:.5rem 0;font-size:1rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid #b1b4b6;padding:.2rem .5rem;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:.25rem 0}
blockquote{border-left:5px solid #28A197;margin:.75rem 0;padding:.25rem 1rem;font-size:1.15rem}
.attribution{color:#505a5f;font-size:.95rem}
.question{font-size:1.3rem;font-weight:600}
.said-by{font-weight:700}
.chart{width:100%;min-height:420px}
.open-questions li{margin:.25rem 0}
@media print{h2{break-before:auto}section{break-inside:avoid}.chart{min-height:0}}
"""

CSV_COLUMNS = [
    "document",
    "step",
    "step_kind",
    "step_title",
    "row_type",
    "said_by",
    "text",
    "note_kind",
    "note_status",
    "series",
    "area_code",
    "breakdown_value",
    "period",
    "value",
    "lower_ci",
    "upper_ci",
    "status",
    "written",
    "owner",
    "due_by",
]


def _figure_json(figure: go.Figure | dict) -> str:
    fig = go.Figure(figure)
    # A fixed width prints predictably; the file is read on a laptop or printed.
    fig.update_layout(width=900, autosize=False)
    return pio.to_json(fig, validate=False)


def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def _hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _table_html(series: pd.DataFrame, unit: str, caption: str) -> str:
    grouped = series["breakdown_value"].nunique() > 1
    headers = ["Area", *(["Group"] if grouped else []), "Period", "Value", "95% interval"]
    rows = []
    for row in series.itertuples(index=False):
        interval = (
            "–"
            if pd.isna(row.lower_ci) or pd.isna(row.upper_ci)
            else f"{row.lower_ci:.1f} to {row.upper_ci:.1f}"
        )
        cells = [
            str(row.series_name),
            *([str(row.breakdown_value).replace("_", " ")] if grouped else []),
            str(row.period_label),
            short_value(row.value, unit, clean_status(row.status)),
            interval,
        ]
        rows.append(
            "<tr><th scope=row>"
            + escape(cells[0])
            + "</th>"
            + "".join(
                f"<td class=num>{escape(c)}</td>"
                if n >= len(cells) - 2
                else f"<td>{escape(c)}</td>"
                for n, c in enumerate(cells[1:], start=1)
            )
            + "</tr>"
        )
    head = "".join(f"<th scope=col>{escape(h)}</th>" for h in headers)
    return (
        f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _contributions_html(section: dict[str, Any]) -> str:
    contributions = section.get("contributions")
    if contributions is None:
        return ""
    heading = section.get("contributions_heading") or f"Contributions ({len(contributions)})"
    parts = [f"<h3>{escape(heading)}</h3>"]
    if not contributions:
        parts.append("<p class=meta>None captured.</p>")
        return "".join(parts)
    parts.append("<ul class=contributions>")
    for c in contributions:
        extra = []
        if c.get("kind") == "question":
            extra.append(f"question, {c.get('status') or 'open'}")
        if c.get("noted_by"):
            extra.append(f"noted by {c['noted_by']}")
        if c.get("when"):
            extra.append(str(c["when"]))
        tail = f" <span class=attribution>({escape(', '.join(extra))})</span>" if extra else ""
        parts.append(
            f"<li><span class=said-by>{escape(c.get('said_by') or 'Anonymous')}:</span> "
            f"{escape(c.get('body') or '')}{tail}</li>"
        )
    parts.append("</ul>")
    return "".join(parts)


def _poll_html(poll: dict[str, Any] | None) -> str:
    if not poll:
        return ""
    rows = "".join(
        f"<tr><th scope=row>{escape(str(o))}</th><td class=num>{int(c)}</td></tr>"
        for o, c in zip(poll["options"], poll["counts"], strict=True)
    )
    state = "open" if poll.get("is_open") else "closed"
    return (
        f"<table><caption>Poll: votes per option ({int(poll['voters'])} voted, poll {state})"
        "</caption><thead><tr><th scope=col>Option</th><th scope=col>Votes</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _actions_html(actions: Sequence[dict[str, Any]]) -> str:
    if not actions:
        return "<p class=meta>None.</p>"
    head = "".join(
        f"<th scope=col>{h}</th>" for h in ("Action", "Owner", "Due by", "Status", "From")
    )
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{escape(str(v or ''))}</td>"
            for v in (
                a.get("text"),
                a.get("owner_label") or a.get("owner_name"),
                a.get("due_on"),
                a.get("status"),
                a.get("said"),
            )
        )
        + "</tr>"
        for a in actions
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _quote_html(quote: dict[str, Any]) -> str:
    return (
        f"<blockquote><p>{escape(quote.get('text') or '')}</p>"
        f"<p class=attribution>{escape(quote.get('attribution') or '')}</p></blockquote>"
    )


def _section_html(section: dict[str, Any], number: int, scripts: list[str]) -> str:
    parts = [f"<section><h2>{escape(section.get('heading') or '')}</h2>"]
    kind = section.get("kind")
    if kind == "indicator" and section.get("svg"):
        # A static chart drawn by components.pack (its labels escaped there): no script.
        parts.append(f"<figure>{section['svg']}")
        parts.append(f"<figcaption>{escape(section.get('caption') or '')}</figcaption></figure>")
        table = section.get("table")
        if table is not None and not table.empty:
            parts.append(
                _table_html(table, section.get("unit") or "", f"Figures: {section['heading']}")
            )
    elif kind == "indicator" and section.get("figure") is not None:
        div_id = f"chart-{number}"
        parts.append(f'<figure><div id="{div_id}" class="chart" role="img" aria-label="Chart">')
        parts.append("</div>")
        parts.append(f"<figcaption>{escape(section.get('caption') or '')}</figcaption></figure>")
        table = section.get("table")
        if table is not None and not table.empty:
            parts.append(
                _table_html(table, section.get("unit") or "", f"Figures: {section['heading']}")
            )
        figure_json = _figure_json(section["figure"])
        scripts.append(
            "(function(f){Plotly.newPlot("
            f'"{div_id}",f.data,f.layout,'
            '{"staticPlot":true,"displayModeBar":false,"responsive":false});})'
            f"({figure_json});"
        )
    elif kind == "indicator":
        parts.append(f"<p>{escape(section.get('missing') or 'No figures.')}</p>")
    elif kind == "quotes":
        quotes = _downloadable(section.get("quotes"))
        if not quotes:
            parts.append("<p class=meta>No quote here can be shown.</p>")
        parts += [_quote_html(q) for q in quotes]
    elif kind == "question":
        parts.append(f"<p class=question>{escape(section.get('text') or '')}</p>")
        parts.append(_poll_html(section.get("poll")))
    elif kind == "actions":
        parts.append(_actions_html(section.get("actions") or []))
    elif section.get("text"):
        parts.append(f"<p>{escape(section.get('text') or '')}</p>")
    if kind != "quotes" and _downloadable(section.get("quotes")):
        parts.append("<h3>What people say</h3>")
        parts += [_quote_html(q) for q in _downloadable(section["quotes"])]
    for line in section.get("lines") or []:
        parts.append(f"<p class=meta>{escape(line)}</p>")
    parts.append(_contributions_html(section))
    parts.append("</section>")
    return "\n".join(parts)


def _downloadable(quotes: Sequence[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The quotes a file may carry (``rules.consent``): a file can be forwarded anywhere."""
    return [q for q in quotes or [] if may_leave_chorus(q.get("consent_scope"))]


def export_html(document: dict[str, Any]) -> str:
    """The whole record as one HTML file (see the module docstring for ``document``)."""
    moment = document.get("generated_at") or datetime.now(UTC)
    when = f"{moment.day} {moment:%B %Y, %H:%M} UTC"  # "5 December 2026", no leading zero
    scripts: list[str] = []
    body = [
        f"<h1>{escape(document.get('title') or '')}</h1>",
        *[f"<p class=meta>{escape(line)}</p>" for line in document.get("lines") or []],
        f"<p class=meta>Exported {escape(when)}.</p>",
    ]
    for number, section in enumerate(document.get("sections") or [], start=1):
        body.append(_section_html(section, number, scripts))
    questions = document.get("open_questions")
    if questions is not None:
        body.append("<section><h2>Questions still open</h2>")
        if questions:
            body.append(
                "<ul class=open-questions>"
                + "".join(f"<li>{escape(q)}</li>" for q in questions)
                + "</ul>"
            )
        else:
            body.append("<p class=meta>None.</p>")
        body.append("</section>")
    if document.get("ethics"):
        # The ethics check (who reviewed what readers should know) closes the record.
        body.append(_section_html(document["ethics"], 0, scripts))
    if document.get("footer"):
        body.append(f"<p class=meta>{escape(document['footer'])}</p>")
    script_tags = []
    if scripts:
        library = _plotly_js()
        draw = "\n".join(scripts)
        script_tags = [library, draw]
    csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data: blob:; " + (
        "script-src " + " ".join(_hash(s) for s in script_tags)
        if script_tags
        else "script-src 'none'"
    )
    head = [
        "<!DOCTYPE html>",
        '<html lang="en-GB"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{escape(csp)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(document.get('title') or 'Chorus export')}</title>",
        f"<style>{_STYLE}</style>",
    ]
    if script_tags:
        head.append(f"<script>{script_tags[0]}</script>")
    out = [*head, "</head><body>", *body]
    if script_tags:
        out.append(f"<script>{script_tags[1]}</script>")
    out.append("</body></html>")
    return "\n".join(out)


def _number(value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return round(float(value), 1)  # type: ignore[arg-type]


def csv_rows(document_name: str, sections: Sequence[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    """One row per step, per figure, per quote and per contribution (``CSV_COLUMNS``)."""
    for number, section in enumerate(sections, start=1):
        base = {
            "document": document_name,
            "step": number,
            "step_kind": section.get("kind"),
            "step_title": section.get("heading"),
        }
        yield {**base, "row_type": "step", "text": section.get("text") or section.get("caption")}
        table = section.get("table")
        if table is not None:
            for row in table.itertuples(index=False):
                yield {
                    **base,
                    "row_type": "figure",
                    "series": row.series_name,
                    "area_code": row.area_code,
                    "breakdown_value": row.breakdown_value,
                    "period": row.period_label,
                    "value": _number(row.value),
                    "lower_ci": _number(row.lower_ci),
                    "upper_ci": _number(row.upper_ci),
                    "status": clean_status(row.status),
                }
        for quote in _downloadable(section.get("quotes")):
            yield {
                **base,
                "row_type": "quote",
                "text": quote.get("text"),
                "said_by": quote.get("attribution"),
            }
        poll = section.get("poll")
        for option, count in zip(
            *(poll["options"], poll["counts"]) if poll else ((), ()), strict=True
        ):
            yield {**base, "row_type": "poll_result", "text": option, "value": int(count)}
        for a in section.get("actions") or []:
            yield {
                **base,
                "row_type": "action",
                "text": a.get("text"),
                "owner": a.get("owner_label") or a.get("owner_name"),
                "note_status": a.get("status"),
                "due_by": a.get("due_on"),
            }
        for c in section.get("contributions") or []:
            yield {
                **base,
                "row_type": "contribution",
                "said_by": c.get("said_by") or "Anonymous",
                "text": c.get("body"),
                "note_kind": c.get("kind"),
                "note_status": c.get("status"),
                "written": c.get("when"),
            }


def export_csv(document_name: str, sections: Sequence[dict[str, Any]]) -> str:
    """CSV text of :func:`csv_rows`, with every formula-like text cell neutralised."""
    rows = ({k: row.get(k) for k in CSV_COLUMNS} for row in csv_rows(document_name, sections))
    return csv_text(rows, CSV_COLUMNS, lineterminator="\r\n")
