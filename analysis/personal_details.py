"""Find personal details in free text before a voice item is saved or shown.

The checker is a safeguard that helps a person moderate a quote: it points at words that look
like a name, a phone number, an email address, a postcode, a date of birth, an NHS number or a
street address, and says why. It never changes the text itself; the person decides.

Why rules and lists rather than a trained model: the rules can be read, tested and explained to
an ethics lead, they run anywhere without downloads, and their mistakes are predictable. They lean
towards flagging (a false alarm costs a moderator a click; a miss can identify a child).

Names come from two hand-written lists of common given names and surnames in
``data/reference/``. Many names are also ordinary English words (Hope, Grace, May, Will, Church,
White), so those are flagged only when the context says "person": a title before them (Mr, Mrs),
a naming phrase ("called", "my name is"), another name beside them ("Sarah Church"), or, for the
less common-word ones, a capital letter in the middle of a sentence.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

NAME_LIST_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"
GIVEN_NAMES_FILE = NAME_LIST_DIR / "given_names.txt"
SURNAMES_FILE = NAME_LIST_DIR / "surnames.txt"
DIMINUTIVES_FILE = NAME_LIST_DIR / "given_name_diminutives.txt"

KIND_ORDER = (
    "nhs_number",
    "date_of_birth",
    "phone",
    "email",
    "postcode",
    "address",
    "name",
)
# When two findings overlap, the more specific kind wins (an email containing a name is an email).
_KIND_PRIORITY = {kind: rank for rank, kind in enumerate(KIND_ORDER)}

_KIND_LABELS = {
    "nhs_number": ("NHS number", "NHS numbers"),
    "date_of_birth": ("date of birth", "dates of birth"),
    "phone": ("phone number", "phone numbers"),
    "email": ("email address", "email addresses"),
    "postcode": ("postcode", "postcodes"),
    "address": ("address", "addresses"),
    "name": ("name", "names"),
}


@dataclass(frozen=True)
class Finding:
    """One suspected personal detail: its kind, where it is in the text and why it was flagged."""

    kind: str
    start: int
    end: int
    text: str
    reason: str


# --------------------------------------------------------------------------- name lists


def _fold(word: str) -> str:
    """Lower-case, straighten apostrophes and drop accents so "Zoë" and "ZOE" meet "zoe"."""
    word = word.replace("\u2019", "'").casefold()
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _read_name_file(path: Path) -> frozenset[str]:
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            names.add(_fold(line))
    return frozenset(names)


def _read_diminutives(path: Path) -> frozenset[str]:
    """Every name and short form in a "name: short forms" file ("david: dave davey")."""
    names: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.update(_fold(w) for w in line.replace(":", " ").split())
    return frozenset(names)


@lru_cache(maxsize=1)
def load_name_lists() -> tuple[frozenset[str], frozenset[str]]:
    """Return (given_names, surnames) from the reference files, folded to lower case.

    Given names include their short forms (Dave, Becky, Jo). Read once per process; the
    files are small hand-written lists of common names.
    """
    given = _read_name_file(GIVEN_NAMES_FILE) | _read_diminutives(DIMINUTIVES_FILE)
    return given, _read_name_file(SURNAMES_FILE)


# Names that are also everyday words. Flagged alone only when capitalised mid-sentence and not
# part of a longer proper noun ("Hope Centre"), or with a person context.
_COMMON_WORD_NAMES = frozenset(
    _fold(w)
    for w in """
    amber baker bell bishop blessing booth brown butler butt church comfort cook cooper cox daisy
    day dean faith favour florin foster fox gill grace grant gray green hall harry hill holly
    hope hunt ivy jack jade john joy khan king knight lane lee lily long mark marsh martin mason
    max may mills patience peter phoebe pickles poppy precious price rogers rose ruby shah sheikh
    smith     stone summer terry turner walker ward white will willow wood wright yaw young islam
    pat rob bob bill dot don ray kit sandy frank penny rich dick nick pip sue sal val tel
    court con ant cat em jay gail chan shan kay fred ed ted teddy ron len leo trace vic
    april june august january drew chuck hank barb joey patsy marge mick jan tina dai
    """.split()
)

# Common words so ordinary that a capital letter alone says nothing (months, colours that are
# also ethnicity groups, "Will"/"May" that start questions, places of worship): flagged only
# beside a title, a naming phrase or another name.
_WORDS_FIRST = frozenset(
    _fold(w)
    for w in """
    may will white black brown green church islam day long young price hunt fox cook bell hill
    hall wood stone lane marsh grant king mark booth ward mills walker butler bishop knight
    summer comfort favour april june august january pat rob bob bill dot don ray kit sandy
    frank penny rich dick nick pip sue sal val court con ant cat em jay chan kay trace vic
    drew chuck hank barb jan
    """.split()
)
_WORD_NAMES = _COMMON_WORD_NAMES | _WORDS_FIRST

_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "master", "mister", "sir", "dame"})

# A capitalised word straight after one of these names a place or an organisation, not a person.
_PLACE_WORDS = frozenset(
    """
    street st road rd avenue ave lane close drive way crescent court place gardens grove terrace
    square walk row mews parade rise view park centre center school academy college university
    hub nursery surgery hospital church chapel mosque temple gurdwara library house hall estate
    primary infants juniors trust foundation group project service services team carers club
    partnership council ward clinic practice unit bank party children family families
    community youth health medical
    """.split()
)

_NAMING_PHRASE = re.compile(
    r"(?:\b(?:called|named|name\s+is|name's|names\s+are|known\s+as|ask\s+for)\s+)$", re.IGNORECASE
)
_DETERMINER_BEFORE = re.compile(r"\b(?:the|a|an|this|that|these|those)\s+$", re.IGNORECASE)

# A word: letters, optionally joined by an apostrophe or a hyphen (O'Brien, Smith-Jones).
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019\-][^\W\d_]+)*")
_SENTENCE_BREAKS = frozenset(".!?:;\n")
_SKIP_BEFORE_WORD = frozenset(" \t\"'\u201c\u2018([-\u2013\u2014")


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    text: str
    folded: str

    @property
    def is_capitalised(self) -> bool:
        return self.text[0].isupper() and not (len(self.text) > 1 and self.text.isupper())


def _words(text: str) -> list[_Word]:
    words = []
    for match in _WORD.finditer(text):
        word_text = match.group()
        end = match.end()
        # Possessive "Sarah's": the name is "Sarah".
        if len(word_text) > 2 and _fold(word_text[-2:]) == "'s":
            word_text = word_text[:-2]
            end -= 2
        words.append(_Word(match.start(), end, word_text, _fold(word_text)))
    return words


def _is_sentence_start(text: str, position: int) -> bool:
    """True when only quotes, brackets or spaces stand between position and a sentence break."""
    i = position - 1
    while i >= 0 and text[i] in _SKIP_BEFORE_WORD:
        i -= 1
    return i < 0 or text[i] in _SENTENCE_BREAKS


def _name_parts(word: _Word) -> list[str]:
    """The word and, for hyphenated names, each part (Smith-Jones -> smith, jones)."""
    parts = [word.folded]
    if "-" in word.folded:
        parts.extend(p for p in word.folded.split("-") if p)
    return parts


def _name_kind(word: _Word, given: frozenset[str], surnames: frozenset[str]) -> str | None:
    """'given', 'surname' or None for a word's membership of the name lists."""
    parts = _name_parts(word)
    if any(p in given for p in parts):
        return "given"
    if any(p in surnames for p in parts):
        return "surname"
    return None


def _is_word_name(word: _Word) -> bool:
    return all(p in _WORD_NAMES for p in _name_parts(word))


def _capitalised_runs(words: list[_Word], text: str) -> list[list[int]]:
    """Indexes of words grouped into runs of capitalised words separated only by spaces."""
    runs: list[list[int]] = []
    for i, word in enumerate(words):
        if not word.is_capitalised:
            continue
        joins = (
            runs
            and runs[-1][-1] == i - 1
            and text[words[i - 1].end : word.start] == " "
            and words[i - 1].folded not in _TITLES  # a title starts a new run: "Dear Mr | Smith"
        )
        if joins:
            # A sentence break inside the gap would have been more than one space.
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def _find_names(text: str, given: frozenset[str], surnames: frozenset[str]) -> list[Finding]:
    words = _words(text)
    findings: list[Finding] = []

    def add(first: int, last: int, reason: str) -> None:
        start, end = words[first].start, words[last].end
        findings.append(Finding("name", start, end, text[start:end], reason))

    for run in _capitalised_runs(words, text):
        # The title ("Mr") ends the run before; it is the word just before this run.
        members = [i for i in run if words[i].folded not in _TITLES]
        if not members:
            continue
        previous = words[members[0] - 1] if members[0] > 0 else None
        after_title = (
            previous is not None
            and previous.folded in _TITLES
            and text[previous.end : words[members[0]].start].strip() in ("", ".")
        )
        if after_title:
            add(members[0], members[-1], "capitalised word after a title such as Mr or Mrs")
            continue

        kinds = {i: _name_kind(words[i], given, surnames) for i in members}
        named = [i for i in members if kinds[i] is not None]
        if not named:
            continue
        # Only the few words before matter; a bounded window keeps long texts linear.
        before = text[max(0, words[members[0]].start - 40) : words[members[0]].start]
        if _NAMING_PHRASE.search(before):
            add(named[0], named[0], "name after a phrase such as 'called' or 'my name is'")
            continue
        if any(kinds[i] is None and words[i].folded in _PLACE_WORDS for i in members):
            # "Church Street", "Hope Centre", "Young Carers": a place or an organisation.
            continue

        # Contiguous name words inside the run ("Sarah Church", "Will Smith").
        groups: list[list[int]] = []
        for i in named:
            if groups and groups[-1][-1] == i - 1:
                groups[-1].append(i)
            else:
                groups.append([i])
        for group in groups:
            if len(group) >= 2:
                if not all(words[i].folded in _WORDS_FIRST for i in group):
                    add(group[0], group[-1], "given name and surname")
                continue
            i = group[0]
            word = words[i]
            label = "common given name" if kinds[i] == "given" else "common surname"
            if not _is_word_name(word):
                add(i, i, label)
                continue
            # A name that is also an everyday word: flag only capitalised mid-sentence, alone,
            # not after "the"/"a", and not one of the very common words.
            if (
                len(members) == 1
                and word.folded not in _WORDS_FIRST
                and not _is_sentence_start(text, word.start)
                and not _DETERMINER_BEFORE.search(text[max(0, word.start - 12) : word.start])
            ):
                add(i, i, f"{label} (capitalised in the middle of a sentence)")

    # Lower-case given names that are not also everyday words ("me and mohammed went").
    for word in words:
        if (
            not word.is_capitalised
            and word.text.islower()
            and len(word.folded) >= 4
            and word.folded in given
            and not _is_word_name(word)
        ):
            findings.append(
                Finding(
                    "name",
                    word.start,
                    word.end,
                    word.text,
                    "common given name written in lower case",
                )
            )
    return findings


# --------------------------------------------------------------------------- patterns

_PHONE = re.compile(
    r"(?<![\w+])"
    r"(?:\+44[\s-]?(?:\(0\)[\s-]?)?|\(?0)"  # +44, +44 (0) or a leading 0, maybe in brackets
    r"[1237]"  # geographic, non-geographic and mobile ranges
    r"(?:[\s\-)]{0,2}\d){8,9}"
    r"(?!\d)"
)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])"
    r"(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)
# An outward code alone ("OL9") is an area, but with the word postcode before it, it is offered
# as someone's postcode.
_POSTCODE_OUTWARD_AFTER_WORD = re.compile(
    r"\bpost\s?code\s*(?:is|:)?\s*([A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?)(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_NHS = re.compile(r"(?<![\d\w])(\d{3})([\s-]?)(\d{3})\2(\d{4})(?![\d\w])")

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE = (
    r"(?:"
    r"\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})"  # 3/4/2019, 03.04.2019, 3-4-19
    r"|\d{4}-\d{2}-\d{2}"  # 2019-04-03
    r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?"
    + _MONTH
    + r"(?:\.(?=\s*\d))?(?:,?\s+\d{4})?"  # 12 March 2018
    r"|" + _MONTH + r"\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?"  # March 12, 2018
    r"|" + _MONTH + r"\.?\s+\d{4}"  # March 2018 (born in March 2018)
    r")"
)
_BIRTH_CONTEXT = (
    r"(?:date\s+of\s+birth|\bd\.?\s?o\.?\s?b\b\.?|\bborn(?:\s+(?:on|in))?"
    r"|\bbirth\s?day(?:\s+(?:is|was|on))?|\bbirth\s+date)"
)
_DATE_OF_BIRTH = re.compile(
    _BIRTH_CONTEXT + r"\s*(?:[:\-\u2013]|is|was|of)?\s*(?:the\s+)?(" + _DATE + r")(?![\w/])",
    re.IGNORECASE,
)

_STREET_TYPES = (
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Close|Drive|Dr|Way|Crescent|Cres|Court|Ct|Place|"
    r"Pl|Gardens|Gdns|Grove|Terrace|Square|Sq|Walk|Row|Mews|Parade|Rise|View|Hill|Green|Park|"
    r"Vale|Fold|Brow|Croft|Meadows?|Bank|Wharf|Yard)"
)
_ADDRESS = re.compile(
    r"(?<![\w£$.,])\d{1,4}[A-Za-z]?,?\s+"  # house number, maybe 12a
    r"(?:[A-Z][\w'\u2019\-]*\s+){1,3}"  # capitalised street name words
    r"(?i:" + _STREET_TYPES + r")\b"
)
_FLAT = re.compile(r"\b(?:flat|apartment|apt\.?|unit)\s+\d{1,4}[A-Za-z]?\b", re.IGNORECASE)


def nhs_check_digit_ok(digits: str) -> bool:
    """True when a 10-digit string passes the NHS number modulus 11 check.

    Weights 10 down to 2 on the first nine digits; 11 minus the remainder of the sum by 11 is the
    check digit, 11 becomes 0, and 10 means the number is not valid.
    """
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


# --------------------------------------------------------------------------- context rules

# People named by their relation or role: "my foster carer Dave", "our social worker, Jo",
# "Auntie Bernie". The name after the role is flagged even when it is an everyday word
# ("my carer Will"): the role says it is a person.
_ROLES = (
    r"(?i:foster\s+(?:carer|mum|mam|mom|dad|mother|father|sister|brother|family)|carer|"
    r"social\s+worker|key\s?worker|key\s+person|support\s+worker|youth\s+worker|"
    r"family\s+worker|link\s+worker|care\s+worker|worker|personal\s+adviser|PA|IRO|"
    r"advocate|mentor|teacher|tutor|health\s+visitor|midwife|nurse|school\s+nurse|doctor|GP|"
    r"childminder|counsellor|therapist|manager|coach|mum|mam|mom|mummy|mother|dad|daddy|"
    r"father|step-?(?:mum|dad|mother|father|brother|sister)|nan|nana|nanna|gran|granny|"
    r"grandma|grandad|grandpa|grandmother|grandfather|auntie|aunty|aunt|uncle|cousin|"
    r"brother|sister|little\s+(?:brother|sister)|big\s+(?:brother|sister)|twin|son|daughter|"
    r"baby|husband|wife|partner|boyfriend|girlfriend|friend|best\s+friend|mate|neighbour)"
)
_ROLE_THEN_NAME = re.compile(
    r"\b(?i:my|our|his|her|their|your|me\s+and\s+my)\s+" + _ROLES + r"(?:'s)?\s*,?\s+"
    r"([A-Z][a-z][\w'\u2019\-]*)",
)
_FAMILY_TITLE_THEN_NAME = re.compile(
    r"\b(?:Auntie|Aunty|Aunt|Uncle|Nanna|Nana|Nan|Grandad|Grandma|Cousin)\s+"
    r"([A-Z][a-z][\w'\u2019\-]*)"
)
_NAME_THEN_ROLE = re.compile(r"\b([A-Z][a-z][\w'\u2019\-]*),?\s+(?i:my|our)\s+" + _ROLES + r"\b")
# Self-introductions: "I'm Jordan", "I am Kofi", "this is me, Ellie".
_SELF_INTRODUCTION = re.compile(
    r"\b(?:I'm|I\u2019m|I\s+am|Im|call\s+me|they\s+call\s+me|it's\s+me,?)\s+"
    r"([A-Z][a-z][\w'\u2019\-]*)"
)
# Capitalised words after "I'm" or a role that describe, not name ("I'm Muslim", "my mum
# Monday"?): nationalities, faiths, identities, days and months.
_NOT_A_NAME = frozenset(
    """
    english british scottish welsh irish polish romanian muslim christian catholic jewish sikh
    hindu buddhist black white asian mixed deaf autistic dyslexic gay lesbian bi trans roma
    traveller gypsy african caribbean pakistani bangladeshi indian somali kurdish chinese
    monday tuesday wednesday thursday friday saturday sunday january february march april may
    june july august september october november december christmas easter eid ramadan
    ok okay fine sorry here not so just really still also very glad happy sad scared proud
    """.split()
)
_STREET_ONLY_TYPES = (
    r"(?:Street|Road|Avenue|Lane|Close|Drive|Crescent|Terrace|Grove|Gardens|Mews|Row|Way|Walk)"
)
# A named street without a house number: "the house on Union Street". Not when the street
# starts a longer proper name ("Church Street Surgery", "Hope Street Family Centre": a
# service's place), nor the streets every town has ("the High Street").
_NAMED_STREET = re.compile(
    r"(?<![\w'\u2019])((?:[A-Z][a-z][\w'\u2019\-]*\s+){1,2}" + _STREET_ONLY_TYPES + r")\b"
    r"(?!\s+[A-Z])"
)
_GENERIC_STREETS = frozenset({"high", "main", "ring", "back", "front", "the", "a", "this"})


def _candidate_name(word: str) -> bool:
    return _fold(word) not in _NOT_A_NAME and _fold(word) not in _PLACE_WORDS


def _find_context_findings(text: str, given: frozenset[str]) -> list[Finding]:
    """Names that a role, a family title or a self-introduction points at, and named
    streets without a number."""
    findings: list[Finding] = []
    for pattern, reason in (
        (_ROLE_THEN_NAME, "a name after a role such as 'my foster carer'"),
        (_FAMILY_TITLE_THEN_NAME, "a name after Auntie, Uncle, Nan or similar"),
        (_NAME_THEN_ROLE, "a name before a role such as 'my sister'"),
    ):
        for m in pattern.finditer(text):
            word = m.group(1)
            if _candidate_name(word) and (pattern is not _NAME_THEN_ROLE or _fold(word) in given):
                findings.append(Finding("name", m.start(1), m.end(1), word, reason))
    for m in _SELF_INTRODUCTION.finditer(text):
        word = m.group(1)
        after = text[m.end(1) : m.end(1) + 1]
        known = _fold(word) in given
        # An unknown word counts when the sentence pauses after it ("I'm Kofi, I...").
        if _candidate_name(word) and (known or after in ("", ",", ".", "!", ";")):
            findings.append(
                Finding("name", m.start(1), m.end(1), word, "a name after 'I'm' or 'I am'")
            )
    for m in _NAMED_STREET.finditer(text):
        first = m.group(1).split()[0]
        if (
            _fold(first) in _GENERIC_STREETS
            or _is_sentence_start(text, m.start(1))
            and (_fold(first) in _NOT_A_NAME)
        ):
            continue
        findings.append(
            Finding("address", m.start(1), m.end(1), m.group(1), "a street named without a number")
        )
    return findings


def _find_pattern_findings(text: str) -> list[Finding]:
    findings: list[Finding] = []

    def add(kind: str, start: int, end: int, reason: str) -> None:
        findings.append(Finding(kind, start, end, text[start:end], reason))

    for m in _NHS.finditer(text):
        digits = m.group(1) + m.group(3) + m.group(4)
        if nhs_check_digit_ok(digits):
            add("nhs_number", m.start(), m.end(), "10 digits that pass the NHS number check")
    for m in _PHONE.finditer(text):
        start = m.start()
        # A bracket that opens "(01234) 567890" is part of the number; a trailing one is not.
        end = m.end()
        add("phone", start, end, "looks like a UK phone number")
    for m in _EMAIL.finditer(text):
        add("email", m.start(), m.end(), "looks like an email address")
    for m in _POSTCODE.finditer(text):
        add("postcode", m.start(), m.end(), "looks like a UK postcode")
    for m in _POSTCODE_OUTWARD_AFTER_WORD.finditer(text):
        add("postcode", m.start(1), m.end(1), "part of a postcode given as someone's postcode")
    for m in _DATE_OF_BIRTH.finditer(text):
        add("date_of_birth", m.start(1), m.end(1), "a date next to 'born' or 'date of birth'")
    for m in _ADDRESS.finditer(text):
        add("address", m.start(), m.end(), "a house number followed by a street")
    for m in _FLAT.finditer(text):
        add("address", m.start(), m.end(), "a flat or unit number")
    return findings


def _resolve_overlaps(findings: list[Finding]) -> list[Finding]:
    """Keep one finding where several overlap: the more specific kind, then the longer span."""
    ranked = sorted(findings, key=lambda f: (_KIND_PRIORITY[f.kind], -(f.end - f.start), f.start))
    kept: list[Finding] = []
    for finding in ranked:
        if all(finding.end <= k.start or finding.start >= k.end for k in kept):
            kept.append(finding)
    return sorted(kept, key=lambda f: (f.start, f.end))


# --------------------------------------------------------------------------- public API


def find_personal_details(
    text: str,
    given_names: set[str] | None = None,
    surnames: set[str] | None = None,
) -> list[Finding]:
    """Return the suspected personal details in text, in order of position.

    given_names and surnames default to the reference lists (load_name_lists); pass sets to use
    other lists (any case). Findings never overlap.
    """
    if not text:
        return []
    default_given, default_surnames = load_name_lists()
    given = default_given if given_names is None else frozenset(_fold(n) for n in given_names)
    family = default_surnames if surnames is None else frozenset(_fold(n) for n in surnames)
    findings = (
        _find_pattern_findings(text)
        + _find_names(text, given, family)
        + _find_context_findings(text, given)
    )
    return _resolve_overlaps(findings)


def highlight_spans(text: str, findings: list[Finding]) -> list[tuple[str, bool]]:
    """Split text into (segment, is_flagged) pairs that join back to the text exactly.

    Overlapping or touching findings merge into one flagged segment. The UI renders segments as
    plain text with the flagged ones marked, so no HTML is ever built from user text.
    """
    spans = sorted((max(0, f.start), min(len(text), f.end)) for f in findings if f.end > f.start)
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    segments: list[tuple[str, bool]] = []
    position = 0
    for start, end in merged:
        if start > position:
            segments.append((text[position:start], False))
        segments.append((text[start:end], True))
        position = end
    if position < len(text):
        segments.append((text[position:], False))
    return segments


def summarise_findings(findings: list[Finding]) -> str:
    """Plain English count of findings by kind, e.g. "1 phone number, 2 names"."""
    if not findings:
        return "no personal details found"
    counts = Counter(f.kind for f in findings)
    parts = []
    for kind in KIND_ORDER:
        if counts[kind]:
            singular, plural = _KIND_LABELS[kind]
            parts.append(f"{counts[kind]} {singular if counts[kind] == 1 else plural}")
    return ", ".join(parts)
