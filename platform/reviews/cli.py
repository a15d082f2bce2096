"""`milepost send-reminders`: meant for cron, once a day (running it again the same day sends nothing new)."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from milepost.extensions import db
from milepost.reviews import services


@click.command("send-reminders")
@with_appcontext
def send_reminders() -> None:
    """Skip stages nobody can take, expire claims, and email reviewers and the PD office about waiting work."""
    report = services.send_reminders(db.session)
    db.session.commit()
    click.echo(f"{report.reviewer_mails} reviewer reminder(s), {report.admin_mails} PD office reminder(s) sent; "
               f"{report.already_sent} already sent today; {report.skipped} stage(s) skipped; "
               f"{report.expired} claim(s) expired.")


def init_cli(app: Flask) -> None:
    app.cli.add_command(send_reminders)
