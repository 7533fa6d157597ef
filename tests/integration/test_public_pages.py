"""The public pages: no sign-in, built from the live settings, readable, accessible, and
showing only publication-consent quotes; taking words back with a reference."""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select
from test_voice_integration import _api, _exported, _ids, _library, _panel, call

from analysis.readability import flesch_reading_ease
from data_access.models import (
    Annotation,
    AnnotationVoiceLink,
    AuditEvent,
    EthicsCheck,
    Organisation,
    User,
    VoiceItem,
)

OLDHAM = "E08000004"


@pytest.fixture
def voice_demo(db, users):  # type: ignore[no-untyped-def]
    from data_access.demo import DATA_DIR
    from data_access.demo.voice import seed_demo_extra

    with db.write() as session:
        seed_demo_extra(session, DATA_DIR)
    return db


@pytest.fixture(autouse=True)
def _fresh_public_state(server):  # type: ignore[no-untyped-def]
    from pages._public_site import page_cache

    page_cache.clear()
    for key in [k for k in server.extensions if k.startswith("chorus_public_limiter_")]:
        del server.extensions[key]
    yield
    page_cache.clear()


class _Page(HTMLParser):
    """Headings, landmarks, labels and the visible text of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.headings: list[int] = []
        self.tags: list[tuple[str, dict]] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags.append((tag, dict(attrs)))
        if tag in ("style", "script", "title"):
            self._skip += 1
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag in ("p", "li", "h1", "h2", "h3", "blockquote", "figcaption", "div"):
            self.text.append("\n")

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag in ("style", "script", "title"):
            self._skip -= 1
        if tag in ("p", "li", "h1", "h2", "h3"):
            self.text.append("\n")

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if not self._skip:
            self.text.append(data)

    @property
    def plain(self) -> str:
        return re.sub(r"[ \t]+", " ", "".join(self.text))


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _get(client, path: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def _assert_accessible(html: str) -> None:
    page = parse(html)
    tags = [t for t, _ in page.tags]
    html_tag = dict(page.tags)["html"]
    assert html_tag.get("lang") == "en-GB"
    assert page.headings.count(1) == 1 and page.headings[0] == 1
    for before, after in zip(page.headings, page.headings[1:], strict=False):
        assert after <= before + 1, f"heading level jumps from h{before} to h{after}"
    for landmark in ("header", "main", "footer"):
        assert tags.count(landmark) == 1, landmark
    ids = {a.get("id") for _, a in page.tags}
    assert '<a class="public-skip" href="#main">' in html and "main" in ids
    labelled = {a.get("for") for t, a in page.tags if t == "label"}
    for tag, attrs in page.tags:
        if tag == "input" and attrs.get("type") != "hidden":
            assert attrs.get("id") in labelled, f"input without a label: {attrs}"


def test_pub001_information_page_answers_without_sign_in_and_names_oldham(client, users):
    html = _get(client, f"/public/{OLDHAM}")
    text = parse(html).plain
    assert "Oldham" in text
    for heading in (
        "If you said your words can stay with us",
        "If you said your words can be shared with other councils",
        "If you said your words can be published",
    ):
        assert heading in text
    assert "fewer than 5 children" in text
    assert "90 days after that date" in text
    assert "after 6 years" in text
    assert "/public/E08000004/take-back" in html


def test_pub002_every_consent_scope_has_plain_words():
    from data_access.public_info import SCOPE_HEADINGS, SCOPE_PLAIN_WORDS
    from rules.consent import CONSENT_SCOPES

    assert set(SCOPE_PLAIN_WORDS) == set(CONSENT_SCOPES) == set(SCOPE_HEADINGS)


def test_pub003_changing_a_setting_changes_the_page(client, server, users):
    first = parse(_get(client, f"/public/{OLDHAM}")).plain
    assert "fewer than 5 children" in first
    original = server.extensions["chorus_settings"]
    server.extensions["chorus_settings"] = dataclasses.replace(
        original,
        disclosure_threshold=10,
        voice_retention_days_past_review=30,
        audit_retention_days=365,
    )
    try:
        changed = parse(_get(client, f"/public/{OLDHAM}")).plain
        easy = parse(_get(client, f"/public/{OLDHAM}/easy-read")).plain
    finally:
        server.extensions["chorus_settings"] = original
    assert "fewer than 10 children" in changed and "fewer than 5 children" not in changed
    assert "30 days after that date" in changed
    assert "after 1 year." in changed
    assert "Fewer than 10 is too small." in easy


def test_pub004_contact_set_by_the_admin_is_shown_as_text(client, db, users):
    from data_access.public_info import set_public_contact
    from data_access.users import user_by_id

    with db.write() as session:
        admin_id = session.scalar(select(User.id).where(User.username == "oldham.admin"))
        admin = user_by_id(session, admin_id)
        assert set_public_contact(session, admin, "Data team <b>0161 000 0000</b>") == ""
    html = _get(client, f"/public/{OLDHAM}")
    assert "Data team &lt;b&gt;0161 000 0000&lt;/b&gt;" in html
    assert "<b>" not in html


@pytest.mark.parametrize("path", ["", "/easy-read", "/you-said-we-did", "/take-back"])
def test_pub005_pages_are_readable_and_accessible(client, users, path):
    html = _get(client, f"/public/{OLDHAM}{path}")
    _assert_accessible(html)
    text = parse(html).plain
    assert flesch_reading_ease(text) >= 60, flesch_reading_ease(text)
    assert '<link rel="stylesheet" href="/assets/public.css">' in html


def test_pub006_print_stylesheet_hides_navigation_and_forms():
    from pathlib import Path

    css = Path("assets/public.css").read_text()
    assert "@media print" in css
    print_rules = css.split("@media print", 1)[1]
    assert "nav" in print_rules and "form" in print_rules


def test_pub007_unknown_authority_is_a_plain_404(client, users):
    response = client.get("/public/E99999999")
    assert response.status_code == 404
    assert "could not find a council" in response.get_data(as_text=True)
    assert client.get("/public/RESEARCH").status_code == 404


def test_pub008_login_page_links_to_the_public_pages(client, users):
    assert 'href="/public"' in _get(client, "/login")
    index = _get(client, "/public")
    assert f'href="/public/{OLDHAM}"' in index and "Oldham" in index


def _oldham(session) -> Organisation:  # type: ignore[no-untyped-def]
    return session.scalar(select(Organisation).where(Organisation.code == OLDHAM))


def _action_on_every_oldham_quote(db) -> tuple[set[str], set[str]]:  # type: ignore[no-untyped-def]
    """One action per Oldham quote, each linked; returns (publication texts, other texts)."""
    with db.write() as session:
        org = _oldham(session)
        author = session.scalar(select(User.id).where(User.username == "oldham.analyst"))
        items = session.scalars(
            select(VoiceItem).where(
                VoiceItem.organisation_id == org.id,
                VoiceItem.moderation_status == "approved",
                VoiceItem.withdrawn.is_(False),
            )
        ).all()
        for item in items:
            note = Annotation(
                indicator_id="gld",
                area_code=OLDHAM,
                kind="action",
                body="We added more speech and language groups on Saturdays.",
                author_id=author,
                organisation_id=org.id,
                visibility="organisation",
            )
            session.add(note)
            session.flush()
            session.add(AnnotationVoiceLink(annotation_id=note.id, voice_item_id=item.id))
        session.add(
            EthicsCheck(
                organisation_id=org.id,
                user_id=author,
                kind="public_page",
                reviewer_name="Oldham analyst",
                summary="[]",
            )
        )
        publication = {i.text for i in items if i.consent_scope == "publication"}
        others = {
            i.text
            for i in session.scalars(
                select(VoiceItem).where(
                    VoiceItem.organisation_id == org.id,
                    VoiceItem.consent_scope.in_(("own_organisation", "learning_network")),
                )
            )
        }
    return publication, others


def test_pub009_you_said_we_did_shows_only_publication_quotes(client, voice_demo):
    from markupsafe import escape

    publication, others = _action_on_every_oldham_quote(voice_demo)
    assert publication and others
    html = _get(client, f"/public/{OLDHAM}/you-said-we-did")
    assert "What we did" in html and "Saturdays" in html
    shown = [t for t in publication if str(escape(t)) in html]
    assert shown, "publication quotes should be shown"
    leaked = [t for t in others if t and str(escape(t)) in html]
    assert leaked == []
    assert "oldham.analyst" not in html and "Oldham analyst" not in html


def test_pub010_you_said_we_did_waits_for_publication(client, voice_demo):
    html = _get(client, f"/public/{OLDHAM}/you-said-we-did")
    assert "has not shared anything here yet" in html


def test_pub011_public_pages_are_rate_limited(client, users, monkeypatch):
    import pages._public_site as site

    monkeypatch.setattr(site, "PAGE_VIEWS_PER_MINUTE", 3)
    for _ in range(3):
        assert client.get(f"/public/{OLDHAM}").status_code == 200
    response = client.get(f"/public/{OLDHAM}")
    assert response.status_code == 429
    assert "Please try again in a few minutes" in response.get_data(as_text=True)


def test_pub012_information_page_may_be_kept_by_caches_for_a_minute(client, users):
    response = client.get(f"/public/{OLDHAM}")
    assert response.headers["Cache-Control"] == "public, max-age=60"
    # The quotes page changes the moment someone takes their words back.
    assert client.get(f"/public/{OLDHAM}/you-said-we-did").headers["Cache-Control"] == "no-store"


# --------------------------------------------------------------------------- taking back


def _csrf(client, path: str) -> str:  # type: ignore[no-untyped-def]
    match = re.search(r'name="csrf_token" value="([^"]+)"', _get(client, path))
    assert match
    return match.group(1)


def _take_back(client, reference: str, action: str = "withdraw") -> tuple[int, str]:  # type: ignore[no-untyped-def]
    path = f"/public/{OLDHAM}/take-back"
    response = client.post(
        path,
        data={"csrf_token": _csrf(client, path), "reference": reference, "action": action},
        headers={"Origin": "http://localhost"},
    )
    page = response.get_data(as_text=True)
    message = re.search(r'role="status">(.*?)</div>', page, re.S)
    return response.status_code, message.group(1).strip() if message else ""


def _reference_for(db, item_id: int) -> str:  # type: ignore[no-untyped-def]
    from data_access.users import user_by_id
    from data_access.withdrawals import issue_reference

    with db.write() as session:
        uid = session.scalar(select(User.id).where(User.username == "oldham.practitioner"))
        return issue_reference(session, user_by_id(session, uid), item_id)


def test_pub013_withdrawal_hides_the_quote_everywhere_then_analyst_confirms(
    client, auth, voice_demo
):
    auth.login("oldham_analyst")
    target = _api(client, "?indicator=gld&area=E08000004&consent_scope=publication")[0]["id"]
    assert target in _ids(_panel(client)) and target in _exported(client)
    reference = _reference_for(voice_demo, target)
    auth.logout()

    status, message = _take_back(client, reference.lower().replace("-", " "))
    assert status == 200 and message.startswith("Thank you.")
    assert _take_back(client, reference, "status")[1].startswith("We have your request")

    auth.login("oldham_analyst")
    assert target not in _ids(_panel(client))
    assert target not in {r["id"] for r in _api(client, "?limit=1000")}
    assert target not in _ids(_library(client)["voice-results"]["children"])
    assert target not in _exported(client)
    queue = call(client, "voice-mod-body.children", {"voice-mod-tab.data": "take_back"}, "x")
    assert f"voice-take-back-{target}" in queue.get_data(as_text=True)
    button = {"id": {"index": target, "type": "voice-mod-take-back"}, "property": "n_clicks"}
    response = call(
        client,
        "voice-mod-message.children",
        {"voice-mod-take-back.n_clicks": [button | {"value": 1}], "voice-mod-version.data": 0},
        f'{{"index":{target},"type":"voice-mod-take-back"}}.n_clicks',
    )
    assert "withdrawn as its speaker asked" in response.get_data(as_text=True)
    with voice_demo.read() as s:
        assert s.get(VoiceItem, target).withdrawn and s.get(VoiceItem, target).text == ""
    auth.logout()
    assert _take_back(client, reference, "status")[1].startswith("The quote has been withdrawn")


def test_pub014_unknown_and_known_references_get_the_same_answer_and_work(client, voice_demo):
    from data_access.withdrawals import new_reference

    with voice_demo.read() as s:
        item_id = s.scalar(
            select(VoiceItem.id)
            .where(VoiceItem.consent_scope == "publication", VoiceItem.area_code == OLDHAM)
            .limit(1)
        )
    known = _reference_for(voice_demo, item_id)

    def audit_rows() -> int:
        with voice_demo.read() as s:
            return s.scalar(select(func.count()).select_from(AuditEvent))

    before = audit_rows()
    unknown_answer = _take_back(client, new_reference())
    after_unknown = audit_rows()
    known_answer = _take_back(client, known)
    after_known = audit_rows()
    assert unknown_answer == known_answer
    assert after_unknown - before == after_known - after_unknown == 1
    assert _take_back(client, "not a code")[1] == known_answer[1]
    assert _take_back(client, new_reference(), "status")[1].startswith("We have no request")


def test_pub015_references_are_random_hashed_and_reveal_nothing(voice_demo):
    from data_access.models import VoiceWithdrawal
    from data_access.withdrawals import REFERENCE_PATTERN, normalise_reference

    with voice_demo.read() as s:
        ids = list(s.scalars(select(VoiceItem.id).where(VoiceItem.area_code == OLDHAM).limit(2)))
    first, second = (_reference_for(voice_demo, i) for i in ids)
    assert first != second
    assert REFERENCE_PATTERN.match(normalise_reference(first))
    with voice_demo.read() as s:
        stored = set(s.scalars(select(VoiceWithdrawal.reference_hash)))
    assert first not in stored and normalise_reference(first) not in stored
    assert all(len(h) == 64 for h in stored)
    # Nothing in a reference comes from the quote: the same quote gets a new one each time.
    assert _reference_for(voice_demo, ids[0]) != first


def test_pub016_the_form_is_rate_limited(client, voice_demo, monkeypatch):
    import pages._public_site as site

    monkeypatch.setattr(site, "FORM_POSTS_PER_WINDOW", 2)
    assert _take_back(client, "AAAA-BBBB-CCCC")[0] == 200
    assert _take_back(client, "AAAA-BBBB-CCCC")[0] == 200
    assert _take_back(client, "AAAA-BBBB-CCCC")[0] == 429


def test_pub017_form_without_its_token_is_refused(client, voice_demo):
    response = client.post(
        f"/public/{OLDHAM}/take-back",
        data={"reference": "AAAA-BBBB-CCCC"},
        headers={"Origin": "http://localhost"},
    )
    assert response.status_code in (400, 403)


def test_pub018_saving_a_quote_gives_the_practitioner_a_reference_that_works(
    client, auth, voice_demo
):
    from data_access.withdrawals import REFERENCE_PATTERN, normalise_reference

    auth.login("oldham_practitioner")
    values = {
        "voice-add-save.n_clicks": 1,
        "voice-add-text.value": "The talk group gave us words to use at home.",
        "voice-add-role.value": "parent_carer",
        "voice-add-age.value": "adult",
        "voice-add-service.value": "early_years",
        "voice-add-method.value": "interview",
        "voice-add-themes.value": ["speech_language"],
        "voice-add-indicators.value": ["gld"],
        "voice-add-scope.value": "publication",
        "voice-add-collected.value": "2026-01-10",
        "voice-add-consent-date.value": "2026-01-10",
        "voice-add-review-date.date": "2028-01-10",
        "voice-add-false-alarm.value": [],
    }
    saved = call(client, "voice-add-result.children", values, "voice-add-save.n_clicks")
    body = saved.get_data(as_text=True)
    assert "Give this code to the person who said it" in body
    reference = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", body).group(0)
    assert REFERENCE_PATTERN.match(normalise_reference(reference))
    auth.logout()
    assert _take_back(client, reference)[1].startswith("Thank you.")
    assert _take_back(client, reference, "status")[1].startswith("We have your request")
