"""The commands every Milepost has whatever its features: backup and restore, and the `export` group that
features add their exports to. `refuse` is how any command reports refused work."""
from __future__ import annotations

import sys
from datetime import UTC
from typing import NoReturn

import click
from flask import Flask
from flask.cli import with_appcontext

from milepost.core.errors import DomainError
from milepost.extensions import db


def refuse(exc: DomainError) -> NoReturn:
    """End a command whose work was refused: roll back, say why on stderr, each problem on its own line, exit 1."""
    db.session.rollback()
    click.echo(exc.message, err=True)
    for problem in exc.problems:
        click.echo(f"  {problem}", err=True)
    sys.exit(1)


def init_cli(app: Flask) -> None:
    for command in (backup, restore, export):
        app.cli.add_command(command)


@click.group("export")
def export() -> None:
    """Reports and records as files: `milepost export <what> ... > file.csv`.

    Features add their subcommands to this group (reports: credit-hours)."""


def _folders(app: Flask):
    """The instance folder, plus the upload folder when it lives elsewhere (a shared volume)."""
    from pathlib import Path

    instance, uploads = Path(app.instance_path), Path(app.config["UPLOAD_PATH"])
    extra = [] if instance in uploads.resolve().parents or uploads.resolve() == instance else [uploads]
    return instance, extra


@click.command("backup")
@click.argument("target", required=False, type=click.Path(dir_okay=False))
@with_appcontext
def backup(target: str | None) -> None:
    """Write a consistent archive of the database, uploaded files and keys (safe while running)."""
    from datetime import datetime
    from pathlib import Path

    from flask import current_app

    from milepost.core import audit
    from milepost.core.backup import create_backup

    instance, extra = _folders(current_app)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = Path(target) if target else instance / "backups" / f"milepost-{stamp}.tar.gz"
    manifest = create_backup(db.engine, db.metadata, instance, path, extra_folders=extra)
    audit.record(db.session, "backup.created", path=str(path), rows=sum(manifest["tables"].values()))
    db.session.commit()
    click.echo(f"Backup written to {path}: {sum(manifest['tables'].values())} rows in "
               f"{len(manifest['tables'])} tables, {len(manifest['files'])} files.")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def restore(archive: str) -> None:
    """Restore a backup into this instance, whose database must be empty (a new instance)."""
    import json
    import tarfile
    from pathlib import Path

    from alembic.script import ScriptDirectory
    from flask import current_app
    from flask_migrate import upgrade

    from milepost.core.backup import RestoreRefused, restore_backup

    with tarfile.open(archive, "r:gz") as tar:
        revision = json.loads(tar.extractfile("manifest.json").read()).get("revision")
    head = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config()).get_current_head()
    if revision != head:
        raise click.ClickException(f"This backup was taken at schema {revision}; this Milepost is at {head}. "
                                   "Restore it with the Milepost release that made it, then upgrade.")
    upgrade()
    instance, extra = _folders(current_app)
    try:
        manifest = restore_backup(db.engine, db.metadata, Path(archive), instance,
                                  folder_map={p.name: p for p in extra})
    except RestoreRefused as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Restored {sum(manifest['tables'].values())} rows and {len(manifest['files'])} files "
               f"from {archive}.")
