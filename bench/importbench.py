"""Import of a 600,000-row LAIT-layout file, timed in a child process for its peak memory.

``write_lait_file`` makes the file (synthetic Short Descs mapped to the benchmark's
indicators and breakdown cells, every area, ten years); ``run_import`` imports it into a
fresh scratch database with the project's importer (data_access.importing's pipeline when
present, else data_access.importing.lait) and reports seconds, rows and peak memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from bench.generate import ANNUAL_CELLS, ANNUAL_YEARS, bench_catalogue

IMPORT_ROWS = 600_000


def import_mapping(short_descs: int) -> dict[str, tuple[str, str, str]]:
    """Short Desc -> (indicator, breakdown, value) over the annual benchmark indicators."""
    catalogue = bench_catalogue(1)
    annual = catalogue[
        catalogue["id"].str.startswith("bench_") & (catalogue["frequency"] != "monthly")
    ]["id"].tolist()
    mapping = {}
    for number in range(short_descs):
        indicator = annual[(number // len(ANNUAL_CELLS)) % len(annual)]
        breakdown, value = ANNUAL_CELLS[number % len(ANNUAL_CELLS)]
        mapping[f"BENCH_SD_{number:04d}"] = (indicator, breakdown, value)
    return mapping


def write_lait_file(path: Path, rows: int = IMPORT_ROWS) -> dict[str, tuple[str, str, str]]:
    """A LAIT long CSV with ``rows`` rows; returns the Short Desc mapping it needs."""
    from data_access.reference import REGIONS, build_areas

    areas = build_areas()
    areas = areas[areas["valid_to"].isna()]
    places = [("England", None)] + [(name, None) for name in REGIONS.values()]
    las = areas[areas["area_type"] == "la"]
    places += list(zip(las["name"], las["la_number"].astype(int), strict=True))
    per_desc = len(places) * len(ANNUAL_YEARS)
    mapping = import_mapping(-(-rows // per_desc))
    frames = []
    for short_desc in mapping:
        frame = pd.DataFrame(
            [(short_desc, year, name, number) for name, number in places for year in ANNUAL_YEARS],
            columns=["Short Desc", "Years", "LA and Regions", "LA Number"],
        )
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True).iloc[:rows]
    values = (pd.Series(range(len(table))) * 7919 % 1000) / 10.0
    table["Values"] = values.map(lambda v: f"{v:.1f}").where(values % 9 != 0, "-")
    table["Data item"] = "Benchmark item"
    table["Region"] = ""
    table["LA Number"] = table["LA Number"].astype("Int64")
    columns = ["Short Desc", "Data item", "Years", "LA and Regions", "Values", "LA Number"]
    table[[*columns, "Region"]].to_csv(path, index=False)
    return mapping


def _scratch_database(kind: str) -> str:
    from bench.generate import empty_database
    from data_access.catalogue import upsert_indicators

    scratch = "import-scratch" if kind == "sqlite" else "chorus_bench_import"
    return empty_database(
        kind, scratch, lambda session, _catalogue: upsert_indicators(session, bench_catalogue(1))
    )


def _import_with_pipeline(url: str, path: Path, mapping: dict) -> dict:
    from data_access.db import Database
    from data_access.importing.commit import commit_prepared
    from data_access.importing.pipeline import prepare_import
    from data_access.importing.validation import Reference

    database = Database(url)
    with database.read() as session:
        reference = Reference.from_session(session)
    workdir = Path(tempfile.mkdtemp(prefix="chorus-import-"))
    prepared = prepare_import(
        path,
        "lait",
        {"format": "lait", "indicators": {k: list(v) for k, v in mapping.items()}},
        reference,
        workdir,
        max_bytes=1 << 30,
    )
    with database.write() as session:
        result = commit_prepared(session, prepared, created_by="bench")
    database.dispose()
    return {
        "importer": "data_access.importing (prepare_import + commit_prepared)",
        "rows": result.rows_inserted + result.rows_changed,
        "status": result.status,
        "rejected": result.rows_rejected,
        "message": result.message,
    }


def _import_with_legacy(url: str, path: Path, mapping: dict) -> dict:
    from data_access.db import Database
    from data_access.importing.lait import lait_to_canonical, read_lait_long
    from data_access.observations import bump_data_version, insert_observations
    from data_access.reference import code_aliases, la_number_to_code

    catalogue = bench_catalogue(1)
    frequencies = dict(zip(catalogue["id"], catalogue["frequency"], strict=True))
    canonical = lait_to_canonical(
        read_lait_long(path), mapping, code_aliases(), la_number_to_code(), frequencies
    )
    database = Database(url)
    with database.write() as session:
        rows = insert_observations(session, canonical)
        bump_data_version(session)
    database.dispose()
    return {"importer": "data_access.importing.lait + insert_observations", "rows": rows}


def child_main(argv: list[str]) -> None:
    """Run in a child process: import and print JSON with seconds and peak memory."""
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("path")
    parser.add_argument("mapping")
    parser.add_argument("--importer", choices=["pipeline", "legacy"], default="pipeline")
    args = parser.parse_args(argv)
    mapping = {k: tuple(v) for k, v in json.loads(Path(args.mapping).read_text()).items()}
    legacy = args.importer == "legacy"
    started = time.perf_counter()
    if not legacy:
        try:
            outcome = _import_with_pipeline(args.url, Path(args.path), mapping)
        except ImportError:
            legacy = True
    if legacy:
        outcome = _import_with_legacy(args.url, Path(args.path), mapping)
    outcome["seconds"] = round(time.perf_counter() - started, 1)
    outcome["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(outcome))


def peak_rss_mb() -> float:
    """This process's own peak resident memory in MiB.

    Linux keeps ru_maxrss across execve, so a child started by a large parent (the benchmark
    after its 20 M-row runs) would report the parent's peak. VmHWM belongs to the process's
    own address space, which exec replaces.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_import(kind: str, rows: int = IMPORT_ROWS) -> dict:
    """Make the file, a fresh scratch database, and time the import in a child process.

    Issue 7's pipeline is used when present; if it loads nothing (a refused file), its
    outcome is kept under ``pipeline`` and the legacy importer is timed as well.
    """
    folder = Path(tempfile.mkdtemp(prefix="chorus-bench-import-"))
    path = folder / "lait_benchmark.csv"
    mapping = write_lait_file(path, rows)
    mapping_path = folder / "mapping.json"
    mapping_path.write_text(json.dumps(mapping))
    outcome = _timed_child(kind, path, mapping_path, "pipeline")
    if not outcome.get("rows") and "error" not in outcome:
        legacy = _timed_child(kind, path, mapping_path, "legacy")
        legacy["pipeline"] = outcome
        outcome = legacy
    outcome["file_rows"] = rows
    outcome["file_mb"] = round(path.stat().st_size / 2**20, 1)
    return outcome


def _timed_child(kind: str, path: Path, mapping_path: Path, importer: str) -> dict:
    url = _scratch_database(kind)
    completed = subprocess.run(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "bench.importbench",
            url,
            str(path),
            str(mapping_path),
            "--importer",
            importer,
        ],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        check=False,
    )
    if completed.returncode != 0:
        return {"error": completed.stderr[-2000:], "importer": importer}
    return json.loads(completed.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    child_main(sys.argv[1:])
