"""`milepost send-digests`, `milepost send-pending-mail` (both for cron) and `milepost worker` (RQ)."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from milepost.extensions import db
from milepost.notifications import delivery, services


@click.command("send-digests")
@with_appcontext
def send_digests() -> None:
    """Email each person their waiting digest items in one message (cron, daily; an item goes out once)."""
    report = services.send_digests(db.session)
    db.session.commit()  # the mails go out after this commit, like any other
    click.echo(f"{report.mails} digest(s) with {report.items} item(s) sent; {report.dropped} item(s) dropped "
               "(turned off since).")


@click.command("send-pending-mail")
@click.option("--limit", default=1000, show_default=True, help="At most this many mails in one run.")
@with_appcontext
def send_pending_mail(limit: int) -> None:
    """Send every pending mail that is due: the retries after a failed send (cron, every few minutes)."""
    result = delivery.send_pending(limit=limit)
    click.echo(f"{result.sent} sent, {result.failed} failed (will retry later or gave up), "
               f"{result.skipped} taken by another sender.")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty instead of waiting for more.")
@with_appcontext
def worker(burst: bool) -> None:
    """Run the background worker that sends mail (needs MILEPOST_REDIS_URL)."""
    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("Set MILEPOST_REDIS_URL to use a worker; without it mail is sent by the web "
                                   "process itself and retried by `milepost send-pending-mail`.")
    from rq import SimpleWorker

    # SimpleWorker runs each job in this process, inside this app context (no fork, so no shared
    # database connections across processes).
    queue = delivery.mail_queue()
    SimpleWorker([queue], connection=queue.connection).work(burst=burst)


def init_cli(app: Flask) -> None:
    for command in (send_digests, send_pending_mail, worker):
        app.cli.add_command(command)
