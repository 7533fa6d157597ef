"""Every authority's figure as a sortable table: the Explore map's keyboard and
screen-reader equivalent.

Takes the map's own frame (``data_access.views.build_map_view``: columns area_code,
area_name, period_label, value, status, rank, ranked, band), so the figures and the
suppression are exactly the map's. Sorting happens in the browser (assets/sortable_table.js):
each column header holds a button, and ``aria-sort`` on the header says which column the
rows are sorted by. Each cell carries a ``data-sort`` value so figures sort as numbers.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from dash import html

from components.aria import aria
from components.formatting import format_value, is_missing, short_value

TABLE_SECTION_ID = "explore-authority-table"
YOUR_AUTHORITY = "your authority"


def _data(**attributes: str) -> dict[str, Any]:
    """``_data(sort="x")`` -> ``{"data-sort": "x"}`` (typed for Dash's extra keywords)."""
    return {f"data-{name.replace('_', '-')}": value for name, value in attributes.items()}


# Missing ranks and values sort after every real one, whichever way the column is sorted.
COLUMNS = (
    ("name", "Authority", "text"),
    ("value", "Value", "number"),
    ("rank", "Rank", "number"),
    ("band", "Quartile band", "text"),
)


def _header(key: str, label: str, kind: str, sorted_by: str) -> html.Th:
    """A column header whose button sorts the table by it (ascending first)."""
    return html.Th(
        html.Button(
            [label, html.Span("", className="sort-arrow", **aria(hidden="true"))],
            type="button",
            className="sort-button",
            **_data(sort_key=key, sort_kind=kind),
        ),
        scope="col",
        **(aria(sort="ascending") if key == sorted_by else {}),
    )


def _sort_number(value: object) -> str:
    """A number as sortable text; empty for a missing one (sorted last)."""
    return "" if is_missing(value) or pd.isna(value) else repr(float(value))  # type: ignore[arg-type]


def _row(row: pd.Series, unit: str, own_code: str | None) -> html.Tr:
    own = row["area_code"] == own_code
    name_cell: list = [str(row["area_name"])]
    if own:
        # Said in words, not by the highlight alone.
        name_cell.append(html.Strong(f" ({YOUR_AUTHORITY})", className="own-authority-note"))
    value_text = (
        short_value(row["value"], unit, row["status"])
        if not is_missing(row["value"]) and pd.notna(row["value"])
        else format_value(None, "", row["status"])
    )
    ranked = not pd.isna(row["rank"])
    return html.Tr(
        [
            html.Th(name_cell, scope="row", **_data(sort=str(row["area_name"]).lower())),
            html.Td(value_text, className="numeric", **_data(sort=_sort_number(row["value"]))),
            html.Td(
                f"{int(row['rank'])} of {int(row['ranked'])}" if ranked else "not ranked",
                className="numeric",
                **_data(sort=_sort_number(row["rank"]) if ranked else ""),
            ),
            html.Td(
                str(row["band"]) if isinstance(row["band"], str) and row["band"] else "none",
                **_data(sort=row["band"] if isinstance(row["band"], str) else ""),
            ),
        ],
        className="own-authority" if own else None,
        **(aria(current="true") if own else {}),
    )


def authority_table(values: pd.DataFrame, unit: str, own_code: str | None) -> html.Section:
    """The table of every authority on the map, sorted by name; ``own_code`` (the user's
    authority) is highlighted and marked "(your authority)"."""
    heading = html.H3(
        "All authorities as a table",
        id=f"{TABLE_SECTION_ID}-heading",
        tabIndex="-1",  # the "Show as a table" link moves the focus here
    )
    if values.empty:
        return html.Section(
            [heading, html.P("No figures to show.")],
            id=TABLE_SECTION_ID,
            className="authority-table-section",
        )
    period = values["period_label"].iloc[0]
    frame = values.sort_values("area_name", kind="stable")
    own_rows = frame[frame["area_code"] == own_code]
    own_text = (
        f"Your authority, {own_rows['area_name'].iloc[0]}, is marked in the table."
        if not own_rows.empty
        else ""
    )
    table = html.Table(
        [
            html.Caption(
                f"{len(frame)} authorities, {period}. Choose a column heading to sort by it. "
                + own_text
            ),
            html.Thead(html.Tr([_header(*column, sorted_by="name") for column in COLUMNS])),
            html.Tbody([_row(row, unit, own_code) for _, row in frame.iterrows()]),
        ],
        className="data-table authority-table sortable-table",
    )
    return html.Section(
        [
            heading,
            html.Div(
                table,
                className="table-scroll",
                tabIndex="0",
                role="region",
                **aria(labelledby=f"{TABLE_SECTION_ID}-heading"),
            ),
        ],
        id=TABLE_SECTION_ID,
        className="authority-table-section",
    )
