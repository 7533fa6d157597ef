"""LAIT's full long file checked and committed over the demo, on SQLite and PostgreSQL.

The file (641,070 rows; CSV, or Parquet as LAIT publishes it) is not part of the project:
give its path as an argument or in ``CHORUS_LAIT_LONG_FILE``; without it the benchmark
says so and stops. ``--proxy OUT`` writes a stand-in of the same size in the same layout
from the vendored 78,880-row subset (the subset as published, then copies of it moved
back and forward by ten years at a time), for timing the path when the real file is absent.

For each database: a fresh scratch database with the reference data and the demo's figures
(as ``seed-demo`` leaves it), then, in a child process so its peak memory is its own, the
project's importer with the built-in LAIT mapping: ``prepare_import`` (read, check, stage,
validate, spool) and ``commit_prepared`` (write, with provenance: confirmations and
conflicts). Printed and returned: seconds for each step, peak resident memory, rows read,
valid, rejected, skipped, new, revised, unchanged, confirmed and conflicting, and the load
average before and after. Targets: under 60 s and 400 MB.

    python -m bench.laitbench [FILE] [--databases sqlite,postgresql] [--proxy OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from bench.importbench import peak_rss_mb

ENV_FILE = "CHORUS_LAIT_LONG_FILE"
FULL_ROWS = 641_070
SUBSET = Path(__file__).resolve().parent.parent / "data" / "public" / "lait"
SUBSET_FILE = SUBSET / "lait_bds_long_childrens_services_subset.csv"
# Years moved by these (kept within the years the importer accepts, 1990 to 2100).
PROXY_SHIFTS = (0, 10, 20, -10, -20, -30, -40, -50, -60)
TARGET_SECONDS = 60.0
TARGET_MB = 400.0


def write_proxy(out: Path, rows: int = FULL_ROWS) -> Path:
    """A LAIT-layout file of ``rows`` rows from the vendored subset: the subset itself, then
    copies with ``Years`` moved by ``PROXY_SHIFTS`` (new figures for the same indicators
    and areas)."""
    subset = pd.read_csv(SUBSET_FILE, dtype=str, keep_default_na=False)
    parts: list[pd.DataFrame] = []
    for shift in PROXY_SHIFTS:
        if sum(len(part) for part in parts) >= rows:
            break
        part = subset.copy()
        if shift:
            moved = {y: _moved_year(y, shift) for y in part["Years"].unique()}
            part["Years"] = part["Years"].map(moved)
        parts.append(part)
    table = pd.concat(parts, ignore_index=True).iloc[:rows]
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".parquet":
        table.to_parquet(out, index=False)
    else:
        table.to_csv(out, index=False)
    return out


def _moved_year(text: str, years: int) -> str:
    """``2025`` -> ``2015``, ``2016-17 (OT)`` -> ``2006-07 (OT)`` for ``years`` = 10
    (a negative ``years`` moves forward)."""
    match = re.match(r"^(\d{4})(?:-(\d{2}))?(.*)$", text)
    if not match:
        return text
    tail = f"-{(int(match.group(2)) - years) % 100:02d}" if match.group(2) else ""
    return f"{int(match.group(1)) - years}{tail}{match.group(3)}"


def scratch_database(kind: str) -> str:
    """A fresh database with the reference data and the demo's figures; its URL."""
    from bench.generate import empty_database
    from data_access.demo import load_demo_observations

    scratch = "lait-scratch" if kind == "sqlite" else "chorus_bench_lait"
    return empty_database(kind, scratch, load_demo_observations)


def child_main(url: str, path: Path) -> dict:
    """In the child: check and commit ``path`` with the built-in LAIT mapping."""
    from data_access.db import Database
    from data_access.importing.commit import commit_prepared
    from data_access.importing.lait import default_mapping
    from data_access.importing.pipeline import prepare_import
    from data_access.importing.validation import Reference

    database = Database(url)
    with database.read() as session:
        reference = Reference.from_session(session)
    workdir = Path(tempfile.mkdtemp(prefix="chorus-lait-"))
    started = time.perf_counter()
    prepared = prepare_import(
        path,
        "lait",
        default_mapping(),
        reference,
        workdir,
        mapping_name="LAIT standard (demo indicators)",
        max_bytes=1 << 31,
    )
    checked = time.perf_counter()
    with database.write() as session:
        result = commit_prepared(session, prepared, created_by="bench")
    committed = time.perf_counter()
    database.dispose()
    summary = prepared.summary()
    return {
        "check_seconds": round(checked - started, 1),
        "commit_seconds": round(committed - checked, 1),
        "seconds": round(committed - started, 1),
        "peak_rss_mb": peak_rss_mb(),
        "status": result.status,
        "rows_read": summary["rows_read"],
        "rows_valid": summary["rows_valid"],
        "rows_rejected": summary["rows_rejected"],
        "rows_skipped": summary["rows_skipped"],
        "new": result.rows_inserted,
        "revised": result.rows_changed,
        "unchanged": result.rows_unchanged,
        "confirmed": result.rows_confirmed,
        "conflicting": result.rows_conflicting,
    }


def run(path: Path, kind: str) -> dict:
    """Scratch database, then the import timed in a child process."""
    url = scratch_database(kind)
    load_before = os.getloadavg()
    completed = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.laitbench", "--child", url, str(path)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        check=False,
    )
    load_after = os.getloadavg()
    if completed.returncode != 0:
        outcome: dict = {"error": completed.stderr[-3000:]}
    else:
        outcome = json.loads(completed.stdout.strip().splitlines()[-1])
    outcome.update(
        database=kind,
        file=path.name,
        load_before=[round(x, 2) for x in load_before],
        load_after=[round(x, 2) for x in load_after],
        cores=os.cpu_count(),
    )
    if "seconds" in outcome:
        outcome["meets_target"] = (
            outcome["seconds"] < TARGET_SECONDS and outcome["peak_rss_mb"] < TARGET_MB
        )
    return outcome


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=os.environ.get(ENV_FILE))
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--proxy", default=None, help="Write a stand-in file here and time it.")
    parser.add_argument("--child", nargs=2, metavar=("URL", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child_main(args.child[0], Path(args.child[1]))))
        return 0
    if args.proxy:
        path = write_proxy(Path(args.proxy))
    elif args.file and Path(args.file).is_file():
        path = Path(args.file)
    else:
        print(
            f"Skipped: LAIT's full long file is not here. Give its path as an argument or in "
            f"{ENV_FILE} (or --proxy OUT for a stand-in of the same size made from the subset)."
        )
        return 0
    for kind in args.databases.split(","):
        print(json.dumps(run(path, kind.strip())), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
