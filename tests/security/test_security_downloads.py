"""Files leaving Chorus: one writer neutralises formulas in every CSV and XLSX (and nothing
else writes one), and one consent rule decides which quotes a file may carry."""

from __future__ import annotations

import ast
import io
from datetime import date
from pathlib import Path

import pandas as pd
from sqlalchemy import select

from data_access.models import Organisation, VoiceItem

ROOT = Path(__file__).resolve().parents[2]
# The application: what runs for users. bench/ and tools/ write generated test data.
APP_CODE = ["analysis", "api", "auth", "components", "data_access", "pages", "rules"]
APP_FILES = ["app.py", "cli.py", "settings.py"]
WRITER = ROOT / "rules" / "files.py"
FORMULAS = ['=HYPERLINK("http://x","y")', "+SUM(A1)", "-2+3 said mum", "@cmd", "\t=1"]


def _app_sources() -> list[Path]:
    paths = [p for folder in APP_CODE for p in sorted((ROOT / folder).rglob("*.py"))]
    return paths + [ROOT / name for name in APP_FILES if (ROOT / name).exists()]


def _bypasses(path: Path) -> list[str]:
    """Calls and imports that write CSV or XLSX without rules.files."""
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        name = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            attr = node.func.attr
            owner = node.func.value
            if attr in ("to_csv", "to_excel", "send_data_frame", "ExcelWriter"):
                name = attr
            elif attr in ("writer", "DictWriter") and isinstance(owner, ast.Name):
                name = f"{owner.id}.{attr}" if owner.id == "csv" else None
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in ("DictWriter", "Workbook", "ExcelWriter"):
                name = node.func.id
        elif isinstance(node, ast.ImportFrom) and node.module in ("openpyxl", "xlsxwriter"):
            if any(a.name in ("Workbook",) for a in node.names):
                name = f"from {node.module} import Workbook"
        elif isinstance(node, ast.ImportFrom) and node.module == "csv":
            if any(a.name in ("writer", "DictWriter") for a in node.names):
                name = "from csv import writer"
        if name:
            found.append(f"{path.name}:{node.lineno} {name}")
    return found


def test_dl001_every_csv_and_xlsx_is_written_by_the_one_writer():
    offenders = [b for path in _app_sources() if path != WRITER for b in _bypasses(path)]
    assert offenders == []


def test_dl002_the_scan_finds_a_bypass(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text(
        "import csv\nfrom openpyxl import Workbook\n"
        "def f(frame, buffer):\n"
        "    frame.to_csv(buffer)\n    csv.writer(buffer)\n    Workbook()\n"
    )
    assert len(_bypasses(planted)) == 4


def test_dl003_the_writer_neutralises_every_formula_start_in_csv_and_xlsx():
    from openpyxl import load_workbook

    from rules.files import csv_text, xlsx_bytes

    frame = pd.DataFrame({"text": [*FORMULAS, "-5.2", "-", "plain"], "n": range(8)})
    written = pd.read_csv(io.StringIO(csv_text(frame)), keep_default_na=False)
    assert written["text"].tolist() == [*("'" + f for f in FORMULAS), "-5.2", "-", "plain"]
    dict_rows = csv_text([{"text": f} for f in FORMULAS], ["text"])
    assert all(line.startswith(("'", "\"'")) for line in dict_rows.splitlines()[1:])
    sheet = load_workbook(io.BytesIO(xlsx_bytes({"data": frame}))).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert cells[: len(FORMULAS)] == ["'" + f for f in FORMULAS]


def _quotes(db) -> None:  # type: ignore[no-untyped-def]
    with db.write() as s:
        oldham = s.scalar(select(Organisation).where(Organisation.code == "E08000004"))
        for scope, text in (
            ("publication", '=HYPERLINK("http://evil.example","Click")'),
            ("learning_network", "NETWORK-ONLY quote"),
            ("own_organisation", "OWN-ORG-ONLY quote"),
        ):
            s.add(
                VoiceItem(
                    text=text, speaker_role="parent_carer", age_band="adult",
                    area_code="E08000004", organisation_id=oldham.id, service="early_years",
                    method="interview", collected_on=date(2025, 5, 1), consent_scope=scope,
                    consent_date=date(2025, 5, 1), review_date=date(2030, 1, 1),
                    moderation_status="approved",
                )
            )  # fmt: skip


def test_dl004_the_voice_api_csv_is_neutralised_and_publication_only(db, users, login):
    _quotes(db)
    client = login("oldham_analyst")
    text = client.get("/api/v1/voice?format=csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text
    assert ",=HYPERLINK" not in text and '"=HYPERLINK' not in text
    assert "NETWORK-ONLY" not in text and "OWN-ORG-ONLY" not in text
    # The JSON API (on screen, not a file) still serves what the reader may see.
    assert "NETWORK-ONLY" in client.get("/api/v1/voice").get_data(as_text=True)


def test_dl005_the_voice_page_download_is_neutralised_and_publication_only(server, db, users):
    from flask_login import login_user

    from auth.current import CurrentUser
    from data_access.users import user_with_hash
    from pages import voice as page

    _quotes(db)
    with db.read() as s:
        record, _ = user_with_hash(s, users["oldham_analyst"].username)
    with server.test_request_context("/"):
        login_user(CurrentUser(record))
        filters = [None] * len(page.FILTER_INPUTS)
        download = page.download_quotes(1, *filters)
    assert "'=HYPERLINK" in download["content"]
    assert "NETWORK-ONLY" not in download["content"]
    assert "OWN-ORG-ONLY" not in download["content"]


def test_dl006_session_exports_carry_publication_quotes_only():
    from components.ln_export import export_csv, export_html

    quotes = [
        {"text": "PUBLIC", "attribution": "a", "consent_scope": "publication"},
        {"text": "NETWORK-ONLY", "attribution": "b", "consent_scope": "learning_network"},
        {"text": "UNKNOWN", "attribution": "c"},
    ]
    sections = [{"heading": "Voices", "kind": "quotes", "quotes": quotes}]
    files = export_html({"title": "t", "sections": sections}) + export_csv("t", sections)
    assert "PUBLIC" in files
    assert "NETWORK-ONLY" not in files and "UNKNOWN" not in files
