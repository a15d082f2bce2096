"""Survey commands for cron: open this month's pulse surveys, and seal finished sets."""
from __future__ import annotations

from datetime import datetime

import click
from flask import Flask, current_app, url_for
from flask.cli import with_appcontext

from milepost.extensions import db


def register(app: Flask) -> None:
    for command in (open_pulse_surveys, seal_surveys):
        if command.name not in app.cli.commands:
            app.cli.add_command(command)


@click.command("open-pulse-surveys")
@click.option("--month", default=None, help="YYYY-MM; this month when left out.")
@click.option("--invite/--no-invite", default=True, show_default=True,
              help="Email the audience a link to each survey opened.")
@with_appcontext
def open_pulse_surveys(month: str | None, invite: bool) -> None:
    """Open this month's copy of every monthly pulse (safe to run daily: a month opens once)."""
    from milepost.core.mail import send_mail
    from milepost.surveys import services

    when = None
    if month:
        try:
            when = datetime.strptime(month, "%Y-%m").date()
        except ValueError:
            raise click.BadParameter("use the form YYYY-MM, for example 2026-03", param_hint="--month") from None
    opened = services.open_pulse_surveys(db.session, month=when)
    db.session.commit()
    for survey in opened:
        sent = 0
        if invite and survey.is_open(services.utcnow()):
            with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
                link = current_app.config["BASE_URL"].rstrip("/") + url_for("surveys.take", survey_id=survey.id)
            sent = services.invite(db.session, survey, actor=None, send=send_mail, link=link)
            db.session.commit()
        click.echo(f"Opened \"{survey.title}\" until {survey.closes_at:%Y-%m-%d}" + (f"; {sent} invited." if invite else "."))
    if not opened:
        click.echo("Nothing to open: every pulse already has this month's survey.")


@click.command("seal-surveys")
@with_appcontext
def seal_surveys() -> None:
    """Forget the pseudonym keys of finished surveys and pre/mid/post sets (run after a pilot ends)."""
    from milepost.surveys import services

    count = services.seal_closed(db.session)
    db.session.commit()
    click.echo(f"{count} finished survey set(s) or survey(s) sealed.")
