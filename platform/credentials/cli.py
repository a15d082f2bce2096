"""`milepost credentials keygen | rotate-key | list-keys` and `milepost export-learning-record EMAIL`."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from milepost.extensions import db


def init_cli(app: Flask) -> None:
    app.cli.add_command(credentials_group)
    app.cli.add_command(export_learning_record)


@click.group("credentials")
def credentials_group() -> None:
    """Signing keys for verifiable credentials."""


@credentials_group.command("keygen")
@with_appcontext
def keygen() -> None:
    """Make the district's signing keys (RS256 for VC-JWTs, Ed25519 for Data Integrity proofs) that are
    missing (safe to run again)."""
    from milepost.credentials import keys

    made = keys.ensure_keys(db.session)
    db.session.commit()
    if not made:
        click.echo("The signing keys already exist (use rotate-key for new ones).")
    for row in made:
        click.echo(f"Made {row.algorithm} signing key {row.kid}; the private key is in {keys.keys_folder()}.")


@credentials_group.command("rotate-key")
@with_appcontext
def rotate_key() -> None:
    """Retire the current keys (they stay published) and sign with new ones from now on."""
    from milepost.credentials import keys

    rows = keys.rotate_key(db.session)
    db.session.commit()
    for row in rows:
        click.echo(f"New {row.algorithm} signing key {row.kid}.")
    click.echo("Earlier keys stay in the JWKS and did.json so credentials they signed still verify.")


@credentials_group.command("list-keys")
@with_appcontext
def list_keys() -> None:
    """Every key, newest last, with whether it signs now."""
    from milepost.credentials import keys

    for row in keys.all_keys(db.session):
        state = f"retired {row.retired_at:%Y-%m-%d}" if row.retired_at else "signing"
        click.echo(f"{row.kid}  {row.algorithm:6}  made {row.created_at:%Y-%m-%d}  {state}")


@click.command("export-learning-record")
@click.argument("email")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the zip (default: learning-record-<id>.zip here).")
@click.option("--note", default="Exported with the command line.", show_default=True,
              help="Who asked, kept with the request.")
@with_appcontext
def export_learning_record(email: str, output: Path | None, note: str) -> None:
    """Write a person's learning record (signed CLR, credentials, baked images, transcript) to a zip,
    also for someone whose account is deactivated."""
    from milepost.accounts.models import User
    from milepost.core import audit
    from milepost.core.model import utcnow
    from milepost.credentials import clr
    from milepost.credentials.models import LearningRecordRequest

    person = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if person is None:
        raise click.ClickException(f"Nobody has the email address {email!r}.")
    with current_app.test_request_context("/", base_url=current_app.config["BASE_URL"]):
        data = clr.learning_record_zip(db.session, person)
    row = LearningRecordRequest(user_id=person.id, note=note, downloaded_at=utcnow())
    db.session.add(row)
    db.session.flush()
    audit.record(db.session, "credentials.record_exported", target=row, user_id=person.id, via="cli")
    db.session.commit()
    path = output or Path(f"learning-record-{person.id}.zip")
    path.write_bytes(data)
    click.echo(f"Wrote {path} for {person.display_name} ({len(data) // 1024 + 1} KB).")
