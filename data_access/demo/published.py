"""All the published observations the demo shows, from the vendored files in data/public.

Precedence, one row per indicator, area, period and breakdown cell:

1. EES rows win. They carry numerators and denominators (so intervals, trends and group
   sums work) and DfE's exact symbols (Hampshire's 2023-24 re-referrals are "u", where
   LAIT only says "-").
2. LAIT fills every cell the EES files here do not hold: care leavers 2015-16 to 2019-20,
   EYFSP 2015/16 to 2018/19 and 2022/23 to 2024/25, take-up in January 2024 and 2025,
   the indicators only LAIT carries (not in touch, staying put, spending, ...).

Known difference kept by this rule: in 2021/22 the EES "not known to be eligible for free
school meals" group reaches a good level of development about 0.8 points less often than
LAIT's "all other pupils" (up to 5.9 points in one authority), so gld/fsm/not_eligible has
a small step between 2021/22 (EES, with counts) and 2022/23 (LAIT). The eligible group
agrees exactly. The catalogue's caveats say so.

One exception: three_four_takeup comes from LAIT only. The EES provision file divides by
DfE's estimate of eligible children while LAIT divides by the ONS population, so the two
differ by about a point; mixing them would put a false step in the series.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from data_access.importing import ees_publications as ees
from data_access.importing.canonical import (
    OBSERVATION_COLUMNS,
    empty_observations,
    finalise,
    validate_canonical,
)
from data_access.importing.pipeline import prepare_import
from data_access.importing.validation import Reference
from data_access.reference import (
    DEFAULT_DATA_DIR,
    code_aliases,
    load_indicator_catalogue,
)

KEY = ["indicator", "area_code", "period_label", "breakdown", "breakdown_value"]

EES_FILES = {
    "activity": "ees/la_care_leavers_activity.csv",
    "accommodation": "ees/la_care_leavers_accommodation_suitability.csv",
    "cin": "ees/c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
    "eyfsp": "ees/1_eyfsp_headline_measures_2022.csv",
    "takeup": "ees/1_early_years_provision_children_registered_2018_2023.csv",
    "population": "lookups/ons_mid-year_population_estimates_2012_to_2024.csv",
}
LAIT_FILE = "lait/lait_bds_long_childrens_services_subset.csv"

LAIT_ONLY_INDICATORS = frozenset({"three_four_takeup"})


def published_ees(data_dir: Path = DEFAULT_DATA_DIR) -> pd.DataFrame:
    """Canonical rows from the EES files (with counts), before precedence is applied."""
    public = Path(data_dir) / "public"
    aliases = code_aliases(data_dir)
    population = ees.read_ees_csv(public / EES_FILES["population"])
    parts = [
        ees.care_leavers_activity(public / EES_FILES["activity"], aliases),
        ees.care_leavers_accommodation(public / EES_FILES["accommodation"], aliases),
        ees.cin_referrals(public / EES_FILES["cin"], population, aliases),
        ees.eyfsp_2022(public / EES_FILES["eyfsp"], aliases),
        ees.early_years_takeup(public / EES_FILES["takeup"], aliases),
    ]
    combined = pd.concat(parts, ignore_index=True)
    return finalise(combined[~combined["indicator"].isin(LAIT_ONLY_INDICATORS)])


def published_lait(data_dir: Path = DEFAULT_DATA_DIR) -> pd.DataFrame:
    """Canonical rows from the LAIT long file (values only), before precedence.

    Read and validated by the import pipeline, as an analyst's LAIT upload is (the LAIT
    format with its built-in mapping, DEMO_LAIT_MAPPING, against the vendored reference
    data); a problem other than an unmapped row stops the demo rather than loading it.
    """
    path = Path(data_dir) / "public" / LAIT_FILE
    with tempfile.TemporaryDirectory(prefix="chorus-demo-") as workdir:
        prepared = prepare_import(path, "lait", None, Reference.from_files(data_dir), workdir)
        if prepared.rejected or prepared.problems.has_errors:
            raise ValueError(
                f"the demo's LAIT file did not validate: {prepared.problems.grouped()}"
            )
        rows = [chunk for chunk in prepared.valid_chunks()]
    return finalise(pd.concat(rows, ignore_index=True)) if rows else empty_observations()


def combine_with_precedence(
    ees_rows: pd.DataFrame, lait_rows: pd.DataFrame, *, with_source: bool = False
) -> pd.DataFrame:
    """One row per KEY: the EES row where there is one, else the LAIT row.

    Both inputs are canonical; so is the result, sorted by KEY then period_start. With
    ``with_source`` the result also has a ``source`` column ("EES" or "LAIT").
    """
    ranked = pd.concat(
        [ees_rows.assign(_rank=0, source="EES"), lait_rows.assign(_rank=1, source="LAIT")],
        ignore_index=True,
    )
    kept = ranked.sort_values(KEY + ["_rank"], kind="stable").drop_duplicates(KEY, keep="first")
    kept = kept.sort_values(
        ["indicator", "area_code", "breakdown", "breakdown_value", "period_start"]
    )
    combined = finalise(kept[OBSERVATION_COLUMNS])
    if with_source:
        combined["source"] = kept["source"].to_numpy()
    return combined


def load_published_observations(
    data_dir: Path = DEFAULT_DATA_DIR, *, with_source: bool = False
) -> pd.DataFrame:
    """Every published observation for the demo, canonical and de-duplicated.

    ``data_dir`` is the repository's data/ folder (holding public/ and indicators.csv).
    Returns ``canonical.OBSERVATION_COLUMNS`` (and ``source``, EES or LAIT, with
    ``with_source``); every indicator id is in data/indicators.csv
    and every area code is current (North Yorkshire is E06000065 for every year).
    """
    combined = combine_with_precedence(
        published_ees(data_dir), published_lait(data_dir), with_source=True
    )
    known = set(load_indicator_catalogue(data_dir)["id"])
    unknown = set(combined["indicator"]) - known
    if unknown:
        raise ValueError(f"indicators missing from data/indicators.csv: {sorted(unknown)}")
    validate_canonical(combined[OBSERVATION_COLUMNS])
    return combined if with_source else combined[OBSERVATION_COLUMNS]
