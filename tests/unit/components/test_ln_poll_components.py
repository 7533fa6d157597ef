"""The poll and action components: the results chart (horizontal bars with counts as text,
one colour, a title), its table, the vote form's controls and messages, and that typed text
stays text."""

from __future__ import annotations

import json
from datetime import date

import plotly.utils

from components import ln_actions as action_ui
from components import ln_poll as poll_ui

RESULTS = {
    "step_id": 7,
    "kind": "prioritise",
    "question": "Which <b>first</b>?",
    "title": "Priorities",
    "options": ["Hubs <script>x</script>", "Outreach", "=SUM(A1)"],
    "counts": [3, 0, 1],
    "voters": 3,
    "is_open": True,
}


def _json(component: object) -> str:
    return json.dumps(component, cls=plotly.utils.PlotlyJSONEncoder)


def test_results_figure_is_horizontal_with_counts_as_text_and_one_colour():
    figure = poll_ui.results_figure(RESULTS)
    bar = figure.data[0]
    assert bar.orientation == "h"
    assert list(bar.text) == ["3", "0", "1"] and list(bar.x) == [3, 0, 1]
    assert bar.marker.color == poll_ui.BAR_COLOUR  # one colour: labels carry the meaning
    assert "3 people voted (poll open)" in figure.layout.title.text
    assert bar.y[0] == "Hubs &lt;script&gt;x&lt;/script&gt;"  # plotly shows it as text


def test_results_view_has_a_table_alternative_and_plain_text():
    view = _json(poll_ui.poll_results_view(RESULTS, "g"))
    assert '"Votes per option. 3 people have voted. The poll is open."' in view
    assert "Hubs <script>x</script>" in view  # a string child: React escapes it
    assert '"role": "img"' in view


def test_vote_form_controls_follow_the_kind():
    single = {**RESULTS, "kind": "single"}
    form = _json(poll_ui.poll_vote_form(7, single, [], True))
    assert "RadioItems" in form and '"Vote"' in form and "Choose one option." in form
    chosen = _json(poll_ui.poll_vote_form(7, RESULTS, [0, 2], True))
    assert "Checklist" in chosen and '"Change vote"' in chosen
    assert "Choose up to three options" in chosen
    closed = _json(poll_ui.poll_vote_form(7, {**RESULTS, "is_open": False}, [0], True))
    assert "This poll is closed. Your vote was counted." in closed
    assert poll_ui.vote_status_text(True, [], False).startswith("Voting is open to")


def test_action_lists_show_text_as_text():
    action = {
        "id": 1,
        "text": "<img src=x onerror=alert(1)>",
        "owner_name": "Rochdale",
        "owner_label": None,
        "due_on": date(2099, 1, 1).isoformat(),
        "status": "open",
        "said": None,
        "session_title": "Spring",
    }
    table = _json(action_ui.actions_table([action], "Actions"))
    assert "<img src=x onerror=alert(1)>" in table and "1 January 2099" in table
    overview = _json(action_ui.overview_actions([action], may_mark=True))
    assert '"Mark done"' in overview and "ln-action-done" in overview
    assert '"Mark done"' not in _json(action_ui.overview_actions([action], may_mark=False))
