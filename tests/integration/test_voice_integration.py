"""Voice through the HTTP routes people use: the API and Dash callbacks (as the renderer posts).

Covers the consent scope through callbacks and the API, the practitioner form's check,
moderation, and withdrawal removing an item from panel, library, export and API at once.
"""

from __future__ import annotations

import base64
import csv
import io
import json

import pytest
from sqlalchemy import select

from data_access.models import VoiceItem

PANEL = "gld-E08000004"
STATE = {"indicator": "gld", "area_code": "E08000004", "breakdown": "total"}


@pytest.fixture
def voice_demo(db, users):  # type: ignore[no-untyped-def]
    """The illustrative voice library loaded for the test organisations."""
    from data_access.demo import DATA_DIR
    from data_access.demo.voice import seed_demo_extra

    with db.write() as session:
        seed_demo_extra(session, DATA_DIR)
    return db


_DEPENDENCIES: dict = {}


def _dependency(client, output_fragment: str) -> dict:  # type: ignore[no-untyped-def]
    if not _DEPENDENCIES:
        for dep in client.get("/_dash-dependencies").get_json():
            _DEPENDENCIES[dep["output"]] = dep
    matches = [d for key, d in _DEPENDENCIES.items() if output_fragment in key]
    assert matches, output_fragment
    return matches[0]


def _concrete(id_text: str, index: str) -> str | dict:
    if not id_text.startswith("{"):
        return id_text
    parsed = json.loads(id_text)
    return {k: (index if v == ["MATCH"] else v) for k, v in parsed.items()}


def _key(concrete: str | dict) -> str:
    return concrete["type"] if isinstance(concrete, dict) else concrete


def call(client, output_fragment: str, values: dict, trigger: str, index: str = PANEL):  # type: ignore[no-untyped-def]
    """POST a callback as Dash's renderer does. ``values`` keyed "id.property" (pattern ids
    by their type); a value for an ALL input is the list of {id, property, value}."""
    dep = _dependency(client, output_fragment)

    def items(kind: str) -> list:
        rows = []
        for item in dep[kind]:
            concrete = _concrete(item["id"], index)
            value = values.get(f"{_key(concrete)}.{item['property']}")
            if isinstance(concrete, dict) and ["ALL"] in concrete.values():
                rows.append(value or [])
            else:
                rows.append({"id": concrete, "property": item["property"], "value": value})
        return rows

    text = dep["output"]
    parts = text[2:-2].split("...") if text.startswith("..") else [text]
    outputs = []
    for part in parts:
        id_text, prop = part.rsplit(".", 1)
        outputs.append({"id": _concrete(id_text, index), "property": prop.split("@")[0]})
    body = {
        "output": text,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": items("inputs"),
        "state": items("state"),
        "changedPropIds": [trigger],
    }
    return client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )


def _texts(node) -> list[str]:  # type: ignore[no-untyped-def]
    """Every string inside a Dash component tree from a callback response."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [t for child in node for t in _texts(child)]
    if isinstance(node, dict):
        found = []
        if "props" in node:
            found += _texts(node["props"].get("children"))
        return found
    return []


def _ids(node) -> set[int]:  # type: ignore[no-untyped-def]
    """Voice item ids of the quote cards in a component tree."""
    found: set[int] = set()
    if isinstance(node, list):
        for child in node:
            found |= _ids(child)
    elif isinstance(node, dict) and "props" in node:
        ident = node["props"].get("id")
        if isinstance(ident, str) and ident.startswith("voice-item-"):
            found.add(int(ident.rsplit("-", 1)[1]))
        found |= _ids(node["props"].get("children"))
    return found


def _panel(client) -> dict:  # type: ignore[no-untyped-def]
    response = call(
        client,
        '"voice-slot"',
        {"panel-state.data": STATE},
        json.dumps({"index": PANEL, "type": "panel-state"}, separators=(",", ":")) + ".data",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["response"][f'{{"index":"{PANEL}","type":"voice-slot"}}']["children"]


def _library(client, **values) -> dict:  # type: ignore[no-untyped-def]
    values = {f"voice-{k}.value": v for k, v in values.items()}
    response = call(client, "voice-results.children", values, "voice-search.value")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["response"]


def _api(client, query: str = "") -> list[dict]:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/v1/voice{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["data"]


def test_voiint001_oldham_gld_panel_shows_approved_speech_quotes(client, auth, voice_demo):
    auth.login("oldham_viewer")
    slot = _panel(client)
    shown = _ids(slot)
    assert len(shown) == 3
    with voice_demo.read() as s:
        rows = s.execute(
            select(VoiceItem.moderation_status, VoiceItem.area_code).where(VoiceItem.id.in_(shown))
        ).all()
    assert set(rows) == {("approved", "E08000004")}
    texts = " ".join(_texts(slot))
    assert "illustrative" in texts
    assert "See all" in texts


def test_voiint002_rochdale_cannot_see_oldham_own_organisation_items(client, auth, voice_demo):
    with voice_demo.read() as s:
        restricted = set(
            s.scalars(
                select(VoiceItem.id).where(
                    VoiceItem.area_code == "E08000004",
                    VoiceItem.consent_scope == "own_organisation",
                )
            )
        )
    auth.login("rochdale_viewer")
    api_ids = {r["id"] for r in _api(client, "?area=E08000004&limit=1000")}
    assert api_ids and not api_ids & restricted
    assert not _ids(_panel(client)) & restricted
    assert not _ids(_library(client, area=["E08000004"])["voice-results"]["children"]) & restricted
    auth.logout()
    auth.login("oldham_viewer")
    api_rows = _api(client, "?area=E08000004&limit=1000")
    assert {r["id"] for r in api_rows} & restricted
    assert set(api_rows[0]) >= {
        "id",
        "text",
        "speaker_role",
        "age_band",
        "area_code",
        "service",
        "method",
        "collected_on",
        "themes",
        "indicators",
        "consent_scope",
    }


def test_voiint003_manchester_outside_the_network_sees_only_publication(client, auth, voice_demo):
    auth.login("manchester_viewer")
    rows = _api(client, "?limit=1000")
    assert rows and {r["consent_scope"] for r in rows} == {"publication"}
    auth.logout()
    auth.login("research_viewer")
    scopes = {r["consent_scope"] for r in _api(client, "?limit=1000")}
    assert scopes == {"publication", "learning_network"}


def test_voiint004_api_filters_paging_and_csv(client, auth, voice_demo):
    auth.login("oldham_viewer")
    first = client.get("/api/v1/voice?indicator=gld&theme=speech_language&limit=5").get_json()
    assert len(first["data"]) == 5 and first["next"]
    assert all("gld" in r["indicators"] and "speech_language" in r["themes"] for r in first["data"])
    second = client.get(first["next"]).get_json()
    assert not {r["id"] for r in first["data"]} & {r["id"] for r in second["data"]}
    response = client.get("/api/v1/voice?indicator=gld&theme=speech_language&format=csv&limit=5")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    # A CSV is a file leaving Chorus: only quotes consented for publication.
    assert {r["consent_scope"] for r in rows} == {"publication"}
    published = client.get(
        "/api/v1/voice?indicator=gld&theme=speech_language&consent_scope=publication&limit=5"
    ).get_json()
    assert [int(r["id"]) for r in rows] == [r["id"] for r in published["data"]]


def _exported(client) -> set[int]:  # type: ignore[no-untyped-def]
    response = call(
        client,
        "voice-download.data",
        {"voice-download-button.n_clicks": 1},
        "voice-download-button.n_clicks",
    )
    content = response.get_json()["response"]["voice-download"]["data"]["content"]
    return {int(r["id"]) for r in csv.DictReader(io.StringIO(content))}


def test_voiint005_withdrawal_removes_item_everywhere_in_one_cycle(client, auth, voice_demo):
    auth.login("oldham_analyst")
    publication = _api(client, "?indicator=gld&area=E08000004&consent_scope=publication")
    target = publication[0]["id"]  # the newest: it is in the panel and may be exported
    assert target in _ids(_panel(client))
    assert target in _exported(client)
    button = {
        "id": {"index": target, "type": "voice-mod-withdraw"},
        "property": "n_clicks",
        "value": 1,
    }
    response = call(
        client,
        "voice-mod-message.children",
        {"voice-mod-withdraw.n_clicks": [button], "voice-mod-version.data": 0},
        f'{{"index":{target},"type":"voice-mod-withdraw"}}.n_clicks',
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "withdrawn" in json.dumps(response.get_json())
    assert target not in _ids(_panel(client))
    assert target not in {r["id"] for r in _api(client, "?limit=1000")}
    assert target not in _ids(_library(client)["voice-results"]["children"])
    assert target not in _exported(client)
    with voice_demo.read() as s:
        assert s.get(VoiceItem, target).text == ""


def test_voiint006_form_blocks_a_phone_number_then_saves(client, auth, voice_demo):
    auth.login("oldham_practitioner")
    values = {
        "voice-add-save.n_clicks": 1,
        "voice-add-role.value": "parent_carer",
        "voice-add-age.value": "adult",
        "voice-add-service.value": "early_years",
        "voice-add-method.value": "interview",
        "voice-add-themes.value": ["speech_language"],
        "voice-add-indicators.value": ["gld"],
        "voice-add-scope.value": "own_organisation",
        "voice-add-collected.value": "2026-01-10",
        "voice-add-consent-date.value": "2026-01-10",
        "voice-add-review-date.value": "2028-01-10",
        "voice-add-false-alarm.value": [],
    }
    blocked = call(
        client,
        "voice-add-result.children",
        values | {"voice-add-text.value": "Text me on 07700 900123 about the talk group."},
        "voice-add-save.n_clicks",
    )
    assert blocked.status_code == 200
    assert "Not saved" in json.dumps(blocked.get_json())
    assert "phone number" in json.dumps(blocked.get_json())
    with voice_demo.read() as s:
        before = s.scalar(select(VoiceItem.id).order_by(VoiceItem.id.desc()))
    saved = call(
        client,
        "voice-add-result.children",
        values | {"voice-add-text.value": "The talk group gave us words to use at home."},
        "voice-add-save.n_clicks",
    )
    assert "pending approval" in json.dumps(saved.get_json())
    with voice_demo.read() as s:
        newest = s.scalar(select(VoiceItem).order_by(VoiceItem.id.desc()))
        assert newest.id > before and newest.moderation_status == "pending"
        assert newest.text == "The talk group gave us words to use at home."


def test_voiint007_viewer_cannot_save_or_moderate(client, auth, voice_demo):
    auth.login("oldham_viewer")
    response = call(
        client,
        "voice-add-result.children",
        {"voice-add-save.n_clicks": 1, "voice-add-text.value": "Fine words."},
        "voice-add-save.n_clicks",
    )
    assert response.status_code == 403
    button = {"id": {"index": 1, "type": "voice-mod-approve"}, "property": "n_clicks", "value": 1}
    response = call(
        client,
        "voice-mod-message.children",
        {"voice-mod-approve.n_clicks": [button]},
        '{"index":1,"type":"voice-mod-approve"}.n_clicks',
    )
    assert response.status_code == 403


def test_voiint008_csv_import_through_the_upload(client, auth, voice_demo):
    auth.login("oldham_analyst")
    content = (
        "text,speaker_role,service,method,consent_scope,consent_date\n"
        '"The hub was warm and nobody rushed us.",parent_carer,early_years,survey,publication,'
        "2026-01-01\n"
        '"Email me at someone@example.org",parent_carer,early_years,survey,publication,2026-01-01\n'
    )
    encoded = "data:text/csv;base64," + base64.b64encode(content.encode()).decode()
    response = call(
        client,
        "voice-import-report.children",
        {
            "voice-import-upload.contents": encoded,
            "voice-import-upload.filename": "survey.csv",
            "voice-mod-version.data": 0,
        },
        "voice-import-upload.contents",
    )
    text = json.dumps(response.get_json())
    assert "1 of 2 rows loaded" in text
    assert "email address" in text


def test_voiint009_coverage_panel_shows_under_represented_groups(client, auth, voice_demo):
    auth.login("oldham_viewer")
    response = call(
        client,
        "coverage-table.children",
        {"coverage-service.value": "early_help", "coverage-dimension.value": "ethnicity_group"},
        "coverage-service.value",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    result = response.get_json()["response"]
    summary = result["coverage-summary"]["children"]
    assert summary.startswith("Under-represented by ethnic group:")
    table_text = _texts(result["coverage-table"]["children"])
    assert "under-represented" in " ".join(table_text)
    # Small voice counts are suppressed, never shown as 1 to 5.
    assert not {"1", "2", "3", "4", "5"} & set(table_text)
