"""Learning Network sessions through the real app: pages, callbacks over HTTP and exports.

Checks the rules of issue 8: only quotes consented for the Learning Network reach a
session and its exports; anonymised mode leaks no authority name in the rendered layout
JSON, the callback responses, the HTML export or the CSV; contributions follow the
annotation visibility rules; exports escape user text and neutralise formulas.
"""

from __future__ import annotations

import csv
import html as html_lib
import io
import json
import re
from datetime import date

import plotly.utils
import pytest
from flask_login import login_user
from sqlalchemy import select, update

from analysis.anonymise import leaked_names
from data_access import learning_network as ln
from data_access.models import (
    Annotation,
    Area,
    AuditEvent,
    LnStep,
    Organisation,
    VoiceItem,
    VoiceItemIndicator,
)
from data_access.users import user_by_id

OLDHAM, ROCHDALE, HAMPSHIRE, NORTH_YORKS = "E08000004", "E08000005", "E10000014", "E06000065"
PARTICIPANTS = [OLDHAM, ROCHDALE, HAMPSHIRE, NORTH_YORKS]
TEXTS = {
    "own_organisation": "OWN-ORG-ONLY quote about the nursery.",
    "learning_network": "NETWORK quote: the hub felt welcoming.",
    "publication": "PUBLIC quote: the bus never comes.",
}


def _record(db, key):  # type: ignore[no-untyped-def]
    from data_access.models import User

    username = key.replace("_", ".", 1).replace("northyorks.", "northyorks.")
    with db.read() as s:
        uid = s.scalar(select(User.id).where(User.username == username))
        return user_by_id(s, uid)


def _quote(s, owner: str, scope: str) -> int:  # type: ignore[no-untyped-def]
    org = s.scalar(select(Organisation).where(Organisation.code == owner))
    item = VoiceItem(
        text=TEXTS[scope],
        speaker_role="parent_carer",
        age_band="adult",
        area_code=owner,
        organisation_id=org.id,
        service="early_years",
        method="interview",
        collected_on=date(2025, 5, 1),
        consent_scope=scope,
        consent_date=date(2025, 5, 1),
        review_date=date(2030, 1, 1),
        moderation_status="approved",
    )
    s.add(item)
    s.flush()
    return item.id


@pytest.fixture
def built(db, users):  # type: ignore[no-untyped-def]
    """An Oldham session with the four sites: chart, quotes (one step tampered to hold an
    own-organisation quote), question; with one contribution by Rochdale."""
    analyst = _record(db, "oldham_analyst")
    compare = ["england", "region", ROCHDALE, HAMPSHIRE, NORTH_YORKS]
    with db.write() as s:
        quotes = {scope: _quote(s, OLDHAM, scope) for scope in TEXTS}
        record = ln.create_session(s, analyst, "Oldham and friends", "2026-03-12", PARTICIPANTS)
        chart = ln.add_step(
            s, analyst, record.id, "indicator", "GLD in Oldham and Rochdale",
            {"indicator": "gld", "area": OLDHAM, "compare": compare},
        )  # fmt: skip
        ids = [quotes["learning_network"], quotes["publication"]]
        step = ln.add_step(s, analyst, record.id, "quotes", "Voices", {"voice_ids": ids})
        # Tamper with the stored step: an own-organisation quote must still never show.
        tampered = json.dumps({"voice_ids": [quotes["own_organisation"], *ids]})
        s.execute(update(LnStep).where(LnStep.id == step.id).values(config=tampered))
        question = ln.add_step(
            s, analyst, record.id, "question", "Hampshire's question",
            {"text": "Why did Rochdale rise faster than Hampshire?"},
        )  # fmt: skip
        ln.add_contribution(
            s, analyst, record.id, chart.id, "Oldham rose after North Yorkshire's visit.", ROCHDALE
        )
    return {"id": record.id, "chart": chart.id, "question": question.id, "quotes": quotes}


def _names(db) -> list[str]:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return list(s.scalars(select(Area.name).where(Area.code.in_(PARTICIPANTS))))


def _as_json(component) -> str:  # type: ignore[no-untyped-def]
    return json.dumps(component, cls=plotly.utils.PlotlyJSONEncoder)


def _layout_as(server, db, key, module, **kwargs) -> str:  # type: ignore[no-untyped-def]
    from auth.current import CurrentUser

    page = __import__(f"pages.{module}", fromlist=["layout"])
    with server.test_request_context("/"):
        login_user(CurrentUser(_record(db, key)))
        return _as_json(page.layout(**kwargs))


def _document(server, db, key, session_id, anonymised):  # type: ignore[no-untyped-def]
    from auth.current import CurrentUser
    from pages._ln_support import session_document

    user = _record(db, key)
    with server.test_request_context("/"):
        login_user(CurrentUser(user))
        with db.read() as s:
            record = ln.get_session(s, user, session_id)
            return session_document(s, user, record, anonymised)[0]


def _without_plotly_library(html_text: str) -> str:
    # plotly.js itself (a third-party library, the same in every export) lists US state
    # names such as "new hampshire"; everything else in the file is searched.
    return re.sub(r"<script>.*?</script>", "<script></script>", html_text, count=1, flags=re.S)


# --- calling callbacks as the renderer does ----------------------------------------------


def _dependency(client, output_id: str) -> dict:  # type: ignore[no-untyped-def]
    for dep in client.get("/_dash-dependencies").get_json():
        if output_id in dep["output"]:
            return dep
    raise AssertionError(f"no callback writes {output_id}")


def call(client, output_id: str, trigger: str, values: dict):  # type: ignore[no-untyped-def]
    dep = _dependency(client, output_id)
    outputs = []
    text = dep["output"]
    for part in text[2:-2].split("...") if text.startswith("..") else [text]:
        id_text, prop = part.rsplit(".", 1)
        outputs.append({"id": id_text, "property": prop})

    def items(kind: str) -> list[dict]:
        return [
            {"id": i["id"], "property": i["property"], "value": values.get(i["id"])}
            for i in dep[kind]
        ]

    body = {
        "output": dep["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": items("inputs"),
        "state": items("state"),
        "changedPropIds": [
            f"{trigger}.{next(i['property'] for i in dep['inputs'] if i['id'] == trigger)}"
        ],
    }
    return client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )


# --- tests --------------------------------------------------------------------------------------


def test_ses001_only_network_consented_quotes_in_present_summary_and_exports(server, db, built):
    from components.ln_export import export_csv, export_html

    present = _layout_as(server, db, "oldham_analyst", "present", id=str(built["id"]), step="2")
    summary = _layout_as(server, db, "oldham_analyst", "session_summary", id=str(built["id"]))
    document = _document(server, db, "oldham_analyst", built["id"], False)
    exported = export_html(document) + export_csv(document["title"], document["sections"])
    for text in (present, summary, exported):
        assert TEXTS["publication"] in text
        assert TEXTS["own_organisation"] not in text
    # On screen the network's quotes show; a downloaded file carries publication only.
    assert TEXTS["learning_network"] in present and TEXTS["learning_network"] in summary
    assert TEXTS["learning_network"] not in exported
    # The builder offers only consented quotes too.
    builder = _layout_as(server, db, "oldham_analyst", "sessions", id=str(built["id"]))
    assert TEXTS["learning_network"][:40] in builder
    assert TEXTS["own_organisation"][:20] not in builder


@pytest.mark.parametrize("step", ["1", "2", "3"])
def test_ses002_anonymised_present_layout_names_no_authority(server, db, built, step):
    names = _names(db)
    assert len(names) == 4
    page = _layout_as(
        server, db, "oldham_analyst", "present", id=str(built["id"]), step=step, mode="anonymised"
    )
    assert leaked_names(page, names) == []
    assert leaked_names(page, PARTICIPANTS) == []
    assert '"Authority B"' in page  # Rochdale in the "said by" choices
    named = _layout_as(
        server, db, "oldham_analyst", "present", id=str(built["id"]), step=step, mode="names"
    )
    assert leaked_names(named, names)  # the same page by name does name them


def test_ses003_anonymised_step_callback_chart_table_and_capture_name_nobody(
    client, auth, db, built
):
    auth.login("oldham_analyst")
    names = _names(db)
    values = {
        "present-names": "anonymised",
        "present-index": 0,
        "present-show-table": False,
        "present-session": built["id"],
        "present-saved": 0,
    }
    chart = call(client, "present-step.children", "present-names", values)
    assert chart.status_code == 200, chart.get_data(as_text=True)[:500]
    text = chart.get_data(as_text=True)
    assert "Authority A" in text and "England" in text
    table = call(client, "present-step.children", "present-table", {**values, "present-table": 1})
    table_text = table.get_data(as_text=True)
    assert "<table" in table_text or '"type": "Table"' in table_text or "Table" in table_text
    for body in (text, table_text):
        assert leaked_names(body, names) == [], body[:300]
        assert leaked_names(body, PARTICIPANTS) == []


def test_ses004_anonymised_exports_name_no_authority(server, db, built):
    from components.ln_export import export_csv, export_html

    names = _names(db)
    document = _document(server, db, "oldham_analyst", built["id"], True)
    html_text = export_html(document)
    csv_text = export_csv(document["title"], document["sections"])
    searched = _without_plotly_library(html_text)
    assert leaked_names(searched, names) == []
    assert leaked_names(searched, PARTICIPANTS) == []
    assert leaked_names(csv_text, names + PARTICIPANTS) == []
    # Titles and contributions typed with names are anonymised too.
    readable = html_lib.unescape(searched)
    assert "Authority C's question" in readable
    assert "Authority A rose after Authority D's visit." in readable
    assert "Authority B:" in readable  # said by Rochdale
    # The charts are in the file and England stays named.
    assert "Plotly.newPlot" in html_text and "England" in searched


def test_ses005_contributions_follow_annotation_visibility(server, db, built):
    rochdale = _document(server, db, "rochdale_viewer", built["id"], False)
    said = [c["body"] for s in rochdale["sections"] for c in s["contributions"]]
    assert said == ["Oldham rose after North Yorkshire's visit."]
    # Manchester is not in the Learning Network: no session, no summary.
    page = _layout_as(server, db, "manchester_analyst", "session_summary", id=str(built["id"]))
    assert "Oldham and friends" not in page and "Choose a session" in page
    with db.read() as s:
        user = _record(db, "manchester_analyst")
        assert ln.session_contributions(s, user, built["id"]) == []


def test_ses006_capture_through_the_callback_route(client, auth, db, built):
    values = {
        "present-save": 1,
        "present-text": "Is the rise real or a recording change?",
        "present-said-by": "p2",  # Hampshire, the third participant
        "present-index": 2,  # the question step
        "present-session": built["id"],
        "present-saved": 0,
    }
    auth.login("oldham_viewer")
    refused = call(client, "present-message.children", "present-save", values)
    assert refused.status_code == 403
    auth.logout()
    auth.login("rochdale_practitioner")
    saved = call(client, "present-message.children", "present-save", values)
    assert saved.status_code == 200 and "Saved" in saved.get_data(as_text=True)
    with db.read() as s:
        note = s.scalar(select(Annotation).where(Annotation.body.like("Is the rise%")))
        assert note.kind == "question" and note.visibility == "learning_network"
        assert note.ln_session_id == built["id"] and note.indicator_id == "gld"
        assert json.loads(note.view_state)["ln_attribution"] == HAMPSHIRE
        assert f"ln-session-{built['id']}" in note.tags.split(",")


def test_ses007_exports_escape_user_text_and_neutralise_formulas(server, db, built):
    from components.ln_export import export_csv, export_html

    analyst = _record(db, "oldham_analyst")
    with db.write() as s:
        ln.add_step(
            s, analyst, built["id"], "text", "<script>alert('x')</script>",
            {"text": "<img src=x onerror=alert(1)>"},
        )  # fmt: skip
        ln.add_contribution(
            s, analyst, built["id"], built["chart"], '=HYPERLINK("http://evil","x")', None
        )
    document = _document(server, db, "oldham_analyst", built["id"], False)
    html_text = export_html(document)
    assert "<script>alert" not in html_text and "&lt;script&gt;alert" in html_text
    assert "<img src=x" not in html_text
    rows = list(csv.DictReader(io.StringIO(export_csv(document["title"], document["sections"]))))
    bodies = [r["text"] for r in rows if r["row_type"] == "contribution"]
    assert '\'=HYPERLINK("http://evil","x")' in bodies
    assert not any(v.startswith(("=", "+", "@")) for r in rows for v in r.values() if v)


def test_ses008_builder_adds_a_pasted_explore_view_and_refuses_other_organisations(
    client, auth, db, built
):
    values = {
        "ln-step-add": 1,
        "ln-session-id": built["id"],
        "ln-step-kind": "indicator",
        "ln-step-title": "",
        "ln-step-url": f"http://x/explore?indicator=cin_rereferral&area={ROCHDALE}&compare=england",
        "ln-step-quotes": [],
        "ln-step-text": "",
    }
    auth.login("oldham_analyst")
    response = call(client, "ln-agenda.children", "ln-step-add", values)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert "Added step 4" in response.get_data(as_text=True)
    auth.logout()
    auth.login("rochdale_analyst")
    refused = call(client, "ln-agenda.children", "ln-step-add", values)
    assert "Only a facilitator of the organisation" in refused.get_data(as_text=True)
    auth.logout()
    auth.login("oldham_practitioner")
    assert call(client, "ln-agenda.children", "ln-step-add", values).status_code == 403
    with db.read() as s:
        steps = s.scalars(select(LnStep).where(LnStep.session_id == built["id"])).all()
        denied = s.scalars(select(AuditEvent.action).where(AuditEvent.outcome == "denied")).all()
    assert len(steps) == 4
    assert "denied:session.edit" in denied


def test_ses009_explore_offers_the_session_link_to_facilitators_only(server, db, users):
    analyst = _layout_as(server, db, "oldham_analyst", "explore", indicator="gld", area=OLDHAM)
    viewer = _layout_as(server, db, "oldham_viewer", "explore", indicator="gld", area=OLDHAM)
    assert "Use in a Learning Network session" in analyst
    assert "/sessions?capture=%3Findicator%3Dgld" in analyst
    assert "Use in a Learning Network session" not in viewer


def test_ses010_monthly_pack_holds_charts_notes_and_only_publishable_quotes(server, db, built):
    from auth.current import CurrentUser
    from components.ln_export import export_html
    from pages.monthly_pack import pack_document

    user = _record(db, "oldham_viewer")
    with db.write() as s:
        for item_id in built["quotes"].values():
            s.add(VoiceItemIndicator(voice_item_id=item_id, indicator_id="gld"))
    with server.test_request_context("/"):
        login_user(CurrentUser(user))
        document = pack_document(user, OLDHAM, "Oldham", ["gld"])
    text = export_html(document)
    # Static SVG charts, no plotly.js: the pack stays small (see components.pack).
    assert "<svg" in text and "Plotly.newPlot" not in text
    assert "Oldham rose after North Yorkshire" in text  # the network note on the chart
    assert TEXTS["publication"] in text
    assert TEXTS["learning_network"] not in text and TEXTS["own_organisation"] not in text
