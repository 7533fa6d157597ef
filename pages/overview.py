"""Overview: this month's key figures for the user's organisation."""

from __future__ import annotations

import dash
import pandas as pd
from dash import html

from auth.current import current_record
from components.formatting import format_value
from components.tiles import indicator_tile
from data_access.db import get_database
from data_access.observations import indicator_catalogue, latest_totals

dash.register_page(__name__, path="/", name="Overview", title="Overview - Chorus", order=0)

ENGLAND = "E92000001"
KEY_INDICATORS = [
    "gld",
    "comm_lang",
    "two_year_takeup",
    "cin_rereferral",
    "care_leavers_eet_19_21",
    "care_leavers_accommodation_19_21",
    "staying_put",
]


def _tile_for(indicator: pd.Series, rows: pd.DataFrame, area_code: str) -> html.Section:
    own = rows[(rows["indicator"] == indicator["id"]) & (rows["area_code"] == area_code)]
    england = rows[(rows["indicator"] == indicator["id"]) & (rows["area_code"] == ENGLAND)]
    unit = indicator["unit"]
    if own.empty:
        value_text, period = "no figure", ""
    else:
        first = own.iloc[0]
        value_text = format_value(first["value"], unit, first["status"])
        period = first["period_label"]
    england_text = (
        "no figure"
        if england.empty
        else format_value(england.iloc[0]["value"], unit, england.iloc[0]["status"])
    )
    return indicator_tile(
        title=indicator["short_title"],
        value_text=value_text,
        period_label=period,
        england_text=england_text,
        illustrative=bool(indicator["illustrative"]),
    )


def layout(**_kwargs: object) -> html.Div:
    user = current_record()
    if user is None:
        return html.Div(html.H1("Overview"))
    area_code = user.organisation_code
    with get_database().read() as session:
        catalogue = indicator_catalogue(session, KEY_INDICATORS)
        rows = latest_totals(session, KEY_INDICATORS, [area_code, ENGLAND])
    tiles = [_tile_for(ind, rows, area_code) for _, ind in catalogue.iterrows()]
    return html.Div(
        [
            html.H1(f"Overview: {user.organisation_name}"),
            html.P(
                "The latest published figure for each key indicator, with England's figure "
                "for the same period.",
                className="lead-text",
            ),
            html.Div(tiles, className="tile-grid"),
        ]
    )
