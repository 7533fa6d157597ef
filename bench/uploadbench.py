"""Peak memory of a real gunicorn worker taking uploads through the Import page's route.

A production-mode gunicorn (two workers, two threads each, SQLite) on a scratch database;
one analyst signs in through the form and sends each file as the page's script does
(``POST /import/upload``, the raw body streamed from disk), then hands the answer's token
to the page's ``receive_upload`` callback (which reads the file back from the job and
shows its preview). Before each file every worker's peak resident memory is reset
(``/proc/<pid>/clear_refs``), so each line gives the peak for that file alone: the largest
VmHWM of the two workers, next to their resident memory before it (the baseline) and the
load average. The promise: a worker never goes above 400 MB, whatever the file.

Files: CSVs of 1 MB, 50 MB and 101 MB (101,000,000 bytes, within the 100 MiB limit), one
over the limit (refused while it streams), a 304 KB workbook holding one 300 MB cell of
repeated text, and three Parquet files whose footers or cells promise far more than they
hold (300 cells of 1 MB plain-encoded, the same dictionary-encoded, and a million short
cells with one 25 MB cell).

    python -m bench.uploadbench          # prints one JSON line per file, then a summary
    python -m bench.uploadbench --json bench/results/uploads.json
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

LIMIT_MB = 100  # CHORUS_IMPORT_MAX_MB's default
PROMISE_MB = 400
HEADER = (
    b"indicator,area_code,period,breakdown,breakdown_value,numerator,denominator,value,status\n"
)


def make_csv(path: Path, size: int) -> None:
    """A Chorus template CSV of exactly ``size`` bytes (one figure a row)."""
    row = b"eh_requests,E08000004,Jan 2041,total,total,,,101,\n"
    with open(path, "wb") as handle:
        handle.write(HEADER)
        left = size - len(HEADER)
        block = row * (1024 * 1024 // len(row))
        while left >= len(block):
            handle.write(block)
            left -= len(block)
        handle.write(row * (left // len(row)))
        handle.write(b"\n" * (left % len(row)))


def make_bomb(path: Path, cell_bytes: int = 300 * 1024 * 1024) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/sharedStrings.xml", "w") as member:
            member.write(b"<sst><si><t>")
            block = b"A" * (1024 * 1024)
            for _ in range(cell_bytes // len(block)):
                member.write(block)
            member.write(b"</t></si></sst>")


def make_parquet_bombs(folder: Path) -> list[Path]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    repeated = pa.table({"indicator": pa.array(["A" * 1_000_000] * 300)})
    plain, encoded, one_long = (
        folder / "plain.parquet",
        folder / "dictionary.parquet",
        folder / "one_long_cell.parquet",
    )
    pq.write_table(repeated, plain, compression="zstd", use_dictionary=False)
    pq.write_table(repeated, encoded, compression="zstd")
    cells = ["x"] * 1_000_000
    cells[5] = "A" * 25_000_000
    pq.write_table(
        pa.table({"indicator": pa.array(cells)}), one_long, compression="zstd", use_dictionary=False
    )
    return [plain, encoded, one_long]


def make_files(folder: Path) -> list[tuple[Path, bool]]:
    """(file, sent chunked): the over-limit CSV goes twice, with and without a length."""
    limit = LIMIT_MB * 1024 * 1024
    files = []
    for name, size in (
        ("csv_1mb.csv", 1_000_000),
        ("csv_50mb.csv", 50_000_000),
        ("csv_101mb.csv", 101_000_000),
        ("csv_over_limit.csv", limit + 1024 * 1024),
    ):
        make_csv(folder / name, size)
        files.append((folder / name, False))
    files.append((folder / "csv_over_limit.csv", True))
    make_bomb(folder / "bomb.xlsx")
    hostile = [folder / "bomb.xlsx", *make_parquet_bombs(folder)]
    return files + [(path, False) for path in hostile]


# --- the worker's memory ---------------------------------------------------------------------


def _status_kb(pid: int, field: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def peak_rss_mb() -> float:
    """This process's peak resident memory (tests measure a check in a child with it).
    Linux's VmHWM starts afresh at exec, whereas ru_maxrss carries the peak of the process
    that forked the child."""
    peak = _status_kb(os.getpid(), "VmHWM")
    if peak is not None:
        return peak / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peaks(pids: list[int]) -> bool:
    """Start each worker's VmHWM afresh (Linux: ``5`` to clear_refs); False if refused."""
    done = True
    for pid in pids:
        try:
            Path(f"/proc/{pid}/clear_refs").write_text("5")
        except OSError:
            done = False
    return done


class Sampler:
    """Polls the workers' resident memory every 20 ms (a check on VmHWM's figure)."""

    def __init__(self, pids: list[int]) -> None:
        self.pids, self.peak_kb, self._stop = pids, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            for pid in self.pids:
                self.peak_kb = max(self.peak_kb, _status_kb(pid, "VmRSS") or 0)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


# --- the page, as the browser drives it ------------------------------------------------------


def receive_body(dependencies: list[dict], upload: dict) -> dict:
    """The callback request the page sends when its script puts ``upload`` in the store."""
    dependency = next(
        d
        for d in dependencies
        if any(i["id"] == "imp-upload" for i in d["inputs"]) and "imp-job.data" in d["output"]
    )
    outputs = []
    for spec in dependency["output"].strip(".").split("..."):
        ident, prop = spec.split(".", 1)
        outputs.append({"id": ident, "property": prop.split("@")[0]})
    state = {"imp-format": "template", "imp-indicators": []}
    return {
        "output": dependency["output"],
        "outputs": outputs,
        "inputs": [{"id": "imp-upload", "property": "data", "value": upload}],
        "state": [
            {"id": s["id"], "property": s["property"], "value": state.get(s["id"])}
            for s in dependency["state"]
        ],
        "changedPropIds": ["imp-upload.data"],
    }


def scratch_database(folder: Path) -> str:
    from data_access.db import Database
    from data_access.demo import load_reference_data
    from data_access.migrate import upgrade_to_head

    url = f"sqlite:///{folder / 'uploads.db'}"
    upgrade_to_head(url)
    database = Database(url)
    with database.write() as session:
        load_reference_data(session)
    database.dispose()
    return url


def measure(folder: Path) -> list[dict[str, Any]]:
    import requests

    from bench.harness import Client, create_bench_users, gunicorn

    url = scratch_database(folder)
    user = create_bench_users(url, 1, "analyst")[0]
    files = make_files(folder)
    results = []
    with gunicorn(url, workers=2, threads=2, cache="off") as server:
        client = Client(server.base_url, user)
        for _ in range(6):  # both workers load the page's modules before the first file
            client.get("/import")
            client.get("/_dash-layout")
        dependencies = client.get("/_dash-dependencies")[1].json()
        pids = server.worker_pids()
        for path, chunked in files:
            before = [(_status_kb(pid, "VmRSS") or 0) / 1024 for pid in pids]
            # A fresh connection for each file: the server closes one whose body it refused
            # part-way (the chunked over-limit file), and a POST is not retried.
            client.session.close()
            reset = reset_peaks(pids)
            started = time.perf_counter()
            status: int | str
            with Sampler(pids) as sampler:
                preview, body = None, {}
                try:
                    sent = client.upload(path, path.name, chunked=chunked)
                    status = sent.status_code
                    if "json" in sent.headers.get("Content-Type", ""):
                        body = sent.json()
                except requests.ConnectionError:
                    # The server answered 413 and closed while the client was still sending.
                    status = "closed while sending"
                if status == 201:
                    _, answer = client.callback(receive_body(dependencies, body), "/import")
                    preview = answer.status_code
            seconds = time.perf_counter() - started
            peaks = [(_status_kb(pid, "VmHWM") or 0) / 1024 for pid in pids]
            peak = max(peaks) if reset else sampler.peak_kb / 1024
            # The worker that took the file is the one whose peak rose most above its start.
            rise = max(p - b for p, b in zip(peaks, before, strict=True)) if reset else None
            results.append(
                {
                    "file": path.name + (" (chunked)" if chunked else ""),
                    "size_mb": round(path.stat().st_size / 1_000_000, 1),
                    "status": status,
                    "outcome": "kept" if status == 201 else str(body.get("error", ""))[:90],
                    "preview_status": preview,
                    "seconds": round(seconds, 1),
                    "workers_before_mb": [round(b) for b in before],
                    "workers_peak_mb": [round(p) for p in peaks],
                    "peak_mb": round(peak),
                    "largest_rise_mb": None if rise is None else round(rise),
                    "sampled_peak_mb": round(sampler.peak_kb / 1024),
                    "peak_from": "VmHWM" if reset else "sampled VmRSS",
                    "load_average": [round(x, 2) for x in os.getloadavg()],
                    "within_promise": peak <= PROMISE_MB,
                }
            )
            print(json.dumps(results[-1]), flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="chorus-uploadbench-") as folder:
        results = measure(Path(folder))
    summary = {
        "promise_mb": PROMISE_MB,
        "worst_peak_mb": max(r["peak_mb"] for r in results),
        "all_within_promise": all(r["within_promise"] for r in results),
        "cpus": os.cpu_count(),
    }
    print(json.dumps(summary))
    if args.json:
        args.json.write_text(json.dumps({"results": results, "summary": summary}, indent=2))


if __name__ == "__main__":
    main()
