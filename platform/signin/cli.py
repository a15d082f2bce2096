"""Commands for when the web pages cannot help: a site admin who lost their phone, or a
district provider that is down while passwords are switched off."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from milepost.core.errors import DomainError
from milepost.extensions import db


def init_cli(app: Flask) -> None:
    app.cli.add_command(reset_two_factor)
    app.cli.add_command(local_passwords)


@click.command("reset-two-factor")
@click.argument("email")
@with_appcontext
def reset_two_factor(email: str) -> None:
    """Remove a person's authenticator app and recovery codes; they set up a new one at next sign-in."""
    from milepost.accounts.models import User
    from milepost.signin.services import reset_second_factor

    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"No account uses {email}.")
    try:
        reset_second_factor(db.session, user, actor=None)
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"Two-factor sign-in for {user.email} is reset; they are signed out everywhere.")


@click.command("local-passwords")
@click.argument("state", type=click.Choice(["on", "off"]))
@with_appcontext
def local_passwords(state: str) -> None:
    """Switch local passwords on or off for everyone but break-glass site admins."""
    from milepost.signin.models import SignInPolicy
    from milepost.signin.services import set_local_passwords

    if state == "off":
        raise click.ClickException("Switch passwords off from the District sign-in page, where the checks "
                                   "that someone can still sign in are shown.")
    if db.session.get(SignInPolicy, 1) is None:
        click.echo("Passwords are already on.")
        return
    set_local_passwords(db.session, True, actor=None)
    db.session.commit()
    click.echo("Everyone may sign in with a password again.")
