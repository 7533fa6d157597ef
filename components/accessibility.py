"""The accessibility statement: its known issues as data, and the page itself.

``KNOWN_ISSUES`` is what the statement lists as not yet accessible. Issues with an axe-core
rule (``rule``) and a page state (``state``, as the browser tests name the states they walk)
are compared with what axe finds there: tests/browser/test_accessibility.py fails when one
listed here is no longer found (fixed: take it out) or when axe finds one not listed. Issues
without a rule are found by hand; each has a date by which it will be fixed.

``statement_html()`` renders the page (GOV.UK's model statement: what works, known issues
with dates, how to report a problem, how it was tested). It is public (no sign-in), like the
sign-in page it is linked from. Nothing in it comes from a user.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

STATEMENT_PATH = "/accessibility"
PREPARED_ON = date(2026, 12, 5)
REVIEWED_ON = date(2026, 12, 5)
CONTACT_EMAIL = "chorus-support@example.gov.uk"


@dataclass(frozen=True)
class KnownIssue:
    """One known accessibility problem: what it is, the WCAG 2.2 criterion, when it will be
    fixed; ``rule`` and ``state`` when axe-core finds it automatically."""

    summary: str
    criterion: str
    fix_by: date
    rule: str | None = None
    state: str | None = None


# None known: axe-core finds nothing on the pages and states the tests walk, and the issues
# found by hand (the Explore map without a keyboard equivalent, reflow at 320 pixels,
# present mode's chart text and caption) were fixed on 5 December 2026. An issue found by
# hand goes here without a rule; one axe-core finds, with its rule and state.
KNOWN_ISSUES: tuple[KnownIssue, ...] = ()


WORKS = (
    "follow a chart in present mode on a shared screen: its text is at least 24 pixels, "
    "every line has its own marker shape and dash as well as its colour, and the caption "
    "shows two sentences with the full description one key (d) away",
    "move through every page and form using just a keyboard, with the focus always visible",
    "use the indicator panels' Chart, Breakdown, Table and About tabs with the arrow keys, "
    "and read every chart's figures as a table",
    "use the Explore map's table of every authority instead of the map: it is sorted with "
    "buttons in the column headings and marks your own authority in words",
    "zoom in up to 400% without the text spilling off the screen or the page scrolling "
    "sideways; on narrow screens charts show fewer axis labels with the legend below them",
    "use every form with a screen reader: each field has a label and each group of "
    "choices a legend",
    "choose from lists that are ordinary drop-down lists, checkboxes and radio buttons",
    "see where you are: each page has one main heading and a title, the navigation marks "
    "the current page, and after a change of page the focus moves to its heading and screen "
    "readers announce it",
    "hear every save, deletion, approval, import step and error announced",
)


def _issue_items() -> str:
    if not KNOWN_ISSUES:
        return "<li>We know of no part of this service that is not accessible.</li>"
    items = []
    for issue in KNOWN_ISSUES:
        items.append(
            f"<li>{escape(issue.summary)} This fails WCAG 2.2 success criterion "
            f"{escape(issue.criterion)}. We plan to fix it by "
            f"{issue.fix_by.day} {issue.fix_by:%B %Y}.</li>"
        )
    return "\n".join(items)


def _how_accessible() -> str:
    if KNOWN_ISSUES:
        return "We know some parts of this service are not fully accessible:"
    return (
        "We know of no part of this service that is not accessible. If you find one, "
        "please tell us (see below)."
    )


def _compliance() -> str:
    return "partially compliant" if KNOWN_ISSUES else "fully compliant"


def _compliance_reason() -> str:
    return ", due to the non-compliances listed below" if KNOWN_ISSUES else ""


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def statement_html() -> str:
    """The whole statement page as HTML (static text; nothing from a user)."""
    works = "\n".join(f"<li>{escape(item)}</li>" for item in WORKS)
    return f"""<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Accessibility statement - Chorus</title>
<link rel="stylesheet" href="/assets/chorus.css">
</head>
<body class="statement-body">
<a href="#main" class="skip-link">Skip to main content</a>
<main id="main" class="statement">
<h1>Accessibility statement</h1>
<p>This accessibility statement applies to Chorus, the service for comparing and discussing
children's services indicators across English local authorities.</p>
<p>This service is run by the Chorus team. We want as many people as possible to be able to
use it. For example, that means you should be able to:</p>
<ul>
{works}
</ul>
<p>AbilityNet has <a href="https://mcmw.abilitynet.org.uk/">advice on making your device
easier to use</a> if you have a disability.</p>

<h2>How accessible this service is</h2>
<p>{_how_accessible()}</p>
<ul class="statement-issues">
{_issue_items()}
</ul>

<h2>Feedback and contact information</h2>
<p>If you need information in this service in a different format, such as accessible PDF,
large print, easy read, audio recording or braille, email
<a href="mailto:{CONTACT_EMAIL}">{CONTACT_EMAIL}</a>. We will consider your request and get
back to you in 5 working days.</p>

<h2>Reporting accessibility problems with this service</h2>
<p>We are always looking to improve the accessibility of this service. If you find any
problems not listed on this page or think we are not meeting accessibility requirements,
email <a href="mailto:{CONTACT_EMAIL}">{CONTACT_EMAIL}</a>. Tell us the page, what you were
trying to do, and the browser and any assistive technology you were using.</p>

<h2>Enforcement procedure</h2>
<p>The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public
Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018 (the
accessibility regulations). If you are not happy with how we respond to your complaint,
<a href="https://www.equalityadvisoryservice.com/">contact the Equality Advisory and Support
Service (EASS)</a>.</p>

<h2>Technical information about this service's accessibility</h2>
<p>We are committed to making this service accessible, in accordance with the Public Sector
Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018.</p>

<h3>Compliance status</h3>
<p>This service is {_compliance()} with the
<a href="https://www.w3.org/TR/WCAG22/">Web Content Accessibility Guidelines version 2.2</a>
AA standard{_compliance_reason()}.</p>

<h3>Non-accessible content</h3>
<p>The content listed below is non-accessible for the following reasons.</p>
<h4>Non-compliance with the accessibility regulations</h4>
<ul>
{_issue_items()}
</ul>

<h2>What we are doing to improve accessibility</h2>
<p>Every change to Chorus is checked automatically before release: axe-core 4 runs the
WCAG 2.2 A and AA rules and its best-practice rules on every page in the navigation and on
the states users reach (each panel tab, the note form and note threads, present mode for
every kind of step, the session summary, each step of an import, each Voice moderation tab,
the administration pages, and error and empty pages). Browser tests also sign in and use the
service with a keyboard alone. This statement is part of those checks: the tests fail when
an issue listed here is fixed or a new one appears, so it is kept up to date.</p>

<h2>Preparation of this accessibility statement</h2>
<p>This statement was prepared on {_long_date(PREPARED_ON)}. It was last reviewed on
{_long_date(REVIEWED_ON)}.</p>
<p>This service was last tested on {_long_date(REVIEWED_ON)} against the WCAG 2.2 AA
standard. The test was carried out by the Chorus team with axe-core 4.14 in Chromium on every
page and state listed above, and by hand with a keyboard only, at 200% and 400% zoom and at
320 pixels wide.</p>
<p><a href="/">Back to Chorus</a></p>
</main>
</body>
</html>
"""
