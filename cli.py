"""Command-line interface through Flask's: ``flask --app app:server COMMAND``."""

from __future__ import annotations

import os
import sys

import click
from flask import Flask, current_app

from data_access.db import get_database


def _settings():  # type: ignore[no-untyped-def]
    return current_app.extensions["chorus_settings"]


@click.command("init-db")
def init_db_command() -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    from data_access.migrate import upgrade_to_head

    upgrade_to_head(_settings().database_url)
    click.echo("Database is up to date.")


def print_logins(logins) -> None:  # type: ignore[no-untyped-def]
    click.echo("\nDemo logins (shown once; only hashes are stored):")
    click.echo(f"  {'username':<26} {'password':<22} {'role':<13} organisation")
    for login in logins:
        click.echo(
            f"  {login.username:<26} {login.password:<22} {login.role:<13} {login.organisation}"
        )
    click.echo("")


@click.command("seed-demo")
@click.option("--reset", is_flag=True, help="Delete all data first, then load the demo.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
def seed_demo_command(reset: bool, if_empty: bool) -> None:
    """Load the demo: real published figures, illustrative local figures and demo users."""
    from data_access.demo import AlreadySeeded, is_seeded, seed_demo

    db = get_database()
    if if_empty:
        with db.read() as session:
            if is_seeded(session):
                click.echo(
                    "The demo is already loaded. Its passwords were printed when it was "
                    "seeded; run `flask --app app:server seed-demo --reset` for new ones."
                )
                return
    try:
        logins = seed_demo(db, reset=reset)
    except AlreadySeeded as exc:
        raise click.ClickException(str(exc)) from exc
    print_logins(logins)


@click.command("create-user")
@click.argument("username")
@click.option("--org", "org_code", required=True, help="GSS code of the organisation.")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["viewer", "practitioner", "analyst", "admin"]),
)
@click.option("--name", "display_name", default=None, help="Name shown in the app.")
def create_user_command(username: str, org_code: str, role: str, display_name: str | None) -> None:
    """Add a user. The password comes from CHORUS_PASSWORD or a prompt."""
    from auth.passwords import hash_password
    from data_access.users import create_user, find_organisation, write_audit

    password = os.environ.get("CHORUS_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            raise click.ClickException("Set CHORUS_PASSWORD or run in a terminal to be asked.")
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    from auth.policy import password_problems

    problems = password_problems(password, username)
    if problems:
        raise click.ClickException("; ".join(problems))
    with get_database().write() as session:
        org = find_organisation(session, org_code)
        if org is None:
            raise click.ClickException(f"No organisation with code {org_code!r}.")
        try:
            user = create_user(session, username, hash_password(password), org, role, display_name)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        write_audit(
            session,
            "user.create",
            username="cli",
            object_type="user",
            object_id=user.id,
            detail={"username": username, "role": role, "organisation": org_code},
        )
    click.echo(f"Created {role} {username} in {org_code}.")


@click.command("import-data")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--format",
    "fmt",
    required=True,
    type=click.Choice(["ees", "lait", "fingertips", "template"]),
    help="The file's layout.",
)
@click.option(
    "--mapping", default=None, help="Saved or built-in mapping name, JSON, or a .json file."
)
@click.option("--org", "org_code", default=None, help="Organisation whose saved mappings to use.")
@click.option(
    "--commit-valid-only/--all-or-nothing",
    "valid_only",
    default=True,
    help="Commit the valid rows even if others have errors (default), or nothing at all.",
)
@click.option("--report", "report_path", default=None, help="Write the problem report (CSV) here.")
def import_data_command(
    file: str,
    fmt: str,
    mapping: str | None,
    org_code: str | None,
    valid_only: bool,
    report_path: str | None,
) -> None:
    """Validate and import FILE; exits non-zero with the report when anything was wrong."""
    from data_access.importing.commit import ALL_OR_NOTHING, VALID_ONLY
    from data_access.importing.mappings import resolve_mapping_argument
    from data_access.importing.service import import_file
    from data_access.users import find_organisation

    db = get_database()
    with db.read() as session:
        org = find_organisation(session, org_code) if org_code else None
        try:
            config, name = resolve_mapping_argument(session, mapping, org.id if org else None)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
    if fmt == "ees" and config is None:
        raise click.ClickException("EES files need --mapping (a saved name, JSON or .json file).")
    prepared, result = import_file(
        db,
        file,
        fmt,
        config,
        VALID_ONLY if valid_only else ALL_OR_NOTHING,
        mapping_name=name,
        created_by="cli",
        max_bytes=_settings().import_max_mb * 1024 * 1024,
    )
    summary = prepared.summary()
    click.echo(
        f"Batch {result.batch_id}: {result.status}. Rows read {summary['rows_read']:,}; "
        f"figures valid {summary['rows_valid']:,}, rejected {summary['rows_rejected']:,}, "
        f"skipped {summary['rows_skipped']:,}; new {result.rows_inserted:,}, "
        f"revised {result.rows_changed:,}, unchanged {result.rows_unchanged:,}."
    )
    for note in prepared.notes:
        click.echo(f"Note: {note}")
    if report_path:
        with open(report_path, "w", encoding="utf-8", newline="") as handle:
            handle.write(prepared.problems.to_csv())
    if prepared.problems.counts:
        click.echo(prepared.problems.grouped().to_string(index=False))
    if prepared.problems.has_errors or result.status == "rejected":
        click.echo(prepared.problems.to_frame().head(50).to_string(index=False), err=True)
        raise SystemExit(1)


@click.command("export-data")
@click.option("--indicator", required=True, help="Indicator id, e.g. gld.")
@click.option(
    "--area", "areas", multiple=True, help="Area code (repeat for several); all if omitted."
)
@click.option("--out", "out_path", required=True, help="CSV or .xlsx file to write.")
def export_data_command(indicator: str, areas: tuple[str, ...], out_path: str) -> None:
    """Export an indicator in the Chorus template layout (formula injection neutralised)."""
    from data_access.importing.export import export_csv, export_frame, export_xlsx

    with get_database().read() as session:
        frame = export_frame(session, indicator, list(areas) or None)
    if frame.empty:
        raise click.ClickException(f"No observations for {indicator!r}.")
    if out_path.endswith(".xlsx"):
        with open(out_path, "wb") as handle:
            handle.write(export_xlsx(frame))
    else:
        with open(out_path, "w", encoding="utf-8", newline="") as handle:
            handle.write(export_csv(frame))
    click.echo(f"Wrote {len(frame):,} rows to {out_path}.")


def register_commands(server: Flask) -> None:
    """Attach every command to the Flask CLI."""
    for command in (
        init_db_command,
        seed_demo_command,
        create_user_command,
        import_data_command,
        export_data_command,
    ):
        server.cli.add_command(command)
