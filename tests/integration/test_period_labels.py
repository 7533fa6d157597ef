"""One period format per frequency on the topic pages: the panels' captions, axis ticks,
period choices, tables and CSV downloads of Early years, Early Help and Care leavers write
academic, financial and reporting years as "2024/25" and months as "Mar 2026", whatever
form the importer stored ("2024-25" for years to 31 March)."""

from __future__ import annotations

import importlib
import json
import re
from typing import Any

import pytest

from components.downloads import series_csv_frame
from pages._panel_support import _opened_tab_content, as_json_tree, panel_view

OLDHAM = "E08000004"
SPLIT_YEAR = re.compile(r"(?<![\d-])(\d{4})([/-])(\d{2})(?![\d-])")  # not ISO dates
ISO_MONTH_OR_LONG_MONTH = re.compile(
    r"(?<![\d-])\d{4}-\d{2}(?![\d-])|\b(January|February|March|April|June|July|August|"
    r"September|October|November|December) \d{4}\b"
)


def _texts(tree: Any) -> str:
    """Every string in a serialised component tree or figure (ticks, captions, cells)."""
    return json.dumps(tree, ensure_ascii=False)


@pytest.mark.parametrize("page_name", ["early_years", "early_help", "care_leavers"])
def test_per001_topic_pages_write_years_one_way(server, users, page_name: str) -> None:
    page = importlib.import_module(f"pages.{page_name}")  # registered by the app first
    with server.test_request_context():
        shown = [_texts(as_json_tree(page.layout(area=OLDHAM)))]
        for indicator_id, _why in page.PANELS:
            view = panel_view(indicator_id, OLDHAM)
            assert view is not None
            shown.append(_texts(as_json_tree(_opened_tab_content(view, "table"))))
            shown.append(_texts(as_json_tree(_opened_tab_content(view, "breakdown"))))
            download = series_csv_frame(view.series, view.indicator.id)
            shown.append(" ".join(map(str, download["period"])))
    text = " ".join(shown)
    years = SPLIT_YEAR.findall(text)
    assert years, "the page shows no academic or financial year"
    dashed = sorted({f"{a}-{c}" for a, sep, c in years if sep == "-"})
    assert dashed == [], f"years written with a hyphen: {dashed[:5]}"
    assert ISO_MONTH_OR_LONG_MONTH.search(text) is None
