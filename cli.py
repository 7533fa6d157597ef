"""Command-line interface through Flask's: ``flask --app app:server COMMAND``."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from data_access.db import Session, get_database
from settings import Settings

if TYPE_CHECKING:
    from data_access.demo import DemoLogin
    from data_access.importing.commit import CommitResult


def _settings() -> Settings:
    return current_app.extensions["chorus_settings"]


@click.command("init-db")
def init_db_command() -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    from data_access.migrate import upgrade_to_head

    upgrade_to_head(_settings().database_url)
    click.echo("Database is up to date.")


def print_logins(logins: Sequence[DemoLogin]) -> None:
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
    from auth.passwords import generate_password, hash_password
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
        logins = seed_demo(
            db,
            hash_password=hash_password,
            generate_password=generate_password,
            reset=reset,
            progress=lambda text: click.echo(f"  {text}..."),
        )
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
    default=None,
    type=click.Choice(["ees", "lait", "fingertips", "template"]),
    help="The file's layout (an EES file with its .meta.csv beside it needs none).",
)
@click.option(
    "--mapping", default=None, help="Saved or built-in mapping name, JSON, or a .json file."
)
@click.option(
    "--org",
    "org_code",
    default=None,
    help="Organisation importing: its saved mappings; it may write local figures of its area only.",
)
@click.option(
    "--commit-valid-only/--all-or-nothing",
    "valid_only",
    default=True,
    help="Commit the valid rows even if others have errors (default), or nothing at all.",
)
@click.option("--report", "report_path", default=None, help="Write the problem report (CSV) here.")
@click.option(
    "--source",
    default=None,
    help="Where the figures come from (default: EES, LAIT, Fingertips or Local by format); "
    "conflicts between sources are settled by set-precedence.",
)
@click.option("--release", default=None, help="The publication's release, recorded with the batch.")
@click.option(
    "--create-indicators",
    is_flag=True,
    default=False,
    help="EES without --mapping: create the indicators the catalogue lacks from the file's "
    "metadata (unpublished until an admin publishes them).",
)
@click.option(
    "--polarity",
    default=None,
    type=click.Choice(["high_is_good", "low_is_good", "no_judgement"]),
    help="Polarity of the indicators --create-indicators creates (default no_judgement).",
)
@click.option(
    "--service-area",
    default=None,
    type=click.Choice(["early_years", "early_help", "care_leavers", "spend"]),
    help="Service area of the indicators --create-indicators creates (default: guessed).",
)
@with_appcontext
@click.option(
    "--warm/--no-warm",
    default=True,
    help="After new or revised figures, render the default panels of the authorities in use "
    "into the cache (see warm-cache).",
)
def import_data_command(
    file: str,
    fmt: str,
    mapping: str | None,
    org_code: str | None,
    valid_only: bool,
    report_path: str | None,
    warm: bool,
    source: str | None = None,
    release: str | None = None,
    create_indicators: bool = False,
    polarity: str | None = None,
    service_area: str | None = None,
) -> None:
    """Validate and import FILE; exits non-zero with the report when anything was wrong.

    An EES file needs no hand-written mapping: the mapping saved for the publication's last
    edition is used, else one is proposed from its .meta.csv (or its column names) and
    saved for the next edition.
    """
    from data_access.importing.commit import ALL_OR_NOTHING, VALID_ONLY
    from data_access.importing.mappings import resolve_mapping_argument
    from data_access.importing.service import import_file
    from data_access.users import find_organisation

    db = get_database()
    with db.read() as session:
        org = find_organisation(session, org_code) if org_code else None
        owner = org.code if org else None  # read while the session is open
        try:
            config, name = resolve_mapping_argument(session, mapping, org.id if org else None)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
    if fmt is None:
        fmt = _format_of(file)
    if fmt == "ees" and config is None:
        config, name = _ees_mapping(
            file, org.id if org else None, create_indicators, polarity, service_area
        )
    prepared, result = import_file(
        db,
        file,
        fmt,
        config,
        VALID_ONLY if valid_only else ALL_OR_NOTHING,
        mapping_name=name,
        created_by="cli",
        max_bytes=_settings().import_max_mb * 1024 * 1024,
        organisation_code=owner,
        source=source,
        release=release,
    )
    summary = prepared.summary()
    click.echo(
        f"Batch {result.batch_id}: {result.status}. Rows read {summary['rows_read']:,}; "
        f"figures valid {summary['rows_valid']:,}, rejected {summary['rows_rejected']:,}, "
        f"skipped {summary['rows_skipped']:,}; new {result.rows_inserted:,}, "
        f"revised {result.rows_changed:,}, unchanged {result.rows_unchanged:,}."
    )
    click.echo(result.summary_text())
    if result.rows_confirmed or result.rows_conflicting:
        click.echo(f"Source {result.source}:{_provenance_line(result)}")
    for conflict in result.conflicts[:50]:
        click.echo(f"Conflict: {conflict['message']}")
    for note in prepared.notes:
        click.echo(f"Note: {note}")
    if warm and result.rows_inserted + result.rows_changed:
        _warm_cache()
    if report_path:
        with open(report_path, "w", encoding="utf-8", newline="") as handle:
            handle.write(prepared.problems.csv_report())
    if prepared.problems.counts:
        click.echo(prepared.problems.grouped().to_string(index=False))
    if prepared.problems.has_errors or result.status == "rejected":
        click.echo(prepared.problems.to_frame().head(50).to_string(index=False), err=True)
        raise SystemExit(1)


def _format_of(file: str) -> str:
    from data_access.importing.ees_meta import meta_path_for

    if meta_path_for(Path(file)) is not None:
        return "ees"
    raise click.ClickException("Give --format (ees, lait, fingertips or template).")


def _ees_mapping(
    file: str,
    organisation_id: int | None,
    create: bool,
    polarity: str | None,
    service_area: str | None,
) -> tuple[dict, str]:
    """The mapping for an EES file given no --mapping (data_access.importing.ees_meta)."""
    from data_access.importing.ees_meta import ees_mapping_for_file
    from data_access.importing.safety import FileRejected

    with get_database().write() as session:
        try:
            found = ees_mapping_for_file(
                session,
                Path(file),
                organisation_id=organisation_id,
                create_indicators=create,
                added_by="cli",
                polarity=polarity,
                service_area=service_area,
            )
        except (ValueError, FileRejected) as exc:
            raise click.ClickException(str(exc)) from exc
    if found.reused:
        click.echo(f"Using the mapping saved for this publication: {found.name}.")
        return found.mapping, found.name
    proposal = found.proposal
    if proposal is not None:
        basis = "metadata" if proposal.source == "meta" else "column names"
        click.echo(
            f"Mapping proposed from the file's {basis}, saved as {found.name!r} for the next "
            "edition:"
        )
        table = proposal.indicator_table()[
            ["indicator", "title", "unit", "value", "numerator", "denominator"]
        ]
        click.echo(table.to_string(index=False))
        for note in proposal.notes:
            click.echo(f"Note: {note}")
    for ident in found.created:
        click.echo(
            f"Created indicator {ident} (unpublished until an admin runs publish-indicator)."
        )
    return found.mapping, found.name


def _provenance_line(result: CommitResult) -> str:
    from data_access.importing.commit import _provenance_message

    return _provenance_message(result)


@click.command("set-precedence")
@click.argument("indicator")
@click.argument("sources", nargs=-1)
@with_appcontext
def set_precedence_command(indicator: str, sources: tuple[str, ...]) -> None:
    """Set which source's figure INDICATOR keeps when sources disagree, first first.

    For example `set-precedence cin_rereferral EES LAIT`; with no SOURCES, clears it (the
    stored figure then stays and conflicts are only reported).
    """
    from data_access.importing.provenance import set_precedence
    from data_access.users import write_audit

    db = get_database()
    with db.write() as session:
        try:
            ordered = set_precedence(session, indicator, list(sources), set_by="cli")
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        write_audit(
            session,
            "data.precedence",
            username="cli",
            object_type="indicator",
            object_id=indicator,
            detail={"sources": ordered},
        )
    if ordered:
        click.echo(f"{indicator}: {' over '.join(ordered)}.")
    else:
        click.echo(f"{indicator}: no precedence; conflicts keep the stored figure.")


def _warm_cache() -> None:
    import time

    from data_access.views import warm_areas_in_use

    started = time.perf_counter()
    with get_database().read() as session:
        warmed = warm_areas_in_use(session, _settings().disclosure_threshold)
    if warmed is None:
        click.echo("The cache is off (CHORUS_CACHE=off): nothing to warm.")
        return
    panels, areas, maps = warmed
    click.echo(
        f"Cache warmed: {panels:,} panel views for {areas} authorities and the Explore maps of "
        f"{maps} indicators in {time.perf_counter() - started:.1f} s."
    )


@click.command("warm-cache")
@with_appcontext
def warm_cache_command() -> None:
    """Render the default service-page panels of every authority with active users and every
    indicator's Explore map into the cache, so the first visit after an import is as fast
    as the next."""
    _warm_cache()


@click.command("export-data")
@click.option("--indicator", required=True, help="Indicator id, e.g. gld.")
@click.option(
    "--area", "areas", multiple=True, help="Area code (repeat for several); all if omitted."
)
@click.option("--out", "out_path", required=True, help="CSV or .xlsx file to write.")
@with_appcontext
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


def _user_id(session: Session, username: str) -> int:
    from data_access.users import user_by_username

    record = user_by_username(session, username)
    if record is None:
        raise click.ClickException(f"No user called {username!r}.")
    return record.id


@click.command("deactivate-user")
@click.argument("username")
@click.option("--reactivate", is_flag=True, help="Let a deactivated user sign in again.")
def deactivate_user_command(username: str, reactivate: bool) -> None:
    """Stop a user signing in; their open sessions end at once."""
    from auth.admin import set_user_active

    with get_database().write() as session:
        set_user_active(session, None, _user_id(session, username), reactivate)
    click.echo(f"{username} is now {'active' if reactivate else 'deactivated'}.")


@click.command("reset-password")
@click.argument("username")
def reset_password_command(username: str) -> None:
    """Give a user a new password (CHORUS_PASSWORD, or a generated one printed once)."""
    from auth.admin import AdminError, reset_password

    given = os.environ.get("CHORUS_PASSWORD") or None
    with get_database().write() as session:
        try:
            password = reset_password(session, None, _user_id(session, username), given)
        except AdminError as exc:
            raise click.ClickException(str(exc)) from exc
    if given:
        click.echo(f"Password for {username} changed; their sessions have ended.")
    else:
        click.echo(f"New password for {username} (shown once): {password}")


@click.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice(["viewer", "practitioner", "analyst", "admin"]))
def set_role_command(username: str, role: str) -> None:
    """Change a user's role; their sessions end so the new role applies at once."""
    from auth.admin import change_role

    with get_database().write() as session:
        change_role(session, None, _user_id(session, username), role)
    click.echo(f"{username} is now {role}.")


@click.command("apply-retention")
@click.option("--audit-days", type=int, default=None, help="Override CHORUS_AUDIT_RETENTION_DAYS.")
@click.option(
    "--voice-days-past-review",
    type=int,
    default=None,
    help="Override CHORUS_VOICE_RETENTION_DAYS_PAST_REVIEW.",
)
@with_appcontext
def apply_retention_command(audit_days: int | None, voice_days_past_review: int | None) -> None:
    """Delete audit events and voice items past the retention periods (run it daily)."""
    from data_access.audit import purge_audit_events, purge_voice_past_review
    from data_access.users import write_audit

    settings = _settings()
    audit_days = audit_days or settings.audit_retention_days
    voice_days = (
        settings.voice_retention_days_past_review
        if voice_days_past_review is None
        else voice_days_past_review
    )
    with get_database().write() as session:
        voice = purge_voice_past_review(session, voice_days)
        audit = purge_audit_events(session, audit_days)
        write_audit(
            session,
            "retention.apply",
            username="cli",
            detail={"audit_deleted": audit, "voice_deleted": voice, "audit_days": audit_days},
        )
    click.echo(
        f"Deleted {audit} audit events older than {audit_days} days and "
        f"{voice} voice items more than {voice_days} days past review."
    )


@click.command("import-journeys")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--area", "area_code", default=None, help="GSS code, if the file has no area_code.")
@click.option("--journey", default="early_help", show_default=True, help="Journey name.")
def import_journeys_command(path: str, area_code: str | None, journey: str) -> None:
    """Load journey counts (cohort, step, next_step, breakdown, breakdown_value, count)."""
    from data_access.importing.journeys import JourneyImportError
    from data_access.journeys import import_journey_file

    refused: JourneyImportError | None = None
    with get_database().write() as session:
        try:
            loaded = import_journey_file(session, path, area_code, journey, username="cli")
        except JourneyImportError as exc:
            refused = exc  # the refused batch and its audit event are still recorded
    if refused is not None:
        for problem in refused.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(
            f"Refused: {len(refused.problems)} problem(s); nothing was loaded."
        )
    click.echo(f"Loaded {loaded} journey count rows.")


@click.command("add-indicator")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def add_indicator_command(file: str) -> None:
    """Add the indicators in FILE (CSV or JSON) to the catalogue, unpublished.

    Fields: id, title, definition, unit (percent, rate, count, days, gbp, gbp_per_child) and
    base (for a rate: 1000, 10000 or 100000), polarity (default no_judgement), frequency,
    service_area, source, denominator_counts_people (yes or no). Nothing is added if any
    row has a problem. An admin publishes each with publish-indicator.
    """
    from sqlalchemy import select

    from data_access.indicator_admin import (
        IndicatorProblem,
        add_indicators,
        check_new_indicators,
        read_indicator_file,
    )
    from data_access.models import Indicator

    with get_database().write() as session:
        try:
            rows = check_new_indicators(
                read_indicator_file(Path(file)), set(session.scalars(select(Indicator.id)))
            )
        except IndicatorProblem as exc:
            for problem in exc.problems:
                click.echo(problem, err=True)
            raise click.ClickException(f"Nothing added: {len(exc.problems)} problem(s).") from exc
        except ValueError as exc:
            raise click.ClickException(f"Nothing added: {exc}") from exc
        added = add_indicators(session, rows, added_by="cli")
    for ident in added:
        click.echo(f"Added {ident} (unpublished: an admin publishes it with publish-indicator).")


@click.command("publish-indicator")
@click.argument("indicator")
@with_appcontext
def publish_indicator_command(indicator: str) -> None:
    """Publish INDICATOR: every authority sees it from now on (audited)."""
    from data_access.indicator_admin import publish_indicator

    with get_database().write() as session:
        if not publish_indicator(session, indicator, by="cli"):
            raise click.ClickException(f"No indicator {indicator!r} in the catalogue.")
    click.echo(f"Published {indicator}.")


def register_commands(server: Flask) -> None:
    """Attach every command to the Flask CLI."""
    for command in (
        init_db_command,
        seed_demo_command,
        create_user_command,
        import_data_command,
        export_data_command,
        deactivate_user_command,
        reset_password_command,
        set_role_command,
        apply_retention_command,
        import_journeys_command,
        warm_cache_command,
        set_precedence_command,
        add_indicator_command,
        publish_indicator_command,
    ):
        server.cli.add_command(command)
