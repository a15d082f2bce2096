"""People commands: `milepost create-user` and `milepost import-roster FILE.csv`."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from milepost.core.access import Role
from milepost.core.cli import refuse
from milepost.core.errors import DomainError
from milepost.extensions import db


def init_cli(app: Flask) -> None:
    for command in (create_user, import_roster):
        app.cli.add_command(command)


@click.command("create-user")
@click.option("--email", prompt=True)
@click.option("--name", "display_name", prompt="Name")
@click.option("--role", "roles", multiple=True, default=[Role.TEACHER], show_default=True,
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
    from milepost.accounts.roster import import_roster as run_import
    from milepost.accounts.services import invite_people

    try:
        result = run_import(db.session, file.read())
    except DomainError as exc:
        refuse(exc)
    if not no_invite:
        invite_people(db.session, result.created)
    db.session.commit()
    click.echo(f"{len(result.created)} added, {len(result.updated)} updated, {result.unchanged} unchanged.")
    for name in result.schools_created:
        click.echo(f"New school: {name}")
    for name in result.plcs_created:
        click.echo(f"New PLC: {name}")
