"""Indicators and filters proposed for an EES file, from its ``.meta.csv`` or its column names.

Every data file Explore Education Statistics publishes comes with a metadata file of the
same name ending ``.meta.csv`` (the EES open data standard): one row per filter and
indicator column, with ``col_name``, ``col_type`` (Filter or Indicator), ``label``,
``indicator_unit`` (blank for counts, ``%``, ``£`` ...), ``indicator_dp``, ``filter_hint``
and ``filter_grouping_column``. :func:`propose` reads it (or, without one, the EES naming
conventions: ``*_rate*``, ``rate_per_*``, ``*_percent``, ``pt_``/``t_``, ``*_count``,
``*_number``, ``*_population``) and proposes, with no hand-written mapping:

- the **indicators**: each percentage or rate column with the numerator and denominator
  columns that reproduce it on the file's own rows (value = numerator / denominator x base
  within rounding, so a pairing is never guessed from names alone), and each count column
  that is not a numerator of one of them; an indicator already in the catalogue through a
  saved or built-in mapping of the same column keeps its id, the others get a new id,
  title (the label), unit (from ``indicator_unit`` and the name) and decimals;
- the **filters**: a filter whose values are Chorus breakdown cells (Total, Boys, Girls,
  free school meals ...) becomes a breakdown, read through its grouping filter when the
  meta names one; a filter with a ``Total`` value is kept at Total; a filter with a few
  other values splits each indicator by value (``rows``), one indicator per value.

The result is a :class:`Proposal`: an EES mapping for ``ees_generic`` (the importer), the
new catalogue rows to create (``new_indicators``, unpublished until an admin publishes
them) and notes in plain words. The Import page can call :func:`propose` with the uploaded
file's path (and its meta file's, when uploaded beside it) and show both tables for the
analyst to confirm or edit; the command line uses it for ``import-data --create-indicators``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from data_access.importing.ees_generic import KNOWN_VALUES, SEPARATOR
from data_access.importing.ees_publications import GEOGRAPHY_COLUMNS
from data_access.importing.safety import FileRejected
from rules.ranges import unit_base

META_SUFFIX = ".meta.csv"
META_REQUIRED = ("col_name", "col_type")
META_COLUMNS = ["col_name", "col_type", "label", "indicator_unit", "indicator_dp", "filter_hint",
                "filter_grouping_column"]  # fmt: skip
SAMPLE_ROWS = 5_000
MAX_SPLIT_VALUES = 12
SYMBOLS = frozenset({"c", "k", "low", "u", "x", "z", ":", ""})
NO_JUDGEMENT = "no_judgement"
TOTAL_CELL = ("total", "total")
TIME_COLUMNS = frozenset({"time_period", "time_identifier", "geographic_level"})

_PERCENT = re.compile(r"(^pt_|_percent(age)?$|_pct$|^percentage_|^percent_)")
_RATE_BASE = re.compile(r"rate_per_(100000|10000|1000|100k|10k|1k)(?![0-9])")
_RATE = re.compile(r"(_rate$|_rate_|^rate_)")
_COUNT = re.compile(r"(^t_|^number_|^num_|_count$|_number$|_num$|_total$|_population$)")
_RATE_UNITS = {
    "1000": "rate_per_1k",
    "1k": "rate_per_1k",
    "10000": "rate_per_10k",
    "10k": "rate_per_10k",
    "100000": "rate_per_100k",
    "100k": "rate_per_100k",
}


@dataclass(frozen=True)
class ProposedIndicator:
    """One indicator the file can feed: the catalogue id proposed, whether the catalogue
    has it already, the title, unit and decimals, and the columns and rows it reads."""

    indicator: str
    exists: bool
    title: str
    unit: str
    decimals: int | None
    value: str | None
    numerator: str | None = None
    denominator: str | None = None
    rows: dict[str, str] = field(default_factory=dict)

    def spec(self) -> dict:
        """This indicator as an ``ees_generic`` mapping entry."""
        out: dict = {"indicator": self.indicator, "value": self.value}
        if self.numerator:
            out["numerator"] = self.numerator
        if self.denominator:
            out["denominator"] = self.denominator
        if self.rows:
            out["rows"] = dict(self.rows)
        return out


@dataclass
class Proposal:
    """Everything proposed for one file. ``mapping`` is ready for the importer; ``source``
    is "meta" (read from the .meta.csv) or "conventions" (from column names only)."""

    indicators: list[ProposedIndicator]
    filters: pd.DataFrame  # col_name, label, hint, use (breakdown, kept at Total, split, ignored)
    mapping: dict
    source: str
    notes: list[str] = field(default_factory=list)
    frequency: str = "annual_reporting"
    service_area: str = "early_help"

    def indicator_table(self) -> pd.DataFrame:
        """The proposed indicators as a table for the page: indicator, exists, title, unit,
        decimals, value, numerator, denominator, rows (as text)."""
        return pd.DataFrame(
            [
                {
                    "indicator": p.indicator,
                    "exists": p.exists,
                    "title": p.title,
                    "unit": p.unit,
                    "decimals": p.decimals,
                    "value": p.value,
                    "numerator": p.numerator,
                    "denominator": p.denominator,
                    "rows": "; ".join(f"{k} = {v}" for k, v in p.rows.items()),
                }
                for p in self.indicators
            ]
        )

    def new_indicators(self, publication: str) -> list[dict]:
        """The indicators not yet in the catalogue, as ``add-indicator`` rows (see
        ``data_access.indicator_admin``): title from the label, unit from the metadata,
        polarity "no judgement" (an analyst may change it), the file's frequency and a
        service area guessed from the publication's name."""
        return [
            {
                "id": p.indicator,
                "title": p.title,
                "definition": p.title,
                "unit": p.unit,
                "polarity": NO_JUDGEMENT,
                "frequency": self.frequency,
                "service_area": self.service_area,
                "source": publication,
            }
            for p in self.indicators
            if not p.exists
        ]


def meta_path_for(path: Path) -> Path | None:
    """The ``.meta.csv`` published beside a data file, if it is there."""
    name = path.name
    stem = name[: -len(".csv")] if name.lower().endswith(".csv") else path.stem
    candidate = path.with_name(stem + META_SUFFIX)
    return candidate if candidate.is_file() and candidate != path else None


def read_meta(path: Path) -> pd.DataFrame:
    """A metadata file's rows (all columns as text, blanks as ""); refuses a file that is
    not one, saying which columns it lacks."""
    meta = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in META_REQUIRED if c not in meta.columns]
    if missing:
        raise FileRejected(
            "meta",
            f"{path.name} is not an EES metadata file: it has no {' or '.join(missing)} column.",
        )
    for column in ("label", "indicator_unit", "indicator_dp", "filter_hint",
                   "filter_grouping_column"):  # fmt: skip
        if column not in meta.columns:
            meta[column] = ""
    meta["col_type"] = meta["col_type"].str.strip().str.title()
    return meta


def propose(
    data_path: Path,
    catalogue_ids: set[str],
    known_columns: dict[str, str] | None = None,
    meta_path: Path | None = None,
    publication: str | None = None,
) -> Proposal:
    """Indicators and filters for an EES file (see the module).

    ``catalogue_ids``: the indicator ids in the catalogue (a new id never takes one);
    ``known_columns``: value column -> catalogue id from saved and built-in mappings (see
    :func:`known_value_columns`); ``meta_path``: the metadata file (default: the one beside
    the data file, if any); ``publication``: a name to prefix new ids with (default the
    file's name).
    """
    meta_path = meta_path or meta_path_for(data_path)
    header = pd.read_csv(data_path, nrows=0, encoding="utf-8-sig").columns.tolist()
    own = [c for c in header if c not in GEOGRAPHY_COLUMNS and c not in TIME_COLUMNS]
    notes: list[str] = []
    if meta_path is not None:
        meta = read_meta(meta_path)
        absent = [c for c in meta["col_name"] if c not in header]
        if absent:
            notes.append(
                "The metadata lists columns the file does not have: " + ", ".join(absent) + "."
            )
        meta = meta[meta["col_name"].isin(header)]
        source = "meta"
    else:
        meta = _meta_from_conventions(data_path, own)
        source = "conventions"
        notes.append(
            "No metadata file (.meta.csv) was found beside the file: indicators and filters "
            "are suggested from the EES column naming conventions."
        )
    indicators_meta = meta[meta["col_type"] == "Indicator"]
    filters_meta = meta[meta["col_type"] == "Filter"]
    sample = _sample(data_path, [*indicators_meta["col_name"], *filters_meta["col_name"]])
    filter_values = _filter_values(data_path, list(filters_meta["col_name"]))
    filters, mapping_filters, breakdown_columns, breakdown_values, splits = _filters(
        filters_meta, filter_values, notes
    )
    prefix = _slug(publication or _publication_name(data_path))[:24].strip("_")
    base = _indicators(indicators_meta, sample, catalogue_ids, known_columns or {}, prefix, notes)
    indicators = _split(base, splits, catalogue_ids)
    mapping = {
        "format": "ees",
        "filters": mapping_filters,
        "breakdown_columns": breakdown_columns,
        "breakdown_values": breakdown_values,
        "indicators": [p.spec() for p in indicators],
    }
    frequency = _frequency(data_path)
    area = _service_area(data_path.name, meta)
    return Proposal(indicators, filters, mapping, source, notes, frequency, area)


def known_value_columns(mappings: list[dict]) -> dict[str, str]:
    """Value column -> catalogue id, from EES mappings already saved or built in, for
    indicators whose rows are not split by a filter (those are ambiguous by column)."""
    known: dict[str, str] = {}
    for mapping in mappings:
        if mapping.get("format") != "ees":
            continue
        for spec in mapping.get("indicators", []):
            if spec.get("value") and not spec.get("rows") and spec.get("indicator"):
                known.setdefault(spec["value"], spec["indicator"])
    return known


def publication_key(data_path: Path) -> str:
    """The name a proposal's mapping is saved under, the same for the next edition of the
    publication: the file's name without years (``c1_..._2013_to_2025`` and
    ``c1_..._2013_to_2026`` share it)."""
    return "EES " + _publication_name(data_path)


# --- indicators -------------------------------------------------------------------------------


def _indicators(
    meta: pd.DataFrame,
    sample: pd.DataFrame,
    catalogue_ids: set[str],
    known: dict[str, str],
    prefix: str,
    notes: list[str],
) -> list[ProposedIndicator]:
    units = {
        row.col_name: _unit(row.col_name, row.indicator_unit, _int_or_none(row.indicator_dp))
        for row in meta.itertuples()
    }
    labels = {row.col_name: (row.label or row.col_name).strip() for row in meta.itertuples()}
    decimals = {row.col_name: _int_or_none(row.indicator_dp) for row in meta.itertuples()}
    numbers = {c: pd.to_numeric(sample[c], errors="coerce") for c in units if c in sample}
    counts = [c for c, u in units.items() if u == "count"]
    proposed: list[ProposedIndicator] = []
    numerators: set[str] = set()
    taken = set(catalogue_ids)
    for column, unit in units.items():
        if unit is None:
            notes.append(
                f"Column {column} ({labels[column]}) is not a count, percentage, rate with "
                "its base or money: it is left out (add it to the mapping by hand)."
            )
            continue
        base = unit_base(unit)
        if base is None:
            continue
        numerator, denominator = _pair(numbers, column, counts, base, decimals[column])
        if numerator:
            numerators.add(numerator)
        else:
            notes.append(
                f"No count columns reproduce {column} ({labels[column]}): it is imported as "
                "a value without counts, so it carries no interval."
            )
        proposed.append(
            _named(
                column,
                labels[column],
                unit,
                decimals[column],
                known,
                taken,
                prefix,
                numerator=numerator,
                denominator=denominator,
            )  # fmt: skip
        )
    for column in counts:
        if column in numerators:
            continue
        proposed.append(
            _named(column, labels[column], "count", decimals[column], known, taken, prefix)
        )
    for column, unit in units.items():
        if unit is not None and unit != "count" and unit_base(unit) is None:
            proposed.append(
                _named(column, labels[column], unit, decimals[column], known, taken, prefix)
            )
    return proposed


def _named(
    column: str,
    label: str,
    unit: str,
    decimals: int | None,
    known: dict[str, str],
    taken: set[str],
    prefix: str,
    numerator: str | None = None,
    denominator: str | None = None,
) -> ProposedIndicator:
    if column in known:
        indicator, exists = known[column], True
    else:
        indicator = _unique_id(_slug(f"{prefix}_{column}"), taken)
        taken.add(indicator)
        exists = False
    return ProposedIndicator(
        indicator, exists, label, unit, decimals, column, numerator, denominator
    )


def _pair(
    numbers: dict[str, pd.Series],
    column: str,
    counts: list[str],
    base: float,
    decimals: int | None,
) -> tuple[str | None, str | None]:
    """The count columns (numerator, denominator) whose ratio x ``base`` reproduces
    ``column`` on the sampled rows, within the published rounding (``decimals``, default
    one place) plus a little for counts rounded before publication; the pair that fits the
    most rows, when it fits at least 95% of the rows where all three are numbers."""
    value = numbers.get(column)
    if value is None:
        return None, None
    tolerance = 0.5 * 10 ** -(decimals if decimals is not None else 1) + 0.002 * base
    best: tuple[float, str | None, str | None] = (0.0, None, None)
    for numerator in counts:
        for denominator in counts:
            if numerator == denominator:
                continue
            num, den = numbers[numerator], numbers[denominator]
            usable = value.notna() & num.notna() & den.notna() & (den > 0)
            if usable.sum() < 3:
                continue
            with np.errstate(divide="ignore", invalid="ignore"):
                worked = num[usable] / den[usable] * base
            fits = float((np.abs(worked - value[usable]) <= tolerance).mean())
            if fits > best[0]:
                best = (fits, numerator, denominator)
    if best[0] >= 0.95:
        return best[1], best[2]
    return None, None


def _unit(column: str, published: str, decimals: int | None = None) -> str | None:
    """Chorus's unit for an indicator column: from the published ``indicator_unit`` when
    it says (``%``), otherwise from the column's name (a rate and its base, a count)."""
    name = column.lower()
    text = (published or "").strip().lower()
    rate = _RATE_BASE.search(name)
    if text in ("%", "percent", "percentage"):
        return "percent"
    if text in ("£", "gbp"):
        return "gbp"
    if text:
        return None  # £m, pp and the like: not a unit the catalogue holds
    if rate:
        return _RATE_UNITS[rate.group(1)]
    if _PERCENT.search(name):
        return "percent"
    if _RATE.search(name):
        return None  # a rate without its base cannot be checked
    if decimals:
        return None  # a figure with decimal places and no unit is no count (an average)
    return "count"


# --- filters ----------------------------------------------------------------------------------


def _filters(
    meta: pd.DataFrame, values: dict[str, list[str]], notes: list[str]
) -> tuple[pd.DataFrame, dict, list[str], dict, dict[str, list[str]]]:
    """What each filter is used for: (table for the page, row filters, breakdown columns,
    breakdown values, splits: column -> values giving one indicator each).

    A filter and the filter that groups it (``filter_grouping_column``) are decided
    together, whichever of the two holds the values (publishers use both ways round)."""
    pairs = [
        (row.filter_grouping_column, row.col_name)
        for row in meta.itertuples()
        if row.filter_grouping_column and row.filter_grouping_column in values
    ]
    keep: dict[str, list[str]] = {}
    breakdown_columns: list[str] = []
    splits: dict[str, list[str]] = {}
    uses: dict[str, str] = {}
    for pair in pairs:
        if any(_has_breakdown_value(values.get(c, [])) for c in pair):
            breakdown_columns += [c for c in pair if c not in breakdown_columns]
            uses.update(dict.fromkeys(pair, "breakdown"))
        elif all(_totals(values.get(c, [])) for c in pair):
            keep.update({c: _totals(values.get(c, [])) for c in pair})
            uses.update(dict.fromkeys(pair, "kept at Total"))
    for row in meta.itertuples():
        column = row.col_name
        if column in uses:
            continue
        present = values.get(column, [])
        known = [KNOWN_VALUES.get(v.strip().lower()) for v in present]
        if _has_breakdown_value(present) and all(k is not None for k in known):
            breakdown_columns.append(column)
            uses[column] = "breakdown"
        elif _totals(present):
            keep[column] = _totals(present)
            uses[column] = "kept at Total"
        elif len(present) <= 1:
            uses[column] = "one value"
        elif len(present) <= MAX_SPLIT_VALUES:
            splits[column] = present
            uses[column] = "one indicator per value"
        else:
            keep[column] = present[:1]
            uses[column] = f"kept at {present[0]!r}"
            notes.append(
                f"Filter {column} has {len(present)} values and no Total: only rows where it "
                f"is {present[0]!r} are proposed; choose others in the mapping."
            )
    paired = [p for p in pairs if p[0] in breakdown_columns]
    breakdown_values = _breakdown_values(breakdown_columns, values, paired)
    table = pd.DataFrame(
        {
            "col_name": meta["col_name"].to_numpy(),
            "label": meta["label"].to_numpy(),
            "hint": meta["filter_hint"].to_numpy(),
            "use": [uses.get(c, "ignored") for c in meta["col_name"]],
        }
    )
    return table, keep, breakdown_columns, breakdown_values, splits


def _has_breakdown_value(present: list[str]) -> bool:
    cells = [KNOWN_VALUES.get(v.strip().lower()) for v in present]
    return any(c is not None and c != TOTAL_CELL for c in cells)


def _totals(present: list[str]) -> list[str]:
    return [v for v in present if v.strip().lower() in ("total", "all")]


def _breakdown_values(
    columns: list[str], values: dict[str, list[str]], pairs: list[tuple[str, str]]
) -> dict:
    """Combinations of the breakdown columns' values that are one Chorus cell: each value
    known (``KNOWN_VALUES``) or Total, at most one not Total. In a grouped pair of
    filters one value may be unknown when the other is a known group: it is the heading
    ("Free school meal eligibility") of the group it holds."""
    if not columns:
        return {}
    position = {c: i for i, c in enumerate(columns)}
    combos: list[list[str]] = [[]]
    for column in columns:
        combos = [[*c, v] for c in combos for v in values.get(column, [])]
    out: dict[str, list[str]] = {}
    for combo in combos:
        cells: list[tuple[str, str] | None] = [KNOWN_VALUES.get(v.strip().lower()) for v in combo]
        for first, second in pairs:
            a, b = position[first], position[second]
            for heading, grouped in ((a, b), (b, a)):
                if cells[heading] is None and cells[grouped] not in (None, TOTAL_CELL):
                    cells[heading] = TOTAL_CELL
        if any(cell is None for cell in cells):
            continue
        chosen = [cell for cell in cells if cell is not None and cell != TOTAL_CELL]
        if len(chosen) <= 1:
            out[SEPARATOR.join(combo)] = list(chosen[0] if chosen else TOTAL_CELL)
    return out


def _split(
    indicators: list[ProposedIndicator], splits: dict[str, list[str]], catalogue_ids: set[str]
) -> list[ProposedIndicator]:
    """One indicator per value of each splitting filter (and per combination of them)."""
    if not splits:
        return indicators
    combos: list[dict[str, str]] = [{}]
    for column, present in splits.items():
        combos = [{**c, column: v} for c in combos for v in present]
    taken = set(catalogue_ids)
    out = []
    for p in indicators:
        for combo in combos:
            suffix = "_".join(_slug(v) for v in combo.values())
            indicator = _unique_id(f"{p.indicator}_{suffix}"[:64], taken)
            taken.add(indicator)
            title = f"{p.title}: " + ", ".join(combo.values())
            out.append(
                ProposedIndicator(
                    indicator,
                    False,
                    title,
                    p.unit,
                    p.decimals,
                    p.value,
                    p.numerator,
                    p.denominator,
                    dict(combo),
                )  # fmt: skip
            )
    return out


# --- reading ----------------------------------------------------------------------------------


def _meta_from_conventions(data_path: Path, columns: list[str]) -> pd.DataFrame:
    """A metadata table made from the column names: indicator columns by the EES naming
    conventions, or mostly numbers; the rest are filters."""
    sample = _sample(data_path, columns)
    rows = []
    for column in columns:
        name = column.lower()
        named = bool(_PERCENT.search(name) or _RATE.search(name) or _COUNT.search(name))
        present = sample[column].astype(str).str.strip()
        present = present[~present.str.lower().isin(SYMBOLS)]
        numeric = bool(len(present)) and bool(
            pd.to_numeric(present, errors="coerce").notna().mean() > 0.9
        )
        kind = "Indicator" if named or numeric else "Filter"
        rows.append(
            {
                "col_name": column,
                "col_type": kind,
                "label": column.replace("_", " ").capitalize(),
                "indicator_unit": "",
                "indicator_dp": "",
                "filter_hint": "",
                "filter_grouping_column": "",
            }
        )
    return pd.DataFrame(rows, columns=META_COLUMNS)


def _sample(data_path: Path, columns: list[str]) -> pd.DataFrame:
    """The first rows of ``columns`` as text (published symbols kept)."""
    wanted = list(dict.fromkeys(columns))
    if not wanted:
        return pd.DataFrame()
    return pd.read_csv(
        data_path,
        usecols=wanted,
        nrows=SAMPLE_ROWS,
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
    )


def _filter_values(data_path: Path, columns: list[str]) -> dict[str, list[str]]:
    """Every value of each filter column, in first-seen order (whole file, filter columns
    only, read in chunks)."""
    if not columns:
        return {}
    seen: dict[str, dict[str, None]] = {c: {} for c in columns}
    for chunk in pd.read_csv(
        data_path,
        usecols=columns,
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
        chunksize=200_000,
    ):
        for column in columns:
            for value in chunk[column].unique():
                seen[column].setdefault(str(value), None)
    return {c: list(v) for c, v in seen.items()}


FREQUENCY_OF_TIME_IDENTIFIER = {
    "academic year": "annual_academic",
    "financial year": "annual_financial",
    "reporting year": "annual_reporting",
    "calendar year": "annual_calendar",
    "january": "annual_census",
}
SERVICE_AREA_WORDS = (
    ("early_years", ("early years", "early education", "eyfs", "foundation stage", "childcare")),
    ("care_leavers", ("care leaver", "looked after", "care_leaver")),
    ("spend", ("expenditure", "spend", "section 251")),
)


def _frequency(data_path: Path) -> str:
    """The catalogue frequency of the file's ``time_identifier`` (default a reporting year)."""
    try:
        sample = _sample(data_path, ["time_identifier"])
    except ValueError:
        return "annual_reporting"
    first = next((v for v in sample["time_identifier"] if v), "")
    return FREQUENCY_OF_TIME_IDENTIFIER.get(first.strip().lower(), "annual_reporting")


def _service_area(name: str, meta: pd.DataFrame) -> str:
    """A first guess at the service area from the file's name and labels (the analyst can
    change it); Early Help (children in need, referrals) when nothing says otherwise."""
    text = " ".join([name.replace("_", " "), *meta["label"]]).lower()
    for area, words in SERVICE_AREA_WORDS:
        if any(word.replace("_", " ") in text for word in words):
            return area
    return "early_help"


def _publication_name(data_path: Path) -> str:
    stem = (
        data_path.name[: -len(".csv")]
        if data_path.name.lower().endswith(".csv")
        else data_path.stem
    )
    stem = re.sub(r"(_?\d{4}(_to_\d{4})?)+$", "", stem)
    return stem or data_path.stem


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _unique_id(candidate: str, taken: set[str]) -> str:
    candidate = candidate[:64].strip("_") or "indicator"
    if candidate not in taken:
        return candidate
    number = 2
    while f"{candidate[:60]}_{number}" in taken:
        number += 1
    return f"{candidate[:60]}_{number}"


def _int_or_none(text: str) -> int | None:
    try:
        return int(str(text).strip())
    except ValueError:
        return None


# --- the command line (and, later, the page) -------------------------------------------------


@dataclass
class EesMapping:
    """The mapping an EES file is imported with: ``reused`` when saved for an earlier
    edition, else ``proposal`` (what was proposed) and ``created`` (new indicator ids)."""

    mapping: dict
    name: str
    reused: bool
    created: list[str] = field(default_factory=list)
    proposal: Proposal | None = None


def ees_mapping_for_file(
    session: Any,
    data_path: Path,
    *,
    organisation_id: int | None,
    create_indicators: bool,
    added_by: str,
    polarity: str | None = None,
    service_area: str | None = None,
    meta_path: Path | None = None,
) -> EesMapping:
    """The mapping for an EES file with no hand-written one: the mapping saved for the
    publication's earlier edition (:func:`publication_key`), else one proposed from its
    metadata (:func:`propose`), saved for the next edition. Indicators the catalogue does
    not have are created (unpublished, audited) when ``create_indicators``; otherwise a
    ValueError names them. ``session`` is a write session."""
    from sqlalchemy import select

    from data_access.importing.mappings import built_in_mappings, load_mapping, save_mapping
    from data_access.indicator_admin import add_indicators, check_new_indicators
    from data_access.models import ImportMapping, Indicator

    key = publication_key(data_path)
    saved = load_mapping(session, key, organisation_id)
    if saved is not None:
        return EesMapping(saved, key, reused=True)
    catalogue_ids = set(session.scalars(select(Indicator.id)))
    stored = [
        json_config
        for json_config in (_loads(text) for text in session.scalars(select(ImportMapping.config)))
        if json_config
    ]
    known = known_value_columns([*built_in_mappings().values(), *stored])
    proposal = propose(data_path, catalogue_ids, known, meta_path=meta_path)
    if not proposal.indicators:
        raise ValueError("No indicator columns were found in the file or its metadata.")
    publication = _publication_name(data_path).replace("_", " ")
    missing = proposal.new_indicators(f"DfE, {publication} (Explore Education Statistics)")
    for row in missing:
        row["polarity"] = polarity or row["polarity"]
        row["service_area"] = service_area or row["service_area"]
    created: list[str] = []
    if missing and not create_indicators:
        names = ", ".join(f"{r['id']} ({r['title']})" for r in missing)
        raise ValueError(
            f"The catalogue has no indicator for {len(missing)} of the file's columns: {names}. "
            "Add --create-indicators to create them."
        )
    if missing:
        rows = check_new_indicators(missing, catalogue_ids)
        created = add_indicators(session, rows, added_by=added_by, how="ees metadata")
    save_mapping(
        session, key, "ees", proposal.mapping, organisation_id=organisation_id, created_by=added_by
    )
    return EesMapping(proposal.mapping, key, reused=False, created=created, proposal=proposal)


def _loads(text: str) -> dict | None:
    import json

    try:
        loaded = json.loads(text)
    except ValueError:
        return None
    return loaded if isinstance(loaded, dict) else None
