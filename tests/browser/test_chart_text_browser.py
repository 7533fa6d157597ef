"""User text on charts, as Chromium draws it: plotly reads a small HTML dialect in trace
names, tick labels and hover text, so an unescaped ``<a href>`` would become a live link,
``<b>`` bold, ``<br>`` a line break. Markup is planted in every user-writable field that
reaches a chart (an imported breakdown value, a codebook theme label, a note's body and
its author's name) and each page that draws it is opened: the rendered SVG must hold no
element made from the planted text and must show the text as typed.
(``tests/security/test_security_figure_text.py`` checks the figure JSON of every builder.)
"""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from tests.browser.browser_helpers import click_when_ready, wait_for_paint, wait_until

# Lower case: breakdown values are stored lower-cased, so the text shown is exactly this.
PLANTS = (
    '<a href="https://evil.example/">link</a>',
    "<b>bold</b>",
    "two<br>lines",
    '<img src="x" onerror="alert(1)">',
)
AREA = "E08000004"
INDICATOR = "eh_requests"

# Every element inside the charts' SVG, and the text of each text element (tspan lines
# included), plus whether any text is drawn bold (how plotly renders <b>).
_SVG_SCRIPT = """
  const plots = [...document.querySelectorAll(arguments[0] + ' .js-plotly-plot')];
  const svgs = plots.flatMap(p => [...p.querySelectorAll('svg')]);
  const names = new Set();
  const texts = [];
  let bold = 0;
  for (const svg of svgs) {
    for (const el of svg.querySelectorAll('*')) { names.add(el.localName); }
    for (const t of svg.querySelectorAll('text')) { texts.push(t.textContent); }
    for (const t of svg.querySelectorAll('text, tspan')) {
      const weight = (t.getAttribute('style') || '') + ' ' + (t.getAttribute('font-weight') || '');
      if (/bold|[6-9]00/.test(weight)) { bold += 1; }
    }
  }
  return {plots: plots.length, names: [...names], texts: texts, bold: bold,
          links: svgs.reduce((n, s) => n + s.querySelectorAll('a, [*|href]').length, 0)};
"""


def _svg(driver: Any, scope: str) -> dict:
    return driver.execute_script(_SVG_SCRIPT, scope)


def _assert_inert(found: dict, expected: tuple[str, ...]) -> None:
    """No link, image, foreign content or bold text in the charts, and every planted
    string shown literally in one text element of them."""
    assert found["plots"] > 0
    assert found["links"] == 0, "a planted link became an element"
    made = {"a", "image", "img", "foreignobject", "foreignObject", "b", "br"} & set(found["names"])
    assert made == set(), f"planted markup became elements: {made}"
    assert found["bold"] == 0, "planted <b> became bold text"
    for plant in expected:
        assert any(plant in text for text in found["texts"]), (plant, found["texts"])


def _no_script_ran(driver: Any) -> None:
    assert driver.execute_script("return window.__xss === undefined") is True


@pytest.fixture
def planted_breakdown(db, users, tmp_path):  # type: ignore[no-untyped-def]
    """Oldham's analyst imports the latest two months of Early Help requests by sex with
    the planted strings as group names; the batch is rolled back and removed afterwards
    (observations are shared by the whole test session)."""
    from data_access.importing.commit import RollbackRefused, rollback_batch
    from data_access.importing.service import import_file
    from data_access.models import ImportBatch, Observation
    from data_access.users import user_by_username

    with db.read() as s:
        before = s.scalar(select(func.max(ImportBatch.id))) or 0
        periods = list(
            s.execute(
                select(Observation.period_label)
                .where(
                    Observation.indicator_id == INDICATOR,
                    Observation.area_code == AREA,
                    Observation.breakdown == "sex",
                )
                .group_by(Observation.period_label)
                .order_by(func.max(Observation.period_start).desc())
                .limit(2)
            ).scalars()
        )
        analyst = user_by_username(s, users["oldham_analyst"].username)
    assert len(periods) == 2 and analyst is not None
    lines = [
        "indicator,area_code,period,breakdown,breakdown_value,numerator,denominator,value,status"
    ]
    for period in periods:
        for n, plant in enumerate(PLANTS):
            quoted = '"' + plant.replace('"', '""') + '"'
            lines.append(f"{INDICATOR},{AREA},{period},sex,{quoted},,,{40 + n},")
    path = tmp_path / "planted.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, result = import_file(db, path, "template", user=analyst, organisation_code=AREA)
    assert result.rows_inserted == len(lines) - 1, result
    yield
    with db.read() as s:
        made = s.scalars(
            select(ImportBatch.id).where(ImportBatch.id > before).order_by(ImportBatch.id.desc())
        ).all()
    for batch_id in made:
        with contextlib.suppress(RollbackRefused), db.write() as s:
            rollback_batch(s, batch_id, username="test")
    with db.write() as s:
        s.execute(delete(ImportBatch).where(ImportBatch.id > before))


@pytest.fixture
def planted_themes(db, users):  # type: ignore[no-untyped-def]
    """A codebook theme per planted string (made by Oldham's analyst) on one approved
    quote of Oldham's; the themes are removed afterwards (the codebook is shared)."""
    from data_access.models import VoiceItemTheme, VoiceTheme, VoiceThemeOwner
    from data_access.users import user_by_username
    from data_access.voice.codebook import save_theme
    from data_access.voice.writes import VoiceInput, approve_voice_item, create_voice_item

    with db.write() as s:
        analyst = user_by_username(s, users["oldham_analyst"].username)
        assert analyst is not None
        themes = [save_theme(s, analyst, plant).id for plant in PLANTS]
        for year in (2024, 2025):
            item = create_voice_item(
                s,
                analyst,
                VoiceInput(
                    text="The group helped us settle in and make friends.",
                    speaker_role="parent_carer",
                    service="early_years",
                    method="survey",
                    consent_scope="own_organisation",
                    collected_on=date(year, 5, 1),
                    consent_date=date(year, 5, 1),
                    review_date=date(2030, 1, 1),
                    themes=tuple(themes),
                ),
            )
            approve_voice_item(s, analyst, item.id)
    yield
    with db.write() as s:
        s.execute(delete(VoiceItemTheme).where(VoiceItemTheme.theme_id.in_(themes)))
        s.execute(delete(VoiceThemeOwner).where(VoiceThemeOwner.theme_id.in_(themes)))
        s.execute(delete(VoiceTheme).where(VoiceTheme.id.in_(themes)))


def test_chtx001_imported_breakdown_values_on_the_panel_are_text(
    session_browser, users, planted_breakdown
):
    driver = session_browser.driver
    viewer = users["oldham_viewer"]
    session_browser.login(viewer.username, viewer.password)
    session_browser.visit(f"/explore?indicator={INDICATOR}&area={AREA}&breakdown=sex")
    wait_until(driver, lambda d: _svg(d, "#explore-panel")["plots"] > 0)
    wait_for_paint(driver)
    # The trend chart's legend names each group ("Oldham: <group>").
    _assert_inert(_svg(driver, "#explore-panel"), PLANTS)
    # The breakdown tab draws the groups as the dot chart's category labels.
    click_when_ready(
        driver,
        lambda d: d.find_element(
            "xpath", "//*[@id='explore-panel']//*[@role='tab'][contains(., 'Breakdown')]"
        ),
    )
    wait_until(driver, lambda d: d.find_elements("css selector", ".panel-breakdown-graph svg"))
    session_browser.wait_for_dash()
    wait_for_paint(driver)
    _assert_inert(_svg(driver, ".panel-breakdown-graph"), PLANTS)
    _no_script_ran(driver)


def test_chtx002_theme_labels_on_the_voice_chart_are_text(session_browser, users, planted_themes):
    driver = session_browser.driver
    viewer = users["oldham_viewer"]
    session_browser.login(viewer.username, viewer.password)
    session_browser.visit("/voice")
    wait_until(driver, lambda d: len(_svg(d, "#voice-theme-chart")["texts"]) > 0)
    wait_for_paint(driver)
    wait_until(
        driver,
        lambda d: any(PLANTS[1] in t for t in _svg(d, "#voice-theme-chart")["texts"]),
    )
    _assert_inert(_svg(driver, "#voice-theme-chart"), PLANTS)
    _no_script_ran(driver)


@pytest.fixture
def planted_notes(db, users):  # type: ignore[no-untyped-def]
    """One note of each of four kinds on Oldham's latest four months of Early Help requests,
    each body a planted string, written by a practitioner whose display name is planted too."""
    from sqlalchemy import update

    from data_access.annotations import NewAnnotation, create_annotation
    from data_access.models import Observation, User
    from data_access.users import user_by_username

    practitioner = users["oldham_practitioner"]
    with db.write() as s:
        s.execute(
            update(User)
            .where(User.username == practitioner.username)
            .values(display_name=PLANTS[0])
        )
        months = s.execute(
            select(Observation.period_start, Observation.period_end)
            .where(
                Observation.indicator_id == INDICATOR,
                Observation.area_code == AREA,
                Observation.breakdown == "total",
            )
            .order_by(Observation.period_start.desc())
            .limit(len(PLANTS))
        ).all()
        author = user_by_username(s, practitioner.username)
        assert author is not None
        kinds = ("interpretation", "context_event", "data_quality", "question")
        # A month each: markers at one place would hide one another.
        for kind, plant, (start, end) in zip(kinds, PLANTS, months, strict=True):
            result = create_annotation(
                s,
                author,
                NewAnnotation(
                    indicator=INDICATOR,
                    area_code=AREA,
                    kind=kind,
                    body=plant,
                    visibility="organisation",
                    period_start=start,
                    period_end=end,
                ),
            )
            assert result.annotation is not None, result


# The hover label of one note marker, as plotly draws it (hover is what shows a note's
# text on the chart). Plotly throttles hover, so the caller repeats the call until the
# label is the requested marker's (its text starts with the kind the trace is named for).
_HOVER_SCRIPT = """
  const gd = document.querySelector(arguments[0] + ' .js-plotly-plot');
  const notes = (gd && gd.data || []).map((t, i) => [t, i])
    .filter(([t]) => String(t.uid || '').startsWith('chorus-note-'));
  if (arguments[1] === null) { return notes.length; }
  const [trace, index] = notes[arguments[1]];
  // The note markers sit on their own hidden axis: hover on that subplot.
  window.Plotly.Fx.hover(gd, [{curveNumber: index, pointNumber: 0}],
                         (trace.xaxis || 'x') + (trace.yaxis || 'y'));
  const layer = gd.querySelector('.hoverlayer');
  return {
    kind: trace.name.replace('Note: ', ''),
    text: [...layer.querySelectorAll('text')].map(t => t.textContent).join(' | '),
    names: [...layer.querySelectorAll('*')].map(e => e.localName),
    bold: [...layer.querySelectorAll('tspan')]
      .filter(t => /bold/.test(t.getAttribute('style') || '')).length,
    links: layer.querySelectorAll('a, [*|href]').length,
  };
"""


def _hover(driver: Any, number: int) -> dict:
    def shown(d: Any) -> dict | None:
        found = d.execute_script(_HOVER_SCRIPT, "#explore-panel", number)
        return found if found["text"].lower().startswith(found["kind"]) else None

    return wait_until(driver, shown)


def test_chtx003_note_bodies_and_authors_on_chart_markers_are_text(
    session_browser, users, planted_notes
):
    driver = session_browser.driver
    viewer = users["oldham_viewer"]
    session_browser.login(viewer.username, viewer.password)
    session_browser.visit(f"/explore?indicator={INDICATOR}&area={AREA}")
    wait_until(
        driver, lambda d: d.execute_script(_HOVER_SCRIPT, "#explore-panel", None) == len(PLANTS)
    )
    wait_for_paint(driver)
    hovers = [_hover(driver, number) for number in range(len(PLANTS))]
    for hover in hovers:
        assert hover["links"] == 0, hover
        assert hover["bold"] == 0, hover
        assert {"a", "image", "img", "foreignObject"} & set(hover["names"]) == set(), hover
        # The author's planted display name, as typed, in every label.
        assert PLANTS[0] in hover["text"], hover
    shown = " || ".join(h["text"] for h in hovers)
    for plant in PLANTS:
        assert plant in shown, (plant, shown)
    # The chart itself (legend, ticks) holds nothing made from the notes either.
    _assert_inert(_svg(driver, "#explore-panel"), ())
    _no_script_ran(driver)
