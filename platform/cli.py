"""The `milepost` command: Flask's CLI group bound to create_app. Each feature adds its own commands in
its init_app; this module adds `seed-demo`, which runs every feature's demo step."""
from __future__ import annotations

import logging

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from milepost.extensions import db


def _create_app() -> Flask:
    from milepost.app import create_app
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Milepost: micro-credentials for educator professional learning."""


def init_cli(app: Flask) -> None:
    app.cli.add_command(seed_demo)


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
