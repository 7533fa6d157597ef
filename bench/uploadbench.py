"""Peak memory of the upload checks on hostile files, each in a fresh child process.

Files: a 304 KB workbook holding one 300 MB cell of repeated text (deflated), a CSV one
byte over a 100 MB limit, and three Parquet files: 300 cells of 1 MB plain-encoded and
compressed (a few KB), the same dictionary-encoded (the footer promises only 1 MB), and a
million short cells with one 25 MB cell, just within the footer's per-column limit.
Each goes through what a web worker does with an upload
(decode to disk with the limit, then the safety checks); the promise is that a worker
never goes above 400 MB, whatever the file.

    python -m bench.uploadbench          # prints one JSON line per file
"""

from __future__ import annotations

import base64
import json
import resource
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

LIMIT_MB = 100
PROMISE_MB = 400


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


def make_big_csv(path: Path) -> None:
    with open(path, "wb") as handle:
        handle.write(b"a,b\n")
        handle.write(b"1,2\n" * ((LIMIT_MB * 1024 * 1024) // 4 + 1))


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
        pa.table({"indicator": pa.array(cells)}),
        one_long,
        compression="zstd",
        use_dictionary=False,
    )
    return [plain, encoded, one_long]


def peak_rss_mb() -> float:
    """This process's peak resident memory. Linux's VmHWM starts afresh at exec, whereas
    ru_maxrss carries the peak of the process that forked the child."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(path: str) -> None:
    """In the child: read the file as an upload arrives, then check it; print peak MB."""
    from data_access.importing.limits import write_base64_limited
    from data_access.importing.safety import FileRejected, inspect_file

    encoded = base64.b64encode(Path(path).read_bytes()).decode()
    target = Path(path).with_suffix(".upload" + Path(path).suffix)
    outcome = "accepted"
    try:
        write_base64_limited(encoded, target, LIMIT_MB * 1024 * 1024)
        inspect_file(target, max_bytes=LIMIT_MB * 1024 * 1024, allow_xlsx=True)
    except FileRejected as exc:
        outcome = f"refused ({exc.code})"
    peak_mb = peak_rss_mb()
    print(json.dumps({"file": Path(path).name, "outcome": outcome, "peak_mb": round(peak_mb)}))


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        bomb, big = Path(folder) / "bomb.xlsx", Path(folder) / "big.csv"
        make_bomb(bomb)
        make_big_csv(big)
        for path in (bomb, big, *make_parquet_bombs(Path(folder))):
            out = subprocess.run(  # noqa: S603 - our own module, our own arguments
                [sys.executable, "-m", "bench.uploadbench", "--child", str(path)],
                capture_output=True,
                text=True,
                check=True,
            )
            result = json.loads(out.stdout.strip().splitlines()[-1])
            result["within_promise"] = result["peak_mb"] <= PROMISE_MB
            print(json.dumps(result))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
