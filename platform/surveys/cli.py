"""Survey commands for cron: open this month's pulse surveys, tell audiences about opening and closing
surveys, and seal finished sets."""
from __future__ import annotations

from datetime import datetime

import click
from flask import Flask
from flask.cli import with_appcontext

from milepost.core.model import utcnow
from milepost.extensions import db


def init_cli(app: Flask) -> None:
    for command in (open_pulse_surveys, send_survey_reminders, seal_surveys):
        app.cli.add_command(command)


@click.command("open-pulse-surveys")
@click.option("--month", default=None, help="YYYY-MM; this month when left out.")
@click.option("--invite/--no-invite", default=True, show_default=True,
              help="Tell the audience about each survey opened (a notification, emailed as each person chose).")
@with_appcontext
def open_pulse_surveys(month: str | None, invite: bool) -> None:
    """Open this month's copy of every monthly pulse (safe to run daily: a month opens once)."""
    from milepost.surveys import reminders, services

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
        if invite and survey.is_open(utcnow()):
            sent = reminders.announce_open(db.session, survey)
            db.session.commit()
        click.echo(f"Opened \"{survey.title}\" until {survey.closes_at:%Y-%m-%d}"
                   + (f"; {sent} invited." if invite else "."))
    if not opened:
        click.echo("Nothing to open: every pulse already has this month's survey.")


@click.command("send-survey-reminders")
@click.option("--days", type=float, default=None,
              help="Remind this many days before a survey closes (default: the SURVEY_REMINDER_DAYS setting, 2).")
@with_appcontext
def send_survey_reminders(days: float | None) -> None:
    """Tell audiences about surveys that have opened, and remind people who have not answered before a survey
    closes (cron, daily; each person hears about each survey once, however often it runs)."""
    from milepost.surveys.reminders import send_survey_notices

    report = send_survey_notices(db.session, days=days)
    db.session.commit()  # the mails go out after this commit
    for survey, count in report.opened:
        click.echo(f"\"{survey.title}\" is open: {count} person(s) told.")
    for survey, count in report.closing:
        click.echo(f"\"{survey.title}\" closes soon: {count} person(s) who have not answered reminded.")
    if not report.opened and not report.closing:
        click.echo("Nothing to send: everyone has heard about every open survey.")


@click.command("seal-surveys")
@with_appcontext
def seal_surveys() -> None:
    """Forget the pseudonym keys of finished surveys and pre/mid/post sets (run after a pilot ends)."""
    from milepost.surveys import services

    count = services.seal_closed(db.session)
    db.session.commit()
    click.echo(f"{count} finished survey set(s) or survey(s) sealed.")
