"""Period labels to dates."""

from datetime import date

import pytest

from analysis.periods import parse_period, period_sort_key, period_text


@pytest.mark.parametrize(
    ("label", "year_type", "start", "end"),
    [
        ("2024/25", "financial", date(2024, 4, 1), date(2025, 3, 31)),
        ("2024-25", "academic", date(2024, 9, 1), date(2025, 8, 31)),
        ("2024/2025", "financial", date(2024, 4, 1), date(2025, 3, 31)),
        ("202425", "academic", date(2024, 9, 1), date(2025, 8, 31)),
        ("1999/00", "financial", date(1999, 4, 1), date(2000, 3, 31)),
        ("2011-12", "financial", date(2011, 4, 1), date(2012, 3, 31)),
        ("2024/25", "calendar", date(2024, 1, 1), date(2025, 12, 31)),
        ("2024", "financial", date(2024, 1, 1), date(2024, 12, 31)),
        ("Mar 2026", "financial", date(2026, 3, 1), date(2026, 3, 31)),
        (" february 2024 ", "financial", date(2024, 2, 1), date(2024, 2, 29)),
        ("2026-03", "financial", date(2026, 3, 1), date(2026, 3, 31)),
        ("Q2 2025", "financial", date(2025, 4, 1), date(2025, 6, 30)),
        ("2025 Q4", "financial", date(2025, 10, 1), date(2025, 12, 31)),
    ],
)
def test_per001_labels_parse_to_inclusive_dates(label, year_type, start, end):
    assert parse_period(label, year_type) == (start, end)


@pytest.mark.parametrize("label", ["", "next year", "2024/26", "Smarch 2024", "2024-13", "Q5 2024"])
def test_per002_unknown_labels_raise(label):
    with pytest.raises(ValueError):
        parse_period(label)


def test_per003_sort_key_orders_mixed_labels_and_puts_unknown_last():
    labels = ["Mar 2026", "2024/25", "odd", "Jan 2025", "2023/24"]
    assert sorted(labels, key=period_sort_key) == [
        "2023/24",
        "2024/25",
        "Jan 2025",
        "Mar 2026",
        "odd",
    ]


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("2024/25", "2024/25"),  # academic year as imported
        ("2024-25", "2024/25"),  # financial and reporting years as imported
        ("2024/2025", "2024/25"),
        ("202425", "2024/25"),
        ("1999-00", "1999/00"),
        ("Mar 2026", "Mar 2026"),
        ("March 2026", "Mar 2026"),
        ("2026-03", "Mar 2026"),
        ("Jan 2025", "Jan 2025"),  # a January census
        ("2025", "2025"),
        ("q1 2026", "Q1 2026"),
        ("2026 Q1", "Q1 2026"),
        (" no period ", "no period"),
        (None, ""),
    ],
)
def test_period_text_one_format_per_frequency(stored: object, shown: str) -> None:
    assert period_text(stored) == shown


def test_period_text_is_stable() -> None:
    for label in ("2024-25", "2026-03", "March 2026", "2026 Q1"):
        assert period_text(period_text(label)) == period_text(label)
