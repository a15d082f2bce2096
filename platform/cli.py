"""The `milepost` command: Flask's CLI group bound to create_app, plus our own commands."""
from __future__ import annotations

import logging
import sys
from typing import NoReturn

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from milepost.core.errors import DomainError
from milepost.extensions import db


def _create_app() -> Flask:
    from milepost.app import create_app
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Milepost: micro-credentials for educator professional learning."""


def refuse(exc: DomainError) -> NoReturn:
    """End a command whose work was refused: roll back, say why on stderr, each problem on its own line, exit 1."""
    db.session.rollback()
    click.echo(exc.message, err=True)
    for problem in exc.problems:
        click.echo(f"  {problem}", err=True)
    sys.exit(1)


def register(app: Flask) -> None:
    for command in (create_user, import_roster, seed_demo, backup, restore, export):
        app.cli.add_command(command)


@click.group("export")
def export() -> None:
    """Reports and records as files: `milepost export <what> ... > file.csv`.

    Features add their subcommands to this group (reports: credit-hours)."""


@click.command("create-user")
@click.option("--email", prompt=True)
@click.option("--name", "display_name", prompt="Name")
@click.option("--role", "roles", multiple=True, default=["teacher"], show_default=True,
              help="teacher, coach, pd_admin, leader or site_admin; repeat for several.")
@click.option("--school", default="", help="Name of an existing school.")
@click.password_option(help="At least 10 characters.")
@with_appcontext
def create_user(email: str, display_name: str, roles: tuple[str, ...], school: str, password: str) -> None:
    """Add a person who can sign in straight away."""
    from milepost.accounts.models import School
    from milepost.accounts.services import save_user

    school_row = None
    if school:
        school_row = db.session.scalar(db.select(School).filter_by(name=school))
        if school_row is None:
            raise click.ClickException(f"No school is called {school!r}.")
    try:
        user = save_user(db.session, None, actor=None, email=email, display_name=display_name,
                         roles=list(roles), school=school_row, plcs=[], password=password)
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"Created {user.email} ({', '.join(sorted(user.roles))}).")


@click.command("import-roster")
@click.argument("file", type=click.File("rb"))
@click.option("--no-invite", is_flag=True, help="Do not email new people a link to choose a password.")
@with_appcontext
def import_roster(file, no_invite: bool) -> None:
    """Import people from a CSV roster (name,email,school,roles,plcs): all rows or none."""
    from milepost.accounts.admin import invite_new_people
    from milepost.accounts.roster import import_roster as run_import

    try:
        result = run_import(db.session, file.read())
    except DomainError as exc:
        refuse(exc)
    if no_invite:
        db.session.commit()
    else:
        invite_new_people(result.created)
    click.echo(f"{len(result.created)} added, {len(result.updated)} updated, {result.unchanged} unchanged.")
    for name in result.schools_created:
        click.echo(f"New school: {name}")
    for name in result.plcs_created:
        click.echo(f"New PLC: {name}")


@click.command("seed-demo")
@click.option("--scale", default=None, metavar="large|N",
              help="Then add a generated district for benchmarks: 'large' (10,000 teachers) or N teachers.")
@with_appcontext
def seed_demo(scale: str | None) -> None:
    """Fill the database with a demo district (safe to run again)."""
    from milepost.demo import seed

    teachers = None
    if scale is not None:
        from milepost.demo_large import parse_scale
        teachers = parse_scale(scale)
    # The demo's history sends a hundred or so mails through the outbox: say so once, not line by line.
    delivery_log = logging.getLogger("milepost.notifications.delivery")
    level = delivery_log.level
    delivery_log.setLevel(max(level, logging.WARNING))
    try:
        logins = seed(db.session)
        db.session.commit()
    finally:
        delivery_log.setLevel(level)
    outbox = current_app.config.get("OUTBOX_PATH")
    if outbox and not current_app.config.get("SMTP_URL"):
        click.echo(f"Mail the demo sent is in {outbox} (one .eml file a message).")
    click.echo("The demo district is ready. Sign in with any of these (password: "
               f"{logins['password']}):")
    for role, email in logins["people"]:
        click.echo(f"  {role:<22} {email}")
    for line in logins.get("notes", []):
        click.echo(line)
    if teachers is not None:
        from milepost import demo_large

        result = demo_large.generate(teachers)
        click.echo(f"Generated {teachers:,} teachers in {result['timings']['total']:.1f} s "
                   f"({', '.join(f'{k} {v:.1f} s' for k, v in result['timings'].items() if k != 'total')}); "
                   f"they sign in as teacher000001@{demo_large.EMAIL_DOMAIN} ... with the same password.")
        for table, n in demo_large.counts().items():
            click.echo(f"  {table:<16} {n:>9,}")


def _folders(app: Flask):
    """The instance folder, plus the upload folder when it lives elsewhere (a shared volume)."""
    from pathlib import Path

    instance, uploads = Path(app.instance_path), Path(app.config["UPLOAD_PATH"])
    extra = [] if instance in uploads.resolve().parents or uploads.resolve() == instance else [uploads]
    return instance, extra


@click.command("backup")
@click.argument("target", required=False, type=click.Path(dir_okay=False))
@with_appcontext
def backup(target: str | None) -> None:
    """Write a consistent archive of the database, uploaded files and keys (safe while running)."""
    from datetime import datetime, timezone
    from pathlib import Path

    from flask import current_app

    from milepost.core import audit
    from milepost.core.backup import create_backup

    instance, extra = _folders(current_app)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = Path(target) if target else instance / "backups" / f"milepost-{stamp}.tar.gz"
    manifest = create_backup(db.engine, db.metadata, instance, path, extra_folders=extra)
    audit.record(db.session, "backup.created", path=str(path), rows=sum(manifest["tables"].values()))
    db.session.commit()
    click.echo(f"Backup written to {path}: {sum(manifest['tables'].values())} rows in "
               f"{len(manifest['tables'])} tables, {len(manifest['files'])} files.")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def restore(archive: str) -> None:
    """Restore a backup into this instance, whose database must be empty (a new instance)."""
    import json
    import tarfile
    from pathlib import Path

    from flask import current_app
    from flask_migrate import upgrade

    from milepost.core.backup import RestoreRefused, restore_backup

    from alembic.script import ScriptDirectory

    with tarfile.open(archive, "r:gz") as tar:
        revision = json.loads(tar.extractfile("manifest.json").read()).get("revision")
    head = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config()).get_current_head()
    if revision != head:
        raise click.ClickException(f"This backup was taken at schema {revision}; this Milepost is at {head}. "
                                   "Restore it with the Milepost release that made it, then upgrade.")
    upgrade()
    instance, extra = _folders(current_app)
    try:
        manifest = restore_backup(db.engine, db.metadata, Path(archive), instance,
                                  folder_map={p.name: p for p in extra})
    except RestoreRefused as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Restored {sum(manifest['tables'].values())} rows and {len(manifest['files'])} files "
               f"from {archive}.")
