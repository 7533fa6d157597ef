"""Anonymising authorities for shared screens: "Authority A, B, C" in place of names.

A Learning Network session can show authorities side by side without naming them. The
same mapping must reach every place a name can appear (chart traces, captions, tables,
quotes, contributions and exports), so it is built once (:func:`authority_labels`) and
applied by two small functions: :func:`anonymise_text` for any text and
:func:`anonymise_frame` for the text columns of a DataFrame.

Benchmarks that are not authorities (England, regions, "Statistical neighbours (mean)",
the Learning Network and Greater Manchester groups) keep their names: they identify no
single authority and the comparison needs them.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd


def letter_label(position: int) -> str:
    """ "Authority A" for 0, ... "Authority Z" for 25, then "Authority AA", "AB" ..."""
    letters = string.ascii_uppercase
    if position < len(letters):
        return f"Authority {letters[position]}"
    first, second = divmod(position, len(letters))
    return f"Authority {letters[first - 1]}{letters[second]}"


def authority_labels(authorities: Sequence[tuple[str, str]]) -> dict[str, str]:
    """A mapping from each authority's code AND name to its label, in the order given.

    ``authorities`` is ``[(code, name), ...]`` (participants first, then any other
    authority a step shows). An authority appearing twice (North Yorkshire's two codes
    share one name) keeps its first label.
    """
    mapping: dict[str, str] = {}
    by_name: dict[str, str] = {}
    for code, name in authorities:
        key = (name or code).strip()
        label = by_name.get(key.lower())
        if label is None:
            label = letter_label(len(by_name))
            by_name[key.lower()] = label
        if code:
            mapping.setdefault(code, label)
        if name:
            mapping.setdefault(name.strip(), label)
    return mapping


def _pattern(mapping: Mapping[str, str]) -> re.Pattern[str] | None:
    # Longest first, so "North Yorkshire" wins over a shorter name inside it.
    keys = sorted((k for k in mapping if k), key=len, reverse=True)
    if not keys:
        return None
    alternatives = "|".join(re.escape(k) for k in keys)
    # Whole words only ("York" must not touch "Yorkshire"); case-insensitive, because a
    # name typed in capitals is still a name.
    return re.compile(rf"(?<![\w])(?:{alternatives})(?![\w])", re.IGNORECASE)


def anonymise_text(text: object, mapping: Mapping[str, str]) -> str:
    """``text`` with every name and code in ``mapping`` replaced by its label."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    pattern = _pattern(mapping)
    if pattern is None:
        return str(text)
    lowered = {k.lower(): v for k, v in mapping.items()}
    return pattern.sub(lambda m: lowered[m.group(0).lower()], str(text))


def anonymise_texts(texts: Iterable[object], mapping: Mapping[str, str]) -> list[str]:
    """:func:`anonymise_text` over many texts (one compiled pattern)."""
    return [anonymise_text(t, mapping) for t in texts]


def anonymise_frame(
    frame: pd.DataFrame, mapping: Mapping[str, str], columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """A copy of ``frame`` whose text columns (or ``columns``) are anonymised.

    Takes any DataFrame; returns the same columns. Non-text cells (numbers, dates, None)
    are left as they are.
    """
    out = frame.copy()
    chosen = columns if columns is not None else list(out.columns)
    for column in chosen:
        if column not in out.columns:
            continue
        out[column] = [anonymise_text(v, mapping) if isinstance(v, str) else v for v in out[column]]
    return out


def leaked_names(text: str, names: Iterable[str]) -> list[str]:
    """The names that still appear in ``text`` as whole words (a check for tests/exports)."""
    found = []
    for name in names:
        if name and re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text, re.IGNORECASE):
            found.append(name)
    return found
