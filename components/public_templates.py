"""Templates of the public pages (no sign-in): plain server-rendered HTML, escaped.

Every value is escaped by Jinja's autoescape (nothing here is marked safe), so a contact or
a quote typed by anyone shows as text. One layout gives every page the language, a skip
link, header, main and footer landmarks and the print stylesheet.
"""

from __future__ import annotations

from jinja2 import DictLoader, Environment, select_autoescape

BASE = """<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} - {{ authority_name }} - Chorus</title>
<link rel="stylesheet" href="/assets/public.css">
</head>
<body class="public-body">
<a class="public-skip" href="#main">Skip to main content</a>
<header class="public-header">
  <p class="public-service">{{ authority_name }} children's services: Chorus</p>
  {% if nav %}
  <nav aria-label="Public pages">
    <ul>
    {% for href, label in nav %}
      <li><a href="{{ href }}"
        {%- if href == here %} aria-current="page"{% endif %}>{{ label }}</a></li>
    {% endfor %}
    </ul>
  </nav>
  {% endif %}
</header>
<main id="main" class="public-main">
{% block main %}{% endblock %}
</main>
<footer class="public-footer">
  <p>This page is made from the settings Chorus uses, so it is always up to date.</p>
  <p><a href="/login">Staff sign in</a></p>
</footer>
</body>
</html>
"""

INDEX = """{% extends "base" %}{% block main %}
<h1>How councils use your information in Chorus</h1>
<p>Choose your council to read what it keeps, why, and how to say no.</p>
<ul class="public-list">
{% for code, name in authorities %}
  <li><a href="/public/{{ code }}">{{ name }}</a></li>
{% endfor %}
</ul>
{% endblock %}"""

INFORMATION = """{% extends "base" %}{% block main %}
<h1>How we use your information</h1>
<p class="public-lead">This page tells you what {{ f.authority.name }} council keeps in Chorus,
why we keep it, and who can see it. It also tells you how to take your words back.</p>
<p><a href="/public/{{ f.authority.code }}/easy-read">Read this page in easy read</a></p>

<h2 id="what">What we keep</h2>
<ul>
  <li>Numbers that the government already shares, such as how many children get help.</li>
  <li>Our own counts of the help we give. They are not about one child.</li>
  <li>Things that children, young people and families tell us, in their own words.
  We call these quotes.</li>
  <li>Notes that our staff write about what the numbers mean.</li>
</ul>
<p>Before we keep a quote, we take out names, phone numbers, emails, addresses,
and dates of birth. We check each quote again before anyone else can read it.</p>

<h2 id="why">Why we keep it</h2>
<p>We want to know what is going well and what is not. Your words help us
change things for the better. You can see what we changed on the page
<a href="/public/{{ f.authority.code }}/you-said-we-did">You said, we did</a>.</p>

<h2 id="who">Who can see your words</h2>
<p>When you share your words, you choose who can see them. There are {{ f.scopes|length }}
choices.</p>
{% for scope, heading, words in f.scopes %}
<h3 id="scope-{{ scope }}">{{ heading }}</h3>
<p>{{ words }}</p>
{% endfor %}

<h2 id="small">How we keep small groups safe</h2>
<p>If a group has fewer than {{ f.threshold }} children in it, we do not show the number.
That way nobody can work out who is in the group.</p>
<p>We also do not say who said a quote if fewer than {{ f.threshold }} people like them
spoke to us.</p>

<h2 id="how-long">How long we keep it</h2>
<p>Each quote has a date when we check if we still need it.
We delete the quote {{ f.voice_days_past_review }} days after that date.</p>
{% if f.hide_past_review %}<p>From that date, we stop showing the quote.</p>{% endif %}
<p>We keep a list of who used Chorus and what they did. We delete each line of it
after {{ audit_years }}.</p>

<h2 id="take-back">How to take your words back</h2>
<p>When you share your words, our staff can give you a short code on a slip of paper.
You can use it to take your words back at any time. You do not need to say why.</p>
<p><a href="/public/{{ f.authority.code }}/take-back">Take your words back</a></p>

<h2 id="questions">Who to ask</h2>
{% if f.contact %}
<p>If you have a question, or want to say no, you can contact: {{ f.contact }}</p>
{% else %}
<p>If you have a question, or want to say no, ask the worker who spoke with you.</p>
{% endif %}
{% endblock %}"""

EASY_READ = """{% extends "base" %}{% block main %}
<h1>How we use your information: easy read</h1>
<p><a href="/public/{{ f.authority.code }}">Read the full page</a></p>
<h2>What we keep</h2>
<ul class="public-easy">
  <li>We keep numbers about our help.</li>
  <li>We keep things you tell us.</li>
  <li>We take out your name first.</li>
  <li>We take out where you live.</li>
</ul>
<h2>Who can see it</h2>
<ul class="public-easy">
{% for scope, heading, words in f.scopes %}
  <li>{{ heading }}: {{ words }}</li>
{% endfor %}
</ul>
<h2>Small groups</h2>
<ul class="public-easy">
  <li>Some groups are small.</li>
  <li>Fewer than {{ f.threshold }} is too small.</li>
  <li>We do not show small groups.</li>
</ul>
<h2>How long</h2>
<ul class="public-easy">
  <li>We check each quote on a set date.</li>
  <li>We delete it {{ f.voice_days_past_review }} days after.</li>
</ul>
<h2>Changed your mind?</h2>
<ul class="public-easy">
  <li>That is fine.</li>
  <li>Use the code we gave you.</li>
  <li><a href="/public/{{ f.authority.code }}/take-back">Take your words back</a></li>
</ul>
<h2>Questions</h2>
<ul class="public-easy">
{% if f.contact %}<li>Contact: {{ f.contact }}</li>{% else %}<li>Ask your worker.</li>{% endif %}
</ul>
{% endblock %}"""

YOU_SAID = """{% extends "base" %}{% block main %}
<h1>You said, we did</h1>
<p class="public-lead">These are things people told {{ authority_name }} council,
and what we did about them. We only show words that people said we could share.</p>
{% if not published %}
<p role="status">{{ authority_name }} council has not shared anything here yet.</p>
{% elif not groups %}
<p role="status">There is nothing to show here yet.</p>
{% else %}
{% for theme, actions in groups %}
<h2>{{ theme }}</h2>
{% for a in actions %}
<article class="public-action">
  {% for text, who in a.quotes %}
  <figure>
    <blockquote><p>{{ text }}</p></blockquote>
    <figcaption>{{ who }}</figcaption>
  </figure>
  {% endfor %}
  <h3 class="public-we-did">What we did</h3>
  <p>{{ a.action }}</p>
  <p class="public-meta">{{ a.status }}. Written on {{ a.recorded_on.strftime('%-d %B %Y') }}.</p>
</article>
{% endfor %}
{% endfor %}
{% endif %}
{% endblock %}"""

TAKE_BACK = """{% extends "base" %}{% block main %}
<h1>Take your words back</h1>
<p>If you shared your words with us and changed your mind, you can take them back.
You do not need to say why.</p>
<p>Type the code from the slip our staff gave you. It looks like ABCD-EFGH-JKMN.</p>
{% if message %}<div class="public-message" role="status">{{ message }}</div>{% endif %}
<form method="post" action="/public/{{ code }}/take-back">
  <input type="hidden" name="csrf_token" value="{{ csrf }}">
  <label for="reference">Your code</label>
  <input id="reference" name="reference" type="text" autocomplete="off"
         autocapitalize="characters" spellcheck="false" maxlength="40" required>
  <fieldset>
    <legend>What do you want to do?</legend>
    <div><input id="do-withdraw" type="radio" name="action" value="withdraw" checked>
    <label for="do-withdraw">Take my words back</label></div>
    <div><input id="do-status" type="radio" name="action" value="status">
    <label for="do-status">Check what has happened</label></div>
  </fieldset>
  <button type="submit">Send</button>
</form>
<p>If you have lost your code, ask the worker who spoke with you.</p>
{% endblock %}"""

NOT_FOUND = """{% extends "base" %}{% block main %}
<h1>Page not found</h1>
<p>We could not find a council with that code.</p>
<p><a href="/public">See the list of councils</a></p>
{% endblock %}"""

TOO_MANY = """{% extends "base" %}{% block main %}
<h1>Please wait a moment</h1>
<p role="status">There have been a lot of requests from your connection.
Please try again in a few minutes.</p>
{% endblock %}"""

_ENVIRONMENT = Environment(
    loader=DictLoader(
        {
            "base": BASE,
            "index": INDEX,
            "information": INFORMATION,
            "easy_read": EASY_READ,
            "you_said": YOU_SAID,
            "take_back": TAKE_BACK,
            "not_found": NOT_FOUND,
            "too_many": TOO_MANY,
        }
    ),
    autoescape=select_autoescape(default=True, default_for_string=True),
)


def public_nav(code: str) -> list[tuple[str, str]]:
    return [
        (f"/public/{code}", "How we use your information"),
        (f"/public/{code}/easy-read", "Easy read"),
        (f"/public/{code}/you-said-we-did", "You said, we did"),
        (f"/public/{code}/take-back", "Take your words back"),
    ]


def render_public(name: str, **context: object) -> str:
    """One public page as HTML (everything escaped)."""
    context.setdefault("nav", [])
    context.setdefault("here", "")
    context.setdefault("authority_name", "Chorus")
    return _ENVIRONMENT.get_template(name).render(**context)


def years_text(days: int) -> str:
    """'6 years' for 2190 days; '90 days' when it is not whole years."""
    if days >= 365 and days % 365 == 0:
        years = days // 365
        return f"{years} year" + ("s" if years != 1 else "")
    return f"{days} day" + ("s" if days != 1 else "")
