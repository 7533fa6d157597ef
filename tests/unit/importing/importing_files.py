"""File writers and paths shared by the importing tests (a uniquely named module)."""

from __future__ import annotations

from pathlib import Path

from data_access.importing.template import TEMPLATE_COLUMNS
from data_access.importing.validation import Reference

PUBLIC = Path(__file__).resolve().parents[3] / "data" / "public"


def write_template(path: Path, rows: list[list[object]], columns=TEMPLATE_COLUMNS) -> Path:  # type: ignore[no-untyped-def]
    """A template CSV with ``rows`` (lists in ``columns`` order)."""
    import csv

    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows([["" if v is None else v for v in row] for row in rows])
    return path


def lait_layout_file(path: Path, rows: int) -> Path:
    """A file in LAIT's long layout with ``rows`` rows built from real LA numbers.

    Indicators cycle through the demo mapping's Short Descs; years run back from 2025 so
    no key repeats (values are made up, plausible percentages).
    """
    import pandas as pd

    from data_access.importing.lait import DEMO_LAIT_MAPPING
    from data_access.reference import la_number_to_code

    numbers = sorted(n for n, code in la_number_to_code().items() if code.startswith("E"))
    # Current LAs only (codes that are in the areas table) keep every row valid.
    reference = Reference.from_files()
    numbers = [n for n in numbers if reference.la_numbers[n] in reference.areas]
    numbers = [n for n in numbers if reference.la_numbers[n] not in reference.aliases]
    descs = [d for d, cell in DEMO_LAIT_MAPPING.items() if cell[0] not in {"cin_referral_rate"}]
    per_year = len(numbers) * len(descs)
    years_needed = -(-rows // per_year)
    index = pd.RangeIndex(rows)
    desc = [descs[(i // len(numbers)) % len(descs)] for i in index]
    number = [numbers[i % len(numbers)] for i in index]
    year = [2025 - i // per_year for i in index]
    assert years_needed < 60
    frame = pd.DataFrame(
        {
            "Short Desc": desc,
            "Data item": "generated",
            "Years": [str(y) for y in year],
            "LA and Regions": "somewhere",
            "Values": [f"{40 + (i % 500) / 10:.1f}" for i in index],
            "LA Number": number,
            "Region": "somewhere",
        }
    )
    frame.to_csv(path, index=False)
    return path
