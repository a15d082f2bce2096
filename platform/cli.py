"""The `milepost` command: Flask's CLI group bound to create_app, plus our own commands."""
from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from milepost.core.errors import DomainError
from milepost.extensions import db


def _create_app() -> Flask:
    from milepost.app import create_app
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Milepost: micro-credentials for educator professional learning."""


def register(app: Flask) -> None:
    for command in (create_user, import_roster, seed_demo):
        app.cli.add_command(command)


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
        db.session.rollback()
        click.echo(exc.message, err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
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
@with_appcontext
def seed_demo() -> None:
    """Fill the database with a demo district (safe to run again)."""
    from milepost.demo import seed

    logins = seed(db.session)
    db.session.commit()
    click.echo("The demo district is ready. Sign in with any of these (password: "
               f"{logins['password']}):")
    for role, email in logins["people"]:
        click.echo(f"  {role:<22} {email}")
