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


def register_commands(server: Flask) -> None:
    """Attach every command to the Flask CLI."""
    for command in (init_db_command, seed_demo_command, create_user_command):
        server.cli.add_command(command)
