"""Illustrative local monthly management information for the demo.

Local figures (Early Help requests and outcomes, Family Hub reach, speech and language waits,
pathway plans) are not published anywhere, so the demo makes them, plausibly and
deterministically from a seed. The interface labels them as illustrative.

How the numbers are made: for every indicator, area and month we draw counts for the full
cross-classification of the equality dimensions (for example sex x ethnicity x age band x
disability x deprivation quintile) and then add them up along each dimension. Because every
breakdown is a sum of the same joint cells, each breakdown's cells add up exactly to the total
numerator and denominator, and small cells (1 to 5) turn up where they would in real life.

A few stories are built in so the demo has something to discuss (see ``ILLUSTRATIVE_STORIES``):
a Family Hub opening in Oldham, a recording change in Rochdale, speech and language waits rising
then falling in Hampshire, a staffing gap in North Yorkshire's leaving care team, and a
persistent gap for the most deprived quintile everywhere.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from data_access.importing.canonical import OBSERVATION_COLUMNS as CANONICAL_OBSERVATION_COLUMNS

SITE_AREAS: dict[str, str] = {
    "E08000004": "Oldham",
    "E08000005": "Rochdale",
    "E10000014": "Hampshire",
    "E06000065": "North Yorkshire",
}

# ONS mid-year estimates of the 0-17 population; volumes scale with these.
CHILD_POPULATION_0_17: dict[str, int] = {
    "E08000004": 64_069,
    "E08000005": 58_087,
    "E10000014": 288_730,
    "E06000065": 115_721,
}

ILLUSTRATIVE_INDICATORS: tuple[str, ...] = (
    "eh_requests",
    "eh_assessments_timely",
    "eh_closed_needs_met",
    "eh_stepup_csc",
    "family_hub_reach_0_4",
    "slc_waiting_18wk",
    "pathway_plan_timely",
)

# The canonical observation columns, in order (one definition for the whole project).
OBSERVATION_COLUMNS: tuple[str, ...] = tuple(CANONICAL_OBSERVATION_COLUMNS)

# Context events the demo can show as annotations; the generator builds the same events in.
ILLUSTRATIVE_STORIES: tuple[dict[str, str], ...] = (
    {
        "indicator": "family_hub_reach_0_4",
        "area_code": "E08000004",
        "period_start": "2025-03-01",
        "body": "New Family Hub opened in March 2025 in one of the most deprived wards; "
        "reach builds over the following 12 months.",
    },
    {
        "indicator": "eh_assessments_timely",
        "area_code": "E08000005",
        "period_start": "2025-09-01",
        "body": "Recording change in September 2025: the 45 working day clock now starts at "
        "consent rather than at request, so timeliness steps up.",
    },
    {
        "indicator": "slc_waiting_18wk",
        "area_code": "E10000014",
        "period_start": "2024-09-01",
        "body": "Therapist vacancies through autumn 2024 and winter 2025 lengthened waits; "
        "a waiting list initiative from spring 2025 brought them down.",
    },
    {
        "indicator": "pathway_plan_timely",
        "area_code": "E06000065",
        "period_start": "2024-12-01",
        "body": "Staffing gap in the leaving care team over winter 2024/25 delayed pathway plan "
        "reviews.",
    },
)

_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_AREAS: tuple[str, ...] = tuple(SITE_AREAS)
_POP = np.array([CHILD_POPULATION_0_17[code] for code in _AREAS], dtype=float)

_SEX = ("female", "male")
_ETHNICITY = ("white", "asian", "black", "mixed", "other", "unknown")
_DISABILITY = ("disabled", "not disabled", "unknown")
_SEN = ("sen", "no sen", "unknown")
_IMD = ("1 (most deprived)", "2", "3", "4", "5 (least deprived)")
_UASC = ("uasc", "not uasc")
_AGE_EARLY_HELP = ("0-4", "5-10", "11-15", "16-17")
_AGE_FAMILY_HUB = ("under 2", "2-3", "4")
_AGE_SLC = ("0-4", "5-10", "11-17")
_AGE_CARE_LEAVERS = ("18", "19-21")

# Known ethnicity mix of each area's children (white, asian, black, mixed, other), before
# "unknown" is added per indicator. Oldham and Rochdale have large Asian / British Asian
# communities; Hampshire and North Yorkshire are mostly White.
_ETHNICITY_KNOWN = np.array(
    [
        [0.62, 0.29, 0.03, 0.045, 0.015],
        [0.68, 0.23, 0.03, 0.045, 0.015],
        [0.88, 0.045, 0.015, 0.045, 0.015],
        [0.935, 0.02, 0.007, 0.03, 0.008],
    ]
)
# Share of children in each IMD quintile (national quintiles), by area.
_IMD_POPULATION = np.array(
    [
        [0.42, 0.22, 0.16, 0.12, 0.08],
        [0.40, 0.22, 0.17, 0.12, 0.09],
        [0.06, 0.13, 0.20, 0.27, 0.34],
        [0.05, 0.13, 0.27, 0.30, 0.25],
    ]
)
# Services see more children from deprived neighbourhoods than the population holds.
_SERVICE_DEPRIVATION_TILT = np.array([1.6, 1.3, 1.0, 0.8, 0.6])

# Asian and Black families in these areas live disproportionately in deprived neighbourhoods.
_ETHNICITY_BY_IMD_TILT = np.array(
    [
        [1.0, 1.0, 1.0, 1.0, 1.0],
        [1.7, 1.1, 0.8, 0.6, 0.5],
        [1.5, 1.2, 0.9, 0.7, 0.6],
        [1.2, 1.1, 1.0, 0.9, 0.8],
        [1.2, 1.1, 1.0, 0.9, 0.8],
        [1.0, 1.0, 1.0, 1.0, 1.0],
    ]
)

# "Disadvantage" on the logit scale: positive means the group fares worse. For high_is_good
# indicators it lowers the rate, for low_is_good ones it raises it.
_IMD_DISADVANTAGE = np.array([0.40, 0.22, 0.10, 0.0, -0.08])
_ETHNICITY_DISADVANTAGE = np.array([0.0, 0.10, 0.15, 0.05, 0.12, 0.30])
_DISABILITY_DISADVANTAGE = np.array([0.25, 0.0, 0.15])
_SEX_DISADVANTAGE = np.array([0.0, 0.05])


@dataclass(frozen=True)
class _Dimension:
    """One equality breakdown: its name in the output, its values and the joint-cell weights."""

    name: str
    values: tuple[str, ...]
    shares: np.ndarray  # shape (areas, len(values))
    disadvantage: np.ndarray  # shape (len(values),) on the logit scale


def _by_area(shares: list[float] | np.ndarray) -> np.ndarray:
    """The same shares for every area, as an (areas, values) array."""
    row = np.asarray(shares, dtype=float)
    return np.tile(row / row.sum(), (len(_AREAS), 1))


def _ethnicity_shares(unknown: float) -> np.ndarray:
    """Area ethnicity mix with a given share of records whose ethnicity is not recorded."""
    known = _ETHNICITY_KNOWN / _ETHNICITY_KNOWN.sum(axis=1, keepdims=True)
    return np.hstack([known * (1 - unknown), np.full((len(_AREAS), 1), unknown)])


def _imd_shares(service: bool) -> np.ndarray:
    shares = _IMD_POPULATION * (_SERVICE_DEPRIVATION_TILT if service else 1.0)
    return shares / shares.sum(axis=1, keepdims=True)


def _dims_early_help(ethnicity_unknown: float) -> tuple[_Dimension, ...]:
    return (
        _Dimension("sex", _SEX, _by_area([0.47, 0.53]), _SEX_DISADVANTAGE),
        _Dimension(
            "ethnicity",
            _ETHNICITY,
            _ethnicity_shares(ethnicity_unknown),
            _ETHNICITY_DISADVANTAGE,
        ),
        _Dimension(
            "age_band",
            _AGE_EARLY_HELP,
            _by_area([0.30, 0.33, 0.28, 0.09]),
            np.array([-0.05, 0.0, 0.10, 0.25]),
        ),
        _Dimension(
            "disability", _DISABILITY, _by_area([0.09, 0.80, 0.11]), _DISABILITY_DISADVANTAGE
        ),
        _Dimension("imd_quintile", _IMD, _imd_shares(service=True), _IMD_DISADVANTAGE),
    )


def _dims_family_hub() -> tuple[_Dimension, ...]:
    return (
        _Dimension("sex", _SEX, _by_area([0.488, 0.512]), np.zeros(2)),
        # Registration forms leave ethnicity blank quite often.
        _Dimension("ethnicity", _ETHNICITY, _ethnicity_shares(0.0), _ETHNICITY_DISADVANTAGE),
        _Dimension(
            "age_band",
            _AGE_FAMILY_HUB,
            _by_area([0.4, 0.4, 0.2]),
            # Babies are reached through health visiting; four-year-olds drift away to school.
            np.array([-0.25, 0.0, 0.35]),
        ),
        _Dimension("sen", _SEN, _by_area([0.05, 0.80, 0.15]), np.array([0.1, 0.0, 0.2])),
        _Dimension("imd_quintile", _IMD, _imd_shares(service=False), _IMD_DISADVANTAGE),
    )


def _dims_slc() -> tuple[_Dimension, ...]:
    return (
        _Dimension("sex", _SEX, _by_area([0.32, 0.68]), np.zeros(2)),
        _Dimension("ethnicity", _ETHNICITY, _ethnicity_shares(0.05), _ETHNICITY_DISADVANTAGE),
        _Dimension("age_band", _AGE_SLC, _by_area([0.45, 0.42, 0.13]), np.array([-0.1, 0.0, 0.30])),
        _Dimension("sen", _SEN, _by_area([0.55, 0.35, 0.10]), np.array([0.15, 0.0, 0.1])),
        _Dimension("imd_quintile", _IMD, _imd_shares(service=True), _IMD_DISADVANTAGE),
    )


def _dims_care_leavers() -> tuple[_Dimension, ...]:
    return (
        _Dimension("sex", _SEX, _by_area([0.42, 0.58]), _SEX_DISADVANTAGE),
        _Dimension("ethnicity", _ETHNICITY, _ethnicity_shares(0.02), _ETHNICITY_DISADVANTAGE),
        _Dimension("age_band", _AGE_CARE_LEAVERS, _by_area([0.27, 0.73]), np.array([-0.1, 0.30])),
        _Dimension(
            "disability", _DISABILITY, _by_area([0.14, 0.78, 0.08]), _DISABILITY_DISADVANTAGE
        ),
        _Dimension("imd_quintile", _IMD, _imd_shares(service=True), _IMD_DISADVANTAGE),
        _Dimension(
            "uasc",
            _UASC,
            # Hampshire looks after more unaccompanied asylum-seeking children (ports, hotels).
            np.array([[0.08, 0.92], [0.08, 0.92], [0.16, 0.84], [0.06, 0.94]]),
            np.array([0.15, 0.0]),
        ),
    )


def _joint_shares(dims: tuple[_Dimension, ...]) -> np.ndarray:
    """Shares of every joint cell, shape (areas, *dimension sizes), summing to 1 per area.

    Independent marginals, tilted where dimensions are known to go together: ethnicity with
    deprivation, and unaccompanied asylum-seeking young people who are mostly male and mostly
    not White British.
    """
    joint = np.ones(len(_AREAS))
    for dim in dims:
        joint = joint[..., np.newaxis] * dim.shares.reshape(
            (len(_AREAS),) + (1,) * (joint.ndim - 1) + (len(dim.values),)
        )
    names = [dim.name for dim in dims]
    joint = joint * _pair_tilt(names, "ethnicity", "imd_quintile", _ETHNICITY_BY_IMD_TILT)
    if "uasc" in names:
        joint = joint * _pair_tilt(names, "uasc", "sex", np.array([[0.15, 1.85], [1.0, 1.0]]))
        joint = joint * _pair_tilt(
            names,
            "uasc",
            "ethnicity",
            np.array([[0.08, 2.5, 9.0, 0.4, 12.0, 2.0], [1.0] * 6]),
        )
    flat = joint.reshape(len(_AREAS), -1)
    return (flat / flat.sum(axis=1, keepdims=True)).reshape(joint.shape)


def _pair_tilt(names: list[str], first: str, second: str, tilt: np.ndarray) -> np.ndarray:
    """A (1, *sizes) multiplier that tilts the joint distribution of two dimensions."""
    if first not in names or second not in names:
        return np.ones(1)
    i, j = names.index(first), names.index(second)
    shape = [1] * (len(names) + 1)
    shape[i + 1], shape[j + 1] = tilt.shape
    return tilt.reshape(shape) if i < j else tilt.T.reshape(shape)


def _group_disadvantage(dims: tuple[_Dimension, ...]) -> np.ndarray:
    """Sum of each dimension's disadvantage, broadcastable to (areas, months, *sizes)."""
    total = np.zeros((1, 1) + tuple(len(d.values) for d in dims))
    for k, dim in enumerate(dims):
        shape = [1] * total.ndim
        shape[k + 2] = len(dim.values)
        total = total + dim.disadvantage.reshape(shape)
    return total


@dataclass(frozen=True)
class _Calendar:
    """The months being generated, with helpers for stories tied to calendar dates."""

    starts: list[date]
    years: np.ndarray
    month_numbers: np.ndarray

    @classmethod
    def ending(cls, end_month: date, months: int) -> _Calendar:
        serial_end = end_month.year * 12 + end_month.month - 1
        serials = np.arange(serial_end - months + 1, serial_end + 1)
        years, month_index = np.divmod(serials, 12)
        starts = [date(int(y), int(m) + 1, 1) for y, m in zip(years, month_index, strict=True)]
        return cls(starts, years, month_index + 1)

    def months_since(self, year: int, month: int) -> np.ndarray:
        """Whole months from the given month (0 in that month, negative before it)."""
        return (self.years - year) * 12 + (self.month_numbers - month)

    def years_elapsed(self) -> np.ndarray:
        return self.months_since(int(self.years[0]), int(self.month_numbers[0])) / 12.0


def _area_month(values: list[float]) -> np.ndarray:
    return np.asarray(values, dtype=float)[:, np.newaxis]


def _logit(p: np.ndarray | list[float]) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    return np.log(p / (1 - p))


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _bump(cal: _Calendar, year: int, month: int, width_months: float) -> np.ndarray:
    """A smooth rise and fall centred on a month (peak 1)."""
    return np.exp(-0.5 * (cal.months_since(year, month) / width_months) ** 2)


def _ramp(cal: _Calendar, year: int, month: int, over_months: int) -> np.ndarray:
    """0 before the month, rising linearly to 1 over the given months."""
    return np.clip((cal.months_since(year, month) + 1) / over_months, 0.0, 1.0)


# Seasonality of Early Help requests: schools drive referrals, so the summer holiday (August)
# and the Christmas break (late December) dip, and September picks up.
_REQUEST_SEASON = np.array([1.02, 1.0, 1.05, 0.94, 1.0, 1.03, 0.98, 0.70, 1.10, 1.06, 1.07, 0.80])


def _request_volume(cal: _Calendar, lag_months: int = 0) -> np.ndarray:
    """Expected Early Help requests per area and month (areas, months)."""
    per_10k = 38.0 * _area_month([1.25, 1.30, 0.85, 0.80])
    season = _REQUEST_SEASON[(cal.month_numbers - 1 - lag_months) % 12]
    growth = 1.0 + 0.04 * cal.years_elapsed()
    return _POP[:, np.newaxis] / 10_000 * per_10k * season * growth


def _draw_flow(rng: np.random.Generator, expected: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Poisson counts for every joint cell of a monthly flow (requests, completions, closures)."""
    lam = expected.reshape(expected.shape + (1,) * (shares.ndim - 1)) * shares[:, np.newaxis]
    return rng.poisson(lam).astype(np.int64)


def _split_stock(rng: np.random.Generator, totals: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Split a caseload total exactly across joint cells (multinomial), keeping the total."""
    cell_shape = shares.shape[1:]
    pvals = np.broadcast_to(
        shares.reshape(shares.shape[0], 1, -1), totals.shape + (int(np.prod(cell_shape)),)
    )
    counts = rng.multinomial(totals.astype(np.int64), pvals)
    return counts.reshape(totals.shape + cell_shape)


def _split_population(totals: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Split a population exactly and smoothly across joint cells (largest remainder)."""
    cell_shape = shares.shape[1:]
    expected = totals[..., np.newaxis] * shares.reshape(shares.shape[0], 1, -1)
    floors = np.floor(expected)
    short = (totals - floors.sum(axis=-1)).astype(np.int64)
    order = np.argsort(-(expected - floors), axis=-1, kind="stable")
    ranks = np.argsort(order, axis=-1, kind="stable")
    counts = floors + (ranks < short[..., np.newaxis])
    return counts.astype(np.int64).reshape(totals.shape + cell_shape)


def _rate(
    base: np.ndarray, dims: tuple[_Dimension, ...], high_is_good: bool, noise: np.ndarray
) -> np.ndarray:
    """Cell probabilities from an area-month logit plus group disadvantage."""
    sign = -1.0 if high_is_good else 1.0
    logit = (base + noise)[(...,) + (np.newaxis,) * len(dims)] + sign * _group_disadvantage(dims)
    return _expit(logit)


def _monthly_noise(rng: np.random.Generator, shape: tuple[int, int], sd: float) -> np.ndarray:
    return rng.normal(0.0, sd, size=shape)


def _period_columns(cal: _Calendar) -> pd.DataFrame:
    ends = [date(d.year, d.month, calendar.monthrange(d.year, d.month)[1]) for d in cal.starts]
    labels = [f"{_MONTH_ABBR[d.month - 1]} {d.year}" for d in cal.starts]
    return pd.DataFrame({"period_label": labels, "period_start": cal.starts, "period_end": ends})


def _rows(
    indicator: str,
    dims: tuple[_Dimension, ...],
    numerator: np.ndarray,
    denominator: np.ndarray | None,
    periods: pd.DataFrame,
) -> pd.DataFrame:
    """Canonical rows (total and every breakdown) from joint-cell arrays (areas, months, *cells)."""
    n_areas, n_months = numerator.shape[:2]
    cell_axes = tuple(range(2, numerator.ndim))
    slices: list[tuple[str, tuple[str, ...], np.ndarray, np.ndarray | None]] = [
        (
            "total",
            ("total",),
            numerator.sum(axis=cell_axes)[..., np.newaxis],
            None if denominator is None else denominator.sum(axis=cell_axes)[..., np.newaxis],
        )
    ]
    for k, dim in enumerate(dims):
        others = tuple(ax for ax in cell_axes if ax != k + 2)
        slices.append(
            (
                dim.name,
                dim.values,
                numerator.sum(axis=others),
                None if denominator is None else denominator.sum(axis=others),
            )
        )
    frames = []
    for name, values, num, den in slices:
        n_values = len(values)
        area_idx, month_idx, value_idx = np.meshgrid(
            np.arange(n_areas), np.arange(n_months), np.arange(n_values), indexing="ij"
        )
        frame = periods.iloc[month_idx.ravel()].reset_index(drop=True)
        frame.insert(0, "area_code", np.asarray(_AREAS, dtype=object)[area_idx.ravel()])
        frame.insert(0, "indicator", indicator)
        frame["breakdown"] = name
        frame["breakdown_value"] = np.asarray(values, dtype=object)[value_idx.ravel()]
        num_flat = num.ravel().astype(float)
        frame["numerator"] = num_flat
        if den is None:
            # A count: value is the count itself and there is no denominator.
            frame["denominator"] = np.nan
            frame["value"] = num_flat
        else:
            den_flat = den.ravel().astype(float)
            frame["denominator"] = den_flat
            with np.errstate(invalid="ignore", divide="ignore"):
                frame["value"] = np.where(den_flat > 0, 100.0 * num_flat / den_flat, np.nan)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _early_help(
    rng: np.random.Generator, cal: _Calendar, periods: pd.DataFrame
) -> list[pd.DataFrame]:
    """Requests, timely assessments, and the outcomes of closed episodes."""
    shape = (len(_AREAS), len(cal.starts))
    t = cal.years_elapsed()

    # Front-door records often miss ethnicity; assessments record it better.
    request_dims = _dims_early_help(ethnicity_unknown=0.08)
    requests = _draw_flow(rng, _request_volume(cal), _joint_shares(request_dims))
    frames = [_rows("eh_requests", request_dims, requests, None, periods)]

    work_dims = _dims_early_help(ethnicity_unknown=0.03)
    work_shares = _joint_shares(work_dims)
    completed = _draw_flow(rng, 0.72 * _request_volume(cal, lag_months=1), work_shares)
    timely_logit = _logit(_area_month([0.80, 0.70, 0.86, 0.83])) + 0.05 * t
    # Rochdale: from September 2025 the clock starts at consent, not at request.
    timely_logit = timely_logit + _area_month([0, 0.95, 0, 0]) * (cal.months_since(2025, 9) >= 0)
    p_timely = _rate(timely_logit, work_dims, True, _monthly_noise(rng, shape, 0.07))
    timely = rng.binomial(completed, p_timely)
    frames.append(_rows("eh_assessments_timely", work_dims, timely, completed, periods))

    closed = _draw_flow(rng, 0.68 * _request_volume(cal, lag_months=3), work_shares)
    met_logit = _logit(_area_month([0.70, 0.72, 0.78, 0.76])) + 0.04 * t
    step_logit = _logit(_area_month([0.10, 0.095, 0.07, 0.08])) - 0.03 * t
    p_met = _rate(met_logit, work_dims, True, _monthly_noise(rng, shape, 0.06))
    p_step = _rate(step_logit, work_dims, False, _monthly_noise(rng, shape, 0.08))
    # One closure has one reason: needs met, stepped up, or something else (moved, declined).
    needs_met = rng.binomial(closed, p_met)
    step_share_of_rest = np.clip(p_step / (1.0 - p_met), 0.0, 0.95)
    stepped_up = rng.binomial(closed - needs_met, step_share_of_rest)
    frames.append(_rows("eh_closed_needs_met", work_dims, needs_met, closed, periods))
    frames.append(_rows("eh_stepup_csc", work_dims, stepped_up, closed, periods))
    return frames


def _family_hub(rng: np.random.Generator, cal: _Calendar, periods: pd.DataFrame) -> pd.DataFrame:
    """Children under 5 reached by a Family Hub in the last 12 months."""
    shape = (len(_AREAS), len(cal.starts))
    dims = _dims_family_hub()
    # Under-5s are about 5/18 of the 0-17 population; births are falling slowly.
    under_5 = _POP[:, np.newaxis] * 5 / 18 * (1 - 0.01 * cal.years_elapsed())
    population = _split_population(np.round(under_5).astype(np.int64), _joint_shares(dims))

    reach_logit = _logit(_area_month([0.44, 0.58, 0.55, 0.41])) + 0.06 * cal.years_elapsed()
    p = _rate(reach_logit, dims, True, _monthly_noise(rng, shape, 0.03))
    # Oldham's new hub (March 2025) sits in a deprived ward: reach builds over a rolling
    # 12 months, most of all in the two most deprived quintiles.
    opening = _ramp(cal, 2025, 3, 12)[np.newaxis, :] * _area_month([1, 0, 0, 0])
    imd_axis = [d.name for d in dims].index("imd_quintile") + 2
    lift_by_imd = np.array([1.4, 1.2, 0.8, 0.6, 0.5]).reshape(
        [1] * imd_axis + [5] + [1] * (p.ndim - imd_axis - 1)
    )
    lift = 0.70 * opening[(...,) + (np.newaxis,) * len(dims)] * lift_by_imd
    p = _expit(_logit(p) + lift)
    reached = rng.binomial(population, p)
    return _rows("family_hub_reach_0_4", dims, reached, population, periods)


def _slc_waits(rng: np.random.Generator, cal: _Calendar, periods: pd.DataFrame) -> pd.DataFrame:
    """Children waiting for speech and language therapy, and those waiting over 18 weeks."""
    shape = (len(_AREAS), len(cal.starts))
    dims = _dims_slc()
    t = cal.years_elapsed()
    hampshire = _area_month([0, 0, 1, 0])
    pressure = _bump(cal, 2025, 1, 5.0)[np.newaxis, :] * hampshire
    recovery = _ramp(cal, 2025, 5, 10)[np.newaxis, :] * hampshire
    waiting = (
        _POP[:, np.newaxis]
        * 0.0065
        * _area_month([1.10, 1.05, 1.0, 0.90])
        * (1 + 0.06 * t)
        * (1 + 0.25 * pressure)
        * rng.normal(1.0, 0.02, size=shape)
    )
    waiting_cells = _split_stock(rng, np.round(waiting).astype(np.int64), _joint_shares(dims))
    # Hampshire: vacancies push long waits up, then an initiative brings them below where
    # they started.
    over_logit = (
        _logit(_area_month([0.30, 0.26, 0.22, 0.33])) + 0.10 * t + 1.05 * pressure - 0.35 * recovery
    )
    p = _rate(over_logit, dims, False, _monthly_noise(rng, shape, 0.05))
    long_waits = rng.binomial(waiting_cells, p)
    return _rows("slc_waiting_18wk", dims, long_waits, waiting_cells, periods)


def _pathway_plans(rng: np.random.Generator, cal: _Calendar, periods: pd.DataFrame) -> pd.DataFrame:
    """Care leavers aged 18-21 with an up-to-date pathway plan."""
    shape = (len(_AREAS), len(cal.starts))
    dims = _dims_care_leavers()
    t = cal.years_elapsed()
    leavers = (
        _POP[:, np.newaxis]
        * 0.0045
        * _area_month([1.10, 1.05, 1.0, 0.95])
        * (1 + 0.02 * t)
        * rng.normal(1.0, 0.01, size=shape)
    )
    leaver_cells = _split_stock(rng, np.round(leavers).astype(np.int64), _joint_shares(dims))
    staffing_gap = _bump(cal, 2025, 2, 2.5)[np.newaxis, :] * _area_month([0, 0, 0, 1])
    timely_logit = _logit(_area_month([0.86, 0.83, 0.91, 0.89])) - 0.85 * staffing_gap
    p = _rate(timely_logit, dims, True, _monthly_noise(rng, shape, 0.08))
    up_to_date = rng.binomial(leaver_cells, p)
    return _rows("pathway_plan_timely", dims, up_to_date, leaver_cells, periods)


def generate_local_monthly(
    seed: int = 20261128, end_month: date = date(2026, 10, 1), months: int = 36
) -> pd.DataFrame:
    """Illustrative monthly management information for the four site authorities.

    Takes a seed (same seed, same DataFrame), the last month to generate (any day in it) and
    how many months to go back. Returns canonical observation rows with exactly the columns
    ``OBSERVATION_COLUMNS``: indicator, area_code, period_label ("Mar 2026"), period_start and
    period_end (datetime.date, first and last day of the month), breakdown and
    breakdown_value ("total"/"total" plus sex, ethnicity, age_band, disability or sen,
    imd_quintile and, for pathway plans, uasc), numerator and denominator (whole numbers held
    as float; the denominator is NaN for the count indicator eh_requests), value (percent
    = 100 * numerator / denominator, or the count itself), lower_ci and upper_ci (NaN: the app
    computes intervals) and status (None).
    """
    if months < 1:
        raise ValueError("months must be at least 1")
    if isinstance(end_month, datetime):
        end_month = end_month.date()
    rng = np.random.default_rng(seed)
    cal = _Calendar.ending(end_month, months)
    periods = _period_columns(cal)
    frames = _early_help(rng, cal, periods)
    frames.append(_family_hub(rng, cal, periods))
    frames.append(_slc_waits(rng, cal, periods))
    frames.append(_pathway_plans(rng, cal, periods))
    result = pd.concat(frames, ignore_index=True)
    result["lower_ci"] = np.nan
    result["upper_ci"] = np.nan
    result["status"] = pd.Series([None] * len(result), dtype=object)
    return result.loc[:, list(OBSERVATION_COLUMNS)]
