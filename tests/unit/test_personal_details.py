"""Personal-details checker: a table of texts with the kinds of finding each should give."""

from __future__ import annotations

import pytest

from analysis.personal_details import (
    Finding,
    find_personal_details,
    highlight_spans,
    load_name_lists,
    nhs_check_digit_ok,
    summarise_findings,
)

# (test id, text, expected list of (kind, flagged text)); an empty list means nothing flagged.
CASES = [
    # names
    ("pii001_given_and_surname", "My worker Sarah Church helped me.", [("name", "Sarah Church")]),
    # Church is not flagged as a surname; since streets named without a number count as an
    # address (where someone lives), the street itself is flagged.
    (
        "pii002_street_named_like_surname",
        "We live near Church Street now.",
        [("address", "Church Street")],
    ),
    ("pii003_title_and_surname", "Mr Church came round on Tuesday.", [("name", "Church")]),
    (
        "pii004_title_with_dot_unknown_name",
        "Mrs. Okonkwo-Bright phoned.",
        [("name", "Okonkwo-Bright")],
    ),
    ("pii005_hope_lowercase_word", "I hope things get better for us.", []),
    ("pii006_grace_faith_joy_lowercase", "There is grace, faith and joy in that room.", []),
    ("pii007_may_sentence_start", "May I say something about the nursery?", []),
    ("pii008_will_sentence_start", "Will it help my son to talk?", []),
    ("pii009_grace_mid_sentence_capital", "I spoke to Grace about it.", [("name", "Grace")]),
    ("pii010_hope_centre_is_a_place", "The Hope Centre was lovely.", []),
    ("pii011_young_carers_is_a_group", "The Young Carers group is good.", []),
    ("pii012_strong_name_sentence_start", "Mohammed said it was fine.", [("name", "Mohammed")]),
    ("pii013_lowercase_given_name", "me and mohammed went to the park", [("name", "mohammed")]),
    ("pii014_white_british", "White British families were asked too.", []),
    ("pii015_black_caribbean", "Black Caribbean boys are less likely to be heard.", []),
    ("pii016_word_name_with_surname", "Will Smith was there.", [("name", "Will Smith")]),
    ("pii017_polish_surname", "The Kowalski family came.", [("name", "Kowalski")]),
    ("pii018_accented_name", "The worker, Zoë, was kind.", [("name", "Zoë")]),
    ("pii019_possessive_name", "Sarah's mum came too.", [("name", "Sarah")]),
    ("pii020_months_are_not_names", "We waited from May until June.", []),
    (
        "pii021_irish_surname_apostrophe",
        "Our lad plays with the O'Brien twins.",
        [("name", "O'Brien")],
    ),
    ("pii022_summer_holidays", "It was hard in the Summer holidays.", []),
    ("pii023_called_a_word_name", "She has a daughter called Joy.", [("name", "Joy")]),
    ("pii024_joy_lowercase", "Nursery brings her so much joy.", []),
    # phone numbers
    ("pii025_mobile", "Ring me on 07700 900123 please.", [("phone", "07700 900123")]),
    ("pii026_mobile_international", "Call +44 7700 900123.", [("phone", "+44 7700 900123")]),
    ("pii027_landline_manchester", "Office 0161 123 4567.", [("phone", "0161 123 4567")]),
    ("pii028_landline_brackets", "Home (01234) 567890.", [("phone", "(01234) 567890")]),
    ("pii029_mobile_no_spaces", "text 07700900123", [("phone", "07700900123")]),
    # email
    ("pii030_email", "email me at jo.bloggs@example.co.uk", [("email", "jo.bloggs@example.co.uk")]),
    # postcodes
    ("pii031_postcode_full", "we moved to OL1 1AB last year", [("postcode", "OL1 1AB")]),
    ("pii032_postcode_no_space", "send it to M146XT", [("postcode", "M146XT")]),
    ("pii033_postcode_outward_after_word", "my postcode is OL9", [("postcode", "OL9")]),
    # dates of birth
    ("pii034_born_on_slashes", "He was born on 3/4/2019.", [("date_of_birth", "3/4/2019")]),
    ("pii035_dob_dots", "DOB 03.04.2019", [("date_of_birth", "03.04.2019")]),
    ("pii036_dob_dotted_letters", "d.o.b. 3 April 2019", [("date_of_birth", "3 April 2019")]),
    (
        "pii037_date_of_birth_words",
        "Date of birth: 12th March 2018",
        [("date_of_birth", "12th March 2018")],
    ),
    (
        "pii038_born_day_month_year",
        "She was born 12 March 2018.",
        [("date_of_birth", "12 March 2018")],
    ),
    ("pii039_meeting_date_not_birth", "We met on 3 March 2024 at the hub.", []),
    ("pii040_plain_numeric_date_not_birth", "The review is on 03/04/2025.", []),
    # NHS numbers
    ("pii041_nhs_spaced_valid", "NHS number 943 476 5919", [("nhs_number", "943 476 5919")]),
    ("pii042_nhs_unspaced_valid", "NHS 9434765919", [("nhs_number", "9434765919")]),
    ("pii043_ten_digits_fail_check", "Ref 943 476 5918", []),
    ("pii044_ten_digits_check_ten", "Case 1234567890 closed", []),
    # addresses
    (
        "pii045_house_and_avenue",
        "They live at 12 Acacia Avenue.",
        [("address", "12 Acacia Avenue")],
    ),
    ("pii046_flat_number", "Flat 3, the big block", [("address", "Flat 3")]),
    ("pii047_high_street", "14 High Street has a cafe.", [("address", "14 High Street")]),
    ("pii048_weeks_and_months", "We waited 12 weeks and he is 18 months old.", []),
    ("pii049_number_then_lowercase_words", "It took 2 buses to the park.", []),
    # mixed
    (
        "pii050_phone_and_name",
        "Ask for Priya on 0161 496 0000.",
        [("name", "Priya"), ("phone", "0161 496 0000")],
    ),
    ("pii051_empty_text", "", []),
    ("pii052_ethnicity_and_languages", "Polish and Urdu speaking families felt welcome.", []),
    ("pii063_word_name_after_wide_gap", "We asked" + " " * 30 + "Grace too.", [("name", "Grace")]),
    ("pii064_word_name_after_full_stop", "It was fine. Grace said so.", []),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [pytest.param(text, expected, id=f"test_{cid}") for cid, text, expected in CASES],
)
def test_pii_table(text: str, expected: list[tuple[str, str]]) -> None:
    found = [(f.kind, f.text) for f in find_personal_details(text)]
    assert found == expected


def test_pii053_table_has_enough_positive_and_negative_cases() -> None:
    positives = sum(1 for _, _, expected in CASES if expected)
    negatives = sum(1 for _, _, expected in CASES if not expected)
    assert positives >= 25 and negatives >= 15


def test_pii054_findings_report_positions_and_reasons() -> None:
    text = "Call Sarah on 07700 900123."
    findings = find_personal_details(text)
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text
        assert finding.reason
    assert [f.kind for f in findings] == ["name", "phone"]


def test_pii055_finding_is_frozen() -> None:
    finding = Finding("name", 0, 5, "Sarah", "common given name")
    with pytest.raises(AttributeError):
        finding.kind = "phone"  # type: ignore[misc]


def test_pii056_name_lists_cover_many_communities() -> None:
    given, surnames = load_name_lists()
    assert len(given) >= 300 and len(surnames) >= 200
    for name in ("oliver", "muhammad", "zuzanna", "chidi", "fatima", "aisha", "kwame"):
        assert name in given
    for name in ("smith", "khan", "nowak", "okafor", "begum", "nguyen"):
        assert name in surnames


def test_pii057_custom_name_lists_replace_defaults() -> None:
    text = "Thanks to Xanthe Quill for listening."
    assert find_personal_details(text) == []
    findings = find_personal_details(text, given_names={"Xanthe"}, surnames={"Quill"})
    assert [(f.kind, f.text) for f in findings] == [("name", "Xanthe Quill")]


def test_pii058_nhs_check_digit_rules() -> None:
    assert nhs_check_digit_ok("9434765919")
    assert not nhs_check_digit_ok("9434765918")
    assert not nhs_check_digit_ok("1234567890")  # check digit would be 10: never valid
    assert not nhs_check_digit_ok("943476591")


def test_pii059_highlight_spans_join_back_to_text() -> None:
    text = "Ring Sarah on 07700 900123 today"
    segments = highlight_spans(text, find_personal_details(text))
    assert "".join(segment for segment, _ in segments) == text
    assert [segment for segment, flagged in segments if flagged] == ["Sarah", "07700 900123"]
    assert segments[0] == ("Ring ", False)


def test_pii060_highlight_spans_merge_overlaps() -> None:
    text = "abcdefghij"
    findings = [Finding("name", 1, 4, "bcd", "x"), Finding("name", 3, 6, "def", "x")]
    assert highlight_spans(text, findings) == [("a", False), ("bcdef", True), ("ghij", False)]
    assert highlight_spans(text, []) == [(text, False)]


def test_pii061_summary_in_plain_english() -> None:
    text = "Ring 07700 900123 and ask for Sarah or Mohammed."
    assert summarise_findings(find_personal_details(text)) == "1 phone number, 2 names"
    assert summarise_findings([]) == "no personal details found"


def test_pii062_overlapping_kinds_keep_the_specific_one() -> None:
    findings = find_personal_details("Write to Sarah.Jones@example.org today")
    assert [f.kind for f in findings] == ["email"]
