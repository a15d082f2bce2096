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
    for command in (backup, restore, export, secrets_group):
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


def _backup_key(key_file: str | None, *, required: bool):
    """The backup key from --key-file, else the BACKUP_KEY_FILE or BACKUP_PASSPHRASE setting."""
    from flask import current_app

    from milepost.core.backup import BackupKey, RestoreRefused

    key_file = key_file or current_app.config.get("BACKUP_KEY_FILE")
    passphrase = current_app.config.get("BACKUP_PASSPHRASE")
    passphrase = str(passphrase) if passphrase not in (None, "") else None  # the env may read digits as a number
    if not key_file and not passphrase:
        if required:
            raise click.ClickException(
                "Backups are encrypted: set MILEPOST_BACKUP_KEY_FILE (a file of at least 32 random bytes) or "
                "MILEPOST_BACKUP_PASSPHRASE, or pass --key-file. Keep the key away from the backups. "
                "(--unencrypted writes a plain archive, for test instances only.)")
        return None
    try:
        return BackupKey(key_file=key_file, passphrase=None if key_file else passphrase)
    except RestoreRefused as exc:
        raise click.ClickException(str(exc)) from None


@click.command("backup")
@click.argument("target", required=False, type=click.Path(dir_okay=False))
@click.option("--key-file", type=click.Path(dir_okay=False), help="Encrypt with this key file "
              "(default: the BACKUP_KEY_FILE or BACKUP_PASSPHRASE setting).")
@click.option("--unencrypted", is_flag=True, help="Write a plain archive (test instances only).")
@with_appcontext
def backup(target: str | None, key_file: str | None, unencrypted: bool) -> None:
    """Write a consistent, encrypted archive of the database, uploaded files and keys (safe while running)."""
    from datetime import datetime
    from pathlib import Path

    from flask import current_app

    from milepost.core import audit
    from milepost.core.backup import create_backup

    instance, extra = _folders(current_app)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    key = None if unencrypted else _backup_key(key_file, required=True)
    suffix = ".tar.gz.enc" if key is not None else ".tar.gz"
    path = Path(target) if target else instance / "backups" / f"milepost-{stamp}{suffix}"
    manifest = create_backup(db.engine, db.metadata, instance, path, extra_folders=extra, key=key)
    audit.record(db.session, "backup.created", path=str(path), rows=sum(manifest["tables"].values()),
                 encrypted=key is not None)
    db.session.commit()
    click.echo(f"Backup written to {path}: {sum(manifest['tables'].values())} rows in "
               f"{len(manifest['tables'])} tables, {len(manifest['files'])} files"
               f"{', encrypted' if key is not None else ', NOT encrypted'}.")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@click.option("--key-file", type=click.Path(dir_okay=False), help="The key file the backup was encrypted with "
              "(default: the BACKUP_KEY_FILE or BACKUP_PASSPHRASE setting).")
@with_appcontext
def restore(archive: str, key_file: str | None) -> None:
    """Restore a backup into this instance, whose database must be empty (a new instance)."""
    from pathlib import Path

    from alembic.script import ScriptDirectory
    from flask import current_app
    from flask_migrate import upgrade

    from milepost.core.backup import RestoreRefused, archive_manifest, restore_backup

    key = _backup_key(key_file, required=False)
    try:
        revision = archive_manifest(Path(archive), key).get("revision")
    except RestoreRefused as exc:
        raise click.ClickException(str(exc)) from None
    head = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config()).get_current_head()
    if revision != head:
        raise click.ClickException(f"This backup was taken at schema {revision}; this Milepost is at {head}. "
                                   "Restore it with the Milepost release that made it, then upgrade.")
    upgrade()
    instance, extra = _folders(current_app)
    try:
        manifest = restore_backup(db.engine, db.metadata, Path(archive), instance,
                                  folder_map={p.name: p for p in extra}, key=key)
    except RestoreRefused as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Restored {sum(manifest['tables'].values())} rows and {len(manifest['files'])} files "
               f"from {archive}.")


@click.group("secrets")
def secrets_group() -> None:
    """The keys that seal secrets at rest (SEALING_KEYS; see docs/operators.md)."""


@secrets_group.command("new-key")
def new_sealing_key() -> None:
    """Print a new Fernet key to put first in MILEPOST_SEALING_KEYS."""
    from milepost.core.sealing import generate_key

    click.echo(generate_key())


@secrets_group.command("reseal")
@with_appcontext
def reseal() -> None:
    """Seal every secret under the first SEALING_KEYS key (after adding a key in front, or to seal plain values)."""
    from flask import current_app

    from milepost.core import audit
    from milepost.core.sealing import SealBroken, reseal_all

    try:
        with db.engine.begin() as conn:
            values = reseal_all(conn, db.metadata)
        files = sum(step() for step in current_app.extensions.get("milepost_reseal", []))
    except SealBroken as exc:
        raise click.ClickException(str(exc)) from None
    audit.record(db.session, "secrets.resealed", values=values, files=files)
    db.session.commit()
    click.echo(f"Sealed {values} stored secrets and {files} key files under the newest key.")


@secrets_group.command("derived-key")
@with_appcontext
def derived_key() -> None:
    """Print the key derived from SECRET_KEY (used while SEALING_KEYS is empty), to list it behind a new key."""
    from flask import current_app

    from milepost.core.sealing import _configured

    click.echo(_configured({"SECRET_KEY": current_app.config["SECRET_KEY"]})[0])
