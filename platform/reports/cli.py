"""`milepost export credit-hours`: the HR / licence-renewal CSV from the shell (e.g. a nightly job)."""
from __future__ import annotations

from datetime import date

import click
from flask import Flask
from flask.cli import with_appcontext

from milepost.core.errors import DomainError
from milepost.extensions import db


def init_cli(app: Flask) -> None:
    from milepost.core.cli import export

    export.add_command(credit_hours)  # `export` is one group for every app: adding it again changes nothing


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2025-08-01.") from None


@click.command("credit-hours")
@click.option("--from", "start", required=True, help="First day, YYYY-MM-DD (inclusive).")
@click.option("--to", "end", required=True, help="Last day, YYYY-MM-DD (inclusive).")
@click.option("--school", default="", help="Only teachers of the school with this exact name.")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-", show_default=True,
              help="File to write; standard output by default.")
@with_appcontext
def credit_hours(start: str, end: str, school: str, output) -> None:
    """Badges earned with credit hours, dates and verification URLs, as CSV (one row per award)."""
    from milepost.accounts.models import School
    from milepost.core import audit
    from milepost.core.csvsafe import csv_text
    from milepost.reports import services

    first, last = _day(start), _day(end)
    school_id = None
    if school:
        school_id = db.session.scalar(db.select(School.id).filter_by(name=school))
        if school_id is None:
            raise click.ClickException(f"No school is called {school!r}.")
    try:
        rows = services.credit_hours(db.session, start=first, end=last, school_id=school_id)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    output.write(csv_text(services.CREDIT_HEADER, services.credit_csv_rows(rows)))
    audit.record(db.session, "report.exported", report="credit_hours", rows=len(rows), start=first.isoformat(),
                 end=last.isoformat(), school=school_id, via="command line")
    db.session.commit()
    click.echo(f"{len(rows)} awards from {first} to {last}.", err=True)
