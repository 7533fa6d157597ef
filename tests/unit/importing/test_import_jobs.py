"""Import jobs live in the database: any machine carries them on, and a dead step is seen."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

from data_access.importing import jobs


def test_job001_a_second_machine_gets_the_upload_and_the_checked_files(any_db, tmp_path):
    token = jobs.new_job(any_db, 7, "figures.csv", "upload.csv", b"a,b\n1,2\n")
    first = jobs.job_folder(any_db, tmp_path / "machine-a", token, 7)
    assert first is not None and jobs.upload_path(first).read_bytes() == b"a,b\n1,2\n"
    (first / "prepared").mkdir()
    (first / "prepared" / "summary.json").write_text('{"rows": 1}')
    (first / "prepared" / "chunk_0.pkl").write_bytes(b"\x00\x01")
    jobs.save_files(any_db, token, first, "prepared")
    # Another machine with its own CACHE_DIR sees the same files.
    second = jobs.job_folder(any_db, tmp_path / "machine-b", token, 7)
    assert second is not None and second != first
    assert (second / "prepared" / "summary.json").read_text() == '{"rows": 1}'
    assert (second / "prepared" / "chunk_0.pkl").read_bytes() == b"\x00\x01"
    assert jobs.upload_path(second).name == "upload.csv"
    # A new check replaces the files everywhere, not just where it ran.
    (second / "prepared" / "chunk_0.pkl").unlink()
    (second / "prepared" / "summary.json").write_text('{"rows": 2}')
    jobs.save_files(any_db, token, second, "prepared")
    again = jobs.job_folder(any_db, tmp_path / "machine-a", token, 7)
    assert (again / "prepared" / "summary.json").read_text() == '{"rows": 2}'
    assert not (again / "prepared" / "chunk_0.pkl").exists()


def test_job002_only_the_owner_gets_the_job(any_db, tmp_path):
    token = jobs.new_job(any_db, 7, "figures.csv", "upload.csv", b"x")
    assert jobs.job_folder(any_db, tmp_path, token, 8) is None
    assert jobs.job_folder(any_db, tmp_path, "../../etc", 7) is None
    assert jobs.job_folder(any_db, tmp_path, "0" * 32, 7) is None
    assert jobs.read_status(any_db, token)["stage"] == "uploaded"


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_job003_a_step_whose_process_died_is_stopped_at_once_on_the_same_host():
    here = socket.gethostname()
    running = {"stage": "committing", "host": here, "pid": os.getpid(), "heartbeat": 0}
    assert not jobs.is_stale(running, stale_seconds=30)  # alive, however old the beat
    assert jobs.is_stale({**running, "pid": _dead_pid()}, stale_seconds=30)
    assert not jobs.is_stale({**running, "stage": "committed", "pid": _dead_pid()}, 30)


def test_job004_a_step_on_another_host_is_stopped_when_its_heartbeat_stops():
    now = time.time()
    remote = {"stage": "validating", "host": "elsewhere", "pid": 1, "heartbeat": now - 10}
    assert not jobs.is_stale(remote, stale_seconds=30, now=now)
    assert jobs.is_stale(remote, stale_seconds=30, now=now + 25)


def test_job005_one_step_at_a_time_unless_the_running_one_died(any_db):
    token = jobs.new_job(any_db, 7, "figures.csv", "upload.csv", b"x")
    assert jobs.claim(any_db, token, "committing", "Committing", 30) is None
    refused = jobs.claim(any_db, token, "committing", "Committing", 30)
    assert refused is not None and refused["stage"] == "committing"
    # The running step's process dies: the next claim takes over.
    status = jobs.read_status(any_db, token)
    jobs.write_status(any_db, token, {**status, "pid": _dead_pid()})
    assert jobs.claim(any_db, token, "committing", "Committing", 30) is None
    assert jobs.read_status(any_db, token)["pid"] == os.getpid()


def test_job006_the_heartbeat_moves_while_a_step_runs(any_db):
    token = jobs.new_job(any_db, 7, "figures.csv", "upload.csv", b"x")
    before = jobs.read_status(any_db, token)["heartbeat"]
    jobs.beat(any_db, token)
    assert jobs.read_status(any_db, token)["heartbeat"] >= before


def test_job007_old_jobs_and_their_files_are_removed(any_db):
    token = jobs.new_job(any_db, 7, "figures.csv", "upload.csv", b"x")
    assert jobs.remove_old_jobs(any_db, now=time.time() + jobs.MAX_AGE_SECONDS + 60) >= 1
    assert jobs.read_status(any_db, token) == {}
    assert not jobs.has_file(any_db, token, "upload.csv")
