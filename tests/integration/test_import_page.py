"""The Import page and commands on the app database: an unseen EES publication mapped in the
page, a broken file's line-numbered report, leaving and coming back, the CLI.

Observations are shared by the whole test session: these tests write only periods far in
the future (2030 onwards) and roll their batches back at the end.
"""

from __future__ import annotations

import contextlib
import io
import json
from datetime import date
from types import SimpleNamespace

import dash
import pandas as pd
import pytest
from plotly.utils import PlotlyJSONEncoder
from sqlalchemy import select

from data_access.models import ImportBatch, ImportJobFile, Observation

OLDHAM, ROCHDALE = "E08000004", "E08000005"


@contextlib.contextmanager
def logged_in(server, username: str):  # type: ignore[no-untyped-def]
    from flask_login import login_user

    from auth.current import CurrentUser
    from data_access.db import get_database
    from data_access.users import user_with_hash

    with server.test_request_context():
        with get_database().read() as session:
            record, _ = user_with_hash(session, username)
        login_user(CurrentUser(record))
        yield record


def _text(component) -> str:  # type: ignore[no-untyped-def]
    return json.dumps(component, cls=PlotlyJSONEncoder)


def _sent(server, users, text: str | bytes, filename: str, fmt: str) -> dict:  # type: ignore[no-untyped-def]
    """Stream ``text`` to the upload route as oldham_analyst, as the page's script does;
    returns what the script puts in the ``imp-upload`` store (or the refusal)."""
    from urllib.parse import quote

    from flask.testing import FlaskClient

    client = FlaskClient(server, server.response_class, use_cookies=True)
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    user = users["oldham_analyst"]
    login = {"username": user.username, "password": user.password, "csrf_token": token}
    assert client.post("/login", data=login).status_code == 302
    csrf = client.get_cookie("_csrf_token").value  # type: ignore[union-attr]
    response = client.post(
        f"/import/upload?format={fmt}",
        data=text.encode() if isinstance(text, str) else text,
        content_type="application/octet-stream",
        headers={"X-CSRFToken": csrf, "Origin": "http://localhost", "X-Filename": quote(filename)},
    )
    answer = response.get_json()
    return answer if response.status_code == 201 else {"refused": answer["error"]}


def _page() -> SimpleNamespace:
    """The Import page's callbacks, from the modules that declare them."""
    from pages import _import_batches, _import_files, _import_jobs, _import_mapping

    return SimpleNamespace(
        receive_upload=_import_files.receive_upload,
        build_mapping=_import_mapping.build_mapping,
        save_mapping_clicked=_import_mapping.save_mapping_clicked,
        check_file=_import_jobs.check_file,
        commit_import=_import_jobs.commit_import,
        watch_job=_import_jobs.watch_job,
        restore_job=_import_jobs.restore_job,
        download_report=_import_batches.download_report,
        roll_back=_import_batches.roll_back,
    )


def _unseen_publication() -> str:
    """A made-up EES publication: readiness by sex, for two LAs, years 2030/31 and 2031/32."""
    rows = []
    for period in ("203031", "203132"):
        for code, name, total, girls in (
            (OLDHAM, "Oldham", 3000, 1450),
            (ROCHDALE, "Rochdale", 2600, 1300),
        ):
            for group, pupils in (("Total", total), ("Girls", girls), ("Boys", total - girls)):
                ready = round(pupils * 0.6)
                rows.append(
                    f"{period},Academic year,Local authority,E92000001,England,E12000002,"
                    f"North West,,{code},{name},{group},{pupils},{ready},"
                    f"{100 * ready / pupils:.1f}"
                )
    header = (
        "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
        "region_name,old_la_code,new_la_code,la_name,pupil_sex,pupil_number,ready_number,ready_percent"
    )
    return header + "\n" + "\n".join(rows) + "\n"


@pytest.fixture(autouse=True)
def own_batches(db):  # type: ignore[no-untyped-def]
    """Roll back and delete the batches a test makes: observations and import_batches are
    shared by the session, and a batch keeps its organisation (which each test re-creates)."""
    from sqlalchemy import delete, func

    from data_access.importing.commit import RollbackRefused, rollback_batch

    with db.read() as session:
        before = session.scalar(select(func.max(ImportBatch.id))) or 0
    yield
    with db.read() as session:
        made = session.execute(
            select(ImportBatch.id, ImportBatch.status)
            .where(ImportBatch.id > before)
            .order_by(ImportBatch.id.desc())
        ).all()
    for batch_id, status in made:
        if status in ("committed", "partial"):
            with contextlib.suppress(RollbackRefused), db.write() as session:
                rollback_batch(session, batch_id, username="test")
    with db.write() as session:
        session.execute(delete(ImportBatch).where(ImportBatch.id > before))


def _rollback(db, batch_id: int) -> None:  # type: ignore[no-untyped-def]
    from data_access.importing.commit import rollback_batch

    with db.write() as session:
        rollback_batch(session, batch_id, username="test")


def _future_rows(db, indicator: str) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    with db.read() as session:
        rows = session.execute(
            select(Observation.area_code, Observation.period_label, Observation.breakdown_value,
                   Observation.value, Observation.numerator)
            .where(Observation.indicator_id == indicator)
            .where(Observation.period_start >= date(2030, 1, 1))
        ).all()  # fmt: skip
    return pd.DataFrame(rows, columns=["area", "period", "cell", "value", "numerator"])


def test_impp001_viewers_cannot_upload_through_the_callback_route(client, auth, db):
    auth.login("oldham_viewer")
    deps = client.get("/_dash-dependencies").get_json()
    dep = next(d for d in deps if any(i["id"] == "imp-upload" for i in d["inputs"]))
    body = {
        "output": dep["output"],
        "outputs": [{"id": o.split(".")[0], "property": o.split(".")[1].split("@")[0]}
                    for o in dep["output"].strip(".").split("...")],
        "inputs": [{"id": "imp-upload", "property": "data",
                    "value": {"token": "0" * 32, "filename": "a.csv"}}],
        "state": [{"id": s["id"], "property": s["property"], "value": None} for s in dep["state"]],
        "changedPropIds": ["imp-upload.data"],
    }  # fmt: skip
    response = client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 403


def test_impp002_an_unseen_ees_publication_is_mapped_checked_committed_and_rolled_back(
    server, users, db
):
    page = _page()

    with logged_in(server, users["oldham_analyst"].username):
        indicators = ["gld", "comm_lang"]
        out = page.receive_upload(
            _sent(server, users, _unseen_publication(), "readiness.csv", "ees"), "ees", indicators
        )
        job, info, preview, mapping_text, _options, style, table, dropdown, breakdowns, note, _ = (
            out
        )
        assert style == {"display": "block"} and "pupil_sex" in note
        suggested = json.loads(mapping_text)
        assert suggested["breakdown_columns"] == ["pupil_sex"]
        assert {r["combination"]: r["breakdown"] for r in breakdowns} == {
            "Total": "total", "Girls": "sex", "Boys": "sex",
        }  # fmt: skip
        assert table[0]["value"] == "ready_percent" and table[0]["numerator"] == "ready_number"
        # The analyst picks the Chorus indicator and the denominator in the table.
        table[0].update(indicator="gld", denominator="pupil_number")
        mapping_text = page.build_mapping(1, mapping_text, table, breakdowns)
        progress = []
        report = page.check_file(progress.append, 1, job, mapping_text, "ees")
        text = _text(report)
        assert "12 figures ready" in text and "0 with errors" in text
        assert progress[-1][0] == "100"
        saved = page.save_mapping_clicked(1, "Readiness by sex", mapping_text, "ees")
        assert "Saved" in _text(saved)
        result, _batches = page.commit_import(progress.append, 1, job, "valid_only")
    rows = _future_rows(db, "gld")
    assert len(rows) == 12
    girls = rows[
        (rows["area"] == OLDHAM) & (rows["cell"] == "female") & (rows["period"] == "2030/31")
    ]
    assert girls["value"].tolist() == [60.0] and girls["numerator"].tolist() == [870.0]
    with db.read() as session:
        batch = session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()
        batch_id, status, created_by = batch.id, batch.status, batch.created_by
    assert (status, created_by) == ("committed", "oldham.analyst")
    assert f"Batch {batch_id} committed" in _text(result)
    with logged_in(server, users["rochdale_analyst"].username):
        refused, _ = page.roll_back(1, batch_id)
    assert "imported by your organisation" in _text(refused)
    assert len(_future_rows(db, "gld")) == 12
    with logged_in(server, users["oldham_analyst"].username):
        message, _ = page.roll_back(1, batch_id)
    assert "rolled back" in _text(message)
    assert _future_rows(db, "gld").empty


def test_impp003_a_broken_file_gets_a_line_numbered_report_and_nothing_is_written(
    server, users, db
):
    page = _page()

    broken = (
        "indicator,area_code,period,breakdown,breakdown_value,numerator,denominator,value,status\n"
        "eh_assessments_timely,E08000004,Jan 2031,total,total,30,40,,\n"
        "eh_assessments_timely,E08000099,Jan 2031,total,total,30,40,,\n"
        "eh_assessments_timely,E08000004,2031,total,total,30,40,,\n"
        "eh_assessments_timely,E08000004,Feb 2031,total,total,50,40,,\n"
        'eh_assessments_timely,E08000004,Mar 2031,total,total,,,=HYPERLINK("x"),\n'
    )
    with logged_in(server, users["oldham_analyst"].username):
        job = page.receive_upload(
            _sent(server, users, broken, "broken.csv", "template"), "template", []
        )[0]
        page.check_file(lambda _p: None, 1, job, "", "template")
        download = page.download_report(1, job)
        result, _ = page.commit_import(lambda _p: None, 1, job, "all_or_nothing")
        # Leaving the page and coming back shows the last import's state.
        restored, poll_disabled = page.restore_job(job, None)
    report = pd.read_csv(io.StringIO(download["content"]))
    found = set(zip(report["code"], report["line"], strict=True))
    expected = {("unknown_area", 3), ("bad_period", 4), ("formula", 6)}
    expected.add(("numerator_gt_denominator", 5))
    assert expected <= found
    assert {line for _code, line in found} == {3, 4, 5, 6}
    assert "'=HYPERLINK" in download["content"]
    assert "rejected" in _text(result)
    assert "Your last import: broken.csv" in _text(restored)
    assert poll_disabled is True
    assert _future_rows(db, "eh_assessments_timely").empty


def test_impp004_uploads_are_checked_for_safety_before_anything_else(server, users, db):
    refused = _sent(server, users, b"PK\x03\x04junk", "book.csv", "ees")
    assert "Excel workbook" in refused["refused"]


def test_impp005_cli_import_fails_with_the_report_and_succeeds_on_a_good_file(server, db, tmp_path):
    runner = server.test_cli_runner()
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "indicator,area_code,period,breakdown,breakdown_value,numerator,denominator,value,status\n"
        "eh_requests,E08000004,Jan 2032,total,total,,,12,\n"
        "eh_requests,E08000004,Jan 2032,total,total,,,12,\n"
    )
    result = runner.invoke(
        args=["import-data", str(bad), "--format", "template", "--all-or-nothing"]
    )
    assert result.exit_code == 1
    assert "duplicate_row" in result.output and "rejected" in result.output
    good = tmp_path / "good.csv"
    good.write_text(bad.read_text().rsplit("eh_requests", 1)[0].rstrip(",\n") + "\n")
    result = runner.invoke(args=["import-data", str(good), "--format", "template"])
    assert result.exit_code == 0, result.output
    batch_id = int(result.output.split("Batch ")[1].split(":")[0])
    out = tmp_path / "export.csv"
    exported = runner.invoke(
        args=["export-data", "--indicator", "eh_requests", "--area", OLDHAM, "--out", str(out)]
    )
    assert exported.exit_code == 0
    frame = pd.read_csv(out)
    assert frame[frame["period"] == "Jan 2032"]["value"].tolist() == [12.0]
    _rollback(db, batch_id)
    assert _future_rows(db, "eh_requests").empty


@pytest.mark.parametrize("fmt", ["lait", "ees"])
def test_impp006_cli_refuses_bad_mappings_clearly(server, db, tmp_path, fmt):
    runner = server.test_cli_runner()
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n")
    result = runner.invoke(
        args=["import-data", str(path), "--format", fmt, "--mapping", "{not json"]
    )
    assert result.exit_code != 0 and "not valid JSON" in result.output


def _dead_pid() -> int:
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_impp007_a_step_whose_worker_died_is_shown_as_stopped_with_the_buttons_back(
    server, users, db
):
    from data_access.importing import jobs

    page = _page()

    template = (
        "indicator,area_code,period,breakdown,breakdown_value,numerator,denominator,value,status\n"
        f"eh_requests,{OLDHAM},Jan 2033,total,total,,,12,\n"
    )
    with logged_in(server, users["oldham_analyst"].username):
        job = page.receive_upload(
            _sent(server, users, template, "one.csv", "template"), "template", []
        )[0]
        page.check_file(lambda _p: None, 1, job, "", "template")
        # Still running: the watch says nothing and leaves the buttons off.
        status = jobs.read_status(db, job["token"])
        running = {**status, "stage": "committing", **jobs.runner()}
        jobs.write_status(db, job["token"], running)
        assert page.watch_job(1, job) == (dash.no_update,) * 4
        # A second commit while the first runs is refused (one at a time).
        busy, _ = page.commit_import(lambda _p: None, 1, job, "valid_only")
        assert "already being checked or committed" in _text(busy)
        # Its process dies: the watch and a reload both say so; the buttons come back.
        jobs.write_status(db, job["token"], {**running, "pid": _dead_pid()})
        notice, validate_off, commit_off, watch_off = page.watch_job(2, job)
        restored, poll_disabled = page.restore_job(job, None)
        # The retry commits.
        result, _ = page.commit_import(lambda _p: None, 2, job, "valid_only")
    assert "Stopped: nothing was written; try again" in _text(notice)
    assert (validate_off, commit_off, watch_off) == (False, False, True)
    assert "Stopped: nothing was written; try again" in _text(restored) and poll_disabled
    assert "committed" in _text(result)
    batch_id = int(_text(result).split("Batch ")[1].split(" ")[0])
    assert _future_rows(db, "eh_requests")["value"].tolist() == [12.0]
    _rollback(db, batch_id)


def test_impp008_another_user_cannot_watch_or_restore_a_job(server, users, db):
    page = _page()

    template = (
        "indicator,area_code,period,breakdown,breakdown_value,numerator,denominator,value,status\n"
        f"eh_requests,{OLDHAM},Jan 2033,total,total,,,12,\n"
    )
    with logged_in(server, users["oldham_analyst"].username):
        job = page.receive_upload(
            _sent(server, users, template, "one.csv", "template"), "template", []
        )[0]
    with logged_in(server, users["rochdale_analyst"].username):
        assert page.watch_job(1, job) == (dash.no_update,) * 4
        assert page.restore_job(job, None) == ("", True)
        refused = page.check_file(lambda _p: None, 1, job, "", "template")
    assert "Upload a file first" in _text(refused)


def test_impp009_the_cache_warm_up_runs_as_its_own_job_after_the_commit(
    server, users, db, monkeypatch
):
    import data_access.cache
    import pages._panel_support
    import worker

    page = _page()

    started = []
    monkeypatch.setattr(data_access.cache, "describe_cache", lambda: "disk")
    monkeypatch.setattr(worker, "start_cache_warm_up", lambda *args: started.append(args))

    def not_here():  # type: ignore[no-untyped-def]
        raise AssertionError("the commit must not warm the cache itself")

    monkeypatch.setattr(pages._panel_support, "warm_areas_in_use", not_here)
    template = (
        "indicator,area_code,period,breakdown,breakdown_value,numerator,denominator,value,status\n"
        f"eh_requests,{OLDHAM},Feb 2033,total,total,,,13,\n"
    )
    with logged_in(server, users["oldham_analyst"].username):
        job = page.receive_upload(
            _sent(server, users, template, "two.csv", "template"), "template", []
        )[0]
        page.check_file(lambda _p: None, 1, job, "", "template")
        with db.read() as session:
            stored = session.scalars(
                select(ImportJobFile.name).where(ImportJobFile.job_token == job["token"])
            ).all()
        assert any(name.startswith("upload.") for name in stored)
        result, _ = page.commit_import(lambda _p: None, 1, job, "valid_only")
    assert "committed" in _text(result)
    assert len(started) == 1
    # The uploaded file goes with the commit (the status and the report stay).
    with db.read() as session:
        stored = session.scalars(
            select(ImportJobFile.name).where(ImportJobFile.job_token == job["token"])
        ).all()
    assert stored and not any(name.startswith("upload.") for name in stored)
    batch_id = int(_text(result).split("Batch ")[1].split(" ")[0])
    _rollback(db, batch_id)
