"""`milepost points verify [--repair]`: the ledger, the cached totals and the holder counts checked."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from milepost.awards import services as awards
from milepost.extensions import db
from milepost.points import services, standings


def init_cli(app: Flask) -> None:
    app.cli.add_command(points_group)


@click.group("points")
def points_group() -> None:
    """Points ledger tools."""


@points_group.command("verify")
@click.option("--repair", is_flag=True, help="Recompute every differing balance and total from the ledger.")
@with_appcontext
def verify_command(repair: bool) -> None:
    """Recompute every balance, badge and period total and every school and PLC total from the ledger, and
    every badge's holder count from the awards, and report any difference (exit 1 if any)."""
    totals = [f"user {d.user_id}: cached {d.cached}, ledger {d.ledger}" for d in services.verify(db.session)]
    totals += standings.check(db.session)
    earners = awards.check_earners(db.session)
    problems = totals + earners
    for line in problems:
        click.echo(line)
    if repair and problems:
        if totals:
            standings.rebuild(db.session)  # balances, badge and period totals, school and PLC totals
        if earners:
            awards.rebuild_earners(db.session)
        db.session.commit()
    click.echo(f"{len(problems)} difference(s)" + (" repaired." if repair and problems else "."))
    if problems and not repair:
        raise SystemExit(1)
