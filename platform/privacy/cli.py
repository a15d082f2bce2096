"""Data-rights commands: `milepost prune-evidence` (cron, daily) and `milepost export-person EMAIL FILE`."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from milepost.accounts.models import User
from milepost.extensions import db
from milepost.privacy import services


def init_cli(app: Flask) -> None:
    app.cli.add_command(prune_evidence)
    app.cli.add_command(export_person)


@click.command("prune-evidence")
@with_appcontext
def prune_evidence() -> None:
    """Remove evidence files kept longer than MILEPOST_EVIDENCE_RETENTION_DAYS (meant for cron)."""
    days = current_app.config.get("EVIDENCE_RETENTION_DAYS")
    if not days:
        click.echo("No retention period is set (MILEPOST_EVIDENCE_RETENTION_DAYS): nothing removed.")
        return
    removed = services.prune_evidence_files(db.session, days=int(days))
    db.session.commit()
    click.echo(f"{removed} evidence file(s) older than {days} days removed.")


@click.command("export-person")
@click.argument("email")
@click.argument("target", type=click.Path(dir_okay=False))
@with_appcontext
def export_person(email: str, target: str) -> None:
    """Write everything held about a person (also a deactivated one) to a zip, for a PD office request."""
    person = db.session.scalar(db.select(User).filter_by(email=email.strip().lower()))
    if person is None:
        raise click.ClickException(f"Nobody has the address {email}.")
    with open(target, "wb") as fh:
        fh.write(services.export_person(db.session, person))
    db.session.commit()
    click.echo(f"Written to {target}.")
