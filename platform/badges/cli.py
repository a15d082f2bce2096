"""Catalogue commands: `milepost export-badges FILE` and `milepost import-badges FILE`."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from milepost.badges import exchange
from milepost.badges.models import Badge
from milepost.core import audit
from milepost.core.cli import refuse
from milepost.core.errors import ValidationFailed
from milepost.extensions import db


@click.command("export-badges")
@click.argument("file", type=click.File("w", encoding="utf-8"))
@click.option("--badge", "slug", default=None, help="Export only the badge with this slug.")
@with_appcontext
def export_badges(file, slug: str | None) -> None:
    """Write the whole catalogue (or one badge) as milepost.badges/1 JSON; '-' for standard output."""
    if slug:
        badge = db.session.scalar(select(Badge).where(Badge.slug == slug))
        if badge is None:
            raise click.ClickException(f"No badge has the slug {slug!r}.")
        document = exchange.export_badge(badge)
    else:
        document = exchange.export_catalogue(db.session)
    file.write(exchange.dumps(document))
    audit.record(db.session, "catalogue.exported", badges=len(document["badges"]), via="cli")
    db.session.commit()
    if file.name != "<stdout>":
        click.echo(f"Exported {len(document['badges'])} badges and {len(document['strands'])} strands.", err=True)


@click.command("import-badges")
@click.argument("file", type=click.File("rb"))
@with_appcontext
def import_badges(file) -> None:
    """Check a milepost.badges/1 JSON file and import it whole, or report every problem and import nothing."""
    try:
        result = exchange.import_catalogue(db.session, exchange.parse(file.read()))
    except ValidationFailed as exc:
        refuse(exc)
    db.session.commit()
    click.echo(result.summary())


def init_cli(app: Flask) -> None:
    for command in (export_badges, import_badges):
        app.cli.add_command(command)
